"""Incremental runs (issue 17): a corpus replayed into a state folder in batches, against the one-shot run.

Measures, per corpus and batching:
- replay identity: the duplicate groups (as sets of article ids, with their canonical id) after the replay
  against the one-shot run over the same articles in the same read order;
- story BCubed F1 after the replay against the one-shot run's (storyclust.evaluate.bcubed on the labels);
- id stability: articles already in the state whose story id a later run changed without a logged merge;
- time per run and in all.

``--scale N`` builds a state of a generated N-article dump (benchmarks.corpus) and times adding 10k more
(and peak RSS of that run, in a fresh process) against the one-shot run over all N + 10k.

    python -m benchmarks.incremental --quick          # BASIL and PAC by year
    python -m benchmarks.incremental --corpora basil,pac_partisan_events,gva_incidents,googlenews_yin
    python -m benchmarks.incremental --scale 100000
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Sequence

from storyclust import pipeline
from storyclust.evaluate import bcubed
from storyclust.ingest import read_articles
from storyclust.records import Article, ReadResult
from storyclust.settings import DedupConfig, StoryConfig
from storyclust.state import placement, storyline
from storyclust.state import events, read_state, update
from storyclust.stories import find_stories

from .base_corpus import DEFAULT_DATA
from .eval_all import CORPORA

BATCHING = {"basil": "year", "pac_partisan_events": "month", "gva_incidents": "month",
            "googlenews_yin": "order_newsT:500"}


def load(name: str, data: str) -> tuple[list[Article], str]:
    corpus = next(c for c in CORPORA if c.name == name)
    read = read_articles([f"{data}/{corpus.path}/articles.jsonl.gz"], fields=corpus.fields,
                         skip_bad=corpus.skip_bad, unique_ids=corpus.unique_ids)
    return read.articles, corpus.label


def batches(articles: Sequence[Article], how: str) -> list[list[Article]]:
    """``year``/``month``/``day``: by date (undated last, as one batch); ``FIELD:N``: sorted by a metadata
    field, N at a time."""
    if ":" in how:
        name, size = how.split(":")
        ordered = sorted(articles, key=lambda a: a.metadata[name])
        return [ordered[i : i + int(size)] for i in range(0, len(ordered), int(size))]
    width = {"year": 4, "month": 7, "day": 10}[how]
    cut: dict[str, list[Article]] = defaultdict(list)
    for a in sorted(articles, key=lambda a: (a.date is None, a.date)):
        cut[a.date.isoformat()[:width] if a.date else "~"].append(a)
    return [cut[k] for k in sorted(cut)]


def dup_partition(ids: Sequence[str], group_of, canonical_of) -> set[tuple[str, frozenset]]:
    """Each duplicate group as (canonical id, frozenset of member ids)."""
    groups: dict[int, set[str]] = defaultdict(set)
    for i, g in enumerate(group_of):
        if g >= 0:
            groups[int(g)].add(ids[i])
    return {(ids[int(canonical_of[i])], frozenset(groups[int(g)])) for i, g in enumerate(group_of) if g >= 0}


def plain_groups(order: Sequence[Article], canonical: bool = False):
    """The duplicate groups of the plain one-shot stage (shingles -> MinHash -> LSH candidates -> exact
    Jaccard/containment verification -> components), the rule the state applies, from storyclust.dedup's
    public stage functions."""
    import numpy as np

    from storyclust.dedup.groups import group
    from storyclust.dedup.lsh import candidates
    from storyclust.dedup.minhash import minhash
    from storyclust.dedup.shingles import shingle
    from storyclust.dedup.verify import verify
    from storyclust.pipeline import prepare

    config = DedupConfig()
    texts = prepare(order).texts
    sh = shingle(texts, config.shingle_size)
    pairs = verify(sh, candidates(sh, minhash(sh, num_perm=config.num_perm, seed=config.seed), *config.bands_rows),
                   config).pairs
    _, group_of, canonical_of = group(order, np.array([len(t) for t in texts], np.int64), pairs)
    if canonical:
        return canonical_of
    return dup_partition([a.id for a in order], group_of, canonical_of)


def replay(parts: list[list[Article]], folder: Path, dedup: DedupConfig, story: StoryConfig) -> dict:
    """Add each batch in turn; check after each run that no earlier article changed story without a logged
    merge or a logged move, and count moves of articles whose run is settled (``placement.settled_runs``; a
    copy of a provisional article may be older and still move with it)."""
    before: dict[str, int] = {}
    added_in: dict[str, int] = {}
    windows: dict[int, int] = {}
    seconds, violations, merges, moved_by_merge, moved, settled_moved = [], 0, 0, 0, 0, 0
    for run, part in enumerate(parts, 1):
        t = time.perf_counter()
        report = update(folder, part, dedup=dedup, stories=story)
        seconds.append(time.perf_counter() - t)
        windows[run] = report.window
        settled = placement.settled_runs(windows, run)
        log = events(folder, report.run_id)
        survivor = {e.other: e.story for e in log if e.kind == "story merged"}
        moves = {e.article: e.story for e in log if e.kind == "article moved"}
        merges += len(survivor)
        now = read_state(folder)
        after = dict(zip((a.id for a in now.articles), now.stories.story_of.tolist()))
        for aid in after:
            added_in.setdefault(aid, run)
        for aid, s in before.items():
            if after[aid] == s:
                continue
            t_ = moves.get(aid, s)
            while t_ in survivor:
                t_ = survivor[t_]
            if t_ != after[aid]:
                violations += 1
            elif aid in moves:
                moved += 1
                settled_moved += added_in[aid] in settled
            else:
                moved_by_merge += 1
        before = after
    return {"runs": len(parts), "seconds": round(sum(seconds), 2), "max_run_seconds": round(max(seconds), 2),
            "id_changes_without_merge": violations, "id_changes_by_logged_merge": moved_by_merge,
            "id_changes_by_logged_move": moved, "moves_of_settled_articles": settled_moved, "merges": merges}


def compare(name: str, data: str, how: str, limit: int | None = None) -> dict:
    """The replay of one corpus against the one-shot run (``limit``: only the first articles in batch order)."""
    articles, label = load(name, data)
    parts = batches(articles, how)
    if limit:
        kept = {id(a) for a in [a for p in parts for a in p][:limit]}
        parts = [q for q in ([a for a in p if id(a) in kept] for p in parts) if q]
    order = [a for p in parts for a in p]
    dedup, story = DedupConfig(), StoryConfig()
    t = time.perf_counter()
    one = pipeline.run(ReadResult(order), dedup, story)
    one_seconds = time.perf_counter() - t
    folder = Path(tempfile.mkdtemp(prefix="storyclust-incremental-"))
    try:
        stats = replay(parts, folder, dedup, story)
        state = read_state(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ids_one = [a.id for a in order]
    ids_state = [a.id for a in state.articles]
    groups_one = dup_partition(ids_one, one.dedup.group_of, one.dedup.canonical_of)
    groups_plain = plain_groups(order)
    groups_state = dup_partition(ids_state, state.dedup.group_of, state.dedup.canonical_of)
    truth = {a.id: a.metadata.get(label) for a in order}
    f1_one = bcubed(one.stories.story_of.tolist(), [truth[i] for i in ids_one]).f1
    plain_canonical = plain_groups(order, canonical=True)
    plain = find_stories(order, one.prepared.titles, one.prepared.texts, plain_canonical, story)
    f1_plain = bcubed(plain.story_of.tolist(), [truth[i] for i in ids_one]).f1
    f1_state = bcubed(state.stories.story_of.tolist(), [truth[i] for i in ids_state]).f1
    return {
        "corpus": name, "batching": how, "articles": len(order), **stats, "one_shot_seconds": round(one_seconds, 2),
        "dup_groups_replay": len(groups_state), "dup_groups_plain_one_shot": len(groups_plain),
        "identical_to_plain_one_shot": groups_plain == groups_state,
        "dup_groups_content_one_shot": len(groups_one), "identical_to_content_one_shot": groups_one == groups_state,
        "differing_from_content_one_shot": len(groups_one ^ groups_state),
        "bcubed_f1_one_shot": round(f1_one, 4), "bcubed_f1_one_shot_plain_groups": round(f1_plain, 4), "bcubed_f1_replay": round(f1_state, 4),
        "bcubed_f1_delta": round(f1_state - f1_one, 4),
        "stories_one_shot": len(one.stories.stories), "stories_replay": len(state.stories.stories),
    }


def dup_identity_generated(n: int, parts: int, seed: int = 0) -> dict:
    """Duplicate groups of a generated n-article dump replayed in ``parts`` date-ordered batches into a
    copies-only state (``dedup_only``), against the plain and the content-aware one-shot stages."""
    from .corpus import generate

    dump, _ = generate(n, seed=seed)
    order = list(dump)
    size = -(-len(order) // parts)
    cut = [order[i : i + size] for i in range(0, len(order), size)]
    return _dup_only(cut)


def _dup_only(parts: list[list[Article]]) -> dict:
    from storyclust.dedup import deduplicate
    from storyclust.pipeline import prepare

    order = [a for p in parts for a in p]
    prepared = prepare(order)
    t = time.perf_counter()
    one = deduplicate(order, prepared.texts, DedupConfig())
    one_seconds = time.perf_counter() - t
    folder = Path(tempfile.mkdtemp(prefix="storyclust-incremental-"))
    try:
        t = time.perf_counter()
        for p in parts:
            update(folder, p, dedup_only=True)
        replay_seconds = time.perf_counter() - t
        state = read_state(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    a = dup_partition([x.id for x in order], one.group_of, one.canonical_of)
    plain = plain_groups(order)
    b = dup_partition([x.id for x in state.articles], state.dedup.group_of, state.dedup.canonical_of)
    return {"articles": len(order), "runs": len(parts), "dup_groups_replay": len(b),
            "dup_groups_plain_one_shot": len(plain), "identical_to_plain_one_shot": plain == b,
            "dup_groups_content_one_shot": len(a), "identical_to_content_one_shot": a == b,
            "differing_from_content_one_shot": len(a ^ b),
            "one_shot_dedup_seconds": round(one_seconds, 2), "replay_seconds": round(replay_seconds, 2)}


STEPS = ("begin", "read", "sets", "bands", "verify", "articles", "groups", "stories-copies", "stories-cluster",
         "stories-map", "stories-write", "before-commit")

_CHILD = ("import sys, pickle; from storyclust.state import update; "
          "update(sys.argv[1], pickle.load(open(sys.argv[2], 'rb')))")


def _dump(folder: Path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(folder / "state.sqlite")
    try:
        return [line for line in conn.iterdump() if not line.startswith('INSERT INTO "runs"')]
    finally:
        conn.close()


def kill_points(name: str, data: str) -> dict:
    """The corpus' first half in a state, then its second half added by a child process killed (SIGKILL) at
    each named step: after each kill the state must equal the state before, and a run must then finish with
    the state of an uninterrupted run."""
    import os
    import pickle
    import signal

    from storyclust.state.db import FAULT_ENV

    articles, _ = load(name, data)
    half = len(articles) // 2
    root = Path(tempfile.mkdtemp(prefix="storyclust-kill-"))
    try:
        batch = root / "batch.pickle"
        batch.write_bytes(pickle.dumps(articles[half:]))
        reference = root / "reference"
        update(reference, articles[:half])
        before = _dump(reference)
        update(reference, articles[half:])
        after = _dump(reference)
        results = {}
        for step in STEPS:
            state = root / step
            update(state, articles[:half])
            child = subprocess.run([sys.executable, "-c", _CHILD, str(state), str(batch)],
                                   env={**os.environ, FAULT_ENV: step}, capture_output=True)
            killed = child.returncode == -signal.SIGKILL
            unchanged = _dump(state) == before
            again = subprocess.run([sys.executable, "-c", _CHILD, str(state), str(batch)], capture_output=True)
            results[step] = {"killed": killed, "state_as_before": unchanged,
                             "next_run_ok": again.returncode == 0, "then_as_uninterrupted": _dump(state) == after}
            if not killed or again.returncode:
                results[step]["stderr"] = (child.stderr or again.stderr).decode()[-300:]
            shutil.rmtree(state)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ok = sum(all(v for k, v in r.items() if k != "stderr") for r in results.values())
    return {"corpus": name, "kill_points": len(results), "all_good": ok, "points": results}


_ADD = ("import sys, json, resource, time; from storyclust.ingest import read_articles; "
        "from storyclust.state import update; t = time.perf_counter(); "
        "r = update(sys.argv[1], read_articles([sys.argv[2]]).articles); "
        "print(json.dumps({'seconds': time.perf_counter() - t, 'window': r.window, 'added': r.added, "
        "'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'parts': r.seconds}))")
_ONE = ("import sys, json, resource, time; from storyclust import pipeline; "
        "from storyclust.settings import StoryConfig; t = time.perf_counter(); "
        "res, s = pipeline.read([sys.argv[1], sys.argv[2]]); pipeline.run(res, story_config=StoryConfig()); "
        "print(json.dumps({'seconds': time.perf_counter() - t, "
        "'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))")


def scale(n: int, add: int, seed: int = 0) -> dict:
    """A state of the first ``n`` articles of a generated dump (by date), then the next ``add`` (the newest)
    added by a fresh process, timed with its peak RSS, against the one-shot run over all ``n + add`` (fresh
    process, from reading the files, stories included)."""
    from .corpus import generate, write_dump

    dump, truth = generate(n + add, seed=seed)
    root = Path(tempfile.mkdtemp(prefix="storyclust-scale-"))
    try:
        old = write_dump(root / "old", dump[:n] if isinstance(dump, list) else [dump[i] for i in range(n)], truth)
        new = write_dump(root / "new", [dump[i] for i in range(n, n + add)], truth)
        state = root / "state"
        t = time.perf_counter()
        update(state, read_articles([old / "articles.jsonl.gz"]).articles)
        build = time.perf_counter() - t
        added = json.loads(subprocess.run([sys.executable, "-c", _ADD, str(state), str(new / "articles.jsonl.gz")],
                                          capture_output=True, text=True, check=True).stdout)
        one = json.loads(subprocess.run([sys.executable, "-c", _ONE, str(old / "articles.jsonl.gz"),
                                         str(new / "articles.jsonl.gz")], capture_output=True, text=True,
                                        check=True).stdout)
        size = sum(f.stat().st_size for f in state.iterdir())
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {"state_articles": n, "added": add, "build_state_seconds": round(build, 1),
            "add_seconds": round(added["seconds"], 1), "add_parts": added["parts"], "window": added["window"],
            "add_peak_rss_mib": round(added["peak_rss_mib"]), "one_shot_seconds": round(one["seconds"], 1),
            "one_shot_peak_rss_mib": round(one["peak_rss_mib"]),
            "add_share_of_one_shot": round(added["seconds"] / one["seconds"], 3),
            "state_folder_mib": round(size / 2**20)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--corpora", default="basil,pac_partisan_events")
    parser.add_argument("--batching", default=None, help="year, month, day or FIELD:N for every corpus")
    parser.add_argument("--generated", type=int, default=0, help="also replay a generated dump of N articles")
    parser.add_argument("--generated-runs", type=int, default=10)
    parser.add_argument("--merge-share", type=float, default=None,
                        help="storyline.MERGE_SHARE for this run (default: none, only copies merge stories)")
    parser.add_argument("--provisional-runs", type=int, default=None,
                        help="placement.PROVISIONAL_RUNS for this run (runs an article may still move)")
    parser.add_argument("--evidence-growth", type=float, default=None,
                        help="placement.EVIDENCE_GROWTH for this run (0: off)")
    parser.add_argument("--limit", type=int, default=None, help="replay only each corpus' first N articles")
    parser.add_argument("--kill", default=None, metavar="CORPUS", help="the kill test on this corpus")
    parser.add_argument("--scale", type=int, default=0, help="state size for the add-10k timing")
    parser.add_argument("--add", type=int, default=10_000)
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)
    if args.merge_share is not None:
        storyline.MERGE_SHARE = args.merge_share
    if args.provisional_runs is not None:
        placement.PROVISIONAL_RUNS = args.provisional_runs
    if args.evidence_growth is not None:
        placement.EVIDENCE_GROWTH = args.evidence_growth or None
    rows = []
    if args.scale:
        rows.append(scale(args.scale, args.add))
        print(json.dumps(rows[-1]), flush=True)
    if args.kill:
        rows.append(kill_points(args.kill, args.data))
        print(json.dumps(rows[-1]), flush=True)
    for name in (args.corpora.split(",") if args.corpora else []):
        rows.append({**compare(name, args.data, args.batching or BATCHING[name], args.limit),
                     "merge_share": storyline.MERGE_SHARE, "provisional_runs": placement.PROVISIONAL_RUNS,
                     "evidence_growth": placement.EVIDENCE_GROWTH})
        print(json.dumps(rows[-1]), flush=True)
    if args.generated:
        rows.append({"corpus": f"generated-{args.generated}", **dup_identity_generated(args.generated,
                                                                                    args.generated_runs)})
        print(json.dumps(rows[-1]), flush=True)
    if args.output:
        Path(args.output).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
