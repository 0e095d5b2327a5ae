"""The ``storyclust`` command. Each command parses options, calls the library, and renders the result.

Every failure is one line on stderr, ``Error: <file>[:<line>]: <problem>``, with exit status 1.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import click
from rich.console import Console

from . import __version__, pipeline
from .cli_options import (dedup_config, dedup_options, fail, handles_input_errors, input_options, inputs_of,
                          load_inputs, output_options, refuse_empty, story_config, story_options)
from .evaluate import read_predictions, read_truth, score_predictions, score_result
from .explain_cli import explain as explain_command
from .export import check_output, document, write_outputs
from .html_report import check_target, write_folder_html, write_html
from .ingest import FieldMap
from .pipeline import Result
from .report import progress_for, render_cluster, render_dedup, render_eval
from .safe_text import json_text
from .state.commands import stories as stories_command
from .state.commands import update as update_command
from .tables import check_format


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



# The incremental commands live with their library (storyclust.state), the explanations beside theirs.
main.add_command(update_command)
main.add_command(stories_command)
main.add_command(explain_command)
