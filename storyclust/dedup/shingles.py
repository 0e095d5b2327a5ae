"""Shingles: cleaned texts -> the sorted, unique 64-bit hashes of their word ``k``-grams.

Texts are lower-cased and encoded once; a numba kernel tokenises the UTF-8 bytes and hashes each word
``k``-gram to a 64-bit value, with no per-shingle Python object. The hashes are the exact shingle sets that
verification intersects (:mod:`storyclust.dedup.verify`; a collision needs two of ~2^32 shingles to share a
64-bit value) and the input of the MinHash signatures (:mod:`storyclust.dedup.minhash`).

A token is a maximal run of ASCII letters and digits or of non-ASCII characters (after NFKC cleaning,
non-ASCII bytes are letters of other scripts), so ``"Israel's"`` gives ``israel`` and ``s``. A token's hash is
FNV-1a over its bytes; a shingle's is an order-sensitive combination of its ``k`` token hashes, finalised
with :func:`storyclust.hashing.finalize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numba
import numpy as np

from ..hashing import FNV_OFFSET, FNV_PRIME, MIX_1, finalize

__all__ = ["CHUNK", "Shingles", "encode", "join_chunks", "shingle", "shingle_buffer", "shingle_lines", "sort_unique"]

CHUNK = 32768  # documents shingled at a time


@dataclass(frozen=True)
class Shingles:
    """The sorted, unique 64-bit shingle hashes of every document, concatenated.

    Document ``i`` owns ``hashes[offsets[i]:offsets[i + 1]]``. A document with fewer than ``k`` tokens has one
    shingle made of all its tokens; a document with no token has none.
    """

    hashes: np.ndarray  # uint64
    offsets: np.ndarray  # int64, len n + 1

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)

    def of(self, i: int) -> np.ndarray:
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]


@numba.njit(cache=True, inline="always")
def _is_word(c: np.uint8) -> bool:
    return (48 <= c <= 57) or (97 <= c <= 122) or c >= 128


@numba.njit(cache=True)
def _count_tokens(buf, start, end):
    count = 0
    inword = False
    for p in range(start, end):
        w = _is_word(buf[p])
        if w and not inword:
            count += 1
        inword = w
    return count


@numba.njit(cache=True, inline="always")
def _add_tokens(buf, start, end, tokens, n):
    """Append the FNV-1a hashes of the tokens of ``buf[start:end]`` to ``tokens`` from index ``n``; return the
    new count."""
    h = FNV_OFFSET
    inword = False
    for p in range(start, end + 1):
        w = p < end and _is_word(buf[p])
        if w:
            if not inword:
                h = FNV_OFFSET
            h = (h ^ np.uint64(buf[p])) * FNV_PRIME
        elif inword:
            tokens[n] = h
            n += 1
        inword = w
    return n


@numba.njit(cache=True, inline="always")
def _token_shingles(tokens, n, k, out):
    """Write the sorted unique shingle hashes of the ``n`` token hashes ``tokens[:n]`` into ``out``; return how
    many."""
    if n == 0:
        return 0
    m = n - k + 1 if n >= k else 1
    width = k if n >= k else n
    for i in range(m):
        s = np.uint64(k)
        for j in range(width):
            s = (s ^ tokens[i + j]) * MIX_1  # order-sensitive combination of the k token hashes
            s ^= s >> np.uint64(29)
        out[i] = finalize(s)
    return sort_unique(out[:m])


@numba.njit(cache=True)
def _doc_shingles(buf, start, end, k, tokens, out):
    """Write the sorted unique shingle hashes of ``buf[start:end]`` into ``out``; return how many."""
    return _token_shingles(tokens, _add_tokens(buf, start, end, tokens, 0), k, out)


@numba.njit(cache=True)
def _kept_shingles(buf, start, end, line, skip, k, tokens, out):
    """As :func:`_doc_shingles`, leaving out the non-empty lines (numbered from ``line``) flagged in ``skip``:
    the shingles of the text with those lines removed."""
    n = 0
    p = start
    while p < end:
        if buf[p] == 10:  # an empty line
            p += 1
            continue
        q = p
        while q < end and buf[q] != 10:
            q += 1
        if not skip[line]:
            n = _add_tokens(buf, p, q, tokens, n)
        line += 1
        p = q + 1
    return _token_shingles(tokens, n, k, out)


@numba.njit(cache=True)
def sort_unique(a):
    """Sort ``a`` in place and move its distinct values to the front; returns how many there are."""
    a.sort()
    u = 0
    for q in range(len(a)):
        if u == 0 or a[q] != a[u - 1]:
            a[u] = a[q]
            u += 1
    return u


@numba.njit(cache=True)
def _bounds(counts):
    n = len(counts)
    bound = np.empty(n + 1, np.int64)
    bound[0] = 0
    for d in range(n):
        bound[d + 1] = bound[d] + max(counts[d], 1)
    return bound


@numba.njit(cache=True, parallel=True)
def shingle_buffer(buf, starts, k):
    """Sorted, distinct k-word shingle hashes of every document in an encoded buffer: ``(hashes, offsets)``."""
    n = len(starts) - 1
    counts = np.empty(n, np.int64)
    for d in numba.prange(n):
        counts[d] = _count_tokens(buf, starts[d], starts[d + 1])
    bound = _bounds(counts)
    scratch = np.empty(bound[n], np.uint64)
    tokens = np.empty(bound[n], np.uint64)
    sizes = np.empty(n, np.int64)
    for d in numba.prange(n):
        lo, hi = bound[d], bound[d + 1]
        sizes[d] = _doc_shingles(buf, starts[d], starts[d + 1], k, tokens[lo:hi], scratch[lo:hi])
    offsets = np.empty(n + 1, np.int64)
    offsets[0] = 0
    for d in range(n):
        offsets[d + 1] = offsets[d] + sizes[d]
    hashes = np.empty(offsets[n], np.uint64)
    for d in numba.prange(n):
        hashes[offsets[d] : offsets[d + 1]] = scratch[bound[d] : bound[d] + sizes[d]]
    return hashes, offsets


@numba.njit(cache=True, parallel=True)
def shingle_lines(buf, starts, line_offsets, line_words, skip, k):
    """:func:`shingle_buffer` of the documents without the lines flagged in ``skip``. Document ``d``'s non-empty
    lines are ``line_offsets[d]:line_offsets[d + 1]``, in order, and ``line_words`` holds each one's token
    count (:func:`storyclust.dedup.template.line_table`), so no pass counts tokens again."""
    n = len(starts) - 1
    counts = np.zeros(n, np.int64)
    for d in numba.prange(n):
        c = 0
        for q in range(line_offsets[d], line_offsets[d + 1]):
            if not skip[q]:
                c += line_words[q]
        counts[d] = c
    bound = _bounds(counts)
    scratch = np.empty(bound[n], np.uint64)
    tokens = np.empty(bound[n], np.uint64)
    sizes = np.empty(n, np.int64)
    for d in numba.prange(n):
        lo, hi = bound[d], bound[d + 1]
        sizes[d] = _kept_shingles(buf, starts[d], starts[d + 1], line_offsets[d], skip, k, tokens[lo:hi],
                                  scratch[lo:hi])
    offsets = np.empty(n + 1, np.int64)
    offsets[0] = 0
    for d in range(n):
        offsets[d + 1] = offsets[d] + sizes[d]
    hashes = np.empty(offsets[n], np.uint64)
    for d in numba.prange(n):
        hashes[offsets[d] : offsets[d + 1]] = scratch[bound[d] : bound[d] + sizes[d]]
    return hashes, offsets


def encode(texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Lower-cased UTF-8 bytes of ``texts``, concatenated, and each text's start offset (plus the end).
    The buffer holds at least one byte, so kernels can take it even when every text is empty."""
    encoded = [t.lower().encode("utf-8") for t in texts]
    starts = np.zeros(len(encoded) + 1, np.int64)
    np.cumsum([len(e) for e in encoded], out=starts[1:])
    buf = np.frombuffer(b"".join(encoded), dtype=np.uint8) if starts[-1] else np.zeros(1, np.uint8)
    return buf, starts


def shingle(texts: Sequence[str], k: int) -> Shingles:
    """Word ``k``-gram shingle sets of ``texts`` (already cleaned; lower-cased here)."""
    if k < 1:
        raise ValueError(f"shingle size must be >= 1, got {k}")
    # In chunks of documents: the byte buffer and the per-token scratch arrays of a million articles would
    # take about 10 GB at once; only the shingle hashes themselves are kept.
    parts = []
    for base in range(0, len(texts), CHUNK):
        buf, starts = encode(texts[base : base + CHUNK])
        chunk_hashes, chunk_offsets = shingle_buffer(buf, starts, k)
        parts.append((chunk_hashes, chunk_offsets))
    return join_chunks(parts, len(texts))


def join_chunks(parts: Sequence[tuple[np.ndarray, np.ndarray]], n: int) -> Shingles:
    """The :class:`Shingles` of ``n`` documents from consecutive chunks' ``(hashes, offsets)``."""
    offsets = np.zeros(n + 1, np.int64)
    if parts:
        np.cumsum(np.concatenate([np.diff(o) for _, o in parts]), out=offsets[1:])
    hashes = np.concatenate([h for h, _ in parts]) if parts else np.zeros(0, np.uint64)
    return Shingles(hashes, offsets)
