"""The ``storyclust`` command. Each command parses options, calls the library, and renders the result.

Every failure is one line on stderr, ``Error: <file>[:<line>]: <problem>``, with exit status 1.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any, Callable

import click
from rich.console import Console

from . import __version__
from .clean import load_boilerplate
from .export import check_output, document, write_outputs
from .tables import check_format
from .html_report import check_target, write_folder_html, write_html
from .ingest import FieldMap
from .records import InputError, ReadResult
from . import pipeline
from .pipeline import Result, read
from .evaluate import read_predictions, read_truth, score_predictions, score_result
from .report import json_text, progress_for, render_cluster, render_dedup, render_eval, visible
from .settings import DedupConfig, StoryConfig

_DEFAULTS = DedupConfig()
_STORY = StoryConfig()
ROLES = ("title", "text", "date", "source", "url", "id")


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
    for role in ROLES:
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
            help="Seed of the MinHash permutations and, where stories are found, of the story stage's random "
            "state (the randomised SVD and its sample, the neighbor search on large corpora); the same input "
            "and seed give the same output.",
        ),
    ]
    return _apply(command, options)


def story_options(command: Callable) -> Callable:
    options = [
        click.option(
            "--max-gap-days", type=click.FloatRange(0), default=_STORY.max_gap_days, show_default=True,
            help="A story never spans a gap in coverage longer than this (0 turns the rule off).",
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
        click.option("--output", "-o", type=click.Path(), help="Folder for the output files (created if need be)."),
        click.option(
            "--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True,
            help="rich: a report on stdout; json: the result as one JSON document on stdout.",
        ),
        click.option(
            "--html", "html", type=click.Path(dir_okay=False), metavar="FILE",
            help="Also write the HTML report here: one self-contained file with the stories, the duplicate "
            "groups and each copy's diff against its canonical article.",
        ),
        click.option(
            "--keep-field", "keep_fields", multiple=True, metavar="NAME",
            help="Copy this input field (the url, or one not read as title, text, date, source or id) into each "
            "article row, under \"fields\"; \"all\" copies every such field. Repeatable. [default: none]",
        ),
        click.option(
            "--output-format", "output_format", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl",
            show_default=True, help="Format of the --output tables (articles, duplicates, stories), with the same "
            "fields in each; parquet needs pyarrow (pip install 'storyclust[parquet]').",
        ),
    ]
    return _apply(command, options)


def fail(message: str) -> None:
    """Print ``Error: message`` on stderr (control characters escaped) and exit with status 1."""
    click.echo(f"Error: {visible(message)}", err=True)
    sys.exit(1)


def handles_input_errors(command: Callable) -> Callable:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ValueError as err:  # InputError included: both carry the message the user needs
            fail(str(err))
        except OSError as err:  # writing the output files (a full disk, a folder gone meanwhile)
            fail(f"{err.filename}: {err.strerror or err}" if err.filename else str(err))

    return wrapper


def load_inputs(kwargs: dict[str, Any]):
    fields = FieldMap(**{role: kwargs.pop(f"{role}_field") for role in ROLES})
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


def inputs_of(kwargs: dict[str, Any]) -> dict[str, Any]:
    """What a run reads and how, for summary.json: each path made absolute ("-" stays), the field names given
    (null when not) and the reading flags."""
    return {
        "paths": [p if p == "-" else os.path.abspath(p) for p in kwargs["paths"]],
        "fields": {role: kwargs[f"{role}_field"] for role in ROLES},
        "skip_bad": kwargs["skip_bad"],
        "unique_ids": kwargs["unique_ids"],
    }


def refuse_empty(result: ReadResult, paths: tuple[str, ...]) -> None:
    """A run with no article to process is an error, located at the input (or its first skipped record)."""
    if result.articles:
        return
    if result.skipped:
        first = result.skipped[0]
        raise InputError(
            first.location,
            f"{first.reason}; every record was skipped ({len(result.skipped):,} in all), so there is nothing to process",
        )
    names = ["<stdin>" if p == "-" else p for p in paths]
    raise InputError(", ".join(names), "the input holds no records, so there is nothing to process")


def execute(kwargs: dict[str, Any], *, stories: bool) -> tuple[Result, str]:
    """What ``dedup`` and ``cluster`` share: check the output folder, read, refuse an empty run, run the
    stages (with progress bars on a terminal), write the files and, for ``--format json``, the document."""
    fmt, output, keep = kwargs.pop("fmt"), kwargs.pop("output"), kwargs.pop("keep_fields")
    html, output_format = kwargs.pop("html"), kwargs.pop("output_format")
    if output:
        check_output(output)
        check_format(output, output_format)
    if html:
        check_target(html)
    inputs = inputs_of(kwargs)
    read_result, read_seconds, boilerplate = load_inputs(kwargs)
    refuse_empty(read_result, tuple(inputs["paths"]))
    config = dedup_config(kwargs)
    story = story_config(kwargs, config.seed) if stories else None
    with progress_for(fmt) as sink:
        run = pipeline.run(read_result, config, story, boilerplate=boilerplate, progress=sink, read_seconds=read_seconds)
    if output:
        write_outputs(run, output, keep_fields=keep, inputs=inputs, output_format=output_format)
    if html:
        write_html(run, html)
    if fmt == "json":
        click.echo(json_text(document(run, keep_fields=keep, inputs=inputs)))
    return run, fmt


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
    limit = kwargs.pop("limit")
    run, fmt = execute(kwargs, stories=False)
    if fmt == "rich":
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
    limit, details = kwargs.pop("limit"), kwargs.pop("details")
    run, fmt = execute(kwargs, stories=True)
    if fmt == "rich":
        render_cluster(run, Console(), limit=limit, details=details)


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--html", "html", type=click.Path(dir_okay=False), metavar="FILE", required=True,
              help="Write the HTML report of OUTDIR to this file.")
@handles_input_errors
def report(outdir: str, html: str) -> None:
    """Write the HTML report of an existing output folder (of cluster or dedup --output).

    The copies' diffs need the article texts, which the folder does not hold: the inputs recorded in its
    summary.json are read again, the way the run read them, and must still give the same articles.

    \b
    Examples:
      storyclust cluster dump.jsonl.gz --output out/
      storyclust report out/ --html report.html
    """
    check_target(html)
    write_folder_html(outdir, html)


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



# The incremental commands live with their library (storyclust.state); they use the option sets above.
from .state.commands import stories as _stories, update as _update  # noqa: E402

main.add_command(_update)
main.add_command(_stories)
from .explain_cli import explain as _explain  # noqa: E402

main.add_command(_explain)
