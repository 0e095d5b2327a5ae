"""The 64-bit hashing primitives the numba kernels share: FNV-1a over bytes, the splitmix64 finaliser,
the golden-ratio multiplier, and linear-probing open-addressing tables.

A table is a power-of-two array of keys with one value meaning "empty slot"; :func:`probe` finds a key's
slot, or the empty slot where it would go. Callers keep values in a parallel array.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "FNV_OFFSET",
    "FNV_PRIME",
    "GOLDEN",
    "MIX_1",
    "MIX_2",
    "finalize",
    "finalize_nonzero",
    "probe",
    "table_size",
]

FNV_OFFSET = np.uint64(0xCBF29CE484222325)  # FNV-1a 64-bit offset basis
FNV_PRIME = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime
MIX_1 = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64's first multiplier
MIX_2 = np.uint64(0x94D049BB133111EB)  # splitmix64's second multiplier
GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / golden ratio: multiplicative (Fibonacci) hashing


@numba.njit(cache=True, inline="always")
def finalize(h):
    """splitmix64's finaliser: every input bit affects every output bit."""
    h = (h ^ (h >> np.uint64(30))) * MIX_1
    h = (h ^ (h >> np.uint64(27))) * MIX_2
    return h ^ (h >> np.uint64(31))


@numba.njit(cache=True, inline="always")
def finalize_nonzero(h):
    """:func:`finalize`, with 0 mapped to 1, for tables where 0 marks an empty slot."""
    h = finalize(h)
    return h if h != np.uint64(0) else np.uint64(1)


@numba.njit(cache=True, inline="always")
def probe(keys, key, slot, empty):
    """Linear probing from ``slot`` (an int64 below ``len(keys)``, a power of two): the slot holding ``key``,
    or the first ``empty`` slot on the way, where it would go."""
    mask = len(keys) - 1
    while keys[slot] != key and keys[slot] != empty:
        slot = (slot + 1) & mask
    return slot


@numba.njit(cache=True)
def table_size(entries):
    """The smallest power of two of at least ``entries`` slots, and at least 16."""
    size = 16
    while size < entries:
        size *= 2
    return size
