"""Copy precision on real news: every row of issue 15's targets table, in one command.

    python -m benchmarks.copy_quality [--data ../shared/data] [--json OUT] [--only reuters,gva,googlenews,bbc]
                                      [--rewrites] [--rewrite-seeds 0,1,2] [--stories] [--seeds 1]

Rows (default settings, corpora read as a user reads them):
- reuters_jun_oct: among verified pairs whose two headlines both name a ticker (``<XYZ>``), the share naming
  different tickers (no ticker in common). The tickers are only the measuring stick; the product never sees them.
- gva_incidents (read with ``--skip-bad``: 109 texts are empty): the share of verified pairs inside one incident
  (the two articles share any of ``incident_ids``); and the recall of within-incident reprints: pairs of articles
  of one incident, neither ``text_is_boilerplate``, whose exact word 5-gram Jaccard on the original texts is at
  least 0.5, found when both articles are in one duplicate group.
- googlenews_yin: groups of byte-identical headlines (2+ records), found when all members are in one duplicate
  group.
- bbc2225: labelled exact pairs (``exact_dup_group``) found in one duplicate group.
- ``--rewrites``: ``python -m benchmarks.dedup_quality`` on the generated rewrites, recall and precision per seed.
- ``--stories``: story BCubed F1 of BASIL, PAC and GoogleNews-T (``benchmarks.eval_all``'s corpus definitions) and
  of GVA (``cluster_id``), seeds as given.

Only the public pipeline (``storyclust.pipeline.read`` / ``run``, the result's pairs and groups) is used, so the
script measures any version of the duplicate stage.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import eval_all
from storyclust.settings import DedupConfig
from storyclust.evaluate import score_result
from storyclust.pipeline import read, run
from storyclust.settings import StoryConfig

DEFAULT_DATA = eval_all.DEFAULT_DATA
TICKER = re.compile(r"<([^<>\s]+)>")
WORD = re.compile(r"\w+")
REPRINT_JACCARD = 0.5
GVA_LABEL = "cluster_id"
PARTS = ("reuters", "gva", "googlenews", "bbc")
STORY_CORPORA = ("basil", "pac_partisan_events", "googlenews_yin")  # GVA is scored on its own run, in gva()


def _path(data: Path, name: str) -> Path:
    return data / name / "articles.jsonl.gz"


def _run(data: Path, name: str, *, skip_bad: bool = False, stories: StoryConfig | None = None, seed: int = 1):
    result, seconds = read([_path(data, name)], skip_bad=skip_bad)
    t = time.perf_counter()
    outcome = run(result, replace(DedupConfig(), seed=seed), stories, read_seconds=seconds)
    return outcome, time.perf_counter() - t


def _counts(outcome) -> dict[str, Any]:
    d = outcome.dedup
    out = {"articles": len(outcome.articles), "verified_pairs": int(len(d.pairs)), "groups": len(d.groups),
           "copies": int(d.copies), "empty": int(d.empty)}
    thin = getattr(d, "thin", None)
    if thin is not None:
        out["thin"] = int(np.asarray(thin).sum())
    return out


def reuters(data: Path) -> dict[str, Any]:
    outcome, seconds = _run(data, "reuters_jun_oct")
    tickers = [set(TICKER.findall(a.title)) for a in outcome.articles]
    both = different = 0
    examples = []
    for i, j in outcome.dedup.pairs.tolist():
        if tickers[i] and tickers[j]:
            both += 1
            if not tickers[i] & tickers[j]:
                different += 1
                examples.append([outcome.articles[i].title, outcome.articles[j].title])
    return {**_counts(outcome), "seconds": round(seconds, 2), "ticker_pairs": both, "different_ticker_pairs": different,
            "different_share": different / both if both else 0.0, "examples": examples[:20]}


def _words5(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return {tuple(words[k : k + 5]) for k in range(len(words) - 4)}


def _exact_jaccard(a: set, b: set) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def reprint_pairs(articles) -> list[tuple[int, int, float]]:
    """Pairs (i, j, Jaccard) of non-boilerplate articles of one incident with exact word 5-gram Jaccard >= 0.5."""
    by_incident: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(articles):
        if not a.metadata.get("text_is_boilerplate"):
            for incident in a.metadata.get("incident_ids") or ():
                by_incident[incident].append(i)
    grams: dict[int, set] = {}
    found = set()
    for members in by_incident.values():
        for i, j in combinations(sorted(set(members)), 2):
            if (i, j) in found:
                continue
            gi = grams.setdefault(i, _words5(articles[i].text))
            gj = grams.setdefault(j, _words5(articles[j].text))
            if gi and gj and _exact_jaccard(gi, gj) >= REPRINT_JACCARD:
                found.add((i, j))
    return sorted((i, j, _exact_jaccard(grams[i], grams[j])) for i, j in found)


def gva(data: Path, stories: bool, seeds: list[int]) -> dict[str, Any]:
    runs = []
    for seed in seeds if stories else [1]:
        runs.append(_run(data, "gva_incidents", skip_bad=True, seed=seed,
                         stories=replace(StoryConfig(), random_state=seed) if stories else None))
    outcome, seconds = runs[0]
    articles, d = outcome.articles, outcome.dedup
    incidents = [set(a.metadata.get("incident_ids") or ()) for a in articles]
    inside = sum(bool(incidents[i] & incidents[j]) for i, j in d.pairs.tolist())
    chrome = [bool(a.metadata.get("text_is_boilerplate")) for a in articles]
    boiler = sum(chrome[i] or chrome[j] for i, j in d.pairs.tolist() if not incidents[i] & incidents[j])
    reprints = reprint_pairs(articles)
    group_of = d.group_of
    hit = {(i, j) for i, j, _ in reprints if group_of[i] >= 0 and group_of[i] == group_of[j]}
    sizes = sorted((len(g.members) for g in d.groups), reverse=True)
    out = {**_counts(outcome), "seconds": round(seconds, 2), "inside_incident_pairs": inside,
           "inside_share": inside / len(d.pairs) if len(d.pairs) else 1.0,
           "outside_pairs_with_boilerplate_page": boiler, "largest_groups": sizes[:5],
           "reprint_pairs": len(reprints), "reprints_found": len(hit),
           "reprint_recall": len(hit) / len(reprints) if reprints else 1.0,
           "missed_reprints": [[articles[i].id, articles[j].id, round(s, 3)] for i, j, s in reprints
                               if (i, j) not in hit][:20]}
    if stories:
        f1 = [score_result(o, GVA_LABEL)["stories"]["bcubed"]["f1"] for o, _ in runs]
        out["story_f1"] = {"mean": float(np.mean(f1)), "per_seed": dict(zip(map(str, seeds), f1))}
    return out


def googlenews(data: Path) -> dict[str, Any]:
    outcome, seconds = _run(data, "googlenews_yin")
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(outcome.articles):
        by_title[a.title].append(i)
    groups = [m for m in by_title.values() if len(m) > 1]
    g = outcome.dedup.group_of
    found = sum(g[m[0]] >= 0 and all(g[x] == g[m[0]] for x in m) for m in groups)
    members = {x for m in groups for x in m}
    # verified pairs joining two different headlines
    other = sum(outcome.articles[i].title != outcome.articles[j].title for i, j in outcome.dedup.pairs.tolist())
    return {**_counts(outcome), "seconds": round(seconds, 2), "identical_headline_groups": len(groups),
            "groups_found": found, "articles_in_groups": len(members), "pairs_of_different_headlines": other}


def bbc(data: Path) -> dict[str, Any]:
    outcome, seconds = _run(data, "bbc2225")
    by_label: dict[Any, list[int]] = defaultdict(list)
    for i, a in enumerate(outcome.articles):
        if a.metadata.get("exact_dup_group") is not None:
            by_label[a.metadata["exact_dup_group"]].append(i)
    pairs = [(i, j) for m in by_label.values() for i, j in combinations(m, 2)]
    g = outcome.dedup.group_of
    found = sum(g[i] >= 0 and g[i] == g[j] for i, j in pairs)
    return {**_counts(outcome), "seconds": round(seconds, 2), "labelled_pairs": len(pairs), "pairs_found": found}


def rewrites(data: Path, seeds: list[int]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dq.json"
        cmd = [sys.executable, "-m", "benchmarks.dedup_quality", "--data", str(data), "--seed", *map(str, seeds),
               "--json", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
        report = json.loads(out.read_text())
    per_seed = {}
    for r in report["runs"]:
        m = r["default"]["metrics"]
        per_seed[str(r["seed"])] = {"precision": m["precision"], "recall": m["recall"], "fp": m["fp"], "fn": m["fn"]}
    return {"per_seed": per_seed, "min_recall": min(v["recall"] for v in per_seed.values()),
            "min_precision": min(v["precision"] for v in per_seed.values())}


def story_f1(data: Path, seeds: list[int]) -> dict[str, Any]:
    out = {}
    for corpus in eval_all.CORPORA:
        if corpus.name not in STORY_CORPORA or not _path(data, corpus.name).exists():
            continue
        f1 = [eval_all.evaluate(corpus, data, seed)["stories"]["bcubed"]["f1"] for seed in seeds]
        out[corpus.name] = {"mean": float(np.mean(f1)), "per_seed": dict(zip(map(str, seeds), f1))}
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def table(rep: dict[str, Any]) -> str:
    rows = ["| set | measure | value |", "|---|---|---|"]
    if "reuters" in rep:
        r = rep["reuters"]
        rows.append("| reuters_jun_oct | different-ticker pairs among verified pairs with a ticker in both headlines "
                    f"| {r['different_ticker_pairs']} / {r['ticker_pairs']} ({_pct(r['different_share'])}) |")
    if "gva" in rep:
        g = rep["gva"]
        rows.append(f"| gva_incidents | verified pairs inside one incident | {g['inside_incident_pairs']} / "
                    f"{g['verified_pairs']} ({_pct(g['inside_share'])}); largest groups {g['largest_groups']} |")
        rows.append(f"| gva_incidents | within-incident reprints found (5-gram J >= {REPRINT_JACCARD}) | "
                    f"{g['reprints_found']} / {g['reprint_pairs']} ({g['reprint_recall']:.3f}) |")
    if "googlenews" in rep:
        g = rep["googlenews"]
        rows.append(f"| googlenews_yin | groups of byte-identical headlines found | {g['groups_found']} / "
                    f"{g['identical_headline_groups']} |")
    if "rewrites" in rep:
        r = rep["rewrites"]
        if "error" in r:
            rows.append(f"| generated rewrites | recall at precision | error: {r['error']} |")
        else:
            cells = ", ".join(f"seed {s}: R {v['recall']:.4f} P {v['precision']:.4f}" for s, v in r["per_seed"].items())
            rows.append(f"| generated rewrites | recall / precision | {cells} |")
    if "bbc" in rep:
        b = rep["bbc"]
        rows.append(f"| bbc2225 | labelled exact pairs found | {b['pairs_found']} / {b['labelled_pairs']} |")
    for name, s in rep.get("stories", {}).items():
        seeds = ", ".join(f"{v:.3f}" for v in s["per_seed"].values())
        rows.append(f"| {name} | story BCubed F1 | {s['mean']:.3f} ({seeds}) |")
    if "story_f1" in rep.get("gva", {}):
        s = rep["gva"]["story_f1"]
        rows.append(f"| gva_incidents | story BCubed F1 | {s['mean']:.3f} |")
    for name in PARTS:
        if name in rep and "thin" in rep[name]:
            rows.append(f"| {name} | thin articles | {rep[name]['thin']} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks.copy_quality", description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the corpora (default ../shared/data)")
    p.add_argument("--json", type=Path, help="write the full report here")
    p.add_argument("--only", help=f"comma-separated parts of {','.join(PARTS)} (default all)")
    p.add_argument("--rewrites", action="store_true", help="also run benchmarks.dedup_quality on generated rewrites")
    p.add_argument("--rewrite-seeds", default="0,1,2")
    p.add_argument("--stories", action="store_true", help="also score story BCubed F1 (BASIL, PAC, GoogleNews-T, GVA)")
    p.add_argument("--seeds", default="1", help="seeds of the story runs (default 1)")
    args = p.parse_args(argv)
    if not args.data.is_dir():
        print(f"Error: {args.data}: no corpora folder (pass --data)", file=sys.stderr)
        return 2
    parts = args.only.split(",") if args.only else list(PARTS)
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        p.error(f"unknown parts {unknown}; choose from {','.join(PARTS)}")
    seeds = [int(s) for s in args.seeds.split(",")]
    rep: dict[str, Any] = {"command": " ".join(["python -m benchmarks.copy_quality", *argv])}
    if "reuters" in parts:
        rep["reuters"] = reuters(args.data)
    if "gva" in parts:
        rep["gva"] = gva(args.data, args.stories, seeds)
    if "googlenews" in parts:
        rep["googlenews"] = googlenews(args.data)
    if "bbc" in parts:
        rep["bbc"] = bbc(args.data)
    if args.rewrites:
        rep["rewrites"] = rewrites(args.data, [int(s) for s in args.rewrite_seeds.split(",")])
    if args.stories:
        rep["stories"] = story_f1(args.data, seeds)
    print(table(rep))
    print(f"\ncommand: {rep['command']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rep, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
