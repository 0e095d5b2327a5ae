"""Pairing of left-over articles: a single-article unit joins its nearest unit when each is the other's nearest.

In a dense corpus most articles have a closer rival; in a sparse one (five articles over three years) this
is what lets two lone articles on the same story, months from anything else, become one story.
"""

from __future__ import annotations

import numba
import numpy as np
from scipy import sparse

from ..settings import StoryConfig
from .provenance import Trace, first_rows
from .sums import UnitSums, linked_units, relabel
from .timeline import date_ranges, ranges_within, seconds

__all__ = ["pair_leftovers"]


def pair_leftovers(
    vectors: sparse.csr_matrix,
    labels: np.ndarray,
    stamps: np.ndarray,
    config: StoryConfig,
    *,
    graph: sparse.csr_matrix | None,
    residual: np.ndarray | None,
    trace: Trace | None = None,
) -> np.ndarray:
    """Let each single-article unit join its nearest unit within ``config.max_gap_days`` when each is the
    other's nearest and their exact centroid cosine reaches ``config.pair_similarity``; repeat until nothing
    changes.

    In a dense corpus most articles have a closer rival; in a sparse one (five articles over three years)
    this is what lets two lone articles on the same story, months from anything else, become one story.
    Candidates are the units ``graph`` connects (all pairs without a graph); every round is vectorised.
    With a ``trace`` (:class:`storyclust.stories.provenance.Trace`), every pairing is recorded in it.
    """
    n = vectors.shape[0]
    labels = relabel(labels)
    if graph is not None:
        edges = graph.tocoo()
        left, right = edges.row, edges.col
    else:
        left, right = np.triu_indices(n, k=1)
    gap = seconds(config.max_gap_days)
    k = int(labels.max()) + 1
    size = np.bincount(labels, minlength=k)
    first, last = date_ranges(labels, stamps, k)
    sums = UnitSums(vectors, labels, k, residual)
    a, b = linked_units(left, right, labels, k)

    def cosines(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        denominator = sums.norm[x] * sums.norm[y]
        return np.divide(sums.dots(x, y), denominator, out=np.zeros(len(x)), where=denominator > 0)

    score = cosines(a, b)
    alive = np.ones(k, bool)
    units = np.arange(k)
    first_row = first_rows(labels, k) if trace is not None else None
    while len(a):
        ok = ranges_within(first[a], last[a], first[b], last[b], gap)
        if not ok.any():
            break
        best, best_score = _best_partners(a[ok], b[ok], score[ok], k)
        partner = np.maximum(best, 0)
        mutual = alive & (best >= 0) & (best[partner] == units) & (best_score >= config.pair_similarity)
        take = np.flatnonzero(mutual & ((size == 1) | (size[partner] == 1)) & (units < best))
        if len(take) == 0:
            break
        gone = best[take]  # the larger id joins the smaller one
        if trace is not None:
            trace.pairs(first_row[take], first_row[gone], size[take], size[gone], best_score[take],
                        config.pair_similarity, first[take], last[take], first[gone], last[gone])
            first_row[take] = np.minimum(first_row[take], first_row[gone])
        target = units.copy()
        target[gone] = take
        labels = target[labels]
        alive[gone] = False
        size[take] += size[gone]
        first[take], last[take] = np.minimum(first[take], first[gone]), np.maximum(last[take], last[gone])
        sums.merge(take, gone)
        changed = np.zeros(k, bool)
        changed[take] = True
        # Re-point pairs at the survivors; only pairs touching a grown unit need a new score.
        a, b = target[a], target[b]
        keep = a != b
        a, b, score = np.minimum(a, b)[keep], np.maximum(a, b)[keep], score[keep]
        codes, index = np.unique(a * k + b, return_index=True)
        a, b, score = codes // k, codes % k, score[index]
        stale = changed[a] | changed[b]
        score[stale] = cosines(a[stale], b[stale])
    return relabel(labels)


@numba.njit(cache=True)
def _best_partners(a, b, score, k):
    """Each unit's most similar partner over the pairs ``(a, b)`` (both directions), ties to the lower id;
    -1 and -inf for a unit in no pair."""
    best = np.full(k, -1, np.int64)
    best_score = np.full(k, -np.inf)
    for q in range(len(a)):
        for x, y in ((a[q], b[q]), (b[q], a[q])):
            s = score[q]
            if s > best_score[x] or (s == best_score[x] and y < best[x]):
                best[x] = y
                best_score[x] = s
    return best, best_score
