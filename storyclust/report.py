"""Rendering of runs: rich reports, the JSON document on stdout and progress bars. With the CLI, the only
place that writes to a console.

Text from the data (titles, outlets, ids, locations, reasons) is always placed in :class:`rich.text.Text`
objects through :func:`storyclust.safe_text.shown`, never in markup strings, so ``[link=...]`` or ``[/]`` in an
outlet name is shown as written and control characters are shown escaped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Sequence

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .export import summary
from .pipeline import Result
from .records import NullProgress, SkippedRecord
from .records import Story
from .safe_text import shown

__all__ = [
    "render_dedup",
    "render_cluster",
    "summary_panel",
    "skipped_table",
    "groups_table",
    "stories_table",
    "stories_tree",
    "render_eval",
    "RichProgress",
    "progress_for",
    "first_run_notice",
]

MAX_SKIPPED_SHOWN = 50

def _plural(count: int, one: str, many: str | None = None) -> str:
    return one if count == 1 else (many or one + "s")


def _day(run: Result, i: int) -> str:
    date = run.articles[i].date
    return date.date().isoformat() if date else "-"


def _seconds(timings: dict[str, float]) -> str:
    total = sum(timings.values())
    parts = ", ".join(f"{k} {v:.2f}" for k, v in timings.items())
    return f"{total:.2f} s ({parts})"


def summary_panel(run: Result, title: str = "storyclust dedup") -> Panel:
    counts = summary(run)["counts"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("Articles read", f"{counts['articles']:,}")
    grid.add_row("Skipped records", f"{counts['skipped']:,}")
    if counts["renamed_ids"]:
        grid.add_row("Renamed ids", f"{counts['renamed_ids']:,}")
    grid.add_row("Duplicate groups", f"{counts['duplicate_groups']:,}")
    grid.add_row("Copies", f"{counts['copies']:,} ({counts['unique_articles']:,} unique articles)")
    if counts["empty_after_cleaning"]:
        grid.add_row("Empty after cleaning", f"{counts['empty_after_cleaning']:,} (compared on their headlines)")
    if counts.get("thin"):
        grid.add_row("Thin articles", f"{counts['thin']:,} (too little content: only exact copies of a page)")
    if "stories" in counts:
        grid.add_row("Stories", f"{counts['stories']:,} ({counts['singleton_stories']:,} single-article)")
    grid.add_row("Time", _seconds(run.timings))
    return Panel(grid, title=title, box=box.ROUNDED, expand=False)


def skipped_table(skipped: Sequence[SkippedRecord]) -> Table | None:
    if not skipped:
        return None
    table = Table(title=f"Skipped records ({len(skipped)})", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("Location", overflow="fold")
    table.add_column("Reason", overflow="fold")
    for record in skipped[:MAX_SKIPPED_SHOWN]:
        table.add_row(shown(record.location), shown(record.reason))
    if len(skipped) > MAX_SKIPPED_SHOWN:
        table.caption = f"{len(skipped) - MAX_SKIPPED_SHOWN} more in summary.json (--output)"
    return table


def _tail(s: str, width: int) -> str:
    """``s`` cut to ``width`` characters from the left: generated ids differ in their ends."""
    return s if len(s) <= width else "…" + s[len(s) - width + 1 :]


def groups_table(run: Result, limit: int = 25, width: int = 100) -> Table:
    """Duplicate groups, largest first: the canonical article, then each copy with its similarity to it.

    Every width shows each article's id (cut from the left). From 100 columns the date and the Jaccard and
    containment columns are shown apart; narrower, the date is left out and both similarities share a column.
    """
    dedup = run.dedup
    table = Table(
        title=f"Duplicate groups ({len(dedup.groups)})",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        collapse_padding=True,
        pad_edge=False,
    )
    # Fixed widths everywhere but the headline, which gets the rest: rich would otherwise squeeze the
    # narrow columns to nothing to make room for an unwrapped headline.
    wide = width >= 100
    id_width = 18 if width >= 120 else 14 if wide else 12
    fixed = [3, id_width, 12, 10, 9, 7] if wide else [3, id_width, 10, 9]
    padding = 2 * (len(fixed) + 1)  # an edge and one collapsed space of padding per column
    table.add_column("#", justify="right", style="dim", width=3)
    table.add_column("Id", no_wrap=True, width=id_width, style="cyan")
    table.add_column("Headline", no_wrap=True, overflow="ellipsis", width=max(16, width - sum(fixed) - padding))
    table.add_column("Outlet", no_wrap=True, overflow="ellipsis", width=fixed[2])
    if wide:
        table.add_column("Date", no_wrap=True, width=10)
        table.add_column("Jaccard", justify="right", width=9)
        table.add_column("Contain", justify="right", width=7)
    else:
        table.add_column("J / C", justify="right", no_wrap=True, width=9)
    groups = sorted(dedup.groups, key=lambda g: (-len(g.members), g.group_id))
    for group in groups[:limit]:
        for k, i in enumerate(group.members):
            article = run.articles[i]
            if k == 0:
                head = [str(group.group_id), shown(_tail(article.id, id_width)), shown(run.prepared.titles[i], "bold")]
                tail = ["canonical", ""]
            else:
                jac, con = dedup.similarity[i]
                head = ["", shown(_tail(article.id, id_width)), Text("↳ ").append_text(shown(run.prepared.titles[i]))]
                tail = [f"{jac:.2f}", f"{con:.2f}"]
            outlet = shown(article.source or "-")
            if wide:
                table.add_row(*head, outlet, _day(run, i), *tail)
            else:
                table.add_row(*head, outlet, " ".join(tail).strip())
        table.add_section()
    if len(groups) > limit:
        more = len(groups) - limit
        table.caption = f"{more} more {_plural(more, 'group')} in duplicates.jsonl (--output)"
    if not groups:
        table.caption = "No copies found."
    return table


def render_dedup(run: Result, console: Console, *, limit: int = 25) -> None:
    parts = [summary_panel(run), groups_table(run, limit, console.width)]
    skipped = skipped_table(run.read.skipped)
    if skipped is not None:
        parts.append(skipped)
    console.print(Group(*parts))


def _span(story: Story) -> str:
    if story.first_date is None:
        return "-"
    first, last = story.first_date.date().isoformat(), story.last_date.date().isoformat()  # type: ignore[union-attr]
    return first if first == last else f"{first}\n{last}"


def _outlets(story: Story, shown_at_most: int = 3) -> Text:
    if not story.sources:
        return Text("-")
    more = len(story.sources) - shown_at_most
    text = Text(", ").join(shown(s) for s in story.sources[:shown_at_most])
    return text.append(f" +{more}" if more > 0 else "")


def stories_table(run: Result, limit: int = 25) -> Table:
    """Stories, largest first: size, copies, distinctive terms, representative headline, dates, outlets."""
    stories = run.stories.stories  # type: ignore[union-attr]
    singles = sum(s.singleton for s in stories)
    table = Table(
        title=f"Stories ({len(stories)}, {singles} single-article)",
        box=box.SIMPLE_HEAD,
        title_justify="left",
        show_lines=True,
    )
    table.add_column("#", justify="right", style="dim")
    table.add_column("Arts", justify="right")
    table.add_column("Copies", justify="right")
    table.add_column("Story", ratio=3, overflow="fold")
    table.add_column("Dates", width=10, overflow="fold")
    table.add_column("Outlets", ratio=1, overflow="fold", max_width=24)
    for story in stories[:limit]:
        label = shown(run.prepared.titles[story.representative], "bold")
        if story.terms:
            label.append("\n").append_text(Text(" · ", style="cyan").join(shown(t, "cyan") for t in story.terms))
        if story.singleton:
            label.append("\n(single article)", style="dim")
        table.add_row(
            str(story.story_id), str(story.size), str(len(story.copies)), label, _span(story), _outlets(story)
        )
    if len(stories) > limit:
        more = len(stories) - limit
        table.caption = f"{more} more {_plural(more, 'story', 'stories')} in stories.jsonl (--output), or raise --limit"
    return table


def stories_tree(run: Result, limit: int = 25) -> Tree:
    """Each story as a tree: its unique articles, with their copies nested under them."""
    stories = run.stories.stories  # type: ignore[union-attr]
    root = Tree("Stories in detail", guide_style="dim")
    copies_of: dict[int, list[int]] = {}
    for story in stories[:limit]:
        for c in story.copies:
            copies_of.setdefault(int(run.dedup.canonical_of[c]), []).append(c)
    for story in stories[:limit]:
        head = Text(f"#{story.story_id} ", style="dim")
        head.append_text(shown(run.prepared.titles[story.representative], "bold"))
        span = _span(story).replace("\n", " – ")
        counts = f"{story.size} {_plural(story.size, 'article')}, {len(story.copies)} {_plural(len(story.copies), 'copy', 'copies')}"
        head.append(f"  ({counts}, {span})", style="dim")
        branch = root.add(head)
        for i in story.members:
            leaf = branch.add(_article_line(run, i))
            for c in copies_of.get(i, []):
                jac, con = run.dedup.similarity[c]
                line = _article_line(run, c)
                line.append(f"  copy: J {jac:.2f}, C {con:.2f}", style="dim")
                leaf.add(line)
    return root


def _article_line(run: Result, i: int) -> Text:
    article = run.articles[i]
    line = shown(run.prepared.titles[i])
    line.append("  ")
    line.append_text(shown(article.source or "-", "dim"))
    line.append(f" · {_day(run, i)} · ", style="dim")
    return line.append_text(shown(article.id, "dim"))


def render_cluster(run: Result, console: Console, *, limit: int = 25, details: bool = False) -> None:
    parts: list = [summary_panel(run, title="storyclust cluster"), stories_table(run, limit)]
    if details:
        parts.append(stories_tree(run, limit))
    skipped = skipped_table(run.read.skipped)
    if skipped is not None:
        parts.append(skipped)
    console.print(Group(*parts))


def render_eval(scores: dict, console: Console) -> None:
    """The scores of ``storyclust eval`` as a table."""
    table = Table(title="Evaluation", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("What")
    table.add_column("Precision", justify="right")
    table.add_column("Recall", justify="right")
    table.add_column("F1", justify="right")
    stories = scores.get("stories")
    if stories:
        for name in ("bcubed", "pairwise"):
            s = stories[name]
            table.add_row(f"Stories, {name}", f"{s['precision']:.4f}", f"{s['recall']:.4f}", f"{s['f1']:.4f}")
        windows = stories.get("bcubed_windows")
        if windows and windows["windows"]:
            table.add_row(f"Stories, bcubed in {windows['window_days']}-day windows", f"{windows['precision']:.4f}",
                          f"{windows['recall']:.4f}", f"{windows['f1']:.4f}")
    dups = scores.get("duplicates")
    if dups:
        table.add_row("Duplicate pairs", f"{dups['precision']:.4f}", f"{dups['recall']:.4f}", f"{dups['f1']:.4f}")
    lines = [f"Articles: {scores['articles']:,} ({scores['unlabelled']:,} without a label)"]
    if stories:
        lines.append(
            f"Stories: {stories['predicted_clusters']:,} predicted, {stories['true_clusters']:,} true; "
            f"ARI {stories['ari']:.4f}, AMI {stories['ami']:.4f}, NMI {stories['nmi']:.4f}"
        )
        windows = stories.get("bcubed_windows")
        if windows:
            lines.append(f"Windows: {windows['windows']:,} of {windows['window_days']} days "
                         f"({windows['undated']:,} undated articles in none)")
    if dups:
        lines.append(f"Duplicate pairs: {dups['predicted_pairs']:,} predicted, {dups['true_pairs']:,} true")
    console.print(Group(table, *(Text(line) for line in lines)))


# --------------------------------------------------------------------------------------------- progress


class RichProgress:
    """A :class:`~storyclust.records.ProgressSink` drawing rich progress bars on a console (stderr)."""

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


class _Quiet:
    """Shows nothing: the progress of a run whose stderr is not a terminal."""

    def __enter__(self) -> "_Quiet":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def task(self, description: str, total: int) -> Callable[[int], None]:
        return NullProgress().task(description, total)


def progress_for(fmt: str, console: Console | None = None) -> RichProgress | _Quiet:
    """Progress bars on ``console`` (stderr by default) when it is a terminal and the output is a report; else
    a sink that shows nothing. Either is a context manager and a :class:`~storyclust.records.ProgressSink`."""
    err = console or Console(stderr=True)
    if fmt == "rich" and err.is_terminal:
        notice = first_run_notice()
        if notice:
            err.print(Text(notice, style="dim"))
        return RichProgress(err)
    return _Quiet()


def first_run_notice(package: Path | None = None) -> str | None:
    """A word for the user when numba has no compiled kernels of storyclust cached yet (its first run, or the
    first after an upgrade): the progress bars then stand still while it compiles. None when a cache exists."""
    package = package or Path(__file__).resolve().parent
    cache_dir = os.environ.get("NUMBA_CACHE_DIR")
    places = [Path(cache_dir)] if cache_dir else [package]
    for place in places:
        if place.is_dir() and next(place.rglob("*.nbi"), None) is not None:
            return None
    return "First run: numba is compiling storyclust's kernels (once; later runs load them from its cache)."
