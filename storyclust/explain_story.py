"""Which step of the story stage joined two articles or kept them apart, read from an output folder.

A cluster run writes what each step did (:mod:`storyclust.stories.provenance`): each article's ``placement``
(its HDBSCAN cluster, its unit after merging, its part after the time split and after the identity steps, a
stray's cosine) and each story's ``history`` of merges; and the rows the story stage compared
(``story_vectors.npz``). Two articles' labels step by step say where they came together or apart; replaying
their unit's merges from the HDBSCAN clusters (a union-find over the articles each merge names) finds the
merge that joined them, with its cosine and threshold. Cosines come from the saved rows, so they are the
run's own numbers; nothing is vectorised again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

__all__ = ["StoryStep", "StoryRows", "pair_step", "article_steps"]


@dataclass(frozen=True)
class StoryStep:
    """One step's part in a story answer: ``step`` names it (joined: ``cluster``, ``merge``, ``pair``,
    ``identity``, ``mixture``; apart: ``let go``, ``time split``, ``identity split``, ``mixture``, ``never
    merged``), ``joined`` whether it put the articles together, ``text`` says it in words and ``details``
    holds its numbers (cosine, threshold, round, part sizes, gap in days, ...)."""

    step: str
    joined: bool
    text: str
    details: dict[str, Any] = field(default_factory=dict)


class StoryRows:
    """The saved story rows (:class:`storyclust.records.StoryVectors`) by input article; a copy reads its
    canonical article's row (copies are not clustered)."""

    def __init__(self, vectors: Any, canonical: list[int]):
        self.m = vectors.tfidf.tocsr().astype(np.float64)
        self.residual = np.asarray(vectors.residual, np.float64)
        self.row_of = {int(r): k for k, r in enumerate(vectors.rows.tolist())}
        self.canonical = canonical

    def row(self, i: int) -> int:
        return self.row_of[self.canonical[i]]

    def cosine(self, i: int, j: int) -> float:
        """The two articles' cosine, as the run computed it (rows normalised over the full vocabulary)."""
        return float(self.m[self.row(i)].multiply(self.m[self.row(j)]).sum())

    def centroid_cosine(self, a: list[int], b: list[int]) -> float:
        """The exact cosine of two groups' TF-IDF centroids, as the merge computes it (dropped terms in the norms)."""
        ra, rb = [self.row(i) for i in a], [self.row(i) for i in b]
        sa, sb = np.asarray(self.m[ra].sum(axis=0)).ravel(), np.asarray(self.m[rb].sum(axis=0)).ravel()
        na = np.sqrt(sa @ sa + self.residual[ra].sum())
        nb = np.sqrt(sb @ sb + self.residual[rb].sum())
        return float(sa @ sb / (na * nb)) if na > 0 and nb > 0 else 0.0

    def terms(self, a: list[int]) -> float:
        """Columns per article in a group (the merge's short-text test reads this)."""
        counts = np.diff(self.m.indptr)
        return float(np.mean([counts[self.row(i)] for i in a]))


def _stamp(row: dict[str, Any]) -> datetime | None:
    value = row.get("date")
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _event_words(event: dict[str, Any]) -> str:
    gap = "" if event.get("gap_days") is None else f", {event['gap_days']:g} days apart"
    sizes = event.get("sizes") or [0, 0]
    parts = f"a part of {sizes[0]} article{'s' if sizes[0] != 1 else ''} and one of {sizes[1]}"
    if event["step"] == "pair":
        return (f"paired as left-overs ({parts}, each the other's nearest): cosine {event['cosine']:.4f} >= "
                f"pair_similarity {event['threshold']}{gap}")
    return (f"merged in round {event.get('round')} ({parts}): centroid cosine {event['cosine']:.4f} >= threshold "
            f"{event['threshold']}{gap}")


class _Replay:
    """A unit's merges replayed from its HDBSCAN clusters: :meth:`joining` gives the event that first put two
    articles in one part, :meth:`path` the events an article's part took part in."""

    def __init__(self, rows: list[dict[str, Any]], index: dict[str, int], members: list[int],
                 events: list[dict[str, Any]]):
        self.parent = {i: i for i in members}
        by_cluster: dict[int, int] = {}
        for i in members:
            c = rows[i]["placement"].get("cluster")
            if c is not None:
                self.parent[i] = by_cluster.setdefault(c, i)
        self.events = [(index[e["parts"][0]], index[e["parts"][1]], e) for e in events
                       if e["parts"][0] in index and e["parts"][1] in index
                       and index[e["parts"][0]] in self.parent and index[e["parts"][1]] in self.parent]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def joining(self, i: int, j: int) -> dict[str, Any] | None:
        for a, b, event in self.events:
            self.parent[self.find(b)] = self.find(a)
            if self.find(i) == self.find(j):
                return event
        return None

    def path(self, i: int) -> list[dict[str, Any]]:
        out = []
        for a, b, event in self.events:
            ra, rb, ri = self.find(a), self.find(b), self.find(i)
            if ri in (ra, rb):
                out.append(event)
            self.parent[rb] = ra
        return out


class StoryView:
    """What explain reads of a cluster folder's story answer: the rows, their placements, the stories'
    histories, the settings and (lazily) the saved rows."""

    def __init__(self, folder: Any):
        self.folder = folder
        self.rows = folder.articles
        self.index = folder.index
        self.settings = folder.story_settings or {}
        self.canonical = [self.index.get(r.get("canonical_id"), k) for k, r in enumerate(self.rows)]
        self._members: dict[tuple[str, int], list[int]] | None = None

    def members(self, key: str, value: int) -> list[int]:
        """The canonical articles whose placement ``key`` is ``value``, in input order."""
        if self._members is None:
            self._members = {}
            for k, r in enumerate(self.rows):
                p = r.get("placement") or {}
                if p.get("step") not in (None, "copy"):
                    for name in ("unit", "part", "identity_part"):
                        self._members.setdefault((name, p[name]), []).append(k)
        return self._members.get((key, value), [])

    def history(self, i: int) -> list[dict[str, Any]]:
        story = (self.folder.stories or {}).get(self.rows[i].get("story_id")) or {}
        return story.get("history") or []

    def unit_events(self, i: int) -> list[dict[str, Any]]:
        unit = self.rows[i]["placement"]["unit"]
        return [e for e in self.history(i)
                if self.index.get(e["parts"][0]) is not None
                and (self.rows[self.index[e["parts"][0]]].get("placement") or {}).get("unit") == unit]

    def replay(self, i: int) -> _Replay:
        return _Replay(self.rows, self.index, self.members("unit", self.rows[i]["placement"]["unit"]),
                       self.unit_events(i))


def _time_gap(view: StoryView, i: int, j: int) -> float | None:
    """The widest gap (days) in the dates of ``i``'s unit between the dates of ``i`` and ``j``."""
    ti, tj = _stamp(view.rows[i]), _stamp(view.rows[j])
    if ti is None or tj is None:
        return None
    lo, hi = min(ti, tj), max(ti, tj)
    p = view.rows[i]["placement"]
    dates = sorted({d for k in view.members("unit", p["unit"])
                    if (view.rows[k]["placement"] or {}).get("let_go") is None
                    and (d := _stamp(view.rows[k])) is not None and lo <= d <= hi and d.tzinfo == lo.tzinfo})
    gaps = [(b - a).total_seconds() / 86400.0 for a, b in zip(dates, dates[1:])]
    return max(gaps) if gaps else None


def _never_merged(view: StoryView, rows: StoryRows | None, i: int, j: int) -> StoryStep:
    pi, pj = view.rows[i]["placement"], view.rows[j]["placement"]
    ua, ub = view.members("unit", pi["unit"]), view.members("unit", pj["unit"])
    s = view.settings
    details: dict[str, Any] = {"units": [pi["unit"], pj["unit"]], "sizes": [len(ua), len(ub)]}
    if rows is None:
        return StoryStep("never merged", False, f"never merged: their units ({len(ua)} and {len(ub)} articles) "
                         "never reached the merge threshold (no story_vectors.npz to measure them)", details)
    cosine = rows.centroid_cosine(ua, ub)
    similarity, short = float(s.get("merge_similarity", 0.3)), float(s.get("short_text_terms", 50))
    length = min(rows.terms(ua), rows.terms(ub))
    threshold = similarity * min(1.0, np.sqrt(max(length, 1.0) / short)) if short > 0 else similarity
    pairing = float(s.get("pair_similarity", 0.05))
    leftover = min(len(ua), len(ub)) == 1 and pairing < threshold and cosine >= pairing
    if leftover:  # a lone article could still have paired with the other unit, at the lower pair threshold
        threshold = pairing
    details.update(cosine=round(cosine, 4), threshold=round(float(threshold), 4))
    text = f"never merged: the centroid cosine of their units ({len(ua)} and {len(ub)} articles) is {cosine:.4f}"
    if leftover:
        text += " (a left-over, which pairs at pair_similarity)"
    if cosine < threshold:
        return StoryStep("never merged", False, f"{text} < threshold {threshold:.4f}", details)
    dates = [d for k in ua + ub if (d := _stamp(view.rows[k])) is not None]
    a_dates = [d for k in ua if (d := _stamp(view.rows[k])) is not None]
    b_dates = [d for k in ub if (d := _stamp(view.rows[k])) is not None]
    gap_limit = s.get("max_gap_days")
    if a_dates and b_dates and gap_limit is not None and len({d.tzinfo is None for d in dates}) == 1:
        gap = max((max(min(a_dates), min(b_dates)) - min(max(a_dates), max(b_dates))).total_seconds() / 86400.0, 0.0)
        details["gap_days"] = round(gap, 2)
        if gap > float(gap_limit):
            return StoryStep("never merged", False, f"{text} >= {threshold:.4f}, but their dates are {gap:.2f} "
                             f"days apart > max_gap_days {float(gap_limit):g}", details)
    both_short = length < short
    why = ("the short-text evidence check (their terms speak for two stories) or the merge's candidate links"
           if both_short and s.get("short_text_evidence") else "the merge's candidate links (neighbor graph)")
    return StoryStep("never merged", False, f"{text} >= {threshold:.4f} now, but {why} kept them apart "
                     "while they were smaller", details)


def pair_step(view: StoryView, rows: StoryRows | None, a: int, b: int) -> StoryStep | None:
    """Which step joined articles ``a`` and ``b`` (input indices) into one story, or kept them apart; None
    when the folder has no ``placement`` fields (a state's output, or an older run)."""
    i, j = view.canonical[a], view.canonical[b]
    if i == j:
        return StoryStep("copy", True, "copies share their canonical article's story", {"canonical": view.rows[i]["id"]})
    pi, pj = view.rows[i].get("placement"), view.rows[j].get("placement")
    if not pi or not pj or pi.get("unit") is None or pj.get("unit") is None:
        return None
    same = view.rows[i].get("story_id") == view.rows[j].get("story_id")
    s = view.settings
    if pi["unit"] == pj["unit"]:
        if same or not (pi["let_go"] is not None or pj["let_go"] is not None or pi["part"] != pj["part"]
                        or pi["identity_part"] != pj["identity_part"]):
            if pi["cluster"] is not None and pi["cluster"] == pj["cluster"]:
                joined = StoryStep("cluster", True, f"HDBSCAN put both in cluster {pi['cluster']}",
                                   {"cluster": pi["cluster"]})
            else:
                event = view.replay(i).joining(i, j)
                if event is None:
                    joined = StoryStep("merge", True, "merged into one unit (the merge history is incomplete)", {})
                else:
                    joined = StoryStep(event["step"], True, _event_words(event), dict(event))
            if same:
                return joined
        if pi["let_go"] is not None or pj["let_go"] is not None:
            k = i if pi["let_go"] is not None else j
            cos = view.rows[k]["placement"]["let_go"]
            return StoryStep("let go", False, f"{view.rows[k]['id']} was let go as a stray: its cosine to the rest of "
                             f"its story {cos:.4f} < member_similarity {s.get('member_similarity')}",
                             {"article": view.rows[k]["id"], "cosine": cos, "threshold": s.get("member_similarity")})
        if pi["part"] != pj["part"]:
            gap = _time_gap(view, i, j)
            words = (f"a gap of {gap:.2f} days in their story's coverage > max_gap_days {s.get('max_gap_days')}"
                     if gap is not None else "one is undated and joined the part whose centroid is closest")
            return StoryStep("time split", False, f"the time split cut them apart: {words}",
                             {"gap_days": None if gap is None else round(gap, 2), "max_gap_days": s.get("max_gap_days")})
        if pi["identity_part"] != pj["identity_part"]:
            return StoryStep("identity split", False, "the identity split cut them apart: no chain of members sharing "
                             f"names, places or ages (identity cosine >= {s.get('identity_split')}) links them",
                             {"identity_split": s.get("identity_split")})
        k = i if pi["step"] == "mixture" else j
        return StoryStep("mixture", False, f"the mixture moved {view.rows[k]['id']} to another story (short texts move "
                         "to the story whose terms explain theirs best)", {"article": view.rows[k]["id"]})
    if same:
        if pi["identity_part"] == pj["identity_part"]:
            return StoryStep("identity", True, "the identity step joined their parts (they share names, places or ages)",
                             {})
        k = i if pi["step"] == "mixture" else j
        return StoryStep("mixture", True, f"the mixture moved {view.rows[k]['id']} into this story (short texts move "
                         "to the story whose terms explain theirs best)", {"article": view.rows[k]["id"]})
    return _never_merged(view, rows, i, j)


def article_steps(view: StoryView, a: int) -> list[StoryStep]:
    """The steps that put article ``a`` in its story, in order (empty without ``placement`` fields)."""
    i = view.canonical[a]
    out: list[StoryStep] = []
    if i != a:
        out.append(StoryStep("copy", True, f"a copy of {view.rows[i]['id']}, in its story; the steps below placed {view.rows[i]['id']}",
                             {"canonical": view.rows[i]["id"]}))
    p = view.rows[i].get("placement")
    if not p or p.get("unit") is None:
        return out
    s = view.settings
    if p["cluster"] is not None:
        size = sum(1 for r in view.rows if (r.get("placement") or {}).get("cluster") == p["cluster"])
        out.append(StoryStep("cluster", True, f"HDBSCAN put it in cluster {p['cluster']} ({size} articles)",
                             {"cluster": p["cluster"], "size": size}))
    else:
        out.append(StoryStep("alone", True, "HDBSCAN left it as noise (a unit of its own)", {}))
    for event in view.replay(i).path(i):
        out.append(StoryStep(event["step"], True, _event_words(event), dict(event)))
    if p["let_go"] is not None:
        out.append(StoryStep("let go", False, f"let go as a stray: cosine {p['let_go']:.4f} to the rest of its story "
                             f"< member_similarity {s.get('member_similarity')}", {"cosine": p["let_go"]}))
    if p["step"] == "time split":
        out.append(StoryStep("time split", False, "the time split cut its part off its unit (a gap in coverage > "
                             f"max_gap_days {s.get('max_gap_days')})", {}))
    if p["step"] == "identity":
        out.append(StoryStep("identity split", False, "the identity steps moved it (its names, places or ages tie "
                             "it to another part)", {}))
    if p["step"] == "mixture":
        out.append(StoryStep("mixture", True, "the mixture moved it into this story (a short text whose terms this "
                             "story explains best)", {}))
    return out
