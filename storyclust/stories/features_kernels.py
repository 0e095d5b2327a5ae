"""The numba kernels of :func:`.features.identity_features`' fast path, over the UTF-8 bytes of articles.

Each article is one byte string, its title, a newline and its body (the text the extractor's regular
expressions read). The kernels read articles whose characters are ASCII, or ``\u2019``, ``\u201c``,
``\u201d``, or other non-ASCII characters that are neither word characters (``\\w``) nor white space (``\\s``):
inert characters, which no expression of :mod:`.features` matches and which end words. On such text the
expressions come down to byte classes: ``\\d`` is ``0-9``, ``[^\\W\\d_]`` is ``A-Za-z``, ``\\w`` is ``A-Za-z0-9_``,
``\\s`` is ``\\t\\n\\v\\f\\r``, ``\\x1c-\\x1f`` and space, and ``re.I`` folds ASCII letters only; ``\u2019`` may
continue a word, ``\u201c`` and ``\u201d`` are tokens. The kernels follow the expressions character by
character:

``_count_tokens`` / ``_tokens``
    ``_TOKEN.findall``: the tokens' byte spans and 64-bit hashes (FNV-1a).
``features_numbering._number``
    numbers the distinct tokens; a hash is only ever matched together with a comparison of the bytes, so two
    different tokens never share an id.
``_ages``
    ``_AGE``, ``_AGE_APPOSITIVE`` and ``_AGE_PAREN``'s ``findall`` (the digits' spans, in that order). None of
    the three can match twice in an overlapping way, so its matches are exactly its matching start positions.
``_case_counts``
    per token id: written capitalised inside a sentence, written starting with a lower-case letter.
``_token_records``
    the name runs and number-and-unit pairs of ``features._token_features``, over token ids and per-token
    properties that the Python side computed from each distinct token's text.
"""

from __future__ import annotations

import numba
import numpy as np

from ..hashing import FNV_OFFSET, FNV_PRIME, finalize_nonzero

__all__ = ["PAIR", "RUN", "WORD"]

RUN, WORD, PAIR = 0, 1, 2  # record kinds of _token_records: a name run, one of its words, a number and its unit


@numba.njit(cache=True, inline="always")
def _digit(c):
    return 48 <= c <= 57


@numba.njit(cache=True, inline="always")
def _letter(c):
    return 65 <= c <= 90 or 97 <= c <= 122


@numba.njit(cache=True, inline="always")
def _word(c):
    return _letter(c) or _digit(c) or c == 95


@numba.njit(cache=True, inline="always")
def _space(c):
    return 9 <= c <= 13 or 28 <= c <= 32


@numba.njit(cache=True, inline="always")
def _punct(c):
    # . ! ? ; : " ( ) | and the newline
    return c == 46 or c == 33 or c == 63 or c == 59 or c == 58 or c == 34 or c == 40 or c == 41 or c == 124 or c == 10


@numba.njit(cache=True, inline="always")
def _quote(buf, p, end, last):
    """Whether ``buf[p:]`` starts with the UTF-8 bytes ``E2 80 last`` (U+2000 + ``last`` - 0x80: 0x99 for
    U+2019, 0x9C for U+201C, 0x9D for U+201D)."""
    return p + 2 < end and buf[p] == 0xE2 and buf[p + 1] == 0x80 and buf[p + 2] == last


@numba.njit(cache=True, inline="always")
def _token_end(buf, p, end):
    """The end of the token starting at ``buf[p]``, or -1 if none starts there."""
    c = buf[p]
    if _digit(c):  # \d[\d,]*(?:\.\d+)?
        q = p + 1
        while q < end and (_digit(buf[q]) or buf[q] == 44):
            q += 1
        if q + 1 < end and buf[q] == 46 and _digit(buf[q + 1]):
            q += 2
            while q < end and _digit(buf[q]):
                q += 1
        return q
    if _letter(c):  # [^\W\d_][\w'\u2019\-]*
        q = p + 1
        while q < end:
            if _word(buf[q]) or buf[q] == 39 or buf[q] == 45:
                q += 1
            elif _quote(buf, q, end, 0x99):
                q += 3
            else:
                break
        return q
    if _punct(c):
        return p + 1
    if _quote(buf, p, end, 0x9C) or _quote(buf, p, end, 0x9D):
        return p + 3
    return -1


@numba.njit(cache=True, parallel=True)
def _count_tokens(buf, starts):
    n = len(starts) - 1
    out = np.zeros(n, np.int64)
    for d in numba.prange(n):
        p, end, count = starts[d], starts[d + 1], 0
        while p < end:
            q = _token_end(buf, p, end)
            if q < 0:
                p += 1
            else:
                count += 1
                p = q
        out[d] = count
    return out


@numba.njit(cache=True, parallel=True)
def _tokens(buf, starts, offsets):
    """Every token's hash and byte span, article ``d``'s at ``offsets[d]:offsets[d + 1]``."""
    n = len(starts) - 1
    total = offsets[n]
    hashes = np.empty(total, np.uint64)
    first = np.empty(total, np.int64)
    last = np.empty(total, np.int64)
    for d in numba.prange(n):
        p, end, t = starts[d], starts[d + 1], offsets[d]
        while p < end:
            q = _token_end(buf, p, end)
            if q < 0:
                p += 1
                continue
            h = FNV_OFFSET
            for r in range(p, q):
                h = (h ^ np.uint64(buf[r])) * FNV_PRIME
            hashes[t], first[t], last[t] = finalize_nonzero(h), p, q
            t += 1
            p = q
    return hashes, first, last


@numba.njit(cache=True, inline="always")
def _digits(buf, p, end):
    """The number of consecutive ASCII digits from ``buf[p]``."""
    q = p
    while q < end and _digit(buf[q]):
        q += 1
    return q - p


@numba.njit(cache=True, inline="always")
def _fold(c):
    return c + 32 if 65 <= c <= 90 else c


@numba.njit(cache=True, inline="always")
def _age(buf, p, end):
    """``_AGE``'s match at ``p``, a digit after a word boundary (``\\b(\\d{1,3})[- ](?:year|yr)s?[- ]old\\b``,
    ignoring case): the digits' end, or -1."""
    m = _digits(buf, p, end)
    if m > 3:
        return -1
    q = p + m
    if q >= end or (buf[q] != 45 and buf[q] != 32):
        return -1
    q += 1
    if q + 4 <= end and _fold(buf[q]) == 121 and _fold(buf[q + 1]) == 101 and _fold(buf[q + 2]) == 97 \
            and _fold(buf[q + 3]) == 114:
        q += 4
    elif q + 2 <= end and _fold(buf[q]) == 121 and _fold(buf[q + 1]) == 114:
        q += 2
    else:
        return -1
    if q < end and _fold(buf[q]) == 115:
        q += 1
    if q >= end or (buf[q] != 45 and buf[q] != 32):
        return -1
    q += 1
    if not (q + 3 <= end and _fold(buf[q]) == 111 and _fold(buf[q + 1]) == 108 and _fold(buf[q + 2]) == 100):
        return -1
    q += 3
    if q < end and _word(buf[q]):
        return -1
    return p + m


@numba.njit(cache=True, inline="always")
def _named_age(buf, p, end):
    """At ``p``, a capital after a word boundary: ``_AGE_APPOSITIVE``'s match (``\\b[A-Z][a-z]+,\\s(\\d{1,3}),``,
    kind 1) or ``_AGE_PAREN``'s (``\\b[A-Z][a-z]+\\s\\((\\d{1,3})\\)``, kind 2), which exclude each other:
    ``(kind, digits' start, digits' end)``, or kind 0."""
    q = p + 1
    while q < end and 97 <= buf[q] <= 122:
        q += 1
    if q == p + 1 or q + 1 >= end:
        return 0, 0, 0
    if buf[q] == 44 and _space(buf[q + 1]):
        kind, close = 1, 44
    elif _space(buf[q]) and buf[q + 1] == 40:
        kind, close = 2, 41
    else:
        return 0, 0, 0
    q += 2
    m = _digits(buf, q, end)
    if m < 1 or m > 3 or q + m >= end or buf[q + m] != close:
        return 0, 0, 0
    return kind, q, q + m


@numba.njit(cache=True)
def _scan_ages(buf, start, end, out, at):
    """Count the matches of the three age expressions in ``buf[start:end]`` (returned per expression); with
    room in ``out``, write their digit spans there, expression ``k``'s from row ``at[k]`` on, in text order."""
    counts = np.zeros(3, np.int64)
    fill = len(out) > 0
    for p in range(start, end):
        c = buf[p]
        if 48 <= c <= 57:
            if p > start and _word(buf[p - 1]):
                continue
            e = _age(buf, p, end)
            if e < 0:
                continue
            kind, a, b = 0, p, e
        elif 65 <= c <= 90:
            if p > start and _word(buf[p - 1]):
                continue
            kind, a, b = _named_age(buf, p, end)
            if kind == 0:
                continue
        else:
            continue
        if fill:
            row = at[kind] + counts[kind]
            out[row, 0], out[row, 1] = a, b
        counts[kind] += 1
    return counts


@numba.njit(cache=True, parallel=True)
def _age_counts(buf, starts):
    n = len(starts) - 1
    counts = np.zeros((n, 3), np.int64)
    none = np.empty((0, 2), np.int64)
    for d in numba.prange(n):
        c = _scan_ages(buf, starts[d], starts[d + 1], none, counts[d])
        counts[d, 0], counts[d, 1], counts[d, 2] = c[0], c[1], c[2]
    return counts


@numba.njit(cache=True)
def _age_spans(buf, starts, counts):
    n = len(starts) - 1
    bounds = np.zeros(n + 1, np.int64)
    for d in range(n):
        bounds[d + 1] = bounds[d] + counts[d, 0] + counts[d, 1] + counts[d, 2]
    spans = np.empty((bounds[n], 2), np.int64)
    at = np.zeros(3, np.int64)
    for d in range(n):  # the few articles with ages are scanned again
        if bounds[d + 1] > bounds[d]:
            at[0] = bounds[d]
            at[1] = at[0] + counts[d, 0]
            at[2] = at[1] + counts[d, 1]
            _scan_ages(buf, starts[d], starts[d + 1], spans, at)
    return spans, bounds


def _ages(buf, starts):
    """Every article's age digit spans (``_AGE``'s, ``_AGE_APPOSITIVE``'s, ``_AGE_PAREN``'s), article ``d``'s
    at ``bounds[d]:bounds[d + 1]``."""
    return _age_spans(buf, starts, _age_counts(buf, starts))


@numba.njit(cache=True)
def _case_counts(ids, offsets, brk, upper, alpha, distinct):
    """Per token id: times it follows a non-break token of its article while capitalised (``upper``), and
    times it starts with a letter that is not upper-case (``alpha`` and not ``upper``)."""
    cap = np.zeros(distinct, np.int64)
    low = np.zeros(distinct, np.int64)
    for d in range(len(offsets) - 1):
        start = True
        for e in range(offsets[d], offsets[d + 1]):
            t = ids[e]
            if brk[t]:
                start = True
                continue
            if upper[t]:
                if not start:
                    cap[t] += 1
            elif alpha[t]:
                low[t] += 1
            start = False
    return cap, low


@numba.njit(cache=True, inline="always")
def _emit(out, n, kind, a, b):
    if n < len(out):
        out[n, 0], out[n, 1], out[n, 2] = kind, a, b
    return n + 1


@numba.njit(cache=True)
def _doc_records(ids, lo, hi, brk, name, connect, tail, value, unit, out):
    """One article's records (see :func:`_token_records`); returns how many (written if ``out`` has room)."""
    n = 0
    run_start, run_end = -1, -1
    for e in range(lo, hi + 1):
        t = ids[e] if e < hi else -1
        if t >= 0:
            if brk[t]:
                pass
            elif name[t] or (run_start >= 0 and connect[t]):
                if run_start < 0:
                    run_start = e
                run_end = e + 1
                continue
        if run_start >= 0:  # flush: trailing connecting words dropped
            while run_end > run_start and tail[ids[run_end - 1]]:
                run_end -= 1
            if run_end > run_start:
                n = _emit(out, n, RUN, run_start, run_end)
                if run_end - run_start > 1:
                    for r in range(run_start, run_end):
                        if not tail[ids[r]]:
                            n = _emit(out, n, WORD, ids[r], 0)
            run_start = -1
        if t < 0 or brk[t]:
            continue
        if value[t] >= 0 and e + 1 < hi and unit[ids[e + 1]] >= 0:
            n = _emit(out, n, PAIR, value[t], unit[ids[e + 1]])
    return n


@numba.njit(cache=True, parallel=True)
def _token_records(ids, offsets, brk, name, connect, tail, value, unit):
    """Every article's feature records ``(kind, a, b)``, article ``d``'s at ``bounds[d]:bounds[d + 1]``: a name
    run over token positions ``a:b`` (``RUN``), one of a longer run's words, token id ``a`` (``WORD``), a
    number ``a`` with unit ``b`` (``PAIR``). Per token id: ``brk`` breaks runs, ``name`` (a capitalised name
    word) and ``connect`` (a lower-case connecting word, inside a run only) extend a run, ``tail`` is dropped
    from a run's end and from its words, ``value`` and ``unit`` number a token as a number and as a unit (-1:
    none)."""
    n = len(offsets) - 1
    counts = np.zeros(n, np.int64)
    none = np.empty((0, 3), np.int64)
    for d in numba.prange(n):
        counts[d] = _doc_records(ids, offsets[d], offsets[d + 1], brk, name, connect, tail, value, unit, none)
    bounds = np.zeros(n + 1, np.int64)
    for d in range(n):
        bounds[d + 1] = bounds[d] + counts[d]
    records = np.empty((bounds[n], 3), np.int64)
    for d in numba.prange(n):
        _doc_records(ids, offsets[d], offsets[d + 1], brk, name, connect, tail, value, unit,
                     records[bounds[d]:bounds[d + 1]])
    return records, bounds
