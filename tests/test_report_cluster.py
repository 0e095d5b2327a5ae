"""Tests for storyclust.report's story rendering: the cluster report in a plain, fixed-width console."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

import storyclust
from storyclust.ingest import read_articles
from storyclust.records import Article
from storyclust.pipeline import Result
from storyclust.report import render_cluster, stories_table, stories_tree

MAY_2021 = ["000_e0606421c078fc18", "001_1a0f9e0c1cde66bd", "003_cd5b6eb30dfdc74c"]
WAR_2023 = ["002_3736cbc9c8377d79", "004_229fe3e3d03ea7a0"]


def console(width: int) -> Console:
    return Console(width=width, file=io.StringIO(), color_system=None, force_terminal=True)


def render(run: Result, width: int = 100, **kwargs) -> str:
    out = console(width)
    render_cluster(run, out, **kwargs)
    return out.file.getvalue()


def render_part(renderable, width: int) -> str:
    out = console(width)
    out.print(renderable)
    return out.file.getvalue()


@pytest.fixture(scope="module")
def cluster_run(seeds_dir: Path, wire_dir: Path) -> Result:
    return storyclust.run(read_articles([seeds_dir, wire_dir]), story_config=storyclust.StoryConfig())


@pytest.fixture(scope="module")
def report(cluster_run: Result) -> str:
    return render(cluster_run, 100)


def row_lines(table_text: str) -> dict[int, int]:
    """Line number of each story's first row: ``#``, ``Arts``, ``Copies`` right-aligned at the start."""
    return {
        int(m.group(1)): n
        for n, line in enumerate(table_text.splitlines())
        if (m := re.match(r"\s+(\d+)\s+\d+\s+\d+\s{3}\S", line))
    }


def test_summary_panel_counts_the_stories(report: str) -> None:
    panel = report.split("Stories (", 1)[0]
    assert "storyclust cluster" in panel.splitlines()[0]
    assert re.search(r"Articles read\s+35\s", panel)
    assert re.search(r"Copies\s+30 \(5 unique articles\)", panel)
    assert re.search(r"│ Stories\s+2 \(0 single-article\)\s", panel)
    for stage in ("vectorize", "cluster", "label"):
        assert stage in panel


def test_stories_table_lists_both_seed_stories_largest_first(report: str, cluster_run: Result) -> None:
    table = report.split("Stories (2, 0 single-article)", 1)[1].split("Stories in detail", 1)[0]
    header = next(line for line in table.splitlines() if "Story" in line)
    assert re.fullmatch(r"\s+#\s+Arts\s+Copies\s+Story\s+Dates\s+Outlets\s*", header)
    rows = row_lines(table)
    assert list(rows) == [0, 1]
    lines = table.splitlines()
    assert re.match(r"\s+0\s+3\s+18\s", lines[rows[0]]) and re.match(r"\s+1\s+2\s+12\s", lines[rows[1]])
    first, second = "\n".join(lines[rows[0] : rows[1]]), "\n".join(lines[rows[1] :])
    # Dates: first and last day, one per line; outlets of the story.
    assert re.search(r"2021-05-12\s+Shafaq News", first) and "2021-05-17" in first
    assert "2023-12-20" in second and "2024-04-28" in second and "Shafaq News" not in second
    assert re.search(r"2023-12-20\s+-\s*$", second, re.M)  # no outlet known
    # The distinctive terms, joined by middle dots (they may wrap inside the Story column).
    stories = cluster_run.stories.stories
    for block, story in ((first, stories[0]), (second, stories[1])):
        words = " ".join(re.sub(r"\s+", " ", block).split())
        for term in story.terms:
            assert term in words, term
        assert " · ".join(story.terms[:2]) in words
    assert "Biden Pushes for Peace Talks in Escalating" in second
    assert "(single article)" not in table


def test_no_line_over_the_console_width_and_no_colour(cluster_run: Result) -> None:
    text = render(cluster_run, 100, details=True)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "\x1b[" not in text
    narrow = render(cluster_run, 72, details=True)
    assert max(len(line) for line in narrow.splitlines()) <= 72


def test_details_tree_only_with_details(report: str, cluster_run: Result) -> None:
    assert "Stories in detail" not in report
    detailed = render(cluster_run, 100, details=True)
    assert "Stories in detail" in detailed
    assert detailed.count("copy: J") == 30


def test_details_tree_nests_copies_under_their_canonical(cluster_run: Result, wire_truth: dict[str, str]) -> None:
    # Wide enough that no node wraps: one line per node, depth read from the tree guides.
    text = render_part(stories_tree(cluster_run), 260)
    nodes = []
    for line in text.splitlines()[1:]:
        m = re.match(r"^((?:[│ ]   )*)[├└]── (.*)$", line)
        assert m, line
        nodes.append((len(m.group(1)) // 4, m.group(2)))
    assert [text for depth, text in nodes if depth == 0][0].startswith("#0 ")
    assert "(3 articles, 18 copies, 2021-05-12 – 2021-05-17)" in nodes[0][1]
    parent: str | None = None
    seen = {}
    for depth, node in nodes:
        article_id = node.rsplit(" · ", 1)[-1].split()[0] if depth else None
        if depth == 1:
            parent = article_id
            assert "copy:" not in node
        elif depth == 2:
            assert re.search(r"copy: J [01]\.\d\d, C [01]\.\d\d$", node), node
            seen[article_id] = parent
    assert seen == wire_truth
    story_heads = [node for depth, node in nodes if depth == 0]
    assert len(story_heads) == 2
    assert "(2 articles, 12 copies, 2023-12-20 – 2024-04-28)" in story_heads[1]
    members = [node.rsplit(" · ", 1)[-1] for depth, node in nodes if depth == 1]
    assert members == MAY_2021 + WAR_2023


def test_tree_lines_show_outlet_date_and_id(cluster_run: Result) -> None:
    text = render_part(stories_tree(cluster_run), 260)
    assert "Shafaq News · 2021-05-13 · 000_e0606421c078fc18" in text
    assert "- · - · 000_e0606421c078fc18__footer  copy: J " in text  # wire copies carry no outlet or date


def test_limit_caps_table_and_tree(cluster_run: Result) -> None:
    text = render(cluster_run, 100, limit=1, details=True)
    assert list(row_lines(text.split("Stories (2", 1)[1].split("Stories in detail", 1)[0])) == [0]
    assert "1 more story in stories.jsonl (--output), or raise --limit" in text
    tree = text.split("Stories in detail", 1)[1]
    assert "#0 " in tree and "#1 " not in tree
    assert tree.count("copy: J") == 18


def test_single_article_story_is_marked() -> None:
    articles = [Article(id="lone", title="Lighthouse keepers retire", text="The last lighthouse keepers retired.")]
    run = storyclust.cluster(articles)
    text = render(run, 100, details=True)
    assert re.search(r"Stories\s+1 \(1 single-article\)", text)
    assert "Stories (1, 1 single-article)" in text
    assert "(single article)" in text
    row = next(line for line in text.splitlines() if re.match(r"\s+0\s+1\s+0\s", line))
    assert re.search(r"Lighthouse keepers retire\s+-\s+-\s*$", row)  # no dates, no outlets
    assert "(1 article, 0 copies, -)" in text


def test_stories_table_shows_one_day_once_and_more_outlets_as_a_count() -> None:
    from datetime import datetime, timezone

    day = datetime(2022, 8, 1, tzinfo=timezone.utc)
    body = "Firefighters battled the wildfire near the reservoir as winds pushed flames toward homes, officials said."
    articles = [
        Article(id=f"w{i}", title=f"Wildfire near reservoir update {i}", text=body.replace("homes", f"homes {i}"),
                date=day, source=source)
        for i, source in enumerate(["Daily A", "Daily B", "Daily C", "Daily D", "Daily E"])
    ]
    run = storyclust.cluster(articles, dedup=storyclust.DedupConfig(jaccard_threshold=1.0, containment_threshold=1.0))
    assert len(run.stories.stories) == 1
    table = render_part(stories_table(run), 100)
    assert table.count("2022-08-01") == 1
    assert "+2" in table and "Daily A" in table and "Daily E" not in table


def test_every_one_article_story_is_flagged_single_whatever_made_it() -> None:
    """Issue 14 item 8: a story of one article cut off by the coverage-gap split (here: linked to an early
    pair through undated articles, then split off as the only article 30 days later) was written with
    ``"singleton": false``, and the report counted 0 single-article stories."""
    from datetime import datetime, timedelta, timezone

    import numpy as np
    from scipy import sparse

    from storyclust.settings import StoryConfig
    from storyclust.stories import cluster_points
    from storyclust.stories.timeline import stamps

    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    when = stamps([start, start, None, None, start + timedelta(days=30)])
    split_off = 0
    for seed in range(12):
        rows = np.array([1.0, 0, 0]) + np.random.default_rng(seed).normal(0, 0.01, (5, 3))
        points = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
        labels, _, singleton = cluster_points(points, sparse.csr_matrix(points), when, StoryConfig(max_gap_days=7.0),
                                              residual=None)
        alone = np.bincount(labels)[labels] == 1
        assert singleton.tolist() == alone.tolist(), seed
        split_off += int(alone[4] and labels[4] != labels[0])
    assert split_off > 0  # the late article stands alone in some of these runs


def test_the_report_counts_every_one_article_story(cluster_run: Result) -> None:
    stories = cluster_run.stories.stories
    singles = sum(s.size == 1 for s in stories)
    assert f"Stories ({len(stories)}, {singles} single-article)" in render(cluster_run, 100)
