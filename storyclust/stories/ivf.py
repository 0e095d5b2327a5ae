"""The approximate time-gated neighbor search for large corpora: an inverted file (IVF), searched both ways.

    1. ``cells`` centroids (``sqrt(n)``, at least 300) are fitted with scikit-learn's KMeans (random init, 10
       iterations) on a sample of ``40 * cells`` points drawn with ``random_state``, and normalised. Each
       point belongs to the cell of its most similar centroid and *probes* the cells of its ``probes`` most
       similar centroids (32 at 300 cells, growing as ``sqrt(cells)``).
    2. The points are laid out cell by cell, by date inside a cell. Each point is first compared with its
       own cell; then, by probe rank (ranks 0-2, 3-8, 9-20, ...: nearest cells first, so that the lists fill
       with good neighbors early and later candidates are mostly rejected by a vectorised test against the
       list's floor), each cell is compared with all the points probing it, in float32 matrix products of
       about 256k similarities (a tile of probing points, by date, against the cell's points dated within
       ``max_gap_days`` of the tile: a long corpus costs little more than its date windows).
    3. Each similarity is used both ways: the probing point gets the cell's point as a candidate and the
       cell's point gets the probing point, so a pair is found when either point probes the other's cell.
    Each list keeps the ``k`` best compatible candidates seen (similarity, then the lower position; a pair
    seen twice keeps its larger similarity), so it does not depend on the order of arrival, and the time
    gate is applied pair by pair: it holds exactly. docs/settings.md gives its measured recall and cost.

    The work is split between threads (numba's thread count, at most 8) by the probing point: each thread
    owns the lists of its points as rows, and keeps column candidates in lists of its own, merged after each
    rank group. The threads run single-threaded BLAS products and ``nogil`` numba kernels; switching between
    the BLAS's and numba's own thread pools tile by tile would cost milliseconds per switch, their workers
    spinning against each other.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .timeline import within
from .topk import push

__all__ = ["ivf_neighbors"]

BLOCK_FLOATS = 16_000_000  # similarities (or point-centroid products) per block, 64 MB of float32
_TILE_FLOATS = 262_144  # IVF: similarities per matrix product (1 MB)
_MAX_TILE_ROWS = 4096  # IVF: a tile grows (while its date window is narrow) up to this many rows
_MAX_THREADS = 8  # IVF search threads, each with its own n x k column lists
_MIN_CELLS = 300  # IVF cells: sqrt(n), at least this many
_PROBES_AT_MIN = 32  # IVF probes at _MIN_CELLS cells; grows as sqrt(cells)
_SAMPLE_PER_CELL = 40  # KMeans is fitted on this many points per cell
_KMEANS_ITER = 10
_BATCH_PROBES = 8_000_000  # IVF: (point, probed cell) pairs held at a time


@numba.njit(cache=True, nogil=True)
def _offer_tile(sims, rows, row_when, row_floor, lo, when, gap, both, floor, out_pos, out_sims, local_pos, local_sims):
    """Offer a tile of similarities (rows: points ``rows``, dated ``row_when``, owned by the calling thread,
    floors at least ``row_floor``; columns: points ``lo, lo + 1, ...``) to the row points' lists ``out_*`` and,
    if ``both``, to the column points' lists of the calling thread, ``local_*``; ``floor`` holds lower bounds
    of the column points' floors. The point itself and pairs dated more than ``gap`` apart are skipped.

    One pass over each row tests every similarity against both floors (vectorised); only rows with a hit
    are examined one by one. Row data come contiguous: a cache miss per row would cost more than its scan."""
    m, c = sims.shape
    k = out_pos.shape[1]
    col_when = when[lo : lo + c]
    bar = np.empty(c, np.float32)
    for j in range(c):
        bar[j] = max(floor[lo + j], local_sims[lo + j, k - 1]) if both else np.inf
    for r in range(m):
        me = rows[r]
        mine = row_floor[r]
        hit = False
        for j in range(c):
            s = sims[r, j]
            hit |= (s >= mine) | (s >= bar[j])
        if not hit:
            continue
        mine = max(mine, out_sims[me, k - 1])
        for j in range(c):
            s = sims[r, j]
            if not (s >= mine or s >= bar[j]):  # also skips NaN
                continue
            col = lo + j
            if col == me or not within(row_when[r], row_when[r], col_when[j], col_when[j], gap):
                continue
            if s >= mine:
                push(out_pos, out_sims, me, s, col)
                mine = out_sims[me, k - 1]
            if s >= bar[j]:
                push(local_pos, local_sims, col, s, me)
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
                push(out_pos, out_sims, i, local_sims[t, i, q], cid)
                local_pos[t, i, q] = -1
                local_sims[t, i, q] = -np.inf


@numba.njit(cache=True, parallel=True)
def _top_cells(sims, out):
    """The ``out.shape[1]`` columns of largest value in each row of ``sims``, best first (ties by the lower
    column)."""
    m, c = sims.shape
    best = np.full(out.shape, -np.inf, np.float32)
    out[:] = -1
    for r in numba.prange(m):
        for j in range(c):
            push(out, best, r, sims[r, j], j)


def ivf_neighbors(
    points: np.ndarray,
    k: int,
    stamps: np.ndarray,
    gap: float,
    random_state: int,
    cells: int | None,
    probes: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.cluster import KMeans  # imported here: only large inputs need them
    from threadpoolctl import threadpool_limits

    n = len(points)
    cells = int(cells or max(_MIN_CELLS, round(math.sqrt(n))))
    cells = max(1, min(cells, n // (2 * k)))
    probes = int(probes or round(_PROBES_AT_MIN * math.sqrt(max(cells, _MIN_CELLS) / _MIN_CELLS)))
    probes = max(1, min(probes, cells))

    rng = np.random.default_rng(random_state)
    sample = np.sort(rng.choice(n, size=min(n, _SAMPLE_PER_CELL * cells), replace=False))
    kmeans = KMeans(n_clusters=cells, init="random", n_init=1, max_iter=_KMEANS_ITER, random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate points can leave fewer distinct clusters: empty cells are fine
        kmeans.fit(np.asarray(points[sample], dtype=np.float64))
    centroids = kmeans.cluster_centers_.astype(np.float32)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)

    step = max(1, BLOCK_FLOATS // cells)
    cell = np.empty(n, np.int64)
    for start in range(0, n, step):
        block = np.asarray(points[start : start + step], dtype=np.float32)
        cell[start : start + step] = np.argmax(block @ centroids.T, axis=1)
    # Work in positions: the points laid out cell by cell, by date inside a cell (undated last).
    order = np.lexsort((np.where(np.isnan(stamps), np.inf, stamps), cell))
    ordered = np.empty((n, points.shape[1]), np.float32)
    for start in range(0, n, step):
        ordered[start : start + step] = points[order[start : start + step]]
    when = stamps[order]
    own = cell[order]
    cell_start = np.searchsorted(own, np.arange(cells + 1))
    del cell

    out_pos = np.full((n, k), -1, np.int32)
    out_sims = np.full((n, k), -np.inf, np.float32)
    threads = max(1, min(numba.get_num_threads(), _MAX_THREADS))
    local_pos = np.full((threads, n, k), -1, np.int32)
    local_sims = np.full((threads, n, k), -np.inf, np.float32)
    owner = np.arange(n) % threads  # the thread that owns each point's (row) list

    dated_end = cell_start[:-1] + np.bincount(own[~np.isnan(when)], minlength=cells)
    date_key = np.where(np.isnan(when), np.inf, when)  # undated last
    gated = not math.isinf(gap)

    def search(thread: int, who: np.ndarray, bounds: np.ndarray, both: bool, floor: np.ndarray) -> None:
        """Thread ``thread``'s share of a phase: cell ``c`` against ``who[bounds[c]:bounds[c + 1]]`` (by date)."""
        who_when = when[who]
        who_floor = floor[who]
        for c in range(cells):
            lo, hi, mid = int(cell_start[c]), int(cell_start[c + 1]), int(dated_end[c])
            start, end = int(bounds[c]), int(bounds[c + 1])
            while start < end:
                # A tile of rows (by date) and the cell's points in their date window (all if a row is
                # undated), with rows added while the window stays narrow: about _TILE_FLOATS similarities.
                rows_wanted = max(16, _TILE_FLOATS // max(hi - lo, 1))
                while True:
                    stop = min(start + rows_wanted, end)
                    ranges = [(lo, hi)]
                    if gated and not np.isnan(who_when[stop - 1]):
                        a = lo + int(np.searchsorted(when[lo:mid], who_when[start] - gap, side="left"))
                        b = lo + int(np.searchsorted(when[lo:mid], who_when[stop - 1] + gap, side="right"))
                        ranges = [(a, b), (mid, hi)]
                    width = sum(b - a for a, b in ranges)
                    if stop == end or 2 * rows_wanted * width > _TILE_FLOATS or rows_wanted >= _MAX_TILE_ROWS:
                        break
                    rows_wanted *= 2
                rows, queries = who[start:stop], ordered[who[start:stop]]
                for a, b in ranges:
                    if b > a:
                        _offer_tile(
                            queries @ ordered[a:b].T, rows, who_when[start:stop], who_floor[start:stop], a, when,
                            gap, both, floor, out_pos, out_sims, local_pos[thread], local_sims[thread],
                        )
                start = stop

    def phase(asked: np.ndarray, askers: np.ndarray, both: bool) -> None:
        """Compare each point ``askers[i]`` with the points of cell ``asked[i]``, split between the threads."""
        floor = out_sims[:, k - 1].copy()
        jobs = []
        for thread in range(threads):
            mine = owner[askers] == thread
            cell_of, who = asked[mine], askers[mine]
            sort = np.lexsort((date_key[who], cell_of))
            bounds = np.searchsorted(cell_of[sort], np.arange(cells + 1))
            jobs.append(pool.submit(search, thread, who[sort], bounds, both, floor))
        for job in jobs:
            job.result()
        if both:
            _merge_lists(local_pos, local_sims, out_pos, out_sims)

    positions = np.arange(n)
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
            # Probe ranks 0-2, 3-8, 9-20, ... (nearest cells first; the own cell, searched above, is skipped).
            rank = 0
            while rank < probes:
                upto = min(2 * rank + 3, probes)
                asked = probe[: last - first, rank:upto].ravel()
                askers = np.repeat(positions[first:last], upto - rank)
                other = asked != own[askers]
                phase(asked[other], askers[other], True)
                rank = upto

    out_ids = np.empty((n, k), np.int64)
    out_ids[order] = np.where(out_pos >= 0, order[np.maximum(out_pos, 0)], -1)
    sims = np.empty_like(out_sims)
    sims[order] = out_sims
    return out_ids, sims
