"""LSH banding: candidate pairs from MinHash signatures, and the pairs of identical shingle sets.

Two documents are candidates when all ``rows`` values of at least one of ``bands`` bands are equal, exactly the
rule of datasketch's ``MinHashLSH`` with ``params=(bands, rows)`` (tests check that both give the same pairs).
Instead of one Python dict insert per document and band, each band is packed into one 64-bit key per
document, sorted once, and equal runs are expanded into pairs with numpy.

The banding for a Jaccard threshold is :func:`optimal_param`'s: the ``(bands, rows)`` with ``bands * rows <=
num_perm`` that minimise the weighted areas of false positives and false negatives under the candidate
probability curve ``P(s) = 1 - (1 - s^rows)^bands``, as datasketch's ``MinHashLSH`` chooses them.

Candidates are proposals, never answers: :mod:`storyclust.dedup.verify` checks every pair on exact overlap.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import beta, betainc

from ..hashing import GOLDEN, MIX_1
from .shingles import Shingles

__all__ = [
    "band_errors", "candidate_pairs", "candidate_probability", "candidates", "expected_recall", "identical_sets",
    "lsh_params", "optimal_param",
]


def band_errors(threshold: float, num_perm: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every banding with ``bands * rows <= num_perm``, bands ascending and rows ascending within a band count,
    with its false positive and false negative areas: ``(bands, rows, fp, fn)``.

    ``fp = integral of P(s) over [0, threshold]`` and ``fn = integral of 1 - P(s) over [threshold, 1]``, where
    ``P(s) = 1 - (1 - s^r)^b``. Both are closed forms: with ``u = s^r``, the integral of ``(1 - s^r)^b`` over
    ``[0, x]`` is ``B(1/r, b + 1) I(x^r; 1/r, b + 1) / r`` (``I`` the regularised incomplete beta function).
    """
    bands = np.concatenate([np.full(num_perm // b, b) for b in range(1, num_perm + 1)]).astype(np.float64)
    rows = np.concatenate([np.arange(1, num_perm // b + 1) for b in range(1, num_perm + 1)]).astype(np.float64)
    whole = beta(1.0 / rows, bands + 1.0) / rows  # the integral of (1 - s^r)^b over [0, 1]
    below = whole * betainc(1.0 / rows, bands + 1.0, threshold**rows)  # ... over [0, threshold]
    return bands.astype(np.int64), rows.astype(np.int64), threshold - below, whole - below


def optimal_param(threshold: float, num_perm: int, *, false_positive_weight: float,
                  false_negative_weight: float) -> tuple[int, int]:
    """``(bands, rows)`` minimising ``false_positive_weight * fp + false_negative_weight * fn`` over
    :func:`band_errors`; of equal errors the first in that order wins (datasketch's rule)."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"LSH threshold must be in (0, 1), got {threshold}")
    if num_perm < 1:
        raise ValueError(f"num_perm must be >= 1, got {num_perm}")
    bands, rows, fp, fn = band_errors(threshold, num_perm)
    best = int(np.argmin(false_positive_weight * fp + false_negative_weight * fn))
    return int(bands[best]), int(rows[best])


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)`` for a Jaccard ``threshold``: :func:`optimal_param` with equal false positive and false
    negative weights, so ``MinHashLSH(threshold, num_perm)`` uses the same banding."""
    return optimal_param(threshold, num_perm, false_positive_weight=0.5, false_negative_weight=0.5)


def candidate_probability(jaccard: float | np.ndarray, bands: int, rows: int) -> float | np.ndarray:
    """Probability that a pair with this Jaccard similarity becomes a candidate: ``1 - (1 - J^r)^b``."""
    return 1.0 - (1.0 - np.asarray(jaccard, dtype=np.float64) ** rows) ** bands


def expected_recall(jaccard: np.ndarray, bands: int, rows: int) -> float:
    """The banding's expected recall over pairs with these Jaccard similarities (1.0 for no pair)."""
    return float(np.mean(candidate_probability(jaccard, bands, rows))) if len(jaccard) else 1.0


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
        key = (key ^ band[:, col]) * GOLDEN
        key ^= key >> np.uint64(29)
        key *= MIX_1
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


def identical_sets(shingles: Shingles) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs ``(first, other)`` of documents whose non-empty shingle sets look identical (same size
    and XOR of hashes; verification rejects the ~2^-64 chance of a different set), and the boolean mask of the
    documents that stand for their set in :func:`candidate_pairs` (each set once, empty sets never)."""
    n = len(shingles)
    sizes = shingles.sizes
    nonempty = sizes > 0
    keys = np.zeros(n, np.uint64)
    if shingles.hashes.size:
        starts = shingles.offsets[:-1][nonempty]
        keys[nonempty] = np.bitwise_xor.reduceat(shingles.hashes, starts)
    keys ^= sizes.astype(np.uint64) * GOLDEN
    index = np.flatnonzero(nonempty)
    _, first, inverse = np.unique(keys[index], return_index=True, return_inverse=True)
    representative = index[first][inverse]
    is_copy = representative != index
    pairs = np.stack((representative[is_copy], index[is_copy]), axis=1)
    active = np.zeros(n, bool)
    active[index[~is_copy]] = True
    return pairs, active


def candidates(shingles: Shingles, signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Every candidate pair of the duplicate stage, ``(m, 2)`` int64: the pairs of identical sets
    (:func:`identical_sets`), then the banding's pairs among one document per set (:func:`candidate_pairs`)."""
    exact, active = identical_sets(shingles)
    found = candidate_pairs(signatures, bands, rows, active=active)
    return np.concatenate((exact, found)) if len(exact) else found
