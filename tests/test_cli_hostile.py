"""Issue 14 through the commands: the hostile-input corpus (tests/hostile_corpus.py) run by ``dedup`` and
``cluster``, and the items that live in the CLI and export (output folder, stale files, empty runs, JSON on
stdout, kept input fields, help)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from storyclust.cli import main
from storyclust.report import first_run_notice

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile_corpus import BODY, CASES, Case, article, jsonl, write_case, write_corpus  # noqa: E402

# ESC, C1 controls and the bidirectional controls (embeddings, overrides, isolates, marks).
RAW_CONTROL = re.compile("[\x1b\x80-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
LOCATED = re.compile(r"Error: (?P<location>.+?): (?P<problem>\S.*)\n")


def invoke(*args: object, stdin: bytes | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line]  # not splitlines: U+2028


# ------------------------------------------------------------------------------------- the corpus


def test_the_corpus_covers_every_category() -> None:
    categories = {c.category for c in CASES}
    assert len(CASES) >= 50
    assert categories >= {"control", "markup", "deep", "surrogate", "output", "empty", "encoding", "structure", "dates"}
    assert len({c.name for c in CASES}) == len(CASES)


def test_the_corpus_script_writes_every_case(tmp_path: Path) -> None:
    manifest = json.loads(write_corpus(tmp_path).read_text("utf-8"))
    assert [row["name"] for row in manifest] == [c.name for c in CASES]
    assert all((tmp_path / c.name).is_dir() for c in CASES)


@pytest.mark.parametrize("command", ["dedup", "cluster"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(tmp_path: Path, case: Case, command: str) -> None:
    folder = tmp_path / "case"
    args = write_case(case, folder)
    if "--output" not in args:
        args += ["--output", str(tmp_path / "out")]
    output = Path(args[args.index("--output") + 1])
    extra = ["--details"] if command == "cluster" else []
    result = invoke(command, *args, *extra, stdin=case.stdin)

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert not RAW_CONTROL.search(result.stdout_bytes.decode("utf-8")), "a raw control character reached stdout"
    if result.exit_code != 0:
        assert result.exit_code == 1 and result.stdout == ""
        m = LOCATED.fullmatch(result.stderr)
        assert m, result.stderr
        assert m["location"].startswith((str(folder), "<stdin>")), m["location"]
        assert not (output / "summary.json").exists() or case.name == "output-reused"
    else:
        counts = json.loads((output / "summary.json").read_text("utf-8"))["counts"]
        assert counts["articles"] + counts["skipped"] == case.records, counts
        assert counts["articles"] > 0
        written = {p.name for p in output.iterdir()}
        expected = {"articles.jsonl", "duplicates.jsonl", "summary.json"} | ({"stories.jsonl", "story_vectors.npz"} if command == "cluster" else set())
        assert written - {"notes.txt"} == expected  # nothing stale, no temporary file left
        assert len(read_jsonl(output / "articles.jsonl")) == counts["articles"]


# ----------------------------------------------------------------------- output folder (item 6)


def test_an_impossible_output_folder_fails_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bad_input = tmp_path / "bad.jsonl"
    bad_input.write_text("not json\n")
    result = invoke("cluster", bad_input, "--output", blocker / "out")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {blocker / 'out'}: cannot write the output folder (Not a directory)\n"
    result = invoke("dedup", bad_input, "--output", blocker)
    assert result.stderr.startswith(f"Error: {blocker}: the output folder is a file")


def test_an_unwritable_output_folder_fails_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import storyclust.pipeline

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pipeline ran")

    def refuse(self: Path, data: bytes) -> int:
        raise PermissionError(13, "Permission denied", str(self))

    dump = tmp_path / "d.jsonl"
    dump.write_bytes(jsonl(article(1)))
    monkeypatch.setattr(storyclust.pipeline, "run", no_run)
    monkeypatch.setattr(Path, "write_bytes", refuse)
    result = invoke("dedup", dump, "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'out'}: cannot write the output folder (Permission denied)\n"


# ----------------------------------------------------------------------------- stale files (item 7)


def test_a_reused_output_folder_holds_only_this_runs_files(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_bytes(jsonl(article(1), article(2, text=BODY + " Story 1.")))
    out = tmp_path / "out"
    assert invoke("cluster", dump, "--output", out).exit_code == 0
    assert (out / "stories.jsonl").exists()
    (out / "mine.txt").write_text("the user's own file")
    assert invoke("dedup", dump, "--output", out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["articles.jsonl", "duplicates.jsonl", "mine.txt", "summary.json"]
    assert json.loads((out / "summary.json").read_text())["counts"].get("stories") is None


def test_a_failed_write_leaves_each_earlier_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import storyclust.export

    dump = tmp_path / "d.jsonl"
    dump.write_bytes(jsonl(article(1), article(2)))
    out = tmp_path / "out"
    assert invoke("dedup", dump, "--output", out).exit_code == 0
    before = (out / "duplicates.jsonl").read_bytes()

    def broken(run: object):
        yield {"a": 1}
        raise OSError(28, "No space left on device", str(out / "duplicates.jsonl"))

    monkeypatch.setattr(storyclust.export, "pair_rows", broken)
    result = invoke("dedup", dump, "--output", out)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out / 'duplicates.jsonl'}: No space left on device\n"
    assert (out / "duplicates.jsonl").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


# ----------------------------------------------------------------------------- empty runs (item 11)


@pytest.mark.parametrize(
    ("files", "path", "options", "message"),
    [
        ({"e.jsonl": b""}, "e.jsonl", [], "{dir}/e.jsonl: the input holds no records, so there is nothing to process"),
        ({"f/": b""}, "f", [], "{dir}/f: no .txt files in this folder (a folder is read for its .txt files; it is empty)"),
        ({"f/d.jsonl": b"{}\n"}, "f", [], "{dir}/f: no .txt files in this folder (a folder is read for its .txt files; "
         "it holds 'd.jsonl'; give such files as paths)"),
        ({"d.jsonl": b'{"text": ""}\n{"text": " "}\n'}, "d.jsonl", ["--skip-bad"],
         "{dir}/d.jsonl:1: empty text; every record was skipped (2 in all), so there is nothing to process"),
    ],
)
@pytest.mark.parametrize("command", ["dedup", "cluster"])
def test_an_empty_run_is_an_error(tmp_path: Path, command: str, files: dict, path: str, options: list, message: str) -> None:
    case = Case("empty", "empty", files, (f"{{dir}}/{path}", *options), 0)
    args = write_case(case, tmp_path)
    result = invoke(command, *args)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "Error: " + message.replace("{dir}", str(tmp_path)) + "\n"


# ------------------------------------------------------------------------- JSON on stdout, kept fields


def test_json_on_stdout_escapes_controls_and_keeps_the_values(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    title = "Flood \x1b]0;owned\x07 \x9b2J \u202eevil"
    dump.write_bytes(jsonl(article(1, title=title, source="[/]\u2066")))
    result = invoke("cluster", dump, "--format", "json", "--output", tmp_path / "out")
    assert result.exit_code == 0
    assert not RAW_CONTROL.search(result.stdout) and "\x07" not in result.stdout
    document = json.loads(result.stdout)
    assert document["articles"][0]["title"] == title
    assert document["articles"] == read_jsonl(tmp_path / "out" / "articles.jsonl")
    assert list(document) == ["summary", "stories", "articles", "duplicates"]


def test_kept_fields_come_through_only_when_asked(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_bytes(jsonl(article(1, url="http://a", section="world", tags=["x"]), article(2, section="sport")))
    out = tmp_path / "out"
    assert invoke("dedup", dump, "--output", out).exit_code == 0
    assert all("fields" not in row for row in read_jsonl(out / "articles.jsonl"))
    assert invoke("dedup", dump, "--output", out, "--keep-field", "url", "--keep-field", "section").exit_code == 0
    assert [row["fields"] for row in read_jsonl(out / "articles.jsonl")] == [
        {"url": "http://a", "section": "world"}, {"url": None, "section": "sport"}]
    result = invoke("cluster", dump, "--format", "json", "--keep-field", "all")
    assert [row["fields"] for row in json.loads(result.stdout)["articles"]] == [
        {"url": "http://a", "section": "world", "tags": ["x"]}, {"section": "sport"}]


def test_summary_names_the_inputs_and_how_they_were_read(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_bytes(jsonl(article(1)))
    out = tmp_path / "out"
    assert invoke("dedup", dump, "--output", out, "--text-field", "text", "--skip-bad").exit_code == 0
    inputs = json.loads((out / "summary.json").read_text())["inputs"]
    assert inputs == {"paths": [str(dump)], "fields": {"title": None, "text": "text", "date": None, "source": None,
                                                       "url": None, "id": None}, "skip_bad": True, "unique_ids": False}


# ---------------------------------------------------------------------------------- help, first run


def test_seed_help_says_what_it_seeds_and_help_holds_no_measurements() -> None:
    text = " ".join(invoke("cluster", "--help").stdout.split())
    assert "Seed of the MinHash permutations and, where stories are found, of the story stage's random state" in text
    assert "About 7" not in text
    assert not re.search(r"\b(F1|BCubed|NMI)\b.*\d\.\d", text)


def test_first_run_notice_only_without_a_numba_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert first_run_notice(tmp_path) is not None and "numba" in first_run_notice(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "mod.kernel-10.py311.nbi").write_bytes(b"")
    assert first_run_notice(tmp_path) is None
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert first_run_notice(tmp_path) is not None


def test_progress_on_a_terminal_says_a_word_on_a_first_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import storyclust.report as report

    console = Console(file=io.StringIO(), force_terminal=True, color_system=None, width=100)
    monkeypatch.setattr(report, "first_run_notice", lambda package=None: "First run: numba is compiling")
    with report.progress_for("rich", console) as sink:
        sink.task("Shingling", 1)(1)
    assert "First run: numba is compiling" in console.file.getvalue()
    quiet = Console(file=io.StringIO(), force_terminal=False)
    with report.progress_for("rich", quiet):
        pass
    assert quiet.file.getvalue() == ""
