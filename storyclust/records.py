"""Record types that flow through the pipeline.

One :class:`Article` type is read, cleaned, fingerprinted and clustered; every stage returns a small
dataclass rather than a dict with magic keys.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterator, Protocol


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
