"""The HTML report: safe embedding, its data, an output folder read back, and the page in a real browser.

The browser tests drive Debian's Chromium headless from the command line (``--dump-dom`` for the DOM after
the page's script ran, ``--screenshot``), so they need no driver package. They are skipped, saying so, only
where no Chromium is found (``STORYCLUST_CHROMIUM`` names one explicitly; ``.ci/run`` installs Debian's).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

import storyclust
from storyclust import pipeline
from storyclust.export import write_outputs
from storyclust.html_report import (
    Inputs,
    ReportInput,
    build_payload,
    embed_json,
    from_result,
    read_folder,
    render_html,
    write_folder_html,
    write_html,
)
from storyclust.records import InputError

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "fixtures" / "seeds"
WIRE = ROOT / "fixtures" / "wire"

IMG = "<img src=x onerror=\"document.title='pwned'\">Breaking"
SCRIPT = "</script><script>document.title='pwned'</script>"
COMMENT = "<!-- an open comment"
BIDI = "Report \u202eexe.txt\u202c on \x1b[2J the \u200bwire"
OUTLET = "[link=http://evil]src[/link] <b>bold</b>"
ODD_ID = "\"><svg onload=alert(1)>"
HEADLINE = " Biden says effort to restore calm is a work in progress"


def seed_text(name: str) -> str:
    return (SEEDS / f"{name}.txt").read_text(encoding="utf-8").split("\n", 1)[1].strip()


def hostile_corpus(path: Path) -> Path:
    """Six articles with hostile titles, outlets and ids (three duplicate groups over three seed texts), and two
    unrelated articles."""
    a, b, c = seed_text("000_e0606421c078fc18"), seed_text("002_3736cbc9c8377d79"), seed_text("001_1a0f9e0c1cde66bd")
    changed = a.replace("sharp escalation", "<iframe src=http://example.com> escalation", 1)
    rows = [
        {"id": "h1", "title": IMG + HEADLINE, "text": a, "date": "2021-05-13", "source": OUTLET},
        {"id": "h2", "title": SCRIPT + HEADLINE, "text": changed + "\n\nSign up for our </script> newsletter",
         "date": "2021-05-14", "source": "Wire <Copy> & Co"},
        {"id": ODD_ID, "title": COMMENT + " Biden pushes for peace talks", "text": b, "date": "2024-04-28",
         "source": "AP"},
        {"id": "h4", "title": BIDI + " Biden pushes for peace talks", "text": b[: len(b) * 2 // 3],
         "date": "2024-04-29", "source": "AP"},
        {"id": "h5", "title": "Kerry: US still not calling for a cease-fire", "text": c, "date": "2021-05-17",
         "source": OUTLET},
        {"id": "h6", "title": "Kerry says US still not calling for cease-fire", "text": c, "date": "2021-05-18",
         "source": "Other"},
        # two unrelated articles: a corpus is seldom only copies
        {"id": "u1", "title": "Unrelated one", "text": seed_text("003_cd5b6eb30dfdc74c"), "date": "2021-05-12"},
        {"id": "u2", "title": "Unrelated two", "text": seed_text("004_229fe3e3d03ea7a0"), "date": "2023-12-20"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def cluster_run(paths):
    return pipeline.run(storyclust.read_articles(paths), storyclust.DedupConfig(), storyclust.StoryConfig())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile corpus, its cluster run, its output folder and its report."""
    base = tmp_path_factory.mktemp("hostile")
    corpus = hostile_corpus(base / "hostile.jsonl")
    result = cluster_run([corpus])
    out = base / "out"
    write_outputs(result, out)
    record_inputs(out, [corpus])
    report = write_html(result, base / "report.html")
    return corpus, result, out, report


def record_inputs(out: Path, paths, **flags) -> None:
    """Make sure ``summary.json`` records the run's inputs as the CLI writes them."""
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    doc.setdefault("inputs", {"paths": [str(Path(p).resolve()) for p in paths], "fields": {},
                              "skip_bad": False, "unique_ids": False, **flags})
    (out / "summary.json").write_text(json.dumps(doc), encoding="utf-8")


# ------------------------------------------------------------------ embedding and the static page


@pytest.mark.parametrize("text", [SCRIPT, COMMENT, "a & b > c", "\u2028\u2029", "\ud800 lone", "</SCRIPT >", "]]>"])
def test_embedded_json_cannot_break_out_and_reads_back(text):
    data = {"t": [text, {"k": text}]}
    embedded = embed_json(data)
    assert not re.search("[<>&\u2028\u2029\ud800-\udfff]", embedded)
    embedded.encode("utf-8")  # a lone surrogate would fail here
    assert json.loads(embedded) == data


def test_the_page_is_self_contained_and_runs_only_its_own_script(hostile):
    _, result, _, report = hostile
    html = report.read_text(encoding="utf-8")
    for needle in (IMG, SCRIPT, COMMENT, "<iframe", "<b>bold</b>", ODD_ID):
        assert needle not in html
    static = re.sub(r'<script type="application/json" id="storyclust-data">.*?</script>', "", html, flags=re.S)
    assert not re.search(r"<link|<img|<iframe|\ssrc=|@import|url\(", static)
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 1 and html.count("<script") == 2
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html and "default-src 'none'" in html


def test_the_script_never_parses_markup():
    script = (ROOT / "storyclust" / "html_report" / "report.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "DOMParser", "createContextualFragment", "setTimeout('", 'setTimeout("'):
        assert sink not in script


# ------------------------------------------------------------------ the data the page reads


def test_payload_lists_stories_groups_and_each_storys_articles_in_date_order(hostile):
    _, result, out, _ = hostile
    payload = build_payload(from_result(result))
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text("utf-8").splitlines()]
    stories = [json.loads(line) for line in (out / "stories.jsonl").read_text("utf-8").splitlines()]
    assert payload["articles"]["id"] == [r["id"] for r in rows]
    assert [s["id"] for s in payload["stories"]] == [s["story_id"] for s in stories]
    for story in payload["stories"]:
        mine = [i for i, r in enumerate(rows) if r["story_id"] == story["id"]]
        mine.sort(key=lambda i: (rows[i]["date"] is None, rows[i]["date"] or "", i))
        assert story["members"] == mine
        originals = {rows[i]["source"] for i in mine if rows[i]["is_canonical"] and rows[i]["source"]}
        assert [payload["outlets"][k] for k in story["independent"]] == sorted(originals)
    groups = {r["dup_group"] for r in rows if r["dup_group"] is not None}
    assert sorted(g["id"] for g in payload["groups"]) == sorted(groups) and len(groups) == 3
    by_id = {g["id"]: g for g in payload["groups"]}
    h2 = payload["articles"]["id"].index("h2")
    group = by_id[rows[h2]["dup_group"]]
    assert payload["articles"]["id"][group["origin"]] == "h1"  # the earlier of the two
    kinds = dict(zip(group["order"], group["kinds"]))
    assert {"headline", "added"} <= set(kinds[h2])


def test_each_copys_diff_rebuilds_its_text():
    result = pipeline.run(storyclust.read_articles([SEEDS, WIRE]))
    payload = build_payload(from_result(result))
    texts = [a.text for a in result.articles]
    checked = 0
    for group in payload["groups"]:
        a = group["text"]
        for i, rows in zip(group["order"], group["diffs"]):
            if rows is None:
                continue
            copy = "".join(a[r[1] : r[2]] if r[0] == "e" else r[3] if r[0] in "inrp" else "" for r in rows)
            assert copy.split() == texts[i].split()
            assert "".join(a[r[1] : r[2]] for r in rows).split() == a.split()
            checked += 1
    assert checked == 30
    assert payload["stories"] is None and payload["command"] == "dedup"


def test_wire_variants_get_the_kinds_they_were_made_with():
    """fixtures/wire holds one copy per seed and kind of rewrite (the generator's names are the truth)."""
    result = pipeline.run(storyclust.read_articles([SEEDS, WIRE]))
    payload = build_payload(from_result(result))
    ids = payload["articles"]["id"]
    kinds = {ids[i]: set(k) for g in payload["groups"] for i, k in zip(g["order"], g["kinds"])}
    words = {ids[i]: w for g in payload["groups"] for i, w in zip(g["order"], g["words"]) if w}
    for name, found in kinds.items():
        variant = name.split("__")[1] if "__" in name else None
        cut, added, changed, moved = words.get(name, (0, 0, 0, 0))
        if variant is None:
            assert found == set()
        elif variant == "truncate":
            assert "cut" in found and added == changed == 0
        elif variant in ("boilerplate", "footer"):
            assert found == {"added"}
        elif variant == "headline":
            assert found == {"headline"}
        elif variant == "substitute":
            assert "rewritten" in found and cut == added == moved == 0
        elif variant == "reorder":
            assert moved > 10 * (cut + added + changed)
    assert len(kinds) == 35


# ------------------------------------------------------------------ an output folder read back


def test_a_folder_gives_the_same_report_as_the_run(hostile, tmp_path):
    _, result, out, report = hostile
    again = write_folder_html(out, tmp_path / "again.html")
    assert again.read_text(encoding="utf-8") == report.read_text(encoding="utf-8")


def test_folder_errors_say_which_file_and_what_to_do(hostile, tmp_path):
    corpus, result, _, _ = hostile
    out = tmp_path / "out"
    write_outputs(result, out)
    doc = json.loads((out / "summary.json").read_text("utf-8"))
    doc.pop("inputs", None)
    (out / "summary.json").write_text(json.dumps(doc), "utf-8")
    with pytest.raises(InputError, match=r"summary\.json: no record of the run's inputs.*give the input paths"):
        read_folder(out)
    given = read_folder(out, Inputs((str(corpus),)))  # the inputs named instead
    assert given.texts == [a.text for a in result.articles]
    moved = tmp_path / "moved.jsonl"
    shutil.copy(corpus, moved)
    record_inputs(out, [moved])
    changed = moved.read_text("utf-8").replace('"id": "h4"', '"id": "h4b"')
    moved.write_text(changed, "utf-8")
    with pytest.raises(InputError, match=r"summary\.json: the inputs have changed since the run \(article 4 differs"):
        read_folder(out)
    moved.unlink()
    with pytest.raises(InputError, match=r"moved\.jsonl: input of this run .* is gone"):
        read_folder(out)
    with pytest.raises(InputError, match=r"not a folder"):
        read_folder(tmp_path / "nowhere")
    (out / "articles.jsonl").write_text('{"id": "x"}\n{oops\n', "utf-8")
    with pytest.raises(InputError, match=r"articles\.jsonl:2: not valid JSON"):
        read_folder(out)


def test_a_dedup_run_has_groups_and_no_stories(tmp_path):
    result = pipeline.run(storyclust.read_articles([SEEDS, WIRE]))
    html = render_html(from_result(result))
    payload = json.loads(re.search(r'id="storyclust-data">(.*?)</script>', html, re.S).group(1))
    assert payload["stories"] is None and len(payload["groups"]) == 5


# ------------------------------------------------------------------ in a real browser


def chromium() -> str | None:
    named = os.environ.get("STORYCLUST_CHROMIUM")
    if named:
        return named
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


needs_chromium = pytest.mark.skipif(
    chromium() is None,
    reason="no Chromium found: install Debian's (`apt-get install -y chromium`, as .ci/run does) or set "
    "STORYCLUST_CHROMIUM to a Chromium binary",
)

# As root (CI) Chromium needs --no-sandbox; the rest keep it from reaching for the network or a profile.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--virtual-time-budget=15000"]


def browse(page: Path, fragment: str, tmp_path: Path, *extra: str) -> str:
    """The DOM after the page's script ran (or, with ``--screenshot=...`` in ``extra``, a screenshot)."""
    profile = tmp_path / f"profile{len(list(tmp_path.iterdir()))}"
    mode = [] if any(e.startswith("--screenshot") for e in extra) else ["--dump-dom"]
    done = subprocess.run(
        [chromium(), *FLAGS, *mode, f"--user-data-dir={profile}", *extra, page.resolve().as_uri() + fragment],
        capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: "Node | None"):
        self.tag, self.attrs, self.parent, self.children, self.parts = tag, attrs, parent, [], []

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, tag: str | None = None, cls: str | None = None) -> list["Node"]:
        return [n for n in self.walk() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes())]


class Dom(HTMLParser):
    """The serialised DOM as a tree of :class:`Node` (enough for counting and reading text)."""

    VOID = {"meta", "input", "br", "img", "link", "hr", "source", "col", "area", "base", "wbr", "embed"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = self.at = Node("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.at)
        self.at.children.append(node)
        self.at.parts.append(node)
        if tag not in self.VOID:
            self.at = node

    def handle_endtag(self, tag):
        node = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data):
        self.at.parts.append(data)


def app(dom: Dom) -> Node:
    (main,) = [n for n in dom.root.find("main") if n.attrs.get("id") == "app"]
    return main


def assert_nothing_injected(dom: Dom) -> None:
    tags = {n.tag for n in dom.root.walk()}
    assert not tags & {"img", "iframe", "b", "embed", "object"}
    assert not [n for n in dom.root.find("svg") if "onload" in n.attrs]
    assert len(dom.root.find("script")) == 2
    assert dom.root.find("title")[0].text == "storyclust report"


def test_the_benchmark_reads_when_the_first_view_was_drawn():
    from benchmarks.html_report import first_view_ms

    assert first_view_ms('<!DOCTYPE html>\n<html lang="en" data-ready="1234"><head>') == 1234
    assert first_view_ms('<!DOCTYPE html>\n<html lang="en"><head>') is None


@needs_chromium
def test_story_list_in_the_browser(hostile, tmp_path):
    from benchmarks.html_report import first_view_ms

    _, result, _, report = hostile
    text = browse(report, "", tmp_path)
    dom = Dom(text)
    main = app(dom)
    assert first_view_ms(text) is not None  # the script ran to its end
    stories = result.stories.stories
    assert main.attrs["data-view"] == "stories" and int(main.attrs["data-matches"]) == len(stories)
    rows = main.find("tr", "story-row")
    assert [int(r.attrs["data-story"]) for r in rows] == [s.story_id for s in stories]
    headlines = {n.text for n in main.find("a", "headline")}
    assert headlines & {IMG + HEADLINE, SCRIPT + HEADLINE, COMMENT + " Biden pushes for peace talks"}
    assert len(main.find("svg")) == 1 and main.find("rect")
    assert_nothing_injected(dom)


@needs_chromium
def test_story_page_in_the_browser_shows_its_articles_in_date_order(hostile, tmp_path):
    _, result, out, report = hostile
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text("utf-8").splitlines()]
    h4 = next(r for r in rows if r["id"] == "h4")
    story = h4["story_id"]
    expected = sorted((r for r in rows if r["story_id"] == story), key=lambda r: datetime.fromisoformat(r["date"]))
    dom = Dom(browse(report, f"#story={story}", tmp_path))
    main = app(dom)
    assert main.attrs["data-view"] == "story" and main.attrs["data-story"] == str(story)
    shown = main.find("tr", "article-row")
    assert [r.attrs["data-id"] for r in shown] == [r["id"] for r in expected]
    titles = [r.find(cls="title")[0] for r in shown]
    odd = next(t for t, r in zip(titles, expected) if r["id"] == "h4")
    # control and bidi characters are shown as visible escapes, the rest literally
    assert odd.text == "Report \\u202eexe.txt\\u202c on \\x1b[2J the \\u200bwire Biden pushes for peace talks"
    assert [n.text for n in odd.find("span", "esc")] == ["\\u202e", "\\u202c", "\\x1b", "\\u200b"]
    ids = [r.find("code")[0].text for r in shown]
    assert ODD_ID in ids or "h4" in ids
    assert_nothing_injected(dom)


@needs_chromium
def test_group_page_in_the_browser_shows_the_diff_and_hostile_text_literally(hostile, tmp_path):
    _, result, out, report = hostile
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text("utf-8").splitlines()]
    group = next(r["dup_group"] for r in rows if r["id"] == "h2")
    dom = Dom(browse(report, f"#group={group}", tmp_path))
    main = app(dom)
    assert main.attrs["data-view"] == "group"
    (copy,) = main.find("section", "copy")
    assert copy.attrs["data-id"] == "h2"
    diff = copy.find("table", "diff")[0]
    title_row = diff.find("tr", "title")[0]
    assert [td.text for td in title_row.find("td")] == [IMG + HEADLINE, SCRIPT + HEADLINE]
    added = " ".join(n.text for n in diff.find(cls="add"))
    changed = " ".join(n.text for n in diff.find(cls="chg"))
    assert "Sign up for our </script> newsletter" in added
    assert "<iframe src=http://example.com>" in changed + added
    tree = main.find("ul", "tree")[0]
    assert [li.attrs["data-id"] for li in tree.find("li")] == ["h1", "h2"]
    assert_nothing_injected(dom)
    # one copy alone, by its id in the address
    seeds = write_html(pipeline.run(storyclust.read_articles([SEEDS, WIRE])), tmp_path / "seeds.html")
    one = "001_1a0f9e0c1cde66bd__truncate"
    main = app(Dom(browse(seeds, f"#group=1?copy={one}", tmp_path)))
    (section,) = main.find("section", "copy")
    assert section.attrs["data-id"] == one
    assert section.find(cls="cut") and not section.find(cls="add") and not section.find(cls="chg")


ODD_CHARACTERS = [chr(c) for c in [*range(0x20), *range(0x7f, 0xa0)]] + [
    "\u00ad", "\u061c", "\u200b", "\u200e", "\u200f", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066",
    "\u2069", "\ufeff", "\ud800", "\udfff", "\U000e0001", "\x1b]0;title\x07", "\x1b[2J", "[/]", "[bold]x[/bold]",
]


@needs_chromium
def test_the_page_escapes_what_the_terminal_report_escapes(tmp_path):
    """Every title reaches the page as storyclust.safe_text.visible() writes it for the terminal."""
    from storyclust.safe_text import visible

    titles = [f"a{ch}b" for ch in ODD_CHARACTERS]
    rows = [{"id": f"x{k}", "title": t, "source": t, "date": None, "dup_group": None, "canonical_id": f"x{k}",
             "is_canonical": True, "story_id": 0} for k, t in enumerate(titles)]
    story = {"story_id": 0, "size": len(rows), "copies": 0, "terms": ["a\u202eb"], "headline": titles[0],
             "first_date": None, "last_date": None, "sources": [], "article_ids": [r["id"] for r in rows]}
    inp = ReportInput("cluster", rows, [], [story], {"counts": {}}, ["text \x1b[2J \u202e body"] * len(rows))
    page = tmp_path / "odd.html"
    page.write_text(render_html(inp), encoding="utf-8")
    main = app(Dom(browse(page, "#story=0", tmp_path)))
    shown = {r.attrs["data-id"]: r for r in main.find("tr", "article-row")}
    assert len(shown) == len(rows)
    for row in rows:
        tr = shown[row["id"]]
        assert tr.find(cls="title")[0].text == visible(row["title"]), repr(row["title"])
        assert tr.find("td")[1].text == visible(row["source"])
    assert main.find(cls="snippet")[0].text == "text \\x1b[2J \\u202e body"


@needs_chromium
def test_filters_from_the_address_narrow_the_list(hostile, tmp_path):
    _, result, out, report = hostile
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text("utf-8").splitlines()]
    main = app(Dom(browse(report, "#groups?outlet=AP&from=2024-01-01", tmp_path)))
    assert main.attrs["data-view"] == "groups" and main.attrs["data-matches"] == "1"
    main = app(Dom(browse(report, "#stories?q=kerry%20says", tmp_path)))
    story = next(r for r in rows if r["id"] == "h6")["story_id"]
    assert [r.attrs["data-story"] for r in main.find("tr", "story-row")] == [str(story)]
    main = app(Dom(browse(report, "#stories?min=3", tmp_path)))
    big = [s.story_id for s in result.stories.stories if s.size >= 3]
    assert [int(r.attrs["data-story"]) for r in main.find("tr", "story-row")] == big


@needs_chromium
def test_screenshot_of_a_story_page(hostile, tmp_path):
    _, result, _, report = hostile
    shot = tmp_path / "story.png"
    browse(report, "#story=0", tmp_path, f"--screenshot={shot}", "--window-size=1280,900")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 900) and len(data) > 20_000


# ------------------------------------------------------------------ the command line


def invoke(*args: str, input: str | None = None):
    from click.testing import CliRunner

    from storyclust.cli import main

    return CliRunner().invoke(main, list(args), input=input)


def test_cluster_html_and_report_of_its_folder_write_the_same_file(tmp_path):
    out, first, second = tmp_path / "out", tmp_path / "run.html", tmp_path / "folder.html"
    done = invoke("cluster", str(SEEDS), str(WIRE), "--output", str(out), "--html", str(first), "--format", "json")
    assert done.exit_code == 0, done.output
    assert invoke("report", str(out), "--html", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    payload = json.loads(re.search(r'id="storyclust-data">(.*?)</script>', first.read_text("utf-8"), re.S).group(1))
    assert len(payload["stories"]) == len((out / "stories.jsonl").read_text("utf-8").splitlines())
    dedup = tmp_path / "dedup.html"
    assert invoke("dedup", str(SEEDS), str(WIRE), "--html", str(dedup), "--format", "json").exit_code == 0
    assert '"stories":null' in dedup.read_text("utf-8")


def test_report_command_errors_are_one_located_line(tmp_path):
    done = invoke("dedup", str(SEEDS), "--html", str(tmp_path / "missing" / "x.html"))
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert done.output.strip() == f"Error: {tmp_path / 'missing' / 'x.html'}: cannot write the HTML report: " \
        f"the folder {tmp_path / 'missing'} does not exist"
    out = tmp_path / "out"
    piped = (SEEDS / "metadata.jsonl").read_text("utf-8")
    lines = [json.dumps({**json.loads(line), "text": "word " * 40 + str(k)}) for k, line in enumerate(piped.splitlines())]
    assert invoke("dedup", "-", "--output", str(out), "--format", "json", input="\n".join(lines) + "\n").exit_code == 0
    done = invoke("report", str(out), "--html", str(tmp_path / "r.html"))
    assert done.exit_code == 1
    assert done.output.strip().startswith(f"Error: {out / 'summary.json'}: the run read stdin, which cannot be read again")
    done = invoke("report", str(tmp_path / "nowhere"), "--html", str(tmp_path / "r.html"))
    assert done.exit_code == 1 and "not a folder" in done.output and not (tmp_path / "r.html").exists()
