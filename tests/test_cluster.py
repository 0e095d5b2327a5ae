"""Unit tests for storyclust.clustering on tiny hand-built inputs: relabel, split_by_time, merge_units, cluster_points.

Labels are compared as partitions (sets of member sets) wherever the function only promises a grouping.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from storyclust.clustering import (
    ClusterParams,
    _closest_first,
    _TermCounts,
    centroid_cosines,
    cluster_points,
    merge_units,
    relabel,
    split_by_time,
)
from storyclust.label import central_members
from storyclust.stories import StoryConfig

DAY = 86400.0
NAN = float("nan")


def partition(labels) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, label in enumerate(np.asarray(labels).tolist()):
        groups.setdefault(label, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def days(*values: float) -> np.ndarray:
    return np.array([v * DAY for v in values], dtype=np.float64)


def unit_rows(rows: list[list[float]]) -> np.ndarray:
    m = np.array(rows, dtype=np.float64)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def csr(rows: list[list[float]]) -> sparse.csr_matrix:
    return sparse.csr_matrix(unit_rows(rows))


# ------------------------------------------------------------------------------------------------ relabel


def test_relabel_numbers_by_first_appearance_and_keeps_noise() -> None:
    out = relabel(np.array([5, 5, -1, 2, 5, 2, 9]))
    assert out.tolist() == [0, 0, -1, 1, 0, 1, 2]
    assert out.dtype == np.int64


def test_relabel_empty() -> None:
    assert relabel(np.zeros(0, np.int64)).tolist() == []


# ------------------------------------------------------------------------------------------ split_by_time


def test_split_cuts_at_a_gap_longer_than_the_limit() -> None:
    labels = np.array([0, 0, 0, 0])
    points = unit_rows([[1, 0]] * 4)
    out = split_by_time(labels, days(0, 1, 300, 301), points, 180.0)
    assert partition(out) == {frozenset({0, 1}), frozenset({2, 3})}
    assert out[0] == 0  # the earliest part keeps the cluster's label


def test_split_cuts_at_every_long_gap_and_sorts_by_date_not_input_order() -> None:
    labels = np.array([0, 0, 0, 0, 0, 0])
    points = unit_rows([[1, 0]] * 6)
    stamps = days(600, 0, 305, 2, 300, 601)
    out = split_by_time(labels, stamps, points, 180.0)
    assert partition(out) == {frozenset({1, 3}), frozenset({2, 4}), frozenset({0, 5})}
    assert out[1] == out[3] == 0
    assert sorted(set(out.tolist())) == [0, 1, 2]  # new labels continue after the largest label


def test_split_leaves_other_clusters_alone_and_numbers_new_parts_after_the_largest_label() -> None:
    labels = np.array([0, 0, 1, 1, 1])
    points = unit_rows([[1, 0]] * 5)
    out = split_by_time(labels, days(0, 500, 10, 11, 12), points, 180.0)
    assert out.tolist() == [0, 2, 1, 1, 1]


def test_split_gap_equal_to_the_limit_is_not_cut() -> None:
    labels = np.array([0, 0, 0])
    out = split_by_time(labels, days(0, 180, 360), unit_rows([[1, 0]] * 3), 180.0)
    assert out.tolist() == [0, 0, 0]


def test_split_undated_members_join_the_part_with_the_closest_centroid() -> None:
    labels = np.array([0, 0, 0, 0, 0, 0])
    # Part one (days 0, 1) points along x, part two (days 400, 401) along y; undated 4 leans to y, 5 to x.
    points = unit_rows([[1, 0.1], [1, 0], [0.1, 1], [0, 1], [0.2, 1], [1, 0.3]])
    stamps = np.array([0, 1 * DAY, 400 * DAY, 401 * DAY, NAN, NAN])
    out = split_by_time(labels, stamps, points, 180.0)
    assert partition(out) == {frozenset({0, 1, 5}), frozenset({2, 3, 4})}


def test_split_unchanged_when_no_gap_exceeds_the_limit() -> None:
    labels = np.array([3, 3, 1, 1, 3, 0])
    points = unit_rows([[1, 0]] * 6)
    stamps = np.array([0, 100 * DAY, 5 * DAY, NAN, 270 * DAY, 1000 * DAY])
    out = split_by_time(labels, stamps, points, 180.0)
    assert out.tolist() == labels.tolist()


def test_split_never_cuts_off_undated_articles_or_single_dated_members() -> None:
    labels = np.array([0, 0, 0])
    stamps = np.array([0.0, NAN, NAN])
    out = split_by_time(labels, stamps, unit_rows([[1, 0], [0, 1], [1, 1]]), 1.0)
    assert out.tolist() == [0, 0, 0]


def test_split_disabled_with_none_and_empty_input() -> None:
    labels = np.array([0, 0])
    assert split_by_time(labels, days(0, 5000), unit_rows([[1, 0]] * 2), None).tolist() == [0, 0]
    assert split_by_time(np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 2)), 7.0).tolist() == []


# ------------------------------------------------------------------------------------------- merge_units

# A: x axis, B: 0.8 cosine to A, C: 0.78 cosine to B but only 0.25 to A; D: far from everything.
CHAIN = [[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.25, 0.968246, 0.0], [0.0, 0.0, 1.0]]


def test_merge_joins_units_at_or_above_the_threshold() -> None:
    vectors = csr([[1, 0.1, 0], [1, 0, 0.1], [0, 0, 1]])
    out = merge_units(vectors, np.array([-1, -1, -1]), days(0, 1, 2), 0.9, 10, 180.0)
    assert partition(out) == {frozenset({0, 1}), frozenset({2})}


def test_merge_refuses_below_the_threshold() -> None:
    vectors = csr([[1, 0.1, 0], [1, 0, 0.1], [0, 0, 1]])
    cos = float((vectors[0] @ vectors[1].T).toarray()[0, 0])
    out = merge_units(vectors, np.array([-1, -1, -1]), days(0, 1, 2), cos + 0.001, 10, 180.0)
    assert partition(out) == {frozenset({0}), frozenset({1}), frozenset({2})}
    out = merge_units(vectors, np.array([-1, -1, -1]), days(0, 1, 2), cos - 0.001, 10, 180.0)
    assert partition(out) == {frozenset({0, 1}), frozenset({2})}


def test_merge_uses_centroid_linkage_not_single_linkage() -> None:
    # A-B merge first (0.8); the A+B centroid is only ~0.58 from C, so C stays out although B-C is 0.78.
    vectors = csr(CHAIN)
    out = merge_units(vectors, np.array([-1, -1, -1, -1]), days(0, 0, 0, 0), 0.7, 10, None)
    assert partition(out) == {frozenset({0, 1}), frozenset({2}), frozenset({3})}
    out = merge_units(vectors, np.array([-1, -1, -1, -1]), days(0, 0, 0, 0), 0.5, 10, None)
    assert partition(out) == {frozenset({0, 1, 2}), frozenset({3})}


def test_merge_refuses_across_a_date_gap() -> None:
    vectors = csr([[1, 0.05], [1, 0]])
    labels = np.array([-1, -1])
    assert partition(merge_units(vectors, labels, days(0, 400), 0.5, 10, 180.0)) == {frozenset({0}), frozenset({1})}
    assert partition(merge_units(vectors, labels, days(0, 400), 0.5, 10, None)) == {frozenset({0, 1})}
    assert partition(merge_units(vectors, labels, days(0, 170), 0.5, 10, 180.0)) == {frozenset({0, 1})}


def test_merge_gap_is_measured_between_date_ranges() -> None:
    # Cluster {0, 1} covers days 0-100; article 2 on day 250 is 150 days after its end (allowed at 180),
    # though 250 days after its start.
    vectors = csr([[1, 0], [1, 0.05], [1, 0.1]])
    out = merge_units(vectors, np.array([0, 0, -1]), days(0, 100, 250), 0.5, 10, 180.0)
    assert partition(out) == {frozenset({0, 1, 2})}
    out = merge_units(vectors, np.array([0, 0, -1]), days(0, 100, 290), 0.5, 10, 180.0)
    assert partition(out) == {frozenset({0, 1}), frozenset({2})}


def test_merge_undated_units_are_compatible_with_any_date() -> None:
    vectors = csr([[1, 0], [1, 0.05]])
    out = merge_units(vectors, np.array([-1, -1]), np.array([0.0, NAN]), 0.5, 10, 1.0)
    assert partition(out) == {frozenset({0, 1})}


def test_merge_keeps_hdbscan_clusters_together() -> None:
    # Rows 0 and 1 are orthogonal but HDBSCAN put them together: merging never splits a cluster.
    vectors = csr([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    out = merge_units(vectors, np.array([0, 0, -1]), days(0, 1, 2), 0.9, 10, 180.0)
    assert partition(out) == {frozenset({0, 1}), frozenset({2})}


def test_merge_above_one_disables_merging_but_still_gives_noise_its_own_units() -> None:
    vectors = csr([[1, 0], [1, 0], [0, 1]])
    out = merge_units(vectors, np.array([-1, 0, -1]), days(0, 0, 0), 1.01, 10, None)
    assert partition(out) == {frozenset({0}), frozenset({1}), frozenset({2})}
    assert (out >= 0).all()


def test_merge_counts_the_dropped_terms_in_every_norm() -> None:
    # The kept parts of two rows are identical, but each has three times as much squared weight in terms
    # only it uses: the exact cosine is 1 / (1 + 3) = 0.25.
    vectors = sparse.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0]]))
    labels = np.array([-1, -1])
    assert partition(merge_units(vectors, labels, days(0, 1), 0.3, 10, None)) == {frozenset({0, 1})}
    residual = np.array([3.0, 3.0])
    out = merge_units(vectors, labels, days(0, 1), 0.3, 10, None, residual=residual)
    assert partition(out) == {frozenset({0}), frozenset({1})}
    out = merge_units(vectors, labels, days(0, 1), 0.25, 10, None, residual=residual)
    assert partition(out) == {frozenset({0, 1})}


def test_merge_pairs_left_over_articles_that_are_each_others_nearest() -> None:
    # Cosines: A-B 0.1, B-C 0.2, A-C 0, D orthogonal to all; every one below the merge threshold of 0.3.
    rows = [[1, 0, 0, 0], [0.1, 0.2, float(np.sqrt(0.95)), 0], [0, 1, 0, 0], [0, 0, 0, 1]]
    vectors = csr(rows)
    sims = (vectors @ vectors.T).toarray()
    assert np.allclose([sims[0, 1], sims[1, 2], sims[0, 2], sims[0, 3]], [0.1, 0.2, 0.0, 0.0])
    labels = np.array([-1, -1, -1, -1])
    same_day = days(0, 0, 0, 0)
    alone = {frozenset({0}), frozenset({1}), frozenset({2}), frozenset({3})}
    assert partition(merge_units(vectors, labels, same_day, 0.3, 10, None)) == alone  # pairing off by default
    # B and C are each other's nearest; A's nearest is B, but B prefers C. A's cosine to the B+C centroid
    # is 0.1 / |B + C| ~ 0.065, below 0.08.
    out = merge_units(vectors, labels, same_day, 0.3, 10, None, pair_similarity=0.08)
    assert partition(out) == {frozenset({0}), frozenset({1, 2}), frozenset({3})}
    # At 0.05, A then pairs with the B+C story, whose nearest it is; D shares nothing and stays alone.
    out = merge_units(vectors, labels, same_day, 0.3, 10, None, pair_similarity=0.05)
    assert partition(out) == {frozenset({0, 1, 2}), frozenset({3})}
    assert partition(merge_units(vectors, labels, same_day, 0.3, 10, None, pair_similarity=0.25)) == alone
    # Never across a date gap: C is 400 days after B.
    out = merge_units(vectors, labels, days(0, 0, 400, 0), 0.3, 10, 180.0, pair_similarity=0.05)
    assert partition(out) == {frozenset({0, 1}), frozenset({2}), frozenset({3})}


def test_merge_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    dense = rng.random((40, 12)) ** 4  # skewed, so some rows are close and most are not
    vectors = csr(dense.tolist())
    labels = np.array([-1] * 30 + [0] * 5 + [1] * 5)
    stamps = rng.integers(0, 400, 40).astype(np.float64) * DAY
    first = merge_units(vectors, labels, stamps, 0.6, 5, 180.0)
    for _ in range(3):
        assert merge_units(vectors, labels, stamps, 0.6, 5, 180.0).tolist() == first.tolist()
    assert 1 < len(set(first.tolist())) < 40  # it merged something and not everything


def test_merge_empty_and_single_inputs() -> None:
    empty = sparse.csr_matrix((0, 3))
    assert merge_units(empty, np.zeros(0, np.int64), np.zeros(0), 0.4, 10, 180.0).tolist() == []
    one = csr([[1, 0, 0]])
    assert merge_units(one, np.array([-1]), days(0), 0.4, 10, 180.0).tolist() == [0]


def headline_stories(seed: int = 0) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Short texts of three terms over 15: term 0 is a name both stories use (Kanye West), terms 1-7 one
    story's words, 8-14 the other's (a parody of his video). Units P (0), R (1) and Q (2) tell the first
    story, Q without the name; T (3) the second. Every centroid cosine clears the short-text threshold
    (0.3 * sqrt(3 / 50) = 0.073), and T is closer to P + R (0.61) than Q is (0.55)."""
    rng = np.random.default_rng(seed)

    def story(n: int, own: range, name: bool) -> list[np.ndarray]:
        rows = []
        for _ in range(n):
            row = np.zeros(15)
            row[0] = name
            row[rng.choice(own, 3 - name, replace=False)] = 1
            rows.append(row)
        return rows

    first, second = range(1, 8), range(8, 15)
    rows = np.array(story(12, first, True) + story(12, first, True) + story(4, first, False) + story(24, second, True))
    units = np.repeat([0, 1, 2, 3], [12, 12, 4, 24])
    return sparse.csr_matrix(rows / np.linalg.norm(rows, axis=1, keepdims=True)), units


def unit_partition(out: np.ndarray, units: np.ndarray) -> set[frozenset[int]]:
    """The merged grouping of the input units (each unit must stay whole)."""
    assert all(len(set(out[units == u].tolist())) == 1 for u in set(units.tolist()))
    return partition([out[units == u][0] for u in range(units.max() + 1)])


def test_merge_evidence_keeps_short_text_stories_with_different_words_apart() -> None:
    vectors, units = headline_stories()
    undated = np.full(len(units), np.nan)
    # By cosine alone T joins P and R: they share the name. Q, further, loses its link to P + R once the
    # merged unit keeps only its nearest candidate.
    plain = merge_units(vectors, units, undated, 0.3, 1, None, full_length=50)
    assert unit_partition(plain, units) == {frozenset({0, 1, 3}), frozenset({2})}
    # The terms say two stories: T stays apart, and the second round links Q to P + R again.
    checked = merge_units(vectors, units, undated, 0.3, 1, None, full_length=50, evidence=True)
    assert unit_partition(checked, units) == {frozenset({0, 1, 2}), frozenset({3})}
    one_round = _closest_first(vectors, units, 4, undated, 0.3, 1, None, None, None, 50, evidence=True)
    assert unit_partition(one_round, units) == {frozenset({0, 1}), frozenset({2}), frozenset({3})}
    # Long texts (here: 3 terms against a full length of 2) are merged on cosines alone.
    long = merge_units(vectors, units, undated, 0.3, 1, None, full_length=2, evidence=True)
    by_cosine = merge_units(vectors, units, undated, 0.3, 1, None, full_length=2)
    assert unit_partition(long, units) == unit_partition(by_cosine, units)
    assert unit_partition(long, units) == {frozenset({0, 1, 3}), frozenset({2})}


def test_term_counts_follow_merges_including_labels_no_article_has() -> None:
    vectors = sparse.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1], [1, 0, 0, 1]], float))
    units = np.array([0, 0, 2, 2, 3])  # no article has label 1
    counts = _TermCounts(vectors, units, 4)
    size = np.bincount(units, minlength=4)
    counts.merge(1, 2)  # into an empty unit
    size[1], size[2] = size[2], 0
    assert counts.row(1, size[1]).toarray().tolist() == [[0, 0, 1, 2]]
    counts.merge(0, 1)
    size[0], size[1] = size[0] + size[1], 0
    counts.merge(0, 2)  # an empty unit adds nothing
    assert counts.row(0, size[0]).toarray().tolist() == [[2, 1, 2, 2]]
    counts.merge(3, 0)
    assert counts.row(3, size[0] + 1).toarray().tolist() == [[3, 1, 2, 3]]


# ----------------------------------------------------------------------------------------- cluster_points


def params(**changes) -> ClusterParams:
    from dataclasses import replace

    return replace(StoryConfig().cluster_params(), **changes)


def test_cluster_points_two_blobs_and_an_outlier() -> None:
    rng = np.random.default_rng(1)
    a = [[1, 0, 0] + rng.normal(0, 0.02, 3) for _ in range(5)]
    b = [[0, 1, 0] + rng.normal(0, 0.02, 3) for _ in range(5)]
    rows = [*a, *b, [0, 0, 1]]
    points = unit_rows([list(r) for r in rows])
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    dates = [start + timedelta(days=i % 4) for i in range(11)]
    # TF-IDF rows are sparse: each blob's articles hold its own term (the mixture reads which terms an
    # article has, and with every term in every row it could not tell the blobs apart).
    vectors = sparse.csr_matrix(np.where(np.abs(points) > 0.1, points, 0.0))
    labels, strength, singleton = cluster_points(points, vectors, dates, params())
    assert partition(labels) == {frozenset(range(5)), frozenset(range(5, 10)), frozenset({10})}
    assert labels.min() == 0 and sorted(set(labels.tolist())) == [0, 1, 2]
    assert singleton.tolist() == [False] * 10 + [True]
    assert ((strength >= 0) & (strength <= 1)).all() and strength[10] == 1.0


def test_cluster_points_time_gap_splits_one_blob() -> None:
    points = unit_rows([[1, 0.01 * i] for i in range(6)])
    early = datetime(2019, 3, 1, tzinfo=timezone.utc)
    late = datetime(2023, 3, 1, tzinfo=timezone.utc)
    dates = [early, early, early + timedelta(days=2), late, late + timedelta(days=1), late + timedelta(days=3)]
    labels, _, singleton = cluster_points(points, sparse.csr_matrix(points), dates, params())
    assert partition(labels) == {frozenset({0, 1, 2}), frozenset({3, 4, 5})}
    labels, _, _ = cluster_points(points, sparse.csr_matrix(points), dates, params(max_gap_days=None))
    assert partition(labels) == {frozenset(range(6))}
    assert not singleton.any()


@pytest.mark.parametrize("n", [0, 1, 2])
def test_cluster_points_tiny_inputs_have_no_noise_label(n: int) -> None:
    points = unit_rows([[1, 0.1 * i] for i in range(n)]) if n else np.zeros((0, 2))
    labels, strength, singleton = cluster_points(points, sparse.csr_matrix(points), [None] * n, params())
    assert len(labels) == len(strength) == len(singleton) == n
    assert (labels >= 0).all()
    if n == 2:  # two near-identical points: one story of two (below HDBSCAN's size, joined by merging)
        assert labels.tolist() == [0, 0] and not singleton.any()
    if n == 1:
        assert labels.tolist() == [0] and singleton.tolist() == [True] and strength.tolist() == [1.0]


# ------------------------------------------------------------------------------------------ properties


def max_internal_gap(stamps: np.ndarray) -> float:
    dated = np.sort(stamps[~np.isnan(stamps)])
    return float(np.diff(dated).max()) if len(dated) > 1 else 0.0


@st.composite
def corpora(draw, noise: bool = True):
    n = draw(st.integers(1, 12))
    low = -1 if noise else 0
    labels = np.array(draw(st.lists(st.integers(low, 3), min_size=n, max_size=n)), dtype=np.int64)
    if not noise:
        labels = relabel(labels)
    drawn = draw(st.lists(st.one_of(st.none(), st.integers(0, 1000)), min_size=n, max_size=n))
    stamps = np.array([np.nan if s is None else s * DAY for s in drawn], dtype=np.float64)
    rows = draw(st.lists(st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=n, max_size=n))
    rows = [r if any(r) else [1, 0, 0, 0] for r in rows]  # no all-zero rows
    return labels, stamps, np.array(rows, dtype=np.float64)


@given(corpora(noise=False), st.sampled_from([1.0, 30.0, 180.0]))
def test_split_only_refines_and_leaves_no_long_gap(corpus, limit: float) -> None:
    labels, stamps, rows = corpus
    out = split_by_time(labels, stamps, unit_rows(rows.tolist()), limit)
    for part in partition(out):
        members = np.array(sorted(part))
        assert len(set(labels[members].tolist())) == 1  # a part lies inside one input cluster
        assert max_internal_gap(stamps[members]) <= limit * DAY
    if all(max_internal_gap(stamps[labels == c]) <= limit * DAY for c in set(labels.tolist())):
        assert out.tolist() == labels.tolist()


@given(corpora(), st.sampled_from([0.3, 0.6, 0.9]), st.sampled_from([None, 30.0, 180.0]), st.booleans())
def test_merge_only_coarsens_and_respects_the_gap(corpus, similarity: float, limit: float | None, short: bool) -> None:
    labels, stamps, rows = corpus
    vectors = csr(rows.tolist())
    # ``short``: every article counts as a short text, so the evidence check and its second round run.
    options = {"full_length": 50.0, "evidence": True} if short else {}
    out = merge_units(vectors, labels, stamps, similarity, 3, limit, **options)
    assert len(out) == len(labels) and (out >= 0).all()
    for c in set(labels[labels >= 0].tolist()):  # an input cluster is never split
        assert len(set(out[labels == c].tolist())) == 1
    assert out.tolist() == merge_units(vectors, labels, stamps, similarity, 3, limit, **options).tolist()
    if limit is not None and (labels < 0).all():  # from single articles, no story spans a longer gap
        for part in partition(out):
            assert max_internal_gap(stamps[sorted(part)]) <= limit * DAY
    if (labels < 0).all():
        # Merging needs a positive centroid cosine, so every member of a merged story shares a term with another.
        for part in partition(out):
            if len(part) > 1:
                members = sorted(part)
                sims = (vectors[members] @ vectors[members].T).toarray() - 2 * np.eye(len(members))
                assert sims.max(axis=1).min() > 0  # no member is orthogonal to all the others


# --- HDBSCAN on the sparse neighbour graph, against the hdbscan package itself ---------------------------


def _reference_hdbscan(graph: sparse.csr_matrix, params: ClusterParams) -> tuple[np.ndarray, np.ndarray]:
    """hdbscan.HDBSCAN(metric="precomputed") per connected component: the oracle."""
    import warnings

    import hdbscan
    from scipy.sparse.csgraph import connected_components

    n = graph.shape[0]
    labels, strength = np.full(n, -1, np.int64), np.zeros(n)
    _, component = connected_components(graph, directed=False)
    next_label = 0
    for c in np.unique(component):
        members = np.flatnonzero(component == c)
        if len(members) < max(3, params.min_cluster_size):
            continue
        model = hdbscan.HDBSCAN(
            min_cluster_size=params.min_cluster_size,
            min_samples=max(1, min(params.min_samples, len(members) - 1)),
            metric="precomputed",
            cluster_selection_method=params.selection_method,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = model.fit_predict(graph[members][:, members])
        inside = found >= 0
        labels[members[inside]] = found[inside] + next_label
        strength[members] = model.probabilities_
        next_label += int(found.max()) + 1 if inside.any() else 0
    return labels, strength


@pytest.mark.parametrize("method", ["leaf", "eom"])
@pytest.mark.parametrize("min_samples", [1, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hdbscan_on_the_graph_matches_the_hdbscan_package(method: str, min_samples: int, seed: int) -> None:
    from storyclust.clustering import _hdbscan, knn_graph

    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, 20))
    points = centres[rng.integers(0, 12, 400)] + 0.35 * rng.normal(size=(400, 20))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    stamps = rng.uniform(0, 400 * DAY, 400)  # a 180-day gate splits the graph into several components
    graph = knn_graph(points, 6, stamps, 180.0)
    params = ClusterParams(2, min_samples, method, 0.0, 0.3, 10, 180.0)
    ours, ours_strength = _hdbscan(graph, params)
    theirs, their_strength = _reference_hdbscan(graph, params)
    assert (ours >= 0).sum() > 50  # clusters were found at all
    assert partition(ours) == partition(theirs)
    assert np.allclose(ours_strength, their_strength)


@pytest.mark.parametrize("seed", [0, 1])
def test_single_linkage_equals_the_hdbscan_packages_label(seed: int) -> None:
    from hdbscan._hdbscan_linkage import label
    from scipy.sparse.csgraph import minimum_spanning_tree

    from storyclust.clustering import _single_linkage

    rng = np.random.default_rng(seed)
    points = rng.normal(size=(300, 5))
    dense = np.linalg.norm(points[:, None] - points[None], axis=2)
    tree = minimum_spanning_tree(sparse.csr_matrix(dense))
    a, b = tree.nonzero()
    edges = np.column_stack([a, b, np.asarray(tree[a, b]).ravel()]).astype(np.float64)
    edges = edges[np.argsort(edges[:, 2])]
    assert np.array_equal(_single_linkage(edges), label(edges))


# ------------------------------------------------------------------------------------------ decay_by_time


def test_decay_by_time_discounts_similarity_by_days_apart() -> None:
    from storyclust.clustering import decay_by_time

    # distances 1 - cos for cos 0.9 (same day), 0.8 (7 days apart), 0.5 (one article undated)
    graph = sparse.csr_matrix(
        (np.array([0.1, 0.2, 0.5, 0.1, 0.2, 0.5]), (np.array([0, 0, 0, 1, 2, 3]), np.array([1, 2, 3, 0, 0, 0]))),
        shape=(4, 4),
    )
    stamps = days(10, 10, 17, NAN)
    out = decay_by_time(graph, stamps, 7.0)
    assert out.toarray()[0].tolist() == pytest.approx([0, 0.1, 1 - 0.8 / 2, 0.5])
    assert (out.toarray() == out.toarray().T).all()
    assert (graph.toarray()[0] == [0, 0.1, 0.2, 0.5]).all()  # the input is not changed
    three = decay_by_time(graph, stamps, 3.5).toarray()[0, 2]
    assert three == pytest.approx(1 - 0.8 / 3)
    assert decay_by_time(graph, stamps, None) is graph
    # indices stored out of order give the same distances, and the input still reads the same afterwards
    before = graph.toarray()
    unsorted = sparse.csr_matrix(
        (np.array([0.5, 0.2, 0.1, 0.1, 0.2, 0.5]), np.array([3, 2, 1, 0, 0, 0]), np.array([0, 3, 4, 5, 6])),
        shape=(4, 4),
    )
    assert not unsorted.has_sorted_indices
    assert np.allclose(decay_by_time(unsorted, stamps, 7.0).toarray(), out.toarray())
    assert np.allclose(unsorted.toarray(), before)
    # a discounted identical pair keeps a positive distance (a stored zero would mean "no edge")
    same = sparse.csr_matrix((np.array([1e-9, 1e-9]), (np.array([0, 1]), np.array([1, 0]))), shape=(2, 2))
    assert (decay_by_time(same, days(0, 0), 7.0).data > 0).all()


def test_time_discount_puts_an_article_with_the_event_of_its_own_days() -> None:
    """A topic with two events a month apart: four articles early on, two late. A late article that reads
    a little more like the early coverage (a shutdown's end told in the words of its start) joins the
    late event when HDBSCAN discounts by time, and the early, denser one without the discount."""
    rng = np.random.default_rng(4)
    early = [[1, 0.35, 0.0] + rng.normal(0, 0.01, 3) for _ in range(4)]
    late = [[1, 0.0, 0.45] + rng.normal(0, 0.01, 3) for _ in range(2)]
    points = unit_rows([list(r) for r in [*early, *late, [1, 0.2, 0.2]]])
    start = datetime(2019, 1, 2, tzinfo=timezone.utc)
    dates = [start + timedelta(days=d) for d in (0, 0, 1, 2, 23, 23, 23)]
    no_merging = {"merge_similarity": 1.01, "pair_similarity": 1.01}
    labels, _, _ = cluster_points(points, sparse.csr_matrix(points), dates, params(**no_merging))
    assert partition(labels) == {frozenset({0, 1, 2, 3}), frozenset({4, 5, 6})}
    labels, _, _ = cluster_points(points, sparse.csr_matrix(points), dates, params(time_scale_days=None, **no_merging))
    assert labels[6] == labels[0] != labels[4]


@given(st.lists(st.integers(0, 5), min_size=1, max_size=40), st.integers(0, 2**31 - 1))
def test_centroid_cosines_match_the_dense_definition(labels: list[int], seed: int) -> None:
    """Every point's cosine to its label's centroid, against the plain n x d computation; a label of one
    point gives 1, and the central member is the one with the largest cosine (first index on ties)."""
    rng = np.random.default_rng(seed)
    labels_ = relabel(np.array(labels))
    k = int(labels_.max()) + 1
    points = rng.normal(size=(len(labels_), 6)).astype(np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    sums = np.zeros((k, 6))
    for i, label in enumerate(labels_):
        sums[label] += points[i]
    expected = np.array([points[i] @ sums[c] / np.linalg.norm(sums[c]) for i, c in enumerate(labels_)])
    got = centroid_cosines(points, labels_, k)
    assert np.allclose(got, expected, atol=1e-5)
    assert np.all(got[np.bincount(labels_)[labels_] == 1] == 1.0)
    central = central_members(points, labels_, k)
    for c in range(k):
        members = np.flatnonzero(labels_ == c)
        assert labels_[central[c]] == c
        near = members[np.round(got[members], 6) == np.round(got[members], 6).max()]
        assert central[c] == near.min()  # the first of the closest, float32 rounding aside


def _random_rows(rng: np.random.Generator, n: int, columns: int, dtype=np.float32) -> sparse.csr_matrix:
    dense = rng.random((n, columns)) * (rng.random((n, columns)) < 0.3)
    return sparse.csr_matrix(dense.astype(dtype))


@given(st.integers(1, 12), st.integers(1, 12), st.integers(0, 2**31 - 1))
def test_row_dots_across_two_matrices_match_the_dense_products(rows_a: int, rows_b: int, seed: int) -> None:
    from storyclust.clustering import _row_dots

    rng = np.random.default_rng(seed)
    m, other = _random_rows(rng, rows_a, 9), _random_rows(rng, rows_b, 9, np.float64)
    a, b = rng.integers(0, rows_a, 30), rng.integers(0, rows_b, 30)
    expected = np.einsum("ij,ij->i", m.toarray()[a].astype(np.float64), other.toarray()[b])
    assert np.allclose(_row_dots(m, a, b, other), expected)
    assert np.allclose(_row_dots(m, a, a), np.einsum("ij,ij->i", m.toarray()[a], m.toarray()[a]), atol=1e-6)


@given(st.lists(st.integers(0, 4), min_size=1, max_size=25), st.integers(0, 2**31 - 1))
def test_unit_sums_keep_exact_sums_through_merges(units: list[int], seed: int) -> None:
    """Units of one article read their article's row, larger ones their own row; dot products and norms
    (dropped terms included) equal those of the plain dense sums, before and after merges."""
    from storyclust.clustering import _UnitSums

    rng = np.random.default_rng(seed)
    labels = relabel(np.array(units))
    k, n = int(labels.max()) + 1, len(labels)
    vectors, residual = _random_rows(rng, n, 7), rng.random(n) * 0.1
    dense = np.zeros((k, 7))
    np.add.at(dense, labels, vectors.toarray().astype(np.float64))
    hidden = np.bincount(labels, weights=residual, minlength=k)
    sums = _UnitSums(vectors, labels, k, residual)

    def check(alive: np.ndarray) -> None:
        x, y = np.meshgrid(alive, alive)
        x, y = x.ravel(), y.ravel()
        assert np.allclose(sums.dots(x, y), np.einsum("ij,ij->i", dense[x], dense[y]), atol=1e-6)
        assert np.allclose(sums.norm[alive], np.sqrt((dense[alive] ** 2).sum(axis=1) + hidden[alive]), atol=1e-6)

    alive = np.arange(k)
    check(alive)
    while len(alive) >= 2:  # rounds of merges, grown units merging again
        half = len(alive) // 2
        take, gone = alive[:half], alive[half : 2 * half]
        sums.merge(take, gone)
        dense[take] += dense[gone]
        hidden[take] += hidden[gone]
        alive = np.setdiff1d(alive, gone)
        check(alive)


@given(st.lists(st.integers(0, 3), min_size=1, max_size=20), st.integers(0, 2**31 - 1))
def test_leave_one_out_cosine_matches_its_definition(units: list[int], seed: int) -> None:
    from storyclust.clustering import leave_one_out_cosine

    rng = np.random.default_rng(seed)
    labels = relabel(np.array(units))
    n = len(labels)
    vectors, residual = _random_rows(rng, n, 6), rng.random(n) * 0.2
    rows = vectors.toarray().astype(np.float64)
    expected = np.zeros(n)
    for i in range(n):
        others = np.flatnonzero((labels == labels[i]) & (np.arange(n) != i))
        if len(others) == 0:
            continue
        rest = rows[others].sum(axis=0)
        # Dropped terms are each article's own, so they add to the norms and never to the dot product.
        denom = np.sqrt((rest @ rest + residual[others].sum()) * (rows[i] @ rows[i] + residual[i]))
        expected[i] = rows[i] @ rest / denom if denom > 1e-12 else 0.0
    assert np.allclose(leave_one_out_cosine(vectors, labels, residual), expected, atol=1e-6)
