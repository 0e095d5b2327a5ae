"""StoryClusterer: the scikit-learn clustering contract, and the edge cases (empty input, one and two articles,
all-identical articles, min_cluster_size larger than the corpus)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from sklearn.base import clone

import storyclust
from storyclust import Article, DedupConfig, StoryClusterer, StoryConfig
from storyclust.estimator import as_articles
from storyclust.evaluate import bcubed

from conftest import NewsWriter

START = datetime(2021, 6, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def small_corpus() -> tuple[list[Article], list[str]]:
    """Three topics, four independent articles each, interleaved, all within a week."""
    writer = NewsWriter(random.Random(31))
    articles, truth = [], []
    for i in range(4):
        for topic in ("quake", "merger", "vaccine"):
            articles.append(writer.article(topic, id=f"{topic}-{i}", date=START + timedelta(days=i)))
            truth.append(topic)
    return articles, truth


def test_get_params_returns_the_keyword_params() -> None:
    assert StoryClusterer().get_params() == {"config": None, "dedup": None, "random_state": None}
    config, dedup = StoryConfig(max_gap_days=7), DedupConfig(seed=3)
    estimator = StoryClusterer(config=config, dedup=dedup, random_state=4)
    assert estimator.get_params() == {"config": config, "dedup": dedup, "random_state": 4}
    assert estimator.set_params(random_state=5) is estimator and estimator.random_state == 5


def test_parameters_are_keyword_only() -> None:
    with pytest.raises(TypeError, match="positional argument"):
        StoryClusterer(StoryConfig())  # type: ignore[misc]


def test_init_stores_without_validating() -> None:
    estimator = StoryClusterer(config="not a config")  # type: ignore[arg-type]
    assert estimator.config == "not a config"
    assert not hasattr(estimator, "labels_")


def test_clone_gives_an_unfitted_copy_with_equal_params(small_corpus) -> None:
    articles, _ = small_corpus
    estimator = StoryClusterer(config=StoryConfig(merge_similarity=0.5), random_state=2).fit(articles)
    copy = clone(estimator)
    assert copy is not estimator
    assert copy.get_params() == estimator.get_params()
    assert not hasattr(copy, "labels_") and not hasattr(copy, "result_")


def test_fit_returns_self_with_fitted_attributes(small_corpus) -> None:
    articles, truth = small_corpus
    estimator = StoryClusterer()
    assert estimator.fit(articles) is estimator
    assert estimator.labels_.shape == estimator.story_probability_.shape == (len(articles),)
    assert ((estimator.story_probability_ >= 0) & (estimator.story_probability_ <= 1)).all()
    assert isinstance(estimator.result_, storyclust.Result)
    assert bcubed(estimator.labels_.tolist(), truth).f1 == 1.0
    assert sorted(set(estimator.labels_.tolist())) == [0, 1, 2]
    assert estimator.labels_.tolist() == estimator.result_.stories.story_of.tolist()  # no singletons here


def test_fit_predict_equals_fit_labels(small_corpus) -> None:
    articles, _ = small_corpus
    predicted = StoryClusterer().fit_predict(articles)
    assert predicted.tolist() == StoryClusterer().fit(articles).labels_.tolist()
    assert StoryClusterer().fit_predict(articles, y=[0] * len(articles)).tolist() == predicted.tolist()


def test_plain_strings_are_accepted(small_corpus) -> None:
    articles, truth = small_corpus
    texts = [f"{a.title}\n\n{a.text}" for a in articles]
    estimator = StoryClusterer().fit(texts)
    assert [a.id for a in estimator.result_.articles] == [str(i) for i in range(len(texts))]
    assert bcubed(estimator.labels_.tolist(), truth).f1 == 1.0


def test_mixed_articles_and_strings(small_corpus) -> None:
    articles, _ = small_corpus
    mixed = as_articles([articles[0], "Some text.", articles[1]])
    assert mixed[0] is articles[0] and mixed[2] is articles[1]
    assert (mixed[1].id, mixed[1].title, mixed[1].text) == ("1", "", "Some text.")


def test_wrong_item_type_raises_type_error() -> None:
    with pytest.raises(TypeError, match=r"^item 1: expected an Article or a str, got int$"):
        StoryClusterer().fit(["text", 3])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"config": {"max_gap_days": 7}}, r"^config must be a StoryConfig, got dict$"),
        ({"config": DedupConfig()}, r"^config must be a StoryConfig, got DedupConfig$"),
        ({"dedup": StoryConfig()}, r"^dedup must be a DedupConfig, got StoryConfig$"),
    ],
)
def test_wrong_config_type_raises_type_error_in_fit(params: dict, message: str) -> None:
    estimator = StoryClusterer(**params)
    with pytest.raises(TypeError, match=message):
        estimator.fit(["A text about something.", "Another text."])


def test_random_state_gives_identical_labels_and_overrides_the_configs(small_corpus) -> None:
    articles, _ = small_corpus
    first = StoryClusterer(random_state=7).fit(articles)
    second = StoryClusterer(random_state=7).fit(articles)
    assert first.labels_.tolist() == second.labels_.tolist()
    assert np.array_equal(first.story_probability_, second.story_probability_)
    assert first.result_.stories.config.random_state == 7
    assert first.result_.config.seed == 7
    unchanged = StoryClusterer(config=StoryConfig(random_state=3)).fit(articles[:3])
    assert unchanged.result_.stories.config.random_state == 3


def test_config_is_not_modified_by_fit(small_corpus) -> None:
    articles, _ = small_corpus
    config = StoryConfig(max_gap_days=30)
    estimator = StoryClusterer(config=config, random_state=9).fit(articles[:6])
    assert estimator.config is config and config.random_state == 0
    assert estimator.result_.stories.config == StoryConfig(max_gap_days=30, random_state=9, svd_components=100)
    assert config.svd_components is None


# ------------------------------------------------------------------------------------------------ edge cases


def test_empty_input_fits_to_empty_labels() -> None:
    estimator = StoryClusterer().fit([])
    assert estimator.labels_.shape == estimator.story_probability_.shape == (0,)
    assert estimator.result_.stories.stories == []
    assert storyclust.cluster([]).stories.counts() == {"stories": 0, "singleton_stories": 0}


def test_one_article_is_a_single_article_story() -> None:
    estimator = StoryClusterer().fit(["The harbour authority reopened the northern pier after repairs."])
    assert estimator.labels_.tolist() == [-1]
    assert estimator.story_probability_.tolist() == [1.0]
    (story,) = estimator.result_.stories.stories
    assert (story.story_id, story.members, story.copies, story.singleton) == (0, (0,), (), True)
    assert estimator.result_.stories.story_of.tolist() == [0]


def test_two_articles_of_one_story_are_joined(small_corpus) -> None:
    articles, _ = small_corpus
    estimator = StoryClusterer().fit([articles[0], articles[3]])  # two quake articles
    assert estimator.labels_.tolist() == [0, 0]
    assert estimator.result_.dedup.copies == 0


CENTRAL_BANK = Article(
    id="bank",
    title="Central bank raises rates to curb inflation",
    text=(
        "The central bank raised its benchmark interest rate by half a percentage point, its sharpest increase "
        "in two decades, as policymakers tried to cool inflation running at a 40-year high.\n\n"
        "The governor told reporters the bank was prepared to act again at its next meeting if prices kept "
        "rising, and warned that mortgage costs would climb for millions of households.\n\n"
        "Markets had expected the move. The currency firmed slightly against the dollar after the decision and "
        "bond yields rose to their highest level since the opening of the year."
    ),
)
CRICKET = Article(
    id="cricket",
    title="Spinner takes six wickets as hosts collapse before tea",
    text=(
        "A leg-spinner playing only his third Test match took six wickets for 41 runs as the hosts were "
        "bowled out for 187 shortly before tea on the opening day at the seaside ground.\n\n"
        "The captain steadied the innings with a patient half-century before he was stumped dancing down the "
        "pitch, and the tail folded quickly to googlies they did not pick."
    ),
)


def test_two_unrelated_articles_sharing_a_few_words_are_two_stories() -> None:
    # They share "half" and "opening": with two articles min_df=2 keeps only those, which must not make
    # the articles look alike (their cosine over the full vocabulary is tiny).
    estimator = StoryClusterer().fit([CRICKET, CENTRAL_BANK])
    assert estimator.result_.stories.story_of.tolist() == [0, 1]
    assert estimator.labels_.tolist() == [-1, -1]


def test_two_articles_with_no_shared_word_are_two_stories() -> None:
    left = Article(id="l", title="Lighthouse keepers retire", text="Lighthouse keepers retired after decades.")
    right = Article(id="r", title="Orchestra tours abroad", text="Orchestra musicians tour European concert halls.")
    estimator = StoryClusterer().fit([left, right])
    assert estimator.result_.stories.story_of.tolist() == [0, 1]
    assert estimator.labels_.tolist() == [-1, -1]
    assert all(s.singleton for s in estimator.result_.stories.stories)


def test_all_identical_articles_are_one_story_of_one_article_and_its_copies(small_corpus) -> None:
    articles, _ = small_corpus
    text = f"{articles[0].title}\n\n{articles[0].text}"
    estimator = StoryClusterer().fit([text] * 5)
    result = estimator.result_
    (story,) = result.stories.stories
    assert story.members == (0,) and story.copies == (1, 2, 3, 4)
    assert story.size == 1 and story.singleton
    assert result.dedup.copies == 4 and len(result.dedup.groups) == 1
    assert result.stories.story_of.tolist() == [0] * 5
    assert estimator.labels_.tolist() == [-1] * 5  # one article and its copies: HDBSCAN's noise


def test_min_cluster_size_larger_than_the_corpus(small_corpus) -> None:
    articles, truth = small_corpus
    estimator = StoryClusterer(config=StoryConfig(min_cluster_size=50)).fit(articles)
    assert bcubed(estimator.labels_.tolist(), truth).f1 == 1.0  # merging still finds the three stories
    assert (estimator.labels_ >= 0).all()


def test_empty_texts_do_not_break_fitting(small_corpus) -> None:
    articles, _ = small_corpus
    estimator = StoryClusterer().fit(["", "   ", articles[0], articles[3]])
    assert len(estimator.labels_) == 4
    assert estimator.labels_[2] == estimator.labels_[3] >= 0
    assert estimator.result_.stories.story_of[0] != estimator.result_.stories.story_of[2]
