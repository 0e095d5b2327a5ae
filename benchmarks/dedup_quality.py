"""Duplicate-detection quality of storyclust on wire-copy rewrites of real articles, over a clean base.

    python -m benchmarks.dedup_quality [--data ../shared/data] [--seed 0 [1 2 ...]] [--originals 600]
                                       [--copies-per-original 1..3] [--json OUT] [--sweep] [--jaccard-threshold X ...]

Base: bbc2225, BASIL and PAC through :func:`benchmarks.base_corpus.distinct` (pairwise at most 0.1 3-gram Jaccard
and 0.3 containment, 50+ words), so it holds no unlabelled copy; a same-event pair over those bounds is a real copy (one side
dropped, counted). ``--originals`` BBC articles (by seed) get 1-3 rewrites (:func:`benchmarks.corpus.make_copy`, i.e.
:func:`benchmarks.synth.rewrite`); other BBC articles stay unique; BASIL/PAC same-event pairs are the hard negatives.
Every base pair being under the bounds, i.e. under every threshold of the grid, a base pair can only be joined through
a copy. Scores are over pairs sharing a duplicate group of :func:`storyclust.pipeline.run`. ``--sweep`` runs the full
grid: :func:`storyclust.dedup.deduplicate` once per (shingle_size, lsh_threshold) at near-zero thresholds, then its
own rule per threshold pair; the default row must equal the pipeline run (checked). Several seeds: the settings
meeting the target on all of them are listed.
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Column, Table

from benchmarks import base_corpus, corpus
from storyclust.dedup import deduplicate
from storyclust.dedup.groups import group_pairs
from storyclust.dedup.lsh import expected_recall
from storyclust.dedup.shingles import shingle
from storyclust.dedup.verify import overlaps
from storyclust.records import Article, ReadResult
from storyclust.pipeline import run
from storyclust.settings import DedupConfig

PERCENTILES = (0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 100)
TARGET_RECALL, TARGET_PRECISION = 0.95, 0.98
GRID = {"shingle_size": (2, 3, 4, 5), "lsh_threshold": (0.15, 0.2, 0.3),
        "jaccard_threshold": (0.2, 0.25, 0.3, 0.35, 0.4), "containment_threshold": (0.4, 0.5, 0.6, 0.7, 0.8)}
SETTING = tuple(GRID)
NAMES = {"bbc2225": "bbc", "basil": "basil", "pac_partisan_events": "pac"}
GROUPS = ("copy vs original", "copy vs copy", "hard negatives")


@dataclass
class Bench:
    articles: list[Article]
    kind: list[str]  # "bbc", "copy", "basil", "pac"
    truth: np.ndarray  # group label per article (an original's index for it and its copies)
    pairs: np.ndarray  # true pairs (i, j)
    pair_kind: list[str]  # "copy vs original", "copy vs copy"
    hard: np.ndarray  # same-event pairs of different outlets (hard negatives)
    stats: dict[str, Any]


def clean_base(data: Path, config: DedupConfig, console: Console) -> tuple[list[Article], dict[str, Any]]:
    """distinct() over bbc2225 + BASIL + PAC, and the same-event pairs it found over its bounds."""
    base = base_corpus.base_articles(data, tuple(NAMES))
    info: dict[str, Any] = {}
    clean = base_corpus.distinct(base, report=info)
    event = {a.id: (m["corpus"], m.get(corpus.STORY_LABELS.get(m["corpus"], ""))) for a in base for m in [a.metadata]}
    same = [q for q in info.pop("pairs") if event[q["a"]] == event[q["b"]] and event[q["a"]][1] is not None]
    over = [q for q in same if q["jaccard"] >= config.jaccard_threshold
            or q["containment"] >= config.containment_threshold]
    info.update(loaded=dict(Counter(a.metadata["corpus"] for a in base)), same_event_pairs_over_bounds=same,
                kept=dict(Counter(a.metadata["corpus"] for a in clean)))
    worst = {k: _f(max([q[k] for q in same], default=0)) for k in ("jaccard", "containment")}
    console.print(f"clean base: {info['loaded']} -> {info['kept']}; {info['short']} under 50 words; "
                  f"{info['copy_pairs']} pairs over J 0.1 / C 0.3, {info['dropped']} dropped. Same-event pairs over "
                  f"them (real copies, one side dropped): {len(same)}, max {worst}; {len(over)} reach the "
                  "verification thresholds")
    return clean, info


def build(clean: list[Article], seed: int, n_originals: int, copies: tuple[int, ...]) -> Bench:
    bbc = [a for a in clean if a.metadata["corpus"] == "bbc2225"]
    if n_originals > len(bbc):
        raise SystemExit(f"--originals {n_originals} is more than the {len(bbc)} distinct BBC articles")
    chosen = {a.id for a in random.Random(seed).sample(bbc, n_originals)}
    articles, truth, pairs, pair_kind, events = [], [], [], [], defaultdict(list)
    for a in clean:
        i = len(articles)
        articles.append(a)
        truth.append(i)
        if a.metadata["corpus"] in corpus.STORY_LABELS:
            events[(a.metadata["corpus"], a.metadata[corpus.STORY_LABELS[a.metadata["corpus"]]])].append(i)
        if a.id in chosen:
            rng = random.Random(f"storyclust-dedup-benchmark:{seed}:{a.id}")
            for k in range(1, rng.randint(*copies) + 1):
                pairs += [(j, len(articles)) for j in range(i, len(articles))]
                pair_kind += ["copy vs original"] + ["copy vs copy"] * (k - 1)
                articles.append(corpus.make_copy(a, rng, id=f"{a.id}~rw{k}", source=f"wire-{k}"))
                truth.append(i)
    kind = ["copy" if "ops" in a.metadata else NAMES[a.metadata["corpus"]] for a in articles]
    hard = [(m[x], m[y]) for m in events.values() for x in range(len(m)) for y in range(x + 1, len(m))]
    stats = {"articles": len(articles), "by_kind": dict(Counter(kind)), "originals": n_originals,
             "true_pairs": dict(Counter(pair_kind)), "hard_negative_pairs": len(hard),
             "rewrite_ops": dict(Counter(op for a in articles for op in a.metadata.get("ops", ())))}
    as_pairs = lambda x: np.array(x, np.int64).reshape(-1, 2)  # noqa: E731
    return Bench(articles, kind, np.array(truth), as_pairs(pairs), pair_kind, as_pairs(hard), stats)


def _within(labels: np.ndarray) -> int:  # pairs of items sharing a label
    return int(sum(c * (c - 1) // 2 for c in np.unique(labels, return_counts=True)[1].tolist()))


def score(b: Bench, labels: np.ndarray, detail: bool = False) -> dict[str, Any]:
    """Pair precision / recall / F1 of group ``labels``; ``detail`` adds recall by rewrite and false pairs by kind."""
    predicted, actual = _within(labels), len(b.pairs)
    tp = _within(labels.astype(np.int64) * (len(labels) + 1) + b.truth)
    p, r = tp / max(predicted, 1), tp / max(actual, 1)
    fp_hard = int((labels[b.hard[:, 0]] == labels[b.hard[:, 1]]).sum())
    out: dict[str, Any] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                           "true_pairs": actual, "predicted_pairs": predicted, "tp": tp, "fp": predicted - tp,
                           "fn": actual - tp, "fp_hard_negative": fp_hard, "fp_other": predicted - tp - fp_hard,
                           "meets_target": r >= TARGET_RECALL and p >= TARGET_PRECISION}
    if not detail:
        return out
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (i, j), kind, hit in zip(b.pairs.tolist(), b.pair_kind, (labels[b.pairs[:, 0]] == labels[b.pairs[:, 1]])):
        names, m = [f"kind: {kind}"], b.articles[j].metadata
        if kind == "copy vs original":
            rate, keep = m["substitute_rate"], m["truncate_keep"]
            names += [f"op: {op}" for op in m["ops"]]
            if rate is not None:
                names.append(f"substitute rate {'< 0.05' if rate < 0.05 else '0.05-0.10' if rate < 0.1 else '> 0.10'}")
            if keep is not None:
                names.append(f"truncate keep {'< 0.6' if keep < 0.6 else '0.6-0.75' if keep < 0.75 else '>= 0.75'}")
            if rate is not None and keep is not None and rate > 0.1 and keep < 0.6:
                names.append("truncate keep < 0.6 and substitute rate > 0.10")
        for name in names:
            rows[name] = [rows[name][0] + int(hit), rows[name][1] + 1]
    out["recall_by"] = {k: {"found": f, "pairs": t, "recall": f / t} for k, (f, t) in sorted(rows.items())}
    hard, cats = set(map(tuple, b.hard.tolist())), Counter()
    order = np.argsort(labels, kind="stable")
    for g in np.split(order, np.flatnonzero(np.diff(labels[order])) + 1):
        for i, j in ((min(x, y), max(x, y)) for n, x in enumerate(g.tolist()) for y in g.tolist()[n + 1:]):
            if b.truth[i] != b.truth[j]:
                cats["hard negative (same event)" if (i, j) in hard else "copy vs another article"
                     if "copy" in (b.kind[i], b.kind[j]) else f"{b.kind[i]} vs {b.kind[j]}"] += 1
    out["fp_by_category"] = dict(cats)
    return out


def _pct(x: np.ndarray) -> dict[str, float]:
    return {f"p{p}": float(v) for p, v in zip(PERCENTILES, np.percentile(x, PERCENTILES) if len(x) else [np.nan] * 11)}


def overlap_report(b: Bench, texts: list[str], cfg: DedupConfig, top: int = 8) -> dict[str, Any]:
    """Exact shingle Jaccard / containment percentiles of the true pairs and of the hard negatives."""
    sh, kinds = shingle(texts, cfg.shingle_size), np.array(b.pair_kind)
    out: dict[str, Any] = {"shingle_size": cfg.shingle_size}
    for name, pairs in zip(GROUPS, (b.pairs[kinds == GROUPS[0]], b.pairs[kinds == GROUPS[1]], b.hard)):
        j, c = overlaps(sh, pairs[:, 0], pairs[:, 1])
        small = np.minimum(sh.sizes[pairs[:, 0]], sh.sizes[pairs[:, 1]])
        ok = (j >= cfg.jaccard_threshold) | ((c >= cfg.containment_threshold) & (small >= cfg.min_containment_shingles))
        rank = np.argsort(np.maximum(j, c) * (1 if name == "hard negatives" else -1), kind="stable")[::-1][:top]
        out[name] = {"n": len(pairs), "jaccard": _pct(j), "containment": _pct(c), "passing_verification": int(ok.sum()),
                     "lsh_expected_recall": expected_recall(j, *cfg.bands_rows),
                     "extreme": [{"a": b.articles[pairs[q, 0]].id, "b": b.articles[pairs[q, 1]].id,
                                  "jaccard": float(j[q]), "containment": float(c[q])} for q in rank]}
    return out


def sweep(b: Bench, texts: list[str], cfg: DedupConfig, default_pairs: np.ndarray) -> dict:
    rows, by_k, grid = [], {}, {f: sorted({*v, getattr(cfg, f)}) for f, v in GRID.items()}
    for k in grid["shingle_size"]:
        report = overlap_report(b, texts, replace(cfg, shingle_size=k), 0)
        by_k[k] = {n: {m: report[n][m] for m in ("jaccard", "containment")} for n in GROUPS}
        sizes = shingle(texts, k).sizes
        for lt in grid["lsh_threshold"]:
            res = deduplicate(b.articles, texts, replace(cfg, shingle_size=k, lsh_threshold=lt, jaccard_threshold=1e-9,
                                                         containment_threshold=1e-9, min_containment_shingles=0))
            small = np.minimum(sizes[res.pairs[:, 0]], sizes[res.pairs[:, 1]])
            for jt in grid["jaccard_threshold"]:
                for ct in grid["containment_threshold"]:
                    c = replace(cfg, shingle_size=k, lsh_threshold=lt, jaccard_threshold=jt, containment_threshold=ct)
                    ok = (res.jaccard >= jt) | ((res.containment >= ct) & (small >= c.min_containment_shingles))
                    if c == cfg and not np.array_equal(res.pairs[ok], default_pairs):
                        raise SystemExit("sweep check failed: the default row differs from the pipeline run")
                    rows.append({**{f: getattr(c, f) for f in SETTING}, "bands_rows": c.bands_rows,
                                 "candidates": len(res.pairs), "default": c == cfg,
                                 **score(b, group_pairs(len(texts), res.pairs[ok]))})
    return {"rows": rows, "overlap_by_shingle_size": by_k, "check": "default row == pipeline run (verified pairs)"}


def _f(x: float, d: int = 3) -> str:
    return f"{x:.{d}f}"


def _table(title: str, cols: list[str], rows: list[list[str]]) -> Table:
    t = Table(*(Column(c, justify="left" if c in ("pairs", "distribution") else "right") for c in cols), title=title,
              title_justify="left")
    for r in rows:
        t.add_row(*r)
    return t


def _grid(title: str, cells: dict[tuple, tuple[float, float, bool]]) -> Table:
    """Rows (shingle size, LSH, Jaccard thr.), columns containment thr., cells "precision / recall" (* = target met)."""
    cons = sorted({key[3] for key in cells})
    rows = [[str(k), str(lt), str(jt), *(f"[green]{_f(p)} / {_f(r)} *[/]" if ok else f"{_f(p)} / {_f(r)}  " for p, r, ok
             in (cells[(k, lt, jt, c)] for c in cons))] for k, lt, jt in dict.fromkeys(x[:3] for x in cells)]
    return _table(title, ["k", "lsh", "J thr", *(f"C thr {c}" for c in cons)], rows)


def render(console: Console, rep: dict[str, Any]) -> None:
    d, m, o = rep["default"], rep["default"]["metrics"], rep["default"]["overlaps"]
    console.print(f"corpus (seed {rep['seed']}): {rep['corpus']}")
    keys = ("precision", "recall", "f1", "true_pairs", "predicted_pairs", "tp", "fp", "fn", "fp_hard_negative",
            "fp_other")
    console.print(_table(f"Default settings {d['config']}", [*keys, "target"], [[*(_f(m[k], 4) if k in keys[:3] else
                         str(m[k]) for k in keys), "[green]met[/]" if m["meets_target"] else "[red]missed[/]"]]))
    console.print(_table("Recall by pair kind and, for copy vs original, by rewrite", ["pairs", "found", "n", "recall"],
                         [[k, str(v["found"]), str(v["pairs"]), _f(v["recall"], 4)]
                          for k, v in m["recall_by"].items()]))
    pair = lambda e: f"{e['a']}/{e['b']} J={_f(e['jaccard'])} C={_f(e['containment'])}"  # noqa: E731
    console.print(f"false-positive pairs by category: {m['fp_by_category']}; verified pairs joining different truth "
                  f"groups ({len(d['false_edges'])}): " + "; ".join(map(pair, d["false_edges"][:10])))
    console.print(_table(f"Exact {o['shingle_size']}-gram overlaps of the cleaned texts",
                         ["distribution", "min", *(f"p{p}" for p in PERCENTILES[1:-1]), "max"],
                         [[f"{n}: {x}", *(_f(o[n][x][f"p{p}"]) for p in PERCENTILES)]
                          for n in GROUPS for x in ("jaccard", "containment")]))
    for n in GROUPS:
        console.print(f"{n}: {o[n]['passing_verification']} of {o[n]['n']} pass verification; LSH expected candidate "
                      f"recall {_f(o[n]['lsh_expected_recall'], 4)}; most extreme: "
                      + "; ".join(map(pair, o[n]["extreme"][:4])))
    if "sweep" in rep:
        rows = rep["sweep"]["rows"]
        console.print(_grid(f"Sweep, precision / recall (* green: recall >= {TARGET_RECALL} at precision >= "
                            f"{TARGET_PRECISION}, {sum(r['meets_target'] for r in rows)} of {len(rows)} settings)",
                            {tuple(r[k] for k in SETTING): (r["precision"], r["recall"], r["meets_target"])
                             for r in rows}))
        cols = [(GROUPS[g], x, q) for g, x, qs in ((0, "jaccard", "p1 p50"), (0, "containment", "p1 p50"),
                (2, "jaccard", "p99 p100"), (2, "containment", "p99 p100")) for q in qs.split()]
        console.print(_table("Overlap percentiles by shingle size",
                             ["k", *(f"{n.split()[0]} {x[0].upper()} {q}" for n, x, q in cols)],
                             [[str(k), *(_f(v[n][x][q]) for n, x, q in cols)]
                              for k, v in rep["sweep"]["overlap_by_shingle_size"].items()]))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks.dedup_quality", description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=base_corpus.DEFAULT_DATA, help="folder of the corpora")
    p.add_argument("--seed", type=int, nargs="+", default=[0], help="one or more seeds (the sweep summarises all)")
    p.add_argument("--originals", type=int, default=600)
    p.add_argument("--copies-per-original", default="1..3", metavar="A..B")
    p.add_argument("--json", type=Path, help="write the full report here")
    p.add_argument("--sweep", action="store_true", help="also evaluate the settings grid")
    for f in (fields := (*SETTING, "min_containment_shingles")):
        p.add_argument("--" + f.replace("_", "-"), type=int if "size" in f or "shingles" in f else float)
    args = p.parse_args(argv)
    lo, _, hi = args.copies_per_original.partition("..")
    copies = (int(lo), int(hi or lo))
    if not args.data.is_dir():
        raise SystemExit(f"no data folder {args.data} (this benchmark needs bbc2225, basil and pac_partisan_events)")
    console = Console(width=max(Console().width, 160))
    command = shlex.join(["python", "-m", "benchmarks.dedup_quality", *argv])
    console.print(f"[bold]command:[/] {command}")
    config = DedupConfig(**{f: getattr(args, f) for f in fields if getattr(args, f) is not None})
    clean, clean_info = clean_base(args.data, config, console)
    reports = []
    for seed in args.seed:
        b = build(clean, seed, args.originals, copies)
        result = run(ReadResult(list(b.articles)), config)
        texts, dd = result.prepared.texts, result.dedup
        false_edges = sorted(({"a": b.articles[i].id, "b": b.articles[j].id, "jaccard": jv, "containment": cv}
                              for (i, j), jv, cv in zip(dd.pairs.tolist(), dd.jaccard.tolist(), dd.containment.tolist())
                              if b.truth[i] != b.truth[j]), key=lambda e: -e["jaccard"])
        rep: dict[str, Any] = {"seed": seed, "corpus": b.stats, "default": {
            "config": config.describe(), "metrics": score(b, group_pairs(len(texts), dd.pairs), detail=True),
            "candidates": dd.candidates, "verified_pairs": len(dd.pairs), "false_edges": false_edges,
            "overlaps": overlap_report(b, texts, config)}}
        if args.sweep:
            rep["sweep"] = sweep(b, texts, config, dd.pairs)
        render(console, rep)
        reports.append(rep)
    out: dict[str, Any] = {"command": command, "data": str(args.data.resolve()), "clean_base": clean_info,
                           "target": {"recall": TARGET_RECALL, "precision": TARGET_PRECISION}, "runs": reports}
    if args.sweep and len(reports) > 1:
        per_seed = [{tuple(r[k] for k in SETTING): r for r in rep["sweep"]["rows"]} for rep in reports]
        cells = {key: (min(s[key]["precision"] for s in per_seed), min(s[key]["recall"] for s in per_seed),
                       all(s[key]["meets_target"] for s in per_seed)) for key in per_seed[0]}
        out["met_on_all_seeds"] = [{**dict(zip(SETTING, key)), "min_precision": p_, "min_recall": r_}
                                   for key, (p_, r_, ok) in cells.items() if ok]
        console.print(_grid(f"Across seeds {args.seed}: min precision / min recall (* green: target met on every seed, "
                            f"{len(out['met_on_all_seeds'])} of {len(cells)} settings)", cells))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2, default=str) + "\n")
    return out


if __name__ == "__main__":
    main()
