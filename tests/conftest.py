"""Shared fixtures: the fixture corpus (5 real seeds + 30 deterministic wire copies) and article builders."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence

import pytest
from hypothesis import HealthCheck, settings

from storyclust.models import Article

# Hypothesis runs seeded (derandomised) and never writes an example database into the repository; numba's
# first-call compilation must not count against an example's deadline.
settings.register_profile(
    "storyclust",
    database=None,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("storyclust")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def seeds_dir(repo_root: Path) -> Path:
    return repo_root / "fixtures" / "seeds"


@pytest.fixture(scope="session")
def wire_dir(repo_root: Path) -> Path:
    return repo_root / "fixtures" / "wire"


@pytest.fixture(scope="session")
def wire_truth(repo_root: Path) -> dict[str, str]:
    """Wire variant id -> id of the seed it was made from."""
    return json.loads((repo_root / "fixtures" / "wire_truth.json").read_text("utf-8"))


ArticleFactory = Callable[..., list[Article]]


def articles_from(
    texts: Sequence[str],
    *,
    titles: Sequence[str] | None = None,
    dates: Sequence[datetime | None] | None = None,
    prefix: str = "a",
) -> list[Article]:
    """One :class:`Article` per text, with ids ``<prefix>0, <prefix>1, ...`` (titles empty unless given)."""
    titles = list(titles) if titles is not None else [""] * len(texts)
    dates = list(dates) if dates is not None else [None] * len(texts)
    assert len(titles) == len(texts) == len(dates)
    return [
        Article(id=f"{prefix}{i}", title=title, text=text, date=date, location=f"<test>:{i + 1}")
        for i, (text, title, date) in enumerate(zip(texts, titles, dates))
    ]


@pytest.fixture(scope="session")
def make_articles() -> ArticleFactory:
    """``make_articles(texts, titles=None, dates=None, prefix="a")`` -> list of :class:`Article`."""
    return articles_from


@pytest.fixture(scope="session")
def fixture_run(seeds_dir: Path, wire_dir: Path):
    """The dedup run over the seeds and their wire copies (read as the CLI does), shared by several modules."""
    from storyclust import pipeline
    from storyclust.ingest import read_articles

    return pipeline.run(read_articles([seeds_dir, wire_dir]))
