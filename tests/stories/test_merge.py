"""Closest-first merging and left-over pairing on tiny hand-built inputs, and their invariants.

Labels are compared as partitions (sets of member sets) wherever the function only promises a grouping.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from storyclust.settings import StoryConfig
from storyclust.stories.merge import TermCounts, _closest_first, merge_units

from story_helpers import DAY, NAN, corpora, csr, days, max_internal_gap, partition


def settings(
    similarity: float, neighbors: int, max_gap_days: float | None, *, pair_similarity: float = 1.01,
    full_length: float = 0, evidence: bool = False
) -> StoryConfig:
    """The settings a merge test varies; the rest as these tests assume them: no left-over pairing (a
    ``pair_similarity`` above 1), no short texts (``short_text_terms`` 0) and no evidence check, unless asked."""
    return StoryConfig(
        merge_similarity=similarity, merge_neighbors=neighbors, max_gap_days=max_gap_days,
        pair_similarity=pair_similarity, short_text_terms=full_length, short_text_evidence=evidence,
    )


def merge(vectors: sparse.csr_matrix, labels: np.ndarray, stamps: np.ndarray, config: StoryConfig,
          residual: np.ndarray | None = None) -> np.ndarray:
    """:func:`merge_units` without a neighbor graph (each unit's nearest units are its candidates)."""
    return merge_units(vectors, labels, stamps, config, graph=None, residual=residual)


# A: x axis, B: 0.8 cosine to A, C: 0.78 cosine to B but only 0.25 to A; D: far from everything.
CHAIN = [[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.25, 0.968246, 0.0], [0.0, 0.0, 1.0]]


def test_merge_joins_units_at_or_above_the_threshold() -> None:
    vectors = csr([[1, 0.1, 0], [1, 0, 0.1], [0, 0, 1]])
    out = merge(vectors, np.array([-1, -1, -1]), days(0, 1, 2), settings(0.9, 10, 180.0))
    assert partition(out) == {frozenset({0, 1}), frozenset({2})}


def test_merge_refuses_below_the_threshold() -> None:
    vectors = csr([[1, 0.1, 0], [1, 0, 0.1], [0, 0, 1]])
    cos = float((vectors[0] @ vectors[1].T).toarray()[0, 0])
    out = merge(vectors, np.array([-1, -1, -1]), days(0, 1, 2), settings(cos + 0.001, 10, 180.0))
    assert partition(out) == {frozenset({0}), frozenset({1}), frozenset({2})}
    out = merge(vectors, np.array([-1, -1, -1]), days(0, 1, 2), settings(cos - 0.001, 10, 180.0))
    assert partition(out) == {frozenset({0, 1}), frozenset({2})}


def test_merge_uses_centroid_linkage_not_single_linkage() -> None:
    # A-B merge first (0.8); the A+B centroid is only ~0.58 from C, so C stays out although B-C is 0.78.
    vectors = csr(CHAIN)
    out = merge(vectors, np.array([-1, -1, -1, -1]), days(0, 0, 0, 0), settings(0.7, 10, None))
    assert partition(out) == {frozenset({0, 1}), frozenset({2}), frozenset({3})}
    out = merge(vectors, np.array([-1, -1, -1, -1]), days(0, 0, 0, 0), settings(0.5, 10, None))
    assert partition(out) == {frozenset({0, 1, 2}), frozenset({3})}


def test_merge_refuses_across_a_date_gap() -> None:
    vectors = csr([[1, 0.05], [1, 0]])
    labels = np.array([-1, -1])
    assert partition(merge(vectors, labels, days(0, 400), settings(0.5, 10, 180.0))) == {frozenset({0}), frozenset({1})}
    assert partition(merge(vectors, labels, days(0, 400), settings(0.5, 10, None))) == {frozenset({0, 1})}
    assert partition(merge(vectors, labels, days(0, 170), settings(0.5, 10, 180.0))) == {frozenset({0, 1})}


def test_merge_gap_is_measured_between_date_ranges() -> None:
    # Cluster {0, 1} covers days 0-100; article 2 on day 250 is 150 days after its end (allowed at 180),
    # though 250 days after its start.
    vectors = csr([[1, 0], [1, 0.05], [1, 0.1]])
    out = merge(vectors, np.array([0, 0, -1]), days(0, 100, 250), settings(0.5, 10, 180.0))
    assert partition(out) == {frozenset({0, 1, 2})}
    out = merge(vectors, np.array([0, 0, -1]), days(0, 100, 290), settings(0.5, 10, 180.0))
    assert partition(out) == {frozenset({0, 1}), frozenset({2})}


def test_merge_undated_units_are_compatible_with_any_date() -> None:
    vectors = csr([[1, 0], [1, 0.05]])
    out = merge(vectors, np.array([-1, -1]), np.array([0.0, NAN]), settings(0.5, 10, 1.0))
    assert partition(out) == {frozenset({0, 1})}


def test_merge_keeps_hdbscan_clusters_together() -> None:
    # Rows 0 and 1 are orthogonal but HDBSCAN put them together: merging never splits a cluster.
    vectors = csr([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    out = merge(vectors, np.array([0, 0, -1]), days(0, 1, 2), settings(0.9, 10, 180.0))
    assert partition(out) == {frozenset({0, 1}), frozenset({2})}


def test_merge_above_one_disables_merging_but_still_gives_noise_its_own_units() -> None:
    vectors = csr([[1, 0], [1, 0], [0, 1]])
    out = merge(vectors, np.array([-1, 0, -1]), days(0, 0, 0), settings(1.01, 10, None))
    assert partition(out) == {frozenset({0}), frozenset({1}), frozenset({2})}
    assert (out >= 0).all()


def test_merge_counts_the_dropped_terms_in_every_norm() -> None:
    # The kept parts of two rows are identical, but each has three times as much squared weight in terms
    # only it uses: the exact cosine is 1 / (1 + 3) = 0.25.
    vectors = sparse.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0]]))
    labels = np.array([-1, -1])
    assert partition(merge(vectors, labels, days(0, 1), settings(0.3, 10, None))) == {frozenset({0, 1})}
    residual = np.array([3.0, 3.0])
    out = merge(vectors, labels, days(0, 1), settings(0.3, 10, None), residual=residual)
    assert partition(out) == {frozenset({0}), frozenset({1})}
    out = merge(vectors, labels, days(0, 1), settings(0.25, 10, None), residual=residual)
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
    assert partition(merge(vectors, labels, same_day, settings(0.3, 10, None))) == alone  # pairing off by default
    # B and C are each other's nearest; A's nearest is B, but B prefers C. A's cosine to the B+C centroid
    # is 0.1 / |B + C| ~ 0.065, below 0.08.
    out = merge(vectors, labels, same_day, settings(0.3, 10, None, pair_similarity=0.08))
    assert partition(out) == {frozenset({0}), frozenset({1, 2}), frozenset({3})}
    # At 0.05, A then pairs with the B+C story, whose nearest it is; D shares nothing and stays alone.
    out = merge(vectors, labels, same_day, settings(0.3, 10, None, pair_similarity=0.05))
    assert partition(out) == {frozenset({0, 1, 2}), frozenset({3})}
    assert partition(merge(vectors, labels, same_day, settings(0.3, 10, None, pair_similarity=0.25))) == alone
    # Never across a date gap: C is 400 days after B.
    out = merge(vectors, labels, days(0, 0, 400, 0), settings(0.3, 10, 180.0, pair_similarity=0.05))
    assert partition(out) == {frozenset({0, 1}), frozenset({2}), frozenset({3})}


def test_merge_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    dense = rng.random((40, 12)) ** 4  # skewed, so some rows are close and most are not
    vectors = csr(dense.tolist())
    labels = np.array([-1] * 30 + [0] * 5 + [1] * 5)
    stamps = rng.integers(0, 400, 40).astype(np.float64) * DAY
    first = merge(vectors, labels, stamps, settings(0.6, 5, 180.0))
    for _ in range(3):
        assert merge(vectors, labels, stamps, settings(0.6, 5, 180.0)).tolist() == first.tolist()
    assert 1 < len(set(first.tolist())) < 40  # it merged something and not everything


def test_merge_empty_and_single_inputs() -> None:
    empty = sparse.csr_matrix((0, 3))
    assert merge(empty, np.zeros(0, np.int64), np.zeros(0), settings(0.4, 10, 180.0)).tolist() == []
    one = csr([[1, 0, 0]])
    assert merge(one, np.array([-1]), days(0), settings(0.4, 10, 180.0)).tolist() == [0]


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
    plain = merge(vectors, units, undated, settings(0.3, 1, None, full_length=50))
    assert unit_partition(plain, units) == {frozenset({0, 1, 3}), frozenset({2})}
    # The terms say two stories: T stays apart, and the second round links Q to P + R again.
    checked = merge(vectors, units, undated, settings(0.3, 1, None, full_length=50, evidence=True))
    assert unit_partition(checked, units) == {frozenset({0, 1, 2}), frozenset({3})}
    config = settings(0.3, 1, None, full_length=50, evidence=True)
    one_round = _closest_first(vectors, units, 4, undated, config, None, None, short_only=False)
    assert unit_partition(one_round, units) == {frozenset({0, 1}), frozenset({2}), frozenset({3})}
    # Long texts (here: 3 terms against a full length of 2) are merged on cosines alone.
    long = merge(vectors, units, undated, settings(0.3, 1, None, full_length=2, evidence=True))
    by_cosine = merge(vectors, units, undated, settings(0.3, 1, None, full_length=2))
    assert unit_partition(long, units) == unit_partition(by_cosine, units)
    assert unit_partition(long, units) == {frozenset({0, 1, 3}), frozenset({2})}


def test_term_counts_follow_merges_including_labels_no_article_has() -> None:
    vectors = sparse.csr_matrix(np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1], [1, 0, 0, 1]], float))
    units = np.array([0, 0, 2, 2, 3])  # no article has label 1
    counts = TermCounts(vectors, units, 4)
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


@given(corpora(), st.sampled_from([0.3, 0.6, 0.9]), st.sampled_from([None, 30.0, 180.0]), st.booleans())
def test_merge_only_coarsens_and_respects_the_gap(corpus, similarity: float, limit: float | None, short: bool) -> None:
    labels, stamps, rows = corpus
    vectors = csr(rows.tolist())
    # ``short``: every article counts as a short text, so the evidence check and its second round run.
    options = {"full_length": 50.0, "evidence": True} if short else {}
    out = merge(vectors, labels, stamps, settings(similarity, 3, limit, **options))
    assert len(out) == len(labels) and (out >= 0).all()
    for c in set(labels[labels >= 0].tolist()):  # an input cluster is never split
        assert len(set(out[labels == c].tolist())) == 1
    assert out.tolist() == merge(vectors, labels, stamps, settings(similarity, 3, limit, **options)).tolist()
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
