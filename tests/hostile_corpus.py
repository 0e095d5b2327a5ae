"""A corpus of hostile and odd inputs for storyclust's commands (issue 14), one small case per folder.

    python tests/hostile_corpus.py OUTDIR      # writes OUTDIR/<case>/... and OUTDIR/cases.json

Categories: terminal control sequences and invisible characters in titles, outlets and ids; rich markup in
the data; JSON nested too deeply; lone surrogates; impossible output folders; empty inputs; bytes that are
no UTF-8 text (UTF-16, compressed data, stdin); malformed structure (JSON, CSV, fields, ids); odd dates and
odd text. Each case names its inputs, extra command-line options, the stdin bytes if any, and how many
records it holds (every one must come out as an article or a skipped record when a run succeeds).
"""

from __future__ import annotations

import bz2
import gzip
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Case", "CASES", "write_case", "write_corpus"]

BODY = (
    "The river burst its banks overnight and water reached the old town square by dawn, officials said. "
    "Rescue boats moved residents from the lowest streets while engineers checked the dam upstream."
)
DEEP = "[" * 3000 + "]" * 3000


@dataclass(frozen=True)
class Case:
    """One input set. ``files`` maps a path inside the case folder to its bytes (a path ending in ``/`` is an
    empty folder); ``args`` are the command's arguments, where ``{dir}`` stands for the case folder."""

    name: str
    category: str
    files: dict[str, bytes]
    args: tuple[str, ...]
    records: int  # records in the input: articles + skipped records after a successful run
    stdin: bytes | None = None
    note: str = ""
    tags: tuple[str, ...] = field(default=())


def jsonl(*records: object) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def article(n: int, **fields: object) -> dict[str, object]:
    return {"id": f"a{n}", "title": f"Flood number {n}", "text": f"{BODY} Story {n}.", "source": "Wire", **fields}


def _dump_case(name: str, category: str, records: list[object] | int, *options: str, raw: bytes | None = None) -> Case:
    """A ``dump.jsonl`` of ``records`` (or of the bytes ``raw``, holding ``records`` records)."""
    if isinstance(records, int):
        assert raw is not None
        return Case(name, category, {"dump.jsonl": raw}, ("{dir}/dump.jsonl", *options), records)
    data = raw if raw is not None else jsonl(*records)
    return Case(name, category, {"dump.jsonl": data}, ("{dir}/dump.jsonl", *options), len(records))


def _field_cases(category: str, values: dict[str, str]) -> list[Case]:
    """Each value as a title, an outlet and an id, in two copies of one article (so every field is rendered)."""
    cases = []
    for label, value in values.items():
        records = [
            {"id": f"x{value}", "title": f"Title {value}", "text": BODY, "source": f"Outlet {value}"},
            {"id": f"y{value}", "title": f"Title {value} copy", "text": BODY, "source": value},
            article(3),
        ]
        cases.append(_dump_case(f"{category}-{label}", category, records))
    return cases


CONTROLS = {
    "clear-screen": "\x1b[2J\x1b[H",
    "osc-title": "\x1b]0;owned\x07",
    "osc-hyperlink": "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",
    "dcs-query": "\x1bP$q m\x1b\\",
    "c1-csi": "\x9b31m\x9b2J",
    "nul-bel-bs": "a\x00b\x07c\x08d",
    "cr-overwrite": "safe\rEVIL",
    "bidi-override": "abc\u202edef\u202c",
    "bidi-isolate": "\u2066x\u2069\u2067y\u2069",
    "zero-width": "a\u200bb\u200dc\ufeffd\u2060",
    "line-separator": "a\u2028b\u2029c",
    "tag-characters": "flag\U000e0041\U000e007f",
}
MARKUP = {
    "link": "[link=http://evil]src[/link]",
    "bracketed-outlet": "[reuters]",
    "updated": "AP [updated]",
    "close-tag": "[/]",
    "style": "[bold red on white]x[/bold red on white]",
    "emoji-code": ":smile: :warning:",
    "escaped-bracket": "\\[not markup]",
}


def _cases() -> list[Case]:
    cases = _field_cases("control", CONTROLS) + _field_cases("markup", MARKUP)
    # markup and controls in the skipped-records table: the reason quotes the id
    cases.append(_dump_case("markup-skipped-table", "markup",
                            [article(1, id="[/]"), {"id": "[/]", "text": BODY}, {"id": "\x1b[2J", "text": ""}],
                            "--skip-bad"))
    cases.append(Case("markup-file-name", "markup", {"[/]dump\x1b[2J.jsonl": jsonl(article(1), {"text": ""})},
                      ("{dir}/[/]dump\x1b[2J.jsonl", "--skip-bad"), 2))

    deep = {"id": "d", "text": BODY, "x": None}
    deep_line = json.dumps(deep).replace("null", DEEP).encode()
    cases += [
        _dump_case("deep-jsonl", "deep", 2, raw=jsonl(article(1)) + deep_line + b"\n"),
        _dump_case("deep-jsonl-skip", "deep", 2, "--skip-bad", raw=jsonl(article(1)) + deep_line + b"\n"),
        Case("deep-json-array", "deep", {"d.json": b"[" + json.dumps(article(1)).encode() + b",\n" + deep_line + b"]"},
             ("{dir}/d.json", "--skip-bad"), 2),
        Case("deep-never-closes", "deep", {"d.json": b"[" + b"[" * 5000}, ("{dir}/d.json", "--skip-bad"), 0),
        Case("deep-sidecar", "deep", {"t/a.txt": b"Title\n" + BODY.encode(), "t/metadata.jsonl": b'{"id": "a", "x": ' + DEEP.encode() + b"}\n"},
             ("{dir}/t",), 1),
    ]
    surrogate_lines = {
        "title": b'{"id": "s1", "title": "x\\ud800", "text": "body text"}',
        "id": b'{"id": "\\udfff", "text": "body text"}',
        "key": b'{"id": "s1", "\\ud800": 1, "text": "body text"}',
        "nested": b'{"id": "s1", "text": "body text", "m": {"k": ["\\ud83d"]}}',
    }
    for label, line in surrogate_lines.items():
        raw = jsonl(article(1)) + line + b"\n"
        cases.append(_dump_case(f"surrogate-{label}", "surrogate", 2, raw=raw))
        cases.append(_dump_case(f"surrogate-{label}-skip", "surrogate", 2, "--skip-bad", raw=raw))
    cases.append(Case("surrogate-json-array", "surrogate", {"s.json": b'[{"id": "a", "text": "t\\udc00"}, ' + json.dumps(article(2)).encode() + b"]"},
                      ("{dir}/s.json", "--skip-bad"), 2))

    cases += [
        Case("output-under-a-file", "output", {"dump.jsonl": jsonl(article(1)), "file": b"x"},
             ("{dir}/dump.jsonl", "--output", "{dir}/file/out"), 1),
        Case("output-is-a-file", "output", {"dump.jsonl": jsonl(article(1)), "file": b"x"},
             ("{dir}/dump.jsonl", "--output", "{dir}/file"), 1),
        Case("output-before-bad-input", "output", {"dump.jsonl": b"not json\n", "file": b"x"},
             ("{dir}/dump.jsonl", "--output", "{dir}/file/out"), 1),
        Case("output-reused", "output", {"dump.jsonl": jsonl(article(1), article(2)), "out/stories.jsonl": b"stale\n",
                                         "out/notes.txt": b"the user's own file\n"},
             ("{dir}/dump.jsonl", "--output", "{dir}/out"), 2),
    ]

    cases += [
        Case("empty-file", "empty", {"dump.jsonl": b""}, ("{dir}/dump.jsonl",), 0),
        Case("blank-lines", "empty", {"dump.jsonl": b"\n \n\t\n"}, ("{dir}/dump.jsonl",), 0),
        Case("empty-folder", "empty", {"folder/": b""}, ("{dir}/folder",), 0),
        Case("folder-with-jsonl-only", "empty", {"folder/dump.jsonl": jsonl(article(1))}, ("{dir}/folder",), 0),
        Case("empty-json-array", "empty", {"d.json": b"[]"}, ("{dir}/d.json",), 0),
        Case("csv-header-only", "empty", {"d.csv": b"id,title,text\n"}, ("{dir}/d.csv",), 0),
        _dump_case("all-skipped", "empty", [{"text": ""}, {"title": "no text"}, [1]], "--skip-bad"),
        Case("empty-stdin", "empty", {}, ("-",), 0, stdin=b""),
    ]

    text = json.dumps(article(1))
    cases += [
        Case("utf16-bom", "encoding", {"d.jsonl": text.encode("utf-16")}, ("{dir}/d.jsonl", "--skip-bad"), 1),
        Case("utf16-no-bom", "encoding", {"d.jsonl": text.encode("utf-16-le")}, ("{dir}/d.jsonl", "--skip-bad"), 1),
        Case("utf16-csv", "encoding", {"d.csv": "id,text\na,hello world\n".encode("utf-16")}, ("{dir}/d.csv",), 1),
        Case("gzip-named-jsonl", "encoding", {"d.jsonl": gzip.compress(jsonl(article(1)))}, ("{dir}/d.jsonl", "--skip-bad"), 1),
        Case("gzip-on-stdin", "encoding", {}, ("-", "--skip-bad"), 1, stdin=gzip.compress(jsonl(article(1), article(2)))),
        Case("truncated-gzip", "encoding", {"d.jsonl.gz": gzip.compress(jsonl(*(article(n) for n in range(50))))[:-30]},
             ("{dir}/d.jsonl.gz", "--skip-bad"), 50),
        Case("bz2-garbage", "encoding", {"d.jsonl.bz2": b"BZh9garbage"}, ("{dir}/d.jsonl.bz2",), 0),
        Case("bz2-ok", "encoding", {"d.jsonl.bz2": bz2.compress(jsonl(article(1), article(2)))}, ("{dir}/d.jsonl.bz2",), 2),
        _dump_case("latin1-line", "encoding", 2, "--skip-bad",
                   raw=jsonl(article(1)) + '{"id": "l", "text": "caf\xe9"}\n'.encode("latin-1")),
        _dump_case("utf8-bom", "encoding", 1, raw=b"\xef\xbb\xbf" + jsonl(article(1))),
        Case("txt-utf16", "encoding", {"t/a.txt": "Title\nBody".encode("utf-16"), "t/b.txt": b"Title\n" + BODY.encode()},
             ("{dir}/t", "--skip-bad"), 2),
    ]

    cases += [
        _dump_case("invalid-json-line", "structure", 2, raw=jsonl(article(1)) + b"{not json\n"),
        _dump_case("invalid-json-skip", "structure", 3, "--skip-bad", raw=jsonl(article(1)) + b"{not json\n[1, 2]\n"),
        Case("array-of-numbers", "structure", {"d.json": b"[1, 2, " + json.dumps(article(3)).encode() + b"]"},
             ("{dir}/d.json", "--skip-bad"), 3),
        Case("json-not-array", "structure", {"d.json": json.dumps(article(1)).encode()}, ("{dir}/d.json",), 1),
        _dump_case("text-is-array", "structure", [{"id": "t", "text": ["a", "b"]}, article(2)], "--skip-bad"),
        _dump_case("nulls-everywhere", "structure", [{"id": None, "title": None, "text": BODY, "date": None, "source": None}]),
        _dump_case("numbers-as-fields", "structure", [{"id": 7, "title": 3.5, "text": BODY, "source": True}]),
        _dump_case("duplicate-ids", "structure", [article(1), article(1)]),
        _dump_case("duplicate-ids-renamed", "structure", [article(1), article(1), article(1)], "--unique-ids"),
        Case("semicolon-csv", "structure", {"d.csv": b"title;text\nA;body\n"}, ("{dir}/d.csv",), 1),
        Case("csv-ragged", "structure", {"d.csv": b"id,text\na,one,two\nb,fine text\n"}, ("{dir}/d.csv", "--skip-bad"), 2),
        Case("csv-unterminated", "structure", {"d.csv": b'id,text\na,"never closed\n'}, ("{dir}/d.csv", "--skip-bad"), 1),
        Case("same-file-names", "structure", {"a/dump.jsonl": jsonl({"text": BODY}), "b/dump.jsonl": jsonl({"text": BODY + " b"})},
             ("{dir}/a/dump.jsonl", "{dir}/b/dump.jsonl"), 2),
        Case("unknown-extension", "structure", {"d.xml": b"<a/>"}, ("{dir}/d.xml",), 0),
        Case("missing-path", "structure", {}, ("{dir}/nothing.jsonl",), 0),
    ]

    cases += [
        _dump_case("dates-odd", "dates", [article(1, date="2020"), article(2, date="2020-03"), article(3, date="March 1, 2020"),
                                          article(4, date=253402300800), article(5, date="not a date"), article(6, date=-1)]),
        _dump_case("dates-epochs", "dates", [article(1, date=1_700_000_000), article(2, date=1_700_000_000_000),
                                             article(3, date="1700000000"), article(4, date=10**30)]),
        _dump_case("text-long-title", "text", [article(1, title="word " * 5000), article(2)]),
        _dump_case("text-punctuation-only", "text", [article(1, text="... --- !!! ???"), article(2)]),
        _dump_case("text-scripts", "text", [article(1, title="خبر عاجل عن الفيضان", text="نص " * 40),
                                            article(2, title="洪水のニュース", text="洪水 " * 40), article(3, title="🌊🚨 Flood")]),
        _dump_case("text-one-article", "text", [article(1)]),
        _dump_case("text-identical", "text", [article(n, text=BODY) for n in range(6)]),
    ]
    return cases


CASES: list[Case] = _cases()


def write_case(case: Case, folder: Path) -> list[str]:
    """Write ``case``'s files into ``folder`` and return its arguments with ``{dir}`` filled in."""
    folder.mkdir(parents=True, exist_ok=True)
    for rel, data in case.files.items():
        path = folder / rel
        if rel.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return [a.replace("{dir}", str(folder)) for a in case.args]


def write_corpus(out: Path) -> Path:
    """Every case into ``out/<name>/``, and ``out/cases.json`` listing each with its arguments."""
    manifest = []
    for case in CASES:
        args = write_case(case, out / case.name)
        row = asdict(case)
        row.pop("files")
        row["args"] = args
        row["stdin"] = None if case.stdin is None else case.stdin.hex()
        manifest.append(row)
    path = out / "cases.json"
    path.write_text(json.dumps(manifest, ensure_ascii=True, indent=1) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/hostile_corpus.py OUTDIR")
    print(write_corpus(Path(sys.argv[1])))
