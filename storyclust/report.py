"""Rich rendering of runs. The only place besides the CLI that writes to a console."""

from __future__ import annotations

from typing import Sequence

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .export import summary
from .records import SkippedRecord
from .pipeline import Result
from .stories import Story

__all__ = [
    "render_dedup",
    "render_cluster",
    "summary_panel",
    "skipped_table",
    "groups_table",
    "stories_table",
    "stories_tree",
    "render_eval",
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
        table.add_row(record.location, record.reason)
    if len(skipped) > MAX_SKIPPED_SHOWN:
        table.caption = f"{len(skipped) - MAX_SKIPPED_SHOWN} more in summary.json (--output)"
    return table


def groups_table(run: Result, limit: int = 25, width: int = 100) -> Table:
    """Duplicate groups, largest first: the canonical article, then each copy with its similarity to it."""
    dedup = run.dedup
    table = Table(title=f"Duplicate groups ({len(dedup.groups)})", box=box.SIMPLE_HEAD, title_justify="left")
    # Fixed widths everywhere but the headline, which gets the rest: rich would otherwise squeeze the
    # narrow columns to nothing to make room for an unwrapped headline. Ids are shown on wide consoles.
    show_id = width >= 110
    fixed = 3 + 12 + 10 + 9 + 8 + (18 if show_id else 0)
    padding = 3 * (6 + show_id) + 1  # SIMPLE_HEAD: one space of edge and two of padding per column
    table.add_column("#", justify="right", style="dim", width=3)
    if show_id:
        table.add_column("Id", no_wrap=True, overflow="ellipsis", width=18, style="cyan")
    table.add_column("Headline", no_wrap=True, overflow="ellipsis", width=max(16, width - fixed - padding))
    table.add_column("Outlet", no_wrap=True, overflow="ellipsis", width=12)
    table.add_column("Date", no_wrap=True, width=10)
    table.add_column("Jaccard", justify="right", width=9)
    table.add_column("Contain", justify="right", width=8)
    groups = sorted(dedup.groups, key=lambda g: (-len(g.members), g.group_id))
    for group in groups[:limit]:
        for k, i in enumerate(group.members):
            article = run.articles[i]
            if k == 0:
                cells = [str(group.group_id), Text(run.prepared.titles[i], style="bold")]
                tail = ["canonical", ""]
            else:
                jac, con = dedup.similarity[i]
                cells = ["", Text("↳ " + run.prepared.titles[i])]
                tail = [f"{jac:.2f}", f"{con:.2f}"]
            if show_id:
                cells.insert(1, article.id)
            table.add_row(*cells, article.source or "-", _day(run, i), *tail)
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


def _outlets(story: Story, shown: int = 3) -> str:
    if not story.sources:
        return "-"
    more = len(story.sources) - shown
    return ", ".join(story.sources[:shown]) + (f" +{more}" if more > 0 else "")


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
        label = Text()
        label.append(run.prepared.titles[story.representative], style="bold")
        if story.terms:
            label.append("\n" + " · ".join(story.terms), style="cyan")
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
        head.append(run.prepared.titles[story.representative], style="bold")
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
    line = Text(run.prepared.titles[i])
    line.append(f"  {article.source or '-'} · {_day(run, i)} · {article.id}", style="dim")
    return line


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
    dups = scores.get("duplicates")
    if dups:
        table.add_row("Duplicate pairs", f"{dups['precision']:.4f}", f"{dups['recall']:.4f}", f"{dups['f1']:.4f}")
    lines = [f"Articles: {scores['articles']:,} ({scores['unlabelled']:,} without a label)"]
    if stories:
        lines.append(
            f"Stories: {stories['predicted_clusters']:,} predicted, {stories['true_clusters']:,} true; "
            f"ARI {stories['ari']:.4f}, AMI {stories['ami']:.4f}, NMI {stories['nmi']:.4f}"
        )
    if dups:
        lines.append(f"Duplicate pairs: {dups['predicted_pairs']:,} predicted, {dups['true_pairs']:,} true")
    console.print(Group(table, *(Text(line) for line in lines)))
