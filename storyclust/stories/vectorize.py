"""Story representation: TF-IDF (title weighted over body), reduced with TruncatedSVD (LSA), L2-normalised.

HDBSCAN never sees the raw sparse TF-IDF matrix: on sparse input it computes every pairwise distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numba
import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.preprocessing import normalize

from .identity import IdentityBlock, combine
from .vocabulary import TermNames, count_terms

__all__ = ["Representation", "story_documents", "vectorize", "weigh", "lsa", "lsa_dimensions", "STOP_WORDS"]

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
    article. ``points`` are the rows HDBSCAN sees. ``names(columns)`` gives the text of ``tfidf`` columns.
    With an identity block (:func:`.identity.combine`), ``tfidf``'s first ``topic_columns`` columns are the
    terms and the rest the identity features."""

    tfidf: sparse.csr_matrix
    points: np.ndarray
    residual: np.ndarray
    terms: TermNames | None = None
    columns: np.ndarray | None = None  # the kept columns' term ids in ``terms``
    topic_columns: int | None = None  # columns of ``tfidf`` that are terms (None: all)

    def names(self, columns: Sequence[int] | np.ndarray) -> np.ndarray:
        if self.terms is None or self.columns is None:
            return np.full(len(columns), "", dtype=object)
        return self.terms.names(self.columns[np.asarray(columns, np.int64)])

    @property
    def topic(self) -> sparse.csr_matrix:
        """The term columns of ``tfidf`` (all of it without an identity block)."""
        if self.topic_columns is None or self.topic_columns == self.tfidf.shape[1]:
            return self.tfidf
        return self.tfidf[:, : self.topic_columns].tocsr()


_FIT_TERMS = 65_536  # terms the LSA basis is fitted on when it is fitted on a sample


class StoryDocuments(Sequence[str]):
    """The text each article is vectorised from: the title repeated ``title_weight`` times, then the body.
    Built on access (a slice gives a list), so a million articles are not held a second time."""

    def __init__(self, titles: Sequence[str], texts: Sequence[str], title_weight: int) -> None:
        if len(titles) != len(texts):
            raise ValueError(f"{len(titles)} titles for {len(texts)} texts")
        self._titles, self._texts, self._weight = titles, texts, title_weight

    def __len__(self) -> int:
        return len(self._texts)

    def _one(self, i: int) -> str:
        return " ".join([self._titles[i]] * self._weight + [self._texts[i]])

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self._one(i) for i in range(*index.indices(len(self)))]
        return self._one(range(len(self))[index])


def story_documents(titles: Sequence[str], texts: Sequence[str], title_weight: int) -> StoryDocuments:
    """The text each article is vectorised from (see :class:`StoryDocuments`)."""
    return StoryDocuments(titles, texts, title_weight)


def weigh(
    counts: sparse.csr_matrix, df: np.ndarray, allowed: np.ndarray, keep: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """scikit-learn's ``TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm="l2")`` over the ``allowed``
    terms, ``(1 + ln tf) * (ln((1 + n) / (1 + df)) + 1)`` with each row scaled to unit length, then only the
    ``keep`` columns (sorted term ids) returned, renumbered ``0..len(keep)-1``. Also returns each row's
    squared norm in the allowed terms that were not kept (0 for an empty row). One parallel pass, without a
    weighted copy of the full matrix."""
    n = counts.shape[0]
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    idf[~allowed] = 0.0
    column = np.full(counts.shape[1], -1, np.int64)
    column[keep] = np.arange(len(keep))
    data, indices, indptr, residual = _weigh(counts.indptr, counts.indices, counts.data, idf, column)
    return sparse.csr_matrix((data, indices, indptr), shape=(n, len(keep))), residual


@numba.njit(cache=True, parallel=True)
def _weigh(indptr, indices, counts, idf, column):
    n = len(indptr) - 1
    kept = np.zeros(n, np.int64)
    for d in numba.prange(n):
        for e in range(indptr[d], indptr[d + 1]):
            if idf[indices[e]] > 0 and column[indices[e]] >= 0:
                kept[d] += 1
    out_ptr = np.zeros(n + 1, np.int64)
    for d in range(n):
        out_ptr[d + 1] = out_ptr[d] + kept[d]
    data = np.empty(out_ptr[n], np.float32)
    out_idx = np.empty(out_ptr[n], np.int32)
    residual = np.zeros(n)
    for d in numba.prange(n):
        total = 0.0
        for e in range(indptr[d], indptr[d + 1]):
            w = (1.0 + np.log(counts[e])) * idf[indices[e]]
            total += w * w
        if total == 0.0:
            continue
        scale = 1.0 / np.sqrt(total)
        o = out_ptr[d]
        inside = 0.0
        for e in range(indptr[d], indptr[d + 1]):
            c = column[indices[e]]
            w = (1.0 + np.log(counts[e])) * idf[indices[e]] * scale
            if w > 0 and c >= 0:
                data[o] = w
                out_idx[o] = c
                inside += np.float64(np.float32(w)) ** 2
                o += 1
        residual[d] = max(1.0 - inside, 0.0)
    return data, out_idx, out_ptr, residual


def lsa_dimensions(n: int) -> int:
    """LSA dimensions for ``n`` articles when none are set: 100 up to 2,500 articles, then ``2 sqrt(n)``, at
    most 200 (reached at 10,000): a larger corpus holds more stories to keep apart, and the cap bounds the
    neighbor search's cost and the points' memory (docs/settings.md, ``svd_components``)."""
    return int(min(200, max(100, round(2.0 * math.sqrt(n)))))


def vectorize(
    documents: Sequence[str],
    *,
    max_features: int | None,
    min_df: int,
    max_df: float,
    ngram_range: tuple[int, int],
    components: int | None,
    random_state: int,
    svd_sample: int | None = None,
    identity: IdentityBlock | None = None,
    identity_weight: float = 0.0,
    sources: Sequence[str | None] | None = None,
    source_share: float | None = None,
    source_min: int = 10,
) -> Representation:
    """TF-IDF with English (and news) stop words and sublinear tf, then LSA to ``components`` dimensions
    (:func:`lsa_dimensions` of the corpus size when ``None``).

    Terms are counted by :func:`storyclust.stories.vocabulary.count_terms` (the same tokens, words and word pairs as
    scikit-learn's ``TfidfVectorizer`` with this module's settings, and the same weights; about 8x faster).
    Rows are L2-normalised over the full vocabulary *before* terms below ``min_df`` are dropped, so a dot
    product of two rows is their exact cosine: a term in one article only never adds to a dot product, but
    it does belong in the article's norm. (Normalising after the drop would make two long, unrelated
    articles that share two words look identical.) ``max_df`` is relaxed on corpora under 20 articles.
    The LSA basis is fitted on at most ``svd_sample`` rows (a seeded random sample; all rows when ``None``)
    and every row is projected on it. On corpora no larger than ``components``, the TF-IDF rows themselves
    are the points. With ``identity`` and ``identity_weight > 0``, the rows are first combined with the
    identity block (:func:`.identity.combine`), and LSA, the graph and the merge all see the combined rows.
    With ``sources`` and a ``source_share``, each source's chrome terms are left out of its rows first
    (:func:`drop_source_terms`, sources of at least ``source_min`` articles), as if they were stop words there.
    """
    n = len(documents)
    if components is None:
        components = lsa_dimensions(n)
    counted = count_terms(documents, STOP_WORDS, ngram_range)
    df = counted.df
    if sources is not None and source_share is not None:
        counts = drop_source_terms(counted.counts, sources, source_share, source_min)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
    else:
        counts = counted.counts
    allowed = df <= (max_df if n >= 20 else 1.0) * n
    keep = np.flatnonzero(allowed & (df >= min_df))
    if max_features is not None and len(keep) > max_features:
        keep = np.sort(keep[np.lexsort((keep, -df[keep]))[:max_features]])
    if len(keep) == 0:
        keep = np.flatnonzero(allowed)
    if len(keep) == 0:  # no term at all: every document empty or stop words only
        empty = sparse.csr_matrix((n, 1), dtype=np.float32)
        return Representation(empty, np.zeros((n, 1), np.float32), np.zeros(n))
    tfidf, residual = weigh(counts, df, allowed, keep)
    topic_columns = None
    if identity is not None and identity_weight > 0 and identity.matrix.shape[1] > 0:
        topic_columns = tfidf.shape[1]
        tfidf, residual = combine(tfidf, residual, identity, identity_weight)
    terms = counted.terms
    del counted, counts  # the raw counts (4 GB at 1M articles) are not needed past this point
    if n > components and tfidf.shape[1] > components:
        points = lsa(tfidf, components, random_state, svd_sample)
    else:
        # A corpus no larger than the LSA dimension: the TF-IDF rows themselves (an SVD to n-1 dimensions
        # would only distort their angles), left with their full-vocabulary norms so dot products stay cosines.
        points = tfidf.toarray().astype(np.float32)
    return Representation(tfidf, points, residual, terms, keep, topic_columns)


def lsa(tfidf: sparse.csr_matrix, components: int, random_state: int, sample: int | None) -> np.ndarray:
    """Rows projected on the top ``components`` right singular vectors (randomised SVD), L2-normalised, in
    float32 (the neighbor search works in float32; at a million articles and 200 dimensions float64 would
    hold 1.6 GB).

    With ``sample`` below the row count, the vectors are fitted on that many seeded random rows and on the
    ``_FIT_TERMS`` terms most frequent in them (the rest carry little of the top components' energy and
    cost most of the SVD's dense work), and every row is projected on them.
    """
    n = tfidf.shape[0]
    svd = TruncatedSVD(n_components=components, algorithm="randomized", n_iter=5, random_state=random_state)
    if sample is None or n <= sample:
        return normalize(np.asarray(svd.fit_transform(tfidf), dtype=np.float32))
    rows = np.sort(np.random.default_rng(random_state).choice(n, size=sample, replace=False))
    fit = tfidf[rows]
    df = np.bincount(fit.indices, minlength=fit.shape[1])
    terms = np.sort(np.argsort(-df, kind="stable")[: min(_FIT_TERMS, int((df > 0).sum()))])
    if len(terms) <= components:
        terms = np.arange(fit.shape[1])
    svd.fit(fit[:, terms])
    basis = np.zeros((components, tfidf.shape[1]), np.float32)
    basis[:, terms] = svd.components_
    return normalize(np.asarray(tfidf @ basis.T, dtype=np.float32))


SOURCE_LIFT = 4.0


def drop_source_terms(counts: sparse.csr_matrix, sources: Sequence[str | None], share: float,
                      min_articles: int) -> sparse.csr_matrix:
    """``counts`` without a term in the rows of a source (with at least ``min_articles`` rows) when more than
    ``share`` of that source's rows hold it: a site's name, its tagline, its weather-desk plug, the chrome
    around every page it publishes. Such a term says which site published an article, not which story it
    tells. A term must also be held ``SOURCE_LIFT`` times as often in the source's rows as in all rows, so the
    corpus' own topics (a politics site's "president") stay. Rows without a source keep every term."""
    n, v = counts.shape
    codes_of: dict[str, int] = {}
    codes = np.array([codes_of.setdefault(x, len(codes_of)) if x else -1 for x in sources], np.int64)
    size = np.bincount(codes[codes >= 0], minlength=len(codes_of))
    rows = np.flatnonzero(codes >= 0)
    rows = rows[size[codes[rows]] >= min_articles]
    if len(rows) == 0:
        return counts
    k = len(codes_of)
    member = sparse.csr_matrix((np.ones(len(rows), np.int32), (codes[rows], rows)), shape=(k, n))
    present = sparse.csr_matrix((np.ones(counts.nnz, np.int32), counts.indices, counts.indptr), shape=(n, v))
    held = (member @ present).tocsr()  # per source and term: how many of the source's rows hold it
    source = np.repeat(np.arange(k), np.diff(held.indptr))
    df = np.bincount(counts.indices, minlength=v)[held.indices].astype(np.float64)
    own = size[source].astype(np.float64)
    # a source's term, not the corpus' topic: it is also SOURCE_LIFT times as common in the source as overall
    template = (held.data > share * own) & (held.data * float(n) >= SOURCE_LIFT * df * own)
    if not template.any():
        return counts
    flags = sparse.csr_matrix((np.ones(int(template.sum()), np.int32), (source[template], held.indices[template])),
                              shape=(k, v))
    dropped = counts.multiply(member.T.tocsr() @ flags).tocsr()  # the entries of a row whose source has the term
    out = (counts - dropped.astype(counts.dtype)).tocsr()
    out.eliminate_zeros()
    out.sort_indices()
    return out
