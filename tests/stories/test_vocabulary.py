"""The numba term counter against scikit-learn's CountVectorizer as the exact oracle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from storyclust.stories.vectorize import STOP_WORDS
from storyclust.stories.vocabulary import count_terms

from story_helpers import fixture_texts  # noqa: F401 (a fixture)


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
    monkeypatch.setattr("storyclust.stories.vocabulary._CHUNK", 4)
    chunked = count_terms(fixture_texts, STOP_WORDS)
    assert (whole.counts != chunked.counts).nnz == 0
    assert np.array_equal(whole.df, chunked.df)
    ids = np.arange(whole.counts.shape[1])
    assert whole.names(ids).tolist() == chunked.names(ids).tolist()


def test_bad_ngram_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="ngram_range"):
        count_terms(["a b"], (), (1, 3))
