"""Record types that flow through the pipeline.

One :class:`Article` type is read, cleaned, fingerprinted and clustered; every stage returns a small
dataclass rather than a dict with magic keys.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, Sequence

import numpy as np

if TYPE_CHECKING:
    from .settings import StoryConfig


@dataclass(slots=True)
class Article:
    """One news article as read from a dump.

    ``title`` and ``text`` are the original strings: cleaning produces separate matching text and never
    changes what reports show. ``location`` is ``"<file>:<line>"`` (or ``"<file>"`` for a text file) and is
    used in every message about this record. ``metadata`` keeps every input field that is not mapped to
    one of the attributes (labels for evaluation, for instance).
    """

    id: str
    title: str
    text: str
    date: datetime | None = None
    source: str | None = None
    url: str | None = None
    location: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


def stamp(date: datetime | None) -> float:
    """A date's POSIX seconds, naive datetimes taken as UTC; NaN for no date (it compares False with every
    stamp, so callers that sort put it where they want)."""
    if date is None:
        return math.nan
    return (date if date.tzinfo else date.replace(tzinfo=timezone.utc)).timestamp()


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A record that was not read, with where it was and why (``--skip-bad``)."""

    location: str
    reason: str


@dataclass(frozen=True, slots=True)
class RenamedId:
    """An id made unique because an earlier record had the same one (``--unique-ids``)."""

    location: str
    original: str
    new: str


@dataclass(slots=True)
class ReadResult:
    """Everything read from the inputs: the articles in input order and what was skipped or renamed."""

    articles: list[Article]
    skipped: list[SkippedRecord] = field(default_factory=list)
    renamed: list[RenamedId] = field(default_factory=list)


class InputError(ValueError):
    """A malformed input record. ``str(err)`` is ``"<file>:<line>: <problem>"``."""

    def __init__(self, location: str, problem: str):
        self.location = location
        self.problem = problem
        super().__init__(f"{location}: {problem}" if location else problem)


class ProgressSink(Protocol):
    """Where long stages report progress. Library code calls it; only the CLI renders it."""

    def task(self, description: str, total: int) -> Callable[[int], None]:
        """Start a task of ``total`` units and return a function that advances it by ``n`` units."""
        ...


class NullProgress:
    """A :class:`ProgressSink` that shows nothing."""

    def task(self, description: str, total: int) -> Callable[[int], None]:
        return _ignore


def _ignore(n: int) -> None:
    return None


@contextmanager
def stage(timings: dict[str, float], key: str, progress: ProgressSink | None, description: str) -> Iterator[None]:
    """Time a pipeline stage into ``timings[key]`` (adding to it) and show it as one progress task."""
    advance = (progress or NullProgress()).task(description, 1)
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[key] = timings.get(key, 0.0) + time.perf_counter() - start
        advance(1)


@dataclass(frozen=True)
class DuplicateGroup:
    """Articles confirmed as copies of each other. ``members`` are input indices, canonical first."""

    group_id: int
    canonical: int
    members: tuple[int, ...]


@dataclass
class DedupResult:
    """The duplicate stage's answer, by input index.

    ``pairs`` holds every verified pair ``(i, j)`` with ``i < j``; ``jaccard`` and ``containment`` align with
    it. Exact copies (identical shingle sets) are paired with the first article of their kind only; the
    groups are the same as if every pair were listed. ``group_of[i]`` is the group id of article ``i`` or -1;
    ``canonical_of[i]`` is the index of its canonical article (itself when it is unique). ``similarity[i]`` is
    the exact (Jaccard, containment) of article ``i`` against its canonical article. ``candidates`` counts the
    candidate pairs verified, ``empty`` the articles without a shingle.
    """

    pairs: np.ndarray
    jaccard: np.ndarray
    containment: np.ndarray
    groups: list[DuplicateGroup]
    group_of: np.ndarray
    canonical_of: np.ndarray
    similarity: np.ndarray
    candidates: int
    empty: int
    timings: dict[str, float] = field(default_factory=dict)
    thin: np.ndarray | None = None  # bool per article: too little content left once template is removed
    weighted: np.ndarray | None = None  # (m, 2) per pair: Jaccard and containment of the content shingles
    evidence: dict[str, np.ndarray] | None = None  # per pair, see storyclust.dedup.content
    template: Any = None  # the storyclust.dedup.template.Template learned (its strip() gives an article's content)

    @property
    def canonical_mask(self) -> np.ndarray:
        return self.canonical_of == np.arange(len(self.canonical_of))

    @property
    def copies(self) -> int:
        return int((~self.canonical_mask).sum())


@dataclass(frozen=True)
class Story:
    """One story. ``members`` are the unique (canonical) articles, ``copies`` the copies of those, both as
    input indices in input order. ``singleton`` marks a story of one unique article, whichever step left it
    alone (HDBSCAN's noise, a stray let go, the time split, the mixture); its copies, if any, still belong
    to it."""

    story_id: int
    members: tuple[int, ...]
    copies: tuple[int, ...]
    representative: int
    terms: tuple[str, ...]
    first_date: datetime | None
    last_date: datetime | None
    sources: tuple[str, ...]
    singleton: bool
    names: tuple[str, ...] = ()  # key names and places (StoryConfig.names), most distinctive first

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class StoryVectors:
    """The rows the story stage compared: ``tfidf[k]`` is input article ``rows[k]``'s (a canonical article's)
    L2-normalised TF-IDF row, its identity features after the first ``topic_columns`` columns (None: terms
    only), and ``residual[k]`` its squared norm in dropped terms (see :class:`storyclust.stories.vectorize.
    Representation`), so dot products and centroid norms are the merge's exact cosines."""

    rows: np.ndarray
    tfidf: Any
    residual: np.ndarray
    topic_columns: int | None = None


@dataclass
class Stories:
    """The story stage's answer. ``story_of[i]`` and ``story_probability[i]`` cover every input article: the
    story probability is an article's membership in its story, in [0, 1] (HDBSCAN's membership probability
    for its cluster members, the cosine to the story centroid for articles merged in, 1.0 alone).
    ``config`` holds the settings used (with the LSA dimensions the run chose)."""

    stories: list[Story]
    story_of: np.ndarray
    story_probability: np.ndarray
    config: StoryConfig
    timings: dict[str, float] = field(default_factory=dict)
    provenance: Any = None  # storyclust.stories.provenance.Provenance: each article's placement, each story's history
    vectors: StoryVectors | None = None  # the rows the story stage compared, for explain

    def counts(self) -> dict[str, int]:
        return {
            "stories": len(self.stories),
            "singleton_stories": sum(s.singleton for s in self.stories),
        }

    def rows(self, articles: Sequence[Article], titles: Sequence[str]) -> Iterator[dict[str, Any]]:
        for story in self.stories:
            yield {
                "story_id": story.story_id,
                "size": story.size,
                "copies": len(story.copies),
                "singleton": story.singleton,
                "terms": list(story.terms),
                "names": list(story.names),
                "headline": titles[story.representative],
                "first_date": story.first_date.isoformat() if story.first_date else None,
                "last_date": story.last_date.isoformat() if story.last_date else None,
                "sources": list(story.sources),
                "article_ids": [articles[i].id for i in story.members],
                **({"history": self.provenance.history(story.story_id)} if self.provenance is not None else {}),
            }
