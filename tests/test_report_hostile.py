"""Issue 14, items 1-3: text from the data reaches the terminal escaped and literal, never as control
sequences or markup, in every rendered field (titles, outlets, ids, terms, skipped locations and reasons)."""

from __future__ import annotations

import dataclasses
import io
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

import pytest

from storyclust import pipeline
from storyclust.pipeline import Prepared, Result
from storyclust.records import Article, ReadResult, SkippedRecord
from storyclust.report import render_cluster, render_dedup
from storyclust.safe_text import ESCAPED_CATEGORIES, json_text, shown, visible
from storyclust.settings import StoryConfig

BODY = (
    "The river burst its banks overnight and the water reached the old town square by dawn, officials said. "
    "Rescue boats moved residents from the lowest streets while engineers checked the dam upstream for cracks."
)
HOSTILE = {
    "clear screen": "\x1b[2J\x1b[H",
    "window title (OSC)": "\x1b]0;owned\x07",
    "terminal query (DCS)": "\x1bP$q m\x1b\\",
    "C1 CSI": "\x9b31m",
    "NUL": "a\x00b",
    "bidi override": "abc\u202edef",
    "bidi isolate": "\u2066x\u2069",
    "zero width": "a\u200bb\u200dc\ufeff",
    "line separator": "a\u2028b",
}


def console(width: int) -> Console:
    return Console(width=width, file=io.StringIO(), color_system=None, force_terminal=True)


def raw_controls(text: str) -> list[str]:
    """Characters of the escaped categories in rendered output (its own newlines aside)."""
    return sorted({c for c in text if c != "\n" and unicodedata.category(c) in ESCAPED_CATEGORIES})


@pytest.fixture(scope="module")
def template() -> Result:
    """A story run over copies of one article: its duplicate group and its story are what is rendered."""
    articles = [Article(id=f"t{n}", title="Flood", text=BODY, location=f"t.jsonl:{n + 1}") for n in range(9)]
    run = pipeline.run(ReadResult(articles), story_config=StoryConfig())
    assert [g.members for g in run.dedup.groups] == [tuple(range(9))], "the copies must form one group"
    return run


def hostile_run(template: Result, titles: list[str], sources: list[str | None], ids: list[str]) -> Result:
    """``template`` with the given titles, outlets and ids (also as story terms, outlets and a skipped record)."""
    n = len(titles)
    articles = [
        dataclasses.replace(a, id=i, title=t, source=s) for a, t, s, i in zip(template.articles, titles, sources, ids)
    ]
    keep = list(range(n))
    dedup = template.dedup
    groups = [dataclasses.replace(g, members=tuple(m for m in g.members if m < n)) for g in dedup.groups]
    stories = template.stories
    story = dataclasses.replace(
        stories.stories[0],
        members=(0,),
        copies=tuple(range(1, n)),
        representative=0,
        terms=tuple(titles),
        sources=tuple(s for s in sources if s),
    )
    return Result(
        read=ReadResult(articles, skipped=[SkippedRecord(f"{ids[0]}:9", f"bad record {titles[0]}")]),
        prepared=Prepared(articles, list(titles), [template.prepared.texts[k] for k in keep]),
        dedup=dataclasses.replace(dedup, groups=groups),
        config=template.config,
        stories=dataclasses.replace(stories, stories=[story]),
        timings=template.timings,
    )


def render_all(run, width: int = 1000) -> str:
    out = console(width)
    render_dedup(run, out, limit=5)
    render_cluster(run, out, limit=5, details=True)
    return out.file.getvalue()


def test_visible_escapes_each_kind_of_control() -> None:
    assert visible("\x1b[2J") == "\\x1b[2J"
    assert visible("\x9b") == "\\x9b"
    assert visible("a\x00b\tc\n") == "a\\x00b\\tc\\n"
    assert visible("abc\u202edef") == "abc\\u202edef"
    assert visible("\u2066\u200b\ufeff\u2028") == "\\u2066\\u200b\\ufeff\\u2028"
    assert visible("tag\U000e0041") == "tag\\U000e0041"
    assert visible("lone \ud800") == "lone \\ud800"
    assert visible("Zürich 東京 – «ok»\u00a0☃") == "Zürich 東京 – «ok»\u00a0☃"  # printable text unchanged


def test_control_sequences_are_escaped_in_every_field(template: Result) -> None:
    names = list(HOSTILE)
    run = hostile_run(
        template,
        [f"Flood {name} {seq} title" for name, seq in HOSTILE.items()],
        [f"Outlet{seq}" for seq in HOSTILE.values()],
        [f"id-{n}{seq}" for n, seq in enumerate(HOSTILE.values())],
    )
    text = render_all(run)
    assert raw_controls(text) == []
    assert "\x1b" not in text and "\x9b" not in text
    for n, (name, seq) in enumerate(HOSTILE.items()):
        assert f"Outlet{visible(seq)}" in text, name
        assert f"id-{n}{visible(seq)}" in text, name
    assert visible(run.prepared.titles[names.index("bidi override")]) in text
    assert "Flood clear screen \\x1b[2J\\x1b[H title" in text
    assert f"{visible('id-0' + HOSTILE['clear screen'])}:9" in text  # the skipped record's location


def test_markup_in_the_data_is_shown_as_written(template: Result) -> None:
    sources = ["[link=http://evil]src[/link]", "[reuters]", "AP [updated]", "[/]", "[bold red]x", ":smile:"]
    ids = ["[/]", "[link=http://evil]id[/link]", "[b]2", "id3 [/b]", "[i]", "x:smile:"]
    run = hostile_run(template, [f"Title {s}" for s in sources], sources, ids)
    text = render_all(run)
    for value in sources + ids:
        assert value in text
    assert "Title [link=http://evil]src[/link]" in text
    assert "😄" not in text  # no emoji codes replaced either


def test_closing_tag_alone_does_not_end_the_report(template: Result) -> None:
    """``[/]`` as an outlet, an id and a skipped location raised rich's MarkupError (item 3)."""
    run = hostile_run(template, ["[/]", "[/] again"], ["[/]", "[/]"], ["[/]", "[/]x"])
    text = render_all(run, width=100)
    assert "Skipped records (1)" in text
    assert "[/]:9" in text


def test_a_narrow_console_never_shows_raw_controls(template: Result) -> None:
    run = hostile_run(template, ["\x1b[2J" * 30, "\u202e" * 50], ["\x9b" * 20, None], ["\x1b]0;t\x07" * 5, "b"])
    for width in (40, 80, 120):
        assert raw_controls(render_all(run, width)) == []


def test_shown_marks_the_escapes_but_never_parses_markup() -> None:
    text = shown("[b]x\x1by[/b]")
    assert text.plain == "[b]x\\x1by[/b]"
    assert [(span.start, span.end) for span in text.spans] == [(4, 8)]


def test_json_for_the_terminal_is_the_same_json_value() -> None:
    import json

    value = {"t": "a\x1b[2J\x9b\u202e\u200b\U000e0041 é ☃", "n": [1, 2.5, None]}
    doc = json_text(value)
    assert json.loads(doc) == value
    assert raw_controls(doc) == []
    assert "é ☃" in doc  # other text is written as it is


# ------------------------------------------------------------------------------------- property test

# Arbitrary text leaning on what breaks terminals: controls (C0, C1), format characters (bidi, zero-width),
# escaped lone surrogates, line separators, and rich markup and emoji codes.
HOSTILE_CHARS = st.one_of(
    st.characters(codec=None, categories=("Cc", "Cf", "Cs", "Zl", "Zp")),
    st.sampled_from(["[", "]", "/", "[/]", "[link=x]", ":smile:", "\\", "=", "#", "\x1b[", "\x1b]0;"]),
    st.characters(categories=("L", "N", "P", "S", "Zs", "M")),
)
FIELD = st.lists(HOSTILE_CHARS, min_size=1, max_size=12).map("".join)


@settings(max_examples=200)
@given(title=FIELD, source=FIELD, ident=FIELD)
def test_any_unicode_is_shown_visibly_and_never_raw(template: Result, title: str, source: str, ident: str) -> None:
    run = hostile_run(template, [title, "Copy " + title], [source, source], [ident, ident + "~2"])
    text = render_all(run, width=2000)
    assert raw_controls(text) == []
    for value in (title, source, ident, ident + "~2", f"{ident}:9", f"bad record {title}"):
        assert visible(value).strip() in text
