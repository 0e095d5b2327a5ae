"""Shared fixtures: the fixture corpus (5 real seeds + 30 deterministic wire copies) and article builders."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence

import pytest

try:  # one clear message instead of a collection error in every test module
    import storyclust  # noqa: F401
    from hypothesis import HealthCheck, settings
except ModuleNotFoundError as error:
    raise pytest.UsageError(
        f"{error.name!r} is not installed for {sys.executable}. The tests need storyclust and its test extras: "
        "run `pip install '.[test]' && pytest` (README), in a virtualenv if you like."
    ) from error

from storyclust.records import Article

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


# ------------------------------------------------------------------ synthetic news with known stories

# Words any news article uses, whatever it is about: the shared background every story is written over.
NEWS_BACKGROUND = tuple(
    """
    officials government statement minister country people city local police security report meeting
    support plan public months early later national international region spokesman press conference
    agency community leaders continue expected announced official sources added spokeswoman authorities
    residents morning evening people state federal district office department council emergency response
    """.split()
)

# One vocabulary per story: a story's articles draw their topic words from its own pool only.
STORY_VOCABULARIES = {
    "flood": "flood floods river rainfall dam levee evacuation evacuees rescue boats submerged villages monsoon "
    "embankment waters inundated",
    "election": "election ballot ballots polling voters turnout candidate candidates opposition incumbent recount "
    "constituency campaign electoral commission",
    "strike": "strike strikers union unions wages pay dockworkers port container shipping walkout picket "
    "negotiators contract bargaining",
    "quake": "earthquake quake magnitude tremor aftershocks epicentre seismic rubble collapsed buildings survivors "
    "debris richter fault",
    "vaccine": "vaccine vaccines vaccination doses clinical trial efficacy regulator pharmaceutical immunisation "
    "booster antibodies approval jab",
    "launch": "rocket launch satellite orbit payload spacecraft launchpad countdown astronauts lunar mission "
    "telescope thrusters capsule",
    "wildfire": "wildfire wildfires blaze firefighters acres containment smoke evacuate brush flames drought winds "
    "scorched hectares",
    "merger": "merger acquisition shareholders takeover bid billion antitrust regulators deal valuation stake "
    "board acquirer premium",
}


class NewsWriter:
    """Writes independent synthetic articles: sentences mixing a topic pool with the shared background.

    Two articles on one topic share vocabulary but no sentence, so they are the same story and never copies.
    All randomness comes from the seeded ``random.Random`` given.
    """

    def __init__(self, rng):
        self.rng = rng

    def sentence(self, pool: Sequence[str]) -> str:
        rng = self.rng
        words = [rng.choice(pool) for _ in range(rng.randint(5, 8))]
        words += [rng.choice(NEWS_BACKGROUND) for _ in range(rng.randint(4, 7))]
        rng.shuffle(words)
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def article(
        self, topic: str | Sequence[str], *, id: str, date: datetime | None = None, source: str | None = None
    ) -> Article:
        pool = STORY_VOCABULARIES[topic].split() if isinstance(topic, str) else list(topic)
        rng = self.rng
        paragraphs = [
            " ".join(self.sentence(pool) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(4, 6))
        ]
        title = " ".join(rng.choice(pool) for _ in range(5)).capitalize() + " " + rng.choice(NEWS_BACKGROUND)
        return Article(id=id, title=title, text="\n\n".join(paragraphs), date=date, source=source)


@pytest.fixture
def news_writer() -> Callable[[int], NewsWriter]:
    """``news_writer(seed)`` -> a :class:`NewsWriter` drawing from ``random.Random(seed)``."""
    import random

    return lambda seed: NewsWriter(random.Random(seed))


@pytest.fixture(scope="session")
def story_corpus():
    """8 stories of 3-8 independent articles each (dates within 5 days, stories 45 days apart, 3 outlets),
    followed by 10 ``synth.rewrite`` copies of randomly chosen articles.

    Returns ``(articles, truth, copies)``: ``truth[i]`` is article i's story name, ``copies`` lists
    ``(copy index, original index)`` pairs.
    """
    import random
    from datetime import timedelta, timezone

    from benchmarks.synth import rewrite

    rng = random.Random(7)
    writer = NewsWriter(rng)
    articles: list[Article] = []
    truth: list[str] = []
    start = datetime(2022, 1, 10, tzinfo=timezone.utc)
    for s, topic in enumerate(STORY_VOCABULARIES):
        first = start + timedelta(days=45 * s)
        for j in range(rng.randint(3, 8)):
            date = first + timedelta(days=rng.randint(0, 4))
            articles.append(writer.article(topic, id=f"{topic}-{j}", date=date, source=f"Outlet {j % 3}"))
            truth.append(topic)
    copies = []
    for k, original in enumerate(rng.sample(range(len(articles)), 10)):
        copy = rewrite(articles[original], rng, id=f"copy-{k}").article
        articles.append(copy)
        truth.append(truth[original])
        copies.append((len(articles) - 1, original))
    return articles, truth, copies
