"""A run's copies: the content-aware duplicate stage over every stored article, and what it changed.

The one-shot stage (:func:`storyclust.dedup.deduplicate`) learns from the whole corpus, and every batch changes
what it learns: which lines are template (their article counts per source and overall), the shingles' document
frequencies (a count-min sketch whose width follows the corpus' shingle count; thin pages follow from them), the
rarity weights ``log(1 + N / df)`` (``N`` the number of articles, with ``rarity_weights``) and the headline word
weights ``log((n + 1) / c)`` over every title. So a batch can change the verdict on any stored pair, not only on
pairs touching the batch. Each of these is a function of the multiset of articles (counts, and a sketch whose
cells are sums); what depends on the read order (the article standing for an identical shingle set, the first
of identical thin pages, the canonical article's last tie-break) follows the state's read order ``ord``, the
order of the replayed corpus. Each run therefore runs the stage again over the stored cleaned texts in ``ord``
order:

    stored articles (ord order) -> dedup.deduplicate -> pairs, thin flags, similarity to canonical and template
    lines stored -> groups compared with the stored ones (:mod:`storyclust.state.group_ids`: ids that last,
    copy found / copy lost / groups merged / group split events)

so the groups after any batching of a corpus are those of the one-shot run over it in the same read order.
"""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import numpy as np

from ..dedup import deduplicate
from ..dedup.template import Template
from ..records import Article, DedupResult, DuplicateGroup
from ..settings import DedupConfig
from .db import checkpoint, load_meta, put_meta
from .group_ids import apply_groups

__all__ = ["CopyChanges", "recheck_copies", "stored_copies", "stored_template"]

_STEPS = ("sets", "bands", "verify")  # the crash-test checkpoints passed while the stage runs


@dataclass
class CopyChanges:
    """What a run changed in the duplicate tables: the state's candidate and verified pair counts, the new
    articles found to be copies, and ``relinked``: the groups (ids after the run) holding an article already in
    the state whose canonical article changed."""

    candidates: int = 0
    pairs: int = 0
    copies_found: int = 0
    relinked: set[int] = field(default_factory=set)


class _Checkpoints:
    """A progress sink that passes the crash-test checkpoints as the duplicate stage starts its tasks."""

    def __init__(self) -> None:
        self.started = 0

    def task(self, description: str, total: int) -> Callable[[int], None]:
        self.started += 1
        if self.started in (2, 4, 5):
            checkpoint(_STEPS[(2, 4, 5).index(self.started)])
        return lambda n: None

    def finish(self) -> None:
        for k, at in enumerate((2, 4, 5)):
            if self.started < at:
                checkpoint(_STEPS[k])


def _chunks(values: list[int], size: int = 900):
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        yield chunk, ",".join("?" * len(chunk))


def _signed(x: np.ndarray) -> list[int]:
    return np.asarray(x, np.uint64).view(np.int64).tolist()


def stored_template(conn: sqlite3.Connection) -> Template:
    """The template lines the last run learned over the whole state (what the one-shot run over the state's
    articles learns), for stripping story texts as the one-shot run does."""
    hashes = np.array([h for (h,) in conn.execute("SELECT hash FROM template_lines")], np.int64)
    return Template(np.sort(hashes.view(np.uint64)))


def recheck_copies(conn: sqlite3.Connection, run_id: int, config: DedupConfig, new: set[int]) -> CopyChanges:
    """Run the duplicate stage over every stored article (``ord`` order) and store its answer: the verified
    pairs with their evidence, each article's thin flag and similarity to its canonical article, the template
    lines, and the groups (``new``: the ords this run added, for the events)."""
    rows = conn.execute("SELECT ord, id, title, date, source, text, url, dup_group, thin, sim_jaccard, "
                        "sim_containment FROM articles ORDER BY ord").fetchall()
    ords = [r[0] for r in rows]
    # The stage reads an article's title, date and source (its text is the cleaned text given beside it).
    articles = [Article(r[1], r[2], "", datetime.fromisoformat(r[3]) if r[3] else None, r[4], r[6]) for r in rows]
    texts = [zlib.decompress(r[5]).decode("utf-8", "surrogatepass") for r in rows]
    sink = _Checkpoints()
    result = deduplicate(articles, texts, config, sink)
    sink.finish()
    del texts
    index = np.array(ords, np.int64)

    # Pairs with their evidence, rewritten whole (a few per hundred articles).
    conn.execute("DELETE FROM copy_pairs")
    p = index[result.pairs] if len(result.pairs) else np.empty((0, 2), np.int64)
    ev = result.evidence or {}
    m = len(p)
    weighted = result.weighted if result.weighted is not None else np.stack((result.jaccard, result.containment), 1)
    shared = ev.get("shared_content_shingles", np.zeros(m, np.int64))
    agreement = ev.get("token_agreement", np.full(m, -1.0))
    only = ev.get("only_names_numbers", np.zeros((m, 2), np.int64))
    headline = ev.get("headline", np.ones(m))
    thin_exact = ev.get("thin_exact", np.zeros(m, bool))
    conn.executemany("INSERT INTO copy_pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", zip(
        p[:, 0].tolist(), p[:, 1].tolist(), result.jaccard.tolist(), result.containment.tolist(),
        weighted[:, 0].tolist(), weighted[:, 1].tolist(), np.asarray(shared).tolist(),
        np.asarray(agreement, np.float64).tolist(), np.asarray(only)[:, 0].tolist(), np.asarray(only)[:, 1].tolist(),
        np.asarray(headline, np.float64).tolist(), np.asarray(thin_exact, bool).astype(int).tolist()))

    # Per article: thin flag and similarity to its canonical article, where they changed.
    thin = result.thin if result.thin is not None else np.zeros(len(rows), bool)
    changed = [(int(thin[i]), float(result.similarity[i, 0]), float(result.similarity[i, 1]), r[0])
               for i, r in enumerate(rows)
               if (r[8], r[9], r[10]) != (int(thin[i]), float(result.similarity[i, 0]), float(result.similarity[i, 1]))]
    conn.executemany("UPDATE articles SET thin = ?, sim_jaccard = ?, sim_containment = ? WHERE ord = ?", changed)

    template = np.sort(np.asarray(result.template.hashes if result.template is not None else [], np.uint64))
    if not np.array_equal(stored_template(conn).hashes, template):
        conn.execute("DELETE FROM template_lines")
        conn.executemany("INSERT INTO template_lines VALUES (?)", ((h,) for h in _signed(template)))
    put_meta(conn, "copies", {"candidates": int(result.candidates), "empty": int(result.empty)})

    groups = [(ords[g.canonical], [ords[k] for k in g.members]) for g in result.groups]
    found, relinked = apply_groups(conn, run_id, groups, {r[0]: r[7] for r in rows if r[7] is not None}, new)
    return CopyChanges(int(result.candidates), m, found, relinked)


def stored_copies(conn: sqlite3.Connection, ords: list[int], groups: list[DuplicateGroup], group_of: np.ndarray,
                  canonical_of: np.ndarray) -> DedupResult:
    """The stored duplicate stage's answer for the articles ``ords`` (rows in this order; ``groups``,
    ``group_of`` and ``canonical_of`` by row): the pairs between them with their evidence, thin flags,
    similarity to the canonical article and the template."""
    index = {o: i for i, o in enumerate(ords)}
    n = len(ords)
    thin = np.zeros(n, bool)
    similarity = np.ones((n, 2))
    found = []
    for chunk, marks in _chunks(list(ords)):
        for o, t, j, c in conn.execute(
                f"SELECT ord, thin, sim_jaccard, sim_containment FROM articles WHERE ord IN ({marks})", chunk):
            thin[index[o]] = bool(t)
            if j is not None:
                similarity[index[o]] = (j, c)
        found += [r for r in conn.execute(f"SELECT * FROM copy_pairs WHERE a IN ({marks})", chunk) if r[1] in index]
    found.sort(key=lambda r: (index[r[0]], index[r[1]]))
    pairs = np.array([(index[r[0]], index[r[1]]) for r in found], np.int64).reshape(-1, 2)

    def column(k: int, kind=np.float64) -> np.ndarray:
        return np.array([r[k] for r in found], kind)

    evidence = {"shared_content_shingles": column(6, np.int64), "token_agreement": column(7),
                "only_names_numbers": np.stack((column(8, np.int64), column(9, np.int64)), 1).reshape(-1, 2),
                "headline": column(10), "thin_exact": column(11, bool)}
    stats = load_meta(conn).get("copies", {})
    return DedupResult(pairs, column(2), column(3), groups, group_of, canonical_of, similarity,
                       candidates=int(stats.get("candidates", 0)), empty=int(stats.get("empty", 0)), thin=thin,
                       weighted=np.stack((column(4), column(5)), 1).reshape(-1, 2), evidence=evidence,
                       template=stored_template(conn))
