"""Closest-first merging of clusters (and noise articles, as units of one) on their exact TF-IDF centroids.

HDBSCAN over-splits news: a story's articles form several dense pockets (angles, updates), and small
corpora have too few points for any density estimate. Merging joins those pockets, and the articles HDBSCAN
left out, while their centroid cosine reaches ``merge_similarity`` (lower for short texts) and their date
ranges lie within ``max_gap_days``; where both units are short texts, their terms must also speak for one
story (:func:`storyclust.stories.mixture.merge_evidence`). Candidates come from the neighbor graph, so no
step ever compares every pair of units.
"""

from __future__ import annotations

import heapq

import numba
import numpy as np
from scipy import sparse

from ..settings import StoryConfig
from .leftovers import pair_leftovers
from .mixture import merge_evidence
from .provenance import Trace, first_rows
from .sums import Centroids, linked_units, nearest_rows, relabel, row_dots
from .timeline import date_ranges, seconds, within

__all__ = ["merge_units", "TermCounts"]


def merge_units(
    vectors: sparse.csr_matrix,
    labels: np.ndarray,
    stamps: np.ndarray,
    config: StoryConfig,
    *,
    graph: sparse.csr_matrix | None,
    residual: np.ndarray | None,
    trace: Trace | None = None,
) -> np.ndarray:
    """Merge clusters (and noise points, as clusters of one) closest first while the cosine similarity of
    their TF-IDF centroids is at least ``config.merge_similarity`` and the gap between their date ranges is
    at most ``config.max_gap_days``; then pair left-over articles (:func:`pair_leftovers`) when
    ``pair_similarity`` is below ``merge_similarity``.

    Short texts (units whose articles average under ``short_text_terms`` terms) merge at a threshold scaled
    by ``sqrt(terms / short_text_terms)``. With ``short_text_evidence``, two short-text units merge only where
    one story explains their terms at least as well as two (:func:`storyclust.stories.mixture.merge_evidence`
    >= 0), and a second round takes up short-text units again, linked anew by ``graph`` (without one, by
    their nearest units): each growing unit keeps only its nearest candidates, so two large parts of a story
    can lose their link.

    The first candidates are the cluster pairs that ``graph`` (an article neighbor graph) connects, or,
    without a graph, each cluster's ``merge_neighbors`` nearest clusters by exhaustive comparison. After each
    merge the merged unit keeps only its ``merge_neighbors`` nearest candidates, so the cost grows with the
    number of units times ``merge_neighbors``, not with its square.

    ``residual`` is each row's squared norm in terms that were dropped from ``vectors`` (see
    :class:`storyclust.stories.vectorize.Representation`): they never add to a dot product between articles
    but belong in every centroid's norm, which keeps the similarities exact cosines. Similarities are taken
    in the sparse TF-IDF space, not in the reduced space, so the threshold means the same on five articles
    as on a million and does not depend on the number of SVD components.

    With a ``trace`` (:class:`storyclust.stories.provenance.Trace`), every merge is recorded in it.
    """
    n = vectors.shape[0]
    units = labels.copy()
    noise = np.flatnonzero(units < 0)
    units[noise] = (units.max() + 1 if n and (units >= 0).any() else 0) + np.arange(len(noise))
    k = int(units.max()) + 1 if n else 0
    if k < 2 or config.merge_similarity > 1.0:
        return units
    merged = _closest_first(vectors, units, k, stamps, config, graph, residual, short_only=False, trace=trace)
    if config.short_text_evidence and config.short_text_terms > 0:
        # Short texts only: a second round of merges the evidence check does not guard over-merges.
        merged = relabel(merged)
        k = int(merged.max()) + 1
        merged = _closest_first(vectors, merged, k, stamps, config, graph, residual, short_only=True, trace=trace)
    if config.pair_similarity < config.merge_similarity:  # after the merge's own structures are gone
        merged = pair_leftovers(vectors, merged, stamps, config, graph=graph, residual=residual, trace=trace)
    return merged


class _UnitStats:
    """What the merge knows of each unit besides its centroid: articles, terms, first and last date; and the
    rules read from them: which units are short texts, the pair's threshold, whether it spans too long a gap."""

    def __init__(self, vectors: sparse.csr_matrix, units: np.ndarray, k: int, stamps: np.ndarray,
                 config: StoryConfig) -> None:
        self.terms = np.bincount(units, weights=np.diff(vectors.indptr).astype(np.float64), minlength=k)
        self.size = np.bincount(units, minlength=k)
        self.first, self.last = date_ranges(units, stamps, k)
        self.gap = seconds(config.max_gap_days)
        self.similarity = config.merge_similarity
        self.short_terms = config.short_text_terms

    def short(self, u):
        """Whether unit(s) ``u`` average fewer than ``short_text_terms`` terms per article."""
        return self.terms[u] < self.short_terms * self.size[u]

    def threshold(self, a, b):
        """The cosine units ``a`` and ``b`` must reach: ``merge_similarity``, scaled by
        ``sqrt(terms / short_text_terms)`` for the shorter of two short-text units."""
        if self.short_terms <= 0:
            return self.similarity
        terms, size = self.terms, self.size
        length = np.minimum(terms[a] / np.maximum(size[a], 1), terms[b] / np.maximum(size[b], 1))
        return self.similarity * np.minimum(1.0, np.sqrt(np.maximum(length, 1.0) / self.short_terms))

    def within_gap(self, a: int, b: int) -> bool:
        return within(self.first[a], self.last[a], self.first[b], self.last[b], self.gap)

    def absorb(self, a: int, b: int) -> None:
        """Unit ``b`` joins unit ``a``."""
        self.first[a], self.last[a] = min(self.first[a], self.first[b]), max(self.last[a], self.last[b])
        self.size[a] += self.size[b]
        self.terms[a] += self.terms[b]


class _Links:
    """The units each unit is linked to (its candidates), as sets built from the edge arrays only for the
    units a merge touches. Every edge is remembered, so a unit that was too far from ``a`` and from ``b``
    alone is still reconsidered against their merger."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, k: int) -> None:
        both = np.concatenate((rows, cols))
        order = np.argsort(both, kind="stable")
        self._partners = np.concatenate((cols, rows))[order]
        self._starts = np.searchsorted(both[order], np.arange(k + 1))
        self._sets: dict[int, set[int]] = {}

    def of(self, u: int) -> set[int]:
        if u not in self._sets:
            self._sets[u] = set(self._partners[self._starts[u] : self._starts[u + 1]].tolist())
        return self._sets[u]

    def unlink(self, a: int, b: int, alive: np.ndarray) -> list[int]:
        """Drop every link of ``a`` and ``b`` (merged); return the live units they were linked to, sorted."""
        others = sorted(c for c in (self.of(a) | self.of(b)) - {a, b} if alive[c])
        for c in others:
            self.of(c).discard(a)
            self.of(c).discard(b)
        self._sets[a], self._sets[b] = set(), set()
        return others

    def link(self, a: int, c: int) -> None:
        self.of(a).add(c)
        self.of(c).add(a)


class _Queue:
    """Candidate pairs, highest cosine first (ties by the lower ids). A unit's version grows with it, so
    entries scored before it grew are skipped."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, k: int) -> None:
        pairs = {(int(min(a, b)), int(max(a, b))): float(s) for a, b, s in zip(rows, cols, sims)}
        self.version = np.zeros(k, np.int64)
        self._heap = [(-s, a, b, 0, 0) for (a, b), s in sorted(pairs.items())]
        heapq.heapify(self._heap)
        self.score = 0.0  # the cosine of the pair :meth:`pop` returned last

    def push(self, score: float, a: int, c: int) -> None:
        x, y = min(a, c), max(a, c)
        heapq.heappush(self._heap, (-score, x, y, self.version[x], self.version[y]))

    def pop(self, alive: np.ndarray) -> tuple[int, int] | None:
        """The best current pair of live units ``(a, b)``, ``a < b``; None when none is left."""
        while self._heap:
            s, a, b, va, vb = heapq.heappop(self._heap)
            if alive[a] and alive[b] and va == self.version[a] and vb == self.version[b]:
                self.score = -s
                return a, b
        return None


def _closest_first(
    vectors: sparse.csr_matrix,
    units: np.ndarray,
    k: int,
    stamps: np.ndarray,
    config: StoryConfig,
    graph: sparse.csr_matrix | None,
    residual: np.ndarray | None,
    *,
    short_only: bool,
    trace: Trace | None = None,
) -> np.ndarray:
    """One round of :func:`merge_units`' merging of ``units`` (0..k-1, no noise): the surviving unit of every
    article. ``short_only`` considers only pairs of short-text units; ``trace`` records each merge."""
    stats = _UnitStats(vectors, units, k, stamps, config)
    short_units = int(stats.short(np.arange(k)).sum())
    if short_only and short_units < 2:  # nothing this round could merge
        return units
    centroids = Centroids(vectors, units, k, residual)
    if graph is not None:
        edges = graph.tocoo()
        left, right = edges.row, edges.col
        if short_only:  # the other edges could only link pairs this round does not consider
            both_short = stats.short(units[left]) & stats.short(units[right])
            left, right = left[both_short], right[both_short]
        rows, cols = linked_units(left, right, units, k)
        sims = row_dots(centroids.unit, rows, cols)
    else:
        rows, cols, sims = nearest_rows(centroids.unit, config.merge_neighbors)
    links = _Links(rows, cols, k)
    keep = sims >= stats.threshold(rows, cols)  # only edges above the threshold are queued
    if short_only:
        keep &= stats.short(rows) & stats.short(cols)
    counts = TermCounts(vectors, units, k) if config.short_text_evidence and short_units > 1 else None
    queue = _Queue(rows[keep], cols[keep], sims[keep], k)
    parent = np.arange(k)
    alive = np.ones(k, bool)
    first = first_rows(units, k) if trace is not None else None
    while (pair := queue.pop(alive)) is not None:
        a, b = pair
        if not stats.within_gap(a, b):
            continue
        if counts is not None:
            if stats.short(a) and stats.short(b) and counts.against(a, b, stats.size):
                continue  # the two units' terms speak for two stories
            counts.merge(a, b)
        if trace is not None:
            trace.merge(2, 2 if short_only else 1, first[a], first[b], stats.size[a], stats.size[b], queue.score,
                        float(stats.threshold(a, b)), stats.first[[a, b]], stats.last[[a, b]])
            first[a] = min(first[a], first[b])
        # b into a (a < b keeps the survivor deterministic), then a is scored against both candidate sets.
        centroids.absorb(a, b)
        stats.absorb(a, b)
        alive[b] = False
        parent[b] = a
        queue.version[a] += 1
        others = links.unlink(a, b, alive)
        if not others:
            continue
        # Only the ``merge_neighbors`` closest stay linked, so a growing story does not drag an ever larger
        # candidate set along.
        scores = centroids.cosines(a, others)
        for i in np.argsort(-scores, kind="stable")[: config.merge_neighbors]:
            c, score = others[i], float(scores[i])
            links.link(a, c)
            if score >= stats.threshold(a, c) and (not short_only or (stats.short(a) and stats.short(c))):
                queue.push(score, a, c)
    return _roots(parent)[units]


def _roots(parent: np.ndarray) -> np.ndarray:
    """Merge chains resolved to their surviving unit (in place)."""
    for u in range(len(parent)):
        root = u
        while parent[root] != root:
            root = parent[root]
        parent[u] = root
    return parent


class TermCounts:
    """Each unit's term counts (how many of its articles hold each term) for the merge's evidence check,
    counted on demand: a unit's articles are a linked list, so a merge costs O(1) and only the units the
    check reads are ever counted (none where no text is short)."""

    def __init__(self, vectors: sparse.csr_matrix, units: np.ndarray, k: int) -> None:
        self.vectors = vectors
        order = np.argsort(units, kind="stable")
        self.next = np.full(len(units), -1, np.int64)
        same = units[order[1:]] == units[order[:-1]]
        self.next[order[:-1][same]] = order[1:][same]
        starts = np.searchsorted(units[order], np.arange(k + 1))
        filled = starts[1:] > starts[:-1]
        self.head = np.full(k, -1, np.int64)
        self.tail = np.full(k, -1, np.int64)
        self.head[filled] = order[starts[:-1][filled]]
        self.tail[filled] = order[starts[1:][filled] - 1]
        self.cache: dict[int, sparse.csr_matrix] = {}

    def row(self, u: int, size: int) -> sparse.csr_matrix:
        if u not in self.cache:
            terms, count = np.unique(self.vectors[_walk(self.next, self.head[u], size)].indices, return_counts=True)
            zeros = np.zeros(len(terms), np.int64)
            shape = (1, self.vectors.shape[1])
            self.cache[u] = sparse.csr_matrix((count.astype(np.float64), (zeros, terms)), shape=shape)
        return self.cache[u]

    def against(self, a: int, b: int, size: np.ndarray) -> bool:
        """Whether two stories explain the units' terms better than one."""
        return merge_evidence(self.row(a, size[a]), self.row(b, size[b]), self.vectors.shape[1]) < 0

    def merge(self, a: int, b: int) -> None:
        """Unit ``b`` joins unit ``a``."""
        if self.head[b] < 0:  # an empty unit (a label no article has) adds nothing
            return
        if self.head[a] < 0:
            self.head[a] = self.head[b]
        else:
            self.next[self.tail[a]] = self.head[b]
        self.tail[a] = self.tail[b]
        if a in self.cache and b in self.cache:
            self.cache[a] = self.cache[a] + self.cache.pop(b)
        else:
            self.cache.pop(a, None)
            self.cache.pop(b, None)


@numba.njit(cache=True)
def _walk(following, head, size):
    """The ``size`` articles of a linked list from ``head``."""
    out = np.empty(size, np.int64)
    i = head
    for j in range(size):
        out[j] = i
        i = following[i]
    return out
