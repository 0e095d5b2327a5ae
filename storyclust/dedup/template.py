"""Template and chrome, learned from the corpus: what recurs across many articles is not content.

Two kinds of recurrence are learned in one pass each:

- **Lines** (:func:`learn_template`): a cleaned line found in at least ``min_source_articles`` articles of one
  named source (a site's login form, its video playlist, its subscription notice), or in at least
  ``min_articles`` articles of any sources (a publishing platform's widgets, a wire template's fixed lines),
  is template. :meth:`Template.strip` removes those lines from a text.
- **Shingles** (:func:`shingle_frequency`): a shingle found in at least ``min_articles`` articles is template
  even inside a line that varies (``"Get email notifications on <name> daily!"``). Document frequencies are
  counted in a count-min sketch of two saturating 8-bit tables, so the count costs one pass and a fixed amount
  of memory; a sketch only overestimates, by a collision count that is small next to the template threshold
  (tables are sized to at least 1.5 slots per shingle occurrence).

A text left with fewer than ``thin_shingles`` content shingles is *thin* (:func:`content_sizes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numba
import numpy as np

from ..hashing import FNV_OFFSET, FNV_PRIME, GOLDEN, MIX_1
from .shingles import CHUNK, Shingles, _is_word, encode, join_chunks, shingle_buffer, shingle_lines, sort_unique

__all__ = ["Template", "learn_template", "ShingleFrequency", "shingle_frequency", "content_sizes"]

_MAX_BITS = 28
_KEEP_BYTES = 1 << 30  # encoded texts kept from learn_template for Template.shingle, up to this many bytes
_MIN_BITS = 10


@numba.njit(cache=True)
def _line_hash(buf, start, end):
    """FNV-1a of the bytes ``buf[start:end]``, ASCII letters lower-cased."""
    h = FNV_OFFSET
    for p in range(start, end):
        c = buf[p]
        if 65 <= c <= 90:
            c += 32
        h = (h ^ np.uint64(c)) * FNV_PRIME
    return h


@numba.njit(cache=True, parallel=True)
def line_table(buf, starts):
    """Per document, each non-empty line's hash (:func:`_line_hash`) and token count (as the shingles count
    tokens), in order: ``(hashes, words, offsets)``, document ``d``'s lines at ``offsets[d]:offsets[d + 1]``."""
    n = len(starts) - 1
    counts = np.zeros(n, np.int64)
    for d in numba.prange(n):
        c = 0
        lo = starts[d]
        for p in range(starts[d], starts[d + 1] + 1):
            if p == starts[d + 1] or buf[p] == 10:
                if p > lo:
                    c += 1
                lo = p + 1
        counts[d] = c
    offsets = np.zeros(n + 1, np.int64)
    for d in range(n):
        offsets[d + 1] = offsets[d] + counts[d]
    hashes = np.empty(offsets[n], np.uint64)
    words = np.empty(offsets[n], np.int64)
    for d in numba.prange(n):
        o = offsets[d]
        h = FNV_OFFSET  # the line's _line_hash and token count, in one pass over its bytes
        count = 0
        inword = False
        size = 0
        for p in range(starts[d], starts[d + 1] + 1):
            c = buf[p] if p < starts[d + 1] else np.uint8(10)
            if c == 10:
                if size:
                    hashes[o] = h
                    words[o] = count
                    o += 1
                h = FNV_OFFSET
                count = 0
                inword = False
                size = 0
                continue
            w = _is_word(c)
            if w and not inword:
                count += 1
            inword = w
            if 65 <= c <= 90:
                c += 32
            h = (h ^ np.uint64(c)) * FNV_PRIME
            size += 1
    return hashes, words, offsets


@numba.njit(cache=True, parallel=True)
def _unique_per_doc(lines, offsets):
    """Per document, the sorted unique values of its ``lines[offsets[d]:offsets[d + 1]]``, concatenated, and
    their offsets."""
    n = len(offsets) - 1
    out = lines.copy()
    sizes = np.zeros(n, np.int64)
    for d in numba.prange(n):
        sizes[d] = sort_unique(out[offsets[d] : offsets[d + 1]])
    final = np.zeros(n + 1, np.int64)
    for d in range(n):
        final[d + 1] = final[d] + sizes[d]
    hashes = np.empty(final[n], np.uint64)
    for d in numba.prange(n):
        hashes[final[d] : final[d + 1]] = out[offsets[d] : offsets[d] + sizes[d]]
    return hashes, final


@numba.njit(cache=True)
def _sketch_counts(values, low, high, shift, mask):
    for h in values:
        a = h >> shift
        b = h & mask
        if low[a] < 255:
            low[a] += 1
        if high[b] < 255:
            high[b] += 1
    out = np.empty(len(values), np.uint8)
    for q in range(len(values)):
        h = values[q]
        out[q] = min(low[h >> shift], high[h & mask])
    return out


def _sketch_at_least(values: np.ndarray, count: int) -> np.ndarray:
    """A mask of ``values`` holding every value found at least ``count`` times (and some found fewer)."""
    if count <= 1:
        return np.ones(len(values), bool)
    bits = int(min(_MAX_BITS, max(_MIN_BITS, int(np.ceil(np.log2(max(2 * len(values), 2)))))))
    low, high = np.zeros(1 << bits, np.uint8), np.zeros(1 << bits, np.uint8)
    estimate = _sketch_counts(values, low, high, np.uint64(64 - bits), np.uint64((1 << bits) - 1))
    return estimate >= min(count, 255)


def _counted_at_least(keys: np.ndarray, count: int) -> np.ndarray:
    """The sorted values found at least ``count`` times in ``keys``."""
    if not len(keys):
        return keys[:0]
    s = np.sort(keys)
    start = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
    runs = np.diff(np.append(start, len(s)))
    return s[start[runs >= count]]


@numba.njit(cache=True, inline="always")
def _member(sorted_keys, h):
    k = np.searchsorted(sorted_keys, h)
    return k < len(sorted_keys) and sorted_keys[k] == h


@numba.njit(cache=True, parallel=True)
def _template_flags(buf, starts, template):
    """Per document, one flag per newline-separated piece (empty pieces included): is it a template line."""
    n = len(starts) - 1
    counts = np.zeros(n, np.int64)
    for d in numba.prange(n):
        c = 1 if starts[d + 1] > starts[d] else 0
        for p in range(starts[d], starts[d + 1]):
            if buf[p] == 10:
                c += 1
        counts[d] = c
    offsets = np.zeros(n + 1, np.int64)
    for d in range(n):
        offsets[d + 1] = offsets[d] + counts[d]
    flags = np.zeros(offsets[n], np.int64)
    for d in numba.prange(n):
        if counts[d] == 0:
            continue
        q = offsets[d]
        lo = starts[d]
        for p in range(starts[d], starts[d + 1] + 1):
            if p == starts[d + 1] or buf[p] == 10:
                if p > lo and _member(template, _line_hash(buf, lo, p)):
                    flags[q] = 1
                q += 1
                lo = p + 1
    return flags, offsets


@dataclass(frozen=True)
class Template:
    """The lines learned as template, as sorted 64-bit hashes of their bytes (ASCII letters lower-cased)."""

    hashes: np.ndarray  # uint64, sorted unique
    # [texts, encoded chunks] of the texts it was learned from: shingle() of those same texts (the same object)
    # reuses them once instead of encoding again (not part of its value)
    _encoded: list = field(default_factory=list, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.hashes)

    def line_is_template(self, line: str) -> bool:
        raw = line.lower().encode("utf-8")
        if not raw:
            return False
        h = np.uint64(_line_hash(np.frombuffer(raw, np.uint8), 0, len(raw)))
        k = int(np.searchsorted(self.hashes, h))
        return k < len(self.hashes) and self.hashes[k] == h

    def strip(self, text: str) -> str:
        """``text`` without its template lines (its other non-empty lines, in order)."""
        if not len(self.hashes) or not text:
            return text
        return "\n".join(line for line in text.split("\n") if line and not self.line_is_template(line))

    def strip_all(self, texts: Sequence[str]) -> list[str]:
        """``[self.strip(t) for t in texts]``, with the lines hashed in compiled passes (the texts without a
        template line are returned as they are)."""
        if not len(self.hashes):
            return list(texts)
        out = list(texts)
        for base in range(0, len(texts), CHUNK):
            chunk = texts[base : base + CHUNK]
            buf, starts = encode(chunk)
            flags, offsets = _template_flags(buf, starts, self.hashes)
            total = np.concatenate(([0], np.cumsum(flags)))
            for d in np.flatnonzero(total[offsets[1:]] > total[offsets[:-1]]).tolist():
                if offsets[d + 1] > offsets[d]:
                    lines = chunk[d].split("\n")
                    mask = flags[offsets[d] : offsets[d + 1]]
                    if len(lines) == len(mask):
                        out[base + d] = "\n".join(x for x, m in zip(lines, mask) if x and not m)
                    else:  # a character that changes the line count when lower-cased: line by line
                        out[base + d] = self.strip(chunk[d])
        return out

    def flags(self, line_hashes: np.ndarray) -> np.ndarray:
        """Per line hash, whether it is a template line."""
        if not len(self.hashes):
            return np.zeros(len(line_hashes), np.bool_)
        k = np.minimum(np.searchsorted(self.hashes, line_hashes), len(self.hashes) - 1)
        return self.hashes[k] == line_hashes

    def shingle(self, texts: Sequence[str], k: int) -> Shingles:
        """Word ``k``-gram shingles of ``texts`` without their template lines (as ``shingle`` of the stripped
        texts, without building them)."""
        parts = []
        cached = self._encoded[1] if self._encoded and self._encoded[0] is texts else []
        for number, base in enumerate(range(0, len(texts), CHUNK)):
            if cached:
                buf, starts, lines, words, offsets = cached[number]
            else:
                buf, starts = encode(texts[base : base + CHUNK])
                if not len(self.hashes):
                    parts.append(shingle_buffer(buf, starts, k))
                    continue
                lines, words, offsets = line_table(buf, starts)
            parts.append(shingle_lines(buf, starts, offsets, words, self.flags(lines), k))
        self._encoded.clear()
        return join_chunks(parts, len(texts))


def learn_template(
    texts: Sequence[str], sources: Sequence[str | None], *, min_source_articles: int, min_articles: int
) -> Template:
    """Lines found in at least ``min_source_articles`` articles of one named source, or in at least
    ``min_articles`` articles overall (each article counted once per line; lines compared with ASCII letters
    lower-cased). ``0`` turns a rule off; a ``None`` source counts only towards the overall rule."""
    if len(texts) != len(sources):
        raise ValueError(f"got {len(texts)} texts but {len(sources)} sources")
    parts, sizes, encoded, kept = [], [], [], 0
    for base in range(0, len(texts), CHUNK):
        buf, starts = encode(texts[base : base + CHUNK])
        table = line_table(buf, starts)
        h, off = _unique_per_doc(table[0], table[2])
        parts.append(h)
        sizes.append(np.diff(off))
        kept += len(buf)
        if kept <= _KEEP_BYTES:
            encoded.append((buf, starts, *table))
    if not parts:
        return Template(np.zeros(0, np.uint64))
    lines = np.concatenate(parts)
    per_doc = np.concatenate(sizes)
    doc = np.repeat(np.arange(len(texts)), per_doc)
    rules = [r for r in (min_articles, min_source_articles) if r > 0]
    if rules and len(lines):
        # Neither rule holds for a line found in fewer articles than the smaller rule asks, so the exact counts
        # below see only the lines a count-min sketch (which never undercounts) puts at that many or more.
        maybe = _sketch_at_least(lines, min(rules))
        lines, doc = lines[maybe], doc[maybe]
    found = [np.zeros(0, np.uint64)]
    if min_articles > 0 and len(lines):
        found.append(_counted_at_least(lines, min_articles))
    if min_source_articles > 0 and len(lines):
        ids: dict[str, int] = {}
        sid = np.array([-1 if s is None else ids.setdefault(s, len(ids)) for s in sources], np.int64)
        doc_sid = sid[doc]
        named = doc_sid >= 0
        keys = (lines[named] ^ (doc_sid[named].astype(np.uint64) * GOLDEN)) * MIX_1
        frequent = _counted_at_least(keys, min_source_articles)
        if len(frequent):
            k = np.minimum(np.searchsorted(frequent, keys), len(frequent) - 1)
            found.append(np.unique(lines[named][frequent[k] == keys]))
    return Template(np.unique(np.concatenate(found)), [texts, encoded] if kept <= _KEEP_BYTES else [])


@numba.njit(cache=True, parallel=True)
def _count(hashes, low, high, shift, mask):
    for table in numba.prange(2):  # one thread per table
        if table == 0:
            for h in hashes:
                a = h >> shift
                if low[a] < 255:
                    low[a] += 1
        else:
            for h in hashes:
                b = h & mask
                if high[b] < 255:
                    high[b] += 1


@numba.njit(cache=True, inline="always")
def _df(low, high, shift, mask, h):
    return min(low[h >> shift], high[h & mask])


@numba.njit(cache=True, parallel=True)
def _content_sizes(hashes, offsets, low, high, shift, mask, limit):
    n = len(offsets) - 1
    out = np.zeros(n, np.int64)
    for d in numba.prange(n):
        c = 0
        for q in range(offsets[d], offsets[d + 1]):
            h = hashes[q]
            if low[h >> shift] < limit or high[h & mask] < limit:  # min(low, high) < limit, one look-up mostly
                c += 1
        out[d] = c
    return out


@dataclass(frozen=True)
class ShingleFrequency:
    """Document frequencies of shingles, from a count-min sketch (never under the true count; saturates at
    255). ``documents`` is the number of articles counted."""

    low: np.ndarray  # uint8, indexed by the hash's top bits
    high: np.ndarray  # uint8, indexed by the hash's bottom bits
    bits: int
    documents: int

    @property
    def shift(self) -> np.uint64:
        return np.uint64(64 - self.bits)

    @property
    def mask(self) -> np.uint64:
        return np.uint64((1 << self.bits) - 1)

    def of(self, hashes: np.ndarray) -> np.ndarray:
        """The estimated document frequency of each hash."""
        hashes = np.asarray(hashes, np.uint64)
        return np.minimum(self.low[hashes >> self.shift], self.high[hashes & self.mask]).astype(np.int64)


def shingle_frequency(shingles: Shingles) -> ShingleFrequency:
    """Count each shingle once per article it occurs in (the sets are unique per article)."""
    total = len(shingles.hashes)
    bits = int(min(_MAX_BITS, max(_MIN_BITS, int(np.ceil(np.log2(max(1.5 * total, 2)))))))
    low = np.zeros(1 << bits, np.uint8)
    high = np.zeros(1 << bits, np.uint8)
    sketch = ShingleFrequency(low, high, bits, len(shingles))
    if total:
        _count(shingles.hashes, low, high, sketch.shift, sketch.mask)
    return sketch


def content_sizes(shingles: Shingles, frequency: ShingleFrequency, min_articles: int) -> np.ndarray:
    """Per article, its shingles found in fewer than ``min_articles`` articles (all of them when 0)."""
    if min_articles <= 0:
        return shingles.sizes.copy()
    return _content_sizes(
        shingles.hashes, shingles.offsets, frequency.low, frequency.high, frequency.shift, frequency.mask,
        min_articles,
    )
