"""The time-gated k-nearest-neighbor graph of article vectors (cosine) that HDBSCAN reads, and its decay.

The story stage links each article to its ``k`` most similar articles dated close enough to it (undated
articles are close to every date), and HDBSCAN reads that graph as a sparse distance matrix, its
distances first discounted by the time between the two articles (:func:`decay_by_time`).

Exact (``n <= exact_limit``)
    Points are visited in date order, in blocks of rows. A block's candidate columns are the points dated
    within ``max_gap_days`` of the block's dates, plus every undated point (all points for a block holding an
    undated row). One float32 matrix product gives the block's similarities, and a numba kernel keeps each
    row's ``k`` best compatible columns: self and points dated too far apart are skipped, the rest rank by
    similarity, ties by the lower index. Every compatible pair is scored, so the graph is the exact one.

Approximate (``n > exact_limit``)
    An inverted-file search (:mod:`storyclust.stories.ivf`).

Both paths store cosine distances ``max(1 - similarity, 1e-9)`` (a stored zero would mean "no edge") and
return the symmetric graph ``maximum(G, G.T)``. Memory stays bounded: the exact path's blocks of similarities
are capped at 64 MB; the approximate path holds one float32 copy of the points, ``n * k`` list entries per
thread and probe indices for at most 8M (point, cell) pairs at a time: about 1.2 GB beyond the input at 1M
points of 100 dimensions, 0.4 GB more at 200 (the points' reordered copy). The products' cost grows with the
dimension too.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy import sparse

from .ivf import BLOCK_FLOATS, ivf_neighbors
from .timeline import seconds, within
from .topk import push

__all__ = ["knn_graph", "neighbor_lists", "decay_by_time"]


@numba.njit(cache=True, parallel=True)
def _merge_rows(sims, row_ids, col_ids, row_stamps, col_stamps, gap, out_ids, out_sims):
    """Offer each row ``r`` of ``sims`` (columns: points ``col_ids``) to the list of point ``row_ids[r]``
    (distinct) in ``out_*``. The point itself and columns dated more than ``gap`` from it are skipped (NaN
    stamps compare False: compatible)."""
    m, c = sims.shape
    k = out_ids.shape[1]
    for r in numba.prange(m):
        me = row_ids[r]
        when = row_stamps[r]
        floor = out_sims[me, k - 1]  # -inf while the list is not full
        hit = False
        for j in range(c):  # vectorised: does any column reach the floor?
            hit |= sims[r, j] >= floor
        if not hit:
            continue
        for j in range(c):
            s = sims[r, j]
            if not s >= floor:  # also skips NaN
                continue
            cid = col_ids[j]
            if cid == me or not within(when, when, col_stamps[j], col_stamps[j], gap):
                continue
            push(out_ids, out_sims, me, s, cid)
            floor = out_sims[me, k - 1]


def knn_graph(
    points: np.ndarray,
    stamps: np.ndarray,
    *,
    k: int,
    max_gap_days: float | None,
    exact_limit: int,
    random_state: int,
) -> sparse.csr_matrix:
    """Symmetric graph of each point's ``k`` nearest neighbors, weighted by cosine distance (at least 1e-9,
    since a stored zero would mean "no edge"). Points dated (``stamps``, POSIX seconds) more than
    ``max_gap_days`` apart are never neighbors; undated points (NaN) can neighbor anything.

    Exact up to ``exact_limit`` points, an IVF search seeded by ``random_state`` beyond (see the module
    docstring)."""
    n = len(points)
    k = min(k, n - 1)
    if k < 1:
        return sparse.csr_matrix((n, n))
    ids, sims = neighbor_lists(points, stamps, k=k, max_gap_days=max_gap_days, exact_limit=exact_limit,
                               random_state=random_state)
    return _symmetric_graph(ids, sims)


def neighbor_lists(
    points: np.ndarray,
    stamps: np.ndarray,
    *,
    k: int,
    max_gap_days: float | None,
    exact_limit: int,
    random_state: int,
    cells: int | None = None,
    probes: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each point's ``k`` (``1 <= k < n``) neighbors, best first: ``(ids, similarities)``, both ``n x k``,
    id -1 where fewer than ``k`` compatible points exist. ``cells`` and ``probes`` override the IVF search's
    (see :func:`storyclust.stories.ivf.ivf_neighbors`)."""
    stamps = np.ascontiguousarray(stamps, dtype=np.float64)
    gap = seconds(max_gap_days)
    if len(points) <= exact_limit:
        return _exact(np.ascontiguousarray(points, dtype=np.float32), k, stamps, gap)
    return ivf_neighbors(points, k, stamps, gap, random_state, cells, probes)


def _symmetric_graph(ids: np.ndarray, sims: np.ndarray) -> sparse.csr_matrix:
    n, k = ids.shape
    ok = ids.ravel() >= 0
    rows = np.repeat(np.arange(n), k)[ok]
    dists = np.maximum(1.0 - sims.ravel()[ok].astype(np.float64), 1e-9)
    graph = sparse.csr_matrix((dists, (rows, ids.ravel()[ok])), shape=(n, n))
    return graph.maximum(graph.T).tocsr()


def _exact(vectors: np.ndarray, k: int, stamps: np.ndarray, gap: float) -> tuple[np.ndarray, np.ndarray]:
    n = len(vectors)
    order = np.argsort(stamps, kind="stable")  # undated (NaN) last
    when = stamps[order]
    dated = int(np.count_nonzero(~np.isnan(when)))
    ordered = vectors[order]
    out_ids = np.full((n, k), -1, np.int64)
    out_sims = np.full((n, k), -np.inf, np.float32)
    block = max(64, min(4096, BLOCK_FLOATS // n))
    for start in range(0, n, block):
        stop = min(start + block, n)
        cols: slice | np.ndarray = slice(0, n)  # an undated row (or no gate): every point is a candidate
        if stop <= dated and not math.isinf(gap):
            lo = int(np.searchsorted(when[:dated], when[start] - gap, side="left"))
            hi = int(np.searchsorted(when[:dated], when[stop - 1] + gap, side="right"))
            cols = slice(lo, n) if hi == dated else np.r_[lo:hi, dated:n]
        sims = ordered[start:stop] @ ordered[cols].T
        _merge_rows(sims, order[start:stop], order[cols], when[start:stop], when[cols], gap, out_ids, out_sims)
    return out_ids, out_sims


def decay_by_time(graph: sparse.csr_matrix, stamps: np.ndarray, scale_days: float | None) -> sparse.csr_matrix:
    """The neighbor graph with each similarity discounted by the time between its two articles:
    distance ``1 - cos`` becomes ``1 - cos / (1 + |days apart| / scale_days)``. Undated articles, and
    ``scale_days=None``, are not discounted.

    Two articles on one topic a week apart are less alike than two a day apart, and HDBSCAN should see it:
    otherwise an article on a topic that recurs (a shutdown's start and its end, a hearing and later
    e-mails) joins whichever event's cluster happens to be densest, weeks away, instead of the one the same
    day. Only the distances HDBSCAN reads change; the graph's edges stay, so the later steps still see the
    same candidates, and ``max_gap_days`` still bounds a story.
    """
    if scale_days is None or graph.nnz == 0:
        return graph
    graph = graph.tocsr()
    graph.sort_indices()  # the result shares the index arrays: later in-place sorting must find nothing to do
    data = _decayed(graph.indptr, graph.indices, np.asarray(graph.data, np.float64), stamps, seconds(scale_days))
    # New distances on the same index arrays: at a million articles the graph has 30M edges, and per-edge
    # temporaries would cost a gigabyte.
    return sparse.csr_matrix((data, graph.indices, graph.indptr), shape=graph.shape)


@numba.njit(cache=True)
def _decayed(indptr, indices, data, stamps, scale):
    out = np.empty(len(data))
    for row in range(len(indptr) - 1):
        for e in range(indptr[row], indptr[row + 1]):
            apart = abs(stamps[row] - stamps[indices[e]])
            factor = 1.0 if np.isnan(apart) else 1.0 / (1.0 + apart / scale)
            out[e] = max(1.0 - (1.0 - data[e]) * factor, 1e-9)  # a stored zero would mean "no edge"
    return out
