"""Per-unit sums of article rows, and the dot products, norms and cosines read from them.

A *unit* is a group of articles (a cluster, a story, or one article) numbered ``0..k-1``. Every per-unit
sum is made by :func:`sum_rows`; :class:`UnitSums` keeps exact sums through merges without copying the rows
of single-article units, :class:`Centroids` keeps the unit-length centroids closest-first merging reads.
TF-IDF rows hold the kept terms of rows normalised over the full vocabulary, and ``residual`` each row's
squared norm in the dropped terms: those never add to a dot product but count in every norm, which keeps
cosines exact.
"""

from __future__ import annotations

import numba
import numpy as np
from scipy import sparse

__all__ = [
    "relabel",
    "sum_rows",
    "unit_hidden",
    "unit_rows",
    "slots",
    "linked_units",
    "nearest_rows",
    "UnitSums",
    "Centroids",
    "row_squares",
    "row_dots",
    "leave_one_out_cosine",
    "centroid_cosines",
]


def relabel(labels: np.ndarray) -> np.ndarray:
    """Renumber non-negative labels 0..k-1 in order of first appearance; -1 stays -1."""
    out = np.full(len(labels), -1, np.int64)
    seen: dict[int, int] = {}
    for i, label in enumerate(labels.tolist()):
        if label >= 0:
            out[i] = seen.setdefault(label, len(seen))
    return out


def slots(sizes: np.ndarray) -> np.ndarray:
    """Each label's row among the labels with more than one member (0, 1, ... in label order), -1 for the
    others."""
    multi = sizes > 1
    return np.where(multi, np.cumsum(multi) - 1, -1)


def sum_rows(rows: np.ndarray, columns: np.ndarray, k: int, m: sparse.csr_matrix) -> sparse.csr_matrix:
    """``k`` rows in float64; row ``r`` sums the rows ``columns[rows == r]`` of ``m``. Only the rows named are
    taken out first: a product with all of a float32 ``m`` would copy all of it to float64."""
    needed, position = np.unique(columns, return_inverse=True)
    indicator = sparse.csr_matrix((np.ones(len(rows)), (rows, position)), shape=(k, len(needed)))
    taken = m if len(needed) == m.shape[0] else m[needed]  # all rows: no copy
    return (indicator @ taken).tocsr().astype(np.float64, copy=False)


def unit_hidden(units: np.ndarray, residual: np.ndarray | None, k: int) -> np.ndarray:
    """Each unit's squared norm in dropped terms: the sum of its articles' ``residual``."""
    return np.bincount(units, weights=residual, minlength=k) if residual is not None else np.zeros(k)


def unit_rows(m: sparse.csr_matrix, hidden: np.ndarray | None = None) -> sparse.csr_matrix:
    """Rows divided by their norms; ``hidden`` adds squared norm that lies outside the stored columns."""
    norms = np.sqrt(row_squares(m) + (hidden if hidden is not None else 0.0))
    return sparse.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ m


def linked_units(left: np.ndarray, right: np.ndarray, units: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct unit pairs ``(a, b)``, ``a < b``, joined by at least one article edge ``(left, right)``."""
    a, b = units[left], units[right]
    codes = np.unique(np.minimum(a, b)[a != b] * k + np.maximum(a, b)[a != b])
    return codes // k, codes % k


def nearest_rows(unit: sparse.csr_matrix, m: int, block: int = 1024) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's ``m`` most similar other rows (cosine of L2-normalised sparse rows): (rows, cols, sims)."""
    k = unit.shape[0]
    m = min(m, k - 1)
    rows, cols, sims = [], [], []
    transposed = unit.T.tocsc()
    for start in range(0, k, block):
        block_sims = (unit[start : start + block] @ transposed).toarray()
        idx = np.arange(start, min(start + block, k))
        block_sims[idx - start, idx] = -np.inf
        top = np.argpartition(-block_sims, m - 1, axis=1)[:, :m]
        rows.append(np.repeat(idx, m))
        cols.append(top.ravel())
        sims.append(np.take_along_axis(block_sims, top, axis=1).ravel())
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(sims)


class UnitSums:
    """Per-unit sums of article rows. A unit of one article (``alone``) reads its article's row of
    ``vectors``; only larger units hold a float64 row of their own in ``grown``. ``row[u]`` is the unit's row
    in the one or the other. At a million articles most units are single articles, and a float64 sum row
    for each was a second, wider copy of the whole TF-IDF matrix (several GB). ``norm`` is each unit's exact
    norm, dropped terms (``hidden``) included."""

    def __init__(self, vectors: sparse.csr_matrix, units: np.ndarray, k: int, residual: np.ndarray | None) -> None:
        size = np.bincount(units, minlength=k)
        self.vectors = vectors
        self.alone = size == 1
        self.row = slots(size)
        article = self.alone[units]
        self.row[units[article]] = np.flatnonzero(article)
        shared = np.flatnonzero(~article)
        self.grown = sum_rows(self.row[units[shared]], shared, int((size > 1).sum()), vectors)
        self.hidden = unit_hidden(units, residual, k)
        squares = np.zeros(k)
        squares[self.alone] = row_squares(vectors)[self.row[self.alone]]
        squares[size > 1] = row_squares(self.grown)
        self.norm = np.sqrt(squares + self.hidden)

    def _matrix(self, alone: bool) -> sparse.csr_matrix:
        return self.vectors if alone else self.grown

    def dots(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The dot product of the sums of units ``x[i]`` and ``y[i]`` for every i."""
        out = np.zeros(len(x))
        for x_alone in (True, False):
            for y_alone in (True, False):
                pick = np.flatnonzero((self.alone[x] == x_alone) & (self.alone[y] == y_alone))
                if len(pick):
                    out[pick] = row_dots(
                        self._matrix(x_alone), self.row[x[pick]], self.row[y[pick]], self._matrix(y_alone)
                    )
        return out

    def merge(self, take: np.ndarray, gone: np.ndarray) -> None:
        """Unit ``gone[i]`` joins unit ``take[i]``: each ``take`` unit gets a new row holding both sums."""
        m = len(take)
        new = sparse.csr_matrix((m, self.vectors.shape[1]))
        for units in (take, gone):
            for alone in (True, False):
                pick = np.flatnonzero(self.alone[units] == alone)
                new = new + sum_rows(pick, self.row[units[pick]], m, self._matrix(alone))
        self.alone[take] = False
        self.row[take] = self.grown.shape[0] + np.arange(m)
        self.grown = sparse.vstack([self.grown, new], format="csr")
        self.hidden[take] += self.hidden[gone]
        self.norm[take] = np.sqrt(row_squares(new) + self.hidden[take])


class Centroids:
    """The unit-length centroids of every unit (all in float64 rows), for closest-first merging: ``unit``
    holds the starting ones as a matrix; :meth:`of` gives a unit's current one and :meth:`absorb` merges two.
    Norms count the dropped terms (``hidden``), so dot products of centroids are exact cosines."""

    def __init__(self, vectors: sparse.csr_matrix, units: np.ndarray, k: int, residual: np.ndarray | None) -> None:
        self.sums = sum_rows(units, np.arange(vectors.shape[0]), k, vectors)
        self.hidden = unit_hidden(units, residual, k)
        self.unit = unit_rows(self.sums, self.hidden)
        self._centre: dict[int, sparse.csr_matrix] = {}  # rows read or grown so far
        self._sum: dict[int, sparse.csr_matrix] = {}

    def of(self, u: int) -> sparse.csr_matrix:
        if u not in self._centre:
            self._centre[u], self._sum[u] = self.unit[u], self.sums[u]
        return self._centre[u]

    def absorb(self, a: int, b: int) -> None:
        """Unit ``b`` joins unit ``a``."""
        self.of(a), self.of(b)
        self._sum[a] = self._sum[a] + self._sum.pop(b)
        self.hidden[a] += self.hidden[b]
        norm = np.sqrt(self._sum[a].multiply(self._sum[a]).sum() + self.hidden[a])
        self._centre[a] = self._sum[a] / norm if norm > 0 else self._sum[a]

    def cosines(self, a: int, others: list[int]) -> np.ndarray:
        """The cosines of unit ``a``'s centroid to those of ``others``, in one batched product."""
        return (sparse.vstack([self.of(c) for c in others]) @ self._centre[a].T).toarray().ravel()


def row_squares(m: sparse.csr_matrix) -> np.ndarray:
    """Each row's sum of squares (in float64, without per-entry temporaries: at a million articles a row
    index and a squared value per stored entry took 1.6 GB)."""
    m = m.tocsr()
    return _squares(m.indptr, m.data)


@numba.njit(cache=True)
def _squares(indptr, data):
    out = np.zeros(len(indptr) - 1)
    for row in range(len(out)):
        total = 0.0
        for i in range(indptr[row], indptr[row + 1]):
            total += np.float64(data[i]) * np.float64(data[i])
        out[row] = total
    return out


def row_dots(
    m: sparse.csr_matrix, a: np.ndarray, b: np.ndarray, other: sparse.csr_matrix | None = None
) -> np.ndarray:
    """``m[a[i]] . other[b[i]]`` for every i (``other`` defaults to ``m``), in parallel. Pairs are grouped by
    their longer row, which is scattered into a dense buffer once per group; each pair then walks only its
    shorter row. (A story centroid can hold 100k terms; its partners, mostly single articles, a few
    hundred.) The matrices' own dtypes are read as they are: no float64 copy of a large float32 matrix."""
    if len(a) == 0:
        return np.zeros(0)
    m = m.tocsr()
    other = m if other is None else other.tocsr()
    return _sparse_dots(
        m.indptr, m.indices, m.data, np.asarray(a, np.int64),
        other.indptr, other.indices, other.data, np.asarray(b, np.int64), m.shape[1],
    )


@numba.njit(cache=True, parallel=True)
def _sparse_dots(indptr, indices, data, a, other_indptr, other_indices, other_data, b, columns):
    n = len(a)
    out = np.empty(n)
    # Each pair's longer row as a key: 2 * row for a row of the first matrix, 2 * row + 1 of the other.
    key = np.empty(n, np.int64)
    for q in range(n):
        if indptr[a[q] + 1] - indptr[a[q]] >= other_indptr[b[q] + 1] - other_indptr[b[q]]:
            key[q] = 2 * a[q]
        else:
            key[q] = 2 * b[q] + 1
    order = np.argsort(key)
    batches = min(n, 64)
    for batch in numba.prange(batches):
        dense = np.zeros(columns)
        current = -1
        for position in range(batch * n // batches, (batch + 1) * n // batches):
            q = order[position]
            if key[q] != current:
                if current >= 0:
                    _scatter(current, indptr, indices, data, other_indptr, other_indices, other_data, dense, False)
                current = key[q]
                _scatter(current, indptr, indices, data, other_indptr, other_indices, other_data, dense, True)
            total = 0.0
            if current % 2 == 0:  # the longer row is a's: walk b's row of the other matrix
                for i in range(other_indptr[b[q]], other_indptr[b[q] + 1]):
                    total += other_data[i] * dense[other_indices[i]]
            else:
                for i in range(indptr[a[q]], indptr[a[q] + 1]):
                    total += data[i] * dense[indices[i]]
            out[q] = total
    return out


@numba.njit(cache=True)
def _scatter(key, indptr, indices, data, other_indptr, other_indices, other_data, dense, add):
    """Add the row ``key`` names into ``dense`` (``add``) or clear its columns again."""
    row = key // 2
    if key % 2 == 0:
        for i in range(indptr[row], indptr[row + 1]):
            dense[indices[i]] = dense[indices[i]] + data[i] if add else 0.0
    else:
        for i in range(other_indptr[row], other_indptr[row + 1]):
            dense[other_indices[i]] = dense[other_indices[i]] + other_data[i] if add else 0.0


def leave_one_out_cosine(
    vectors: sparse.csr_matrix, labels: np.ndarray, residual: np.ndarray | None = None
) -> np.ndarray:
    """Each row's exact cosine to the centroid of the *other* rows with its label (0 for a label of one).

    Rows hold the kept terms of full-vocabulary-normalised TF-IDF rows; ``residual`` their squared norm in
    dropped terms, which no other row shares.
    """
    n = vectors.shape[0]
    if n == 0:
        return np.zeros(0)
    k = int(labels.max()) + 1
    residual = np.zeros(n) if residual is None else residual
    sums = UnitSums(vectors, labels, k, residual)
    shared = np.flatnonzero(~sums.alone[labels])  # an article alone in its label has no others: 0
    unit = labels[shared]
    dot = row_dots(vectors, shared, sums.row[unit], sums.grown)
    own = row_squares(vectors)[shared]
    rest_sq = sums.norm[unit] ** 2 - 2.0 * (dot + residual[shared]) + own + residual[shared]
    denom = np.sqrt(np.clip(rest_sq, 0.0, None) * (own + residual[shared]))
    out = np.zeros(n)
    out[shared] = np.divide(dot - own, denom, out=np.zeros(len(shared)), where=denom > 1e-12)
    return out


def centroid_cosines(points: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Each point's cosine to the sum of its label's points (labels 0..k-1); 1 for a label of one point
    (points are unit rows).

    Sums are kept only for labels with more than one point and the dots are taken row by row, so no
    ``n x d`` temporary is made: at a million articles, most of them stories of one, summing every label
    took 1.3 GB and indexing the sums by label another 1.6 GB.
    """
    n = len(labels)
    sizes = np.bincount(labels, minlength=k)
    shared = np.flatnonzero(sizes[labels] > 1)
    rows = slots(sizes)[labels[shared]]
    sums = _sums(points, shared, rows, int((sizes > 1).sum()))
    norms = np.linalg.norm(sums, axis=1)
    out = np.ones(n)
    out[shared] = _dots(points, shared, sums, rows) / np.where(norms[rows] > 0, norms[rows], 1.0)
    return out


@numba.njit(cache=True)
def _sums(points, rows, at, k):
    """``out[at[i]] += points[rows[i]]`` in float64 (a sparse product would copy all points to float64)."""
    out = np.zeros((k, points.shape[1]))
    for i in range(len(rows)):
        for j in range(points.shape[1]):
            out[at[i], j] += points[rows[i], j]
    return out


@numba.njit(cache=True)
def _dots(points, rows, sums, at):
    out = np.empty(len(rows))
    for i in range(len(rows)):
        point, total = points[rows[i]], sums[at[i]]
        acc = 0.0
        for j in range(points.shape[1]):
            acc += point[j] * total[j]
        out[i] = acc
    return out
