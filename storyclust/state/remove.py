"""Taking an article out of the state, for ``replace``: its set, band keys and copy links go when no other
article shares its set, its duplicate component is recomputed from the stored copy links, and its story loses
it (the new version is then added like any new article)."""

from __future__ import annotations

import sqlite3

import numpy as np

from ..dedup.minhash import minhash
from ..dedup.shingles import Shingles
from ..settings import DedupConfig
from .copies import band_keys
from .db import load_meta

__all__ = ["remove_article"]


def _components(conn: sqlite3.Connection, sets: list[int]) -> list[list[int]]:
    """Connected components of ``sets`` under the stored copy links."""
    left = set(sets)
    out = []
    while left:
        start = min(left)
        seen, todo = {start}, [start]
        while todo:
            s = todo.pop()
            for (t,) in conn.execute("SELECT b FROM set_pairs WHERE a = ? UNION SELECT a FROM set_pairs WHERE b = ?",
                                     (s, s)):
                if t in left and t not in seen:
                    seen.add(t)
                    todo.append(t)
        left -= seen
        out.append(sorted(seen))
    return out


def remove_article(conn: sqlite3.Connection, article_id: str, run_id: int) -> None:
    """Remove ``article_id`` (logging ``article replaced``), keeping groups and story records consistent."""
    from .storyline import write_stories
    from .update import regroup

    ord_, set_id, story = conn.execute(
        "SELECT ord, set_id, story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
    conn.execute("DELETE FROM articles WHERE ord = ?", (ord_,))
    components: set[int] = set()
    if set_id is not None:
        component, size, blob = conn.execute(
            "SELECT component, size, hashes FROM sets WHERE set_id = ?", (set_id,)).fetchone()
        alone = conn.execute("SELECT COUNT(*) FROM articles WHERE set_id = ?", (set_id,)).fetchone()[0] == 0
        if alone:
            config = DedupConfig(**load_meta(conn)["settings"]["dedup"])
            hashes = np.frombuffer(blob, np.uint64)
            sig = minhash(Shingles(hashes, np.array([0, len(hashes)], np.int64)), num_perm=config.num_perm,
                          seed=config.seed)
            keys = band_keys(sig, *config.bands_rows)[0].view(np.int64).tolist()
            conn.executemany("DELETE FROM band_keys WHERE band = ? AND key = ? AND set_id = ?",
                             ((b, k, set_id) for b, k in enumerate(keys)))
            conn.execute("DELETE FROM set_pairs WHERE a = ? OR b = ?", (set_id, set_id))
            conn.execute("DELETE FROM sets WHERE set_id = ?", (set_id,))
        rest = [s for (s,) in conn.execute("SELECT set_id FROM sets WHERE component = ?", (component,))]
        conn.execute("DELETE FROM groups WHERE group_id = ?", (component,))
        for part in _components(conn, rest):
            conn.executemany("UPDATE sets SET component = ? WHERE set_id = ?", ((part[0], s) for s in part))
            components.add(part[0])
        regroup(conn, components, run_id)
    if story is not None:
        write_stories(conn, run_id, [story], {})
    conn.execute("INSERT INTO events (run_id, kind, story_id, other, article, detail) VALUES (?, ?, ?, ?, ?, ?)",
                 (run_id, "article replaced", story, None, ord_, article_id))
