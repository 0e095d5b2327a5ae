"""Tests for storyclust.report: the dedup report rendered into a plain, fixed-width console."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from storyclust import pipeline
from storyclust.records import ReadResult, RenamedId, SkippedRecord
from storyclust.report import MAX_SKIPPED_SHOWN, render_dedup


def render(run, width: int, **kwargs) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, force_terminal=True)
    render_dedup(run, console, **kwargs)
    return console.file.getvalue()


def header_line(text: str) -> str:
    return next(line for line in text.splitlines() if "Headline" in line)


def test_report_at_width_100(fixture_run) -> None:
    text = render(fixture_run, 100)
    for label in ("Articles read", "Duplicate groups", "Copies"):
        assert label in text
    assert re.search(r"Articles read\s+35\s", text)
    assert re.search(r"Copies\s+30 \(5 unique articles\)", text)
    assert "Duplicate groups (5)" in text
    assert "Biden says effort to restore" in text
    assert text.count("canonical") == 5  # one canonical row per group
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "\x1b[" not in text  # no colour codes
    assert re.search(r"\bId\b.*\bDate\b.*\bJaccard\b.*\bContain\b", header_line(text))


def test_report_at_80_columns_tells_copies_apart(fixture_run) -> None:
    """At 80 columns each row shows the end of its id (where generated and variant ids differ) and over 30
    characters of headline; the date goes and both similarities share one column."""
    text = render(fixture_run, 80)
    assert re.search(r"\bId\b.*\bHeadline\b.*\bJ / C\b", header_line(text))
    assert "Date" not in header_line(text)
    for variant in ("__footer", "__reorder", "__truncate"):
        assert variant in text
    assert "Biden says effort to restore calm" in text
    dedup = fixture_run.dedup
    copy = next(i for i in range(len(fixture_run.articles)) if not dedup.canonical_mask[i])
    jac, con = dedup.similarity[copy]
    assert f"{jac:.2f} {con:.2f}" in text


def test_report_shows_each_copys_similarity_to_its_canonical(fixture_run) -> None:
    table = render(fixture_run, 100).split("Duplicate groups (5)", 1)[1]  # below the summary panel's timings
    numbers = re.findall(r"(?<![\d.])[01]\.\d\d(?![\d.])", table)
    dedup = fixture_run.dedup
    copies = [i for i in range(len(fixture_run.articles)) if not dedup.canonical_mask[i]]
    expected = [f"{dedup.similarity[i, 0]:.2f}" for i in copies] + [f"{dedup.similarity[i, 1]:.2f}" for i in copies]
    assert sorted(numbers) == sorted(expected)
    assert any(n.startswith("0.") for n in numbers)


def test_copies_are_listed_under_their_canonical(fixture_run) -> None:
    text = render(fixture_run, 140)
    lines = text.splitlines()
    dedup = fixture_run.dedup
    for group in dedup.groups:
        first = next(i for i, line in enumerate(lines) if re.match(rf"\s+{group.group_id}\s", line) and "canonical" in line)
        following = lines[first + 1 : first + len(group.members)]
        assert all("↳" in line for line in following)
    assert text.count("↳") == dedup.copies


def test_report_at_width_140_shows_ids(fixture_run) -> None:
    text = render(fixture_run, 140)
    assert re.search(r"\bId\b", header_line(text))
    assert "…_e0606421c078fc18" in text  # ids are cut from the left to the column: their ends tell copies apart
    assert "…fc18__boilerplate" in text
    assert max(len(line) for line in text.splitlines()) <= 140


@pytest.mark.parametrize("width", [80, 100, 140])
def test_report_fits_the_console(fixture_run, width: int) -> None:
    assert max(len(line) for line in render(fixture_run, width).splitlines()) <= width


def test_group_limit_adds_a_caption(fixture_run) -> None:
    text = render(fixture_run, 100, limit=2)
    assert text.count("canonical") == 2
    assert "3 more groups in duplicates.jsonl (--output)" in text


def test_report_without_copies(make_articles) -> None:
    run = pipeline.run(ReadResult(make_articles(["one two three four", "five six seven eight"])))
    text = render(run, 100)
    assert "No copies found." in text and "Duplicate groups (0)" in text
    assert "Skipped records (" not in text


def test_report_lists_skipped_and_renamed_records(make_articles) -> None:
    skipped = [SkippedRecord(f"d.jsonl:{n}", "empty text") for n in range(2, MAX_SKIPPED_SHOWN + 5)]
    read = ReadResult(
        make_articles(["one two three four"]), skipped=skipped, renamed=[RenamedId("d.jsonl:1", "x", "x~2")]
    )
    text = render(pipeline.run(read), 100)
    assert f"Skipped records ({len(skipped)})" in text
    assert re.search(r"Skipped records\s+53\s", text) and re.search(r"Renamed ids\s+1\s", text)
    assert "d.jsonl:2 " in text and f"d.jsonl:{MAX_SKIPPED_SHOWN + 1} " in text
    assert f"d.jsonl:{MAX_SKIPPED_SHOWN + 2} " not in text
    assert "3 more in summary.json (--output)" in " ".join(text.split())  # the caption wraps


@pytest.mark.parametrize("width", [100, 140])
def test_dates_are_shown_in_full(fixture_run, width: int) -> None:
    text = render(fixture_run, width)
    assert "2021-05-13" in text


def test_summary_shows_the_articles_empty_after_cleaning() -> None:
    """Issue 14 item 9's report half: a headline-only article whose text is its title is empty after cleaning
    and compared on its headline; the summary says how many there are (and shows no such row when there are none)."""
    from storyclust.records import Article

    articles = [
        Article(id="h1", title="Flood closes the bridge", text="Flood closes the bridge"),
        Article(id="h2", title="Dam", text="Engineers checked the dam upstream for cracks after the water rose."),
    ]
    run = pipeline.run(ReadResult(articles))
    assert re.search(r"Empty after cleaning\s+1 \(compared on their headlines\)", render(run, 100))
    assert "Empty after cleaning" not in render(pipeline.run(ReadResult(articles[1:])), 100)
