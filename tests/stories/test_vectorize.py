"""The TF-IDF built on the term counter, against scikit-learn's transformer and vectorizer; LSA."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

from storyclust.stories.vectorize import STOP_WORDS, lsa_dimensions, vectorize, weigh
from storyclust.stories.vocabulary import count_terms

from conftest import STORY_VOCABULARIES
from story_helpers import fixture_texts  # noqa: F401 (a fixture)

TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W_]+\b"


def test_weights_match_scikit_learns_transformer(fixture_texts: list[str]) -> None:
    counted = count_terms(fixture_texts, STOP_WORDS)
    every = np.arange(len(counted.df))
    ours, residual = weigh(counted.counts, counted.df, np.ones(len(every), bool), every)
    theirs = TfidfTransformer(sublinear_tf=True).fit_transform(counted.counts.astype(np.float64))
    assert abs(ours - theirs).max() < 1e-6
    assert np.allclose(residual, 0.0, atol=1e-5)
    # Keeping some columns: the same weights there, and the rest of each row's unit norm as its residual.
    keep = every[counted.df >= 2]
    kept, residual = weigh(counted.counts, counted.df, np.ones(len(every), bool), keep)
    assert abs(kept - theirs[:, keep]).max() < 1e-6
    assert np.allclose(residual, 1.0 - np.asarray(theirs[:, keep].multiply(theirs[:, keep]).sum(axis=1)).ravel(),
                       atol=1e-5)


def test_vectorize_gives_scikit_learns_tfidf_restricted_to_the_kept_terms(fixture_texts: list[str]) -> None:
    rep = vectorize(fixture_texts, max_features=None, min_df=2, max_df=0.5, ngram_range=(1, 2), components=10,
                    random_state=0)
    sk = TfidfVectorizer(stop_words=STOP_WORDS, sublinear_tf=True, max_df=0.5, ngram_range=(1, 2),
                         token_pattern=TOKEN_PATTERN)
    full = sk.fit_transform(fixture_texts).toarray()
    vocabulary = sk.vocabulary_
    names = rep.names(np.arange(rep.tfidf.shape[1]))
    df = (full > 0).sum(axis=0)
    assert sorted(names) == sorted(t for t, j in vocabulary.items() if df[j] >= 2)
    expected = full[:, [vocabulary[t] for t in names]]
    assert np.abs(rep.tfidf.toarray() - expected).max() < 1e-6
    # Rows stay normalised over the full vocabulary: kept weight plus residual is one for every article.
    kept = np.asarray(rep.tfidf.multiply(rep.tfidf).sum(axis=1)).ravel()
    assert np.allclose(kept + rep.residual, 1.0, atol=1e-5)
    assert rep.points.shape == (35, 10)
    assert np.allclose(np.linalg.norm(rep.points, axis=1), 1.0)


def test_lsa_fitted_on_a_sample_keeps_the_geometry(fixture_texts: list[str]) -> None:
    """A basis fitted on 30 of 35 articles still separates the two seed stories' angles much as the full fit."""
    kwargs = dict(max_features=None, min_df=2, max_df=0.5, ngram_range=(1, 2), components=8, random_state=0)
    full = vectorize(fixture_texts, **kwargs).points
    sampled = vectorize(fixture_texts, svd_sample=30, **kwargs).points
    assert sampled.shape == full.shape
    assert np.allclose(np.linalg.norm(sampled, axis=1), 1.0)
    # Cosines between articles agree closely (a tolerance band: the bases differ).
    assert np.abs(sampled @ sampled.T - full @ full.T).mean() < 0.1


def test_lsa_dimensions_grow_with_the_corpus_between_100_and_200() -> None:
    sizes = [0, 10, 2_500, 2_501, 4_900, 6_400, 9_999, 10_000, 10**6]
    dims = [lsa_dimensions(n) for n in sizes]
    assert dims == [100, 100, 100, 100, 140, 160, 200, 200, 200]
    assert all(a <= b for a, b in pairwise(dims))


def test_vectorize_without_components_uses_lsa_dimensions(news_writer) -> None:
    writer = news_writer(3)
    topics = list(STORY_VOCABULARIES)
    documents = [writer.article(topics[i % len(topics)], id=str(i)).text for i in range(130)]
    rep = vectorize(documents, max_features=None, min_df=2, max_df=0.5, ngram_range=(1, 2), components=None,
                    random_state=0)
    assert rep.points.shape == (130, lsa_dimensions(130)) == (130, 100)
    assert np.allclose(np.linalg.norm(rep.points, axis=1), 1.0)


def test_a_corpus_without_any_term_gives_empty_vectors() -> None:
    rep = vectorize(["the and", "of it", ""], max_features=None, min_df=2, max_df=0.5, ngram_range=(1, 2),
                    components=2, random_state=0)
    assert rep.tfidf.shape == (3, 1) and rep.tfidf.nnz == 0
    assert rep.names([0]).tolist() == [""]
    assert sparse.issparse(rep.tfidf)
