"""The numba term counter and the TF-IDF built on it, against scikit-learn as the exact oracle."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer

from storyclust.clean import normalize
from storyclust.terms import count_terms
from storyclust.vectorize import STOP_WORDS, lsa_dimensions, vectorize, weigh

from conftest import STORY_VOCABULARIES

TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W_]+\b"


def sklearn_counts(docs, ngram_range=(1, 2), stop_words=STOP_WORDS) -> dict[str, np.ndarray]:
    """Term -> per-document count column, from scikit-learn's CountVectorizer."""
    cv = CountVectorizer(stop_words=stop_words, ngram_range=ngram_range, token_pattern=TOKEN_PATTERN)
    try:
        matrix = cv.fit_transform(docs).toarray()
    except ValueError:  # empty vocabulary
        return {}
    return {term: matrix[:, j] for term, j in cv.vocabulary_.items()}


def our_counts(docs, ngram_range=(1, 2), stop_words=STOP_WORDS) -> dict[str, np.ndarray]:
    counted = count_terms(docs, stop_words, ngram_range)
    matrix = counted.counts.toarray()
    names = counted.names(np.arange(matrix.shape[1]))
    assert len(set(names)) == len(names), "two ids for one term"
    assert np.array_equal(counted.df, (matrix > 0).sum(axis=0))
    return {str(term): matrix[:, j] for j, term in enumerate(names)}


def assert_same_counts(docs, **kwargs) -> None:
    ours, theirs = our_counts(docs, **kwargs), sklearn_counts(docs, **kwargs)
    assert set(ours) == set(theirs)
    for term, column in theirs.items():
        assert np.array_equal(ours[term], column), term


@pytest.fixture(scope="module")
def fixture_texts(repo_root: Path) -> list[str]:
    files = sorted((repo_root / "fixtures" / "seeds").glob("*.txt")) + sorted(
        (repo_root / "fixtures" / "wire").glob("*.txt")
    )
    return [normalize(p.read_text(encoding="utf-8")) for p in files]


def test_counts_match_scikit_learn_on_the_fixture_articles(fixture_texts: list[str]) -> None:
    assert len(fixture_texts) == 35
    assert_same_counts(fixture_texts)


def test_words_only_match_scikit_learn(fixture_texts: list[str]) -> None:
    assert_same_counts(fixture_texts, ngram_range=(1, 1))


def test_tokens_follow_the_token_pattern() -> None:
    docs = [
        "Gaza's ceasefire: 2021 talks, covid19 cases and 3rd-party foo_bar a I",
        "Café naïve Straße — Москва 東京, ×÷ £5 ©2024 e\u0301t\u00e9 ok 🙂ok",
        "",
        "the and of",  # stop words only
    ]
    assert_same_counts(docs)
    names = set(our_counts(docs))
    assert {"gaza", "ceasefire", "covid19", "party", "café", "straße", "москва", "東京", "ok"} <= names
    assert not {"2021", "3rd", "foo_bar", "foo", "bar", "a", "i", "the"} & names
    assert "gaza ceasefire" in names  # pairs skip the dropped "'s" token and stop words
    assert "talks covid19" in names


def test_pairs_skip_stop_words_like_scikit_learn() -> None:
    counted = our_counts(["attack on the city of gaza", "attack gaza city"])
    assert counted["attack city"].tolist() == [1, 0]
    assert counted["city gaza"].tolist() == [1, 0]
    assert counted["attack gaza"].tolist() == [0, 1]


_ALPHABET = st.sampled_from(
    list("abcdefgh  ") + list("AB09_.,'-") + ["é", "ß", "ж", "東", "\u0301", "—", "£", "×", "🙂", "\n", "™", "·"]
)


@given(st.lists(st.text(_ALPHABET, max_size=60), min_size=1, max_size=6))
def test_counts_match_scikit_learn_on_arbitrary_text(docs: list[str]) -> None:
    assert_same_counts(docs, stop_words=["ab", "ba"])


def test_terms_are_numbered_by_first_appearance() -> None:
    counted = count_terms(["zebra apple", "apple mango zebra"], (), (1, 1))
    assert counted.names([0, 1, 2]).tolist() == ["zebra", "apple", "mango"]
    assert counted.df.tolist() == [2, 2, 1]


def test_counting_is_chunked_without_changing_the_result(monkeypatch, fixture_texts: list[str]) -> None:
    whole = count_terms(fixture_texts, STOP_WORDS)
    monkeypatch.setattr("storyclust.terms._CHUNK", 4)
    chunked = count_terms(fixture_texts, STOP_WORDS)
    assert (whole.counts != chunked.counts).nnz == 0
    assert np.array_equal(whole.df, chunked.df)
    ids = np.arange(whole.counts.shape[1])
    assert whole.names(ids).tolist() == chunked.names(ids).tolist()


def test_bad_ngram_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="ngram_range"):
        count_terms(["a b"], (), (1, 3))


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


@given(st.lists(st.lists(st.sampled_from([0.0, 0.1, 0.2, 0.5, 1.0]), min_size=6, max_size=6), max_size=8),
       st.integers(1, 4))
def test_top_terms_are_each_rows_best_columns_ties_to_the_earlier(rows: list[list[float]], count: int) -> None:
    from storyclust.label import top_terms

    scores = sparse.csr_matrix(np.array(rows, dtype=np.float64).reshape(len(rows), 6))
    names = np.array(list("abcdef"), dtype=object)
    expected = []
    for row in rows:
        ranked = sorted((c for c in range(6) if row[c] > 0), key=lambda c: (-row[c], c))
        expected.append([names[c] for c in ranked[:count]])
    assert top_terms(scores, lambda columns: names[columns], count) == expected
