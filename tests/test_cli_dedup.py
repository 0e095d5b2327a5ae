"""Tests for ``storyclust dedup``: exit codes, exact error text, output files and their determinism.

click >= 8.2 always captures stderr apart (``CliRunner(mix_stderr=False)`` is gone): ``result.stdout`` and
``result.stderr`` are separate, ``result.output`` interleaves both.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from storyclust.cli import main
from storyclust.settings import DedupConfig
from storyclust.ingest import SUPPORTED_FORMATS, read_articles

ARTICLE_FIELDS = ["id", "title", "source", "date", "dup_group", "canonical_id", "is_canonical", "thin"]
BODY = "Secretary of State Antony Blinken spoke by phone with Palestinian President Mahmoud Abbas on Wednesday."


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def json_error(line: str) -> str:
    """The message json itself gives for ``line``."""
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads(line)
    return str(info.value)


@pytest.fixture(scope="module")
def fixture_outputs(seeds_dir: Path, wire_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dedup") / "out"
    result = invoke("dedup", seeds_dir, wire_dir, "--output", out)
    assert result.exit_code == 0, result.output
    return out


# ------------------------------------------------------------------------------------------------ fixtures


def test_dedup_fixtures_reports_five_groups(seeds_dir: Path, wire_dir: Path) -> None:
    result = invoke("dedup", seeds_dir, wire_dir)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert re.search(r"Duplicate groups\s+5\s", result.stdout)
    assert "Duplicate groups (5)" in result.stdout
    assert re.search(r"Articles read\s+35\s", result.stdout)
    assert re.search(r"Copies\s+30 \(5 unique articles\)", result.stdout)


def test_articles_jsonl_one_row_per_input_in_order(
    fixture_outputs: Path, seeds_dir: Path, wire_dir: Path, wire_truth: dict[str, str]
) -> None:
    rows = read_jsonl(fixture_outputs / "articles.jsonl")
    expected_ids = [a.id for a in read_articles([seeds_dir, wire_dir]).articles]
    assert [r["id"] for r in rows] == expected_ids
    assert all(list(r) == ARTICLE_FIELDS for r in rows)
    by_id = {r["id"]: r for r in rows}
    for seed in set(wire_truth.values()):
        row = by_id[seed]
        assert row["is_canonical"] is True and row["canonical_id"] == seed
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00:00\+00:00", row["date"])
    for variant, seed in wire_truth.items():
        row = by_id[variant]
        assert row["is_canonical"] is False and row["canonical_id"] == seed and row["date"] is None
        assert row["dup_group"] == by_id[seed]["dup_group"] is not None
    assert len({r["dup_group"] for r in rows}) == 5
    assert by_id["000_e0606421c078fc18"]["source"] == "Shafaq News"


def test_duplicates_jsonl_rows(fixture_outputs: Path, wire_truth: dict[str, str]) -> None:
    pairs = read_jsonl(fixture_outputs / "duplicates.jsonl")
    summary = json.loads((fixture_outputs / "summary.json").read_text("utf-8"))
    assert len(pairs) == summary["counts"]["verified_pairs"] >= 30
    seed_of = {**wire_truth, **{s: s for s in wire_truth.values()}}
    for pair in pairs:
        assert list(pair)[:4] == ["a", "b", "jaccard", "containment"] and "evidence" in pair
        assert seed_of[pair["a"]] == seed_of[pair["b"]]
        assert 0 < pair["jaccard"] <= pair["containment"] <= 1
        assert pair["content_jaccard"] >= DedupConfig().jaccard_threshold or pair["content_containment"] >= DedupConfig().containment_threshold


def test_summary_json(fixture_outputs: Path) -> None:
    summary = json.loads((fixture_outputs / "summary.json").read_text("utf-8"))
    assert {"counts", "settings", "seconds", "skipped"} <= set(summary)
    counts = summary["counts"]
    assert counts["articles"] == 35 and counts["skipped"] == 0
    assert counts["duplicate_groups"] == 5 and counts["copies"] == 30 and counts["unique_articles"] == 5
    assert counts["empty_after_cleaning"] == 0
    assert counts["candidate_pairs"] >= counts["verified_pairs"]
    assert summary["settings"]["dedup"] == DedupConfig().describe()
    assert summary["skipped"] == []
    assert all(isinstance(v, (int, float)) and v >= 0 for v in summary["seconds"].values())
    assert {"read", "clean", "signatures", "candidates", "verify", "group"} <= set(summary["seconds"])


def test_outputs_are_deterministic(seeds_dir: Path, wire_dir: Path, tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert invoke("dedup", seeds_dir, wire_dir, "-o", tmp_path / name, "--format", "json").exit_code == 0
    for name in ("articles.jsonl", "duplicates.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    one, two = (json.loads((tmp_path / d / "summary.json").read_text("utf-8")) for d in ("one", "two"))
    one.pop("seconds"), two.pop("seconds")
    assert one == two


def test_format_json_prints_one_document(seeds_dir: Path, wire_dir: Path, fixture_outputs: Path) -> None:
    result = invoke("dedup", seeds_dir, wire_dir, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    document = json.loads(result.stdout)
    assert set(document) == {"summary", "articles", "duplicates"}
    assert document["articles"] == read_jsonl(fixture_outputs / "articles.jsonl")
    assert document["duplicates"] == read_jsonl(fixture_outputs / "duplicates.jsonl")
    assert document["summary"]["counts"]["duplicate_groups"] == 5


def test_options_change_settings(seeds_dir: Path, wire_dir: Path) -> None:
    result = invoke("dedup", seeds_dir, wire_dir, "--format", "json", "--threshold", "0.9", "--containment", "1",
                    "--shingle-size", "4", "--num-perm", "64", "--seed", "7")
    assert result.exit_code == 0
    settings = json.loads(result.stdout)["summary"]["settings"]["dedup"]
    assert settings == DedupConfig(
        jaccard_threshold=0.9, containment_threshold=1.0, shingle_size=4, num_perm=64, seed=7
    ).describe()
    pairs = json.loads(result.stdout)["duplicates"]
    assert pairs and all(p["jaccard"] >= 0.9 or p["containment"] == 1.0 for p in pairs)


# ------------------------------------------------------------------------------------------------ bad input

BAD_LINE = '{"id": "b" "title": "Broken", "text": "Missing a comma."}'
TRUNCATED_LINE = '{"id": "b", "title": "Broken", "text": '


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def bad_jsonl(tmp_path: Path) -> Path:
    return write_lines(
        tmp_path / "dump.jsonl",
        [
            json.dumps({"id": "a", "title": "First", "text": BODY}),
            BAD_LINE,
            json.dumps({"id": "c", "title": "Third", "text": BODY + " Officials said talks continue."}),
        ],
    )


def test_bad_json_line_fails_with_location(bad_jsonl: Path) -> None:
    result = invoke("dedup", bad_jsonl)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad_jsonl}:2: invalid JSON ({json_error(BAD_LINE)})\n"
    assert result.stdout == ""


def test_skip_bad_lists_the_skipped_record(bad_jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("dedup", bad_jsonl, "--skip-bad", "-o", out)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["skipped"] == [
        {"location": f"{bad_jsonl}:2", "reason": f"invalid JSON ({json_error(BAD_LINE)})"}
    ]
    input_lines = len(bad_jsonl.read_text("utf-8").splitlines())
    assert summary["counts"]["articles"] + summary["counts"]["skipped"] == input_lines == 3
    assert [r["id"] for r in read_jsonl(out / "articles.jsonl")] == ["a", "c"]
    assert "Skipped records (1)" in result.stdout
    assert "invalid JSON" in result.stdout


def test_truncated_json_line_error_points_into_the_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "cut.jsonl", [json.dumps({"id": "a", "text": BODY}), TRUNCATED_LINE])
    result = invoke("dedup", path)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}:2: invalid JSON ({json_error(TRUNCATED_LINE)})\n"


@pytest.fixture
def repeated_ids(tmp_path: Path) -> Path:
    return write_lines(
        tmp_path / "ids.jsonl",
        [json.dumps({"id": "x", "text": BODY}), json.dumps({"id": "x", "text": "Another story entirely."})],
    )


def test_duplicate_ids_fail(repeated_ids: Path) -> None:
    result = invoke("dedup", repeated_ids)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {repeated_ids}:2: duplicate id 'x' (first seen at {repeated_ids}:1); "
        "pass --unique-ids to rename duplicates\n"
    )


def test_unique_ids_renames_and_lists(repeated_ids: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("dedup", repeated_ids, "--unique-ids", "-o", out)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read_jsonl(out / "articles.jsonl")] == ["x", "x~2"]
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["renamed_ids"] == [{"location": f"{repeated_ids}:2", "original": "x", "new": "x~2"}]
    assert summary["counts"]["renamed_ids"] == 1
    assert re.search(r"Renamed ids\s+1\s", result.stdout)


def test_missing_input_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    result = invoke("dedup", missing)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {missing}: no such file or directory (supported inputs: {SUPPORTED_FORMATS})\n"


def test_invalid_boilerplate_pattern_file(bad_jsonl: Path, tmp_path: Path) -> None:
    patterns = write_lines(tmp_path / "patterns.txt", ["# mine", "(unclosed"])
    result = invoke("dedup", bad_jsonl, "--boilerplate", patterns)
    assert result.exit_code == 1
    with pytest.raises(re.error) as info:
        re.compile("(unclosed")
    assert result.stderr == f"Error: {patterns}:2: invalid regular expression '(unclosed' ({info.value})\n"


def test_option_range_is_checked_by_click(bad_jsonl: Path) -> None:
    result = invoke("dedup", bad_jsonl, "--threshold", "0")
    assert result.exit_code == 2
    assert "Invalid value for '--threshold'" in result.stderr


# ------------------------------------------------------------------------------------------------ help


def test_main_help() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Find copies of news articles" in result.stdout
    assert "dedup" in result.stdout


def test_dedup_help() -> None:
    result = invoke("dedup", "--help")
    assert result.exit_code == 0
    for option in ("--skip-bad", "--unique-ids", "--output", "--format", "--threshold", "--boilerplate"):
        assert option in result.stdout
    assert "storyclust dedup fixtures/seeds fixtures/wire" in result.stdout


def test_every_command_has_help() -> None:
    assert main.commands  # at least dedup
    for name, command in main.commands.items():
        assert isinstance(command, click.Command)
        assert (command.help or "").strip(), f"{name} has no help text"
        assert (command.get_short_help_str() or "").strip(), name
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        assert result.stdout.startswith("Usage: "), name
