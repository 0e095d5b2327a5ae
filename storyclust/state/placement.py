"""Which story each article of a re-clustered window goes to: the window's clusters matched to stored stories.

A window row is *settled* (an article older than :data:`PROVISIONAL_RUNS` runs: it keeps its story), *provisional*
(an article of one of the last :data:`PROVISIONAL_RUNS` runs: it follows its cluster, and a move is logged) or
*new* (this run's: it follows its cluster). Each cluster is matched to at most one story, greedily, by how many
of the cluster's settled rows hold the story, then how many of its rows in all (ties: lower story id, then lower
cluster): the clusters and stories that share the most articles pair first, so with no settled rows the stories
are exactly the clusters, under the ids that cover them best. A cluster left without a story takes the one
holding most of its settled rows (those cannot move, so its other rows join them), or else a fresh story.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

__all__ = ["EVIDENCE_GROWTH", "PROVISIONAL_RUNS", "match_clusters", "place", "settled_runs"]

# An article stays provisional for at least this many runs after the run that added it (0: articles never move).
PROVISIONAL_RUNS: int = 3
# ... and until a run re-clusters it in a window at most this many times the size of the window that first
# placed it: a placement made on a small fraction of the evidence now at hand can still be corrected. In a
# steady stream the windows keep their size, so articles settle after PROVISIONAL_RUNS runs; in a growing
# state (a new one, or undated articles, where every window is the whole state) the first runs' articles stay
# provisional while the windows keep outgrowing theirs. None: only PROVISIONAL_RUNS counts.
EVIDENCE_GROWTH: float | None = 2.0


def settled_runs(windows: dict[int, int], now: int) -> set[int]:
    """The runs whose articles are settled in run ``now``: ``windows`` maps each run (this one included) to
    the size of the window it clustered (0: none). Run r's articles settle at the first run u with
    ``u > r + PROVISIONAL_RUNS`` and ``0 < windows[u] <= EVIDENCE_GROWTH * windows[r]``, and stay settled."""
    out = set()
    later = sorted(u for u in windows if u <= now)
    for r in later:
        if now - r <= PROVISIONAL_RUNS:
            continue
        if EVIDENCE_GROWTH is None or not windows[r]:
            out.add(r)
            continue
        limit = EVIDENCE_GROWTH * windows[r]
        if any(0 < windows[u] <= limit for u in later if u > r + PROVISIONAL_RUNS):
            out.add(r)
    return out


def match_clusters(labels: Sequence[int], current: Sequence[int | None],
                   settled: Sequence[bool]) -> dict[int, int | None]:
    """Each cluster's story (``None``: a fresh one). ``current[i]`` is row i's story (``None`` for a new
    article), ``settled[i]`` whether row i must keep it."""
    fixed: dict[int, Counter] = {}
    every: dict[int, Counter] = {}
    for label, story, keep in zip(labels, current, settled):
        if story is None:
            continue
        every.setdefault(label, Counter())[story] += 1
        if keep:
            fixed.setdefault(label, Counter())[story] += 1
    pairs = sorted(((-fixed.get(c, Counter())[s], -n, s, c) for c, counts in every.items() for s, n in counts.items()))
    out: dict[int, int | None] = {}
    taken: set[int] = set()
    for _, _, s, c in pairs:
        if c not in out and s not in taken:
            out[c] = s
            taken.add(s)
    for c in sorted(set(labels)):
        if c not in out:
            counts = fixed.get(c)
            out[c] = min(counts, key=lambda s: (-counts[s], s)) if counts else None
    return out


def place(labels: Sequence[int], current: Sequence[int | None], settled: Sequence[bool]) -> list[int | None]:
    """Each row's story: settled rows keep theirs, the others take their cluster's (``None``: the cluster's
    fresh story, the same for every row of that cluster)."""
    story_of = match_clusters(labels, current, settled)
    return [s if keep else story_of[c] for c, s, keep in zip(labels, current, settled)]
