"""The state folder: one SQLite database (standard library, WAL mode), its lock, and its settings.

``STATE/state.sqlite`` holds every table (below); nothing lives outside it, so one transaction per run covers
all of a run's writes: a run killed at any point leaves the database as it was before the run began (SQLite
discards the uncommitted frames of its write-ahead log when the database is next opened). ``STATE/lock`` is
held (``flock``) for the whole run, so a second run on the same state is refused at once with
:class:`StateBusy` rather than waiting on SQLite's write lock.

Tables:

    meta       key/value: format version, the DedupConfig, StoryConfig and boilerplate fingerprint of the state,
               the next duplicate group id, the last run's candidate and empty-article counts
    runs       one row per committed run: when, inputs, counts
    articles   id, date, stamp, source, title, content hash, cleaned text (zlib), length, thin flag,
               similarity to its canonical article, duplicate group, story id and probability, run id; ``ord``
               is the order read across runs
    copy_pairs the verified copy pairs (ords) with their exact and content scores and evidence
    template_lines  the template lines learned over the whole state (64-bit line hashes)
    groups     duplicate groups (two or more articles), their canonical article, the run that last changed them
    stories    stable id, status (active, dormant, merged), merged_into, terms, headline, first and last date,
               outlets, sizes, the runs that created and last changed it
    events     per run: story created, extended, merged, article joined, article replaced; copy found, copy
               lost, groups merged, group split (:mod:`storyclust.state.group_ids`)
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from ..settings import DedupConfig, StoryConfig

__all__ = ["StateError", "StateBusy", "FORMAT", "FAULT_ENV", "checkpoint", "connect", "Lock", "check_settings",
           "settings_of"]

FORMAT = 2
FAULT_ENV = "STORYCLUST_STATE_FAULT"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, started TEXT NOT NULL, inputs TEXT NOT NULL, counts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, date TEXT, stamp REAL, source TEXT, url TEXT,
    title TEXT NOT NULL, shown_title TEXT NOT NULL, content_hash TEXT NOT NULL, text BLOB NOT NULL,
    length INTEGER NOT NULL, thin INTEGER NOT NULL, sim_jaccard REAL, sim_containment REAL, dup_group INTEGER,
    story_id INTEGER, story_probability REAL, run_id INTEGER NOT NULL, metadata TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS articles_stamp ON articles (stamp);
CREATE INDEX IF NOT EXISTS articles_group ON articles (dup_group);
CREATE INDEX IF NOT EXISTS articles_story ON articles (story_id);
CREATE INDEX IF NOT EXISTS articles_run ON articles (run_id);
CREATE TABLE IF NOT EXISTS copy_pairs (
    a INTEGER NOT NULL, b INTEGER NOT NULL, jaccard REAL NOT NULL, containment REAL NOT NULL,
    content_jaccard REAL NOT NULL, content_containment REAL NOT NULL, shared INTEGER NOT NULL,
    token_agreement REAL NOT NULL, only_a INTEGER NOT NULL, only_b INTEGER NOT NULL, headline REAL NOT NULL,
    thin_exact INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS copy_pairs_b ON copy_pairs (b);
CREATE TABLE IF NOT EXISTS template_lines (hash INTEGER PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS groups (
    group_id INTEGER PRIMARY KEY, canonical INTEGER NOT NULL, size INTEGER NOT NULL, run_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    story_id INTEGER PRIMARY KEY, status TEXT NOT NULL, merged_into INTEGER, size INTEGER NOT NULL,
    copies INTEGER NOT NULL, terms TEXT NOT NULL, headline INTEGER, first_date TEXT, last_date TEXT,
    first_stamp REAL, last_stamp REAL, sources TEXT NOT NULL, singleton INTEGER NOT NULL,
    created_run INTEGER NOT NULL, updated_run INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS stories_updated ON stories (updated_run);
CREATE TABLE IF NOT EXISTS events (
    event_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, kind TEXT NOT NULL, story_id INTEGER,
    other INTEGER, article INTEGER, detail TEXT);
CREATE INDEX IF NOT EXISTS events_run ON events (run_id);
"""


class StateError(ValueError):
    """A state folder that cannot be used as asked. ``str(err)`` is ``"<state folder>: <problem>; <fix>"``."""


class StateBusy(StateError):
    """Another run holds the state's lock."""


def checkpoint(step: str) -> None:
    """A named step of a run. When the environment variable ``STORYCLUST_STATE_FAULT`` names this step, the
    process kills itself here (SIGKILL, no cleanup): the crash-safety tests and benchmark use it to stop a
    run at chosen points."""
    if os.environ.get(FAULT_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


class Lock:
    """An exclusive, non-blocking ``flock`` on ``STATE/lock`` for the length of a run."""

    def __init__(self, folder: Path):
        self.path = folder / "lock"
        self.handle: Any = None

    def __enter__(self) -> "Lock":
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "unknown"
            self.handle.close()
            raise StateBusy(f"{self.path.parent}: another storyclust run is updating this state (pid {holder}); "
                            "wait for it to finish, or use another state folder") from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.seek(0)
        self.handle.truncate()
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def connect(folder: str | Path, *, create: bool) -> sqlite3.Connection:
    """Open ``folder/state.sqlite`` (creating the folder and schema when ``create``) in WAL mode, with
    transactions left to the caller (``BEGIN IMMEDIATE`` ... ``COMMIT``)."""
    folder = Path(folder)
    path = folder / "state.sqlite"
    if folder.exists() and not folder.is_dir():
        raise StateError(f"{folder}: the state folder is a file; give a folder (it is created on first use)")
    if not path.exists():
        if not create:
            raise StateError(f"{folder}: no state here; run 'storyclust update {folder} PATH...' first")
        folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


def settings_of(dedup: DedupConfig, story: StoryConfig, boilerplate: tuple[str, ...]) -> dict[str, Any]:
    """The settings a state is bound to, as stored in ``meta``."""
    return {"dedup": asdict(dedup), "stories": asdict(story), "boilerplate": list(boilerplate)}


def _option(name: str) -> str:
    return name.replace("_", "-")


def check_settings(folder: Path, stored: dict[str, Any], given: dict[str, Any]) -> None:
    """Refuse a run whose settings differ from the state's, naming the first setting that differs."""
    for section, kind in (("dedup", DedupConfig), ("stories", StoryConfig)):
        for f in fields(kind):
            old = stored[section].get(f.name)
            new = given[section].get(f.name)
            if json.loads(json.dumps(old)) != json.loads(json.dumps(new)):
                raise StateError(
                    f"{folder}: {f.name} is {old!r} in this state but the run asks for {new!r}; run with "
                    f"{f.name} = {old!r} (--{_option(f.name)}), or start a new state folder"
                )
    if stored["boilerplate"] != given["boilerplate"]:
        raise StateError(f"{folder}: the boilerplate patterns differ from this state's; give the same "
                         "--boilerplate files as its first run, or start a new state folder")


def load_meta(conn: sqlite3.Connection) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM meta")}


def put_meta(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))
