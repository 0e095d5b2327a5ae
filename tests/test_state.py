"""The state folder's contracts: replayed copies equal the one-shot stage's, skipped and replaced ids,
settings bound to the state, story ids that last (apart from logged merges) and are never reused."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace as with_
from datetime import timedelta

import pytest

from storyclust.dedup import deduplicate
from storyclust.ingest import read_articles
from storyclust.pipeline import prepare
from storyclust.records import Article
from storyclust.settings import DedupConfig, StoryConfig
from storyclust.state import StateError, events, read_state, update


def one_shot_groups(articles: list[Article]) -> set[tuple[str, frozenset]]:
    """The oracle: the one-shot duplicate stage (storyclust.dedup.deduplicate: template, content checks,
    components and the canonical rule) over all articles at once, as (canonical id, member ids)."""
    result = deduplicate(articles, prepare(articles).texts, DedupConfig())
    return {(articles[g.canonical].id, frozenset(articles[m].id for m in g.members)) for g in result.groups}


def state_groups(folder) -> set[tuple[str, frozenset]]:
    run = read_state(folder)
    ids = [a.id for a in run.articles]
    return {(ids[g.canonical], frozenset(ids[m] for m in g.members)) for g in run.dedup.groups}


@pytest.fixture(scope="module")
def fixture_articles(seeds_dir, wire_dir) -> list[Article]:
    return read_articles([seeds_dir, wire_dir]).articles


@pytest.mark.parametrize("cuts", [(1,), (5,), (3, 12, 20, 34), tuple(range(1, 35, 4))])
def test_replayed_copies_equal_the_one_shot_run(tmp_path, fixture_articles, cuts):
    rng = random.Random(len(cuts))
    articles = list(fixture_articles)
    rng.shuffle(articles)  # copies arrive before, after and with their originals
    bounds = (0, *cuts, len(articles))
    for lo, hi in zip(bounds, bounds[1:]):
        update(tmp_path, articles[lo:hi])
    expected = one_shot_groups(articles)
    assert len(expected) == 5  # the five seeds, each with its wire copies
    assert state_groups(tmp_path) == expected


def test_late_earlier_article_becomes_canonical(tmp_path, fixture_articles):
    seeds = [a for a in fixture_articles if "__" not in a.id]
    copies = [a for a in fixture_articles if "__" in a.id]
    early = with_(seeds[0], date=seeds[0].date - timedelta(days=1)) if seeds[0].date else seeds[0]
    update(tmp_path, copies)
    update(tmp_path, [early])
    groups = state_groups(tmp_path)
    assert groups == one_shot_groups(copies + [early])
    assert any(canon == early.id for canon, _ in groups)
    found = [e for e in events(tmp_path) if e.kind == "copy found"]
    assert found and all(e.story is None for e in found)


def test_same_id_and_content_is_skipped_other_content_refused(tmp_path, fixture_articles):
    first = update(tmp_path, fixture_articles[:10])
    again = update(tmp_path, fixture_articles[:12])
    assert (first.added, again.added, again.skipped) == (10, 2, 10)
    changed = with_(fixture_articles[3], text=fixture_articles[3].text + " An added closing line.")
    with pytest.raises(StateError, match=r"id '.*' is already in the state with other content; give --replace"):
        update(tmp_path, [changed])
    assert len(read_state(tmp_path).articles) == 12  # the refused run changed nothing


def test_replace_rebuilds_groups(tmp_path, fixture_articles, make_articles):
    update(tmp_path, fixture_articles)
    victim = next(a for a in fixture_articles if "__" in a.id)
    unrelated = with_(victim, title="A different article", text=make_articles(["Nothing in common here at all."])[0].text)
    report = update(tmp_path, [unrelated], replace=True)
    assert report.replaced == 1 and report.added == 1
    rest = [a for a in fixture_articles if a.id != victim.id]
    assert state_groups(tmp_path) == one_shot_groups(rest + [unrelated])
    assert [e.kind for e in events(tmp_path)].count("article replaced") == 1


def test_duplicate_id_in_a_batch_is_an_error(tmp_path, fixture_articles):
    with pytest.raises(StateError, match="appears twice in this batch"):
        update(tmp_path, [fixture_articles[0], fixture_articles[0]])


@pytest.mark.parametrize("setting, value", [("shingle_size", 4), ("num_perm", 64), ("seed", 2),
                                            ("jaccard_threshold", 0.4)])
def test_incompatible_settings_are_refused_by_name(tmp_path, fixture_articles, setting, value):
    update(tmp_path, fixture_articles[:5])
    with pytest.raises(StateError, match=rf"{setting} is .* in this state but the run asks for {value}"):
        update(tmp_path, fixture_articles[5:], dedup=with_(DedupConfig(), **{setting: value}))
    with pytest.raises(StateError, match="max_gap_days is 180.0 in this state"):
        update(tmp_path, fixture_articles[5:], stories=StoryConfig(max_gap_days=7.0))
    assert update(tmp_path, fixture_articles[5:]).added == len(fixture_articles) - 5  # None: the state's settings


def _story_of(folder) -> dict[str, int]:
    run = read_state(folder)
    return dict(zip((a.id for a in run.articles), run.stories.story_of.tolist()))


def test_story_ids_last_and_are_never_reused(tmp_path, story_corpus):
    articles, truth, _ = story_corpus
    order = sorted(range(len(articles)), key=lambda i: articles[i].date)
    batches = [order[k : k + 7] for k in range(0, len(order), 7)]
    before: dict[str, int] = {}
    used: set[int] = set()
    for batch in batches:
        report = update(tmp_path, [articles[i] for i in batch])
        survivor = {e.other: e.story for e in events(tmp_path) if e.kind == "story merged"}
        after = _story_of(tmp_path)
        for aid, s in before.items():
            while s in survivor and after[aid] != s:
                s = survivor[s]
            assert after[aid] == s  # unchanged, or moved only by a logged merge
        assert not used & set(report.stories_created)
        used |= set(report.stories_created)
        before = after
    # the copies carry their original's story, and every story is one true story
    stories = _story_of(tmp_path)
    by_story: dict[int, set[str]] = {}
    for i, a in enumerate(articles):
        by_story.setdefault(stories[a.id], set()).add(truth[i])
    assert all(len(names) == 1 for names in by_story.values())
    assert len(by_story) == len(set(truth))


def test_stories_view_since_and_changed(tmp_path, story_corpus):
    articles, _, _ = story_corpus
    dated = sorted(articles, key=lambda a: a.date)
    update(tmp_path, dated[:20])
    last = update(tmp_path, dated[20:])
    changed = read_state(tmp_path, changed=True)
    assert {s.story_id for s in changed.stories.stories} == set(last.stories_created) | set(last.stories_extended)
    cut = dated[30].date
    recent = read_state(tmp_path, since=cut)
    assert recent.stories.stories and all(s.last_date >= cut for s in recent.stories.stories)
    whole = read_state(tmp_path)
    assert len(whole.articles) == len(articles)
    assert sorted(whole.stories.story_of.tolist()) == sorted(_story_of(tmp_path).values())


def test_state_records_runs_and_is_in_wal_mode(tmp_path, fixture_articles):
    update(tmp_path, fixture_articles[:5], inputs={"paths": ["x"]})
    conn = sqlite3.connect(tmp_path / "state.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 5
