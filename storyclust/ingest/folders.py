"""Folders of ``.txt`` files: one article per file (first non-blank line = title, the rest = text, id = file
stem), with optional per-file fields in a ``metadata.jsonl`` at the folder's top."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

from ..records import Article, InputError, SkippedRecord
from .dates import parse_date
from .fields import DATE_FIELDS, SOURCE_FIELDS, TITLE_FIELDS, TOO_DEEP, URL_FIELDS, Result, json_type, lone_surrogate
from .fields import scalar_text
from .sources import Source, line_column, not_text, utf8_problem

__all__ = ["SIDECAR", "read_dir", "txt_article"]

SIDECAR = "metadata.jsonl"


def read_dir(src: Source) -> Iterator[Result]:
    """Every ``*.txt`` file below the folder, sorted by relative path. An optional ``metadata.jsonl`` at the
    folder's top gives per-file fields (``id`` = file stem, plus any of date/source/url/title or labels)."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(src.name):
        rel_dir = os.path.relpath(dirpath, src.name)
        for fn in filenames:
            if fn.lower().endswith(".txt"):
                found.append(Path(rel_dir, fn).as_posix() if rel_dir != "." else fn)
    if not found:
        others = sorted(fn for fn in os.listdir(src.name) if fn != SIDECAR)[:3]
        held = f"it holds {', '.join(map(repr, others))}; give such files as paths" if others else "it is empty"
        raise InputError(src.name, f"no .txt files in this folder (a folder is read for its .txt files; {held})")
    sidecar = _read_sidecar(os.path.join(src.name, SIDECAR), {Path(rel).stem for rel in found})
    for rel in sorted(found):
        location = os.path.join(src.name, *rel.split("/"))
        try:
            with open(location, "rb") as f:
                data = f.read()
        except OSError as e:
            raise InputError(location, f"cannot read ({e.strerror or e})") from e
        item = txt_article(data, location, Path(rel).stem)
        extra = sidecar.get(Path(rel).stem)
        if extra is not None and isinstance(item, Article):
            _apply_sidecar(item, extra)
        yield item


def _read_sidecar(path: str, stems: set[str]) -> dict[str, dict[str, Any]]:
    """Per-file metadata of a text folder, by file stem. Its errors are whole-file errors."""
    if not os.path.isfile(path):
        return {}
    records: dict[str, dict[str, Any]] = {}
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            location = f"{path}:{lineno}"
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as e:
                raise InputError(location, utf8_problem(raw, e)) from None
            except json.JSONDecodeError as e:
                raise InputError(location, f"invalid JSON ({e})") from None
            except RecursionError:
                raise InputError(location, TOO_DEEP) from None
            if type(obj) is not dict:
                raise InputError(location, f"expected a JSON object, found {json_type(obj)}")
            problem = lone_surrogate(obj)
            if problem:
                raise InputError(location, problem)
            key = obj.get("id")
            if not isinstance(key, str) or key not in stems:
                raise InputError(location, f"id {key!r} names no .txt file in {os.path.dirname(path) or '.'}")
            records[key] = obj
    return records


def _apply_sidecar(article: Article, record: dict[str, Any]) -> None:
    for key, value in record.items():
        lowered = key.lower()
        if lowered == "id":
            continue
        if lowered in {k.lower() for k in DATE_FIELDS}:
            article.date = parse_date(value)
        elif lowered in {k.lower() for k in SOURCE_FIELDS}:
            article.source = scalar_text(value)
        elif lowered in {k.lower() for k in URL_FIELDS}:
            article.url = scalar_text(value)
        elif lowered in {k.lower() for k in TITLE_FIELDS}:
            article.title = scalar_text(value) or article.title
        else:
            article.metadata[key] = value


def txt_article(data: bytes, location: str, stem: str) -> Result:
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, column = line_column(data, e.start)
        problem = not_text(data[:64]) or f"not valid UTF-8 (byte 0x{data[e.start]:02x} at line {line}, column {column})"
        return SkippedRecord(location, problem)
    content = content.removeprefix("\ufeff")
    lines = content.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip():
            text = "".join(lines[i + 1 :]).strip()
            if not text:
                return SkippedRecord(location, "empty text")
            return Article(id=stem, title=line.strip(), text=text, location=location)
    return SkippedRecord(location, "empty text")
