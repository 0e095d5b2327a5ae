"""Token numbering for :mod:`.features_kernels`: distinct byte strings get distinct ids, exactly.

The tokens' 64-bit hashes go into open-addressing tables (linear probing), one per hash partition (the top
three bits), numbered in parallel; a hash is only ever matched together with a comparison of the bytes, so
two different tokens never share an id, however their hashes collide.
"""

from __future__ import annotations

import numba
import numpy as np

from ..hashing import table_size

__all__: list[str] = []

_EMPTY = np.uint64(0)


@numba.njit(cache=True, inline="always")
def _same(buf, a0, a1, b0, b1):
    if a1 - a0 != b1 - b0:
        return False
    for i in range(a1 - a0):
        if buf[a0 + i] != buf[b0 + i]:
            return False
    return True


_PARTS = 8  # hash partitions numbered apart (in parallel, each in a table an eighth the size)


@numba.njit(cache=True)
def _number_part(buf, hashes, first, last, part, local):
    """Number the distinct tokens whose hash falls in partition ``part`` (its top three bits) in order of
    first appearance, writing each such token's number into ``local``; return how many. A table slot holds a
    token's hash, number and byte span together (one cache line)."""
    capacity = table_size(64)
    table = np.zeros((capacity, 4), np.uint64)
    distinct = 0
    for t in range(len(hashes)):
        h = hashes[t]
        if np.int64(h >> np.uint64(61)) != part:
            continue
        mask = capacity - 1
        slot = np.int64(h & np.uint64(mask))
        found = -1
        while table[slot, 0] != _EMPTY:
            if table[slot, 0] == h and _same(buf, np.int64(table[slot, 2]), np.int64(table[slot, 3]), first[t], last[t]):
                found = np.int64(table[slot, 1])
                break
            slot = (slot + 1) & mask
        if found >= 0:
            local[t] = found
            continue
        table[slot, 0], table[slot, 1] = h, np.uint64(distinct)
        table[slot, 2], table[slot, 3] = np.uint64(first[t]), np.uint64(last[t])
        local[t] = distinct
        distinct += 1
        if 2 * distinct > capacity:  # rehash into a table twice the size (no two entries are equal tokens)
            capacity *= 2
            old = table
            table = np.zeros((capacity, 4), np.uint64)
            mask = capacity - 1
            for s in range(len(old)):
                k = old[s, 0]
                if k != _EMPTY:
                    slot = np.int64(k & np.uint64(mask))
                    while table[slot, 0] != _EMPTY:
                        slot = (slot + 1) & mask
                    table[slot] = old[s]
    return distinct


@numba.njit(cache=True, parallel=True)
def _number(buf, hashes, first, last):
    """Each token's id (distinct byte strings get distinct ids: a hash is only ever matched together with a
    comparison of the bytes) and, per id, the index of its first token. Ids run partition by partition, in
    order of first appearance within each, whatever the number of threads."""
    local = np.empty(len(hashes), np.int32)
    sizes = np.zeros(_PARTS, np.int64)
    for part in numba.prange(_PARTS):
        sizes[part] = _number_part(buf, hashes, first, last, part, local)
    base = np.zeros(_PARTS + 1, np.int64)
    for part in range(_PARTS):
        base[part + 1] = base[part] + sizes[part]
    ids = np.empty(len(hashes), np.int32)
    origin = np.full(base[_PARTS], -1, np.int64)
    for t in range(len(hashes)):
        g = base[np.int64(hashes[t] >> np.uint64(61))] + local[t]
        ids[t] = g
        if origin[g] < 0:
            origin[g] = t
    return ids, origin
