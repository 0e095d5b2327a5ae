"""The story side of the state: window clusters matched to stored stories, provisional articles that move
(logged), settled articles that never do, copies that go with their canonical article."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyclust.settings import StoryConfig
from storyclust.state import events, placement, read_state, storyline, update
from storyclust.state.placement import match_clusters, place


def test_matching_pairs_the_largest_overlaps_first():
    # cluster 0 holds 3 articles of story 5, cluster 1 one of story 5 and two new ones
    labels = [0, 0, 0, 1, 1, 1]
    current = [5, 5, 5, 5, None, None]
    assert match_clusters(labels, current, [False] * 6) == {0: 5, 1: None}
    # settled articles count first: cluster 1's one settled article of story 5 wins it over three provisional
    assert match_clusters(labels, current, [False, False, False, True, False, False]) == {0: None, 1: 5}


def test_a_cluster_without_a_story_of_its_own_joins_its_settled_articles():
    labels = [0, 0, 1, 1]
    current = [7, 7, 7, None]
    settled = [True, True, True, False]
    assert match_clusters(labels, current, settled) == {0: 7, 1: 7}  # story 7's settled article cannot leave
    assert place(labels, current, settled) == [7, 7, 7, 7]


@given(st.lists(st.tuples(st.integers(0, 4), st.one_of(st.none(), st.integers(0, 5)), st.booleans()),
                max_size=30))
def test_placement_invariants(rows):
    labels = [c for c, _, _ in rows]
    current = [s for _, s, _ in rows]
    settled = [keep and s is not None for _, s, keep in rows]
    story_of = match_clusters(labels, current, settled)
    out = place(labels, current, settled)
    for c, s, keep, got in zip(labels, current, settled, out):
        assert got == (s if keep else story_of[c])  # settled rows keep their story; the others follow the cluster
    if not any(settled):  # with nothing settled the stories are exactly the clusters
        named = [s for s in story_of.values() if s is not None]
        assert len(named) == len(set(named))
    for c, s in story_of.items():  # a cluster only takes a story some of its rows hold
        assert s is None or s in {t for label, t in zip(labels, current) if label == c}


@pytest.fixture
def scripted(monkeypatch):
    """The story stage with its clusters replaced by ``plan[article id]`` (set by the test before each run);
    everything else (copies, matching, writes, labels) is the real code."""
    plan: dict[str, int] = {}
    real = storyline._cluster

    def cluster(rows, config, template):
        labels, probability, rep = real(rows, config, template)
        ids = dict(zip(range(1_000_000), order))
        return np.array([plan[ids[r[0]]] for r in rows], np.int64), probability, rep

    order: list[str] = []
    monkeypatch.setattr(storyline, "_cluster", cluster)
    monkeypatch.setattr(placement, "PROVISIONAL_RUNS", 2)
    return plan, order


def _stories(folder) -> dict[str, int]:
    run = read_state(folder)
    return dict(zip((a.id for a in run.articles), run.stories.story_of.tolist()))


def test_provisional_articles_move_logged_settled_ones_stay(tmp_path, story_corpus, scripted):
    plan, order = scripted
    articles = story_corpus[0][:7]
    copy = replace(articles[2], id="copy-of-2")  # identical text: a copy whose canonical is articles[2]
    config = StoryConfig(max_gap_days=None)
    a = [x.id for x in articles]

    def run(batch, labels):
        order.extend(x.id for x in batch)
        plan.update(labels)
        report = update(tmp_path, batch, stories=config)
        return report, events(tmp_path, report.run_id), _stories(tmp_path)

    _, _, first = run(articles[:4] + [copy], {i: 0 for i in a[:4]})
    assert len({first[i] for i in a[:4]}) == 1 and first["copy-of-2"] == first[a[2]]
    s = first[a[0]]

    # run 2: the window splits the story; articles 2 and 3 are provisional, so they move, with 2's copy
    _, log, second = run([articles[4]], {a[0]: 0, a[1]: 0, a[2]: 1, a[3]: 1, a[4]: 1})
    t = second[a[2]]
    assert t != s and second[a[0]] == second[a[1]] == s and second[a[3]] == second[a[4]] == second["copy-of-2"] == t
    moved = sorted((e.article, e.story, e.other) for e in log if e.kind == "article moved")
    assert moved == sorted((i, t, s) for i in (a[2], a[3], "copy-of-2"))
    assert [(e.story, e.other) for e in log if e.kind == "story split"] == [(t, s)]

    # run 3: nothing changes; in run 4 the first run's articles are settled (older than 2 runs) and stay
    # against the window, run 2's is still provisional and moves
    run([articles[5]], {a[5]: 1})
    plan.update({a[3]: 0, a[4]: 0})
    extra = replace(articles[0], id="late", text=articles[0].text + "\n\nA later paragraph.", title="Later")
    _, log, fourth = run([extra], {"late": 0})
    assert fourth[a[2]] == fourth[a[3]] == fourth[a[5]] == fourth["copy-of-2"] == t
    assert fourth[a[4]] == fourth["late"] == s
    assert [(e.article, e.story, e.other) for e in log if e.kind == "article moved"] == [(a[4], s, t)]


def test_no_moves_without_provisional_runs(tmp_path, story_corpus, scripted, monkeypatch):
    plan, order = scripted
    monkeypatch.setattr(placement, "PROVISIONAL_RUNS", 0)
    articles = story_corpus[0][:3]
    config = StoryConfig(max_gap_days=None)
    order.extend(x.id for x in articles)
    plan.update({x.id: 0 for x in articles})
    update(tmp_path, articles[:2], stories=config)
    before = _stories(tmp_path)
    plan[articles[1].id] = 1
    report = update(tmp_path, articles[2:], stories=config)
    assert not [e for e in events(tmp_path, report.run_id) if e.kind == "article moved"]
    after = _stories(tmp_path)
    assert all(after[i] == before[i] for i in before)


def test_a_story_left_empty_by_moves_is_not_shown(tmp_path, story_corpus, scripted):
    plan, order = scripted
    articles = story_corpus[0][:3]
    config = StoryConfig(max_gap_days=None)
    order.extend(x.id for x in articles)
    plan.update({articles[0].id: 0, articles[1].id: 1})
    update(tmp_path, articles[:2], stories=config)
    before = _stories(tmp_path)
    plan.update({articles[1].id: 0, articles[2].id: 0})
    update(tmp_path, articles[2:], stories=config)
    after = _stories(tmp_path)
    assert len(set(after.values())) == 1 and after[articles[0].id] == before[articles[0].id]
    shown = {st_.story_id for st_ in read_state(tmp_path).stories.stories}
    assert shown == {before[articles[0].id]}
