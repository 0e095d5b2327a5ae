"""--output-format jsonl|csv|parquet: every table holds the same rows in each format (storyclust.tables)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyclust.cli import main

TABLES = ("articles", "duplicates", "stories")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _csv(path: Path, like: list[dict]) -> list[dict]:
    """Read a CSV table back by the documented rules: empty cell null, a text column as it is (a column is text
    when every value JSONL holds for it is text), any other cell JSON."""
    text = {k for k in {k for r in like for k in r} if all(isinstance(r.get(k), str) for r in like if r.get(k) is not None)}
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [{k: None if v == "" else v if k in text else json.loads(v) for k, v in row.items()} for row in rows]


def _parquet(path: Path) -> list[dict]:
    pq = pytest.importorskip("pyarrow.parquet")
    rows = pq.read_table(path).to_pylist()
    for row in rows:
        if row.get("fields") is not None:
            row["fields"] = json.loads(row["fields"])
    return rows


def _run(tmp_path: Path, fmt: str, paths: list[str], *extra: str) -> Path:
    out = tmp_path / fmt
    result = CliRunner().invoke(main, ["cluster", *paths, "-o", str(out), "--output-format", fmt, "--format", "json",
                                       *extra])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture()
def hostile_input(tmp_path) -> Path:
    """Records whose kept fields hold commas, quotes, newlines, numbers, lists and nulls."""
    src = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "title": 'Mayor says "no", again', "text": "The mayor of the town said no to the plan. " * 8,
         "note": 'a,"b"\nc', "tags": ["x", "y"], "rank": 1, "date": "2024-01-01"},
        {"id": "b", "title": "Mayor says no again", "text": "The mayor of the town said no to the plan. " * 8,
         "note": None, "tags": [], "rank": 2.5, "date": "2024-01-02"},
        {"id": "c", "title": "Weather turns cold", "text": "Snow fell across the region overnight, " * 8,
         "note": "", "rank": "high", "date": "2024-01-03"},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return src


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_each_format_holds_the_jsonl_rows(tmp_path, repo_root, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    fixtures = [str(repo_root / "fixtures" / "seeds"), str(repo_root / "fixtures" / "wire")]
    plain = _run(tmp_path, "jsonl", fixtures, "--keep-field", "all")
    other = _run(tmp_path, fmt, fixtures, "--keep-field", "all")
    for table in TABLES:
        expected = _jsonl(plain / f"{table}.jsonl")
        assert expected, table
        got = _csv(other / f"{table}.csv", expected) if fmt == "csv" else _parquet(other / f"{table}.parquet")
        assert got == expected, table
        assert not (other / f"{table}.jsonl").exists()
    assert json.loads((other / "summary.json").read_text())["counts"] == \
        json.loads((plain / "summary.json").read_text())["counts"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_kept_fields_pass_through_literally(tmp_path, hostile_input, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    args = ("--keep-field", "note", "--keep-field", "tags", "--keep-field", "rank", "--min-cluster-size", "2")
    expected = _jsonl(_run(tmp_path, "jsonl", [str(hostile_input)], *args) / "articles.jsonl")
    assert [r["fields"]["note"] for r in expected] == ['a,"b"\nc', None, ""]
    out = _run(tmp_path, fmt, [str(hostile_input)], *args)
    got = _csv(out / "articles.csv", expected) if fmt == "csv" else _parquet(out / "articles.parquet")
    assert got == expected


def test_a_run_in_another_format_removes_the_old_tables(tmp_path, hostile_input):
    out = _run(tmp_path, "csv", [str(hostile_input)])
    assert (out / "articles.csv").exists()
    result = CliRunner().invoke(main, ["dedup", str(hostile_input), "-o", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["articles.jsonl", "duplicates.jsonl", "summary.json"]


def test_parquet_without_pyarrow_says_how_to_install(tmp_path, hostile_input, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["dedup", str(hostile_input), "-o", str(out), "--output-format", "parquet"])
    assert result.exit_code == 1
    assert result.output == f"Error: {out}: writing Parquet needs pyarrow: pip install 'storyclust[parquet]'\n"
    assert not (out / "articles.jsonl").exists()
