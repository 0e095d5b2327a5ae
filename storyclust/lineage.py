"""Wire lineage: where each duplicate group started, who copied whom, and what each copy changed.

Works on plain per-article values (dates, outlets, texts, verified pairs), so it serves a finished run
(:class:`~storyclust.pipeline.Result`) and an output folder read back from disk alike.

- **Origin** of a group: its earliest dated article; among articles of that date (or among all, when none is
  dated) the group's canonical article when it is one of them (README's rule: longest, then first read),
  else the longest text, then the first read.
- **Copy tree**: members in date order (undated last, ties in input order). Each copy's parent is, among the
  origin and the articles dated strictly before it, the one it has a verified pair with and shares the most
  shingles with (highest Jaccard; ties: the same outlet, then the earlier); a copy with no such pair, and an
  undated copy with no pair to the origin, hangs under the origin.
- **Edits**: a word-level diff (:mod:`difflib`) of each copy against the article it is compared with:
  words cut, added, changed, or moved (a changed word inside a run of four words that the other side
  also has), and whether the headline differs.
- **Independent outlets** of a story: outlets with at least one article in it that is not a copy.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping, Sequence

from .records import stamp

__all__ = [
    "Edits",
    "GroupLineage",
    "WordDiff",
    "date_order",
    "diff_words",
    "group_lineage",
    "independent_outlets",
    "origin_of",
]

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class WordDiff:
    """A word-level diff of ``b`` against ``a``.

    ``ops`` are difflib opcodes over the word lists (tag, a_start, a_end, b_start, b_end); ``a_spans`` and
    ``b_spans`` give each word's character offsets in its text. ``a_found`` / ``b_found`` mark each word that
    lies in a run of :data:`MOVE_WORDS` words found on the other side too: inside a cut, added or changed
    passage such a word was moved, not removed or written.
    """

    ops: list[tuple[str, int, int, int, int]]
    a_spans: list[tuple[int, int]]
    b_spans: list[tuple[int, int]]
    a_found: list[bool]
    b_found: list[bool]

    def moved(self, k: int) -> bool:
        """Whether op ``k`` mostly moves words (at least half of each changed side is found elsewhere)."""
        tag, i1, i2, j1, j2 = self.ops[k]
        sides = []
        if tag in ("delete", "replace"):
            sides.append(sum(self.a_found[i1:i2]) * 2 >= i2 - i1)
        if tag in ("insert", "replace"):
            sides.append(sum(self.b_found[j1:j2]) * 2 >= j2 - j1)
        return bool(sides) and all(sides)


@dataclass(frozen=True)
class Edits:
    """What a copy changed against the article it is compared with, in words."""

    cut: int = 0
    added: int = 0
    changed: int = 0
    moved: int = 0
    headline: bool = False

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of change found (``("identical",)`` when there is none)."""
        found = tuple(
            name
            for name, present in (
                ("headline", self.headline),
                ("cut", self.cut > 0),
                ("added", self.added > 0),
                ("rewritten", self.changed > 0),
                ("moved", self.moved > 0),
            )
            if present
        )
        return found or ("identical",)


@dataclass(frozen=True)
class GroupLineage:
    """One duplicate group's lineage. Every value is an article index (input order)."""

    origin: int
    order: list[int]  # members in date order, undated last
    parent: dict[int, int] = field(default_factory=dict)  # copy -> the article it was most likely copied from
    edits: dict[int, Edits] = field(default_factory=dict)  # copy -> its edits against the compared article

    def children(self) -> dict[int, list[int]]:
        """Each article's direct copies, in date order."""
        kids: dict[int, list[int]] = {i: [] for i in self.order}
        for i in self.order:
            if i in self.parent:
                kids[self.parent[i]].append(i)
        return kids


def _words(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    spans = [m.span() for m in _WORD.finditer(text)]
    return [text[s:e] for s, e in spans], spans


MOVE_WORDS = 4  # a word is "found on the other side" when a run of this many words around it is


def _found(words: Sequence[str], other: Sequence[str]) -> list[bool]:
    """For each word, whether one of the MOVE_WORDS-word runs holding it also occurs in ``other``."""
    n = MOVE_WORDS
    grams = {tuple(other[k : k + n]) for k in range(len(other) - n + 1)}
    found = [False] * len(words)
    for k in range(len(words) - n + 1):
        if tuple(words[k : k + n]) in grams:
            found[k : k + n] = [True] * n
    return found


def diff_words(a: str, b: str) -> WordDiff:
    """Word-level diff of ``b`` against ``a`` (whitespace differences are ignored), with moved words."""
    aw, a_spans = _words(a)
    bw, b_spans = _words(b)
    if aw == bw:  # an exact copy (common on the wire): no matching needed
        ops = [("equal", 0, len(aw), 0, len(bw))] if aw else []
    else:
        ops = [tuple(op) for op in difflib.SequenceMatcher(None, aw, bw, autojunk=False).get_opcodes()]
    if all(tag == "equal" for tag, *_ in ops):
        return WordDiff(ops, a_spans, b_spans, [True] * len(aw), [True] * len(bw))  # type: ignore[arg-type]
    return WordDiff(ops, a_spans, b_spans, _found(aw, bw), _found(bw, aw))  # type: ignore[arg-type]


def edits_of(diff: WordDiff, headline_changed: bool = False) -> Edits:
    """Count the words a diff cut, added, changed and moved.

    In an op that mostly moves words (:meth:`WordDiff.moved`) its found words left or arrived; as many as
    both left and arrived count as moved (once), the rest as cut or added (a passage repeated, say). Every
    other word of a changed op counts as cut, added or changed.
    """
    cut = added = changed = gone_total = came_total = 0
    for k, (tag, i1, i2, j1, j2) in enumerate(diff.ops):
        if tag == "equal":
            continue
        if not diff.moved(k):  # a passage counts as moved only where most of it was
            gone = came = 0
        else:
            gone, came = sum(diff.a_found[i1:i2]), sum(diff.b_found[j1:j2])
        gone_total += gone
        came_total += came
        if tag == "delete":
            cut += i2 - i1 - gone
        elif tag == "insert":
            added += j2 - j1 - came
        else:
            changed += max(i2 - i1 - gone, j2 - j1 - came)
    moved = min(gone_total, came_total)  # a move leaves one place and arrives at another
    cut += gone_total - moved
    added += came_total - moved
    return Edits(cut, added, changed, moved, headline_changed)


def date_order(members: Iterable[int], dates: Sequence[datetime | None]) -> list[int]:
    """Members sorted by date, undated last, ties in input order."""
    return sorted(members, key=lambda i: (dates[i] is None, 0.0 if dates[i] is None else stamp(dates[i]), i))


def _before(first: datetime | None, second: datetime | None) -> bool:
    return first is not None and second is not None and stamp(first) < stamp(second)


def origin_of(
    members: Sequence[int], canonical: int, dates: Sequence[datetime | None], texts: Sequence[str]
) -> int:
    """The group's origin: earliest dated, then the canonical article, then the longest text, then first read."""
    dated = [i for i in members if dates[i] is not None]
    if dated:
        first = min(stamp(dates[i]) for i in dated)
        candidates = [i for i in dated if stamp(dates[i]) == first]
    else:
        candidates = list(members)
    if canonical in candidates:
        return canonical
    return min(candidates, key=lambda i: (-len(_WORD.findall(texts[i])), i))


def group_lineage(
    members: Sequence[int],
    canonical: int,
    *,
    dates: Sequence[datetime | None],
    sources: Sequence[str | None],
    texts: Sequence[str],
    titles: Sequence[str],
    pair_jaccard: Mapping[tuple[int, int], float],
    diffs: Mapping[int, WordDiff] | None = None,
) -> GroupLineage:
    """The lineage of one group. ``pair_jaccard`` maps verified pairs (lower index first) to their Jaccard;
    edits are measured against the canonical article (``diffs`` may supply the copies' diffs against it)."""
    origin = origin_of(members, canonical, dates, texts)
    rest = date_order([i for i in members if i != origin], dates)
    order = [origin, *rest]
    parent: dict[int, int] = {}
    for pos, copy in enumerate(order[1:], start=1):
        best: tuple[float, int, int] | None = None
        for rank, earlier in enumerate(order[:pos]):
            if earlier != origin and not _before(dates[earlier], dates[copy]):
                continue
            jac = pair_jaccard.get((min(copy, earlier), max(copy, earlier)))
            if jac is None:
                continue
            same_outlet = int(sources[copy] is not None and sources[copy] == sources[earlier])
            key = (jac, same_outlet, -rank)
            if best is None or key > best:
                best = key
                parent[copy] = earlier
        parent.setdefault(copy, origin)
    edits: dict[int, Edits] = {}
    for i in members:
        if i == canonical:
            continue
        diff = diffs[i] if diffs is not None and i in diffs else diff_words(texts[canonical], texts[i])
        edits[i] = edits_of(diff, titles[i].strip() != titles[canonical].strip())
    return GroupLineage(origin, order, parent, edits)


def independent_outlets(
    members: Iterable[int], is_copy: Sequence[bool], sources: Sequence[str | None]
) -> tuple[list[str], list[str]]:
    """A story's independent outlets (with an article that is not a copy) and all its outlets, each sorted."""
    members = list(members)
    independent = sorted({sources[i] for i in members if not is_copy[i] and sources[i]})  # type: ignore[type-var]
    every = sorted({sources[i] for i in members if sources[i]})  # type: ignore[type-var]
    return independent, every
