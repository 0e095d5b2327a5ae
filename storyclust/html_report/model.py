"""The report's data: the output tables plus the article texts, turned into the one JSON document the page reads.

:class:`ReportInput` holds what an output folder holds (``articles.jsonl``, ``duplicates.jsonl``,
``stories.jsonl``, ``summary.json``, as rows) and the original text of every article, in input order. It
comes from a finished run (:func:`from_result`) or from a folder read back (:mod:`.folder`).
:func:`build_payload` adds what the page shows without computing it in the browser: each story's articles in
date order, its independent outlets, each duplicate group's lineage and each copy's diff against its
canonical article.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..lineage import WordDiff, date_order, diff_words, group_lineage, independent_outlets

__all__ = ["ReportInput", "from_result", "build_payload", "SNIPPET_CHARS"]

SNIPPET_CHARS = 160  # characters of each article's text shown in a story's article list (copies: none)
_SPACE = re.compile(r"\s+")


@dataclass
class ReportInput:
    """The output tables as rows (the output folder's fields) and each article's original text and url."""

    command: str  # "cluster" or "dedup"
    articles: list[dict[str, Any]]
    pairs: list[dict[str, Any]]
    stories: list[dict[str, Any]] | None
    summary: dict[str, Any]
    texts: list[str]
    urls: list[str | None] = field(default_factory=list)


def from_result(result: Any) -> ReportInput:
    """The report input of a finished :class:`~storyclust.pipeline.Result`."""
    from ..export import article_rows, pair_rows, summary

    stories = None
    if result.stories is not None:
        stories = list(result.stories.rows(result.articles, result.prepared.titles))
    return ReportInput(
        command="cluster" if stories is not None else "dedup",
        articles=list(article_rows(result)),
        pairs=list(pair_rows(result)),
        stories=stories,
        summary=summary(result),
        texts=[a.text for a in result.articles],
        urls=[a.url for a in result.articles],
    )


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _snippet(text: str, limit: int) -> str:
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"


def encode_diff(a: str, b: str, diff: WordDiff) -> list[list[Any]]:
    """A copy's diff as rows the page renders: ``[tag, a_start, a_end, b_text]``.

    Tags: ``e`` equal, ``d`` cut, ``i`` added, ``r`` changed, ``m`` moved away, ``n`` moved here, ``p`` moved
    both ways (a passage replaced by one moved from elsewhere). Character
    ranges index the canonical text ``a`` (embedded once per group); each range runs from a word's start to
    the next kept word's start, so consecutive rows cover the text with its line breaks.
    """

    def a_at(k: int) -> int:
        return diff.a_spans[k][0] if k < len(diff.a_spans) else len(a)

    def b_at(k: int) -> int:
        return diff.b_spans[k][0] if k < len(diff.b_spans) else len(b)

    def b_text(start: int, j1: int, j2: int) -> str:
        # where the canonical text has no space before this point (its end), keep the copy's own space
        lead = 0 < j1 and (start == 0 or not a[start - 1].isspace())
        return b[diff.b_spans[j1 - 1][1] if lead else b_at(j1) : b_at(j2)]

    rows: list[list[Any]] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(diff.ops):
        start = 0 if i1 == 0 else a_at(i1)
        if tag == "equal":
            rows.append(["e", start, a_at(i2)])
        elif tag == "delete":
            rows.append(["m" if diff.moved(k) else "d", start, a_at(i2)])
        elif tag == "insert":
            rows.append(["n" if diff.moved(k) else "i", start, start, b_text(start, j1, j2)])
        else:
            rows.append(["p" if diff.moved(k) else "r", start, a_at(i2), b_text(start, j1, j2)])
    return rows


def build_payload(inp: ReportInput, *, snippet_chars: int = SNIPPET_CHARS) -> dict[str, Any]:
    """The JSON document the page reads (columnar per-article arrays; outlets as indices into one list)."""
    rows = inp.articles
    n = len(rows)
    index = {row["id"]: i for i, row in enumerate(rows)}
    outlet_names = sorted({row["source"] for row in rows if row.get("source")})
    outlet_index = {name: k for k, name in enumerate(outlet_names)}
    dates = [_date(row.get("date")) for row in rows]
    sources = [row.get("source") or None for row in rows]
    titles = [row.get("title") or "" for row in rows]
    canonical = [index.get(row.get("canonical_id"), i) for i, row in enumerate(rows)]
    is_copy = [canonical[i] != i for i in range(n)]
    group_of = [row["dup_group"] if row.get("dup_group") is not None else -1 for row in rows]
    story_of = [row.get("story_id", -1) if row.get("story_id") is not None else -1 for row in rows]
    texts = inp.texts

    pair_jaccard: dict[tuple[int, int], float] = {}
    for pair in inp.pairs:
        i, j = index.get(pair["a"]), index.get(pair["b"])
        if i is not None and j is not None:
            pair_jaccard[(min(i, j), max(i, j))] = float(pair["jaccard"])

    members_of: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(group_of):
        if g >= 0:
            members_of[g].append(i)
    groups = []
    for g in sorted(members_of):
        members = members_of[g]
        canon = canonical[members[0]]
        diffs = {i: diff_words(texts[canon], texts[i]) for i in members if i != canon}
        lineage = group_lineage(
            members, canon, dates=dates, sources=sources, texts=texts, titles=titles,
            pair_jaccard=pair_jaccard, diffs=diffs,
        )
        order = lineage.order
        groups.append(
            {
                "id": g,
                "canonical": canon,
                "origin": lineage.origin,
                "order": order,
                "parent": [lineage.parent.get(i, -1) for i in order],
                "kinds": [list(lineage.edits[i].kinds) if i in lineage.edits else [] for i in order],
                "words": [
                    [e.cut, e.added, e.changed, e.moved] if (e := lineage.edits.get(i)) else None for i in order
                ],
                "text": texts[canon],
                "diffs": [encode_diff(texts[canon], texts[i], diffs[i]) if i in diffs else None for i in order],
            }
        )

    stories = None
    if inp.stories is not None:
        in_story: dict[int, list[int]] = defaultdict(list)
        for i, s in enumerate(story_of):
            in_story[s].append(i)
        stories = []
        for row in inp.stories:
            members = date_order(in_story.get(row["story_id"], []), dates)
            independent, every = independent_outlets(members, is_copy, sources)
            stories.append(
                {
                    "id": row["story_id"],
                    "size": row["size"],
                    "copies": row["copies"],
                    "terms": row.get("terms") or [],
                    "headline": row.get("headline") or "",
                    "first": row.get("first_date"),
                    "last": row.get("last_date"),
                    "members": members,
                    "independent": [outlet_index[name] for name in independent],
                    "outlets": [outlet_index[name] for name in every],
                }
            )

    urls = inp.urls if len(inp.urls) == n else [None] * n
    return {
        "version": 1,
        "command": inp.command,
        "counts": inp.summary.get("counts", {}),
        "skipped": inp.summary.get("skipped", []),
        "outlets": outlet_names,
        "articles": {
            "id": [row["id"] for row in rows],
            "title": titles,
            "outlet": [outlet_index[s] if s else -1 for s in sources],
            "date": [row.get("date") for row in rows],
            "group": group_of,
            "canonical": canonical,
            "story": story_of,
            "url": urls,
            # a copy's text is shown in its group's diff; the story page shows the start of the others
            "snippet": [_snippet(t, snippet_chars) if snippet_chars and not is_copy[i] else "" for i, t in enumerate(texts)],
        },
        "stories": stories,
        "groups": groups,
    }

