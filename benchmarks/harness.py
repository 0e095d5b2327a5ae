"""The speed, memory and quality benchmark of the whole pipeline, one corpus size at a time.

    clean_base(data_dir)               benchmarks.base_corpus's clean base, cached on disk (benchmarks/out/cache)
    make_dump(n, folder, seed=...)     a generated dump (benchmarks.corpus) written to ``folder``
    prepare(folder, sizes, ...)        the clean base, the baselines and every size's dump (run in a child too)
    measure(folder, stories=True)      in THIS process: read -> run -> write_outputs -> report, timed per stage,
                                       scored against the dump's truth, with this process's peak RSS
                                       (``changes``: StoryConfig settings other than the defaults)
    measure_in_child(folder, ...)      the same in a fresh interpreter, so the peak RSS belongs to one size
    run_baselines(articles, ...)       storyclust against datasketch on the same texts (benchmarks.baselines)
    machine()                          what the numbers were measured on

``python -m benchmarks`` (benchmarks/__main__.py) wires these together; the orchestrating process stays small,
because a child's ``ru_maxrss`` starts at its parent's peak. ``python -m benchmarks.harness SPEC OUT`` is the child
entry point: SPEC and OUT are JSON files.
"""

from __future__ import annotations

import ast
import hashlib
import io
import itertools
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from benchmarks import baselines, base_corpus, corpus
from storyclust import pipeline
from storyclust.settings import DedupConfig
from storyclust.evaluate import bcubed, duplicate_scores, pairwise
from storyclust.export import write_outputs
from storyclust.ingest import iter_articles
from storyclust.records import Article, ReadResult
from storyclust.settings import StoryConfig

__all__ = [
    "DEDUP_STAGES", "STORY_STAGES", "PACKAGES", "peak_rss_mb", "machine", "code_fingerprint", "clean_base",
    "make_dump", "read_truth", "quality", "story_changes", "measure", "measure_in_child", "prepare", "prepare_in_child",
    "run_baselines", "child_main",
]

DEDUP_STAGES = ("read", "clean", "signatures", "candidates", "verify", "group")
STORY_STAGES = ("identity", "vectorize", "cluster", "label")  # identity: 0 when event identity is off
PACKAGES = ("numpy", "numba", "datasketch", "scikit-learn", "hdbscan", "scipy", "rich", "storyclust")
WARMUP_DOCS = 200
BASE_MODULES = ("ingest", "records", "clean", "pipeline", "hashing", "dedup")  # what distinct(base_articles()) runs
CACHE = Path(__file__).resolve().parent / "out" / "cache"  # gitignored


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MiB (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(who).ru_maxrss / 1024


def _status_mb(field: str = "VmRSS") -> float | None:
    """A memory line of ``/proc/self/status`` (VmRSS: now, VmHWM: peak) in MiB; None where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def machine() -> dict[str, Any]:
    """CPU count, platform, RAM and the versions of the packages that do the work."""
    from importlib.metadata import PackageNotFoundError, version

    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "loadavg": os.getloadavg(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gib"] = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    info["packages"] = versions
    try:
        root = Path(__file__).resolve().parents[1]
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True)
        if head.returncode == 0:
            info["git"] = head.stdout.strip() + ("+uncommitted" if dirty.stdout.strip() else "")
    except OSError:
        pass
    return info


# ------------------------------------------------------------------------------------------- one size


def _cache_key(data_dir: str | Path | None) -> str:
    """Fingerprint of what the clean base depends on: the input files and the code that reads and cleans them."""
    digest = hashlib.sha256(repr(data_dir).encode())
    root = Path(__file__).resolve().parents[1]
    modules = [p for m in BASE_MODULES for p in [*sorted((root / "storyclust").glob(f"{m}.py")),
                                                  *sorted((root / "storyclust" / m).glob("*.py"))]]
    code = [root / "benchmarks" / "base_corpus.py", *modules, *sorted((root / "storyclust" / "data").glob("*"))]
    for path in code:
        digest.update(path.read_bytes())
    if data_dir is not None:
        for name in base_corpus.BASE_CORPORA:
            path = Path(data_dir) / name / "articles.jsonl.gz"
            stat = path.stat() if path.exists() else None
            digest.update(f"{path}:{stat and stat.st_size}:{stat and stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def clean_base(data_dir: str | Path | None, cache_dir: str | Path | None = CACHE) -> list[Article]:
    """``base_corpus.distinct(base_corpus.base_articles(data_dir))``, kept in ``cache_dir`` (keyed by the input
    files and the code) because it takes ~13 s on the shared corpora; ``cache_dir=None`` always recomputes."""
    path = Path(cache_dir) / f"clean-base-{_cache_key(data_dir)}.pkl" if cache_dir is not None else None
    if path is not None and path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    base = base_corpus.distinct(base_corpus.base_articles(data_dir))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(base, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    return base


def code_fingerprint() -> str:
    """Short hash of the storyclust sources and data files that this process imported from."""
    import storyclust

    package = Path(storyclust.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*package.glob("*.py"), *package.glob("data/*")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def make_dump(n: int, folder: str | Path, *, seed: int, data_dir: str | Path | None = base_corpus.DEFAULT_DATA,
              copy_rate: float = 0.2, base: Sequence[Article] | None = None) -> dict[str, Any]:
    """Generate ``n`` articles (``copy_rate`` of them copies) and write them with their truth into ``folder``.
    ``base`` (see :func:`clean_base`) replaces the generator's own clean base of ``data_dir``."""
    t = time.perf_counter()
    dump, truth = corpus.generate(n, seed=seed, copy_rate=copy_rate, data_dir=data_dir, base=base)
    t_generate = time.perf_counter() - t
    t = time.perf_counter()
    corpus.write_dump(folder, dump, truth)
    t_write = time.perf_counter() - t
    path = Path(folder) / "articles.jsonl.gz"
    return {"n": n, "seed": seed, "copy_rate": copy_rate, "folder": str(folder), "plan_s": t_generate,
            "write_s": t_write, "dump_mb": path.stat().st_size / 2**20}


def read_truth(folder: str | Path) -> dict[str, dict]:
    """``truth.jsonl`` of a written dump, by article id."""
    with open(Path(folder) / "truth.jsonl", encoding="utf-8") as fh:
        rows = (json.loads(line) for line in fh if line.strip())
        return {row["id"]: row for row in rows}


def quality(run: pipeline.Result, truth: dict[str, dict]) -> dict[str, Any]:
    """Duplicate-pair precision/recall/F1 and (for a story run) story BCubed and pairwise scores."""
    ids = [a.id for a in run.articles]
    missing = [i for i in ids if i not in truth]
    if missing:
        raise ValueError(f"{len(missing)} articles have no truth record, for example {missing[:3]}")
    predicted = [int(g) if g >= 0 else None for g in run.dedup.group_of]
    out: dict[str, Any] = {"duplicates": duplicate_scores(predicted, [truth[i]["dup_group"] for i in ids])}
    if run.stories is not None:
        story_of = run.stories.story_of.tolist()
        true = [truth[i]["story"] for i in ids]
        out["stories"] = {
            "bcubed": bcubed(story_of, true).as_dict(),
            "pairwise": pairwise(story_of, true).as_dict(),
            "predicted": len(run.stories.stories),
            "true": len(set(true)),
        }
    return out


def _render(run: pipeline.Result) -> None:
    from rich.console import Console

    from storyclust.report import render_cluster, render_dedup

    console = Console(file=io.StringIO(), width=120)
    if run.stories is not None:
        render_cluster(run, console)
    else:
        render_dedup(run, console)


def _warm_up(articles: Sequence[Article], story_config: StoryConfig | None, workdir: Path) -> float:
    """One untimed run on the first articles, so numba's cached kernels and the lazy imports are loaded."""
    t = time.perf_counter()
    run = pipeline.run(ReadResult(list(articles[:WARMUP_DOCS])), DedupConfig(), story_config)
    write_outputs(run, workdir / "warmup")
    _render(run)
    return time.perf_counter() - t


def story_changes(items: Sequence[str]) -> dict[str, Any]:
    """``NAME=VALUE`` items (a StoryConfig setting and a Python literal) as keyword arguments; ValueError
    names the item that is not one."""
    changes = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in StoryConfig.__dataclass_fields__:
            raise ValueError(f"--set {item}: StoryConfig has no setting {name!r}")
        try:
            changes[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise ValueError(f"--set {item}: {value!r} is not a Python literal") from None
    return changes


def measure(folder: str | Path, *, stories: bool = True, workdir: str | Path | None = None,
            warm_up: bool = True, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """Time the real pipeline on the dump in ``folder``: read the file, run it, write the outputs into
    ``workdir`` (default ``folder/out``) and render the report to a null console. Peak RSS is this process's.
    ``changes`` are StoryConfig settings that differ from the defaults."""
    folder = Path(folder)
    workdir = Path(workdir) if workdir is not None else folder / "out"
    rss_start, load = _status_mb(), os.getloadavg()
    config, story_config = DedupConfig(), replace(StoryConfig(), **(changes or {})) if stories else None
    path = folder / "articles.jsonl.gz"

    warm = 0.0
    if warm_up:
        warm = _warm_up(list(itertools.islice(iter_articles([path]), WARMUP_DOCS)), story_config, workdir)
    rss_ready, peak_ready = _status_mb(), peak_rss_mb()

    t0 = time.perf_counter()
    read_result, read_s = pipeline.read([path])
    run = pipeline.run(read_result, config, story_config, read_seconds=read_s)
    t = time.perf_counter()
    write_outputs(run, workdir)
    _render(run)
    export_s = time.perf_counter() - t
    total = time.perf_counter() - t0

    stages = DEDUP_STAGES + (STORY_STAGES if stories else ())
    seconds = {name: float(run.timings.get(name, 0.0)) for name in stages}
    seconds["export+report"] = export_s
    n = len(run.articles)
    return {
        "n": n,
        "stories": stories,
        "seconds": seconds,
        "total_s": total,
        "stage_sum_s": sum(seconds.values()),
        "docs_per_s": baselines.docs_per_second(n, total),
        "dedup_docs_per_s": baselines.docs_per_second(n, sum(seconds[s] for s in DEDUP_STAGES)),
        "warmup_s": warm,
        "loadavg": load,  # the machine is shared: a load above the CPU count inflates every time
        "peak_rss_mb": peak_rss_mb(),  # ru_maxrss of this process
        "vm_hwm_mb": _status_mb("VmHWM"),  # the same from /proc/self/status, as a check
        "rss_start_mb": rss_start,
        "rss_before_run_mb": rss_ready,
        "peak_rss_before_run_mb": peak_ready,  # imports + warm-up
        "counts": {
            "candidate_pairs": run.dedup.candidates,
            "verified_pairs": int(len(run.dedup.pairs)),
            "duplicate_groups": len(run.dedup.groups),
            "copies": run.dedup.copies,
            "stories": len(run.stories.stories) if run.stories is not None else None,
        },
        "quality": quality(run, read_truth(folder)),
        "settings": {"dedup": config.describe(), "stories": story_config.describe() if story_config else None},
        "code": code_fingerprint(),  # storyclust changes under concurrent edits: this says which code was timed
    }


def _run_child(spec: dict[str, Any], folder: Path, timeout: float | None) -> dict[str, Any]:
    """Run ``python -m benchmarks.harness SPEC OUT`` in a fresh interpreter. A timeout or a crash gives
    ``{"status": "timeout" | "error", ...}`` instead of raising."""
    folder.mkdir(parents=True, exist_ok=True)
    spec_path, out = folder / f"{spec['task']}-spec.json", folder / f"{spec['task']}-result.json"
    spec_path.write_text(json.dumps(spec))
    out.unlink(missing_ok=True)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    parent_peak = peak_rss_mb()
    t = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.harness", str(spec_path), str(out)], cwd=root,
                              env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "timeout_s": timeout}
    wall = time.perf_counter() - t
    if proc.returncode != 0 or not out.exists():
        return {"status": "error", "returncode": proc.returncode, "stderr": proc.stderr[-3000:]}
    result = json.loads(out.read_text())
    # A child's ru_maxrss starts at its parent's peak (the kernel carries it over at exec), so the parent must stay
    # small: it never loads the base nor runs the pipeline. Kept here to show it did not mask the child's peak.
    result.update(status="ok", child_wall_s=wall, parent_peak_rss_mb=parent_peak)
    return result


def measure_in_child(folder: str | Path, *, stories: bool = True, timeout: float | None = None,
                     changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """:func:`measure` in a fresh interpreter, so the peak RSS is this size's alone."""
    spec = {"task": "measure", "folder": str(folder), "stories": stories, "changes": changes or {}}
    result = _run_child(spec, Path(folder), timeout)
    result.setdefault("stories", stories)
    return result


def prepare(folder: str | Path, sizes: Sequence[int], *, seed: int, data_dir: str | Path | None,
            baseline_docs: dict[str, int] | None, cache_dir: str | Path | None = CACHE) -> dict[str, Any]:
    """The heavy set-up, kept out of the orchestrating process: the clean base, the baselines (``baseline_docs``:
    the keyword arguments of :func:`run_baselines`, or None to skip them) and one dump per size, written to
    ``folder/n<size>``."""
    out: dict[str, Any] = {}
    t = time.perf_counter()
    base = clean_base(data_dir, cache_dir)
    out["clean_base"] = {"articles": len(base), "seconds": time.perf_counter() - t}
    if baseline_docs is not None:
        t = time.perf_counter()
        dump, _ = corpus.generate(max(baseline_docs.values()), seed=seed, data_dir=data_dir, base=base)
        out["baselines"] = {"generate_s": time.perf_counter() - t, **run_baselines(dump, **baseline_docs)}
    out["dumps"] = {str(n): make_dump(n, Path(folder) / f"n{n}", seed=seed, data_dir=data_dir, base=base)
                    for n in sizes}
    return out


def prepare_in_child(folder: str | Path, sizes: Sequence[int], *, seed: int, data_dir: str | Path | None,
                     baseline_docs: dict[str, int] | None, timeout: float | None = None) -> dict[str, Any]:
    """:func:`prepare` in a fresh interpreter."""
    spec = {"task": "prepare", "folder": str(folder), "sizes": list(sizes), "seed": seed,
            "data_dir": None if data_dir is None else str(data_dir), "baseline_docs": baseline_docs}
    return _run_child(spec, Path(folder), timeout)


def child_main(argv: Sequence[str] | None = None) -> None:
    """Child entry point: ``SPEC OUT`` (JSON files); SPEC's ``task`` is ``measure`` or ``prepare``."""
    spec_path, out_path = argv if argv is not None else sys.argv[1:]
    spec = json.loads(Path(spec_path).read_text())
    if spec["task"] == "measure":
        result = measure(spec["folder"], stories=spec["stories"], changes=spec.get("changes"))
    elif spec["task"] == "prepare":
        result = prepare(spec["folder"], spec["sizes"], seed=spec["seed"], data_dir=spec["data_dir"],
                         baseline_docs=spec["baseline_docs"])
    else:
        raise ValueError(f"unknown task {spec['task']!r}: expected 'measure' or 'prepare'")
    Path(out_path).write_text(json.dumps(result))


# ------------------------------------------------------------------------------------------- baselines


def run_baselines(articles: Sequence[Article], *, signature_docs: int, update_docs: int, candidate_docs: int,
                  recall_docs: int, config: DedupConfig = DedupConfig()) -> dict[str, Any]:
    """Every baseline of :mod:`benchmarks.baselines` on prefixes of ``articles`` (cleaned as the pipeline does)."""
    needed = max(signature_docs, candidate_docs, recall_docs)
    articles = list(articles[:needed])
    texts = pipeline.prepare(articles).texts
    return {
        "signatures": baselines.bench_signatures(texts[:signature_docs], update_docs=update_docs, config=config),
        "candidates": baselines.bench_candidates(texts[:candidate_docs], config=config),
        "recall": baselines.lsh_recall(articles[:recall_docs], texts[:recall_docs], config=config),
    }


if __name__ == "__main__":
    child_main()
