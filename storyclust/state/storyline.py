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
from .db import checkpoint

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
    """The unique articles of the active window: ``(ord, shown_title, text, stamp, story_id, source)`` in read
    order."""
    unique = ("SELECT a.ord, a.shown_title, a.text, a.stamp, a.story_id, a.source FROM articles a LEFT JOIN groups g "
              "ON g.group_id = a.dup_group WHERE (g.canonical IS NULL OR g.canonical = a.ord)")
    marks = ",".join("?" * len(new))
    lo, hi, undated = conn.execute(
        f"SELECT MIN(stamp), MAX(stamp), SUM(stamp IS NULL) FROM articles WHERE ord IN ({marks})", new).fetchone()
    if config.max_gap_days is None or undated or lo is None:
        return conn.execute(unique + " ORDER BY a.ord").fetchall()
    gap = seconds(config.max_gap_days)
    return conn.execute(unique + " AND (a.stamp IS NULL OR a.stamp BETWEEN ? AND ?) ORDER BY a.ord",
                        (lo - gap, hi + gap)).fetchall()


def add_stories(conn: sqlite3.Connection, run_id: int, new: list[int], config: StoryConfig) -> StoryChanges:
    """Give every new article (``new``: ords) a story, merging and creating stories as the window says."""
    changes = StoryChanges()
    ids = _Ids(conn)
    new_set = set(new)
    events: list[tuple] = []
    assigned: dict[int, tuple[int, float]] = {}  # new article -> (story, probability)

    # Copies first: a new article in a group that already has a story takes it; groups linked by a new copy
    # merge their stories.
    groups = {g for (g,) in conn.execute(
        f"SELECT DISTINCT dup_group FROM articles WHERE dup_group IS NOT NULL AND ord IN ({','.join('?' * len(new))})",
        new)}
    group_story: dict[int, int] = {}
    why: dict[int, str] = {}
    for g in sorted(groups):
        olds = sorted({s for (s,) in conn.execute(
            "SELECT DISTINCT story_id FROM articles WHERE dup_group = ? AND story_id IS NOT NULL", (g,))})
        if olds:
            survivor = olds[0]
            for other in olds[1:]:
                survivor = ids.merge(survivor, other)
                why[other] = "copies"
            group_story[g] = survivor
    checkpoint("stories-copies")

    rows = _window(conn, new, config)
    changes.window = len(rows)
    ords = [r[0] for r in rows]
    titles = [r[1] for r in rows]
    texts = [zlib.decompress(r[2]).decode("utf-8") for r in rows]
    when = np.array([np.nan if r[3] is None else r[3] for r in rows], np.float64)
    old_story = [r[4] for r in rows]
    story_config = config if config.svd_components is not None else replace(
        config, svd_components=lsa_dimensions(len(rows)))
    identity = None  # the steps of storyclust.stories.find_stories, on the window's rows
    if config.identity_weight > 0 or config.identity_split is not None or config.names > 0:
        sources = [r[5] for r in rows]
        identity = identity_block(identity_features(titles, texts, lead=config.identity_lead), when, sources,
                                  burst_days=config.identity_burst_days)
    rep = vectorize(story_documents(titles, texts, story_config.title_weight), max_features=config.max_features,
                    min_df=config.min_df, max_df=config.max_df, ngram_range=config.ngram_range,
                    components=story_config.svd_components, random_state=config.random_state,
                    svd_sample=config.svd_sample, identity=identity, identity_weight=config.identity_weight)
    labels, probability, _ = cluster_points(
        rep.points, rep.tfidf, when, story_config, residual=rep.residual, identity=identity,
        topic_terms=None if rep.topic_columns is None else np.diff(rep.topic.indptr))
    checkpoint("stories-cluster")

    # Map the window's clusters to stories.
    k = int(labels.max()) + 1 if len(labels) else 0
    old_in: list[Counter] = [Counter() for _ in range(k)]
    window_size: Counter = Counter()
    for row, label in enumerate(labels.tolist()):
        if old_story[row] is not None:
            s = ids.find(old_story[row])
            old_in[label][s] += 1
            window_size[s] += 1
    for label in range(k if MERGE_SHARE is not None else 0):  # stories with most of their window articles here
        homes = sorted(s for s, c in old_in[label].items() if c > MERGE_SHARE * window_size[s])
        for other in homes[1:]:
            ids.merge(homes[0], other)
            why.setdefault(other, "window")
    for row, label in enumerate(labels.tolist()):
        o = ords[row]
        if o not in new_set:
            continue
        g = _group_of(conn, o)
        if g is not None and g in group_story:
            assigned[o] = (group_story[g], float(probability[row]))
            continue
        counts = Counter()
        for s, c in old_in[label].items():
            counts[ids.find(s)] += c
        if counts:
            story = min(counts, key=lambda s: (-counts[s], s))
        else:
            story = ids.fresh()
            changes.created.add(story)
            old_in[label][story] = 0  # later new articles of this cluster join it
        assigned[o] = (story, float(probability[row]))
        if g is not None:
            group_story[g] = story
    # New copies whose canonical is not in the window's rows (an old canonical): its group's story.
    for o in new:
        if o in assigned:
            continue
        g = _group_of(conn, o)
        story = group_story.get(g) if g is not None else None
        if story is None:  # cannot happen: a copy's canonical is old (its group has a story) or in the window
            story = ids.fresh()
            changes.created.add(story)
        assigned[o] = (story, 1.0)
    checkpoint("stories-map")

    # Write: merges first, then the new articles.
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
    final = {o: (ids.find(s), p) for o, (s, p) in assigned.items()}
    conn.executemany("UPDATE articles SET story_id = ?, story_probability = ? WHERE ord = ?",
                     ((s, p, o) for o, (s, p) in final.items()))
    created = {ids.find(s) for s in changes.created}
    changes.created = created
    for o, (s, _) in sorted(final.items()):
        if s not in created:
            changes.extended.add(s)
            events.append((run_id, "article joined", s, None, o, None))
    for s in sorted(created):
        members = sorted(o for o, (t, _) in final.items() if t == s)
        events.append((run_id, "story created", s, None, members[0] if members else None, json.dumps(len(members))))
    for s in sorted(changes.extended):
        events.append((run_id, "story extended", s, None, None,
                       json.dumps(sum(1 for t, _ in final.values() if t == s))))
    conn.executemany("INSERT INTO events (run_id, kind, story_id, other, article, detail) VALUES (?, ?, ?, ?, ?, ?)",
                     events)
    checkpoint("stories-write")

    # Labels of the stories this run touched, from the window's TF-IDF rows.
    touched = sorted(created | changes.extended | set(changes.merged.values()))
    story_of_row = np.array([ids.find(old_story[r]) if old_story[r] is not None else final[ords[r]][0]
                             for r in range(len(rows))], np.int64)
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
            "INSERT OR REPLACE INTO stories VALUES (?, 'active', NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (s, unique, len(rows) - unique, json.dumps(list(terms)), headline,
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
