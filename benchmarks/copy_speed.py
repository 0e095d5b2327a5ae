"""The duplicate stage's cost against the stage before issue 15, in turn in one process (issue 15's speed row).

    python -m benchmarks.copy_speed DUMP_FOLDER [--rounds 3] [--json OUT]

DUMP_FOLDER holds ``articles.jsonl.gz`` (``benchmarks.harness.make_dump``). The articles are read and cleaned
once; then each round runs, on the same cleaned texts, first the duplicate stage as it was before the content
checks (commit d3222de: shingles of the whole text, MinHash, LSH candidates, exact Jaccard / containment,
groups), rebuilt from the same stage functions, and then :func:`storyclust.dedup.deduplicate`. Alternating
the two inside one process lets a load on the shared machine hit both sides. Each side's wall seconds and
CPU seconds (all threads, ``time.process_time``) are reported per round, with their ratios.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from storyclust.dedup import deduplicate
from storyclust.dedup.groups import group, similarity_to_canonical
from storyclust.dedup.lsh import candidates as lsh_candidates
from storyclust.dedup.minhash import minhash
from storyclust.dedup.shingles import shingle
from storyclust.dedup.verify import is_copy, overlaps
from storyclust.pipeline import prepare, read
from storyclust.records import Article
from storyclust.settings import DedupConfig


def before_stage(articles: Sequence[Article], texts: Sequence[str], config: DedupConfig) -> dict[str, float]:
    """The duplicate stage of d3222de (no template, no content checks); its stage seconds."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    shingles = shingle(texts, config.shingle_size)
    signatures = minhash(shingles, num_perm=config.num_perm, seed=config.seed)
    timings["signatures"] = time.perf_counter() - t
    t = time.perf_counter()
    candidates = lsh_candidates(shingles, signatures, *config.bands_rows)
    timings["candidates"] = time.perf_counter() - t
    t = time.perf_counter()
    jac, con = overlaps(shingles, candidates[:, 0], candidates[:, 1])
    smaller = np.minimum(shingles.sizes[candidates[:, 0]], shingles.sizes[candidates[:, 1]])
    ok = is_copy(jac, con, smaller, config)
    pairs = np.sort(candidates[ok], axis=1)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    timings["verify"] = time.perf_counter() - t
    t = time.perf_counter()
    lengths = np.array([len(x) for x in texts], np.int64)
    _, _, canonical_of = group(articles, lengths, pairs)
    similarity_to_canonical(shingles, canonical_of)
    timings["group"] = time.perf_counter() - t
    return timings


def _timed(fn) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def measure(articles: Sequence[Article], texts: Sequence[str], rounds: int,
            config: DedupConfig = DedupConfig()) -> dict[str, Any]:
    """``rounds`` rounds of (before, after) on the same texts, after one warm-up round of each (compilation)."""
    before_stage(articles[:200], texts[:200], config)
    deduplicate(articles[:200], texts[:200], config)
    out: list[dict[str, Any]] = []
    for _ in range(rounds):
        bw, bc, bt = _timed(lambda: before_stage(articles, texts, config))
        aw, ac, result = _timed(lambda: deduplicate(articles, texts, config))
        out.append({"before_s": bw, "before_cpu_s": bc, "after_s": aw, "after_cpu_s": ac,
                    "ratio": aw / bw, "cpu_ratio": ac / bc,
                    "before_stages": bt, "after_stages": dict(result.timings)})
    return {"articles": len(articles), "rounds": out,
            "median_ratio": float(np.median([r["ratio"] for r in out])),
            "median_cpu_ratio": float(np.median([r["cpu_ratio"] for r in out]))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.copy_speed", description=__doc__.split("\n")[0])
    p.add_argument("folder", type=Path, help="a generated dump's folder (articles.jsonl.gz)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", type=Path, help="write the report here")
    args = p.parse_args(argv)
    path = args.folder / "articles.jsonl.gz"
    if not path.exists():
        print(f"Error: {path}: no such file (make one with benchmarks.harness.make_dump)", file=sys.stderr)
        return 2
    result, _ = read([path])
    prepared = prepare(result.articles)
    rep = measure(prepared.articles, prepared.texts, args.rounds)
    rep["command"] = " ".join(["python -m benchmarks.copy_speed", *(argv if argv is not None else sys.argv[1:])])
    for k, r in enumerate(rep["rounds"]):
        stages = ", ".join(f"{s} {v:.2f}" for s, v in r["after_stages"].items())
        print(f"round {k + 1}: before {r['before_s']:.2f} s (cpu {r['before_cpu_s']:.2f}), after {r['after_s']:.2f} s "
              f"(cpu {r['after_cpu_s']:.2f}): x{r['ratio']:.2f} (cpu x{r['cpu_ratio']:.2f}); after: {stages}")
    print(f"median x{rep['median_ratio']:.2f} (cpu x{rep['median_cpu_ratio']:.2f}) over {rep['articles']} articles")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rep, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
