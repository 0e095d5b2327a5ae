"""Numbers, names and headline words as 64-bit hashes, and the per-pair checks on them, compiled.

The same rules as :mod:`storyclust.dedup.evidence` (which states them on strings and serves as the oracle in
the tests), on UTF-8 bytes: a word is a run of letters (ASCII letters and non-ASCII bytes), a number a run of
digits with ``.,:/`` between digits (commas dropped), and a word is capitalised when its first byte is an ASCII
capital, lower-case when it holds an ASCII lower-case letter and no capital. Words are hashed lower-cased
(FNV-1a), so a headline's words and an article's words compare as equal hashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numba
import numpy as np

from ..hashing import FNV_OFFSET, FNV_PRIME
from .shingles import encode, sort_unique
from .template import Template, _line_hash, _member

__all__ = ["TokenSets", "token_sets", "TitleHashes", "title_hashes", "pair_checks"]

_LEAD = 8  # first capitalised words kept per text, in order


def _raw(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [t.encode("utf-8") for t in texts]
    starts = np.zeros(len(encoded) + 1, np.int64)
    np.cumsum([len(e) for e in encoded], out=starts[1:])
    buf = np.frombuffer(b"".join(encoded), dtype=np.uint8) if starts[-1] else np.zeros(1, np.uint8)
    return buf, starts


@numba.njit(cache=True, inline="always")
def _letter(c):
    return (65 <= c <= 90) or (97 <= c <= 122) or c >= 128


@numba.njit(cache=True, inline="always")
def _digit(c):
    return 48 <= c <= 57


@numba.njit(cache=True)
def _scan(buf, start, end, template, nums, caps, lower, lead):
    """Tokens of the non-template lines of ``buf[start:end]``; returns the counts written (with duplicates,
    lead unique)."""
    nn = nc = nl = nd = 0
    lo = start
    for p in range(start, end + 1):
        if p < end and buf[p] != 10:
            continue
        if p > lo and not (len(template) and _member(template, _line_hash(buf, lo, p))):
            q = lo
            while q < p:
                c = buf[q]
                if _digit(c):
                    h = FNV_OFFSET
                    while q < p:
                        c = buf[q]
                        if _digit(c):
                            h = (h ^ np.uint64(c)) * FNV_PRIME
                        elif (c == 46 or c == 44 or c == 58 or c == 47) and q + 1 < p and _digit(buf[q + 1]):
                            if c != 44:
                                h = (h ^ np.uint64(c)) * FNV_PRIME
                        else:
                            break
                        q += 1
                    nums[nn] = h
                    nn += 1
                elif _letter(c):
                    capital = 65 <= c <= 90
                    has_upper = False
                    has_lower = False
                    h = FNV_OFFSET
                    while q < p and _letter(buf[q]):
                        c = buf[q]
                        if 65 <= c <= 90:
                            has_upper = True
                            c += 32
                        elif 97 <= c <= 122:
                            has_lower = True
                        h = (h ^ np.uint64(c)) * FNV_PRIME
                        q += 1
                    if capital:
                        caps[nc] = h
                        nc += 1
                        if nd < len(lead):
                            seen = False
                            for r in range(nd):
                                if lead[r] == h:
                                    seen = True
                            if not seen:
                                lead[nd] = h
                                nd += 1
                    elif has_lower and not has_upper:
                        lower[nl] = h
                        nl += 1
                else:
                    q += 1
        lo = p + 1
    return nn, nc, nl, nd


@numba.njit(cache=True)
def _runs(buf, start, end):
    """How many runs of digits and of letters ``buf[start:end]`` holds: bounds on its numbers and its words."""
    digits = letters = 0
    last = 0
    for p in range(start, end):
        c = buf[p]
        kind = 1 if _digit(c) else (2 if _letter(c) else 0)
        if kind != last:
            if kind == 1:
                digits += 1
            elif kind == 2:
                letters += 1
        last = kind
    return digits, letters


@numba.njit(cache=True, parallel=True)
def _token_sets(buf, starts, template):
    n = len(starts) - 1
    bounds = np.zeros((n, 2), np.int64)
    for d in numba.prange(n):
        bounds[d, 0], bounds[d, 1] = _runs(buf, starts[d], starts[d + 1])
    num_base = np.zeros(n + 1, np.int64)
    width = np.zeros(n + 1, np.int64)
    for d in range(n):
        num_base[d + 1] = num_base[d] + bounds[d, 0] + 1
        width[d + 1] = width[d] + bounds[d, 1] + 1
    nums = np.empty(num_base[n], np.uint64)
    caps = np.empty(width[n], np.uint64)
    lower = np.empty(width[n], np.uint64)
    lead = np.zeros(n * _LEAD, np.uint64)
    counts = np.zeros((n, 4), np.int64)
    for d in numba.prange(n):
        lo, hi = width[d], width[d + 1]
        n0, n1 = num_base[d], num_base[d + 1]
        nn, nc, nl, nd = _scan(buf, starts[d], starts[d + 1], template, nums[n0:n1], caps[lo:hi], lower[lo:hi],
                               lead[d * _LEAD : (d + 1) * _LEAD])
        counts[d, 0] = sort_unique(nums[n0 : n0 + nn])
        counts[d, 1] = sort_unique(caps[lo : lo + nc])
        counts[d, 2] = sort_unique(lower[lo : lo + nl])
        counts[d, 3] = nd
    return nums, caps, lower, lead, counts, width, num_base


@dataclass(frozen=True)
class TokenSets:
    """Per text, sorted unique hashes of its numbers, capitalised words and lower-case words, and its first
    capitalised words in order (``lead``, up to 8). Text ``i`` owns ``caps[base[i]:base[i] + counts[i, 1]]``,
    ``lower[base[i]:base[i] + counts[i, 2]]``, ``nums[num_base[i]:num_base[i] + counts[i, 0]]`` and
    ``lead[i * 8 : i * 8 + counts[i, 3]]``."""

    nums: np.ndarray
    caps: np.ndarray
    lower: np.ndarray
    lead: np.ndarray
    counts: np.ndarray
    base: np.ndarray
    num_base: np.ndarray


def token_sets(texts: Sequence[str], template: Template | None = None) -> TokenSets:
    """The tokens of ``texts`` (original case), leaving out their template lines."""
    buf, starts = _raw(texts)
    hashes = template.hashes if template is not None else np.zeros(0, np.uint64)
    nums, caps, lower, lead, counts, width, num_base = _token_sets(buf, starts, hashes)
    return TokenSets(nums, caps, lower, lead, counts, width[:-1].copy(), num_base[:-1].copy())


@dataclass(frozen=True)
class TitleHashes:
    """Per headline, the sorted unique hashes of its words (lower-cased runs of letters and digits) with each
    word's weight ``log((n + 1) / c)``, ``c`` the number of the ``n`` headlines holding it."""

    hashes: np.ndarray
    weights: np.ndarray
    offsets: np.ndarray


@numba.njit(cache=True, parallel=True)
def _title_words(buf, starts):
    n = len(starts) - 1
    out = np.empty(len(buf) + 1, np.uint64)
    sizes = np.zeros(n, np.int64)
    for d in numba.prange(n):
        o = starts[d]
        c = 0
        p = starts[d]
        while p < starts[d + 1]:
            b = buf[p]
            if _digit(b) or (97 <= b <= 122) or b >= 128:
                h = FNV_OFFSET
                while p < starts[d + 1] and (_digit(buf[p]) or (97 <= buf[p] <= 122) or buf[p] >= 128):
                    h = (h ^ np.uint64(buf[p])) * FNV_PRIME
                    p += 1
                out[o + c] = h
                c += 1
            else:
                p += 1
        sizes[d] = sort_unique(out[o : o + c])
    offsets = np.zeros(n + 1, np.int64)
    for d in range(n):
        offsets[d + 1] = offsets[d] + sizes[d]
    hashes = np.empty(offsets[n], np.uint64)
    for d in numba.prange(n):
        hashes[offsets[d] : offsets[d + 1]] = out[starts[d] : starts[d] + sizes[d]]
    return hashes, offsets


def title_hashes(titles: Sequence[str]) -> TitleHashes:
    buf, starts = encode(titles)
    hashes, offsets = _title_words(buf, starts)
    if len(hashes):
        _, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
        weights = np.log((len(titles) + 1) / counts[inverse])
    else:
        weights = np.zeros(0)
    return TitleHashes(hashes, weights, offsets)


@numba.njit(cache=True, inline="always")
def _in(arr, lo, hi, h):
    k = lo + np.searchsorted(arr[lo:hi], h)
    return k < hi and arr[k] == h


@numba.njit(cache=True)
def _names(t_caps, t_lower, ca, na, la, nla, cb, nlb):
    """How many of a's capitalised words neither a's nor b's lower-case words hold (a name of a)."""
    c = 0
    for q in range(ca, ca + na):
        h = t_caps[q]
        if not _in(t_lower, la, la + nla, h) and not _in(t_lower, cb, cb + nlb, h):
            c += 1
    return c


@numba.njit(cache=True, parallel=True)
def _pair_checks(nums, caps, lower, lead, counts, base, num_base, local_left, local_right,
                 th, tw, toff, left, right):
    m = len(left)
    agreement = np.full(m, -1.0)
    only = np.zeros((m, 2), np.int64)
    lead_conflict = np.zeros(m, np.bool_)
    title_sim = np.zeros(m)
    support = np.zeros(m)
    for q in numba.prange(m):
        a, b = local_left[q], local_right[q]
        ba, bb = base[a], base[b]
        nba, nbb = num_base[a], num_base[b]
        na, ca_, la_ = counts[a, 0], counts[a, 1], counts[a, 2]
        nb, cb_, lb_ = counts[b, 0], counts[b, 1], counts[b, 2]
        # x = numbers(a) | names(a), y = numbers(b) | names(b); numbers and names never share a hash space
        # that matters here (a digit run and a letter run cannot hash alike but by a 64-bit collision)
        xa = 0
        shared = 0
        for r in range(nba, nba + na):
            xa += 1
            if _in(nums, nbb, nbb + nb, nums[r]):
                shared += 1
        yb = nb
        names_a = 0
        for r in range(ba, ba + ca_):
            h = caps[r]
            if _in(lower, ba, ba + la_, h) or _in(lower, bb, bb + lb_, h):
                continue
            names_a += 1
            if _in(caps, bb, bb + cb_, h) and not _in(lower, bb, bb + lb_, h):
                shared += 1
        names_b = 0
        for r in range(bb, bb + cb_):
            h = caps[r]
            if _in(lower, ba, ba + la_, h) or _in(lower, bb, bb + lb_, h):
                continue
            names_b += 1
        xa += names_a
        yb += names_b
        only[q, 0] = xa - shared
        only[q, 1] = yb - shared
        if xa > 0 and yb > 0:
            agreement[q] = shared / min(xa, yb)
        # lead names: the first capitalised word of each text that is a name
        first_a = np.uint64(0)
        has_a = False
        for r in range(a * 8, a * 8 + counts[a, 3]):
            h = lead[r]
            if not _in(lower, ba, ba + la_, h) and not _in(lower, bb, bb + lb_, h):
                first_a = h
                has_a = True
                break
        first_b = np.uint64(0)
        has_b = False
        for r in range(b * 8, b * 8 + counts[b, 3]):
            h = lead[r]
            if not _in(lower, ba, ba + la_, h) and not _in(lower, bb, bb + lb_, h):
                first_b = h
                has_b = True
                break
        if has_a and has_b and first_a != first_b:
            a_alone = not _in(caps, bb, bb + cb_, first_a)
            b_alone = not _in(caps, ba, ba + ca_, first_b)
            lead_conflict[q] = a_alone and b_alone
        # headlines
        i, j = left[q], right[q]
        ti0, ti1, tj0, tj1 = toff[i], toff[i + 1], toff[j], toff[j + 1]
        if ti1 > ti0 and tj1 > tj0:
            inter = 0.0
            union = 0.0
            x, y = ti0, tj0
            while x < ti1 or y < tj1:
                if y >= tj1 or (x < ti1 and th[x] < th[y]):
                    union += tw[x]
                    x += 1
                elif x >= ti1 or th[y] < th[x]:
                    union += tw[y]
                    y += 1
                else:
                    inter += tw[x]
                    union += tw[x]
                    x += 1
                    y += 1
            title_sim[q] = inter / union if union > 0 else 0.0
            best = 0.0
            for side in range(2):
                t0, t1 = (ti0, ti1) if side == 0 else (tj0, tj1)
                o = b if side == 0 else a
                bo = base[o]
                total = 0.0
                hit = 0.0
                for r in range(t0, t1):
                    total += tw[r]
                    h = th[r]
                    if (_in(lower, bo, bo + counts[o, 2], h) or _in(caps, bo, bo + counts[o, 1], h)
                            or _in(nums, num_base[o], num_base[o] + counts[o, 0], h)):
                        hit += tw[r]
                if total > 0 and hit / total > best:
                    best = hit / total
            support[q] = best
        else:
            title_sim[q] = -1.0
    return agreement, only, lead_conflict, title_sim, support


def pair_checks(tokens: TokenSets, local: np.ndarray, titles: TitleHashes, pairs: np.ndarray):
    """For article pairs ``pairs`` (global indices; ``local`` maps them to rows of ``tokens``): token agreement
    (-1 when either side has no number or name), how many numbers and names each side has alone, whether the
    lead names conflict, headline similarity (-1 when either headline is empty) and headline support."""
    left, right = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    return _pair_checks(tokens.nums, tokens.caps, tokens.lower, tokens.lead, tokens.counts, tokens.base,
                        tokens.num_base, local[left], local[right], titles.hashes, titles.weights, titles.offsets,
                        left, right)
