"""The state's copies against the one-shot content-aware stage: any batching of a corpus with template lines,
site chrome, thin pages and headline-only records replays to the one-shot groups; group ids last; the group
changes are logged."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings, strategies as st

from storyclust.dedup import deduplicate
from storyclust.pipeline import prepare
from storyclust.records import Article
from storyclust.settings import DedupConfig
from storyclust.state import events, read_state, update
from storyclust.state.group_ids import assign_ids

# Low template thresholds, so that lines and shingles turn template part-way through a replay.
CONFIG = DedupConfig(template_articles=6, template_source_articles=3)

WORDS = ("council vote budget river bridge school strike harbour market festival storm police court mayor "
         "hospital union train airport factory election museum farmers protest rescue fire road water").split()
NAMES = ("Alvarez Brennan Okafor Lindqvist Moreau Tanaka Kowalski Haddad Fitzgerald Nakamura Petrov Osei "
         "Delgado Varga Castellano").split()
CHROME = ["Sign in to your account", "You must enter the characters shown in the image",
          "Subscribe to our newsletter for daily updates", "Watch the latest videos from our newsroom",
          "Copyright Example Media Group. All rights reserved."]
FOOTER = {"daily-post": "Follow the Daily Post on social media for breaking news",
          "city-wire": "City Wire reporting; additional reporting by staff writers",
          None: "Share this article with your friends"}


def _story(rng: random.Random, k: int) -> tuple[str, str]:
    name, other = rng.sample(NAMES, 2)
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 60)))
    title = f"{name} {rng.choice(WORDS)} {rng.choice(WORDS)} report {k}"
    return title, f"{name} told reporters on day {rng.randint(1, 28)} that {words}. {other} said {rng.randint(2, 999)} people came."


def _rewrite(rng: random.Random, text: str) -> str:
    words = text.split()
    for _ in range(rng.randint(0, 3)):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def build_corpus(seed: int) -> list[Article]:
    """About 60 articles: stories with copies and near copies, template footers per source and across
    sources, chrome-only pages (some identical), template-only near twins that tell different stories, and
    headline-only records."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    out: list[Article] = []

    def add(title: str, text: str, source: str | None, day: int | None) -> None:
        date = None if day is None else start + timedelta(days=day, hours=rng.randint(0, 23))
        out.append(Article(f"a{len(out):03d}", title, text, date, source))

    sources = list(FOOTER)
    for k in range(rng.randint(10, 16)):
        title, text = _story(rng, k)
        source = rng.choice(sources)
        day = rng.choice([rng.randint(0, 60), None]) if rng.random() < 0.2 else rng.randint(0, 60)
        add(title, f"{text}\n{FOOTER[source]}", source, day)
        for _ in range(rng.choice([0, 0, 1, 2, 3])):  # copies and near copies, elsewhere
            s2 = rng.choice(sources)
            add(rng.choice([title, title.upper(), f"{title} (update)"]), f"{_rewrite(rng, text)}\n{FOOTER[s2]}",
                s2, None if day is None else day + rng.randint(0, 3))
    for k in range(rng.randint(4, 9)):  # chrome pages: thin once their lines are template
        lines = rng.sample(CHROME, rng.randint(2, 4))
        title = rng.choice(["Login", "Video", "Subscribe"])
        add(title, "\n".join(lines), rng.choice(sources), rng.randint(0, 60))
        if rng.random() < 0.4:
            add(title, "\n".join(lines), rng.choice(sources), rng.randint(0, 60))
    for k in range(rng.randint(3, 6)):  # one template, different names and numbers
        name = rng.choice(NAMES)
        add(f"{name} dividend notice", f"Qtly div {rng.randint(1, 90)} cts vs {rng.randint(1, 90)} cts prior\n"
            f"{name} Corp said the dividend is payable on day {rng.randint(1, 28)} to holders of record",
            "city-wire", rng.randint(0, 60))
    for k in range(rng.randint(2, 6)):  # headline-only records, some repeated
        title = f"{rng.choice(NAMES)} wins {rng.choice(WORDS)} award"
        for _ in range(rng.choice([1, 2])):
            add(title, "", rng.choice(sources), rng.randint(0, 60))
    return out


def one_shot(articles: list[Article]) -> set[tuple[str, frozenset]]:
    result = deduplicate(articles, prepare(articles).texts, CONFIG)
    return {(articles[g.canonical].id, frozenset(articles[m].id for m in g.members)) for g in result.groups}


def state_groups(folder) -> set[tuple[str, frozenset]]:
    run = read_state(folder)
    ids = [a.id for a in run.articles]
    return {(ids[g.canonical], frozenset(ids[m] for m in g.members)) for g in run.dedup.groups}


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(1, 6))
def test_any_batching_replays_to_the_one_shot_groups(tmp_path_factory, corpus_seed, order_seed, runs):
    articles = build_corpus(corpus_seed)
    rng = random.Random(order_seed)
    rng.shuffle(articles)
    cuts = sorted(rng.sample(range(1, len(articles)), runs - 1))
    folder = tmp_path_factory.mktemp("state")
    for lo, hi in zip((0, *cuts), (*cuts, len(articles))):
        update(folder, articles[lo:hi], dedup=CONFIG, dedup_only=True)
    assert state_groups(folder) == one_shot(articles)
    run = read_state(folder)
    oracle = deduplicate(articles, prepare(articles).texts, CONFIG)
    assert run.dedup.thin.tolist() == oracle.thin.tolist()
    assert len(run.dedup.pairs) == len(oracle.pairs)


def test_the_corpus_exercises_template_thin_pages_and_content_checks():
    """The property above is about content-aware copies: the built corpora have template lines, thin pages
    and pairs the plain rule would join but the content checks keep apart."""
    articles = build_corpus(3)
    result = deduplicate(articles, prepare(articles).texts, CONFIG)
    assert len(result.template) >= 3 and result.thin.sum() >= 4
    assert any(result.evidence["thin_exact"]) and len(result.groups) >= 3
    plain = deduplicate(articles, prepare(articles).texts, DedupConfig(template_articles=0, template_source_articles=0,
                                                                        thin_shingles=0))
    assert {g.members for g in plain.groups} != {g.members for g in result.groups}


def test_group_ids_last_and_changes_are_logged(tmp_path, make_articles):
    """A thin page's copies are found again when its lines turn template; a group's id survives a run that
    only adds members; a chrome page that turns thin leaves its group (copy lost, group split)."""
    body = "the harbour bridge vote was delayed again after a long council debate on the budget for the river"
    a = Article("orig", "Bridge vote delayed", body, datetime(2024, 1, 1), "x")
    b = Article("copy", "Bridge vote delayed", body + " today", datetime(2024, 1, 2), "y")
    update(tmp_path, [a, b], dedup=CONFIG, dedup_only=True)
    first = read_state(tmp_path).dedup.groups
    group_before = json.loads(next(e.detail for e in events(tmp_path) if e.kind == "copy found"))
    c = Article("copy2", "Bridge vote delayed", body + " tonight", datetime(2024, 1, 3), "z")
    update(tmp_path, [c], dedup=CONFIG, dedup_only=True)
    found = [e for e in events(tmp_path) if e.kind == "copy found"]
    assert [e.article for e in found] == ["copy2"] and json.loads(found[0].detail) == group_before
    assert len(first) == 1 and len(read_state(tmp_path).dedup.groups) == 1

    # Two pages of the same chrome and a little text: copies while the chrome is rare, thin once it is template.
    chrome = "\n".join(CHROME[:4])
    p = Article("page1", "Login", chrome + "\nregister", datetime(2024, 2, 1), "site")
    q = Article("page2", "Sign in", chrome + "\nlog in", datetime(2024, 2, 2), "other")
    update(tmp_path, [p, q], dedup=CONFIG, dedup_only=True)
    assert ("page1", frozenset({"page1", "page2"})) in state_groups(tmp_path)
    more = [Article(f"chrome{k}", f"Page {k}", chrome + f"\nsection {k} {NAMES[k]}", datetime(2024, 2, 3 + k),
                    f"s{k}") for k in range(6)]
    update(tmp_path, more, dedup=CONFIG, dedup_only=True)
    order = [a, b, c, p, q, *more]
    assert state_groups(tmp_path) == one_shot(order)
    assert not any("page2" in members for _, members in state_groups(tmp_path))
    kinds = [e.kind for e in events(tmp_path)]
    assert "copy lost" in kinds
    lost = next(e for e in events(tmp_path) if e.kind == "copy lost")
    assert lost.article == "page2"


def test_assign_ids_follows_the_canonical_and_never_reuses():
    old_group = {1: 10, 2: 10, 3: 10, 4: 11, 5: 11}
    old_canonical = {10: 1, 11: 4}
    # 10 splits ({1, 2} keeps it: its canonical), 11 merges with 3; a new group takes a fresh id.
    ids, next_id = assign_ids([(1, [1, 2]), (4, [3, 4, 5]), (7, [7, 8])], old_group, old_canonical, 12)
    assert ids == [10, 11, 12] and next_id == 13
    # the canonical left: the group with most of the old members keeps the id
    ids, _ = assign_ids([(2, [2, 3]), (5, [5, 6])], {2: 10, 3: 10, 5: 10}, {10: 1}, 12)
    assert ids == [10, 12]
