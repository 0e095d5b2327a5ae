"""Source terms: a term most of one site's articles carry, and far more often than the corpus does, is left out
of that site's story rows (against a brute-force count), and a chrome-only (thin) page joins stories by its
title alone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from scipy import sparse

from storyclust.records import Article
from storyclust.pipeline import cluster
from storyclust.settings import StoryConfig
from storyclust.stories.vectorize import SOURCE_LIFT, drop_source_terms


def _brute(counts: np.ndarray, sources: list, share: float, min_articles: int) -> np.ndarray:
    n = counts.shape[0]
    out = counts.copy()
    df = (counts > 0).sum(axis=0)
    for s in {x for x in sources if x}:
        rows = [i for i in range(n) if sources[i] == s]
        if len(rows) < min_articles:
            continue
        for j in range(counts.shape[1]):
            held = int((counts[rows, j] > 0).sum())
            if held > share * len(rows) and held / len(rows) >= SOURCE_LIFT * df[j] / n:
                out[rows, j] = 0
    return out


@pytest.mark.parametrize("seed", range(8))
def test_source_terms_are_dropped_exactly_where_the_rule_says(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, v = 60, 25
    sources = [rng.choice(["a", "b", "c", "d", "e", "f", None]) for _ in range(n)]
    dense = (rng.random((n, v)) < 0.05) * rng.integers(1, 4, (n, v))
    for j in range(3):  # a few terms most of one source's rows hold: its chrome
        s = ["a", "b", "c"][j]
        for i in range(n):
            if sources[i] == s and rng.random() < 0.9:
                dense[i, j] = 2
    got = drop_source_terms(sparse.csr_matrix(dense), sources, 0.5, 5).toarray()
    assert np.array_equal(got, _brute(dense, sources, 0.5, 5))
    assert (got != dense).any()


def test_a_term_common_to_the_whole_corpus_is_not_a_source_term() -> None:
    # every row holds term 0, so no source holds it more often than the corpus does; term 1 is b's alone
    dense = np.ones((20, 2), int)
    dense[:, 1] = 0
    dense[5:10, 1] = 1
    sources = ["a"] * 5 + ["b"] * 5 + ["c"] * 5 + ["d"] * 5
    got = drop_source_terms(sparse.csr_matrix(dense), sources, 0.5, 5).toarray()
    assert (got[:, 0] == 1).all()
    assert (got[:, 1] == 0).all()
    # with fewer than min_articles rows, a source keeps its terms
    assert (drop_source_terms(sparse.csr_matrix(dense), sources, 0.5, 6).toarray() == dense).all()


def _day(k: int) -> datetime:
    return datetime(2024, 3, 1, tzinfo=timezone.utc) + timedelta(days=k)


STORIES = [
    ("River flood", "flood river levee water crest sandbags evacuation rainfall downstream towns"),
    ("Factory fire", "fire factory blaze firefighters smoke warehouse flames chemical plant crews"),
    ("School budget", "budget school board teachers salaries vote district funding classrooms tax"),
    ("Bridge repair", "bridge repair closure traffic detour engineers steel cables lanes crossing"),
    ("Zoo panda", "zoo panda cub keepers enclosure bamboo visitors birth twins habitat"),
    ("Marathon race", "marathon runners race finish miles course record winner pace crowd"),
]
CHROME = ("subscribe gazette newsletter weather sports obituaries classifieds download app breaking alerts "
          "horoscopes puzzles crossword comics lottery results coupons deals contests events calendar")


def _corpus() -> list[Article]:
    """Six stories of eight articles; two of each story's are the gazette's, under a page of its chrome in a
    new word order each time (so no line of it repeats and the template lines cannot catch it)."""
    rng = np.random.default_rng(3)
    out = []
    for k, (title, words) in enumerate(STORIES):
        for m in range(8):
            body = " ".join(rng.choice(words.split(), 15)) + "."
            source = "gazette" if m < 2 else f"paper{k}{m}"
            chrome = " ".join(rng.permutation(CHROME.split() * 4)) if source == "gazette" else ""
            out.append(Article(id=f"s{k}-{m}", title=f"{title} {m}", text=f"{body}\n{chrome}",
                               date=_day(k * 3 + m % 2), source=source))
    return out


def _stories(result) -> list[set[str]]:
    by: dict[int, set[str]] = {}
    for a, s in zip(result.articles, result.stories.story_of.tolist()):
        by.setdefault(s, set()).add(a.id)
    return sorted(by.values(), key=sorted)


def test_a_sites_chrome_does_not_glue_its_stories_together() -> None:
    articles = _corpus()
    truth = sorted(({f"s{k}-{m}" for m in range(8)} for k in range(len(STORIES))), key=sorted)
    assert _stories(cluster(articles, StoryConfig())) == truth
    # without the rule, the gazette's articles of every story share its chrome and form one story
    glued = _stories(cluster(articles, StoryConfig(source_terms=None)))
    assert {f"s{k}-{m}" for k in range(len(STORIES)) for m in range(2)} in glued


def _chrome(name: str) -> str:
    return (f"Close Get email notifications on {name} daily!\n\nYour notification has been saved.\n\n"
            f"There was a problem saving your notification.\n\nWhenever {name} posts new content, you'll get an "
            f"email delivered to your inbox with a link.\n\nEmail notifications are only sent once a day, and only "
            f"if there are new matching items.")


def test_a_chrome_only_page_joins_the_story_its_title_tells() -> None:
    # 180 articles of six stories, and 36 pages (each from its own site) whose text is only a notification
    # form around an author's name: their shared chrome would make them one story of their own
    rng = np.random.default_rng(5)
    first, last = "Jesse Margaret Lillian Tim Ann Joe".split(), "Bogan Gillerman Schrock Barker Rice Holleman".split()
    articles = []
    for k, (title, words) in enumerate(STORIES):
        w = words.split()
        for m in range(30):
            articles.append(Article(id=f"s{k}-{m}", title=f"{title} {w[m % 9]} {w[m % 9 + 1]}",
                                    text=" ".join(rng.choice(w, 20)) + ".", date=_day(k * 3), source=f"p{k}-{m}"))
        for m in range(6):
            articles.append(Article(id=f"thin{k}-{m}", title=f"{title} {w[m + 2]} {w[m + 3]}",
                                    text=_chrome(f"{first[m]} {last[k]}"), date=_day(k * 3), source=f"site{k}-{m}"))
    result = cluster(articles, StoryConfig())
    ids = [a.id for a in articles]
    assert all(result.dedup.thin[i] == a.id.startswith("thin") for i, a in enumerate(articles))
    story = dict(zip(ids, result.stories.story_of.tolist()))
    assert all(story[f"thin{k}-{m}"] == story[f"s{k}-0"] for k in range(len(STORIES)) for m in range(6))
    assert len(set(story.values())) == len(STORIES)
