"""Labelled news dumps for the quality and speed benchmarks, built from real articles.

    generate(n, seed=...)     a dump of exactly n articles with wire copies, stories, dates and outlets + its truth
    write_dump(path, ...)     articles.jsonl.gz and truth.jsonl

The originals come from a clean base (:func:`benchmarks.base_corpus.distinct` of
:func:`benchmarks.base_corpus.base_articles`): real articles that are mutually not copies, so the only copies in
a dump are the ones the generator made and labelled.

How :func:`generate` builds a dump
----------------------------------
A *story unit* is one base article, or all base articles sharing a story label (BASIL ``event``, PAC ``story``:
the same event written by different outlets, which are not copies of each other). Units are drawn in rounds: each
round is a seeded permutation of the units; round 0 uses the base text as it is, and when ``n`` needs more
originals than the base holds, round ``r >= 1`` uses the units again as *reuse variants* (see
:func:`reuse_variant`): every word of the unit goes through a one-to-one word mapping seeded by (seed, unit,
round) to another word of similar corpus frequency. The same mapping serves the whole unit, so same-story
siblings keep exactly their overlaps (they stay one story, still not copies of each other), while a word maps to
itself with probability at most 1/64 and two rounds agree on about one word per frequency bucket: a reused base
is a DISTINCT document and a distinct story. ``tests/test_bench_corpus.py`` checks the exact 3-gram Jaccard and
containment of every non-copy pair at small n (fixtures); on the real base, a 40,000-article dump (seed 7)
has no pair of originals over distinct()'s bounds.

Each original gets ``K`` wire copies (:func:`benchmarks.synth.rewrite`, placed in the dump right after it) with
``K`` uniform in 1..3 for a share ``copy_rate / (1 - copy_rate) / 2`` of the originals (``K = 1 + Poisson`` when
``copy_rate > 2/3``), so about ``copy_rate`` of the dump are copies. The plan (which base, round, copy number,
date and outlet for every row) is a few numpy arrays built round by round in O(n); the dump is the plan
sorted by date, and an article's text is only made when it is read (:class:`Dump` is a lazy sequence), so
n = 1,000,000 needs ~50 bytes of plan per article plus the base. Every text depends only on (seed, base
article, round, copy number), never on n or the position.

Dates: each unit instance starts at a uniform time in ``[0, span_days - 4 days)``; its originals are dated within
2 days of that start and each copy within 2 days after its original, so a story spans at most 4 days.
Outlets: siblings get different outlets of ``outlets``; a copy gets an outlet other than its original's.

Copies are made by :func:`benchmarks.synth.rewrite` and so can resemble OTHER articles a little: a truncated
copy keeps an article's opening (in 20 Newsgroups replies, often text quoted from another post) and copies may
share an outlet footer. In that 40,000-article dump, 155 pairs of a copy and an article of another group exceed
distinct()'s bounds (max Jaccard 0.16, containment 0.55), none the pipeline's default thresholds.

Truth (:class:`Truth`, also in every article's ``metadata``): ``dup_group`` is the id of the original for a copy
and for an original that has copies in the dump, None for a unique article; ``story`` is the base label
(``"basil:<event>"``, ``"pac_partisan_events:<story>"``, with ``@<round>`` for a reuse round) or else the
original's id.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from benchmarks import synth
from benchmarks.base_corpus import BASE_CORPORA, DEFAULT_DATA, base_articles, distinct
from storyclust.records import Article

__all__ = ["OUTLETS", "STORY_LABELS", "Dump", "Truth", "generate", "make_copy", "reuse_variant", "write_dump"]

STORY_LABELS = {"basil": "event", "pac_partisan_events": "story"}
OUTLETS = (
    "Reuters", "Associated Press", "AFP", "BBC News", "The Guardian", "The New York Times", "Washington Post",
    "CNN", "Fox News", "Al Jazeera", "The Times of Israel", "France 24", "Deutsche Welle", "NPR",
    "Yahoo News", "MSN", "The Independent", "Sky News", "ABC News", "CBS News",
)
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
STORY_WINDOW_DAYS = 4


@lru_cache(maxsize=4)
def _clean_base(data_dir: str | None, names: tuple[str, ...]) -> tuple[Article, ...]:
    return tuple(distinct(base_articles(data_dir, names)))


# ------------------------------------------------------------------------------------------- documents

_WORD = re.compile(r"([^\W\d_]+|\d+)")  # letters or digits; split() keeps them at the odd positions
_M64 = (1 << 64) - 1


def _mix(x: int) -> int:
    x &= _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


class Vocabulary:
    """Words ranked by corpus frequency, in buckets of 64, 192, 768, ... words (x4 each), for :func:`reuse_variant`;
    ``primes[k]`` is the smallest prime at least as large as bucket ``k``."""

    def __init__(self, texts: Sequence[str]):
        counts = Counter(w.lower() for t in texts for w in _WORD.findall(t) if not w.isdigit())
        self.words = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))] or ["news"]
        self.rank = {w: i for i, w in enumerate(self.words)}
        bounds = [0]
        while bounds[-1] < len(self.words):
            bounds.append(min(len(self.words), bounds[-1] + 64 * 4 ** (len(bounds) - 1)))
        self.bounds = np.array(bounds, np.int64)
        self.primes = np.array([_next_prime(int(n)) for n in np.diff(self.bounds)], np.int64)


def _next_prime(n: int) -> int:
    n = max(n, 2)
    while any(n % d == 0 for d in range(2, math.isqrt(n) + 1)):
        n += 1
    return n


def _affine(key: int, salt: int, size: int) -> tuple[int, int]:
    """``(a, b)`` of the permutation ``x -> (a x + b) mod size`` of ``range(size)`` (``a`` coprime to ``size``)."""
    h = _mix(key ^ _mix(salt))
    a = 1 + h % max(size - 1, 1)
    while math.gcd(a, size) != 1:
        a += 1
    return a, _mix(h) % size


def _recase(word: str, model: str) -> str:
    if model.islower():
        return word
    if len(model) > 1 and model.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def reuse_variant(article: Article, vocab: Vocabulary, key: int, *, id: str | None = None) -> Article:
    """A distinct document made from ``article`` for a reuse round.

    Every word (run of letters) goes to a word of the same frequency bucket of ``vocab`` through a permutation
    seeded by ``key`` (``x -> (a x + b) mod p`` for the prime ``p`` at or above the bucket size, walked until it
    lands in the bucket: two keys agree on about one word per bucket), and every number to another number of as
    many digits. The mapping is one-to-one, so texts mapped with the same key (the siblings of one story unit)
    keep exactly their shingle overlaps with each other. Words missing from ``vocab`` go to a hashed word of its
    rarest bucket. Case and everything between words are kept.
    """
    title, text = _WORD.split(article.title), _WORD.split(article.text)
    forms = sorted(set(title[1::2]) | set(text[1::2]))
    lows = [f.lower() for f in forms]
    starts, sizes = vocab.bounds[:-1], np.diff(vocab.bounds)
    ab = np.array([_affine(key, k, int(p)) for k, p in enumerate(vocab.primes)], np.int64).reshape(-1, 2)
    rank = np.array([vocab.rank.get(w, -1) for w in lows], np.int64)
    bucket = np.maximum(np.searchsorted(vocab.bounds, rank, side="right") - 1, 0)
    a, b, p, x = ab[bucket, 0], ab[bucket, 1], vocab.primes[bucket], np.maximum(rank, 0) - starts[bucket]
    walking = np.ones(len(x), bool)
    while walking.any():  # cycle walking: apply the permutation of range(p) until the value is inside the bucket
        x[walking] = (a[walking] * x[walking] + b[walking]) % p[walking]
        walking = x >= sizes[bucket]
    target = (starts[bucket] + x).tolist()
    mapping = {}
    for form, low, t, r in zip(forms, lows, target, rank.tolist()):
        if low.isdigit():
            a, b = _affine(key, 1000 + len(low), 10 ** len(low))
            mapping[form] = str((a * int(low) + b) % 10 ** len(low)).zfill(len(low))
        else:
            if r < 0:
                t = int(vocab.bounds[-2] + _mix(key ^ zlib.crc32(low.encode())) % sizes[-1])
            mapping[form] = _recase(vocab.words[t], form)
    title[1::2] = [mapping[w] for w in title[1::2]]
    text[1::2] = [mapping[w] for w in text[1::2]]
    return synth.derive(article, id=id or article.id, title="".join(title), text="".join(text))


def make_copy(original: Article, rng: random.Random, *, id: str, source: str | None) -> Article:
    """A wire copy (:func:`benchmarks.synth.rewrite`) with ``ops``, ``substitute_rate`` and ``truncate_keep``
    (None when not applied) in its metadata."""
    made = synth.rewrite(original, rng, id=id, source=source)
    made.article.metadata.update(ops=list(made.ops), substitute_rate=made.substitute_rate,
                                 truncate_keep=made.truncate_keep)
    return made.article


# ------------------------------------------------------------------------------------------- the dump


@dataclass
class _Plan:
    """One row per dump article, in dump order (sorted by date)."""

    base: np.ndarray  # index into the clean base
    unit: np.ndarray  # story unit
    round: np.ndarray  # reuse round (0 = the base text)
    copy_no: np.ndarray  # 0 for an original, k >= 1 for its k-th copy
    original: np.ndarray  # dump index of the original (itself for an original)
    has_copies: np.ndarray  # bool, for originals
    seconds: np.ndarray  # date offset from START
    outlet: np.ndarray


class Truth(Mapping[str, dict]):
    """``truth[id] -> {"dup_group", "story", "kind", "corpus", "base_id", "round"}``, computed from the plan."""

    def __init__(self, dump: "Dump"):
        self._dump = dump

    def __len__(self) -> int:
        return len(self._dump)

    def __iter__(self) -> Iterator[str]:
        return (self._dump.id(i) for i in range(len(self._dump)))

    def __getitem__(self, key: str) -> dict:
        i = self._dump.index(key)
        if i is None:
            raise KeyError(key)
        return self._dump.truth(i)


class Dump(Sequence[Article]):
    """The generated articles as a lazy sequence: ``dump[i]`` makes article ``i`` (ids ``a0000000``, ...)."""

    def __init__(self, base: Sequence[Article], units: list[tuple[int, ...]], plan: _Plan, seed: int,
                 outlets: Sequence[str], vocab: Vocabulary):
        self.base, self.units, self.plan, self.seed, self.outlets, self.vocab = base, units, plan, seed, outlets, vocab
        self._width = max(7, len(str(len(plan.base) - 1)))
        self._cache: dict[int, Article] = {}

    def __len__(self) -> int:
        return len(self.plan.base)

    def id(self, i: int) -> str:
        return f"a{i:0{self._width}d}"

    def index(self, key: str) -> int | None:
        ok = len(key) == self._width + 1 and key[0] == "a" and key[1:].isdigit() and int(key[1:]) < len(self)
        return int(key[1:]) if ok else None

    def truth(self, i: int) -> dict:
        p = self.plan
        b, r, orig = int(p.base[i]), int(p.round[i]), int(p.original[i])
        meta = self.base[b].metadata
        label = STORY_LABELS.get(meta.get("corpus", ""))
        if label and meta.get(label) is not None:
            story = f"{meta['corpus']}:{meta[label]}" + (f"@{r}" if r else "")
        else:
            story = self.id(orig)
        return {"dup_group": self.id(orig) if p.has_copies[orig] else None, "story": story,
                "kind": "copy" if p.copy_no[i] else "original", "corpus": meta.get("corpus"),
                "base_id": self.base[b].id, "round": r}

    def _finish(self, article: Article, i: int) -> Article:
        p = self.plan
        article.id, article.url, article.location = self.id(i), None, f"generated:{i}"
        article.source = self.outlets[int(p.outlet[i])]
        article.date = START + timedelta(seconds=int(p.seconds[i]))
        kept = {k: v for k, v in article.metadata.items() if k in ("ops", "substitute_rate", "truncate_keep")}
        article.metadata = {**kept, **self.truth(i)}
        return article

    def _original(self, i: int) -> Article:
        p = self.plan
        b, r = int(p.base[i]), int(p.round[i])
        if not r:
            return self._finish(synth.derive(self.base[b]), i)
        key = _mix(_mix(self.seed * 1_000_003 + self.units[int(p.unit[i])][0]) ^ r)
        return self._finish(reuse_variant(self.base[b], self.vocab, key), i)

    def __getitem__(self, i: int) -> Article:  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]  # type: ignore[return-value]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        p = self.plan
        k, orig = int(p.copy_no[i]), int(p.original[i])
        if k:
            original = self._cache.get(orig) or self._original(orig)
            rng = random.Random(f"storyclust-bench:{self.seed}:{int(p.base[i])}:{int(p.round[i])}:{k}")
            return self._finish(make_copy(original, rng, id=self.id(i), source=None), i)
        article = self._original(i)
        if p.has_copies[i]:  # kept for its copies, which follow within a few days
            self._cache[i] = article
            if len(self._cache) > 20_000:
                self._cache.pop(next(iter(self._cache)))
            article = synth.derive(article)
        return article

    def __iter__(self) -> Iterator[Article]:
        return (self[i] for i in range(len(self)))


def _story_units(base: Sequence[Article]) -> list[tuple[int, ...]]:
    units: dict[Any, list[int]] = {}
    for i, a in enumerate(base):
        label = STORY_LABELS.get(a.metadata.get("corpus", ""))
        value = a.metadata.get(label) if label else None
        units.setdefault((a.metadata.get("corpus"), value) if value is not None else i, []).append(i)
    return [tuple(v) for v in units.values()]


def generate(n: int, *, seed: int, copy_rate: float = 0.2, span_days: float = 365, stories: int | None = None,
             outlets: Sequence[str] = OUTLETS, data_dir: str | Path | None = DEFAULT_DATA,
             names: Sequence[str] = BASE_CORPORA, base: Sequence[Article] | None = None) -> tuple[Dump, Truth]:
    """A dump of exactly ``n`` articles and its truth (see the module docstring). ``stories`` limits the base
    to that many story units (drawn by ``seed``; reuse starts sooner); ``base`` replaces the clean base
    ``distinct(base_articles(data_dir, names))``. Deterministic for a seed."""
    if n < 0 or not 0 <= copy_rate < 1 or span_days <= 0 or not outlets:
        raise ValueError("need n >= 0, 0 <= copy_rate < 1, span_days > 0 and at least one outlet")
    if base is None:
        base = _clean_base(None if data_dir is None else str(data_dir), tuple(names))
    units = _story_units(base)
    rng = np.random.default_rng([seed, 20240521])
    if stories is not None:
        units = [units[u] for u in sorted(rng.choice(len(units), min(stories, len(units)), replace=False))]
    if not units:
        raise ValueError("the base has no article")
    sizes = np.array([len(u) for u in units])
    flat = np.concatenate([np.array(u, np.int64) for u in units])
    first = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    mean_copies = copy_rate / (1 - copy_rate)
    span = span_days * 86400.0
    window = min(STORY_WINDOW_DAYS * 86400.0, span)
    n_out = len(outlets)
    chunks, total, r = [], 0, 0
    while total < n:
        perm = rng.permutation(len(units))
        member_unit = np.repeat(perm, sizes[perm])
        pos = np.arange(len(member_unit)) - np.repeat(np.cumsum(sizes[perm]) - sizes[perm], sizes[perm])
        m = len(member_unit)
        if mean_copies <= 2:
            copies = np.where(rng.random(m) < mean_copies / 2, rng.integers(1, 4, m), 0)
        else:
            copies = 1 + rng.poisson(mean_copies - 1, m)
        start = np.repeat(rng.uniform(0, span - window, len(units)), sizes[perm])
        orig_t = start + rng.uniform(0, window / 2, m)
        orig_outlet = (np.repeat(rng.integers(0, n_out, len(units)), sizes[perm]) + pos) % n_out
        shift = rng.integers(0, max(n_out - 1, 1), m)
        rows = 1 + copies
        row_member = np.repeat(np.arange(m), rows)
        copy_no = np.arange(rows.sum()) - np.repeat(np.cumsum(rows) - rows, rows)
        seconds = orig_t[row_member] + np.where(copy_no > 0, rng.uniform(0, window / 2, len(copy_no)), 0.0)
        outlet = np.where(copy_no > 0, (orig_outlet[row_member] + 1 + (shift[row_member] + copy_no - 1)
                                        % max(n_out - 1, 1)) % n_out, orig_outlet[row_member])
        chunks.append(dict(base=flat[first[member_unit] + pos][row_member], unit=member_unit[row_member],
                           round=np.full(len(copy_no), r), copy_no=copy_no, original=total + np.repeat(
                               np.cumsum(rows) - rows, rows), seconds=np.minimum(seconds, span - 1), outlet=outlet))
        total += len(copy_no)
        r += 1
    cols = {k: np.concatenate([c[k] for c in chunks])[:n] for k in chunks[0]} if chunks else \
        {k: np.zeros(0, np.int64) for k in ("base", "unit", "round", "copy_no", "original", "seconds", "outlet")}
    seconds = np.floor(cols["seconds"]).astype(np.int64)
    order = np.lexsort((np.arange(n), seconds))  # by date; an original precedes its copies on ties
    where = np.empty(n, np.int64)
    where[order] = np.arange(n)
    original = where[cols["original"][order]]
    has_copies = np.zeros(n, bool)
    has_copies[original[cols["copy_no"][order] > 0]] = True
    plan = _Plan(cols["base"][order].astype(np.int64), cols["unit"][order].astype(np.int64),
                 cols["round"][order].astype(np.int32), cols["copy_no"][order].astype(np.int32), original,
                 has_copies, seconds[order], cols["outlet"][order].astype(np.int32))
    vocab = _vocabulary(tuple((a.id, len(a.text)) for a in base), base)
    dump = Dump(base, units, plan, seed, tuple(outlets), vocab)
    return dump, Truth(dump)


_VOCABS: dict[tuple, Vocabulary] = {}


def _vocabulary(key: tuple, base: Sequence[Article]) -> Vocabulary:
    if key not in _VOCABS:
        _VOCABS.clear()
        _VOCABS[key] = Vocabulary([t for a in base for t in (a.title, a.text)])
    return _VOCABS[key]


def write_dump(path: str | Path, articles: Sequence[Article], truth: Mapping[str, dict]) -> Path:
    """Write ``articles.jsonl.gz`` (id, title, text, date, source, dup_group, story) and ``truth.jsonl`` (every
    truth field, plus a copy's ``ops``) into the folder ``path``; return the folder."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "articles.jsonl.gz", "wt", encoding="utf-8", compresslevel=3) as out, \
            open(folder / "truth.jsonl", "w", encoding="utf-8") as tout:
        for a in articles:
            t = truth[a.id]
            out.write(json.dumps({"id": a.id, "title": a.title, "text": a.text,
                                  "date": a.date.isoformat() if a.date else None, "source": a.source,
                                  "dup_group": t["dup_group"], "story": t["story"]}, ensure_ascii=False) + "\n")
            extra = {"ops": a.metadata["ops"]} if "ops" in a.metadata else {}
            tout.write(json.dumps({"id": a.id, **t, **extra}, ensure_ascii=False) + "\n")
    return folder
