"""Provenance: which step of the story stage put each article where it is, and each story's merge history.

:func:`storyclust.stories.cluster_points` fills a :class:`Trace` as it runs, when given one: the HDBSCAN
labels, one event per merge (:mod:`.merge`'s two closest-first rounds and :mod:`.leftovers`' pairing), the
units after merging, the strays let go, and the labels after the time split, the identity steps and the
mixture. Recording copies label arrays and appends one tuple per merge, nothing the steps do not compute
already. :func:`storyclust.stories.find_stories` turns the trace into a :class:`Provenance` on the output's
article indices and story ids, which the output rows read (``placement`` per article, ``history`` per story).

A merge event names its two parts by their first article in input order (a part is a set of articles at the
time of the merge), with their sizes, the centroid cosine that passed, the threshold it had to reach and the
gap between the parts' date ranges. Replaying a story's events from its articles' HDBSCAN clusters (a
union-find over the named articles) rebuilds every part, which is how ``storyclust explain`` finds the
merge that joined two articles.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .mixture import moved

__all__ = ["Trace", "Provenance", "STEPS"]

# What put an article in its story: the last step that changed its company, else the first merge of its
# HDBSCAN cluster (or of itself, as noise), else HDBSCAN alone.
STEPS = ("alone", "cluster", "merge", "pair", "let go", "time split", "identity", "mixture", "copy")
_ALONE, _CLUSTER, _MERGE, _PAIR, _LET_GO, _TIME, _IDENTITY, _MIXTURE, _COPY = range(len(STEPS))


_COPY_PLACEMENT = {"step": "copy", "cluster": None, "unit": None, "part": None, "identity_part": None, "merge": None,
                   "let_go": None}


class Trace:
    """The story stage's steps as :func:`storyclust.stories.cluster_points` ran them, on its rows (0..n-1).

    ``clusters``: HDBSCAN's labels (-1: noise); ``events``: one tuple per merge, in order,
    ``(step, round, a, b, size_a, size_b, cosine, threshold, gap_seconds)`` with ``step`` 2 (merge) or 3
    (left-over pairing) and ``a``, ``b`` the first row of each part (``a``'s part survives); ``units``: the
    labels after merging; ``let_go``: each stray's leave-one-out cosine (NaN for the others); ``parts``,
    ``identity``, ``final``: the labels after the time split, the identity steps and the mixture."""

    def __init__(self) -> None:
        self.clusters: np.ndarray | None = None
        self.events: list[tuple] = []
        self.units: np.ndarray | None = None
        self.let_go: np.ndarray | None = None
        self.strayed: np.ndarray | None = None  # labels once strays stand alone (the time split's input)
        self.parts: np.ndarray | None = None
        self.identity: np.ndarray | None = None
        self.final: np.ndarray | None = None

    def merge(self, step: int, round_: int, a: int, b: int, size_a: int, size_b: int, cosine: float,
              threshold: float, first: np.ndarray, last: np.ndarray) -> None:
        """One merge of part ``b`` into part ``a``; ``first`` and ``last`` are the two parts' date ranges."""
        self.events.append((step, round_, int(a), int(b), int(size_a), int(size_b), float(cosine), float(threshold),
                            _gap(first, last)))

    def pairs(self, a: np.ndarray, b: np.ndarray, size_a: np.ndarray, size_b: np.ndarray, cosine: np.ndarray,
              threshold: float, first_a: np.ndarray, last_a: np.ndarray, first_b: np.ndarray,
              last_b: np.ndarray) -> None:
        """One round of left-over pairings (arrays, one entry per pairing)."""
        for q in range(len(a)):
            self.merge(_PAIR, 0, a[q], b[q], size_a[q], size_b[q], cosine[q], threshold,
                       np.array([first_a[q], first_b[q]]), np.array([last_a[q], last_b[q]]))


def _gap(first: np.ndarray, last: np.ndarray) -> float:
    """Seconds between two date ranges (0 when they overlap); NaN when either has no date."""
    if not np.all(np.isfinite(first)):
        return math.nan
    return max(float(first.max() - last.min()), 0.0)


def first_rows(units: np.ndarray, k: int) -> np.ndarray:
    """Each unit's first row (``len(units)`` for a unit without rows)."""
    first = np.full(k, len(units), np.int64)
    np.minimum.at(first, units, np.arange(len(units), dtype=np.int64))
    return first


class Provenance:
    """A :class:`Trace` on the output's articles: ``placement(i)`` and ``history(story_id)`` are the rows'
    fields (``None`` for an article outside the story stage's input). Built once per run from arrays."""

    def __init__(self, trace: Trace, rows: np.ndarray, canonical_of: np.ndarray, story_of_row: np.ndarray,
                 ids: Sequence[str]) -> None:
        n = len(canonical_of)
        self.ids = ids
        m = len(rows)
        ev = trace.events
        self.event_step = np.array([e[0] for e in ev], np.int64)
        self.event_round = np.array([e[1] for e in ev], np.int64)
        self.event_a = rows[np.array([e[2] for e in ev], np.int64)] if ev else np.zeros(0, np.int64)
        self.event_b = rows[np.array([e[3] for e in ev], np.int64)] if ev else np.zeros(0, np.int64)
        self.event_sizes = np.array([(e[4], e[5]) for e in ev], np.int64).reshape(-1, 2)
        self.event_values = np.array([(e[6], e[7], e[8]) for e in ev], np.float64).reshape(-1, 3)
        units = trace.units
        event_unit = units[np.array([e[2] for e in ev], np.int64)] if ev else np.zeros(0, np.int64)

        # The first event touching each row's HDBSCAN cluster (or the row alone, as noise): the first event
        # naming the leaf's first row, since a part is named by its first row and the leaf is its own part
        # until it first merges.
        leaf = np.where(trace.clusters >= 0, trace.clusters, trace.clusters.max(initial=-1) + 1 + np.arange(m))
        leaf_first = first_rows(leaf, int(leaf.max()) + 1 if m else 0)[leaf]
        first_event = np.full(m + 1, len(ev), np.int64)
        local_a = np.array([e[2] for e in ev], np.int64)
        local_b = np.array([e[3] for e in ev], np.int64)
        order = np.arange(len(ev), dtype=np.int64)
        np.minimum.at(first_event, local_a, order)
        np.minimum.at(first_event, local_b, order)
        touched = first_event[leaf_first]

        step = np.where(trace.clusters >= 0, _CLUSTER, _ALONE)
        has = touched < len(ev)
        step[has] = self.event_step[touched[has]] if len(ev) else step[has]
        stray = ~np.isnan(trace.let_go)
        step[stray] = _LET_GO
        step[moved(trace.strayed, trace.parts)] = _TIME
        step[moved(trace.parts, trace.identity)] = _IDENTITY
        step[moved(trace.identity, trace.final)] = _MIXTURE

        # Each story's history: every event of every unit (after merging) holding one of its rows, in order.
        self.history_of: dict[int, np.ndarray] = {}
        story_units: dict[int, set[int]] = {}
        for s, u in zip(story_of_row.tolist(), units.tolist()):
            story_units.setdefault(s, set()).add(u)
        events_of_unit: dict[int, list[int]] = {}
        for e, u in enumerate(event_unit.tolist()):
            events_of_unit.setdefault(u, []).append(e)
        for s, us in story_units.items():
            found = [e for u in us for e in events_of_unit.get(u, ())]
            if found:
                self.history_of[s] = np.array(sorted(found), np.int64)

        self.step = np.full(n, _COPY, np.int64)
        self.cluster = np.full(n, -1, np.int64)
        self.unit = np.full(n, -1, np.int64)
        self.part = np.full(n, -1, np.int64)
        self.identity_part = np.full(n, -1, np.int64)
        self.let_go = np.full(n, np.nan)
        self.merge_index = np.full(n, -1, np.int64)
        self.step[rows] = step
        self.cluster[rows] = trace.clusters
        self.unit[rows] = units
        self.part[rows] = trace.parts
        self.identity_part[rows] = trace.identity
        self.let_go[rows] = trace.let_go
        for r, s, e in zip(rows.tolist(), story_of_row.tolist(), touched.tolist()):
            if e < len(ev):
                self.merge_index[r] = int(np.searchsorted(self.history_of[s], e))
        self.canonical = np.asarray(canonical_of)

    def placement(self, i: int) -> dict[str, Any]:
        """Article ``i``'s ``placement`` field: the step that put it in its story (:data:`STEPS`) and where
        each step left it (``cluster``: HDBSCAN's, null for noise; ``unit``: after merging; ``part``: after
        the time split; ``identity_part``: after the identity steps; ``merge``: the index in its story's
        ``history`` of the first merge of its cluster, null if none; ``let_go``: a stray's leave-one-out
        cosine, null otherwise). A copy's step is ``"copy"``, the rest null: it is where its canonical article is."""
        step = int(self.step[i])
        if step == _COPY:
            return dict(_COPY_PLACEMENT)
        let_go = float(self.let_go[i])
        return {
            "step": STEPS[step],
            "cluster": int(self.cluster[i]) if self.cluster[i] >= 0 else None,
            "unit": int(self.unit[i]),
            "part": int(self.part[i]),
            "identity_part": int(self.identity_part[i]),
            "merge": int(self.merge_index[i]) if self.merge_index[i] >= 0 else None,
            "let_go": None if math.isnan(let_go) else round(let_go, 4),
        }

    def history(self, story_id: int) -> list[dict[str, Any]]:
        """Story ``story_id``'s ``history`` field: its merges in the order they happened, each
        ``{"step": "merge" (round 1 or 2) or "pair" (left-over pairing), "round", "parts": [first article of
        each part], "sizes", "cosine", "threshold", "gap_days"}`` (``gap_days`` null when a part is undated)."""
        out = []
        for e in self.history_of.get(story_id, np.zeros(0, np.int64)).tolist():
            cosine, threshold, gap = self.event_values[e]
            out.append({
                "step": STEPS[int(self.event_step[e])],
                "round": int(self.event_round[e]) if self.event_round[e] > 0 else None,
                "parts": [self.ids[int(self.event_a[e])], self.ids[int(self.event_b[e])]],
                "sizes": [int(x) for x in self.event_sizes[e]],
                "cosine": round(float(cosine), 4),
                "threshold": round(float(threshold), 4),
                "gap_days": None if math.isnan(gap) else round(float(gap) / 86400.0, 2),
            })
        return out
