"""Taking an article out of the state, for ``replace``: its row and its copy pairs go (the run then finds
every article's copies again, :mod:`storyclust.state.copies`), and the run rewrites its story's record."""

from __future__ import annotations

import sqlite3

__all__ = ["remove_article"]


def remove_article(conn: sqlite3.Connection, article_id: str, run_id: int) -> int | None:
    """Remove ``article_id`` (logging ``article replaced``); returns its story id, whose record the caller
    rewrites once the run's groups are stored."""
    ord_, story = conn.execute("SELECT ord, story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
    conn.execute("DELETE FROM articles WHERE ord = ?", (ord_,))
    conn.execute("DELETE FROM copy_pairs WHERE a = ? OR b = ?", (ord_, ord_))
    conn.execute("INSERT INTO events (run_id, kind, story_id, other, article, detail) VALUES (?, ?, ?, ?, ?, ?)",
                 (run_id, "article replaced", story, None, ord_, article_id))
    return story
