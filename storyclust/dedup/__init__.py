"""Near-duplicate detection, in stages (each a module of this package):

    shingles   cleaned texts -> sorted unique 64-bit hashes of word k-grams (the exact shingle sets)
    minhash    shingle sets -> MinHash signatures
    lsh        signatures -> candidate pairs (banding), plus the pairs of identical shingle sets
    verify     candidate pairs -> the copies, on exact Jaccard / containment of their shingle sets
    groups     copy pairs -> connected components, one canonical article each
               (earliest dated, then longest, then first read)

:func:`deduplicate` runs them in this order; its settings are :class:`storyclust.settings.DedupConfig` and its
answer a :class:`storyclust.records.DedupResult`.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from ..records import Article, DedupResult, ProgressSink, stage
from ..settings import DedupConfig
from .groups import group, similarity_to_canonical
from .lsh import candidates
from .minhash import minhash
from .shingles import shingle
from .verify import verify

__all__ = ["deduplicate"]


def deduplicate(
    articles: Sequence[Article],
    texts: Sequence[str],
    config: DedupConfig = DedupConfig(),
    progress: ProgressSink | None = None,
) -> DedupResult:
    """Find copies among ``articles`` using their cleaned ``texts`` (one per article, same order)."""
    if len(articles) != len(texts):
        raise ValueError(f"got {len(articles)} articles but {len(texts)} texts")
    timings: dict[str, float] = {}

    with stage(timings, "signatures", progress, "Shingling"):
        shingles = shingle(texts, config.shingle_size)
    with stage(timings, "signatures", progress, "MinHash signatures"):
        signatures = minhash(shingles, num_perm=config.num_perm, seed=config.seed)

    with stage(timings, "candidates", progress, "LSH candidates"):
        pairs = candidates(shingles, signatures, *config.bands_rows)

    with stage(timings, "verify", progress, "Verifying candidates"):
        copies = verify(shingles, pairs, config)

    group_start = time.perf_counter()
    lengths = np.array([len(x) for x in texts], np.int64)
    groups, group_of, canonical_of = group(articles, lengths, copies.pairs)
    similarity = similarity_to_canonical(shingles, canonical_of)
    timings["group"] = time.perf_counter() - group_start

    return DedupResult(
        pairs=copies.pairs,
        jaccard=copies.jaccard,
        containment=copies.containment,
        groups=groups,
        group_of=group_of,
        canonical_of=canonical_of,
        similarity=similarity,
        candidates=len(pairs),
        empty=int((shingles.sizes == 0).sum()),
        timings=timings,
    )
