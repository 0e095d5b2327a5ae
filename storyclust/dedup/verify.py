"""Verification: which candidate pairs are copies, on the exact overlap of their shingle sets.

LSH candidates (:mod:`storyclust.dedup.lsh`) are proposals. Every one is measured here on the exact shingle
sets (:class:`~storyclust.dedup.shingles.Shingles`): Jaccard ``|A∩B| / |A∪B|`` and containment
``|A∩B| / min(|A|, |B|)``. A pair is a copy when its Jaccard reaches ``jaccard_threshold``, or when its
containment reaches ``containment_threshold`` and the smaller set has at least ``min_containment_shingles``
shingles (:func:`is_copy`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from ..settings import DedupConfig
from .shingles import Shingles

__all__ = ["VerifiedPairs", "is_copy", "jaccard_exact", "overlaps", "verify"]


@dataclass(frozen=True)
class VerifiedPairs:
    """The candidate pairs that are copies: ``pairs`` ``(i, j)`` with ``i < j``, sorted, unique where the
    candidates were, with their exact ``jaccard`` and ``containment`` aligned."""

    pairs: np.ndarray  # int64, (m, 2)
    jaccard: np.ndarray
    containment: np.ndarray


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


def is_copy(jaccard: np.ndarray, containment: np.ndarray, smaller: np.ndarray, config: DedupConfig) -> np.ndarray:
    """The verification rule, per pair: Jaccard at least ``jaccard_threshold``, or containment at least
    ``containment_threshold`` when the smaller set (``smaller`` shingles) has ``min_containment_shingles``."""
    return (jaccard >= config.jaccard_threshold) | (
        (containment >= config.containment_threshold) & (smaller >= config.min_containment_shingles)
    )


def verify(shingles: Shingles, candidates: np.ndarray, config: DedupConfig) -> VerifiedPairs:
    """Measure every candidate pair ``(m, 2)`` on its exact shingle sets and keep the copies
    (:func:`is_copy`), each pair as ``(smaller index, larger index)``, sorted by it."""
    jac, con = overlaps(shingles, candidates[:, 0], candidates[:, 1])
    smaller = np.minimum(shingles.sizes[candidates[:, 0]], shingles.sizes[candidates[:, 1]])
    ok = is_copy(jac, con, smaller, config)
    pairs, jac, con = np.sort(candidates[ok], axis=1), jac[ok], con[ok]
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    return VerifiedPairs(pairs[order], jac[order], con[order])
