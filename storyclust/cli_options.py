"""The command line's shared pieces: option sets, settings built from options, reading the inputs, and the
one-line ``Error:`` exit. The commands themselves are in :mod:`storyclust.cli`, :mod:`storyclust.explain_cli`
and :mod:`storyclust.state.commands`.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any, Callable

import click

from .clean import load_boilerplate
from .ingest import FieldMap
from .pipeline import read
from .records import InputError, ReadResult
from .safe_text import visible
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
