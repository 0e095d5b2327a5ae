"""Tests for storyclust.dedup.groups: connected components, the canonical rule and similarity to the canonical."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from storyclust.dedup.groups import canonical, group, group_pairs, similarity_to_canonical
from storyclust.dedup.shingles import shingle
from storyclust.dedup.verify import overlaps
from storyclust.records import DuplicateGroup

UTC = timezone.utc


def test_group_pairs_labels_components_in_first_seen_order() -> None:
    labels = group_pairs(6, np.array([[4, 5], [1, 3], [0, 5]]))
    assert labels.tolist() == [0, 1, 2, 1, 0, 0]
    assert group_pairs(3, np.empty((0, 2), np.int64)).tolist() == [0, 1, 2]
    assert group_pairs(0, np.empty((0, 2), np.int64)).tolist() == []


def test_canonical_rule_by_hand(make_articles) -> None:
    day = datetime(2024, 5, 1, tzinfo=UTC)
    cases = [  # (lengths, dates, expected)
        ([10, 20, 10], [None, None, None], 1),  # undated: the longest
        ([10, 10, 10], [None, None, None], 0),  # all equal: the first read
        ([20, 10, 10], [None, day, day - timedelta(days=1)], 2),  # the earliest dated beats the longer
        ([20, 10, 10], [None, day, day], 1),  # equal dates: then first read among the longest
    ]
    for lengths, dates, expected in cases:
        articles = make_articles(["x"] * 3, dates=dates)
        assert canonical([0, 1, 2], articles, np.array(lengths)) == expected, (lengths, dates)


def test_naive_dates_are_utc_and_undated_sorts_last(make_articles) -> None:
    aware = datetime(2021, 5, 13, 1, tzinfo=UTC)
    articles = make_articles(["x"] * 3, dates=[None, datetime(2021, 5, 13, 2), aware])
    assert canonical([0, 1, 2], articles, np.array([30, 20, 10])) == 2  # 02:00 naive (UTC) is after 01:00 UTC
    assert canonical([0, 1], articles, np.array([30, 20])) == 1


def test_group_builds_groups_in_order_of_their_first_member(make_articles) -> None:
    articles = make_articles(["x"] * 7)
    lengths = np.array([5, 9, 5, 5, 5, 7, 5])
    groups, group_of, canonical_of = group(articles, lengths, np.array([[3, 5], [0, 1], [1, 6]]))
    assert groups == [DuplicateGroup(0, 1, (1, 0, 6)), DuplicateGroup(1, 5, (5, 3))]
    assert group_of.tolist() == [0, 0, -1, 1, -1, 1, 0]
    assert canonical_of.tolist() == [1, 1, 2, 5, 4, 5, 1]
    none = group(articles, lengths, np.empty((0, 2), np.int64))
    assert none[0] == [] and none[1].tolist() == [-1] * 7 and none[2].tolist() == list(range(7))


def test_similarity_to_canonical_is_the_exact_overlap() -> None:
    words = [f"w{i}" for i in range(60)]
    sh = shingle([" ".join(words), " ".join(words[:30]), "other text entirely here", " ".join(words[10:])], 3)
    canonical_of = np.array([0, 0, 2, 0])
    similarity = similarity_to_canonical(sh, canonical_of)
    jac, con = overlaps(sh, [0, 0], [1, 3])
    assert similarity[[0, 2]].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert similarity[[1, 3], 0].tolist() == jac.tolist() and similarity[[1, 3], 1].tolist() == con.tolist()
    assert similarity[1, 1] == 1.0 and 0 < similarity[1, 0] < 1
