"""The identity rejoin on built cases with known answers, and against a brute-force reading of its rule."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from storyclust.stories.identity import IdentityBlock
from storyclust.stories.rejoin import rejoin_by_identity

from story_helpers import NAN, days, partition


def _block(rows: list[list[float]], features: list[int] | None = None) -> IdentityBlock:
    m = np.array(rows, float)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    m = np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)
    count = (m > 0).sum(axis=1) if features is None else np.array(features)
    return IdentityBlock(sparse.csr_matrix(m), np.zeros(len(rows)), count,
                         np.array([f"n:{j}" for j in range(m.shape[1])], dtype=object))


def _rejoin(labels, rows, stamps=None, features=None, threshold=0.3, min_features=1, max_gap_days=180.0):
    labels = np.asarray(labels, np.int64)
    stamps = days(*[0] * len(labels)) if stamps is None else stamps
    return rejoin_by_identity(labels, _block(rows, features), stamps, threshold=threshold,
                              min_features=min_features, max_gap_days=max_gap_days)


def test_a_lone_article_joins_the_story_it_alone_shares_a_name_with() -> None:
    # Story 0 (articles 0, 1) holds names 0 and 1; article 2 holds name 1 and name 2; story 3 (3, 4) name 3.
    rows = [[1, 1, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1]]
    assert partition(_rejoin([0, 0, 1, 2, 2], rows)) == {frozenset({0, 1, 2}), frozenset({3, 4})}


def test_a_name_three_stories_hold_is_not_distinctive() -> None:
    rows = [[1, 1, 0], [1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 1, 1]]  # name 1 in every story
    assert partition(_rejoin([0, 0, 1, 2, 2], rows)) == {frozenset({0, 1}), frozenset({2}), frozenset({3, 4})}


def test_two_stories_of_several_articles_never_join() -> None:
    rows = [[1, 0], [1, 0], [1, 1], [1, 1]]
    assert partition(_rejoin([0, 0, 1, 1], rows)) == {frozenset({0, 1}), frozenset({2, 3})}


def test_the_threshold_the_gap_and_the_features_decide() -> None:
    rows = [[1, 1, 0], [1, 1, 0], [0, 1, 3]]  # the lone article's cosine to story 0: 1 / sqrt(2 * 10) = 0.22
    labels = [0, 0, 1]
    assert len(set(_rejoin(labels, rows, threshold=0.2).tolist())) == 1
    assert len(set(_rejoin(labels, rows, threshold=0.3).tolist())) == 2
    far = days(0, 1, 400)
    assert len(set(_rejoin(labels, rows, far, threshold=0.2).tolist())) == 2
    assert len(set(_rejoin(labels, rows, far, threshold=0.2, max_gap_days=None).tolist())) == 1
    undated = np.array([NAN, NAN, NAN])
    assert len(set(_rejoin(labels, rows, undated, threshold=0.2).tolist())) == 1
    assert len(set(_rejoin(labels, rows, threshold=0.2, features=[3, 3, 2], min_features=3).tolist())) == 2


def test_a_lone_article_joins_its_closest_candidate_only() -> None:
    # Article 4 shares name 1 with story 0 and name 3 with story 1; it is closer to story 1.
    rows = [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1], [0, 1, 0, 3]]
    assert partition(_rejoin([0, 0, 1, 1, 2], rows, threshold=0.1)) == {frozenset({0, 1}), frozenset({2, 3, 4})}


def _brute(labels: np.ndarray, m: np.ndarray, stamps: np.ndarray, threshold: float, gap: float) -> set:
    k = labels.max() + 1
    sums = np.array([m[labels == s].sum(axis=0) for s in range(k)])
    held = sums > 0
    exclusive = held.sum(axis=0) == 2
    size = np.bincount(labels, minlength=k)
    parent = list(range(k))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for s in range(k):
        if size[s] != 1:
            continue
        best, best_cos = None, -1.0
        for t in range(k):
            if t == s or not (held[s] & held[t] & exclusive).any():
                continue
            cos = sums[s] @ sums[t] / (np.linalg.norm(sums[s]) * np.linalg.norm(sums[t]))
            ts, tt = stamps[labels == s], stamps[labels == t]
            apart = max(ts.min(), tt.min()) - min(ts.max(), tt.max())
            if cos >= threshold and apart <= gap * 86400 and cos > best_cos:
                best, best_cos = t, cos
        if best is not None:
            parent[find(s)] = find(best)
    return partition([find(s) for s in labels])


@pytest.mark.parametrize("seed", range(20))
def test_the_rejoin_agrees_with_a_brute_force_reading_of_its_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 14
    labels = np.sort(rng.integers(0, 8, n))
    _, labels = np.unique(labels, return_inverse=True)
    m = (rng.random((n, 10)) < 0.25) * rng.integers(1, 4, (n, 10))
    m[m.sum(axis=1) == 0, 0] = 1
    stamps = days(*rng.integers(0, 400, n).tolist())
    got = _rejoin(labels, m.tolist(), stamps, threshold=0.2, max_gap_days=100.0)
    unit = m / np.linalg.norm(m, axis=1, keepdims=True)
    assert partition(got) == _brute(labels, unit, stamps, 0.2, 100.0)
