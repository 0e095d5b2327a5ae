"""Read an existing output folder back for the report, and the article texts from the run's inputs.

The folder holds the tables but not the texts the side-by-side diffs need. They are read again from the
run's inputs: those given (:class:`Inputs`), else those ``summary.json`` records (``inputs``: the paths, the
field names given, ``skip_bad`` and ``unique_ids``), which must give the same article ids in the same order
as ``articles.jsonl``. Any gap (no record of the inputs, a file gone, stdin, changed inputs) is an
:class:`~storyclust.records.InputError` naming the file and what to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..export import read_rows
from ..records import InputError
from .model import ReportInput

__all__ = ["Inputs", "read_folder", "recorded_inputs"]

_RERUN = "run the command again with --html FILE to write the report with the run"


def _summary(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(str(path), f"cannot read ({err.strerror or err}); is this a storyclust output folder?") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(str(path), "not valid JSON") from None
    if not isinstance(doc, dict):
        raise InputError(str(path), "expected a JSON object")
    return doc


@dataclass(frozen=True)
class Inputs:
    """How a run read its articles: the paths, the field names given (role -> name) and the reading flags."""

    paths: tuple[str, ...]
    fields: dict[str, str] = field(default_factory=dict)
    skip_bad: bool = False
    unique_ids: bool = False


def recorded_inputs(summary_path: Path, summary: dict[str, Any]) -> Inputs:
    """The inputs ``summary.json`` records (``inputs``: ``paths``, ``fields``, ``skip_bad``, ``unique_ids``)."""
    inputs = summary.get("inputs")
    if not isinstance(inputs, dict) or not isinstance(inputs.get("paths"), list):
        raise InputError(
            str(summary_path),
            f"no record of the run's inputs, so the article texts are unknown; give the input paths, or {_RERUN}",
        )
    fields = inputs.get("fields") or {}
    return Inputs(
        tuple(str(p) for p in inputs["paths"]),
        {str(k): str(v) for k, v in fields.items() if v is not None} if isinstance(fields, dict) else {},
        bool(inputs.get("skip_bad")),
        bool(inputs.get("unique_ids")),
    )


def _texts(summary_path: Path, inputs: Inputs, ids: list[str]) -> tuple[list[str], list[str | None]]:
    """Read the inputs again; return each article's text and url, aligned with ``ids``."""
    from ..ingest import FieldMap, read_articles

    if "-" in inputs.paths:
        raise InputError(str(summary_path), f"the run read stdin, which cannot be read again; {_RERUN}")
    for p in inputs.paths:
        if not Path(p).exists():
            raise InputError(p, f"input of this run (recorded in {summary_path}) is gone; {_RERUN}")
    read = read_articles(
        list(inputs.paths), fields=FieldMap(**inputs.fields), skip_bad=inputs.skip_bad, unique_ids=inputs.unique_ids
    )
    found = [a.id for a in read.articles]
    if found != ids:
        first = next((k for k, (x, y) in enumerate(zip(found, ids)) if x != y), min(len(found), len(ids)))
        raise InputError(
            str(summary_path),
            f"the inputs have changed since the run (article {first + 1} differs; {len(found)} articles read, "
            f"{len(ids)} in articles.jsonl); {_RERUN}",
        )
    return [a.text for a in read.articles], [a.url for a in read.articles]


def read_folder(directory: str | Path, inputs: Inputs | None = None) -> ReportInput:
    """The report input of an output folder written by ``cluster`` or ``dedup``; the texts are read again from
    ``inputs``, by default the inputs its ``summary.json`` records."""
    out = Path(directory)
    if not out.is_dir():
        raise InputError(str(out), "not a folder (give the --output folder of a cluster or dedup run)")
    summary_path = out / "summary.json"
    summary = _summary(summary_path)
    articles = read_rows(out / "articles.jsonl")
    pairs = read_rows(out / "duplicates.jsonl")
    stories_path = out / "stories.jsonl"
    stories = read_rows(stories_path) if stories_path.exists() else None
    for number, row in enumerate(articles, start=1):
        if not isinstance(row.get("id"), str):
            raise InputError(f"{out / 'articles.jsonl'}:{number}", "no article id")
    inputs = inputs or recorded_inputs(summary_path, summary)
    texts, urls = _texts(summary_path, inputs, [row["id"] for row in articles])
    return ReportInput(
        command="cluster" if stories is not None else "dedup",
        articles=articles,
        pairs=pairs,
        stories=stories,
        summary=summary,
        texts=texts,
        urls=urls,
    )
