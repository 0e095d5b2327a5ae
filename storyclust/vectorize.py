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
    """``tfidf`` is the sparse matrix (rows L2-normalised), ``points`` the dense reduced rows (L2-normalised)."""

    tfidf: sparse.csr_matrix
    points: np.ndarray
    vocabulary: np.ndarray


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

    ``max_df`` is relaxed on corpora under 20 articles, and ``min_df`` to 1 when no term reaches it, so five
    articles still vectorise.
    """
    n = len(documents)

    def fit(min_df_used: int) -> tuple[sparse.csr_matrix, np.ndarray]:
        vectorizer = TfidfVectorizer(
            stop_words=STOP_WORDS,
            sublinear_tf=True,
            min_df=min_df_used,
            max_df=max_df if n >= 20 else 1.0,
            max_features=max_features,
            ngram_range=ngram_range,
            token_pattern=r"(?u)\b[^\W\d_][^\W_]+\b",  # words that start with a letter, 2+ characters
            dtype=np.float32,
        )
        return vectorizer.fit_transform(documents).tocsr(), vectorizer.get_feature_names_out()

    tfidf, vocabulary = None, None
    for attempt in dict.fromkeys((min(min_df, max(n, 1)), 1)):
        try:
            tfidf, vocabulary = fit(attempt)
            break
        except ValueError:  # no term left: every document empty, stop words only, or nothing shared
            continue
    if tfidf is None:
        tfidf = sparse.csr_matrix((n, 1), dtype=np.float32)
        vocabulary = np.array([""], dtype=object)
    if n > components and tfidf.shape[1] > components:
        svd = TruncatedSVD(n_components=components, algorithm="randomized", n_iter=5, random_state=random_state)
        points = svd.fit_transform(tfidf)
    else:
        # A corpus smaller than the LSA dimension: the TF-IDF rows themselves (an SVD to n-1 dimensions
        # would only distort their angles).
        points = tfidf.toarray()
    points = normalize(np.asarray(points, dtype=np.float64))
    return Representation(tfidf, points, vocabulary)
