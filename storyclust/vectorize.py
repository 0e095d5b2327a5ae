"""Story representation: TF-IDF (title weighted over body), reduced with TruncatedSVD (LSA), L2-normalised.

HDBSCAN never sees the raw sparse TF-IDF matrix: on sparse input it computes every pairwise distance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

__all__ = ["Representation", "story_documents", "vectorize", "STOP_WORDS"]

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
    article. ``points`` are the rows HDBSCAN sees."""

    tfidf: sparse.csr_matrix
    points: np.ndarray
    vocabulary: np.ndarray
    residual: np.ndarray


def story_documents(titles: Sequence[str], texts: Sequence[str], title_weight: int) -> list[str]:
    """The text each article is vectorised from: the title repeated ``title_weight`` times, then the body."""
    return [" ".join([title] * title_weight + [text]) for title, text in zip(titles, texts)]


def vectorize(
    documents: Sequence[str],
    *,
    max_features: int | None,
    min_df: int,
    max_df: float,
    ngram_range: tuple[int, int],
    components: int,
    random_state: int,
) -> Representation:
    """TF-IDF with English (and news) stop words and sublinear tf, then LSA to ``components`` dimensions.

    Rows are L2-normalised over the full vocabulary *before* terms below ``min_df`` are dropped, so a dot
    product of two rows is their exact cosine: a term in one article only never adds to a dot product, but
    it does belong in the article's norm. (Normalising after the drop would make two long, unrelated
    articles that share two words look identical.) ``max_df`` is relaxed on corpora under 20 articles.
    On corpora no larger than ``components``, the TF-IDF rows themselves are the points.
    """
    n = len(documents)
    vectorizer = TfidfVectorizer(
        stop_words=STOP_WORDS,
        sublinear_tf=True,
        max_df=max_df if n >= 20 else 1.0,
        ngram_range=ngram_range,
        token_pattern=r"(?u)\b[^\W\d_][^\W_]+\b",  # words that start with a letter, 2+ characters
        dtype=np.float32,
    )
    try:
        full = vectorizer.fit_transform(documents).tocsr()
        vocabulary = vectorizer.get_feature_names_out()
    except ValueError:  # no term at all: every document empty or stop words only
        full = sparse.csr_matrix((n, 1), dtype=np.float32)
        vocabulary = np.array([""], dtype=object)
    df = np.bincount(full.indices, minlength=full.shape[1])
    keep = np.flatnonzero(df >= min_df)
    if max_features is not None and len(keep) > max_features:
        keep = np.sort(keep[np.lexsort((keep, -df[keep]))[:max_features]])
    if len(keep) == 0:
        keep = np.arange(full.shape[1])
    tfidf = full[:, keep].tocsr()
    vocabulary = vocabulary[keep]
    kept_sq = np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel()
    nonempty = np.diff(full.indptr) > 0  # TfidfVectorizer's rows are unit vectors unless empty
    residual = np.where(nonempty, np.clip(1.0 - kept_sq, 0.0, None), 0.0)
    if n > components and tfidf.shape[1] > components:
        svd = TruncatedSVD(n_components=components, algorithm="randomized", n_iter=5, random_state=random_state)
        points = normalize(np.asarray(svd.fit_transform(tfidf), dtype=np.float64))
    else:
        # A corpus no larger than the LSA dimension: the TF-IDF rows themselves (an SVD to n-1 dimensions
        # would only distort their angles), left with their full-vocabulary norms so dot products stay cosines.
        points = tfidf.toarray().astype(np.float64)
    return Representation(tfidf, points, vocabulary, residual)
