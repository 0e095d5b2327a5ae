"""The readers of each format: folders of ``.txt`` files, JSON Lines, JSON arrays, CSV/TSV and Parquet.

Each yields, in input order, an :class:`~storyclust.records.Article` or a
:class:`~storyclust.records.SkippedRecord` (its location and the reason) per record. Records are streamed,
except ``.json`` arrays and compressed Parquet, which are loaded whole.
"""

from __future__ import annotations

import csv
import json
import os
import re
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Iterator

from ..records import Article, InputError, SkippedRecord
from .dates import parse_date
from .fields import (
    DATE_FIELDS,
    SOURCE_FIELDS,
    TITLE_FIELDS,
    URL_FIELDS,
    Result,
    Roles,
    build,
    json_type,
    scalar_text,
)
from .sources import Source, line_column, raw_lines, read_whole, utf8_problem

__all__ = ["SIDECAR", "read_source"]

SIDECAR = "metadata.jsonl"
_JSON_WS = re.compile(r"[ \t\n\r]*")


def read_source(src: Source, roles: Roles) -> Iterator[Result]:
    if src.fmt == "dir":
        yield from _read_dir(src)
    elif src.fmt == "parquet":
        yield from _read_parquet(src, roles)
    elif src.fmt == "txt":
        stem = os.path.splitext(os.path.splitext(src.base)[0])[0] if src.compression else Path(src.base).stem
        yield _txt_article(read_whole(src), src.name, stem)
    elif src.fmt == "json":
        yield from _read_json_array(src, roles)
    else:
        with ExitStack() as stack:
            lines = raw_lines(src, stack)
            if src.fmt == "jsonl":
                yield from _read_jsonl(lines, src, roles)
            else:
                yield from _read_csv(lines, src, roles, "\t" if src.fmt == "tsv" else ",")



def _read_dir(src: Source) -> Iterator[Result]:
    """Every ``*.txt`` file below the folder, sorted by relative path. An optional ``metadata.jsonl`` at the
    folder's top gives per-file fields (``id`` = file stem, plus any of date/source/url/title or labels)."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(src.name):
        rel_dir = os.path.relpath(dirpath, src.name)
        for fn in filenames:
            if fn.lower().endswith(".txt"):
                found.append(Path(rel_dir, fn).as_posix() if rel_dir != "." else fn)
    sidecar = _read_sidecar(os.path.join(src.name, SIDECAR), {Path(rel).stem for rel in found})
    for rel in sorted(found):
        location = os.path.join(src.name, *rel.split("/"))
        try:
            with open(location, "rb") as f:
                data = f.read()
        except OSError as e:
            raise InputError(location, f"cannot read ({e.strerror or e})") from e
        item = _txt_article(data, location, Path(rel).stem)
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
            if type(obj) is not dict:
                raise InputError(location, f"expected a JSON object, found {json_type(obj)}")
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


def _txt_article(data: bytes, location: str, stem: str) -> Result:
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, column = line_column(data, e.start)
        return SkippedRecord(
            location, f"not valid UTF-8 (byte 0x{data[e.start]:02x} at line {line}, column {column})"
        )
    content = content.removeprefix("\ufeff")
    lines = content.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip():
            text = "".join(lines[i + 1 :]).strip()
            if not text:
                return SkippedRecord(location, "empty text")
            return Article(id=stem, title=line.strip(), text=text, location=location)
    return SkippedRecord(location, "empty text")


def _read_jsonl(lines: Iterator[bytes], src: Source, roles: Roles) -> Iterator[Result]:
    loads = json.loads
    name, base = src.name, src.base
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            line = raw.rstrip(b"\r\n").decode("utf-8")
        except UnicodeDecodeError as e:
            yield SkippedRecord(f"{name}:{lineno}", utf8_problem(raw, e))
            continue
        if lineno == 1:
            line = line.removeprefix("\ufeff")
        try:
            obj = loads(line)
        except json.JSONDecodeError as e:
            yield SkippedRecord(f"{name}:{lineno}", f"invalid JSON ({e})")
            continue
        if type(obj) is not dict:
            yield SkippedRecord(f"{name}:{lineno}", f"expected a JSON object, found {json_type(obj)}")
            continue
        yield build(obj, f"{name}:{lineno}", f"{base}:{lineno}", roles)


def _read_json_array(src: Source, roles: Roles) -> Iterator[Result]:
    data = read_whole(src)
    try:
        s = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line, column = line_column(data, e.start)
        raise InputError(
            f"{src.name}:{line}", f"not valid UTF-8 (byte 0x{data[e.start]:02x} at column {column})"
        ) from e
    decoder = json.JSONDecoder()
    ws = _JSON_WS.match
    pos = ws(s, 0).end()
    line = s.count("\n", 0, pos) + 1

    def fail(err: json.JSONDecodeError) -> InputError:
        return InputError(f"{src.name}:{err.lineno}", f"invalid JSON ({err})")

    if pos == len(s):
        raise InputError(src.name, "expected a JSON array of objects, found an empty file")
    if s[pos] != "[":
        try:
            value, _ = decoder.raw_decode(s, pos)
        except json.JSONDecodeError as e:
            raise fail(e) from e
        raise InputError(f"{src.name}:{line}", f"expected a JSON array of objects, found {json_type(value)}")
    pos = ws(s, pos + 1).end()
    if not s.startswith("]", pos):
        last = 0
        line = 1
        while True:
            line += s.count("\n", last, pos)  # the line where this element starts
            last = pos
            try:
                value, pos = decoder.raw_decode(s, pos)
            except json.JSONDecodeError as e:
                raise fail(e) from e
            location = f"{src.name}:{line}"
            if type(value) is dict:
                yield build(value, location, f"{src.base}:{line}", roles)
            else:
                yield SkippedRecord(location, f"expected a JSON object, found {json_type(value)}")
            pos = ws(s, pos).end()
            if s.startswith(",", pos):
                pos = ws(s, pos + 1).end()
            elif s.startswith("]", pos):
                break
            else:
                raise fail(json.JSONDecodeError("Expecting ',' delimiter", s, pos))
    pos = ws(s, pos + 1).end()
    if pos != len(s):
        raise fail(json.JSONDecodeError("Extra data", s, pos))


def _read_csv(lines: Iterator[bytes], src: Source, roles: Roles, delimiter: str) -> Iterator[Result]:
    if csv.field_size_limit() < 2**31 - 1:
        csv.field_size_limit(2**31 - 1)  # article bodies easily exceed the default 128 KiB
    bad_lines: dict[int, str] = {}
    exhausted = False

    def decoded() -> Iterator[str]:
        nonlocal exhausted
        for lineno, raw in enumerate(lines, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                bad_lines[lineno] = utf8_problem(raw, e)
                line = raw.decode("utf-8", "replace")
            if lineno == 1:
                line = line.removeprefix("\ufeff")
            yield line
        exhausted = True

    reader = csv.reader(decoded(), delimiter=delimiter)
    name, base = src.name, src.base
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise InputError(f"{name}:{reader.line_num}", f"invalid CSV ({e})") from e
        if not row:
            continue
        location = f"{name}:{start}"
        if bad_lines:
            problem = next((bad_lines[n] for n in range(start, reader.line_num + 1) if n in bad_lines), None)
            if problem is not None:
                if header is None:
                    raise InputError(location, problem)
                yield SkippedRecord(location, problem)
                continue
        if header is None:
            header = [h.strip() for h in row]
            continue
        if exhausted:  # the row only ended because the input did: a quoted field was never closed
            yield SkippedRecord(location, "unterminated quoted field (it runs to the end of the file)")
            continue
        if len(row) != len(header):
            yield SkippedRecord(location, f"expected {len(header)} fields, found {len(row)}")
            continue
        yield build(dict(zip(header, row)), location, f"{base}:{start}", roles)


def _read_parquet(src: Source, roles: Roles) -> Iterator[Result]:
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(src.name, "reading Parquet needs pyarrow: pip install 'storyclust[parquet]'") from None
    try:
        if src.compression:
            handle: Any = pyarrow.BufferReader(read_whole(src))
        else:
            handle = src.name
        parquet = pq.ParquetFile(handle)
    except (pyarrow.ArrowException, OSError) as e:
        raise InputError(src.name, f"cannot read Parquet ({e})") from e
    row = 0
    try:
        for batch in parquet.iter_batches():
            for record in batch.to_pylist():
                row += 1
                yield build(record, f"{src.name}:row {row}", f"{src.base}:row{row}", roles)
    except (pyarrow.ArrowException, OSError) as e:
        raise InputError(src.name, f"cannot read Parquet ({e})") from e
    finally:
        parquet.close()

