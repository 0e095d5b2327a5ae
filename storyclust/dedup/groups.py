"""Groups: verified copy pairs -> duplicate groups, each with one canonical article.

A group is a connected component of the verified pair graph (so copies of copies join). Its canonical
article is the earliest dated, then the longest (cleaned text), then the first read; an undated article
sorts after every dated one and a naive date is taken as UTC.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..records import Article, DuplicateGroup, stamp
from .shingles import Shingles
from .verify import overlaps

__all__ = ["canonical", "group", "group_pairs", "similarity_to_canonical"]


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


def _sort_stamp(article: Article) -> float:
    """The article's :func:`~storyclust.records.stamp`, with +inf for no date (it sorts last)."""
    seconds = stamp(article.date)
    return math.inf if math.isnan(seconds) else seconds


def canonical(members: Sequence[int], articles: Sequence[Article], lengths: np.ndarray) -> int:
    """The canonical article of a group's ``members`` (input indices): earliest dated, then longest
    (``lengths``: cleaned text lengths by input index), then first read."""
    return int(min(members, key=lambda i: (_sort_stamp(articles[i]), -int(lengths[i]), int(i))))


def group(
    articles: Sequence[Article], lengths: np.ndarray, pairs: np.ndarray
) -> tuple[list[DuplicateGroup], np.ndarray, np.ndarray]:
    """The duplicate groups of the verified ``pairs`` over ``articles``, in order of their first member, and by
    input index the group id (-1 for a unique article) and the canonical article (itself when unique)."""
    n = len(articles)
    labels = group_pairs(n, pairs)
    group_of = np.full(n, -1, np.int64)
    canonical_of = np.arange(n)
    groups: list[DuplicateGroup] = []
    shared = np.flatnonzero(np.bincount(labels, minlength=1)[labels] > 1) if n else labels
    if len(shared):
        order = shared[np.argsort(labels[shared], kind="stable")]
        bounds = np.flatnonzero(np.diff(labels[order])) + 1
        for members in np.split(order, bounds):
            canon = canonical(members, articles, lengths)
            gid = len(groups)
            group_of[members] = gid
            canonical_of[members] = canon
            rest = tuple(int(m) for m in members if m != canon)
            groups.append(DuplicateGroup(gid, canon, (canon, *rest)))
    return groups, group_of, canonical_of


def similarity_to_canonical(shingles: Shingles, canonical_of: np.ndarray) -> np.ndarray:
    """``(n, 2)``: the exact (Jaccard, containment) of every article against its canonical article; (1, 1) for a
    canonical or unique article."""
    n = len(canonical_of)
    similarity = np.ones((n, 2))
    copies = np.flatnonzero(canonical_of != np.arange(n))
    if len(copies):
        similarity[copies, 0], similarity[copies, 1] = overlaps(shingles, canonical_of[copies], copies)
    return similarity
