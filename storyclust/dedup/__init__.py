"""Near-duplicate detection, in stages (each a module of this package):

    shingles   cleaned texts -> sorted unique 64-bit hashes of word k-grams (the exact shingle sets)
    minhash    shingle sets -> MinHash signatures
    lsh        signatures -> candidate pairs (banding), plus the pairs of identical shingle sets
    template   lines and shingles that recur across many articles (template, chrome) -> left out; thin articles
    verify     candidate pairs -> the copies, on exact Jaccard / containment of their shingle sets
    evidence   + tokens: rarity-weighted overlap, numbers and names, headlines (content.py runs the checks)
    groups     copy pairs -> connected components, one canonical article each
               (earliest dated, then longest, then first read)

:func:`deduplicate` runs them in this order (:mod:`storyclust.dedup.content`); its settings are :class:`storyclust.settings.DedupConfig` and its
answer a :class:`storyclust.records.DedupResult`.
"""

from __future__ import annotations

from typing import Sequence

from ..records import Article, DedupResult, ProgressSink
from ..settings import DedupConfig
from .content import deduplicate_content

__all__ = ["deduplicate"]


def deduplicate(
    articles: Sequence[Article],
    texts: Sequence[str],
    config: DedupConfig = DedupConfig(),
    progress: ProgressSink | None = None,
) -> DedupResult:
    """Find copies among ``articles`` using their cleaned ``texts`` (one per article, same order), on their
    content (:func:`storyclust.dedup.content.deduplicate_content`)."""
    return deduplicate_content(articles, texts, config, progress)
