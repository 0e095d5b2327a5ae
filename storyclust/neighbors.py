"""k-nearest-neighbour graph of article vectors (cosine), gated by time: exact when small, IVF when large.

The story stage links each article to its ``k`` most similar articles dated close enough to it (undated
articles are close to every date), and HDBSCAN reads that graph as a sparse distance matrix.

Exact (``n <= exact_limit``)
    Points are visited in date order, in blocks of rows. A block's candidate columns are the points dated
    within ``max_gap_days`` of the block's dates, plus every undated point (all points for a block holding an
    undated row). One float32 matrix product gives the block's similarities, and a numba kernel keeps each
    row's ``k`` best compatible columns: self and points dated too far apart are skipped, the rest rank by
    similarity, ties by the lower index. Every compatible pair is scored, so the graph is the exact one.

Approximate (``n > exact_limit``): an inverted file (IVF), searched both ways
    1. ``cells`` centroids (``sqrt(n)``, at least 300) are fitted with scikit-learn's KMeans on a seeded
       sample of ``40 * cells`` points and normalised. Each point belongs to the cell of its most similar
       centroid, and *probes* its ``probes`` most similar centroids' cells (``probes`` grows slowly with
       ``cells``: 32 at 300 cells).
    2. The points are laid out cell by cell. Every point is first compared with its own cell's points; then,
       probe rank by probe rank (ranks 1-2, 3-6, 7-14, ...: nearest cells first, so that the lists fill with
       good neighbours early), each cell's points are compared with all the points probing it, in one
       matrix product per cell and rank group.
    3. Each similarity is used both ways: the probing point gets the cell's point as a candidate, and the
       cell's point gets the probing point. A pair is found when either point probes the other's cell,
       which finds most of the true neighbours (those of a point near its cell's border sit in a neighbouring
       cell) while scoring only about a seventh of all pairs.
    Each point's list keeps its ``k`` best compatible candidates (ties by the lower position, duplicates
    dropped), and the time gate is applied pair by pair, so it holds exactly. On the LSA vectors of the
    generated 100k-article dump (80k unique articles, which have few close neighbours in 100 dimensions:
    the hard case) 0.96 of the exact time-gated 15 nearest neighbours are found.

    The matrix products run inside numba's threads (numpy's ``dot`` on float32 tiles, with the BLAS held to
    one thread meanwhile): switching between numba's and the BLAS's thread pools block by block would cost
    milliseconds per switch. Similarity tiles stay in cache, and each thread keeps its own column lists,
    merged after the block, so that no two threads write the same list. The result depends only on the input
    and ``random_state``: every list is the top ``k`` of its candidates, whatever order they arrive in.

Both paths store cosine distances ``max(1 - similarity, 1e-9)`` (a stored zero would mean "no edge") and
return the symmetric graph ``maximum(G, G.T)``. Memory stays bounded: blocks of similarities are capped at
64 MB, and the approximate path holds one float32 copy of the points plus ``n * probes`` probe indices in
batches of at most 8M.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy import sparse

__all__ = ["knn_graph"]

_DAY = 86400.0
_BLOCK_FLOATS = 16_000_000  # exact path: similarities per block, 64 MB of float32
_STRIPE = 32  # columns the kernels test at once against the lists' floors
_TILE_FLOATS = 262_144  # IVF: similarities per matrix product (1 MB)
_MIN_CELLS = 300  # IVF cells: sqrt(n), at least this many
_PROBES_AT_MIN = 32  # IVF probes at _MIN_CELLS cells; grows as sqrt(cells)
_SAMPLE_PER_CELL = 40  # KMeans is fitted on this many points per cell
_KMEANS_ITER = 10
_BATCH_PROBES = 8_000_000  # IVF: (point, probed cell) pairs held at a time


@numba.njit(cache=True, inline="always")
def _push(ids, best, s, cid):
    """Offer neighbour ``cid`` at similarity ``s`` to one point's list (best first, ties by the lower id; id -1
    and similarity -inf in empty slots). A neighbour already listed keeps the larger of its similarities, so
    the list never depends on the order in which candidates arrive."""
    k = len(ids)
    if ids[k - 1] >= 0 and (s < best[k - 1] or (s == best[k - 1] and cid > ids[k - 1])):
        return
    slot = k - 1
    for q in range(k):
        if ids[q] < 0:
            slot = q
            break
        if ids[q] == cid:
            if not s > best[q]:
                return
            slot = q
            break
    while slot > 0 and (s > best[slot - 1] or (s == best[slot - 1] and cid < ids[slot - 1])):
        best[slot] = best[slot - 1]
        ids[slot] = ids[slot - 1]
        slot -= 1
    best[slot] = s
    ids[slot] = cid


@numba.njit(cache=True, inline="always")
def _offer_row(sims, me, when, col_ids, col_stamps, gap, ids, best):
    """Offer one row of similarities to point ``me``'s list (``ids``, ``best``). Columns that are the point
    itself, or dated more than ``gap`` from ``when``, are skipped (NaN stamps compare False: compatible)."""
    c = len(sims)
    k = len(ids)
    for start in range(0, c, _STRIPE):
        stop = min(start + _STRIPE, c)
        floor = best[k - 1]  # -inf while the list is not full
        hit = False
        for j in range(start, stop):  # vectorised: is any column good enough?
            hit |= sims[j] >= floor
        if not hit:
            continue
        for j in range(start, stop):
            s = sims[j]
            if not s >= best[k - 1]:  # also skips NaN
                continue
            cid = col_ids[j]
            if cid == me or abs(when - col_stamps[j]) > gap:
                continue
            _push(ids, best, s, cid)


@numba.njit(cache=True, parallel=True)
def _merge_rows(sims, row_ids, col_ids, row_stamps, col_stamps, gap, out_ids, out_sims):
    """Offer each row ``r`` of ``sims`` to the list of point ``row_ids[r]`` (``out_*[row_ids[r]]``, distinct)."""
    for r in numba.prange(sims.shape[0]):
        me = row_ids[r]
        _offer_row(sims[r], me, row_stamps[r], col_ids, col_stamps, gap, out_ids[me], out_sims[me])


@numba.njit(cache=True, nogil=True)
def _offer_tile(sims, rows, lo, when, gap, both, floor, out_pos, out_sims, local_pos, local_sims):
    """Offer a tile of similarities (rows: positions ``rows``, owned by the calling thread; columns: positions
    ``lo, lo + 1, ...``) to the row points' lists ``out_*`` and, if ``both``, to the column points' lists of
    the calling thread, ``local_*``. ``floor`` holds lower bounds of the column points' final floors."""
    m, c = sims.shape
    k = out_pos.shape[1]
    cols = np.arange(lo, lo + c)
    col_when = when[lo : lo + c]
    for r in range(m):
        me = rows[r]
        _offer_row(sims[r], me, when[me], cols, col_when, gap, out_pos[me], out_sims[me])
    if not both:
        return
    bar = np.empty(_STRIPE, np.float32)
    for start in range(0, c, _STRIPE):
        width = min(_STRIPE, c - start)
        for j in range(width):
            bar[j] = max(floor[lo + start + j], local_sims[lo + start + j, k - 1])
        for r in range(m):
            hit = False
            for j in range(width):
                hit |= sims[r, start + j] >= bar[j]
            if not hit:
                continue
            rid = rows[r]
            for j in range(width):
                s = sims[r, start + j]
                if not s >= bar[j]:
                    continue
                col = lo + start + j
                if rid == col or abs(when[col] - when[rid]) > gap:
                    continue
                _push(local_pos[col], local_sims[col], s, rid)
                bar[j] = max(bar[j], local_sims[col, k - 1])


@numba.njit(cache=True, parallel=True)
def _merge_lists(local_pos, local_sims, out_pos, out_sims):
    """Merge every thread's lists (``local_*[thread]``) into the points' lists, and empty them."""
    threads, n, k = local_pos.shape
    for i in numba.prange(n):
        for t in range(threads):
            for q in range(k):
                cid = local_pos[t, i, q]
                if cid < 0:
                    break
                _push(out_pos[i], out_sims[i], local_sims[t, i, q], cid)
                local_pos[t, i, q] = -1
                local_sims[t, i, q] = -np.inf


@numba.njit(cache=True, parallel=True)
def _top_cells(sims, out):
    """The ``out.shape[1]`` columns of largest value in each row of ``sims``, best first (ties by the lower
    column)."""
    m, c = sims.shape
    p = out.shape[1]
    for r in numba.prange(m):
        best = np.empty(p, np.float32)
        ids = out[r]
        filled = 0
        for j in range(c):
            s = sims[r, j]
            if filled == p:
                if not s > best[p - 1]:
                    continue
                pos = p - 1
            else:
                pos = filled
                filled += 1
            while pos > 0 and s > best[pos - 1]:
                best[pos] = best[pos - 1]
                ids[pos] = ids[pos - 1]
                pos -= 1
            best[pos] = s
            ids[pos] = j


def knn_graph(
    points: np.ndarray,
    k: int,
    stamps: np.ndarray,
    max_gap_days: float | None,
    *,
    exact_limit: int = 20000,
    random_state: int = 0,
) -> sparse.csr_matrix:
    """Symmetric graph of each point's ``k`` nearest neighbours, weighted by cosine distance (at least 1e-9,
    since a stored zero would mean "no edge"). Points dated (``stamps``, POSIX seconds) more than
    ``max_gap_days`` apart are never neighbours; undated points (NaN) can neighbour anything.

    Exact up to ``exact_limit`` points, an IVF search seeded by ``random_state`` beyond (see the module
    docstring)."""
    n = len(points)
    k = min(k, n - 1)
    if k < 1:
        return sparse.csr_matrix((n, n))
    ids, sims = _neighbours(points, k, stamps, max_gap_days, exact_limit=exact_limit, random_state=random_state)
    return _symmetric_graph(ids, sims)


def _neighbours(
    points: np.ndarray,
    k: int,
    stamps: np.ndarray,
    max_gap_days: float | None,
    *,
    exact_limit: int = 20000,
    random_state: int = 0,
    cells: int | None = None,
    probes: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each point's ``k`` (``1 <= k < n``) neighbours, best first: ``(ids, similarities)``, both ``n x k``,
    id -1 where fewer than ``k`` compatible points exist."""
    vectors = np.ascontiguousarray(points, dtype=np.float32)
    stamps = np.ascontiguousarray(stamps, dtype=np.float64)
    gap = math.inf if max_gap_days is None else float(max_gap_days) * _DAY
    if len(vectors) <= exact_limit:
        return _exact(vectors, k, stamps, gap)
    return _ivf(vectors, k, stamps, gap, random_state, cells, probes)


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
    block = max(64, min(4096, _BLOCK_FLOATS // n))
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


def _ivf(
    vectors: np.ndarray,
    k: int,
    stamps: np.ndarray,
    gap: float,
    random_state: int,
    cells: int | None,
    probes: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.cluster import KMeans  # imported here: only large inputs need them
    from threadpoolctl import threadpool_limits

    n = len(vectors)
    cells = int(cells or max(_MIN_CELLS, round(math.sqrt(n))))
    cells = max(1, min(cells, n // (2 * k)))
    probes = int(probes or round(_PROBES_AT_MIN * math.sqrt(max(cells, _MIN_CELLS) / _MIN_CELLS)))
    probes = max(1, min(probes, cells))

    rng = np.random.default_rng(random_state)
    sample = np.sort(rng.choice(n, size=min(n, _SAMPLE_PER_CELL * cells), replace=False))
    kmeans = KMeans(n_clusters=cells, n_init=1, max_iter=_KMEANS_ITER, random_state=random_state)
    centroids = kmeans.fit(vectors[sample].astype(np.float64)).cluster_centers_.astype(np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)

    step = max(1, _BLOCK_FLOATS // cells)
    cell = np.empty(n, np.int64)
    for start in range(0, n, step):
        cell[start : start + step] = np.argmax(vectors[start : start + step] @ centroids.T, axis=1)
    # Work in positions: the points laid out cell by cell (by date inside a cell).
    order = np.lexsort((np.where(np.isnan(stamps), np.inf, stamps), cell))
    ordered = vectors[order]
    when = stamps[order]
    cell_start = np.searchsorted(cell[order], np.arange(cells + 1))
    del cell

    out_pos = np.full((n, k), -1, np.int64)
    out_sims = np.full((n, k), -np.inf, np.float32)
    threads = max(1, numba.get_num_threads())
    local_pos = np.full((threads, n, k), -1, np.int64)
    local_sims = np.full((threads, n, k), -np.inf, np.float32)
    owner = np.arange(n) % threads  # the thread that owns each point's (row) list

    def search(thread: int, who: np.ndarray, bounds: np.ndarray, both: bool, floor: np.ndarray) -> None:
        for c in range(cells):
            lo, hi = int(cell_start[c]), int(cell_start[c + 1])
            columns = ordered[lo:hi].T
            tile = max(16, _TILE_FLOATS // max(hi - lo, 1))
            for start in range(bounds[c], bounds[c + 1], tile):
                rows = who[start : min(start + tile, bounds[c + 1])]
                sims = ordered[rows] @ columns
                _offer_tile(
                    sims, rows, lo, when, gap, both, floor, out_pos, out_sims, local_pos[thread], local_sims[thread]
                )

    def phase(asked: np.ndarray, askers: np.ndarray, both: bool) -> None:
        """Compare each point ``askers[i]`` with the points of cell ``asked[i]``, split between the threads."""
        floor = out_sims[:, k - 1].copy()
        jobs = []
        for thread in range(threads):
            mine = owner[askers] == thread
            cell_of, who = asked[mine], askers[mine]
            sort = np.argsort(cell_of, kind="stable")
            bounds = np.searchsorted(cell_of[sort], np.arange(cells + 1))
            jobs.append(pool.submit(search, thread, who[sort], bounds, both, floor))
        for job in jobs:
            job.result()
        if both:
            _merge_lists(local_pos, local_sims, out_pos, out_sims)

    positions = np.arange(n)
    own = np.repeat(np.arange(cells), np.diff(cell_start))
    chunk = max(1, _BATCH_PROBES // probes)
    probe = np.empty((min(chunk, n), probes), np.int64)
    with ThreadPoolExecutor(threads) as pool, threadpool_limits(limits=1, user_api="blas"):
        phase(own, positions, False)  # own cell first: the lists fill early with good candidates
        for first in range(0, n, chunk):
            last = min(first + chunk, n)
            with threadpool_limits(limits=threads, user_api="blas"):
                for start in range(first, last, step):
                    stop = min(start + step, last)
                    _top_cells(ordered[start:stop] @ centroids.T, probe[start - first : stop - first])
            rank = 1  # rank 0 is the own cell
            while rank < probes:
                upto = min(2 * rank + 1, probes)
                phase(probe[: last - first, rank:upto].ravel(), np.repeat(positions[first:last], upto - rank), True)
                rank = upto

    out_ids = np.empty_like(out_pos)
    out_ids[order] = np.where(out_pos >= 0, order[np.maximum(out_pos, 0)], -1)
    sims = np.empty_like(out_sims)
    sims[order] = out_sims
    return out_ids, sims
