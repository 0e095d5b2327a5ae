"""One incremental run: a batch of articles added to a state folder, in one transaction under the lock."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from ..clean import Boilerplate, load_boilerplate
from ..pipeline import prepare
from ..records import Article, stamp
from ..settings import DedupConfig, StoryConfig
from .copies import CopyChanges, recheck_copies
from .db import FORMAT, Lock, StateError, check_settings, checkpoint, connect, load_meta, put_meta, settings_of
from .remove import remove_article
from .storyline import StoryChanges, add_stories, mark_dormant, write_stories

__all__ = ["UpdateReport", "update", "content_hash"]


@dataclass
class UpdateReport:
    """What one run did: its id, the articles added, skipped (already present, same content) and replaced, the
    new articles found to be copies (``candidates`` and ``verified_pairs``: the duplicate stage's over the whole
    state after the run), and the stories created, extended and merged (absorbed -> survivor)."""

    run_id: int
    added: int
    skipped: int
    replaced: int
    copies_found: int
    candidates: int
    verified_pairs: int
    stories_created: list[int] = field(default_factory=list)
    stories_extended: list[int] = field(default_factory=list)
    stories_merged: dict[int, int] = field(default_factory=dict)
    window: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def content_hash(article: Article) -> str:
    """SHA-256 of an article's title and text: what "the same content" means for an id seen before."""
    return hashlib.sha256(f"{article.title}\x00{article.text}".encode("utf-8", "surrogatepass")).hexdigest()


def _iso(date: datetime | None) -> str | None:
    return date.isoformat() if date else None


def update(
    state_dir: str | Path,
    articles: Sequence[Article],
    *,
    dedup: DedupConfig | None = None,
    stories: StoryConfig | None = None,
    boilerplate: Boilerplate | None = None,
    replace: bool = False,
    dedup_only: bool = False,
    inputs: dict[str, Any] | None = None,
) -> UpdateReport:
    """Add ``articles`` to the state in ``state_dir`` (created on first use): their copies against every earlier
    article, their stories, in one transaction. The first run binds the state to its settings (``dedup``,
    ``stories``, ``boilerplate``); a later run with other settings raises :class:`StateError` naming the
    setting (``None`` takes the state's, or the defaults for a new state). An id already in the state with the
    same title and text is skipped and counted; with different content it is an error unless ``replace``.
    ``dedup_only`` makes (and must match) a state that finds copies but no stories."""
    folder = Path(state_dir)
    conn = connect(folder, create=True)
    try:
        with Lock(folder):
            conn.execute("BEGIN IMMEDIATE")
            try:
                report = _run(conn, folder, list(articles), dedup, stories, boilerplate, replace, dedup_only,
                              inputs or {})
                checkpoint("before-commit")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        checkpoint("after-commit")
        return report
    finally:
        conn.close()


def _settings(conn, folder, dedup, stories, boilerplate, dedup_only):
    meta = load_meta(conn)
    if "settings" in meta:
        stored = meta["settings"]
        dedup = dedup or DedupConfig(**stored["dedup"])
        stories = stories or StoryConfig(**{k: tuple(v) if isinstance(v, list) else v
                                            for k, v in stored["stories"].items()})
        boilerplate = boilerplate or Boilerplate(tuple(stored["boilerplate"]))
        check_settings(folder, stored, settings_of(dedup, stories, boilerplate.patterns))
        if stored.get("dedup_only", False) != dedup_only:
            raise StateError(f"{folder}: this state {'finds copies only' if not dedup_only else 'finds stories'}; "
                             f"run {'with' if not dedup_only else 'without'} dedup_only, or start a new state folder")
    else:
        dedup, stories, boilerplate = dedup or DedupConfig(), stories or StoryConfig(), boilerplate or load_boilerplate()
        put_meta(conn, "format", FORMAT)
        put_meta(conn, "settings", {**settings_of(dedup, stories, boilerplate.patterns), "dedup_only": dedup_only})
    if meta.get("format", FORMAT) != FORMAT:
        raise StateError(f"{folder}: state format {meta['format']} is not this version's ({FORMAT}); "
                         "start a new state folder")
    return dedup, stories, boilerplate


def _run(conn: sqlite3.Connection, folder: Path, articles: list[Article], dedup, stories, boilerplate,
         replace: bool, dedup_only: bool, inputs: dict[str, Any]) -> UpdateReport:
    timings: dict[str, float] = {}
    t = time.perf_counter()
    dedup, stories, boilerplate = _settings(conn, folder, dedup, stories, boilerplate, dedup_only)
    checkpoint("begin")
    run_id = conn.execute("SELECT COALESCE(MAX(run_id), 0) + 1 FROM runs").fetchone()[0]

    # Articles already present: skipped when identical, replaced on request, refused otherwise.
    hashes = [content_hash(a) for a in articles]
    seen: dict[str, str] = {}
    for start in range(0, len(articles), 900):
        chunk = [a.id for a in articles[start : start + 900]]
        seen.update(conn.execute(
            f"SELECT id, content_hash FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    batch, skipped, replaced, ids_in_batch, removed = [], 0, 0, set(), set()
    for a, h in zip(articles, hashes):
        if a.id in ids_in_batch:
            raise StateError(f"{a.location or a.id}: id {a.id!r} appears twice in this batch; give unique ids "
                             "(--unique-ids renames them)")
        ids_in_batch.add(a.id)
        if a.id in seen:
            if seen[a.id] == h:
                skipped += 1
                continue
            if not replace:
                raise StateError(f"{a.location or a.id}: id {a.id!r} is already in the state with other content; "
                                 "give --replace to replace it, or another id")
            story = remove_article(conn, a.id, run_id)
            if story is not None:
                removed.add(story)
            replaced += 1
        batch.append((a, h))
    checkpoint("read")

    new_articles = [a for a, _ in batch]
    prepared = prepare(new_articles, boilerplate)
    timings["clean"] = time.perf_counter() - t
    t = time.perf_counter()
    first = conn.execute("SELECT COALESCE(MAX(ord), -1) + 1 FROM articles").fetchone()[0]
    ords = list(range(first, first + len(batch)))
    conn.executemany(
        "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, NULL, NULL, NULL, ?, ?)",
        ((o, a.id, _iso(a.date), None if a.date is None else stamp(a.date), a.source, a.url, a.title,
          prepared.titles[i], h, zlib.compress(prepared.texts[i].encode("utf-8", "surrogatepass"), 1),
          len(prepared.texts[i]), run_id, json.dumps(a.metadata, ensure_ascii=False, default=str))
         for i, (o, (a, h)) in enumerate(zip(ords, batch))),
    )
    checkpoint("articles")
    # Every stored article's copies again: what the duplicate stage learns changes with each batch.
    copies = recheck_copies(conn, run_id, dedup, set(ords)) if batch else CopyChanges()
    if removed:
        write_stories(conn, run_id, sorted(removed), {})
    timings["dedup"] = time.perf_counter() - t
    checkpoint("groups")

    t = time.perf_counter()
    changes = add_stories(conn, run_id, ords, stories) if ords and not dedup_only else StoryChanges()
    if not dedup_only:
        mark_dormant(conn, stories)
    timings["stories"] = time.perf_counter() - t
    report = UpdateReport(
        run_id=run_id, added=len(batch), skipped=skipped, replaced=replaced, copies_found=copies.copies_found,
        candidates=copies.candidates, verified_pairs=copies.pairs, stories_created=sorted(changes.created),
        stories_extended=sorted(changes.extended), stories_merged=dict(sorted(changes.merged.items())),
        window=changes.window, seconds={k: round(v, 3) for k, v in timings.items()},
    )
    counts = {k: v for k, v in report.__dict__.items() if k != "seconds"}
    conn.execute("INSERT INTO runs VALUES (?, ?, ?, ?)", (
        run_id, datetime.now(timezone.utc).isoformat(timespec="seconds"), json.dumps(inputs, default=str),
        json.dumps(counts, default=str)))
    return report

