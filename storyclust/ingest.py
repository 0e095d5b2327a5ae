"""Read news articles from dumps: folders of ``.txt`` files, JSON Lines, JSON arrays, CSV/TSV and Parquet.

Every format may be compressed (``.gz``, ``.bz2``, ``.xz``, ``.zst``); ``"-"`` reads JSON Lines from
stdin. Records are streamed (except ``.json`` arrays and compressed Parquet, which are loaded whole), and
every record ends up either as an :class:`~storyclust.records.Article` or as a
:class:`~storyclust.records.SkippedRecord` with its location and the reason.

Field names are detected per record, case-insensitively, from the candidate tuples below (the first
candidate with a usable value wins); :class:`FieldMap` names one key explicitly for a role. Every key
that is not used for a role is kept in :attr:`Article.metadata` unchanged, so evaluation labels such as
``event``, ``story`` or ``cluster`` survive.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import math
import numbers
import os
import re
import sys
import zlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Union

from .records import Article, InputError, ReadResult, RenamedId, SkippedRecord

__all__ = [
    "DATE_FIELDS",
    "ID_FIELDS",
    "SOURCE_FIELDS",
    "SUPPORTED_FORMATS",
    "TEXT_FIELDS",
    "TITLE_FIELDS",
    "URL_FIELDS",
    "FieldMap",
    "iter_articles",
    "parse_date",
    "read_articles",
]

TITLE_FIELDS: tuple[str, ...] = ("title", "headline")
TEXT_FIELDS: tuple[str, ...] = ("text", "body", "content", "maintext", "article")
DATE_FIELDS: tuple[str, ...] = ("date", "published", "publish_date", "date_publish", "pubDate")
SOURCE_FIELDS: tuple[str, ...] = ("source", "outlet", "publisher", "domain", "source_domain")
URL_FIELDS: tuple[str, ...] = ("url",)
ID_FIELDS: tuple[str, ...] = ("id", "guid", "article_id")

SUPPORTED_FORMATS = (
    "a folder of .txt files, .jsonl, .ndjson, .json, .csv, .tsv, .parquet or .txt, optionally compressed "
    "(.gz, .bz2, .xz, .zst), or - for JSON Lines on stdin"
)

PathLike = Union[str, "os.PathLike[str]"]  # a path as given on the command line

_STDIN = "-"
_FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".txt": "txt",
}
_COMPRESSIONS = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd", ".zstd": "zstd"}
_READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, lzma.LZMAError)

# Plausible Unix timestamps: 1973-03-03 (1e8 s) up to 2100-01-01 in seconds, or that range in milliseconds.
# Smaller numbers are more likely years or YYYYMMDD dates than timestamps.
_MIN_EPOCH_S = 100_000_000
_MAX_EPOCH_S = 4_102_444_800
_SLASH_DATE = re.compile(
    r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?")
_JSON_WS = re.compile(r"[ \t\n\r]*")

Result = Union[Article, SkippedRecord]


@dataclass(frozen=True)
class FieldMap:
    """Explicit input field names. A role given here is read from that key only (case-insensitively if
    the exact key is absent); roles left as ``None`` use the candidate tuples (``TITLE_FIELDS``, ...)."""

    title: str | None = None
    text: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    id: str | None = None


# --------------------------------------------------------------------------------------------- public API


def iter_articles(
    paths: Iterable[PathLike] | PathLike,
    *,
    fields: FieldMap | None = None,
    on_bad: Callable[[SkippedRecord], None] | None = None,
) -> Iterator[Article]:
    """Stream articles from every path in order (a single path is accepted too).

    A malformed record raises :class:`InputError` when ``on_bad`` is None; otherwise
    ``on_bad(SkippedRecord(location, reason))`` is called and reading goes on. Problems with a whole file
    (missing, unknown format, unreadable, corrupt compression, a ``.json`` file that is not an array)
    always raise. All paths are checked before the first record is read.
    """
    sources = [_source(p) for p in _as_list(paths)]
    roles = _roles(fields or FieldMap())
    for src in sources:
        for item in _read_source(src, roles):
            if type(item) is Article:
                yield item
            elif on_bad is None:
                raise InputError(item.location, item.reason)
            else:
                on_bad(item)


def read_articles(
    paths: Iterable[PathLike] | PathLike,
    *,
    fields: FieldMap | None = None,
    skip_bad: bool = False,
    unique_ids: bool = False,
) -> ReadResult:
    """Read all articles in input order, checking that ids are unique.

    With ``skip_bad`` malformed records (and duplicate ids, unless ``unique_ids``) are listed in
    ``ReadResult.skipped`` instead of raising. With ``unique_ids`` a repeated id becomes ``<id>~2``,
    ``<id>~3``, ... (the first free one) and the change is listed in ``ReadResult.renamed``.
    """
    skipped: list[SkippedRecord] = []
    renamed: list[RenamedId] = []
    articles: list[Article] = []
    first_seen: dict[str, str] = {}
    on_bad = skipped.append if skip_bad else None
    for article in iter_articles(paths, fields=fields, on_bad=on_bad):
        original = article.id
        if original in first_seen:
            if unique_ids:
                n = 2
                while f"{original}~{n}" in first_seen:
                    n += 1
                article.id = f"{original}~{n}"
                renamed.append(RenamedId(article.location, original, article.id))
            else:
                reason = (
                    f"duplicate id {original!r} (first seen at {first_seen[original]}); "
                    "pass --unique-ids to rename duplicates"
                )
                if not skip_bad:
                    raise InputError(article.location, reason)
                skipped.append(SkippedRecord(article.location, reason))
                continue
        first_seen[article.id] = article.location
        articles.append(article)
    return ReadResult(articles=articles, skipped=skipped, renamed=renamed)


def parse_date(value: object) -> datetime | None:
    """Parse a publication date into a timezone-aware UTC datetime, or return None.

    Accepts ``datetime``/``date`` objects, ISO 8601 strings (date only, with time, ``Z`` or an offset),
    RFC 2822 strings (RSS ``pubDate``), ``YYYY/MM/DD[ HH:MM[:SS]]`` and Unix timestamps (numbers or
    numeric strings, in seconds or milliseconds, from 1973 to 2100). Naive values are taken as UTC.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        dt: datetime | None = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, numbers.Real):
        return _from_epoch(float(value))
    elif isinstance(value, str):
        dt = _parse_date_string(value.strip())
    else:
        return None
    if dt is None:
        return None
    try:
        if dt.tzinfo is None or dt.utcoffset() is None:
            return dt.replace(tzinfo=timezone.utc)
        return dt.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


# --------------------------------------------------------------------------------------------- dates


def _from_epoch(x: float) -> datetime | None:
    if not math.isfinite(x):
        return None
    if x >= _MIN_EPOCH_S * 1000:
        x /= 1000.0
    if not _MIN_EPOCH_S <= x < _MAX_EPOCH_S:
        return None
    return datetime.fromtimestamp(x, tz=timezone.utc)


def _parse_date_string(s: str) -> datetime | None:
    if not s:
        return None
    if _NUMBER.fullmatch(s):
        stamp = _from_epoch(float(s))
        if stamp is not None or not s.isdigit():
            return stamp  # digits that are no timestamp may still be an ISO basic date (20240105)
    iso = s[:-1] + "+00:00" if s[-1] in "zZ" else s
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    m = _SLASH_DATE.fullmatch(s)
    if m:
        try:
            return datetime(*(int(g) for g in m.groups() if g is not None))
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# --------------------------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class _Source:
    name: str  # the path as given; locations start with it
    base: str  # file name used in default ids
    fmt: str  # "dir", "jsonl", "json", "csv", "tsv", "parquet", "txt"
    compression: str | None = None


def _as_list(paths: Iterable[PathLike] | PathLike) -> list[PathLike]:
    if isinstance(paths, (str, os.PathLike)):
        return [paths]
    return list(paths)


def _source(path: PathLike) -> _Source:
    name = os.fspath(path)
    if name == _STDIN:
        return _Source("<stdin>", "<stdin>", "jsonl")
    if os.path.isdir(name):
        return _Source(name, os.path.basename(name), "dir")
    base = os.path.basename(name)
    lower = base.lower()
    compression = None
    stem, ext = os.path.splitext(lower)
    if ext in _COMPRESSIONS:
        compression = _COMPRESSIONS[ext]
        stem, ext = os.path.splitext(stem)
    fmt = _FORMATS.get(ext)
    if not os.path.exists(name):
        raise InputError(name, f"no such file or directory (supported inputs: {SUPPORTED_FORMATS})")
    if fmt is None:
        raise InputError(name, f"unsupported input format; expected {SUPPORTED_FORMATS}")
    return _Source(name, base, fmt, compression)


def _read_source(src: _Source, roles: _Roles) -> Iterator[Result]:
    if src.fmt == "dir":
        yield from _read_dir(src)
    elif src.fmt == "parquet":
        yield from _read_parquet(src, roles)
    elif src.fmt == "txt":
        stem = os.path.splitext(os.path.splitext(src.base)[0])[0] if src.compression else Path(src.base).stem
        yield _txt_article(_read_whole(src), src.name, stem)
    elif src.fmt == "json":
        yield from _read_json_array(src, roles)
    else:
        with ExitStack() as stack:
            lines = _lines(src, stack)
            if src.fmt == "jsonl":
                yield from _read_jsonl(lines, src, roles)
            else:
                yield from _read_csv(lines, src, roles, "\t" if src.fmt == "tsv" else ",")


def _open(src: _Source, stack: ExitStack) -> BinaryIO:
    """Open ``src`` for binary reading, decompressing on the fly."""
    if src.name == "<stdin>":
        if sys.stdin is None:
            raise InputError(src.name, "there is no standard input to read")
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is not None:
            return buffer
        return io.BytesIO(sys.stdin.read().encode("utf-8"))  # a text-only stdin replacement
    try:
        raw: BinaryIO = stack.enter_context(open(src.name, "rb"))
    except OSError as e:
        raise InputError(src.name, f"cannot read ({e.strerror or e})") from e
    if src.compression == "gzip":
        return stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))  # type: ignore[return-value]
    if src.compression == "bzip2":
        return stack.enter_context(bz2.BZ2File(raw))  # type: ignore[return-value]
    if src.compression == "xz":
        return stack.enter_context(lzma.LZMAFile(raw))  # type: ignore[return-value]
    if src.compression == "zstd":
        reader = _ZstdReader(raw, _import_zstandard(src))
        return stack.enter_context(io.BufferedReader(reader, 1 << 16))  # type: ignore[return-value]
    return raw


class _ZstdReader(io.RawIOBase):
    """Stream-decompress every zstd frame of ``raw``; a truncated last frame raises ``ZstdError``.

    (``ZstdDecompressor.stream_reader`` silently stops at a truncated frame, which would drop records.)
    """

    def __init__(self, raw: BinaryIO, zstandard: Any):
        self._raw = raw
        self._zstandard = zstandard
        self._dctx = zstandard.ZstdDecompressor()
        self._frame = self._dctx.decompressobj()
        self._in_frame = False
        self._out = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._out:
            chunk = self._raw.read(1 << 17)
            if not chunk:
                if self._in_frame:
                    raise self._zstandard.ZstdError("truncated zstd stream")
                return 0
            self._out = memoryview(self._decompress(chunk))
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def _decompress(self, data: bytes) -> bytes:
        parts = []
        while data:
            self._in_frame = True
            parts.append(self._frame.decompress(data))
            if not self._frame.eof:
                break
            data = self._frame.unused_data  # the next frame starts here
            self._frame = self._dctx.decompressobj()
            self._in_frame = False
        return b"".join(parts)


def _import_zstandard(src: _Source) -> Any:
    try:
        import zstandard
    except ImportError:
        raise InputError(src.name, "reading .zst files needs zstandard: pip install zstandard") from None
    return zstandard


def _read_errors(src: _Source) -> tuple[type[BaseException], ...]:
    if src.compression == "zstd":
        return _READ_ERRORS + (_import_zstandard(src).ZstdError,)
    return _READ_ERRORS


def _read_problem(src: _Source, err: BaseException) -> InputError:
    if src.compression:
        return InputError(src.name, f"cannot decompress {src.compression} data ({err})")
    return InputError(src.name, f"cannot read ({err})")


def _lines(src: _Source, stack: ExitStack) -> Iterator[bytes]:
    """The raw lines of ``src`` (with their line endings); read errors become :class:`InputError`."""
    stream = _open(src, stack)
    errors = _read_errors(src)
    try:
        yield from stream
    except errors as e:
        raise _read_problem(src, e) from e


def _read_whole(src: _Source) -> bytes:
    with ExitStack() as stack:
        stream = _open(src, stack)
        try:
            return stream.read()
        except _read_errors(src) as e:
            raise _read_problem(src, e) from e


def _utf8_problem(raw: bytes, err: UnicodeDecodeError) -> str:
    return f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at column {err.start + 1})"


# --------------------------------------------------------------------------------------------- formats


SIDECAR = "metadata.jsonl"


def _read_dir(src: _Source) -> Iterator[Result]:
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
                raise InputError(location, _utf8_problem(raw, e)) from None
            except json.JSONDecodeError as e:
                raise InputError(location, f"invalid JSON ({e})") from None
            if type(obj) is not dict:
                raise InputError(location, f"expected a JSON object, found {_json_type(obj)}")
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
            article.source = _scalar_text(value)
        elif lowered in {k.lower() for k in URL_FIELDS}:
            article.url = _scalar_text(value)
        elif lowered in {k.lower() for k in TITLE_FIELDS}:
            article.title = _scalar_text(value) or article.title
        else:
            article.metadata[key] = value


def _txt_article(data: bytes, location: str, stem: str) -> Result:
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, column = _line_column(data, e.start)
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


def _read_jsonl(lines: Iterator[bytes], src: _Source, roles: _Roles) -> Iterator[Result]:
    loads = json.loads
    name, base = src.name, src.base
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            line = raw.rstrip(b"\r\n").decode("utf-8")
        except UnicodeDecodeError as e:
            yield SkippedRecord(f"{name}:{lineno}", _utf8_problem(raw, e))
            continue
        if lineno == 1:
            line = line.removeprefix("\ufeff")
        try:
            obj = loads(line)
        except json.JSONDecodeError as e:
            yield SkippedRecord(f"{name}:{lineno}", f"invalid JSON ({e})")
            continue
        if type(obj) is not dict:
            yield SkippedRecord(f"{name}:{lineno}", f"expected a JSON object, found {_json_type(obj)}")
            continue
        yield _build(obj, f"{name}:{lineno}", f"{base}:{lineno}", roles)


def _read_json_array(src: _Source, roles: _Roles) -> Iterator[Result]:
    data = _read_whole(src)
    try:
        s = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line, column = _line_column(data, e.start)
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
        raise InputError(f"{src.name}:{line}", f"expected a JSON array of objects, found {_json_type(value)}")
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
                yield _build(value, location, f"{src.base}:{line}", roles)
            else:
                yield SkippedRecord(location, f"expected a JSON object, found {_json_type(value)}")
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


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and byte column of ``offset`` in ``data``."""
    return data.count(b"\n", 0, offset) + 1, offset - data.rfind(b"\n", 0, offset)


def _read_csv(lines: Iterator[bytes], src: _Source, roles: _Roles, delimiter: str) -> Iterator[Result]:
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
                bad_lines[lineno] = _utf8_problem(raw, e)
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
        yield _build(dict(zip(header, row)), location, f"{base}:{start}", roles)


def _read_parquet(src: _Source, roles: _Roles) -> Iterator[Result]:
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(src.name, "reading Parquet needs pyarrow: pip install 'storyclust[parquet]'") from None
    try:
        if src.compression:
            handle: Any = pyarrow.BufferReader(_read_whole(src))
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
                yield _build(record, f"{src.name}:row {row}", f"{src.base}:row{row}", roles)
    except (pyarrow.ArrowException, OSError) as e:
        raise InputError(src.name, f"cannot read Parquet ({e})") from e
    finally:
        parquet.close()


# --------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class _Role:
    names: tuple[str, ...]  # lower-case candidates, in order
    explicit: str | None  # the FieldMap name, matched exactly first

    def keys(self, keys: tuple[str, ...], lower: dict[str, str]) -> tuple[str, ...]:
        """The keys among ``keys`` that hold this role, in candidate order."""
        if self.explicit is not None and self.explicit in keys:
            return (self.explicit,)
        return tuple(lower[name] for name in self.names if name in lower)


@dataclass(frozen=True)
class _Plan:
    """Which keys of a record hold each role, for one set of keys (records usually share it)."""

    text: tuple[str, ...]
    title: tuple[str, ...]
    source: tuple[str, ...]
    url: tuple[str, ...]
    id: tuple[str, ...]
    date: tuple[str, ...]


@dataclass(frozen=True)
class _Roles:
    title: _Role
    text: _Role
    date: _Role
    source: _Role
    url: _Role
    id: _Role
    missing_text: str
    plans: dict[tuple[str, ...], _Plan] = field(default_factory=dict, compare=False)

    def plan(self, record: dict[str, Any]) -> _Plan:
        keys = tuple(record)
        plan = self.plans.get(keys)
        if plan is None:
            lower: dict[str, str] = {}
            for key in keys:
                lower.setdefault(str(key).lower(), key)
            plan = _Plan(
                text=self.text.keys(keys, lower),
                title=self.title.keys(keys, lower),
                source=self.source.keys(keys, lower),
                url=self.url.keys(keys, lower),
                id=self.id.keys(keys, lower),
                date=self.date.keys(keys, lower),
            )
            if len(self.plans) >= 1024:  # records with ever-changing keys: keep the cache small
                self.plans.clear()
            self.plans[keys] = plan
        return plan


def _roles(fields: FieldMap) -> _Roles:
    def role(explicit: str | None, defaults: tuple[str, ...]) -> _Role:
        if explicit is not None:
            return _Role((explicit.lower(),), explicit)
        return _Role(tuple(n.lower() for n in defaults), None)

    missing = (
        f"missing text field {fields.text!r}"
        if fields.text is not None
        else f"missing text (looked for: {', '.join(TEXT_FIELDS)})"
    )
    return _Roles(
        title=role(fields.title, TITLE_FIELDS),
        text=role(fields.text, TEXT_FIELDS),
        date=role(fields.date, DATE_FIELDS),
        source=role(fields.source, SOURCE_FIELDS),
        url=role(fields.url, URL_FIELDS),
        id=role(fields.id, ID_FIELDS),
        missing_text=missing,
    )


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):  # includes bool
        return str(value)
    return None


def _pick_text(record: dict[str, Any], keys: tuple[str, ...], used: list[str], source: bool = False) -> str | None:
    """The first usable (scalar, not blank) value among ``keys``; its key is added to ``used``."""
    for key in keys:
        value = record[key]
        if source and isinstance(value, dict):  # NewsAPI style: {"id": ..., "name": "CNN"}
            value = value.get("name")
        text = _scalar_text(value)
        if text and not text.isspace():
            used.append(key)
            return text
    return None


def _build(record: dict[str, Any], location: str, default_id: str, roles: _Roles) -> Result:
    """Map one input record to an :class:`Article`, or say why it cannot be one."""
    plan = roles.plan(record)
    used: list[str] = []

    text = _pick_text(record, plan.text, used)
    if text is None:
        for key in plan.text:
            value = record[key]
            if isinstance(value, str):
                return SkippedRecord(location, "empty text")
            if value is not None and _scalar_text(value) is None:
                return SkippedRecord(location, f"text field {key!r} holds {_json_type(value)}, not text")
        return SkippedRecord(location, roles.missing_text)

    title = _pick_text(record, plan.title, used) if plan.title else None
    source = _pick_text(record, plan.source, used, source=True) if plan.source else None
    url = _pick_text(record, plan.url, used) if plan.url else None
    article_id = _pick_text(record, plan.id, used) if plan.id else None

    published = None
    for key in plan.date:
        published = parse_date(record[key])
        if published is not None:  # an unparseable date stays in metadata
            used.append(key)
            break

    metadata = record.copy()
    for key in used:
        metadata.pop(key, None)  # a key can serve two roles with a FieldMap
    return Article(
        id=article_id or default_id,
        title=title or "",
        text=text,
        date=published,
        source=source,
        url=url,
        location=location,
        metadata=metadata,
    )


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
