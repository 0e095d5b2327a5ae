"""Story quality and bookkeeping: the real seeds, a generated corpus with known stories and copies, noise
articles, dates that split a recurring topic, and the ``storyclust.cluster`` API."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

import storyclust
from storyclust.evaluate import bcubed
from storyclust.export import write_outputs
from storyclust.ingest import read_articles
from storyclust.records import Article
from storyclust.pipeline import Result
from storyclust.records import Stories, Story
from storyclust.settings import StoryConfig
from storyclust.stories.vectorize import lsa_dimensions

from conftest import NewsWriter, STORY_VOCABULARIES

MAY_2021 = {"000_e0606421c078fc18", "001_1a0f9e0c1cde66bd", "003_cd5b6eb30dfdc74c"}
WAR_2023 = {"002_3736cbc9c8377d79", "004_229fe3e3d03ea7a0"}

# Topic words no generated story uses.
CRICKET_WORDS = "cricket batsman wicket bowler innings umpire stumps boundary pitch spinner".split()

# An article unlike any other in the generated corpora: a cricket report sharing no topic words with them
# and none of their background words.
CRICKET = Article(
    id="cricket",
    title="Spinner takes six wickets as hosts collapse before tea",
    text=(
        "A leg-spinner playing only his third Test match took six wickets for 41 runs as the hosts were "
        "bowled out for 187 shortly before tea on the opening day at the seaside ground.\n\n"
        "The visitors chose to bowl first under grey skies, and their seamers removed both openers inside "
        "the first hour with the new ball swinging late.\n\n"
        "The captain steadied the innings with a patient half-century, driving handsomely through the "
        "covers, before he was stumped dancing down the pitch to the leg-spinner.\n\n"
        "From there the tail folded quickly: four batsmen fell to googlies they did not pick, and the last "
        "pair added only nine runs before a sharp catch at short leg ended the innings.\n\n"
        "The visiting openers survived a testing spell under lights to reach 22 without loss at stumps."
    ),
    date=datetime(2022, 2, 1, tzinfo=timezone.utc),
    source="Cricket Weekly",
)


def stories_of(result: Result) -> Stories:
    assert result.stories is not None
    return result.stories


def check_bookkeeping(result: Result) -> None:
    """Invariants every story run keeps: each article in exactly one story, copies with their canonical."""
    stories = stories_of(result)
    n = len(result.articles)
    canonical_of = result.dedup.canonical_of
    assert stories.story_of.shape == stories.story_probability.shape == (n,)
    assert (stories.story_of >= 0).all()
    assert ((stories.story_probability >= 0) & (stories.story_probability <= 1)).all()
    assert [s.story_id for s in stories.stories] == list(range(len(stories.stories)))
    seen: list[int] = []
    for story in stories.stories:
        assert story.size == len(story.members) >= 1
        assert all(canonical_of[i] == i for i in story.members)
        assert all(canonical_of[c] != c and canonical_of[c] in story.members for c in story.copies)
        assert list(story.members) == sorted(story.members) and list(story.copies) == sorted(story.copies)
        assert story.representative in story.members
        assert all(stories.story_of[i] == story.story_id for i in story.members + story.copies)
        seen += story.members + story.copies
    assert sorted(seen) == list(range(n))
    # Largest first: unique articles, then copies.
    keys = [(-s.size, -len(s.copies)) for s in stories.stories]
    assert keys == sorted(keys)


# -------------------------------------------------------------------------------------------------- seeds


@pytest.fixture(scope="module")
def seeds_result(seeds_dir: Path) -> Result:
    return storyclust.run(read_articles([seeds_dir]), story_config=StoryConfig())


@pytest.fixture(scope="module")
def wire_result(seeds_dir: Path, wire_dir: Path) -> Result:
    return storyclust.run(read_articles([seeds_dir, wire_dir]), story_config=StoryConfig())


def ids_by_story(result: Result) -> list[set[str]]:
    return [{result.articles[i].id for i in s.members + s.copies} for s in stories_of(result).stories]


def test_seeds_form_the_2021_and_the_2023_24_stories(seeds_result: Result) -> None:
    assert ids_by_story(seeds_result) == [MAY_2021, WAR_2023]
    first, second = stories_of(seeds_result).stories
    assert (first.size, second.size) == (3, 2) and first.copies == second.copies == ()
    assert not first.singleton and not second.singleton
    assert first.first_date == datetime(2021, 5, 12, tzinfo=timezone.utc)
    assert first.last_date == datetime(2021, 5, 17, tzinfo=timezone.utc)
    assert (second.first_date, second.last_date) == (
        datetime(2023, 12, 20, tzinfo=timezone.utc),
        datetime(2024, 4, 28, tzinfo=timezone.utc),
    )
    assert first.sources == ("Shafaq News",) and second.sources == ()
    assert len(first.terms) == len(second.terms) == StoryConfig().terms
    assert {"gaza", "hostages"} <= set(second.terms)
    check_bookkeeping(seeds_result)


def test_seeds_war_story_spans_its_quiet_months_but_not_the_years_between_stories(seeds_dir: Path) -> None:
    # December 2023 to April 2024 is 130 days: a 100-day limit cuts the war story in two, the default keeps it.
    result = storyclust.run(read_articles([seeds_dir]), story_config=StoryConfig(max_gap_days=100))
    assert sorted(map(sorted, ids_by_story(result))) == sorted(
        [sorted(MAY_2021), ["002_3736cbc9c8377d79"], ["004_229fe3e3d03ea7a0"]]
    )


def test_wire_variants_join_their_seeds_story_as_copies(wire_result: Result, wire_truth: dict[str, str]) -> None:
    check_bookkeeping(wire_result)
    stories = stories_of(wire_result)
    index = {a.id: i for i, a in enumerate(wire_result.articles)}
    assert len(stories.stories) == 2
    for variant, seed in wire_truth.items():
        story = stories.stories[stories.story_of[index[seed]]]
        assert index[seed] in story.members
        assert index[variant] in story.copies
        assert stories.story_of[index[variant]] == story.story_id
        assert stories.story_probability[index[variant]] == stories.story_probability[index[seed]]
    first, second = stories.stories
    assert (first.size, len(first.copies)) == (3, 18)  # unique articles only; 6 variants per seed
    assert (second.size, len(second.copies)) == (2, 12)
    assert {wire_result.articles[i].id for i in first.members} == MAY_2021
    assert {wire_result.articles[i].id for i in second.members} == WAR_2023
    assert stories.counts() == {"stories": 2, "singleton_stories": 0}


# ------------------------------------------------------------------------------------ generated corpus


@pytest.fixture(scope="module")
def corpus_result(story_corpus) -> Result:
    articles, _, _ = story_corpus
    return storyclust.cluster(articles)


def test_generated_corpus_recovers_the_known_stories(story_corpus, corpus_result: Result) -> None:
    articles, truth, copies = story_corpus
    stories = stories_of(corpus_result)
    assert bcubed(stories.story_of.tolist(), truth).f1 >= 0.95
    for copy, original in copies:
        assert stories.story_of[copy] == stories.story_of[original], articles[copy].id
    assert len(stories.stories) == len(set(truth))
    check_bookkeeping(corpus_result)


def test_generated_corpus_story_sizes_count_unique_articles_only(story_corpus, corpus_result: Result) -> None:
    articles, _, copies = story_corpus
    stories = stories_of(corpus_result)
    assert sum(s.size for s in stories.stories) == len(articles) - len(copies)
    assert sum(len(s.copies) for s in stories.stories) == len(copies)


def test_generated_corpus_copies_grouped_with_their_originals_only(story_corpus, corpus_result: Result) -> None:
    articles, truth, copies = story_corpus
    dedup = corpus_result.dedup
    expected = {frozenset({copy, original}) for copy, original in copies}
    assert {frozenset(g.members) for g in dedup.groups} == expected
    for copy, original in copies:
        assert dedup.group_of[copy] == dedup.group_of[original] >= 0
    for group in dedup.groups:  # no duplicate group crosses stories
        assert len({truth[i] for i in group.members}) == 1


def test_generated_corpus_story_dates_terms_and_outlets(story_corpus, corpus_result: Result) -> None:
    articles, truth, _ = story_corpus
    topic_words = {topic: set(words.split()) for topic, words in STORY_VOCABULARIES.items()}
    for story in stories_of(corpus_result).stories:
        topic = truth[story.members[0]]
        dates = [articles[i].date for i in story.members + story.copies]
        assert (story.first_date, story.last_date) == (min(dates), max(dates))
        assert (story.last_date - story.first_date).days <= 4
        # Distinctive terms come from the story's own vocabulary (single words or pairs of them).
        assert all(set(term.split()) <= topic_words[topic] for term in story.terms), (topic, story.terms)
        assert set(story.sources) <= {"Outlet 0", "Outlet 1", "Outlet 2"}


# ----------------------------------------------------------------------------------------------- noise


def test_an_unrelated_article_becomes_a_flagged_single_article_story(story_corpus, tmp_path: Path) -> None:
    articles, _, _ = story_corpus
    articles = [*articles[:10], CRICKET, *articles[10:]]
    result = storyclust.cluster(articles)
    stories = stories_of(result)
    check_bookkeeping(result)
    story = stories.stories[stories.story_of[10]]
    assert story.members == (10,) and story.copies == () and story.singleton
    assert story.sources == ("Cricket Weekly",)
    assert [s.story_id for s in stories.stories if s.singleton] == [story.story_id]
    assert story.story_id == len(stories.stories) - 1  # single-article stories come last
    assert stories.counts() == {"stories": 9, "singleton_stories": 1}
    assert stories.story_probability[10] == 1.0

    write_outputs(result, tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "stories.jsonl").read_text("utf-8").splitlines()]
    listed = [r for r in rows if "cricket" in r["article_ids"]]
    assert len(listed) == 1
    assert {k: listed[0][k] for k in ("story_id", "size", "copies", "singleton", "article_ids", "sources")} == {
        "story_id": story.story_id,
        "size": 1,
        "copies": 0,
        "singleton": True,
        "article_ids": ["cricket"],
        "sources": ["Cricket Weekly"],
    }
    article_rows = [json.loads(line) for line in (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()]
    assert article_rows[10]["id"] == "cricket" and article_rows[10]["story_id"] == story.story_id

    estimator = storyclust.StoryClusterer().fit(articles)
    assert estimator.labels_[10] == -1
    assert (estimator.labels_ == -1).sum() == 1
    assert estimator.labels_.max() == len(stories.stories) - 2


def test_an_off_topic_article_in_common_news_words_is_a_single_article_story(story_corpus) -> None:
    articles, _, _ = story_corpus
    offtopic = NewsWriter(random.Random(5)).article(CRICKET_WORDS, id="offtopic", date=CRICKET.date)
    articles = [*articles[:10], offtopic, *articles[10:]]
    result = storyclust.cluster(articles)
    stories = stories_of(result)
    story = stories.stories[stories.story_of[10]]
    assert story.members == (10,) and story.singleton


def test_a_lone_article_in_a_small_corpus_is_its_own_story(news_writer) -> None:
    writer = news_writer(11)
    start = datetime(2021, 6, 1, tzinfo=timezone.utc)
    articles = [writer.article("quake", id=f"q{i}", date=start + timedelta(days=i)) for i in range(4)]
    articles += [writer.article("merger", id=f"m{i}", date=start + timedelta(days=i)) for i in range(4)]
    articles.insert(3, CRICKET)
    result = storyclust.cluster(articles)
    assert ids_by_story(result)[:2] == [{"q0", "q1", "q2", "q3"}, {"m0", "m1", "m2", "m3"}]
    assert ids_by_story(result)[2:] == [{"cricket"}]
    assert [s.singleton for s in stories_of(result).stories] == [False, False, True]
    check_bookkeeping(result)


def test_a_singleton_keeps_its_copies(news_writer) -> None:
    from benchmarks.synth import add_footer

    writer = news_writer(12)
    start = datetime(2021, 6, 1, tzinfo=timezone.utc)
    articles = [writer.article("launch", id=f"l{i}", date=start + timedelta(days=i)) for i in range(4)]
    copy = replace(add_footer(CRICKET, random.Random(0)), id="cricket-copy", date=None)
    articles += [CRICKET, copy]
    result = storyclust.cluster(articles)
    stories = stories_of(result)
    story = stories.stories[stories.story_of[4]]
    assert story.singleton and story.members == (4,) and story.copies == (5,)
    assert stories.story_of[5] == story.story_id
    estimator = storyclust.StoryClusterer().fit(articles)
    assert estimator.labels_.tolist() == [0, 0, 0, 0, -1, -1]


# ------------------------------------------------------------------------------------- recurring topic


@pytest.fixture(scope="module")
def two_bursts() -> list[Article]:
    """The same election vocabulary in March 2019 and in May 2023, four independent articles each."""
    writer = NewsWriter(random.Random(21))
    early = datetime(2019, 3, 4, tzinfo=timezone.utc)
    late = datetime(2023, 5, 8, tzinfo=timezone.utc)
    articles = [writer.article("election", id=f"2019-{i}", date=early + timedelta(days=i)) for i in range(4)]
    articles += [writer.article("election", id=f"2023-{i}", date=late + timedelta(days=i)) for i in range(4)]
    return articles


def test_bursts_years_apart_are_two_stories(two_bursts: list[Article]) -> None:
    result = storyclust.cluster(two_bursts)
    assert ids_by_story(result) == [{f"2019-{i}" for i in range(4)}, {f"2023-{i}" for i in range(4)}]
    first, second = stories_of(result).stories
    assert first.last_date < second.first_date
    assert not first.singleton and not second.singleton


def test_bursts_merge_when_the_gap_rule_is_off(two_bursts: list[Article]) -> None:
    result = storyclust.cluster(two_bursts, StoryConfig(max_gap_days=None))
    assert ids_by_story(result) == [{a.id for a in two_bursts}]
    story = stories_of(result).stories[0]
    assert (story.first_date.year, story.last_date.year) == (2019, 2023)


def test_undated_articles_are_never_split_off_by_time(two_bursts: list[Article]) -> None:
    undated = [replace(a, date=None) for a in two_bursts]
    result = storyclust.cluster(undated)
    assert ids_by_story(result) == [{a.id for a in two_bursts}]
    assert stories_of(result).stories[0].first_date is None


# --------------------------------------------------------------------------------------------- the API


def test_cluster_api_returns_a_result_whose_stories_cover_every_article(story_corpus) -> None:
    articles, truth, _ = story_corpus
    result = storyclust.cluster(articles[::2])
    assert isinstance(result, Result)
    assert result.articles == articles[::2]
    stories = stories_of(result)
    assert all(isinstance(s, Story) for s in stories.stories)
    covered = sorted(i for s in stories.stories for i in s.members + s.copies)
    assert covered == list(range(len(result.articles)))
    assert stories.config == StoryConfig(svd_components=100)  # the defaults, with the LSA dimensions used
    assert {"vectorize", "cluster", "label"} <= set(result.timings)
    assert bcubed(stories.story_of.tolist(), truth[::2]).f1 >= 0.95


def test_cluster_api_is_deterministic_and_seeded(story_corpus) -> None:
    articles, _, _ = story_corpus
    a = storyclust.cluster(articles, StoryConfig(random_state=3))
    b = storyclust.cluster(articles, StoryConfig(random_state=3))
    assert a.stories.story_of.tolist() == b.stories.story_of.tolist()
    assert np.array_equal(a.stories.story_probability, b.stories.story_probability)
    assert [s.terms for s in a.stories.stories] == [s.terms for s in b.stories.stories]


def test_the_settings_returned_give_the_lsa_dimensions_used(story_corpus) -> None:
    articles, _, _ = story_corpus
    assert storyclust.cluster(articles).stories.config.svd_components == lsa_dimensions(len(articles)) == 100
    assert storyclust.cluster(articles, StoryConfig(svd_components=20)).stories.config.svd_components == 20
    assert storyclust.cluster([]).stories.config.svd_components == lsa_dimensions(0)


def test_cluster_api_does_not_modify_the_articles(story_corpus) -> None:
    articles, _, _ = story_corpus
    before = [replace(a, metadata=dict(a.metadata)) for a in articles[:12]]
    storyclust.cluster(articles[:12])
    assert articles[:12] == before
