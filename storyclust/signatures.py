"""Word shingles and MinHash signatures, vectorised.

Text goes to signatures without any per-shingle Python object: texts are lower-cased and encoded once, then
a numba kernel tokenises the UTF-8 bytes, hashes word ``k``-grams to 64-bit values and takes the minimum of
``num_perm`` 32-bit universal hash permutations. This is the same estimator as datasketch's ``MinHash`` (one
universal hash per permutation, keep the minimum); the 64-bit shingle hashes also serve as the exact shingle
sets that verification intersects (a collision needs two of ~2^32 shingles to share a 64-bit value).

A token is a maximal run of ASCII letters and digits or of non-ASCII characters (after NFKC cleaning,
non-ASCII bytes are letters of other scripts), so ``"Israel's"`` gives ``israel`` and ``s``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numba
import numpy as np

from .hashing import FNV_OFFSET as _FNV_OFFSET
from .hashing import FNV_PRIME as _FNV_PRIME
from .hashing import MIX_1 as _MIX_1
from .hashing import finalize as _finalize

__all__ = ["Shingles", "encode", "shingle", "minhash", "jaccard_exact", "overlaps"]

_MAX32 = np.uint32(0xFFFFFFFF)
_CHUNK = 32768  # documents shingled at a time


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


@numba.njit(cache=True)
def _doc_shingles(buf, start, end, k, tokens, out):
    """Write the sorted unique shingle hashes of ``buf[start:end]`` into ``out``; return how many."""
    n = 0
    h = _FNV_OFFSET
    inword = False
    for p in range(start, end + 1):
        w = p < end and _is_word(buf[p])
        if w:
            if not inword:
                h = _FNV_OFFSET
            h = (h ^ np.uint64(buf[p])) * _FNV_PRIME
        elif inword:
            tokens[n] = h
            n += 1
        inword = w
    if n == 0:
        return 0
    m = n - k + 1 if n >= k else 1
    width = k if n >= k else n
    for i in range(m):
        s = np.uint64(k)
        for j in range(width):
            s = (s ^ tokens[i + j]) * _MIX_1  # order-sensitive combination of the k token hashes
            s ^= s >> np.uint64(29)
        out[i] = _finalize(s)
    out[:m].sort()
    u = 1
    for i in range(1, m):
        if out[i] != out[u - 1]:
            out[u] = out[i]
            u += 1
    return u


@numba.njit(cache=True, parallel=True)
def _shingle_all(buf, starts, k):
    n = len(starts) - 1
    counts = np.empty(n, np.int64)
    for d in numba.prange(n):
        counts[d] = _count_tokens(buf, starts[d], starts[d + 1])
    bound = np.empty(n + 1, np.int64)
    bound[0] = 0
    for d in range(n):
        bound[d + 1] = bound[d] + max(counts[d], 1)
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
    parts, sizes = [], []
    for base in range(0, len(texts), _CHUNK):
        buf, starts = encode(texts[base : base + _CHUNK])
        chunk_hashes, chunk_offsets = _shingle_all(buf, starts, k)
        parts.append(chunk_hashes)
        sizes.append(np.diff(chunk_offsets))
    offsets = np.zeros(len(texts) + 1, np.int64)
    if parts:
        np.cumsum(np.concatenate(sizes), out=offsets[1:])
    hashes = np.concatenate(parts) if parts else np.zeros(0, np.uint64)
    return Shingles(hashes, offsets)


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


def minhash(shingles: Shingles, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """MinHash signatures, shape ``(n, num_perm)``, dtype uint32. An empty set gives all ``0xFFFFFFFF``.

    Each permutation is a 32-bit universal hash ``a * x + b mod 2^32`` of the folded shingle hash, which keeps
    the inner loop in 32-bit SIMD lanes; its Jaccard estimates stay within the binomial error of exact
    permutations (``tests/test_signatures.py`` checks the tolerance band).
    """
    a, b = permutations(num_perm, seed)
    return _minhash(shingles.hashes, shingles.offsets, a, b)


@numba.njit(cache=True, inline="always")
def _intersect(x, y):
    i = j = c = 0
    while i < len(x) and j < len(y):
        if x[i] == y[j]:
            c += 1
            i += 1
            j += 1
        elif x[i] < y[j]:
            i += 1
        else:
            j += 1
    return c


@numba.njit(cache=True, parallel=True)
def _intersections(hashes, offsets, left, right):
    out = np.empty(len(left), np.int64)
    for q in numba.prange(len(left)):
        i, j = left[q], right[q]
        out[q] = _intersect(hashes[offsets[i] : offsets[i + 1]], hashes[offsets[j] : offsets[j + 1]])
    return out


def overlaps(shingles: Shingles, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact Jaccard and containment (``|A∩B| / min(|A|, |B|)``) of the document pairs ``(left[q], right[q])``."""
    left = np.asarray(left, np.int64)
    right = np.asarray(right, np.int64)
    if len(left) == 0:
        return np.zeros(0), np.zeros(0)
    inter = _intersections(shingles.hashes, shingles.offsets, left, right).astype(np.float64)
    sizes = shingles.sizes
    a, b = sizes[left], sizes[right]
    union = a + b - inter
    smaller = np.minimum(a, b)
    jac = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    con = np.divide(inter, smaller, out=np.zeros_like(inter), where=smaller > 0)
    return jac, con


def jaccard_exact(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two shingle hash sets (any order, duplicates ignored); 0.0 when both are empty."""
    a, b = np.unique(a), np.unique(b)
    union = len(np.union1d(a, b))
    return len(np.intersect1d(a, b, assume_unique=True)) / union if union else 0.0
