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
from typing import Any, Iterator

from ..records import InputError, SkippedRecord
from .fields import TOO_DEEP, Result, Roles, build, json_type, lone_surrogate
from .folders import read_dir, txt_article
from .sources import Source, encoded_whole, line_column, raw_lines, read_whole, utf8_problem

__all__ = ["read_source", "json_record"]

_JSON_WS = re.compile(r"[ \t\n\r]*")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # only such a JSON escape makes a lone surrogate


def read_source(src: Source, roles: Roles) -> Iterator[Result]:
    if src.fmt == "dir":
        yield from read_dir(src)
    elif src.fmt == "parquet":
        yield from _read_parquet(src, roles)
    elif src.fmt == "txt":
        stem = os.path.splitext(os.path.splitext(src.base)[0])[0] if src.compression else os.path.splitext(src.base)[0]
        yield txt_article(read_whole(src), src.name, stem)
    elif src.fmt == "json":
        yield from _read_json_array(src, roles)
    else:
        with ExitStack() as stack:
            lines = raw_lines(src, stack)
            if src.fmt == "jsonl":
                yield from _read_jsonl(lines, src, roles)
            else:
                yield from _read_csv(lines, src, roles, "\t" if src.fmt == "tsv" else ",")


def json_record(line: str, location: str) -> dict[str, Any] | SkippedRecord:
    """One JSON Lines record: its object, or why it is none (invalid JSON, nested too deeply for the
    parser, not an object, a lone surrogate)."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        return SkippedRecord(location, f"invalid JSON ({e})")
    except RecursionError:
        return SkippedRecord(location, TOO_DEEP)
    if type(obj) is not dict:
        return SkippedRecord(location, f"expected a JSON object, found {json_type(obj)}")
    if _SURROGATE_ESCAPE.search(line):  # UTF-8 decoding rejects surrogates: only an escape makes one
        problem = lone_surrogate(obj)
        if problem:
            return SkippedRecord(location, problem)
    return obj


def _read_jsonl(lines: Iterator[bytes], src: Source, roles: Roles) -> Iterator[Result]:
    name, base = src.name, src.base
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            line = raw.rstrip(b"\r\n").decode("utf-8")
        except UnicodeDecodeError as e:
            if lineno == 1:
                encoded_whole(src.name, raw)
            yield SkippedRecord(f"{name}:{lineno}", utf8_problem(raw, e))
            continue
        if lineno == 1:
            line = line.removeprefix("\ufeff")
        obj = json_record(line, f"{name}:{lineno}")
        if type(obj) is SkippedRecord:
            if lineno == 1:
                encoded_whole(name, raw)  # a first line that is no JSON at all may be no text at all
            yield obj
            continue
        yield build(obj, f"{name}:{lineno}", f"{base}:{lineno}", roles)


def _read_json_array(src: Source, roles: Roles) -> Iterator[Result]:
    data = read_whole(src)
    encoded_whole(src.name, data)
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
            location = f"{src.name}:{line}"
            start = pos
            try:
                value, pos = decoder.raw_decode(s, pos)
            except json.JSONDecodeError as e:
                raise fail(e) from e
            except RecursionError:
                pos = _value_end(s, pos)
                if pos < 0:
                    raise InputError(location, TOO_DEEP + "; and the value never ends") from None
                yield SkippedRecord(location, TOO_DEEP)
            else:
                problem = lone_surrogate({"": value}) if _SURROGATE_ESCAPE.search(s, start, pos) else None
                if problem:
                    yield SkippedRecord(location, problem.replace("field ''", "the record"))
                elif type(value) is dict:
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


_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _value_end(s: str, pos: int) -> int:
    """Where the array or object starting at ``s[pos]`` ends (after its closing bracket), counting brackets
    outside strings without recursion; -1 when it never closes."""
    depth = 0
    for m in _STRING_OR_BRACKET.finditer(s, pos):
        token = m[0]
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
            if depth == 0:
                return m.end()
    return -1


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
                encoded_whole(src.name, raw)
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
            if len(header) == 1 and ";" in header[0]:
                raise InputError(
                    location,
                    f"the header is one column, {header[0][:80]!r}: the file looks separated by semicolons, but "
                    f"{src.fmt.upper()} is read with {'tabs' if delimiter == chr(9) else 'commas'} (save it with "
                    "commas, or tabs as .tsv)",
                )
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

