"""Speed, memory and quality of the whole pipeline per corpus size, with baselines measured in the same run.

    python -m benchmarks [--sizes 1000,10000,100000] [--quick] [--data ../shared/data] [--seed 0]
                         [--json OUT] [--no-stories] [--timeout SECONDS] [--set NAME=VALUE ...]

A child process builds the clean base, runs the baselines (datasketch MinHash.bulk / MinHash.update / MinHashLSH,
brute-force pairs, all on the same generated texts) and writes one generated dump per size (benchmarks.corpus, 20%
copies) to a temporary folder. For each size a fresh interpreter then reads its dump and runs the pipeline through the
output files and the report (rendered to a null console), timing every stage, scoring against the truth, and
reporting its own peak RSS (ru_maxrss; the orchestrating process stays small, since a child's ru_maxrss starts at
its parent's peak). Results go to rich tables and to JSON (default benchmarks/out/bench-<timestamp>.json) with the
machine and the exact command. --quick: sizes 1000 and 5000 and small baselines, under a minute.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from rich import box
from rich.console import Console
from rich.table import Table

from benchmarks import base_corpus, harness

OUT = Path(__file__).resolve().parent / "out"
BASELINE_DOCS = {  # signatures (MinHash.bulk), MinHash.update loop, candidates (MinHashLSH), brute-force recall
    "full": {"signature_docs": 2000, "update_docs": 200, "candidate_docs": 10_000, "recall_docs": 1500},
    "quick": {"signature_docs": 500, "update_docs": 50, "candidate_docs": 2000, "recall_docs": 600},
}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated corpus sizes (default 1000,10000,100000; --quick: 1000,5000)")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,5000 and small baselines (under a minute)")
    parser.add_argument("--data", default=str(base_corpus.DEFAULT_DATA),
                        help="shared corpora folder (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default %(default)s)")
    parser.add_argument("--json", type=Path, help="JSON output (default benchmarks/out/bench-<timestamp>.json)")
    parser.add_argument("--no-stories", action="store_true", help="run only the duplicate stage")
    parser.add_argument("--timeout", type=float, help="seconds allowed per size (child process); none by default")
    parser.add_argument("--no-baselines", action="store_true",
                        help="skip the baselines (then no speed ratio is reported)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="change a StoryConfig setting (a Python literal: 3, 0.5, None), repeatable")
    args = parser.parse_args(argv)
    try:
        args.changes = harness.story_changes(args.set)
    except ValueError as e:
        parser.error(str(e))
    try:
        sizes = args.sizes or ("1000,5000" if args.quick else "1000,10000,100000")
        args.size_list = [int(s.replace("_", "")) for s in sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, got {args.sizes!r}")
    if any(n < 1 for n in args.size_list):
        parser.error(f"every size must be >= 1, got {args.sizes!r}")
    return args


# ------------------------------------------------------------------------------------------- tables


def _f(value: float | None, fmt: str = "{:,.2f}") -> str:
    return "-" if value is None else fmt.format(value)


def pipeline_table(sizes: list[dict]) -> Table:
    table = Table(title="Pipeline, seconds per stage (fresh process per size)", box=box.SIMPLE_HEAD,
                  title_justify="left")
    table.add_column("stage")
    for s in sizes:
        table.add_column(f"n={s['n']:,}" + ("" if s.get("stories", True) else " (dedup)"), justify="right")
    ok = [s if s.get("status") == "ok" else None for s in sizes]
    stages = harness.DEDUP_STAGES + harness.STORY_STAGES + ("export+report",)
    for stage in stages:
        table.add_row(stage, *(_f(s["seconds"].get(stage), "{:,.3f}") if s else "-" for s in ok))
    table.add_row("total", *(_f(s["total_s"], "{:,.2f}") if s else sz.get("status", "-") for s, sz in zip(ok, sizes)),
                  style="bold")
    table.add_row("docs/s", *(_f(s["docs_per_s"], "{:,.0f}") if s else "-" for s in ok))
    table.add_row("dedup docs/s (read..group)", *(_f(s["dedup_docs_per_s"], "{:,.0f}") if s else "-" for s in ok))
    table.add_row("peak RSS MiB (ru_maxrss)", *(_f(s["peak_rss_mb"], "{:,.0f}") if s else "-" for s in ok))
    table.add_row("RSS / peak before run MiB", *(f"{s['rss_before_run_mb']:,.0f} / {s['peak_rss_before_run_mb']:,.0f}"
                                                  if s else "-" for s in ok))
    table.add_row("load average (1 min) at start", *(_f(s["loadavg"][0]) if s else "-" for s in ok))
    table.add_row("warm-up s (200 docs, untimed)", *(_f(s["warmup_s"]) if s else "-" for s in ok))
    table.add_row("dump: generate+write s", *(_f(sz["dump"]["plan_s"] + sz["dump"]["write_s"]) for sz in sizes))
    return table


def quality_table(sizes: list[dict]) -> Table:
    table = Table(title="Quality against the generated truth (P / R / F1)", box=box.SIMPLE_HEAD, title_justify="left")
    for name in ("n", "duplicate pairs", "pairs pred / true", "story BCubed", "stories pred / true"):
        table.add_column(name, justify="right")
    for s in sizes:
        if s.get("status") != "ok":
            table.add_row(f"{s['n']:,}", s.get("status", "-"), "-", "-", "-")
            continue
        d = s["quality"]["duplicates"]
        st = s["quality"].get("stories")
        table.add_row(
            f"{s['n']:,}", f"{d['precision']:.4f} / {d['recall']:.4f} / {d['f1']:.4f}",
            f"{d['predicted_pairs']:,} / {d['true_pairs']:,}",
            "{precision:.4f} / {recall:.4f} / {f1:.4f}".format(**st["bcubed"]) if st else "-",
            f"{st['predicted']:,} / {st['true']:,}" if st else "-")
    return table


def signatures_table(sig: dict) -> Table:
    table = Table(title=f"Text -> MinHash signatures ({sig['num_perm']} perms, word {sig['shingle_size']}-grams)",
                  box=box.SIMPLE_HEAD, title_justify="left")
    for name in ("approach", "docs", "seconds", "docs/s", "storyclust speed-up"):
        table.add_column(name, justify="right" if name != "approach" else "left")
    s, b, u = sig["storyclust"], sig["datasketch_bulk"], sig["datasketch_update"]
    table.add_row("storyclust shingle + minhash", f"{sig['docs']:,}", _f(s["seconds"], "{:.3f}"),
                  _f(s["docs_per_s"], "{:,.0f}"), "1")
    table.add_row("datasketch MinHash.bulk (+ Python shingles)", f"{sig['docs']:,}", _f(b["seconds"], "{:.3f}"),
                  _f(b["docs_per_s"], "{:,.0f}"), _f(sig["speedup_vs_bulk"], "{:,.1f}x"))
    table.add_row("  of which MinHash.bulk alone", f"{sig['docs']:,}", _f(b["bulk_s"], "{:.3f}"),
                  _f(b["bulk_only_docs_per_s"], "{:,.0f}"), _f(sig["speedup_vs_bulk_only"], "{:,.1f}x"))
    table.add_row("datasketch MinHash.update per shingle", f"{u['docs']:,}", _f(u["seconds"], "{:.3f}"),
                  _f(u["docs_per_s"], "{:,.0f}"), _f(sig["speedup_vs_update"], "{:,.1f}x"))
    table.caption = f"shingle-count mismatches (Python vs storyclust sets): {sig['shingle_count_mismatches']}"
    return table


def candidates_table(c: dict) -> Table:
    table = Table(title=f"LSH candidates, {c['docs']:,} signatures, {c['bands']} bands x {c['rows']} rows",
                  box=box.SIMPLE_HEAD, title_justify="left")
    for name in ("approach", "seconds", "pairs", "storyclust speed-up"):
        table.add_column(name, justify="right" if name != "approach" else "left")
    d = c["datasketch"]
    table.add_row("storyclust candidate_pairs", _f(c["storyclust"]["seconds"], "{:.3f}"),
                  f"{c['storyclust']['pairs']:,}", "1")
    table.add_row("datasketch MinHashLSH insert + query", _f(d["seconds"], "{:.3f}"), f"{d['pairs']:,}",
                  _f(c["speedup"], "{:,.1f}x"))
    table.add_row("  insert / query / LeanMinHash conversion",
                  f"{d['insert_s']:.3f} / {d['query_s']:.3f} / {d['convert_s']:.3f}", "", "")
    verdict = "[green]identical[/]" if c["identical"] else \
        f"[red]DIFFERENT[/] ({c['only_storyclust']} only storyclust, {c['only_datasketch']} only datasketch)"
    table.caption = f"candidate pair sets: {verdict}"
    return table


def recall_table(r: dict) -> Table:
    table = Table(title=f"LSH recall against brute force ({r['docs']:,} docs, {r['pairs_checked']:,} pairs)",
                  box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("pairs passing the verification rule")
    table.add_column("count", justify="right")
    table.add_column("recall", justify="right")
    table.add_row("all, by LSH candidates", f"{r['positives']:,}", _f(r["candidate_recall"], "{:.4f}"))
    table.add_row("Jaccard >= threshold, by LSH candidates", f"{r['jaccard_positives']:,}",
                  _f(r["candidate_recall_jaccard"], "{:.4f}") + f" (expected {r['expected_recall_jaccard']:.4f})")
    table.add_row("containment only, by LSH candidates", f"{r['containment_only_positives']:,}",
                  _f(r["candidate_recall_containment_only"], "{:.4f}"))
    table.add_row("all, by final verified pairs", f"{r['positives']:,}", _f(r["verified_pair_recall"], "{:.4f}"))
    table.add_row("all, by final duplicate groups", f"{r['positives']:,}", _f(r["group_recall"], "{:.4f}"))
    return table


# ------------------------------------------------------------------------------------------- run


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(width=max(Console().width, 110))
    command = shlex.join([Path(sys.executable).name, "-m", "benchmarks", *(sys.argv[1:] if argv is None else argv)])
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_path = args.json or OUT / f"bench-{stamp}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    data_dir = args.data if Path(args.data).is_dir() else None
    report: dict[str, Any] = {"command": command, "cwd": str(Path.cwd()), "started": datetime.now().isoformat(),
                              "machine": harness.machine(), "seed": args.seed, "stories": not args.no_stories,
                              "changes": args.changes,
                              "data": data_dir or "fixtures/seeds (no data folder)", "baselines": None, "sizes": []}

    def save() -> None:
        out_path.write_text(json.dumps(report, indent=2) + "\n")

    m = report["machine"]
    console.print(f"[bold]{command}[/]\n{m.get('cpu_model', '?')}, {m['cpu_count']} CPUs, {m.get('ram_gib', '?')} GiB, "
                  f"{m['platform']}; " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()))
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="storyclust-bench-"))
    try:
        console.print("preparing (clean base, baselines, dumps) in a child process ...")
        prep = harness.prepare_in_child(tmp, args.size_list, seed=args.seed, data_dir=data_dir,
                                        baseline_docs=None if args.no_baselines else
                                        BASELINE_DOCS["quick" if args.quick else "full"])
        if prep["status"] != "ok":
            console.print(f"[red]preparation failed ({prep['status']})[/]\n{prep.get('stderr', '')}")
            report["prepare"] = prep
            save()
            return 2
        report["clean_base"], report["baselines"] = prep["clean_base"], prep.get("baselines")
        report["prepare_s"] = prep["child_wall_s"]
        save()
        console.print(f"prepared in {prep['child_wall_s']:.1f} s (clean base {prep['clean_base']['seconds']:.1f} s, "
                      f"{prep['clean_base']['articles']:,} articles)")
        if report["baselines"]:
            b = report["baselines"]
            console.print(signatures_table(b["signatures"]), candidates_table(b["candidates"]),
                          recall_table(b["recall"]))

        for n in args.size_list:
            folder = tmp / f"n{n}"
            console.print(f"n={n:,}: measuring in a fresh process ...")
            result = harness.measure_in_child(folder, stories=not args.no_stories, timeout=args.timeout,
                                              changes=args.changes)
            result.setdefault("n", n)
            result["dump"] = prep["dumps"][str(n)]
            report["sizes"].append(result)
            save()
            shutil.rmtree(folder, ignore_errors=True)
            if result["status"] == "ok":
                console.print(f"n={n:,}: {result['total_s']:.1f} s, {result['docs_per_s']:,.0f} docs/s, "
                              f"peak RSS {result['peak_rss_mb']:,.0f} MiB")
            else:
                console.print(f"[red]n={n:,}: {result['status']}[/] {result.get('stderr', '')[-1500:]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    report["wall_s"] = time.perf_counter() - started
    save()
    if report["sizes"]:
        console.print(pipeline_table(report["sizes"]), quality_table(report["sizes"]))
    console.print(f"JSON: {out_path}  ({report['wall_s']:.0f} s in all)")
    if report["baselines"] and not report["baselines"]["candidates"]["identical"]:
        console.print("[red]storyclust and datasketch MinHashLSH gave different candidate pairs[/]")
        return 1
    return 0 if all(s["status"] == "ok" for s in report["sizes"]) else 2


if __name__ == "__main__":
    sys.exit(main())
