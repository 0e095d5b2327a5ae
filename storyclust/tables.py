"""The output tables (articles, duplicates, stories) as CSV or Parquet, with the fields of their JSONL rows.

Each table has the same columns in every format: the keys of its rows in the order they first appear.

- CSV (RFC 4180, UTF-8, a header row): a text value as it is; a number or a boolean as JSON writes it
  (``true``/``false``); null as an empty cell; a list or an object (``terms``, ``article_ids``, ``evidence``,
  the kept input ``fields``) as JSON text.
- Parquet (through pyarrow, the optional extra ``storyclust[parquet]``): lists and the ``evidence`` object as
  native lists and structs; the kept input ``fields`` as JSON text, since an input field's values need not share
  one type across records. Dates stay ISO 8601 text in every format, as in JSONL.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Callable, Iterable

__all__ = ["FORMATS", "TABLES", "OTHER_FILES", "writer", "check_format", "table_file", "columns", "write_csv", "write_parquet", "check_parquet",
           "JSON_TEXT_IN_PARQUET"]

FORMATS = ("jsonl", "csv", "parquet")
TABLES = ("articles", "duplicates", "stories")
JSON_TEXT_IN_PARQUET = ("fields",)  # input fields passed through: one JSON text column in Parquet


def table_file(table: str, fmt: str) -> str:
    """The file name of ``table`` (``articles``, ``duplicates`` or ``stories``) in format ``fmt``."""
    return f"{table}.{fmt}"


def columns(rows: list[dict[str, Any]]) -> list[str]:
    """Every key of ``rows``, in the order they first appear."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def _cell(value: Any, default: Callable[[Any], Any]) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=default)


def write_csv(path: Path, rows: Iterable[dict[str, Any]], default: Callable[[Any], Any] = str) -> None:
    """Write ``rows`` as CSV (see the module's rules); ``default`` turns what JSON cannot write into a value."""
    rows = list(rows)
    names = columns(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([_cell(row.get(name), default) for name in names])


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ImportError("writing Parquet needs pyarrow: pip install 'storyclust[parquet]'") from None
    return pyarrow


def check_parquet() -> None:
    """Raise :class:`ImportError` with the install hint when pyarrow is missing (before a run starts)."""
    _pyarrow()


def write_parquet(path: Path, rows: Iterable[dict[str, Any]], default: Callable[[Any], Any] = str) -> None:
    """Write ``rows`` as one Parquet table (see the module's rules); ``default`` as for :func:`write_csv`."""
    pa = _pyarrow()
    rows = list(rows)
    names = columns(rows)
    data: dict[str, list[Any]] = {name: [row.get(name) for row in rows] for name in names}
    for name in JSON_TEXT_IN_PARQUET:
        if name in data:
            data[name] = [None if v is None else json.dumps(v, ensure_ascii=False, default=default)
                          for v in data[name]]
    arrays = {}
    for name, values in data.items():
        try:
            array = pa.array(values)
            if pa.types.is_list(array.type) and pa.types.is_null(array.type.value_type):
                array = array.cast(pa.list_(pa.string()))  # lists that are all empty: lists of text
            arrays[name] = array
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types: the values as JSON text
            arrays[name] = pa.array([None if v is None else _cell(v, default) for v in values], pa.string())
    table = pa.table(arrays) if arrays else pa.table({})
    pa.parquet.write_table(table, str(path))


OTHER_FILES = tuple(table_file(t, f) for f in FORMATS[1:] for t in TABLES)  # removed when a run does not write them


def writer(fmt: str, jsonl: Callable[[Path, Iterable[dict[str, Any]]], None],
           default: Callable[[Any], Any]) -> Callable[[Path, Iterable[dict[str, Any]]], None]:
    """The function writing a table in ``fmt`` (``jsonl``: the given ``jsonl`` writer)."""
    if fmt == "jsonl":
        return jsonl
    if fmt == "csv":
        return lambda path, rows: write_csv(path, rows, default)
    if fmt == "parquet":
        return lambda path, rows: write_parquet(path, rows, default)
    raise ValueError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")


def check_format(directory: str | Path, fmt: str) -> None:
    """Before a run: Parquet needs pyarrow; say so as an error at the output folder, with the install hint."""
    if fmt == "parquet":
        from .records import InputError

        try:
            check_parquet()
        except ImportError as err:
            raise InputError(str(directory), str(err)) from None
