"""Output files and JSON documents. Everything here is deterministic except the ``seconds`` of the summary."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from .pipeline import Result

__all__ = ["article_rows", "pair_rows", "summary", "write_outputs", "iso", "write_jsonl"]


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def article_rows(run: Result) -> Iterator[dict[str, Any]]:
    """One row per input article, in input order."""
    dedup = run.dedup
    stories = run.stories
    for i, article in enumerate(run.articles):
        group = int(dedup.group_of[i])
        canon = int(dedup.canonical_of[i])
        row: dict[str, Any] = {
            "id": article.id,
            "title": run.prepared.titles[i],
            "source": article.source,
            "date": iso(article.date),
            "dup_group": group if group >= 0 else None,
            "canonical_id": run.articles[canon].id,
            "is_canonical": canon == i,
        }
        if stories is not None:
            row["story_id"] = int(stories.story_of[i])
            row["story_probability"] = round(float(stories.probability_of[i]), 4)
        yield row


def pair_rows(run: Result) -> Iterator[dict[str, Any]]:
    """One row per verified duplicate pair."""
    dedup, articles = run.dedup, run.articles
    for (i, j), jac, con in zip(dedup.pairs, dedup.jaccard, dedup.containment):
        yield {
            "a": articles[i].id,
            "b": articles[j].id,
            "jaccard": round(float(jac), 4),
            "containment": round(float(con), 4),
        }


def summary(run: Result) -> dict[str, Any]:
    """Counts, settings, seconds per stage, and every skipped or renamed record."""
    dedup, read = run.dedup, run.read
    counts = {
        "articles": len(run.articles),
        "skipped": len(read.skipped),
        "renamed_ids": len(read.renamed),
        "duplicate_groups": len(dedup.groups),
        "copies": dedup.copies,
        "unique_articles": len(run.articles) - dedup.copies,
        "candidate_pairs": dedup.candidates,
        "verified_pairs": len(dedup.pairs),
        "empty_after_cleaning": dedup.empty,
    }
    settings: dict[str, Any] = {"dedup": run.config.describe()}
    stories = run.stories
    if stories is not None:
        counts.update(stories.counts())
        settings["stories"] = stories.config.describe()
    return {
        "counts": counts,
        "settings": settings,
        "seconds": {k: round(v, 3) for k, v in run.timings.items()},
        "skipped": [{"location": s.location, "reason": s.reason} for s in read.skipped],
        "renamed_ids": [{"location": r.location, "original": r.original, "new": r.new} for r in read.renamed],
    }


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False))
            fh.write("\n")


def write_outputs(run: Result, directory: str | Path) -> list[Path]:
    """Write ``articles.jsonl``, ``duplicates.jsonl``, ``summary.json`` (and ``stories.jsonl`` for a story
    run) into ``directory``, creating it. Returns the paths written."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "articles.jsonl", out / "duplicates.jsonl"]
    write_jsonl(written[0], article_rows(run))
    write_jsonl(written[1], pair_rows(run))
    stories = run.stories
    if stories is not None:
        written.append(out / "stories.jsonl")
        write_jsonl(written[-1], stories.rows(run.articles, run.prepared.titles))
    written.append(out / "summary.json")
    with open(written[-1], "w", encoding="utf-8", newline="\n") as fh:
        json.dump(summary(run), fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return written
