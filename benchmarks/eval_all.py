"""Score storyclust's default settings on every labelled corpus in ``../shared/data``.

    python -m benchmarks.eval_all [--data ../shared/data] [--seeds 1,2,3] [--json OUT]
                                  [--set time_scale_days=None ...] [--sample 0.3] [--headlines]

Each corpus is read as a user would read it (the options below are input mapping, not tuning), run with
default settings and scored with :mod:`storyclust.evaluate`. Several seeds (MinHash permutations and the
randomised SVD) show how much of a difference is noise. ``--set`` changes a StoryConfig setting, to measure an
alternative against the defaults; ``--sample`` scores a seeded random share of each corpus, to check that a
change holds at other corpus sizes and not only at the one size each corpus has; ``--headlines`` keeps only
each article's headline, to check that what helps short texts in large stories (GoogleNews-T) does not hurt
short texts in small, dated stories. Prints a Markdown table for benchmarks/RESULTS.md: BCubed, BCubed in 7-day
windows (SCStory's protocol), whole-stream pairwise (Priberam's), NMI / ARI / AMI, duplicate pairs, seconds.

GVA (``gva_incidents``) is scored on ``cluster_id``, and its Gun Violence Corpus articles (those with a
``gvc_event_id``) on ``gvc_event_id`` twice: inside the whole GVA run, and clustered alone (``gva_gvc``).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from benchmarks.harness import story_changes
from storyclust.settings import DedupConfig
from storyclust.evaluate import score_result, story_scores
from storyclust.ingest import FieldMap
from storyclust.records import Article
from storyclust.pipeline import read, run
from storyclust.settings import StoryConfig

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@dataclass(frozen=True)
class Corpus:
    name: str
    label: str | None
    dup_label: str | None = None
    fields: FieldMap = field(default_factory=FieldMap)
    unique_ids: bool = False
    skip_bad: bool = False
    folder: str | None = None  # the folder under --data, when it is not ``name``
    labelled_only: bool = False  # keep only the articles that have a (non-null) ``label``
    subset_label: str | None = None  # also score the run's stories on the articles that have this label
    note: str = ""

    @property
    def path(self) -> str:
        return self.folder or self.name


CORPORA = (
    Corpus("basil", "event", unique_ids=True, note="ids repeat ('empty'): --unique-ids"),
    Corpus(
        "pac_partisan_events",
        "story",
        fields=FieldMap(title="headline"),
        note="its title field is a file name: --title-field headline (absent) shows the text's first line",
    ),
    Corpus("googlenews_yin", "cluster"),
    Corpus(
        "gva_incidents",
        "cluster_id",
        skip_bad=True,
        subset_label="gvc_event_id",
        note="109 texts are empty: --skip-bad; its GVC articles are also scored inside the whole run",
    ),
    Corpus(
        "gva_gvc",
        "gvc_event_id",
        skip_bad=True,
        folder="gva_incidents",
        labelled_only=True,
        note="the Gun Violence Corpus subset: the articles with a gvc_event_id, scored on it",
    ),
    Corpus("bbc2225", None, dup_label="exact_dup_group", note="duplicates only (its labels are sections)"),
)


# --fast-paths: the large-corpus approximations forced on these small corpora, to measure what they cost in
# quality: the inverted-file neighbor search from 1000 articles, and the LSA basis fitted on a fifth of the
# articles (the default's share at 100k: 20,000).
FAST_NEIGHBORS = 1000
FAST_SAMPLE_SHARE = 0.2


def headlines_only(articles: list[Article]) -> list[Article]:
    """Each article reduced to its headline, as title and text: its title, or else its text's first
    non-empty line (PAC's records have no headline field; their text starts with it)."""
    out = []
    for a in articles:
        headline = a.title.strip() or next((line.strip() for line in a.text.splitlines() if line.strip()), "")
        out.append(replace(a, title=headline, text=headline))
    return out


def evaluate(
    corpus: Corpus,
    data: Path,
    seed: int,
    fast_paths: bool = False,
    changes: dict | None = None,
    sample: float | None = None,
    headlines: bool = False,
) -> dict:
    path = data / corpus.path / "articles.jsonl.gz"
    result, seconds = read([path], fields=corpus.fields, skip_bad=corpus.skip_bad, unique_ids=corpus.unique_ids)
    if corpus.labelled_only:
        result = replace(result, articles=[a for a in result.articles if a.metadata.get(corpus.label) is not None])
    if headlines:
        result = replace(result, articles=headlines_only(result.articles))
    if sample is not None:  # the same share of the same articles for every seed and setting
        keep = sorted(random.Random(0).sample(range(len(result.articles)), round(sample * len(result.articles))))
        result = replace(result, articles=[result.articles[i] for i in keep])
    dedup = replace(DedupConfig(), seed=seed)
    fast = {"svd_sample": int(FAST_SAMPLE_SHARE * len(result.articles)), "exact_neighbors": FAST_NEIGHBORS}
    settings = {**(fast if fast_paths else {}), **(changes or {})}
    stories = replace(StoryConfig(), random_state=seed, **settings) if corpus.label else None
    t = time.perf_counter()
    outcome = run(result, dedup, stories, read_seconds=seconds)
    # Without a story label no stories are built, so only the duplicate scores come back.
    scores = score_result(outcome, corpus.label or corpus.dup_label, corpus.dup_label)
    if corpus.subset_label and outcome.stories is not None:
        keep = [i for i, a in enumerate(outcome.articles) if a.metadata.get(corpus.subset_label) is not None]
        scores["subset"] = {
            "label": corpus.subset_label,
            "articles": len(keep),
            "stories": story_scores(
                [int(outcome.stories.story_of[i]) for i in keep],
                [outcome.articles[i].metadata[corpus.subset_label] for i in keep],
                [outcome.articles[i].date for i in keep],
            ),
        }
    scores["seconds"] = round(time.perf_counter() - t + seconds, 2)
    return scores


def summarise(runs: list[dict]) -> dict:
    """Mean and spread over seeds of the numbers the table shows (a number missing from a run, such as the
    windowed BCubed of an undated corpus, is left out)."""
    def pick(path: tuple[str, ...]) -> list[float]:
        values = []
        for r in runs:
            v = r
            for key in path:
                v = v.get(key) if isinstance(v, dict) else None
            if v is not None:
                values.append(float(v))
        return values

    out = {}
    paths = {
        "b3_p": ("stories", "bcubed", "precision"),
        "b3_r": ("stories", "bcubed", "recall"),
        "b3_f1": ("stories", "bcubed", "f1"),
        "b3w_p": ("stories", "bcubed_windows", "precision"),
        "b3w_r": ("stories", "bcubed_windows", "recall"),
        "b3w_f1": ("stories", "bcubed_windows", "f1"),
        "pw_p": ("stories", "pairwise", "precision"),
        "pw_r": ("stories", "pairwise", "recall"),
        "pw_f1": ("stories", "pairwise", "f1"),
        "nmi": ("stories", "nmi"),
        "ari": ("stories", "ari"),
        "ami": ("stories", "ami"),
        "k": ("stories", "predicted_clusters"),
        "k_true": ("stories", "true_clusters"),
        "dup_p": ("duplicates", "precision"),
        "dup_r": ("duplicates", "recall"),
        "dup_pred": ("duplicates", "predicted_pairs"),
        "dup_true": ("duplicates", "true_pairs"),
        "articles": ("articles",),
        "seconds": ("seconds",),
    }
    for name, path in paths.items():
        values = pick(path)
        if len(values) == len(runs):
            out[name] = (statistics.mean(values), statistics.pstdev(values) if len(values) > 1 else 0.0)
    return out


def markdown(rows: dict[str, dict]) -> str:
    """One row per corpus: BCubed, BCubed in 7-day windows (SCStory's protocol), whole-stream pairwise
    (Priberam's), NMI / ARI / AMI, story counts, duplicate pairs, seconds."""
    def cell(stat: tuple[float, float] | None, digits: int = 3) -> str:
        if stat is None:
            return "–"
        mean, sd = stat
        return f"{mean:.{digits}f}" + (f" ± {sd:.{digits}f}" if sd > 0 else "")

    columns = [
        ("BCubed P", "b3_p"), ("BCubed R", "b3_r"), ("BCubed F1", "b3_f1"),
        ("7-day BCubed P", "b3w_p"), ("7-day BCubed R", "b3w_r"), ("7-day BCubed F1", "b3w_f1"),
        ("pairwise P", "pw_p"), ("pairwise R", "pw_r"), ("pairwise F1", "pw_f1"),
        ("NMI", "nmi"), ("ARI", "ari"), ("AMI", "ami"),
    ]
    lines = [
        "| corpus | " + " | ".join(c for c, _ in columns) + " | stories (true) | dup P | dup R | s |",
        "|---" * (len(columns) + 5) + "|",
    ]
    for name, s in rows.items():
        k = f"{s['k'][0]:.0f} ({s['k_true'][0]:.0f})" if "k" in s else "–"
        cells = " | ".join(cell(s.get(key)) for _, key in columns)
        lines.append(
            f"| {name} | {cells} | {k} | {cell(s.get('dup_p'))} | {cell(s.get('dup_r'))} | {s['seconds'][0]:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_all", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", default="1", help="comma-separated seeds (default 1, the CLI default)")
    parser.add_argument("--only", help="comma-separated corpus names")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--fast-paths", action="store_true",
                        help="force the large-corpus approximations (inverted-file k-NN from 1000 articles, LSA "
                             "fitted on a fifth of the articles) to measure their cost in quality")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="change a StoryConfig setting (a Python literal: 3, 0.5, None), repeatable")
    parser.add_argument("--sample", type=float, help="score a seeded random share (0-1] of each corpus")
    parser.add_argument("--headlines", action="store_true",
                        help="reduce every article to its headline (title, else its text's first line): short "
                             "texts of small dated stories, where the short-text steps must not hurt")
    args = parser.parse_args(argv)
    try:
        changes = story_changes(args.set)
    except ValueError as e:
        parser.error(str(e))
    if args.sample is not None and not 0 < args.sample <= 1:
        parser.error(f"--sample must be in (0, 1], got {args.sample}")
    if not args.data.is_dir():
        print(f"error: no corpora at {args.data} (pass --data)", file=sys.stderr)
        return 2
    seeds = [int(s) for s in args.seeds.split(",")]
    wanted = set(args.only.split(",")) if args.only else None
    rows, raw = {}, {}
    for corpus in CORPORA:
        if wanted and corpus.name not in wanted:
            continue
        if not (args.data / corpus.path / "articles.jsonl.gz").exists():
            continue
        raw[corpus.name] = [evaluate(corpus, args.data, seed, args.fast_paths, changes, args.sample, args.headlines)
                            for seed in seeds]
        rows[corpus.name] = summarise(raw[corpus.name])
        if corpus.subset_label:
            subset = [{**r["subset"], "seconds": r["seconds"]} for r in raw[corpus.name]]
            rows[f"{corpus.name}, its {corpus.subset_label} articles in the whole run"] = summarise(subset)
        print(f"{corpus.name}: done", file=sys.stderr)
    print(markdown(rows))
    print(f"\ncommand: python -m benchmarks.eval_all {' '.join(argv if argv is not None else sys.argv[1:])}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": raw, "summary": rows}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
