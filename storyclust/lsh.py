"""LSH banding: candidate pairs from MinHash signatures.

Two documents are candidates when all ``rows`` values of at least one of ``bands`` bands are equal, exactly the
rule of datasketch's ``MinHashLSH`` with ``params=(bands, rows)`` (tests check that both give the same pairs).
Instead of one Python dict insert per document and band, each band is packed into one 64-bit key per
document, sorted once, and equal runs are expanded into pairs with numpy.

Candidates are proposals, never answers: :mod:`storyclust.dedup` verifies every pair on exact overlap.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from datasketch.lsh import _optimal_param

__all__ = ["lsh_params", "candidate_pairs", "candidate_probability"]

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)`` for a Jaccard ``threshold``, chosen as datasketch does (equal false positive and
    false negative weights), so ``MinHashLSH(threshold, num_perm)`` uses the same banding."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"LSH threshold must be in (0, 1), got {threshold}")
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def candidate_probability(jaccard: float | np.ndarray, bands: int, rows: int) -> float | np.ndarray:
    """Probability that a pair with this Jaccard similarity becomes a candidate: ``1 - (1 - J^r)^b``."""
    return 1.0 - (1.0 - np.asarray(jaccard, dtype=np.float64) ** rows) ** bands


def _band_keys(band: np.ndarray) -> np.ndarray:
    """One uint64 key per row of a ``(n, rows)`` uint32 band. Exact (injective) for rows <= 2; otherwise a
    64-bit mix whose collisions (probability ~2^-64 per pair) only add a candidate that verification rejects."""
    band = band.astype(np.uint64)
    if band.shape[1] == 1:
        return band[:, 0]
    if band.shape[1] == 2:
        return (band[:, 0] << np.uint64(32)) | band[:, 1]
    key = np.zeros(len(band), np.uint64)
    for col in range(band.shape[1]):
        key = (key ^ band[:, col]) * _M1
        key ^= key >> np.uint64(29)
        key *= _M2
    return key


def _pairs_in_runs(order: np.ndarray, keys_sorted: np.ndarray) -> np.ndarray:
    """All pairs ``(i, j)``, ``i < j``, of rows whose keys are equal, as an ``(m, 2)`` int64 array."""
    change = np.flatnonzero(keys_sorted[1:] != keys_sorted[:-1]) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [len(keys_sorted)]))
    lengths = ends - starts
    keep = lengths > 1
    starts, lengths = starts[keep], lengths[keep]
    if len(starts) == 0:
        return np.empty((0, 2), np.int64)
    chunks = []
    # Group runs by length so each length is expanded with one vectorised triangle.
    for length in np.unique(lengths):
        run_starts = starts[lengths == length]
        iu, ju = np.triu_indices(length, k=1)
        members = order[run_starts[:, None] + np.arange(length)]  # (runs, length)
        chunks.append(np.stack((members[:, iu].ravel(), members[:, ju].ravel()), axis=1))
    pairs = np.concatenate(chunks)
    return np.sort(pairs, axis=1)


def candidate_pairs(signatures: np.ndarray, bands: int, rows: int, active: np.ndarray | None = None) -> np.ndarray:
    """Candidate pairs ``(i, j)`` with ``i < j``, unique, sorted, as an ``(m, 2)`` int64 array.

    ``active`` (boolean, one per row) excludes documents such as empty texts, whose all-maximum signatures
    would otherwise collide with each other.
    """
    n, num_perm = signatures.shape
    if bands * rows > num_perm:
        raise ValueError(f"bands * rows = {bands * rows} exceeds num_perm = {num_perm}")
    index = np.arange(n) if active is None else np.flatnonzero(active)
    sig = signatures[index]
    found = []
    for band in range(bands):
        keys = _band_keys(sig[:, band * rows : (band + 1) * rows])
        order = np.argsort(keys, kind="stable")
        pairs = _pairs_in_runs(order, keys[order])
        if len(pairs):
            found.append(pairs)
    if not found:
        return np.empty((0, 2), np.int64)
    pairs = index[np.concatenate(found)]
    codes = np.unique(pairs[:, 0] * n + pairs[:, 1])
    return np.stack((codes // n, codes % n), axis=1)
