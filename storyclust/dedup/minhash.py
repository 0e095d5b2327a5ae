"""MinHash: shingle sets -> signatures whose agreement estimates Jaccard similarity.

The same estimator as datasketch's ``MinHash`` (one universal hash per permutation, keep the minimum), in a
numba kernel: each of ``num_perm`` permutations is a 32-bit universal hash ``a * x + b mod 2^32`` of the
folded 64-bit shingle hash, which keeps the inner loop in 32-bit SIMD lanes.
"""

from __future__ import annotations

import numba
import numpy as np

from .shingles import Shingles

__all__ = ["minhash", "permutations"]


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` parameters of ``num_perm`` 32-bit hash permutations ``a * x + b mod 2^32`` (``a`` odd)."""
    if num_perm < 1:
        raise ValueError(f"num_perm must be >= 1, got {num_perm}")
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**32, size=num_perm, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint64).astype(np.uint32)
    return a, b


@numba.njit(cache=True, parallel=True)
def _minhash(hashes, offsets, a, b):
    n = len(offsets) - 1
    p = len(a)
    out = np.empty((n, p), np.uint32)
    for d in numba.prange(n):
        mins = np.full(p, np.uint32(0xFFFFFFFF))
        for i in range(offsets[d], offsets[d + 1]):
            full = hashes[i]
            h = np.uint32((full >> np.uint64(32)) ^ (full & np.uint64(0xFFFFFFFF)))
            for j in range(p):  # 32-bit lanes: the compiler vectorises this loop
                v = np.uint32(a[j] * h + b[j])
                mins[j] = min(mins[j], v ^ (v >> np.uint32(16)))
        out[d, :] = mins
    return out


def minhash(shingles: Shingles, *, num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures of every shingle set, shape ``(n, num_perm)``, dtype uint32; an empty set gives all
    ``0xFFFFFFFF``. ``seed`` picks the permutations (:func:`permutations`). The estimates stay within the
    binomial error of exact permutations (``tests/test_minhash.py`` checks the tolerance band)."""
    a, b = permutations(num_perm, seed)
    return _minhash(shingles.hashes, shingles.offsets, a, b)
