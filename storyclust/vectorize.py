"""Story representation: TF-IDF (title weighted over body), reduced with TruncatedSVD (LSA), L2-normalised.

HDBSCAN never sees the raw sparse TF-IDF matrix: on sparse input it computes every pairwise distance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.preprocessing import normalize

from .terms import TermCounts, count_terms

__all__ = ["Representation", "story_documents", "vectorize", "tfidf_rows", "lsa", "STOP_WORDS"]

# scikit-learn's English list plus the reporting verbs and honorifics every news article is full of.
STOP_WORDS = sorted(
    ENGLISH_STOP_WORDS
    | {"said", "says", "say", "told", "tells", "according", "reported", "reports", "reuters", "ap", "afp",
       "mr", "ms", "mrs", "dr", "just", "like", "year", "years", "week", "day", "time", "new", "news",
       "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)


@dataclass
class Representation:
    """``tfidf`` holds the kept terms of rows that were L2-normalised over the full vocabulary; ``residual`` is
    each row's squared norm in the dropped (rare) terms, so ``|row|^2 + residual = 1`` for every non-empty
    article. ``points`` are the rows HDBSCAN sees. ``names(columns)`` gives the text of ``tfidf`` columns."""

    tfidf: sparse.csr_matrix
    points: np.ndarray
    residual: np.ndarray
    counts: TermCounts | None = None
    columns: np.ndarray | None = None  # the kept columns' term ids in ``counts``

    def names(self, columns: Sequence[int] | np.ndarray) -> np.ndarray:
        if self.counts is None or self.columns is None:
            return np.full(len(columns), "", dtype=object)
        return self.counts.names(self.columns[np.asarray(columns, np.int64)])


def story_documents(titles: Sequence[str], texts: Sequence[str], title_weight: int) -> list[str]:
    """The text each article is vectorised from: the title repeated ``title_weight`` times, then the body."""
    return [" ".join([title] * title_weight + [text]) for title, text in zip(titles, texts)]


def tfidf_rows(counts: sparse.csr_matrix, df: np.ndarray, allowed: np.ndarray) -> sparse.csr_matrix:
    """scikit-learn's ``TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2")`` over the ``allowed``
    terms: ``(1 + ln tf) * (ln((1 + n) / (1 + df)) + 1)``, rows scaled to unit length (empty rows stay empty)."""
    n = counts.shape[0]
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    idf[~allowed] = 0.0
    data = (1.0 + np.log(counts.data.astype(np.float32))) * idf[counts.indices]
    rows = sparse.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)
    rows.eliminate_zeros()
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1), dtype=np.float64).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0).astype(np.float32)
    rows.data *= np.repeat(scale, np.diff(rows.indptr))
    return rows


def vectorize(
    documents: Sequence[str],
    *,
    max_features: int | None,
    min_df: int,
    max_df: float,
    ngram_range: tuple[int, int],
    components: int,
    random_state: int,
    svd_sample: int | None = None,
) -> Representation:
    """TF-IDF with English (and news) stop words and sublinear tf, then LSA to ``components`` dimensions.

    Terms are counted by :func:`storyclust.terms.count_terms` (the same tokens, words and word pairs as
    scikit-learn's ``TfidfVectorizer`` with this module's settings, and the same weights; about 8x faster).
    Rows are L2-normalised over the full vocabulary *before* terms below ``min_df`` are dropped, so a dot
    product of two rows is their exact cosine: a term in one article only never adds to a dot product, but
    it does belong in the article's norm. (Normalising after the drop would make two long, unrelated
    articles that share two words look identical.) ``max_df`` is relaxed on corpora under 20 articles.
    The LSA basis is fitted on at most ``svd_sample`` rows (a seeded random sample; all rows when ``None``)
    and every row is projected on it. On corpora no larger than ``components``, the TF-IDF rows themselves
    are the points.
    """
    n = len(documents)
    counted = count_terms(documents, STOP_WORDS, ngram_range)
    df = counted.df
    allowed = df <= (max_df if n >= 20 else 1.0) * n
    full = tfidf_rows(counted.counts, df, allowed)
    keep = np.flatnonzero(allowed & (df >= min_df))
    if max_features is not None and len(keep) > max_features:
        keep = np.sort(keep[np.lexsort((keep, -df[keep]))[:max_features]])
    if len(keep) == 0:
        keep = np.flatnonzero(allowed)
    if len(keep) == 0:  # no term at all: every document empty or stop words only
        empty = sparse.csr_matrix((n, 1), dtype=np.float32)
        return Representation(empty, np.zeros((n, 1)), np.zeros(n))
    tfidf = full[:, keep].tocsr()
    kept_sq = np.asarray(tfidf.multiply(tfidf).sum(axis=1), dtype=np.float64).ravel()
    nonempty = np.diff(full.indptr) > 0
    del full
    residual = np.where(nonempty, np.clip(1.0 - kept_sq, 0.0, None), 0.0)
    if n > components and tfidf.shape[1] > components:
        points = lsa(tfidf, components, random_state, svd_sample)
    else:
        # A corpus no larger than the LSA dimension: the TF-IDF rows themselves (an SVD to n-1 dimensions
        # would only distort their angles), left with their full-vocabulary norms so dot products stay cosines.
        points = tfidf.toarray().astype(np.float64)
    return Representation(tfidf, points, residual, counted, keep)


def lsa(tfidf: sparse.csr_matrix, components: int, random_state: int, sample: int | None) -> np.ndarray:
    """Rows projected on the top ``components`` right singular vectors (randomised SVD), L2-normalised.
    With ``sample`` below the row count, the vectors are fitted on that many seeded random rows."""
    n = tfidf.shape[0]
    svd = TruncatedSVD(n_components=components, algorithm="randomized", n_iter=5, random_state=random_state)
    if sample is None or n <= sample:
        return normalize(np.asarray(svd.fit_transform(tfidf), dtype=np.float64))
    rows = np.sort(np.random.default_rng(random_state).choice(n, size=sample, replace=False))
    svd.fit(tfidf[rows])
    return normalize(np.asarray(tfidf @ svd.components_.T, dtype=np.float64))
