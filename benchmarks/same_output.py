"""Check that the working tree writes byte-identical output files to a git revision, on every corpus.

    python -m benchmarks.same_output [--rev main] [--data ../shared/data] [--only NAME ...] [--cache DIR]

For a change that must not change behaviour (a refactor): the revision is checked out into a temporary git
worktree, and ``storyclust cluster --output`` runs from both source trees on the bundled fixtures and on every
corpus in the data folder (each read as ``benchmarks.eval_all`` reads it). ``articles.jsonl``,
``duplicates.jsonl`` and ``stories.jsonl`` are compared byte for byte and must match; ``summary.json`` holds
timings and settings names, so a difference in it beyond its seconds is only noted. Exits 1 if any compared
file differs, after naming each.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"
COMPARED = ("articles.jsonl", "duplicates.jsonl", "stories.jsonl")
# Input mapping per corpus, as benchmarks.eval_all reads them (not tuning); every corpus is read with
# --skip-bad, since some hold records with an empty text.
OPTIONS = {
    "basil": ["--unique-ids"],
    "pac_partisan_events": ["--title-field", "headline"],
}
RUNNER = "import sys; sys.path.insert(0, sys.argv.pop(1)); from storyclust.cli import main; main()"


def inputs(data: Path, only: list[str]) -> dict[str, list[str]]:
    """Each input set's name and its command-line arguments."""
    sets = {"fixtures": [str(ROOT / "fixtures" / "seeds"), str(ROOT / "fixtures" / "wire")]}
    if data.is_dir():
        for dump in sorted(data.glob("*/articles.jsonl.gz")):
            name = dump.parent.name
            sets[name] = [str(dump), "--skip-bad", *OPTIONS.get(name, [])]
    return {k: v for k, v in sets.items() if not only or k in only}


def run_tree(tree: Path, args: list[str], out: Path) -> None:
    """``storyclust cluster ARGS --output OUT`` with the package imported from ``tree``."""
    cmd = [sys.executable, "-c", RUNNER, str(tree), "cluster", *args, "--output", str(out), "--format", "json"]
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"Error: {tree}: storyclust cluster {' '.join(args)} failed: {done.stderr.strip()}")


def summary_without_timings(path: Path) -> dict:
    doc = json.loads(path.read_text())
    doc.pop("seconds", None)
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.same_output", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="main", help="git revision to compare against (default %(default)s)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="corpora folder (default %(default)s)")
    parser.add_argument("--only", action="append", default=[], help="compare only this input set (repeatable)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "storyclust-same",
                        help="the revision's output folders are kept here, by commit, and reused (default %(default)s)")
    args = parser.parse_args(argv)
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", args.rev], check=True, capture_output=True,
                         text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="storyclust-same-") as tmp:
        base = Path(tmp) / "rev"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), sha],
                       check=True, capture_output=True)
        try:
            differ = 0
            for name, cli_args in inputs(args.data, args.only).items():
                before, after = args.cache / sha / name, Path(tmp) / name
                if not (before / "summary.json").exists():
                    run_tree(base, cli_args, before)
                run_tree(ROOT, cli_args, after)
                bad = [f for f in COMPARED if not filecmp.cmp(before / f, after / f, shallow=False)]
                note = ""
                if summary_without_timings(before / "summary.json") != summary_without_timings(after / "summary.json"):
                    note = " (summary.json differs beyond its seconds)"
                print(f"{name}: {'identical' if not bad else 'DIFFERENT: ' + ', '.join(bad)}{note}", flush=True)
                differ += bool(bad)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], capture_output=True)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
