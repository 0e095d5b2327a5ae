"""Where records come from: paths and stdin, their format and compression, and their bytes.

A path names a folder of ``.txt`` files or one file whose format is told by its extension, optionally
behind a compression extension (``.gz``, ``.bz2``, ``.xz``, ``.zst``); ``"-"`` is JSON Lines on stdin.
Problems with a whole file (missing, unknown format, unreadable, corrupt compression) raise
:class:`~storyclust.records.InputError`.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import sys
import zlib
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterable, Iterator, Union

from ..records import InputError

__all__ = ["SUPPORTED_FORMATS", "PathLike", "Source", "as_list", "source", "raw_lines", "read_whole",
           "utf8_problem", "line_column", "not_text", "encoded_whole"]

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


@dataclass(frozen=True)
class Source:
    name: str  # the path as given; locations start with it
    base: str  # file name used in default ids
    fmt: str  # "dir", "jsonl", "json", "csv", "tsv", "parquet", "txt"
    compression: str | None = None


def as_list(paths: Iterable[PathLike] | PathLike) -> list[PathLike]:
    if isinstance(paths, (str, os.PathLike)):
        return [paths]
    return list(paths)


def source(path: PathLike) -> Source:
    name = os.fspath(path)
    if name == _STDIN:
        return Source("<stdin>", "<stdin>", "jsonl")
    if os.path.isdir(name):
        return Source(name, os.path.basename(name), "dir")
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
    return Source(name, base, fmt, compression)



def _open(src: Source, stack: ExitStack) -> BinaryIO:
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


def _import_zstandard(src: Source) -> Any:
    try:
        import zstandard
    except ImportError:
        raise InputError(src.name, "reading .zst files needs zstandard: pip install zstandard") from None
    return zstandard


def _read_errors(src: Source) -> tuple[type[BaseException], ...]:
    if src.compression == "zstd":
        return _READ_ERRORS + (_import_zstandard(src).ZstdError,)
    return _READ_ERRORS


def _read_problem(src: Source, err: BaseException) -> InputError:
    if src.compression:
        return InputError(src.name, f"cannot decompress {src.compression} data ({err})")
    return InputError(src.name, f"cannot read ({err})")


def raw_lines(src: Source, stack: ExitStack) -> Iterator[bytes]:
    """The raw lines of ``src`` (with their line endings); read errors become :class:`InputError`."""
    stream = _open(src, stack)
    errors = _read_errors(src)
    try:
        yield from stream
    except errors as e:
        raise _read_problem(src, e) from e


def read_whole(src: Source) -> bytes:
    with ExitStack() as stack:
        stream = _open(src, stack)
        try:
            return stream.read()
        except _read_errors(src) as e:
            raise _read_problem(src, e) from e


def utf8_problem(raw: bytes, err: UnicodeDecodeError) -> str:
    return f"not valid UTF-8 (byte 0x{raw[err.start]:02x} at column {err.start + 1})"

def line_column(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and byte column of ``offset`` in ``data``."""
    return data.count(b"\n", 0, offset) + 1, offset - data.rfind(b"\n", 0, offset)



# What a text input's first bytes may be instead of UTF-8 text: (magic, what it is, the fix).
_NOT_TEXT = (
    (b"\x1f\x8b", "gzip-compressed data", "name the file .gz, or decompress it first (gunzip -c FILE | storyclust ... -)"),
    (b"BZh", "bzip2-compressed data", "name the file .bz2, or decompress it first (bunzip2 -c FILE)"),
    (b"\xfd7zXZ\x00", "xz-compressed data", "name the file .xz, or decompress it first (xz -dc FILE)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data", "name the file .zst, or decompress it first (zstd -dc FILE)"),
    (b"PK\x03\x04", "a zip archive", "unzip it and give the files inside"),
    (b"PAR1", "Parquet data", "name the file .parquet"),
    (b"\xff\xfe", "UTF-16 text (little-endian byte order mark)", "convert it to UTF-8 (iconv -f UTF-16 -t UTF-8 FILE)"),
    (b"\xfe\xff", "UTF-16 text (big-endian byte order mark)", "convert it to UTF-8 (iconv -f UTF-16 -t UTF-8 FILE)"),
)


def not_text(head: bytes) -> str | None:
    """What the first bytes ``head`` of an input are when they are no UTF-8 text at all (compressed data, an
    archive, UTF-16), and the fix; None when they may be text."""
    for magic, what, fix in _NOT_TEXT:
        if head.startswith(magic):
            return f"the bytes are {what}, not UTF-8 text: {fix}"
    if len(head) >= 4 and head.count(b"\x00") * 3 >= len(head):  # ASCII as UTF-16 without a byte order mark
        return "the bytes look like UTF-16 text (every other byte is 0), not UTF-8: convert it to UTF-8 (iconv -f UTF-16 -t UTF-8 FILE)"
    return None


def encoded_whole(name: str, head: bytes) -> None:
    """Raise :class:`InputError` for the file ``name`` when :func:`not_text` says what its first bytes are."""
    problem = not_text(head[:64])
    if problem:
        raise InputError(name, problem)
