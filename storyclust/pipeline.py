"""Runs the stages in order and times them: read -> clean -> dedup -> stories."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .clean import Boilerplate, clean_article, load_boilerplate
from .dedup import deduplicate
from .ingest import FieldMap, read_articles
from .records import Article, DedupResult, NullProgress, ProgressSink, ReadResult, Stories
from .settings import DedupConfig, StoryConfig
from .stories import find_stories

__all__ = ["Prepared", "Result", "prepare", "run", "read", "cluster"]


@dataclass
class Prepared:
    """Articles with their display titles and cleaned matching texts, aligned by index."""

    articles: list[Article]
    titles: list[str]
    texts: list[str]


@dataclass
class Result:
    """A run: the input bookkeeping, the cleaned articles, the duplicates and (for a story run) the stories."""

    read: ReadResult
    prepared: Prepared
    dedup: DedupResult
    config: DedupConfig
    stories: Stories | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def articles(self) -> list[Article]:
        return self.prepared.articles


def read(
    paths: Sequence[str | Path],
    *,
    fields: FieldMap | None = None,
    skip_bad: bool = False,
    unique_ids: bool = False,
) -> tuple[ReadResult, float]:
    """Read every input; return the result and the seconds it took."""
    t = time.perf_counter()
    result = read_articles(paths, fields=fields, skip_bad=skip_bad, unique_ids=unique_ids)
    return result, time.perf_counter() - t


def prepare(articles: Sequence[Article], boilerplate: Boilerplate | None = None) -> Prepared:
    """Display titles and cleaned matching texts. The articles themselves are not changed."""
    boilerplate = boilerplate or load_boilerplate()
    cleaned = [clean_article(a.title, a.text, boilerplate) for a in articles]
    return Prepared(list(articles), [c[0] for c in cleaned], [c[1] for c in cleaned])


def run(
    read_result: ReadResult,
    config: DedupConfig = DedupConfig(),
    story_config: StoryConfig | None = None,
    *,
    boilerplate: Boilerplate | None = None,
    progress: ProgressSink | None = None,
    read_seconds: float = 0.0,
) -> Result:
    """Clean the articles and find their copies; with a ``story_config``, group them into stories too."""
    progress = progress or NullProgress()
    t = time.perf_counter()
    prepared = prepare(read_result.articles, boilerplate)
    timings = {"read": read_seconds, "clean": time.perf_counter() - t}
    dedup = deduplicate(prepared.articles, prepared.texts, config, progress)
    timings.update(dedup.timings)
    stories = None
    if story_config is not None:
        # story vectors leave out the template lines the duplicate stage learned, and a thin page (what is
        # left of it is chrome) takes part through its title alone
        texts = dedup.template.strip_all(prepared.texts) if dedup.template is not None else list(prepared.texts)
        if dedup.thin is not None:
            texts = ["" if t else x for x, t in zip(texts, dedup.thin.tolist())]
        stories = find_stories(prepared.articles, prepared.titles, texts, dedup.canonical_of, story_config, progress)
        timings.update(stories.timings)
    return Result(read_result, prepared, dedup, config, stories, timings)


def cluster(
    articles: Sequence[Article],
    config: StoryConfig | None = None,
    *,
    dedup: DedupConfig | None = None,
    boilerplate: Boilerplate | None = None,
) -> Result:
    """Find copies among ``articles`` and group them into stories: the library's main entry point.

    >>> result = cluster(articles)                      # doctest: +SKIP
    >>> result.stories.story_of                         # a story id for every article, copies included
    """
    return run(ReadResult(list(articles)), dedup or DedupConfig(), config or StoryConfig(), boilerplate=boilerplate)
