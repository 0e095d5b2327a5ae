"""The ``storyclust explain`` command (registered on the CLI group by cli.py): it calls
:func:`storyclust.explain.explain_pair` or :func:`~storyclust.explain.explain_article` and renders the answer as
:class:`rich.text.Text` (text from the data through :func:`storyclust.safe_text.shown`, never markup)."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from .cli_options import handles_input_errors
from .explain import ArticleExplanation, Check, PairExplanation, StoryStep, as_json, explain_article, explain_pair
from .safe_text import shown

__all__ = ["explain", "render_pair", "render_article"]


def _number(value: Any) -> str:
    return "n/a" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)


def _article_line(label: str, row: dict[str, Any]) -> Text:
    line = Text(f"{label}: ", style="bold")
    line.append_text(shown(row.get("id")))
    line.append("  ")
    line.append_text(shown(row.get("title") or "", style="italic"))
    details = [f"source {row.get('source')}" if row.get("source") is not None else "no source",
               f"date {row.get('date')}" if row.get("date") else "undated"]
    line.append("  (")
    line.append_text(shown(", ".join(details)))
    line.append(")")
    return line


def _check_line(check: Check) -> Text:
    mark = {True: ("pass", "green"), False: ("FAIL", "red"), None: ("n/a ", "dim")}[check.passed]
    line = Text("  ")
    line.append(mark[0], style=mark[1])
    line.append(f"  {check.name}: {_number(check.value)}")
    if check.threshold is not None:
        line.append(f" (threshold {check.threshold})")
    if check.note:
        line.append(f"; {check.note}", style="dim")
    return line


def _words(label: str, words: list[str]) -> Text:
    line = Text(f"  {label}: ")
    line.append_text(shown(", ".join(words) if words else "none"))
    return line


def render_pair(e: PairExplanation, console: Console) -> None:
    console.print(_article_line("A", e.a))
    console.print(_article_line("B", e.b))
    verdict = Text("Copies: ", style="bold")
    verdict.append("yes" if e.copies else "no", style="green" if e.copies else "red")
    verdict.append(f" - {e.reason}")
    console.print(verdict)
    console.print(Text(f"Scores ({'from ' if e.measured == 'duplicates.jsonl' else ''}{e.measured}): "
                       + ", ".join(f"{k} {_number(v)}" for k, v in e.scores.items())))
    console.print(Text("Rules:", style="bold"))
    for check in e.checks:
        console.print(_check_line(check))
    console.print(Text("Numbers and names that differ:", style="bold"))
    console.print(_words("only in A", e.only_in_a))
    console.print(_words("only in B", e.only_in_b))
    story = Text("Story: ", style="bold")
    if e.same_story is None:
        story.append("no stories in this folder (a dedup run)")
    else:
        story.append(f"same story ({e.a.get('story_id')})" if e.same_story
                     else f"different stories ({e.a.get('story_id')} and {e.b.get('story_id')})")
    if e.similarity is not None:
        story.append(f"; TF-IDF cosine {e.similarity:.4f}")
        if e.similarity_source == "recomputed":
            story.append(" (recomputed: no story_vectors.npz)", style="dim")
    story.append("; time gap " + (f"{e.gap_days:.2f} days" if e.gap_days is not None else "unknown (a date is missing)"))
    console.print(story)
    if e.story_step is not None:
        console.print(_step_line("joined: " if e.story_step.joined else "apart: ", e.story_step))


def _step_line(label: str, step: StoryStep) -> Text:
    """A story step in words; article ids inside it are data, shown escaped."""
    line = Text(f"  {label}", style="bold")
    line.append_text(shown(step.text))
    return line


def render_article(e: ArticleExplanation, console: Console) -> None:
    console.print(_article_line("Article", e.article))
    copy = Text("Copy: ", style="bold")
    if e.canonical is None:
        copy.append(f"no, it is the canonical article of its duplicate group ({e.group_size} article"
                    f"{'' if e.group_size == 1 else 's'})" if e.group_size > 1 else "no, it has no copies")
        console.print(copy)
    else:
        copy.append(f"yes, one of {e.group_size} in duplicate group {e.article.get('dup_group')}; canonical ")
        copy.append_text(shown(e.canonical.get("id")))
        if e.canonical_pair is not None:
            copy.append(f" (content Jaccard {_number(e.canonical_pair.get('content_jaccard'))}, content containment "
                        f"{_number(e.canonical_pair.get('content_containment'))})")
        else:
            copy.append(" (joined through other copies)")
        console.print(copy)
    story = Text("Story: ", style="bold")
    if e.story is None:
        story.append("none (a dedup run)")
        console.print(story)
        return
    story.append(f"{e.story.get('story_id')}, {e.story.get('size')} unique articles"
                 f"{' (single-article)' if e.story.get('singleton') else ''}; headline ")
    story.append_text(shown(e.story.get("headline") or "", style="italic"))
    console.print(story)
    terms = Text("  terms: ")
    terms.append_text(shown(", ".join(e.story.get("terms") or [])))
    console.print(terms)
    console.print(Text(f"  story_probability: {_number(e.story_probability)}"))
    if e.story_steps:
        console.print(Text("  how it came into this story:"))
        for step in e.story_steps:
            console.print(_step_line("  - ", step))
    if e.nearest:
        console.print(Text("  nearest members (TF-IDF cosine):"))
        for n in e.nearest:
            line = Text(f"    {n.similarity:.4f}  ")
            line.append_text(shown(n.row.get("id")))
            line.append("  ")
            line.append_text(shown(n.row.get("title") or "", style="italic"))
            console.print(line)


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False))
@click.argument("article_ids", nargs=-1, required=True, metavar="A [B]")
@click.option("--format", "fmt", type=click.Choice(["rich", "json"]), default="rich", show_default=True,
              help="rich: the answer in words; json: the same answer as one JSON object on stdout")
@handles_input_errors
def explain(outdir: str, article_ids: tuple[str, ...], fmt: str) -> None:
    """Explain an output folder's results: with A and B, why the two articles are or are not copies (the
    scores against the thresholds, each rule, the numbers and names that differ) and whether they share a
    story (the TF-IDF cosine, the time gap, and the step that joined them or kept them apart: one HDBSCAN
    cluster, a merge at its cosine and threshold, a left-over pairing, the mixture, a copy; or the stray test,
    the time split, the identity split, a merge never reached); with A alone, why the article is in its story
    and group, step by step.

    A pair not in duplicates.jsonl is measured again: the inputs recorded in summary.json are read again and
    must still give the same articles.

    \b
    Examples:
      storyclust cluster fixtures/seeds fixtures/wire --output out/
      storyclust explain out/ ID_A ID_B
      storyclust explain out/ ID_A
    """
    if len(article_ids) > 2:
        raise click.UsageError("give one article id (A) or two (A B)")
    answer = explain_pair(outdir, *article_ids) if len(article_ids) == 2 else explain_article(outdir, article_ids[0])
    if fmt == "json":  # \u escapes keep control characters from the data off the terminal
        click.echo(json.dumps(as_json(answer), ensure_ascii=True, indent=2))
        return
    console = Console()
    if isinstance(answer, PairExplanation):
        render_pair(answer, console)
    else:
        render_article(answer, console)
