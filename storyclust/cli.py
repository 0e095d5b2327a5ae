"""The ``storyclust`` command. Each command parses options, calls the library, and renders the result."""

from __future__ import annotations

import functools
import json
import sys
from typing import Any, Callable

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from . import __version__
from .clean import load_boilerplate
from .settings import DedupConfig
from .export import article_rows, pair_rows, summary, write_outputs
from .ingest import FieldMap
from .records import InputError, NullProgress, ProgressSink
from . import pipeline
from .pipeline import read
from .evaluate import read_predictions, read_truth, score_predictions, score_result
from .report import render_cluster, render_dedup, render_eval
from .settings import StoryConfig

_DEFAULTS = DedupConfig()
_STORY = StoryConfig()


class RichProgress:
    """A :class:`~storyclust.records.ProgressSink` drawing rich progress bars on stderr."""

    def __init__(self, console: Console):
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True
        )

    def __enter__(self) -> "RichProgress":
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def task(self, description: str, total: int) -> Callable[[int], None]:
        task_id = self._progress.add_task(description, total=total)
        return lambda n: self._progress.advance(task_id, n)


def _apply(command: Callable, options: list[Callable]) -> Callable:
    """Decorate ``command`` with ``options`` so they appear in the given order in ``--help``."""
    for option in reversed(options):
        command = option(command)
    return command


def input_options(command: Callable, *, paths_required: bool = True) -> Callable:
    """Options shared by every command that reads articles."""
    options = [
        click.argument("paths", nargs=-1, required=paths_required),
        click.option("--skip-bad", is_flag=True, help="Skip malformed records, listing each in the report."),
        click.option("--unique-ids", is_flag=True, help="Rename duplicate ids (id~2, id~3...) instead of failing."),
        click.option(
            "--boilerplate",
            "boilerplate_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            help="Extra boilerplate line patterns (one regex per line). Repeatable.",
        ),
    ]
    for role in ("title", "text", "date", "source", "url", "id"):
        options.append(
            click.option(f"--{role}-field", f"{role}_field", default=None, help=f"Input field holding the {role}.")
        )
    return _apply(command, options)


def dedup_options(command: Callable) -> Callable:
    options = [
        click.option(
            "--threshold",
            type=click.FloatRange(0, 1, min_open=True),
            default=_DEFAULTS.jaccard_threshold,
            show_default=True,
            help="Exact shingle Jaccard at which a candidate pair is a copy.",
        ),
        click.option(
            "--containment",
            type=click.FloatRange(0, 1, min_open=True),
            default=_DEFAULTS.containment_threshold,
            show_default=True,
            help="Share of the smaller article's shingles found in the other at which it is an (abridged) copy.",
        ),
        click.option(
            "--lsh-threshold",
            type=click.FloatRange(0, 1, min_open=True, max_open=True),
            default=_DEFAULTS.lsh_threshold,
            show_default=True,
            help="Jaccard at which the LSH banding is centred (lower finds more candidates).",
        ),
        click.option(
            "--shingle-size", type=click.IntRange(1), default=_DEFAULTS.shingle_size, show_default=True,
            help="Words per shingle (word n-grams) for duplicate matching.",
        ),
        click.option(
            "--num-perm", type=click.IntRange(2), default=_DEFAULTS.num_perm, show_default=True,
            help="MinHash permutations (more: better estimates, slower).",
        ),
        click.option(
            "--seed", type=int, default=_DEFAULTS.seed, show_default=True,
            help="Seed of the MinHash permutations; the same input and seed give the same output.",
        ),
    ]
    return _apply(command, options)


def story_options(command: Callable) -> Callable:
    options = [
        click.option(
            "--max-gap-days", type=click.FloatRange(0), default=_STORY.max_gap_days, show_default=True,
            help="A story never spans a gap in coverage longer than this (0 turns the rule off). "
            "About 7 gives event-level stories.",
        ),
        click.option(
            "--time-scale-days", type=click.FloatRange(0), default=_STORY.time_scale_days, show_default=True,
            help="HDBSCAN sees two articles this many days apart as half as similar (0 turns the discount off).",
        ),
        click.option(
            "--merge-similarity", type=click.FloatRange(0, 1, min_open=True), default=_STORY.merge_similarity,
            show_default=True, help="TF-IDF centroid cosine at which clusters (and left-over articles) merge.",
        ),
        click.option(
            "--min-cluster-size", type=click.IntRange(2), default=_STORY.min_cluster_size, show_default=True,
            help="HDBSCAN's smallest cluster.",
        ),
        click.option(
            "--svd-components", type=click.IntRange(2), default=None,
            help="LSA dimensions HDBSCAN clusters in.  [default: 100, growing as 2*sqrt(articles) beyond 2,500 "
            "articles, at most 200]",
        ),
        click.option(
            "--title-weight", type=click.IntRange(0), default=_STORY.title_weight, show_default=True,
            help="How many times the title counts against the body once.",
        ),
        click.option(
            "--mixture-sweeps", type=click.IntRange(0), default=_STORY.mixture_sweeps, show_default=True,
            help="Greedy Dirichlet-multinomial mixture sweeps after clustering (0: off): short texts move "
            "among stories of five or more articles to the one whose terms explain them best.",
        ),
    ]
    return _apply(command, options)


def story_config(kwargs: dict[str, Any], seed: int) -> StoryConfig:
    gap = kwargs.pop("max_gap_days")
    scale = kwargs.pop("time_scale_days")
    return StoryConfig(
        max_gap_days=gap if gap else None,
        time_scale_days=scale if scale else None,
        merge_similarity=kwargs.pop("merge_similarity"),
        min_cluster_size=kwargs.pop("min_cluster_size"),
        svd_components=kwargs.pop("svd_components"),
        title_weight=kwargs.pop("title_weight"),
        mixture_sweeps=kwargs.pop("mixture_sweeps"),
        random_state=seed,
    )


def output_options(command: Callable) -> Callable:
    options = [
        click.option("--output", "-o", type=click.Path(file_okay=False), help="Directory for the output files."),
        click.option(
            "--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True,
            help="rich: a report on stdout; json: the result as one JSON document on stdout.",
        ),
    ]
    return _apply(command, options)


def fail(message: str) -> None:
    """Print ``Error: message`` on stderr and exit with status 1."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def handles_input_errors(command: Callable) -> Callable:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ValueError as err:  # InputError included: both carry the message the user needs
            fail(str(err))

    return wrapper


def load_inputs(kwargs: dict[str, Any]):
    fields = FieldMap(**{role: kwargs.pop(f"{role}_field") for role in ("title", "text", "date", "source", "url", "id")})
    boilerplate = load_boilerplate(kwargs.pop("boilerplate_files"))
    result, seconds = read(kwargs.pop("paths"), fields=fields, skip_bad=kwargs.pop("skip_bad"),
                           unique_ids=kwargs.pop("unique_ids"))
    return result, seconds, boilerplate


def dedup_config(kwargs: dict[str, Any]) -> DedupConfig:
    return DedupConfig(
        shingle_size=kwargs.pop("shingle_size"),
        num_perm=kwargs.pop("num_perm"),
        lsh_threshold=kwargs.pop("lsh_threshold"),
        jaccard_threshold=kwargs.pop("threshold"),
        containment_threshold=kwargs.pop("containment"),
        seed=kwargs.pop("seed"),
    )


def progress_for(fmt: str) -> tuple[Any, ProgressSink]:
    """Rich progress bars on stderr when it is a terminal and the output is a report."""
    err = Console(stderr=True)
    if fmt == "rich" and err.is_terminal:
        bars = RichProgress(err)
        return bars, bars
    return _Nothing(), NullProgress()


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storyclust")
def main() -> None:
    """Find copies of news articles and group news into stories.

    PATH may be a folder of .txt files, or .jsonl/.ndjson, .json, .csv/.tsv or .parquet files, optionally
    compressed (.gz, .bz2, .xz, .zst); "-" reads JSONL from stdin.
    """


@main.command()
@input_options
@dedup_options
@output_options
@click.option("--limit", type=click.IntRange(1), default=25, show_default=True, help="Groups shown in the report.")
@handles_input_errors
def dedup(**kwargs: Any) -> None:
    """Find articles that are copies of each other.

    \b
    Examples:
      storyclust dedup fixtures/seeds fixtures/wire
      storyclust dedup dump.jsonl.gz --skip-bad --output out/
      storyclust dedup dump.csv --text-field body --format json > result.json
    """
    read_result, read_seconds, boilerplate = load_inputs(kwargs)
    config = dedup_config(kwargs)
    fmt, output, limit = kwargs.pop("fmt"), kwargs.pop("output"), kwargs.pop("limit")
    bars, sink = progress_for(fmt)
    with bars:
        run = pipeline.run(read_result, config, boilerplate=boilerplate, progress=sink, read_seconds=read_seconds)
    if output:
        write_outputs(run, output)
    if fmt == "json":
        document = {
            "summary": summary(run),
            "articles": list(article_rows(run)),
            "duplicates": list(pair_rows(run)),
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        render_dedup(run, Console(), limit=limit)


@main.command()
@input_options
@dedup_options
@story_options
@output_options
@click.option("--limit", type=click.IntRange(1), default=25, show_default=True, help="Stories shown in the report.")
@click.option("--details", is_flag=True, help="Show each story as a tree of its articles and their copies.")
@handles_input_errors
def cluster(**kwargs: Any) -> None:
    """Group articles into stories (copies join the story of their canonical article).

    \b
    Examples:
      storyclust cluster fixtures/seeds
      storyclust cluster fixtures/seeds fixtures/wire --details
      storyclust cluster dump.jsonl.gz --max-gap-days 7 --output out/
      storyclust cluster dump.parquet --format json > stories.json
    """
    read_result, read_seconds, boilerplate = load_inputs(kwargs)
    config = dedup_config(kwargs)
    stories = story_config(kwargs, config.seed)
    fmt, output, limit, details = kwargs.pop("fmt"), kwargs.pop("output"), kwargs.pop("limit"), kwargs.pop("details")
    bars, sink = progress_for(fmt)
    with bars:
        run = pipeline.run(
            read_result, config, stories, boilerplate=boilerplate, progress=sink, read_seconds=read_seconds
        )
    if output:
        write_outputs(run, output)
    if fmt == "json":
        document = {
            "summary": summary(run),
            "stories": list(run.stories.rows(run.articles, run.prepared.titles)),  # type: ignore[union-attr]
            "articles": list(article_rows(run)),
            "duplicates": list(pair_rows(run)),
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        render_cluster(run, Console(), limit=limit, details=details)


@main.command(name="eval")
@functools.partial(input_options, paths_required=False)
@dedup_options
@story_options
@click.option("--label-field", required=True, help="Input field holding each article's true story.")
@click.option("--dup-label-field", help="Input field holding each article's true duplicate group (null: unique).")
@click.option(
    "--predictions", type=click.Path(exists=True, file_okay=False),
    help="Score this existing output directory (its articles.jsonl) instead of running the pipeline.",
)
@click.option(
    "--truth", type=click.Path(exists=True, dir_okay=False),
    help="With --predictions: the labelled dump, read with the options the run was read with (--unique-ids, "
    "--skip-bad, --*-field) so that its ids are the run's.",
)
@click.option("--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True)
@handles_input_errors
def evaluate(**kwargs: Any) -> None:
    """Score stories (and duplicates) against labels: BCubed, BCubed in 7-day windows, whole-stream pairwise,
    ARI/AMI/NMI, duplicate pairs.

    \b
    Examples:
      storyclust eval ../shared/data/basil/articles.jsonl.gz --label-field event --unique-ids
      storyclust eval ../shared/data/bbc2225/articles.jsonl.gz --label-field category \\
          --dup-label-field exact_dup_group
      storyclust eval --predictions out/ --truth labelled.jsonl --label-field story --unique-ids
    """
    label, dup_label, fmt = kwargs.pop("label_field"), kwargs.pop("dup_label_field"), kwargs.pop("fmt")
    predictions, truth = kwargs.pop("predictions"), kwargs.pop("truth")
    if truth and not predictions:
        fail("--truth needs --predictions DIR (or give the labelled PATH... alone to run the pipeline)")
    if predictions:
        if not truth:
            fail("--predictions needs --truth FILE")
        if kwargs["paths"]:
            fail("give either PATH... (to run the pipeline) or --predictions DIR --truth FILE, not both")
        # The truth is read with the run's reading options, so its ids are the run's (renamed, skipped).
        roles = ("title", "text", "date", "source", "url", "id")
        fields = FieldMap(**{role: kwargs.pop(f"{role}_field") for role in roles})
        rows = read_predictions(predictions)
        read_options = {"fields": fields, "skip_bad": kwargs.pop("skip_bad"), "unique_ids": kwargs.pop("unique_ids")}
        records = {a.id: a.metadata for a in read_truth(truth, **read_options)}
        try:
            scores = score_predictions(rows, records, label, dup_label)
        except ValueError as err:
            fail(f"{truth}: {err}")
        scores["command"] = "eval --predictions"
    else:
        if not kwargs["paths"]:
            fail("give PATH... to run the pipeline, or --predictions DIR --truth FILE")
        read_result, read_seconds, boilerplate = load_inputs(kwargs)
        config = dedup_config(kwargs)
        run = pipeline.run(read_result, config, story_config(kwargs, config.seed), boilerplate=boilerplate,
                           read_seconds=read_seconds)
        scores = score_result(run, label, dup_label)
        scores["seconds"] = round(sum(run.timings.values()), 3)
    if fmt == "json":
        click.echo(json.dumps(scores, indent=2))
    else:
        render_eval(scores, Console())

