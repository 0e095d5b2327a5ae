"""A batch's stories: new articles join running stories or open new ones; ids last.

The story stage (:mod:`storyclust.stories`: vectorize, then :func:`storyclust.stories.cluster_points`) is run
again on the *active window*: every unique article of the state that could share a story with the batch, i.e.
dated within ``max_gap_days`` of the batch's dated articles (stories never bridge a longer gap), plus undated
articles (which no gap excludes); with ``max_gap_days=None`` or an undated batch, every unique article. The
window's clusters are then read against the stories already in the state:

- articles already in the state keep their story: a later run never moves one, except by a merge;
- a cluster's new articles join the story that holds most of the cluster's old articles (ties: the oldest id);
  a cluster without old articles opens a new story (ids come from a counter and are never reused);
- two stories merge (the older id survives, the other is kept with status ``merged``) when a new copy links
  their duplicate groups (with :data:`MERGE_SHARE` set, also when the window puts most of each one's window
  articles into one cluster);
- a copy always has its canonical article's story.

Re-clustering the window rather than matching new articles to stored centroids keeps one algorithm for one-shot
and incremental runs: the clusters a batch joins are the ones the one-shot stage would find over the same
articles. Every change is logged in ``events``.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from ..settings import StoryConfig
from ..stories import cluster_points
from ..stories.features import identity_features
from ..stories.identity import identity_block
from ..stories.label import central_members, class_tfidf, top_terms
from ..stories.timeline import seconds
from ..stories.vectorize import lsa_dimensions, story_documents, vectorize
from ..dedup.template import Template
from .copies import stored_template
from .db import checkpoint
from . import placement
from .placement import match_clusters

__all__ = ["MERGE_SHARE", "StoryChanges", "add_stories", "canonical_ords", "mark_dormant", "write_stories"]

# With a share, two stories also merge when one window cluster holds more than that share of each one's window
# articles. None (the default): only copies merge stories. Merges cannot be undone, so over many runs they add
# up (what that cost is in benchmarks/RESULTS.md, "Incremental runs").
MERGE_SHARE: float | None = None


@dataclass
class StoryChanges:
    """Counts of what a run did to the stories, and the ids it created, extended and merged away."""

    created: set[int] = field(default_factory=set)
    extended: set[int] = field(default_factory=set)
    merged: dict[int, int] = field(default_factory=dict)  # absorbed id -> surviving id
    moved: dict[int, int] = field(default_factory=dict)  # story -> articles moved out of it
    window: int = 0


def canonical_ords(conn: sqlite3.Connection, ords: list[int]) -> dict[int, int]:
    """Each article's canonical article (itself when unique or canonical)."""
    out = {}
    for start in range(0, len(ords), 900):
        chunk = ords[start : start + 900]
        out.update(conn.execute(
            "SELECT a.ord, COALESCE(g.canonical, a.ord) FROM articles a LEFT JOIN groups g "
            f"ON g.group_id = a.dup_group WHERE a.ord IN ({','.join('?' * len(chunk))})", chunk))
    return out


class _Ids:
    """Story ids resolved through merges, and the next fresh id."""

    def __init__(self, conn: sqlite3.Connection):
        self.next = conn.execute("SELECT COALESCE(MAX(story_id), -1) + 1 FROM stories").fetchone()[0]
        self.into: dict[int, int] = {}

    def find(self, s: int) -> int:
        while s in self.into:
            s = self.into[s]
        return s

    def merge(self, a: int, b: int) -> int:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.into[max(a, b)] = min(a, b)
        return min(a, b)

    def fresh(self) -> int:
        self.next += 1
        return self.next - 1


def _window(conn: sqlite3.Connection, new: list[int], config: StoryConfig) -> list[tuple]:
    """The unique articles of the active window: ``(ord, shown_title, text, stamp, story_id, source, dup_group,
    run_id, thin)`` in read order."""
    unique = ("SELECT a.ord, a.shown_title, a.text, a.stamp, a.story_id, a.source, a.dup_group, a.run_id, a.thin "
              "FROM articles a LEFT JOIN groups g ON g.group_id = a.dup_group "
              "WHERE (g.canonical IS NULL OR g.canonical = a.ord)")
    marks = ",".join("?" * len(new))
    lo, hi, undated = conn.execute(
        f"SELECT MIN(stamp), MAX(stamp), SUM(stamp IS NULL) FROM articles WHERE ord IN ({marks})", new).fetchone()
    if config.max_gap_days is None or undated or lo is None:
        return conn.execute(unique + " ORDER BY a.ord").fetchall()
    gap = seconds(config.max_gap_days)
    return conn.execute(unique + " AND (a.stamp IS NULL OR a.stamp BETWEEN ? AND ?) ORDER BY a.ord",
                        (lo - gap, hi + gap)).fetchall()


def _cluster(rows: list[tuple], config: StoryConfig, template: Template):
    """The story stage (:func:`storyclust.stories.find_stories`' steps) on the window's rows: labels,
    probabilities and the representation (for the labels of the stories). As in the one-shot run, the texts
    lose the ``template`` lines the duplicate stage learned, and a thin page counts by its title alone."""
    titles = [r[1] for r in rows]
    texts = template.strip_all([zlib.decompress(r[2]).decode("utf-8") for r in rows])
    texts = ["" if r[8] else t for r, t in zip(rows, texts)]
    sources = [r[5] for r in rows]
    when = np.array([np.nan if r[3] is None else r[3] for r in rows], np.float64)
    story_config = config if config.svd_components is not None else replace(
        config, svd_components=lsa_dimensions(len(rows)))
    identity = None
    if (config.identity_weight > 0 or config.identity_split is not None or config.identity_rejoin is not None
            or config.names > 0):
        identity = identity_block(identity_features(titles, texts, lead=config.identity_lead), when, sources,
                                  burst_days=config.identity_burst_days)
    rep = vectorize(story_documents(titles, texts, story_config.title_weight), max_features=config.max_features,
                    min_df=config.min_df, max_df=config.max_df, ngram_range=config.ngram_range,
                    components=story_config.svd_components, random_state=config.random_state,
                    svd_sample=config.svd_sample, identity=identity, identity_weight=config.identity_weight,
                    sources=sources if config.source_terms is not None else None, source_share=config.source_terms)
    labels, probability, _ = cluster_points(
        rep.points, rep.tfidf, when, story_config, residual=rep.residual, identity=identity,
        topic_terms=None if rep.topic_columns is None else np.diff(rep.topic.indptr))
    return labels, probability, rep


def _in(column: str, values) -> tuple[str, list]:
    values = sorted(values)
    return f"{column} IN ({','.join('?' * len(values))})", values


def add_stories(conn: sqlite3.Connection, run_id: int, new: list[int], config: StoryConfig,
                relinked: set[int] | frozenset[int] = frozenset()) -> StoryChanges:
    """Give every new article (``new``: ords) a story, merging, creating and moving stories as the window says.
    ``relinked``: duplicate groups whose stored articles changed canonical this run (their stories merge, as
    when a new copy links them)."""
    changes = StoryChanges()
    ids = _Ids(conn)
    new_set = set(new)
    events: list[tuple] = []

    # Copies first: a group's stories merge when a new copy (or a changed canonical) links them.
    where, args = _in("ord", new)
    groups = {g for (g,) in conn.execute(f"SELECT DISTINCT dup_group FROM articles WHERE dup_group IS NOT NULL "
                                         f"AND {where}", args)} | set(relinked)
    why: dict[int, str] = {}
    for g in sorted(groups):
        olds = sorted({s for (s,) in conn.execute(
            "SELECT DISTINCT story_id FROM articles WHERE dup_group = ? AND story_id IS NOT NULL", (g,))})
        survivor = olds[0] if olds else None
        for other in olds[1:]:
            survivor = ids.merge(survivor, other)
            why[other] = "copies"
    # Each group's earliest run and story among its stored articles (its copies go where its canonical goes).
    group_old = {g: (first, story) for g, first, story in conn.execute(
        "SELECT dup_group, MIN(run_id), MAX(story_id) FROM articles WHERE dup_group IS NOT NULL AND run_id < ? "
        "AND story_id IS NOT NULL GROUP BY dup_group", (run_id,))}
    checkpoint("stories-copies")

    rows = _window(conn, new, config)
    changes.window = len(rows)
    ords = [r[0] for r in rows]
    labels, probability, rep = _cluster(rows, config, stored_template(conn))
    checkpoint("stories-cluster")

    # Each window row's story now (its own, or its group's) and whether it is settled.
    windows = {r: json.loads(c).get("window", 0) for r, c in conn.execute("SELECT run_id, counts FROM runs")}
    settled_in = placement.settled_runs({**windows, run_id: len(rows)}, run_id)
    current: list[int | None] = []
    settled: list[bool] = []
    for r in rows:
        story, first = r[4], r[7]
        if r[6] in group_old:
            first, story = min(first, group_old[r[6]][0]), story if story is not None else group_old[r[6]][1]
        current.append(None if story is None else ids.find(story))
        settled.append(story is not None and first in settled_in)
    labels_list = labels.tolist()
    if MERGE_SHARE is not None:  # stories with most of their window articles in one cluster merge
        old_in: dict[int, Counter] = {}
        for label, s in zip(labels_list, current):
            if s is not None:
                old_in.setdefault(label, Counter())[s] += 1
        window_size = Counter(s for s in current if s is not None)
        for label in sorted(old_in):
            homes = sorted(s for s, c in old_in[label].items() if c > MERGE_SHARE * window_size[s])
            for other in homes[1:]:
                ids.merge(homes[0], other)
                why.setdefault(other, "window")
        current = [None if s is None else ids.find(s) for s in current]
    story_of_cluster = match_clusters(labels_list, current, settled)
    for c in sorted(c for c, s in story_of_cluster.items() if s is None):
        story_of_cluster[c] = ids.fresh()
        changes.created.add(story_of_cluster[c])
    final_row = [s if keep else story_of_cluster[c] for c, s, keep in zip(labels_list, current, settled)]
    checkpoint("stories-map")

    # Write: merges first, then the moves of provisional articles (with their copies), then the new articles.
    for absorbed in sorted(ids.into):
        survivor = ids.find(absorbed)
        if absorbed in changes.created:
            continue
        changes.merged[absorbed] = survivor
        conn.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (survivor, absorbed))
        conn.execute("UPDATE stories SET status = 'merged', merged_into = ?, updated_run = ? WHERE story_id = ?",
                     (survivor, run_id, absorbed))
        conn.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?", (survivor, absorbed))
        events.append((run_id, "story merged", survivor, absorbed, None, why.get(absorbed)))
    moved_from: dict[int, Counter] = {}
    for row, r in enumerate(rows):
        was, now = current[row], final_row[row]
        if was is None or was == now:
            continue
        unit = [o for (o,) in conn.execute("SELECT ord FROM articles WHERE (ord = ? OR dup_group = ?) AND "
                                           "run_id < ? ORDER BY ord", (r[0], r[6], run_id))]
        conn.executemany("UPDATE articles SET story_id = ? WHERE ord = ?", ((now, o) for o in unit))
        conn.execute("UPDATE articles SET story_probability = ? WHERE ord = ?", (float(probability[row]), r[0]))
        events.extend((run_id, "article moved", now, was, o, None) for o in unit)
        moved_from.setdefault(now, Counter())[was] += len(unit)
        changes.moved[was] = changes.moved.get(was, 0) + len(unit)
    assigned: dict[int, tuple[int, float]] = {}  # new article -> (story, probability)
    for row, o in enumerate(ords):
        if o in new_set:
            assigned[o] = (final_row[row], float(probability[row]))
    canonical_story = {r[6]: final_row[row] for row, r in enumerate(rows) if r[6] is not None}
    for o in new:  # new copies: their canonical's story (stored, when the canonical is not in the window)
        if o in assigned:
            continue
        g = _group_of(conn, o)
        story = canonical_story.get(g)
        if story is None and g in group_old:
            story = ids.find(group_old[g][1])
        if story is None:  # cannot happen: a copy's canonical is old (its group has a story) or in the window
            story = ids.fresh()
            changes.created.add(story)
        assigned[o] = (story, 1.0)
    conn.executemany("UPDATE articles SET story_id = ?, story_probability = ? WHERE ord = ?",
                     ((s, p, o) for o, (s, p) in assigned.items()))
    created = changes.created
    for o, (s, _) in sorted(assigned.items()):
        if s not in created:
            changes.extended.add(s)
            events.append((run_id, "article joined", s, None, o, None))
    for s in sorted(created):
        members = sorted(o for o, (t, _) in assigned.items() if t == s)
        if s in moved_from:
            events.append((run_id, "story split", s, min(moved_from[s], key=lambda t: (-moved_from[s][t], t)), None,
                           json.dumps(dict(sorted(moved_from[s].items())))))
        first = members[0] if members else None
        events.append((run_id, "story created", s, None, first,
                       json.dumps(len(members) + sum(moved_from.get(s, Counter()).values()))))
    changes.extended |= {s for s in moved_from if s not in created}
    for s in sorted(changes.extended):
        events.append((run_id, "story extended", s, None, None,
                       json.dumps(sum(1 for t, _ in assigned.values() if t == s))))
    conn.executemany("INSERT INTO events (run_id, kind, story_id, other, article, detail) VALUES (?, ?, ?, ?, ?, ?)",
                     events)
    checkpoint("stories-write")

    # Labels of the stories this run touched, from the window's TF-IDF rows.
    touched = sorted(created | changes.extended | set(changes.merged.values()) | set(changes.moved))
    story_of_row = np.array(final_row, np.int64)
    index = {s: i for i, s in enumerate(sorted(set(story_of_row.tolist())))}
    local = np.array([index[s] for s in story_of_row.tolist()], np.int64)
    terms = top_terms(class_tfidf(rep.topic, local, len(index)), rep.names, config.terms) if len(rows) else []
    central = central_members(rep.points, local, len(index)) if len(rows) else []
    write_stories(conn, run_id, touched, {s: (terms[i], ords[central[i]]) for s, i in index.items()})
    return changes


def _group_of(conn: sqlite3.Connection, o: int) -> int | None:
    return conn.execute("SELECT dup_group FROM articles WHERE ord = ?", (o,)).fetchone()[0]


def write_stories(conn: sqlite3.Connection, run_id: int, touched: list[int],
                   labels: dict[int, tuple[list[str], int]]) -> None:
    """Recompute the stored record of each touched story from its articles."""
    for s in touched:
        rows = conn.execute(
            "SELECT a.ord, a.date, a.stamp, a.source, COALESCE(g.canonical, a.ord) = a.ord FROM articles a "
            "LEFT JOIN groups g ON g.group_id = a.dup_group WHERE a.story_id = ? ORDER BY a.ord", (s,)).fetchall()
        unique = sum(r[4] for r in rows)
        dated = [r for r in rows if r[2] is not None]
        first = min(dated, key=lambda r: r[2]) if dated else None
        last = max(dated, key=lambda r: r[2]) if dated else None
        outlets = Counter(r[3] for r in rows if r[3])
        sources = [name for name, _ in sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))]
        exists = conn.execute("SELECT created_run, terms, headline FROM stories WHERE story_id = ?", (s,)).fetchone()
        if s in labels:
            terms, headline = labels[s]
        else:  # no article of the story in the window: its label stays, its headline if still a member
            terms = json.loads(exists[1]) if exists else []
            members = {r[0] for r in rows}
            headline = exists[2] if exists and exists[2] in members else (rows[0][0] if rows else None)
        conn.execute(
            "INSERT OR REPLACE INTO stories VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (s, "active" if rows else "emptied", unique, len(rows) - unique, json.dumps(list(terms)), headline,
             first[1] if first else None, last[1] if last else None, first[2] if first else None,
             last[2] if last else None, json.dumps(sources), int(unique == 1 and len(rows) == 1),
             exists[0] if exists else run_id, run_id))


def mark_dormant(conn: sqlite3.Connection, config: StoryConfig) -> None:
    """Active stories whose last article is more than ``max_gap_days`` before the state's latest date can no
    longer be extended: they become dormant (and a dormant story that a backfilled batch reaches, active)."""
    if config.max_gap_days is None:
        return
    latest = conn.execute("SELECT MAX(stamp) FROM articles").fetchone()[0]
    if latest is None:
        return
    limit = latest - seconds(config.max_gap_days)
    conn.execute("UPDATE stories SET status = 'dormant' WHERE status = 'active' AND last_stamp < ?", (limit,))
    conn.execute("UPDATE stories SET status = 'active' WHERE status = 'dormant' AND last_stamp >= ?", (limit,))
