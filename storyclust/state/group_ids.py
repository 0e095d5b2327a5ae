"""Duplicate groups that keep their ids while the state grows, and the events of their changes.

A run's groups (:mod:`storyclust.state.copies`) are compared with the stored ones. Each stored group id, in
ascending order, goes to the new group holding its canonical article, or when that one already has an id (or
the canonical left the state), to the new group holding most of its members (ties: the one whose first member
was read first); groups left without an id take fresh ones from a counter (``meta.next_group``), so an id is
never reused. Logged per run:

    copy found     an article (new, or stored with another canonical before) is a copy of ``other`` (its
                   canonical article); detail: the group id
    copy lost      a stored article that was a copy is no longer one (it is unique or its group's canonical);
                   ``other``: its former canonical; detail: the former group id
    groups merged  a stored group's members all joined another group; detail: {"group", "absorbed"}
    group split    a stored group's members are now in two or more groups or unique; detail: {"group",
                   "into": the group ids they are in, "unique": how many are unique}
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict

from .db import load_meta, put_meta

__all__ = ["apply_groups", "assign_ids"]


def assign_ids(groups: list[tuple[int, list[int]]], old_group: dict[int, int], old_canonical: dict[int, int],
               next_id: int) -> tuple[list[int], int]:
    """Ids for ``groups`` (canonical, members) from the stored ``old_group`` (article -> group id) and
    ``old_canonical`` (group id -> canonical article), by the rule of the module docstring; returns them and
    the next fresh id."""
    where = {o: k for k, (_, members) in enumerate(groups) for o in members}
    ids: list[int | None] = [None] * len(groups)
    members_of: dict[int, list[int]] = defaultdict(list)
    for o, g in old_group.items():
        members_of[g].append(o)
    for g in sorted(members_of):
        k = where.get(old_canonical.get(g, -1))
        if k is None or ids[k] is not None:
            counts = Counter(where[o] for o in members_of[g] if o in where and ids[where[o]] is None)
            if not counts:
                continue
            k = min(counts, key=lambda q: (-counts[q], groups[q][1][0]))
        ids[k] = g
        next_id = max(next_id, g + 1)
    out = []
    for g in ids:
        if g is None:
            g, next_id = next_id, next_id + 1
        out.append(g)
    return out, next_id


def apply_groups(conn: sqlite3.Connection, run_id: int, groups: list[tuple[int, list[int]]],
                 old_group: dict[int, int], new: set[int]) -> tuple[int, set[int]]:
    """Store ``groups`` (canonical ord, member ords) as the state's duplicate groups in place of the stored
    ones (``old_group``: stored article -> group id), log the changes (``new``: this run's ords), and return
    how many new articles are copies and the groups whose stored articles changed canonical."""
    old_rows = {g: (c, size, r) for g, c, size, r in conn.execute("SELECT group_id, canonical, size, run_id FROM groups")}
    old_canonical = {g: row[0] for g, row in old_rows.items()}
    meta = load_meta(conn)
    start = max(int(meta.get("next_group", 0)), max(old_rows, default=-1) + 1)
    ids, next_id = assign_ids(groups, old_group, old_canonical, start)
    put_meta(conn, "next_group", next_id)

    canonical_now = {o: canon for canon, members in groups for o in members}
    group_now = {o: ids[k] for k, (_, members) in enumerate(groups) for o in members}
    before = {o: old_canonical[g] for o, g in old_group.items() if g in old_canonical}
    events: list[tuple] = []
    relinked: set[int] = set()
    found = 0
    for k, (canon, members) in enumerate(groups):
        for o in members:
            if o not in new and before.get(o, o) != canon:
                relinked.add(ids[k])
            if o != canon and (o in new or before.get(o) != canon):
                events.append((run_id, "copy found", None, canon, o, json.dumps(ids[k])))
                found += o in new
    for o, g in sorted(old_group.items()):
        was = before.get(o, o)
        if was != o and canonical_now.get(o, o) == o:
            events.append((run_id, "copy lost", None, was, o, json.dumps(g)))
    members_of: dict[int, list[int]] = defaultdict(list)
    for o, g in old_group.items():
        members_of[g].append(o)
    kept = set(ids)
    for g in sorted(members_of):
        into = sorted({group_now[o] for o in members_of[g] if o in group_now})
        unique = sum(1 for o in members_of[g] if o not in group_now)
        if len(into) + unique >= 2:
            events.append((run_id, "group split", None, None, None,
                           json.dumps({"group": g, "into": into, "unique": unique})))
        elif g not in kept and len(into) == 1:
            events.append((run_id, "groups merged", None, None, None, json.dumps({"group": into[0], "absorbed": g})))

    # Groups and articles rewritten where they changed.
    same_members = {g: sorted(m) for g, m in members_of.items()}
    conn.execute("DELETE FROM groups")
    conn.executemany("INSERT INTO groups VALUES (?, ?, ?, ?)", (
        (g, canon, len(members),
         old_rows[g][2] if g in old_rows and old_rows[g][0] == canon and same_members.get(g) == sorted(members)
         else run_id)
        for g, (canon, members) in zip(ids, groups)))
    moved = [(group_now.get(o), o) for o in set(old_group) | set(group_now) if old_group.get(o) != group_now.get(o)]
    conn.executemany("UPDATE articles SET dup_group = ? WHERE ord = ?", sorted(moved, key=lambda x: x[1]))
    conn.executemany("INSERT INTO events (run_id, kind, story_id, other, article, detail) VALUES (?, ?, ?, ?, ?, ?)",
                     events)
    return found, relinked
