"""The ``storyclust update`` and ``storyclust stories`` commands (registered on the CLI group by cli.py).

Each parses its options with the shared option sets of :mod:`storyclust.cli`, calls one library function of
:mod:`storyclust.state`, and renders the result.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ..cli_options import (dedup_config, dedup_options, fail, handles_input_errors, input_options, inputs_of, load_inputs,
                   refuse_empty, story_config, story_options)
from ..export import check_output, document, write_outputs
from ..report import render_cluster
from ..safe_text import json_text
from .update import UpdateReport, update as update_state
from .view import read_state

__all__ = ["update", "stories"]


def _report_table(report: UpdateReport, state: str) -> Table:
    table = Table(title=f"storyclust update: run {report.run_id}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    merged = ", ".join(f"{a} -> {b}" for a, b in report.stories_merged.items()) or "none"
    for name, value in (
        ("State", click.format_filename(state)),
        ("Articles added", f"{report.added:,}"),
        ("Already present (skipped)", f"{report.skipped:,}"),
        ("Replaced", f"{report.replaced:,}"),
        ("Copies found", f"{report.copies_found:,} ({report.verified_pairs:,} verified pairs of "
                         f"{report.candidates:,} candidates)"),
        ("Stories created", f"{len(report.stories_created):,}"),
        ("Stories extended", f"{len(report.stories_extended):,}"),
        ("Stories merged (absorbed -> kept)", merged),
        ("Articles re-clustered", f"{report.window:,}"),
        ("Time", ", ".join(f"{k} {v:.2f}" for k, v in report.seconds.items()) + " s"),
    ):
        table.add_row(name, value)
    return table


@click.command()
@click.argument("state", type=click.Path(file_okay=False))
@input_options
@dedup_options
@story_options
@click.option("--replace", is_flag=True, help="Replace an article whose id is in the state with other content "
              "(without it, that is an error).")
@click.option("--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True,
              help="rich: a report on stdout; json: the run's counts as JSON.")
@handles_input_errors
def update(**kwargs: Any) -> None:
    """Add the articles of PATH... to the state folder STATE (created on first use): their copies against every
    earlier article, their stories (new articles join running stories or open new ones; story ids last).

    The first run binds STATE to its settings; a later run with other settings is refused, naming the setting.
    Articles already in STATE with the same title and text are skipped.

    \b
    Examples:
      storyclust update state/ today.jsonl.gz
      storyclust update state/ corrections.jsonl --replace
      storyclust stories state/ --changed
    """
    state, fmt, replace = kwargs.pop("state"), kwargs.pop("fmt"), kwargs.pop("replace")
    inputs = inputs_of(kwargs)
    read_result, _, boilerplate = load_inputs(kwargs)
    refuse_empty(read_result, tuple(inputs["paths"]))
    config = dedup_config(kwargs)
    report = update_state(state, read_result.articles, dedup=config, stories=story_config(kwargs, config.seed),
                          boilerplate=boilerplate, replace=replace, inputs=inputs)
    if fmt == "json":
        click.echo(json_text({**report.__dict__, "skipped_records": len(read_result.skipped)}))
    else:
        Console().print(_report_table(report, state))


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--since: {value!r} is not a date; give YYYY-MM-DD")
        raise


@click.command()
@click.argument("state", type=click.Path(file_okay=False))
@click.option("--since", metavar="DATE", help="Only stories with an article dated on or after DATE (YYYY-MM-DD).")
@click.option("--changed", is_flag=True, help="Only the stories the last update created, extended or merged into.")
@click.option("--output", "-o", type=click.Path(), help="Folder for the output files (created if need be).")
@click.option("--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True,
              help="rich: a report on stdout; json: the stories as one JSON document on stdout.")
@click.option("--limit", type=click.IntRange(1), default=25, show_default=True, help="Stories shown in the report.")
@click.option("--details", is_flag=True, help="Show each story as a tree of its articles and their copies.")
@handles_input_errors
def stories(state: str, since: str | None, changed: bool, output: str | None, fmt: str, limit: int,
            details: bool) -> None:
    """Report the stories of the state folder STATE (ids are the state's stable story ids), with the usual
    output files: all of them, those dated since a day, or what the last update changed.

    \b
    Examples:
      storyclust stories state/
      storyclust stories state/ --changed --output today/
      storyclust stories state/ --since 2024-03-01 --format json > recent.json
    """
    if output:
        check_output(output)
    run = read_state(state, since=_day(since), changed=changed)
    if output:
        write_outputs(run, output)
    if fmt == "json":
        click.echo(json_text(document(run)))
    else:
        render_cluster(run, Console(), limit=limit, details=details)
