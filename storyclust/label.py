"""Story labels: distinctive terms (class-based TF-IDF) and the most central article."""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import sparse

__all__ = ["class_tfidf", "top_terms", "central_members"]


def class_tfidf(tfidf: sparse.csr_matrix, labels: np.ndarray, k: int) -> sparse.csr_matrix:
    """Class-based TF-IDF (as in BERTopic) computed over the articles' TF-IDF weights.

    Each story's weights are summed and L1-normalised (its term frequencies), then multiplied by
    ``log(1 + A / f_t)``, where ``A`` is the average total weight per story and ``f_t`` the term's total
    weight over all stories: a term scores high when it is frequent in the story and rare in the others.
    """
    n = tfidf.shape[0]
    indicator = sparse.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
    per_class = (indicator @ tfidf).tocsr().astype(np.float64)
    totals = np.asarray(per_class.sum(axis=0)).ravel()
    average = per_class.sum() / max(k, 1)
    idf = np.log1p(np.divide(average, totals, out=np.zeros_like(totals), where=totals > 0))
    row_sums = np.asarray(per_class.sum(axis=1)).ravel()
    tf = sparse.diags(np.divide(1.0, row_sums, out=np.zeros_like(row_sums), where=row_sums > 0)) @ per_class
    return (tf @ sparse.diags(idf)).tocsr()


def top_terms(
    scores: sparse.csr_matrix, names: Callable[[np.ndarray], np.ndarray], count: int
) -> list[list[str]]:
    """The ``count`` highest-scoring terms of each row; ties go to the earlier column. ``names(columns)``
    gives the text of columns (asked once, for the columns that are needed)."""
    scores = scores.tocsr()
    if scores.shape[0] == 0:
        return []
    rows = np.repeat(np.arange(scores.shape[0]), np.diff(scores.indptr))
    positive = scores.data > 0
    rows, columns, values = rows[positive], scores.indices[positive], scores.data[positive]
    order = np.lexsort((columns, -values, rows))  # by row, best first, ties to the earlier column
    rows, columns = rows[order], columns[order]
    first = np.searchsorted(rows, np.arange(scores.shape[0]))
    rank = np.arange(len(rows)) - first[rows]
    top = rank < count
    bounds = np.searchsorted(rows[top], np.arange(scores.shape[0] + 1))
    chosen = np.split(columns[top], bounds[1:-1])
    needed = np.unique(columns[top])
    text = dict(zip(needed.tolist(), (str(t) for t in names(needed))))
    return [[text[c] for c in columns.tolist()] for columns in chosen]


def central_members(points: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """For each label, the index of the member closest (cosine) to the label's centroid."""
    sums = np.zeros((k, points.shape[1]))
    np.add.at(sums, labels, points)
    scores = np.einsum("ij,ij->i", points, sums[labels])
    order = np.lexsort((np.arange(len(labels)), -scores, labels))
    first = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1]])
    central = np.empty(k, np.int64)
    central[labels[order][first]] = order[first]
    return central
