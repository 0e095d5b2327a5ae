"""The state read back as a run (:class:`storyclust.pipeline.Result`), for the usual report and output files:
the whole state, the stories dated since a day, or what the last run changed."""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from ..pipeline import Prepared, Result
from ..records import Article, DuplicateGroup, ReadResult, Stories, Story
from ..settings import DedupConfig, StoryConfig
from .copies import stored_copies
from .db import StateError, connect, load_meta

__all__ = ["StoryEvent", "read_state", "events"]


@dataclass(frozen=True)
class StoryEvent:
    """One logged change: ``kind`` is story created / extended / merged, article joined, copy found or
    article replaced; ``story``/``other`` are story ids (merged: survivor, absorbed), ``article`` an article id."""

    run_id: int
    kind: str
    story: int | None
    other: int | None
    article: str | None
    detail: str | None


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _since_stamp(since: date | datetime) -> float:
    if not isinstance(since, datetime):
        since = datetime(since.year, since.month, since.day)
    return (since if since.tzinfo else since.replace(tzinfo=timezone.utc)).timestamp()


def _chunks(values: list[int], size: int = 900):
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        yield chunk, ",".join("?" * len(chunk))


def read_state(state_dir: str | Path, *, since: date | datetime | None = None, changed: bool = False) -> Result:
    """The state as a :class:`~storyclust.pipeline.Result` (articles in read order, their groups and stories;
    story ids are the state's stable ids, largest story first). ``since``: only stories with an article dated
    on or after it; ``changed``: only stories the last run created, extended or merged into."""
    folder = Path(state_dir)
    conn = connect(folder, create=False)
    try:
        return _read(conn, folder, since, changed)
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, folder: Path, since, changed: bool) -> Result:
    meta = load_meta(conn)
    if "settings" not in meta:
        raise StateError(f"{folder}: the state is empty; add articles with 'storyclust update {folder} PATH...'")
    settings = meta["settings"]
    dedup_config = DedupConfig(**settings["dedup"])
    story_config = StoryConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in settings["stories"].items()})
    where, args = "s.status != 'merged'", []
    if changed:
        last = conn.execute("SELECT MAX(run_id) FROM runs").fetchone()[0]
        where += " AND s.updated_run = ?"
        args.append(last)
    if since is not None:
        where += " AND s.last_stamp >= ?"
        args.append(_since_stamp(since))
    chosen = [s for (s,) in conn.execute(f"SELECT s.story_id FROM stories s WHERE {where}", args)]
    columns = ("SELECT a.ord, a.id, a.title, a.shown_title, a.text, a.date, a.source, a.url, a.metadata, a.thin, "
               "a.dup_group, COALESCE(g.canonical, a.ord), a.story_id, a.story_probability FROM articles a "
               "LEFT JOIN groups g ON g.group_id = a.dup_group")
    dedup_only = settings.get("dedup_only", False)
    if dedup_only:
        if since is not None or changed:
            raise StateError(f"{folder}: this state finds copies only; --since and --changed select stories")
        rows = conn.execute(columns).fetchall()
    else:
        rows = []
        for chunk, marks in _chunks(chosen):
            rows += conn.execute(f"{columns} WHERE a.story_id IN ({marks})", chunk).fetchall()
    rows.sort()
    index = {r[0]: i for i, r in enumerate(rows)}
    articles = [Article(r[1], r[2], zlib.decompress(r[4]).decode("utf-8", "surrogatepass"), _date(r[5]), r[6], r[7],
                        metadata=json.loads(r[8])) for r in rows]
    titles = [r[3] for r in rows]
    canonical_of = np.array([index.get(r[11], i) for i, r in enumerate(rows)], np.int64)
    group_ids = sorted({r[10] for r in rows if r[10] is not None})
    group_index = {g: k for k, g in enumerate(group_ids)}
    group_of = np.array([-1 if r[10] is None else group_index[r[10]] for r in rows], np.int64)
    members: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        if r[10] is not None:
            members.setdefault(r[10], []).append(i)
    groups = []
    for g in group_ids:
        canon = int(canonical_of[members[g][0]])
        groups.append(DuplicateGroup(group_index[g], canon, (canon, *[m for m in members[g] if m != canon])))

    dedup = stored_copies(conn, [r[0] for r in rows], groups, group_of, canonical_of)

    result = None
    if not dedup_only:
        stories = _stories(conn, chosen, rows, index, canonical_of, articles)
        story_of = np.array([r[12] for r in rows], np.int64)
        probability = np.array([1.0 if r[13] is None else r[13] for r in rows])
        result = Stories(stories, story_of, probability, story_config)
    return Result(ReadResult(articles), Prepared(articles, titles, [a.text for a in articles]), dedup,
                  dedup_config, result, {})


def _stories(conn, chosen, rows, index, canonical_of, articles) -> list[Story]:
    members: dict[int, list[int]] = {}
    copies: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        (members if canonical_of[i] == i else copies).setdefault(r[12], []).append(i)
    out = []
    for chunk, marks in _chunks(chosen):
        for s, terms, headline, first, last, sources, singleton in conn.execute(
                "SELECT story_id, terms, headline, first_date, last_date, sources, singleton FROM stories "
                f"WHERE story_id IN ({marks})", chunk):
            m = members.get(s, [])
            c = copies.get(s, [])
            if not m and not c:
                continue
            out.append(Story(s, tuple(m), tuple(c), index.get(headline, (m or c)[0]), tuple(json.loads(terms)),
                             _date(first), _date(last), tuple(json.loads(sources)), bool(singleton)))
    out.sort(key=lambda st: (-len(st.members), -len(st.copies), st.story_id))
    return out


def events(state_dir: str | Path, run_id: int | None = None) -> list[StoryEvent]:
    """The event log of one run (the last when ``run_id`` is None), in the order it was written."""
    conn = connect(Path(state_dir), create=False)
    try:
        if run_id is None:
            run_id = conn.execute("SELECT MAX(run_id) FROM runs").fetchone()[0]
        return [StoryEvent(*row) for row in conn.execute(
            "SELECT e.run_id, e.kind, e.story_id, e.other, a.id, e.detail FROM events e "
            "LEFT JOIN articles a ON a.ord = e.article WHERE e.run_id = ? ORDER BY e.event_id", (run_id,))]
    finally:
        conn.close()
