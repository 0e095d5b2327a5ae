"""Story labels: distinctive terms (class-based TF-IDF) and the most central article."""

from __future__ import annotations

from typing import Callable

import numba
import numpy as np
from scipy import sparse

from .sums import centroid_cosines
from .topk import push

__all__ = ["class_tfidf", "top_terms", "central_members"]


def class_tfidf(tfidf: sparse.csr_matrix, labels: np.ndarray, k: int) -> sparse.csr_matrix:
    """Class-based TF-IDF (as in BERTopic) computed over the articles' TF-IDF weights.

    Each story's weights are summed and L1-normalised (its term frequencies), then multiplied by
    ``log(1 + A / f_t)``, where ``A`` is the average total weight per story and ``f_t`` the term's total
    weight over all stories: a term scores high when it is frequent in the story and rare in the others.
    """
    n = tfidf.shape[0]
    indicator = sparse.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
    per_class = (indicator @ tfidf).tocsr().astype(np.float64, copy=False)
    totals = np.asarray(per_class.sum(axis=0)).ravel()
    average = per_class.sum() / max(k, 1)
    idf = np.log1p(np.divide(average, totals, out=np.zeros_like(totals), where=totals > 0))
    row_sums = np.asarray(per_class.sum(axis=1)).ravel()
    # Scaled in place: the story sums are as large as the TF-IDF matrix itself at a million articles.
    _scale(per_class.indptr, per_class.indices, per_class.data,
           np.divide(1.0, row_sums, out=np.zeros_like(row_sums), where=row_sums > 0), idf)
    return per_class


@numba.njit(cache=True)
def _scale(indptr, indices, data, row_factor, column_factor):
    """``data[i] *= row_factor[row] * column_factor[column]`` in that order (the diagonal products' rounding)."""
    for row in range(len(indptr) - 1):
        for i in range(indptr[row], indptr[row + 1]):
            data[i] = data[i] * row_factor[row] * column_factor[indices[i]]


def top_terms(
    scores: sparse.csr_matrix, names: Callable[[np.ndarray], np.ndarray], count: int
) -> list[list[str]]:
    """The ``count`` highest-scoring terms of each row; ties go to the earlier column. ``names(columns)``
    gives the text of columns (asked once, for the columns that are needed)."""
    if count < 1:
        return [[] for _ in range(scores.shape[0])]
    scores = scores.tocsr()
    chosen_flat, bounds = _top_per_row(scores.indptr, scores.indices, scores.data, count)
    chosen = np.split(chosen_flat, bounds[1:-1]) if scores.shape[0] else []
    needed = np.unique(chosen_flat)
    text = dict(zip(needed.tolist(), (str(t) for t in names(needed))))
    return [[text[c] for c in columns.tolist()] for columns in chosen]


@numba.njit(cache=True, parallel=True)
def _top_per_row(indptr, indices, data, count):
    """Each row's up to ``count`` columns with the highest positive values, best first, ties to the lower
    column; concatenated, with row bounds."""
    n = len(indptr) - 1
    sizes = np.zeros(n, np.int64)
    best = np.full((n, count), -1, np.int64)
    values = np.full((n, count), -np.inf)
    for row in numba.prange(n):
        for e in range(indptr[row], indptr[row + 1]):
            if data[e] > 0:
                push(best, values, row, data[e], np.int64(indices[e]))
        m = 0
        while m < count and best[row, m] >= 0:
            m += 1
        sizes[row] = m
    bounds = np.zeros(n + 1, np.int64)
    for row in range(n):
        bounds[row + 1] = bounds[row] + sizes[row]
    flat = np.empty(bounds[n], np.int64)
    for row in range(n):
        flat[bounds[row] : bounds[row + 1]] = best[row, : sizes[row]]
    return flat, bounds


def central_members(points: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """For each label, the index of the member closest (cosine) to the label's centroid; the first of those
    within 1e-6 of it (float32 rounding) on ties, so the two members of a pair pick the earlier one."""
    scores = np.round(centroid_cosines(points, labels, k), 6)
    order = np.lexsort((np.arange(len(labels)), -scores, labels))
    first = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1]])
    central = np.empty(k, np.int64)
    central[labels[order][first]] = order[first]
    return central
