"""Read an existing output folder back for the report, and the article texts from the run's inputs.

The folder holds the tables but not the texts the side-by-side diffs need. ``summary.json`` records the
run's inputs (``inputs``: the paths, the field names given, ``skip_bad`` and ``unique_ids``); they are read
again the same way and must give the same article ids in the same order as ``articles.jsonl``. Any gap
(no record of the inputs, a file gone, stdin, changed inputs) is a ``ValueError`` naming the file and what to do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..records import InputError
from .model import ReportInput

__all__ = ["read_folder", "read_rows"]

_RERUN = "run the command again with --html FILE to write the report with the run"


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSONL output file as a dict; a bad line is an :class:`InputError` at its line."""
    rows = []
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as err:
                    raise InputError(f"{path}:{number}", f"not valid JSON ({err.msg})") from None
                if not isinstance(row, dict):
                    raise InputError(f"{path}:{number}", "expected a JSON object")
                rows.append(row)
    except OSError as err:
        raise InputError(str(path), f"cannot read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not valid UTF-8") from None
    return rows


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


def _texts(summary_path: Path, summary: dict[str, Any], ids: list[str]) -> tuple[list[str], list[str | None]]:
    """Re-read the recorded inputs; return each article's text and url, aligned with ``ids``."""
    from ..ingest import FieldMap, read_articles

    inputs = summary.get("inputs")
    if not isinstance(inputs, dict) or not isinstance(inputs.get("paths"), list):
        raise InputError(str(summary_path), f"no record of the run's inputs, so the article texts are unknown; {_RERUN}")
    paths = [str(p) for p in inputs["paths"]]
    if "-" in paths:
        raise InputError(str(summary_path), f"the run read stdin, which cannot be read again; {_RERUN}")
    for p in paths:
        if not Path(p).exists():
            raise InputError(p, f"input of this run (recorded in {summary_path}) is gone; {_RERUN}")
    fields = {k: v for k, v in (inputs.get("fields") or {}).items() if v is not None}
    read = read_articles(
        paths,
        fields=FieldMap(**fields),
        skip_bad=bool(inputs.get("skip_bad")),
        unique_ids=bool(inputs.get("unique_ids")),
    )
    found = [a.id for a in read.articles]
    if found != ids:
        first = next((k for k, (x, y) in enumerate(zip(found, ids)) if x != y), min(len(found), len(ids)))
        raise InputError(
            str(summary_path),
            f"the recorded inputs have changed since the run (article {first + 1}: {len(found)} articles read, "
            f"{len(ids)} in articles.jsonl); {_RERUN}",
        )
    return [a.text for a in read.articles], [a.url for a in read.articles]


def read_folder(directory: str | Path) -> ReportInput:
    """The report input of an output folder written by ``cluster`` or ``dedup``, texts re-read from its inputs."""
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
    texts, urls = _texts(summary_path, summary, [row["id"] for row in articles])
    return ReportInput(
        command="cluster" if stories is not None else "dedup",
        articles=articles,
        pairs=pairs,
        stories=stories,
        summary=summary,
        texts=texts,
        urls=urls,
    )
