"""The HTML report's cost: build time, file size, and how soon Chromium draws each view.

    python -m benchmarks.html_report [--n 100000] [--seed 1] [--quick] [--data ../shared/data] [--out DIR]

Generates a labelled dump of ``n`` articles (:func:`benchmarks.corpus.generate`), runs ``cluster`` on it,
writes the report, and opens it headless in Chromium once per view (the story list, the largest story, the
largest duplicate group, a search): the page records in ``data-ready`` how many milliseconds after navigation
its first view was drawn. Prints one JSON document. ``--quick`` is n = 2,000.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=60000", "--dump-dom"]
_READY = re.compile(r'<html[^>]*\sdata-ready="(\d+)"')


def first_view_ms(dom: str) -> int | None:
    """The ``data-ready`` stamp of a dumped report DOM (ms after navigation), or None if the script never finished."""
    m = _READY.search(dom[:2000])
    return int(m.group(1)) if m else None


def open_view(chromium: str, page: Path, fragment: str) -> dict:
    with tempfile.TemporaryDirectory() as profile:
        start = time.perf_counter()
        done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", page.resolve().as_uri() + fragment],
                              capture_output=True, text=True, timeout=600)
    return {"view": fragment or "#stories", "first_view_ms": first_view_ms(done.stdout),
            "chromium_seconds": round(time.perf_counter() - start, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.html_report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="n = 2,000")
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the corpora the generator draws from")
    parser.add_argument("--out", help="keep the report in this folder (default: a temporary one)")
    args = parser.parse_args(argv)
    n = 2_000 if args.quick else args.n

    import storyclust
    from storyclust import pipeline
    from storyclust.html_report import build_payload, from_result, render_page

    from .corpus import generate

    dump, _ = generate(n, seed=args.seed, data_dir=args.data)
    t0 = time.perf_counter()
    run = pipeline.run(storyclust.ReadResult(list(dump)), storyclust.DedupConfig(), storyclust.StoryConfig())
    t1 = time.perf_counter()
    payload = build_payload(from_result(run))
    t2 = time.perf_counter()
    html = render_page(payload)
    t3 = time.perf_counter()
    folder = Path(args.out or tempfile.mkdtemp(prefix="storyclust-html-"))
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "report.html"
    page.write_text(html, encoding="utf-8")
    result = {
        "articles": n,
        "stories": len(payload["stories"]),
        "duplicate_groups": len(payload["groups"]),
        "pipeline_seconds": round(t1 - t0, 1),
        "payload_seconds": round(t2 - t1, 1),
        "page_seconds": round(t3 - t2, 1),
        "megabytes": round(len(html.encode("utf-8")) / 1e6, 1),
        "views": [],
    }
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        biggest_group = max(payload["groups"], key=lambda g: len(g["order"]))["id"] if payload["groups"] else 0
        for fragment in ("", f"#story={payload['stories'][0]['id']}", f"#group={biggest_group}", "#stories?q=police"):
            result["views"].append(open_view(chromium, page, fragment))
    else:
        result["views"] = "no chromium found"
    if not args.out:
        shutil.rmtree(folder)
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
