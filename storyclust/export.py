"""Output files and the JSON document of a run. Everything here is deterministic except the ``seconds`` of the
summary.

The output folder is checked before a run starts (:func:`check_output`). Each file is written under a
temporary name in the folder and renamed into place, so a reader never sees half a file; files of ours
that the run did not write (``stories.jsonl`` after a ``dedup`` into the folder of a ``cluster``) are removed.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from .pipeline import Result
from .dedup.evidence import pair_differences
from .records import InputError
from . import tables

__all__ = [
    "read_rows",
    "OUTPUT_FILES",
    "ALL_FIELDS",
    "article_rows",
    "pair_rows",
    "summary",
    "document",
    "check_output",
    "write_outputs",
    "iso",
    "write_jsonl",
    "VECTORS_FILE",
    "write_vectors",
    "read_vectors",
]

OUTPUT_FILES = ("articles.jsonl", "duplicates.jsonl", "stories.jsonl", "summary.json", "story_vectors.npz")
VECTORS_FILE = "story_vectors.npz"  # the story stage's TF-IDF rows, which storyclust explain reads
ALL_FIELDS = "all"  # as a kept field name: every input field that is not the title, text, date, source or id


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _jsonable(value: Any) -> Any:
    """What ``json`` cannot write itself, as text: dates (from Parquet) in ISO form, anything else by ``str``."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return str(value)


def _kept(article: Any, names: Sequence[str]) -> dict[str, Any]:
    fields = {"url": article.url} if article.url is not None else {}
    fields.update(article.metadata)
    if ALL_FIELDS in names:
        return fields
    return {name: fields.get(name) for name in names}


def article_rows(run: Result, keep_fields: Sequence[str] = ()) -> Iterator[dict[str, Any]]:
    """One row per input article, in input order. ``keep_fields`` names input fields (the url, or any field
    not read as the title, text, date, source or id; ``"all"``: every one) to copy into each row's
    ``"fields"`` object, null where a record lacks one; by default rows hold no input fields."""
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
            "thin": bool(dedup.thin[i]) if dedup.thin is not None else False,
        }
        if stories is not None:
            row["story_id"] = int(stories.story_of[i])
            row["story_probability"] = round(float(stories.story_probability[i]), 4)
            if stories.provenance is not None:
                row["placement"] = stories.provenance.placement(i)
        if keep_fields:
            row["fields"] = _kept(article, keep_fields)
        yield row


def pair_rows(run: Result) -> Iterator[dict[str, Any]]:
    """One row per verified duplicate pair: the exact Jaccard and containment, the scores on content shingles
    and the evidence (storyclust.dedup.content): shared content shingles, the share of numbers and names that
    agree, which numbers and names each side has alone, the headline score, and whether the pair is an exact
    copy of a thin page."""
    dedup, articles = run.dedup, run.articles
    ev = dedup.evidence
    content: dict[int, str] = {}

    def text(k: int) -> str:
        if k not in content:
            content[k] = dedup.template.strip(run.prepared.texts[k]) if dedup.template is not None else ""
        return content[k]

    for q, ((i, j), jac, con) in enumerate(zip(dedup.pairs.tolist(), dedup.jaccard, dedup.containment)):
        row: dict[str, Any] = {
            "a": articles[i].id,
            "b": articles[j].id,
            "jaccard": round(float(jac), 4),
            "containment": round(float(con), 4),
        }
        if dedup.weighted is not None and ev is not None:
            only = ev["only_names_numbers"][q]
            differ = pair_differences(text(i), text(j)) if only.any() else ([], [])
            agreement = float(ev["token_agreement"][q])
            row["content_jaccard"] = round(float(dedup.weighted[q, 0]), 4)
            row["content_containment"] = round(float(dedup.weighted[q, 1]), 4)
            row["evidence"] = {
                "shared_content_shingles": int(ev["shared_content_shingles"][q]),
                "names_numbers_agree": round(agreement, 4) if agreement >= 0 else None,
                "only_in_a": differ[0],
                "only_in_b": differ[1],
                "headline": round(float(ev["headline"][q]), 4),
                "thin_exact": bool(ev["thin_exact"][q]),
            }
        yield row


def summary(run: Result, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Counts, settings, seconds per stage, and every skipped or renamed record; with ``inputs`` (what was read
    and how: the CLI gives its paths, field names and reading flags) that too, under ``"inputs"``."""
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
        "thin": int(dedup.thin.sum()) if dedup.thin is not None else 0,
    }
    settings: dict[str, Any] = {"dedup": run.config.describe()}
    stories = run.stories
    if stories is not None:
        counts.update(stories.counts())
        settings["stories"] = stories.config.describe()
    document = {
        "counts": counts,
        "settings": settings,
        "seconds": {k: round(v, 3) for k, v in run.timings.items()},
        "skipped": [{"location": s.location, "reason": s.reason} for s in read.skipped],
        "renamed_ids": [{"location": r.location, "original": r.original, "new": r.new} for r in read.renamed],
    }
    if inputs is not None:
        document["inputs"] = inputs
    return document


def document(run: Result, *, keep_fields: Sequence[str] = (), inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole run as one JSON document: the summary, the stories (for a story run), the article rows and
    the duplicate pairs."""
    doc: dict[str, Any] = {"summary": summary(run, inputs)}
    if run.stories is not None:
        doc["stories"] = list(run.stories.rows(run.articles, run.prepared.titles))
    doc["articles"] = list(article_rows(run, keep_fields))
    doc["duplicates"] = list(pair_rows(run))
    return doc


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, default=_jsonable))
            fh.write("\n")


def _write_json(path: Path, value: Any) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(value, fh, ensure_ascii=False, indent=2, default=_jsonable)
        fh.write("\n")


def check_output(directory: str | Path) -> Path:
    """Create ``directory`` (and its parents) if needed and check that files can be created in it, before any
    work is done; raise :class:`InputError` located at it, saying why, otherwise."""
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise InputError(str(directory), "the output folder is a file; give a folder (it is created if need be)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".storyclust-check.{os.getpid()}.tmp"
        probe.write_bytes(b"")  # creating and removing a file needs what renaming one into place needs
        probe.unlink()
    except OSError as e:
        raise InputError(str(directory), f"cannot write the output folder ({e.strerror or e})") from e
    return out


def write_outputs(
    run: Result,
    directory: str | Path,
    *,
    keep_fields: Sequence[str] = (),
    inputs: dict[str, Any] | None = None,
    output_format: str = "jsonl",
) -> list[Path]:
    """Write ``articles.jsonl``, ``duplicates.jsonl``, ``summary.json`` (and ``stories.jsonl`` for a story
    run) into ``directory``, creating it; ``output_format`` ``csv`` or ``parquet`` writes the three tables in that
    format instead (:mod:`storyclust.tables`). Each is written under a temporary name and renamed into place; an
    :data:`OUTPUT_FILES` file (or a table in another format) this run does not write is removed. Returns the
    paths written."""
    out = check_output(directory)
    table = tables.writer(output_format, write_jsonl, _jsonable)  # the tables in that format (storyclust.tables)
    jobs: list[tuple[str, Any]] = [
        (tables.table_file("articles", output_format), lambda p: table(p, article_rows(run, keep_fields))),
        (tables.table_file("duplicates", output_format), lambda p: table(p, pair_rows(run))),
    ]
    stories = run.stories
    if stories is not None:
        jobs.append((tables.table_file("stories", output_format),
                     lambda p: table(p, stories.rows(run.articles, run.prepared.titles))))
        if stories.vectors is not None:
            jobs.append((VECTORS_FILE, lambda p: write_vectors(p, stories.vectors)))
    jobs.append(("summary.json", lambda p: _write_json(p, summary(run, inputs))))
    written = []
    for name, write in jobs:
        final = out / name
        temporary = out / f".{name}.{os.getpid()}.tmp"
        try:
            write(temporary)
            temporary.replace(final)
        finally:
            temporary.unlink(missing_ok=True)
        written.append(final)
    for name in OUTPUT_FILES + tables.OTHER_FILES:
        if out / name not in written:
            (out / name).unlink(missing_ok=True)
    return written


def write_vectors(path: Path, vectors: Any) -> None:
    """The story stage's rows (:class:`storyclust.records.StoryVectors`) as one NumPy ``.npz`` file: its CSR
    arrays as the run held them (float32 weights), the input index of each row and each row's residual."""
    m = vectors.tfidf.tocsr()
    with open(path, "wb") as fh:
        np.savez(fh, rows=np.asarray(vectors.rows, np.int64), data=m.data, indices=m.indices, indptr=m.indptr,
                 shape=np.array(m.shape, np.int64), residual=np.asarray(vectors.residual, np.float64),
                 topic_columns=np.array(-1 if vectors.topic_columns is None else vectors.topic_columns, np.int64))


def read_vectors(path: Path) -> Any:
    """:func:`write_vectors`' file as a :class:`storyclust.records.StoryVectors`; an :class:`InputError` at
    the file when it cannot be read."""
    from scipy import sparse

    from .records import StoryVectors

    try:
        with np.load(path, allow_pickle=False) as f:
            shape = tuple(int(x) for x in f["shape"])
            m = sparse.csr_matrix((f["data"], f["indices"], f["indptr"]), shape=shape)
            topic = int(f["topic_columns"])
            return StoryVectors(f["rows"], m, f["residual"], None if topic < 0 else topic)
    except (OSError, ValueError, KeyError) as err:
        raise InputError(str(path), f"cannot read the story vectors ({err}); run the cluster command again") from None


def read_rows(path: Path, *, key: str | None = None) -> list[dict[str, Any]]:
    """Every line of a JSONL output file as a dict (holding ``key``, if given); a bad line is an
    :class:`InputError` at its line."""
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
                if not isinstance(row, dict) or (key is not None and key not in row):
                    wanted = f'an object with an "{key}"' if key is not None else "a JSON object"
                    raise InputError(f"{path}:{number}", f"expected {wanted}")
                rows.append(row)
    except OSError as err:
        raise InputError(str(path), f"cannot read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not valid UTF-8") from None
    return rows
