"""The time split on hand-built inputs, and its invariants (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from storyclust.stories.timesplit import split_by_time

from story_helpers import DAY, NAN, corpora, days, max_internal_gap, partition, unit_rows


def test_split_cuts_at_a_gap_longer_than_the_limit() -> None:
    labels = np.array([0, 0, 0, 0])
    points = unit_rows([[1, 0]] * 4)
    out = split_by_time(labels, days(0, 1, 300, 301), points, max_gap_days=180.0)
    assert partition(out) == {frozenset({0, 1}), frozenset({2, 3})}
    assert out[0] == 0  # the earliest part keeps the cluster's label


def test_split_cuts_at_every_long_gap_and_sorts_by_date_not_input_order() -> None:
    labels = np.array([0, 0, 0, 0, 0, 0])
    points = unit_rows([[1, 0]] * 6)
    stamps = days(600, 0, 305, 2, 300, 601)
    out = split_by_time(labels, stamps, points, max_gap_days=180.0)
    assert partition(out) == {frozenset({1, 3}), frozenset({2, 4}), frozenset({0, 5})}
    assert out[1] == out[3] == 0
    assert sorted(set(out.tolist())) == [0, 1, 2]  # new labels continue after the largest label


def test_split_leaves_other_clusters_alone_and_numbers_new_parts_after_the_largest_label() -> None:
    labels = np.array([0, 0, 1, 1, 1])
    points = unit_rows([[1, 0]] * 5)
    out = split_by_time(labels, days(0, 500, 10, 11, 12), points, max_gap_days=180.0)
    assert out.tolist() == [0, 2, 1, 1, 1]


def test_split_gap_equal_to_the_limit_is_not_cut() -> None:
    labels = np.array([0, 0, 0])
    out = split_by_time(labels, days(0, 180, 360), unit_rows([[1, 0]] * 3), max_gap_days=180.0)
    assert out.tolist() == [0, 0, 0]


def test_split_undated_members_join_the_part_with_the_closest_centroid() -> None:
    labels = np.array([0, 0, 0, 0, 0, 0])
    # Part one (days 0, 1) points along x, part two (days 400, 401) along y; undated 4 leans to y, 5 to x.
    points = unit_rows([[1, 0.1], [1, 0], [0.1, 1], [0, 1], [0.2, 1], [1, 0.3]])
    stamps = np.array([0, 1 * DAY, 400 * DAY, 401 * DAY, NAN, NAN])
    out = split_by_time(labels, stamps, points, max_gap_days=180.0)
    assert partition(out) == {frozenset({0, 1, 5}), frozenset({2, 3, 4})}


def test_split_unchanged_when_no_gap_exceeds_the_limit() -> None:
    labels = np.array([3, 3, 1, 1, 3, 0])
    points = unit_rows([[1, 0]] * 6)
    stamps = np.array([0, 100 * DAY, 5 * DAY, NAN, 270 * DAY, 1000 * DAY])
    out = split_by_time(labels, stamps, points, max_gap_days=180.0)
    assert out.tolist() == labels.tolist()


def test_split_never_cuts_off_undated_articles_or_single_dated_members() -> None:
    labels = np.array([0, 0, 0])
    stamps = np.array([0.0, NAN, NAN])
    out = split_by_time(labels, stamps, unit_rows([[1, 0], [0, 1], [1, 1]]), max_gap_days=1.0)
    assert out.tolist() == [0, 0, 0]


def test_split_disabled_with_none_and_empty_input() -> None:
    labels = np.array([0, 0])
    assert split_by_time(labels, days(0, 5000), unit_rows([[1, 0]] * 2), max_gap_days=None).tolist() == [0, 0]
    assert split_by_time(np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 2)), max_gap_days=7.0).tolist() == []


@given(corpora(noise=False), st.sampled_from([1.0, 30.0, 180.0]))
def test_split_only_refines_and_leaves_no_long_gap(corpus, limit: float) -> None:
    labels, stamps, rows = corpus
    out = split_by_time(labels, stamps, unit_rows(rows.tolist()), max_gap_days=limit)
    for part in partition(out):
        members = np.array(sorted(part))
        assert len(set(labels[members].tolist())) == 1  # a part lies inside one input cluster
        assert max_internal_gap(stamps[members]) <= limit * DAY
    if all(max_internal_gap(stamps[labels == c]) <= limit * DAY for c in set(labels.tolist())):
        assert out.tolist() == labels.tolist()
