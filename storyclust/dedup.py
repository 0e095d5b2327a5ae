"""Near-duplicate detection: LSH candidates, exact verification, duplicate groups.

    cleaned texts -> shingles -> MinHash signatures -> LSH candidate pairs
                  -> verified pairs (exact Jaccard / containment) -> groups (connected components)
                  -> one canonical article per group (earliest dated, then longest, then first read)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .lsh import candidate_pairs, candidate_probability
from .records import Article, ProgressSink, stage
from .settings import DedupConfig
from .signatures import Shingles, minhash, overlaps, shingle

__all__ = ["DedupConfig", "DuplicateGroup", "DedupResult", "deduplicate", "group_pairs"]


@dataclass(frozen=True)
class DuplicateGroup:
    """Articles confirmed as copies of each other. ``members`` are input indices, canonical first."""

    group_id: int
    canonical: int
    members: tuple[int, ...]


@dataclass
class DedupResult:
    """The duplicate stage's answer, by input index.

    ``pairs`` holds every verified pair ``(i, j)`` with ``i < j``; ``jaccard`` and ``containment`` align with
    it. Exact copies (identical shingle sets) are paired with the first article of their kind only; the
    groups are the same as if every pair were listed. ``group_of[i]`` is the group id of article ``i`` or -1; ``canonical_of[i]`` is the index of its
    canonical article (itself when it is unique). ``similarity[i]`` is the exact (Jaccard, containment) of
    article ``i`` against its canonical article.
    """

    pairs: np.ndarray
    jaccard: np.ndarray
    containment: np.ndarray
    groups: list[DuplicateGroup]
    group_of: np.ndarray
    canonical_of: np.ndarray
    similarity: np.ndarray
    candidates: int
    empty: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def canonical_mask(self) -> np.ndarray:
        return self.canonical_of == np.arange(len(self.canonical_of))

    @property
    def copies(self) -> int:
        return int((~self.canonical_mask).sum())


def _stamp(date: datetime | None) -> float:
    """Seconds since the epoch; naive datetimes are taken as UTC; no date sorts last."""
    if date is None:
        return float("inf")
    return (date if date.tzinfo else date.replace(tzinfo=timezone.utc)).timestamp()


def group_pairs(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected components of the pair graph: a component label per index (0..n-1), in first-seen order."""
    if n == 0:
        return np.zeros(0, np.int64)
    if len(pairs) == 0:
        return np.arange(n)
    graph = coo_matrix((np.ones(len(pairs), np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # Relabel in order of first appearance so ids do not depend on scipy's traversal.
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    remap = np.empty_like(order)
    remap[order] = np.arange(len(order))
    return remap[labels]


def _canonical(members: np.ndarray, articles: Sequence[Article], lengths: np.ndarray) -> int:
    """Earliest dated, then longest (cleaned length), then first read."""
    return int(
        min(
            members,
            key=lambda i: (_stamp(articles[i].date), -int(lengths[i]), int(i)),
        )
    )


def _exact_copies(shingles: Shingles) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (first, other) of documents with identical non-empty shingle sets, and the mask of documents
    that stand for their set in LSH (each set once)."""
    n = len(shingles)
    sizes = shingles.sizes
    nonempty = sizes > 0
    keys = np.zeros(n, np.uint64)
    if shingles.hashes.size:
        starts = shingles.offsets[:-1][nonempty]
        keys[nonempty] = np.bitwise_xor.reduceat(shingles.hashes, starts)
    keys ^= sizes.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    index = np.flatnonzero(nonempty)
    _, first, inverse = np.unique(keys[index], return_index=True, return_inverse=True)
    representative = index[first][inverse]
    is_copy = representative != index
    pairs = np.stack((representative[is_copy], index[is_copy]), axis=1)
    active = np.zeros(n, bool)
    active[index[~is_copy]] = True
    return pairs, active


def deduplicate(
    articles: Sequence[Article],
    texts: Sequence[str],
    config: DedupConfig = DedupConfig(),
    progress: ProgressSink | None = None,
) -> DedupResult:
    """Find copies among ``articles`` using their cleaned ``texts`` (one per article, same order)."""
    if len(articles) != len(texts):
        raise ValueError(f"got {len(articles)} articles but {len(texts)} texts")
    n = len(articles)
    timings: dict[str, float] = {}

    with stage(timings, "signatures", progress, "Shingling"):
        shingles = shingle(texts, config.shingle_size)
    with stage(timings, "signatures", progress, "MinHash signatures"):
        signatures = minhash(shingles, config.num_perm, config.seed)

    with stage(timings, "candidates", progress, "LSH candidates"):
        exact, active = _exact_copies(shingles)
        bands, rows = config.bands_rows
        lsh = candidate_pairs(signatures, bands, rows, active=active)
        candidates = np.concatenate((exact, lsh)) if len(exact) else lsh

    with stage(timings, "verify", progress, "Verifying candidates"):
        jac, con = overlaps(shingles, candidates[:, 0], candidates[:, 1])
        smaller = np.minimum(shingles.sizes[candidates[:, 0]], shingles.sizes[candidates[:, 1]])
        ok = (jac >= config.jaccard_threshold) | (
            (con >= config.containment_threshold) & (smaller >= config.min_containment_shingles)
        )
        pairs, jac, con = np.sort(candidates[ok], axis=1), jac[ok], con[ok]
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        pairs, jac, con = pairs[order], jac[order], con[order]

    group_start = time.perf_counter()
    labels = group_pairs(n, pairs)
    lengths = np.array([len(x) for x in texts], np.int64)
    group_of = np.full(n, -1, np.int64)
    canonical_of = np.arange(n)
    groups: list[DuplicateGroup] = []
    shared = np.flatnonzero(np.bincount(labels, minlength=1)[labels] > 1) if n else labels
    if len(shared):
        order = shared[np.argsort(labels[shared], kind="stable")]
        bounds = np.flatnonzero(np.diff(labels[order])) + 1
        for members in np.split(order, bounds):
            canon = _canonical(members, articles, lengths)
            gid = len(groups)
            group_of[members] = gid
            canonical_of[members] = canon
            rest = tuple(int(m) for m in members if m != canon)
            groups.append(DuplicateGroup(gid, canon, (canon, *rest)))
    similarity = np.ones((n, 2))
    copies = np.flatnonzero(canonical_of != np.arange(n))
    if len(copies):
        sj, sc = overlaps(shingles, canonical_of[copies], copies)
        similarity[copies, 0], similarity[copies, 1] = sj, sc
    timings["group"] = time.perf_counter() - group_start

    return DedupResult(
        pairs=pairs,
        jaccard=jac,
        containment=con,
        groups=groups,
        group_of=group_of,
        canonical_of=canonical_of,
        similarity=similarity,
        candidates=len(candidates),
        empty=int((shingles.sizes == 0).sum()),
        timings=timings,
    )


def expected_recall(jaccard: np.ndarray, config: DedupConfig) -> float:
    """The LSH stage's expected recall over pairs with these Jaccard similarities."""
    bands, rows = config.bands_rows
    return float(np.mean(candidate_probability(jaccard, bands, rows))) if len(jaccard) else 1.0
