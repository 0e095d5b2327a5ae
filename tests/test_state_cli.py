"""``storyclust update`` and ``storyclust stories``: exit codes, error lines, the report and the output files."""

from __future__ import annotations

import json

from click.testing import CliRunner

from storyclust.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_update_then_stories_changed_and_outputs(tmp_path, seeds_dir, wire_dir):
    state = str(tmp_path / "state")
    first = invoke("update", state, str(seeds_dir), "--format", "json")
    assert first.exit_code == 0, first.output
    counts = json.loads(first.output)
    assert (counts["run_id"], counts["added"], counts["skipped"]) == (1, 5, 0)
    second = invoke("update", state, str(seeds_dir), str(wire_dir), "--format", "json")
    counts = json.loads(second.output)
    assert (counts["added"], counts["skipped"], counts["copies_found"]) == (30, 5, 30)
    assert counts["stories_created"] == [] and len(counts["stories_extended"]) == 2
    out = tmp_path / "out"
    shown = invoke("stories", state, "--changed", "--output", str(out))
    assert shown.exit_code == 0 and "Stories (2" in shown.output
    rows = [json.loads(line) for line in (out / "articles.jsonl").read_text().splitlines()]
    assert len(rows) == 35 and sum(r["is_canonical"] for r in rows) == 5
    stories = [json.loads(line) for line in (out / "stories.jsonl").read_text().splitlines()]
    assert sorted(s["story_id"] for s in stories) == counts["stories_extended"]
    assert {r["story_id"] for r in rows} == set(counts["stories_extended"])


def test_update_report_rich(tmp_path, seeds_dir):
    result = invoke("update", str(tmp_path / "s"), str(seeds_dir))
    assert result.exit_code == 0
    assert "storyclust update: run 1" in result.output and "Articles added" in result.output


def test_stories_without_state_is_an_error(tmp_path):
    result = CliRunner().invoke(main, ["stories", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'none'}: no state here; run 'storyclust update " \
                            f"{tmp_path / 'none'} PATH...' first\n"


def test_bad_since_and_other_settings_are_errors(tmp_path, seeds_dir):
    state = str(tmp_path / "s")
    invoke("update", state, str(seeds_dir))
    bad = CliRunner().invoke(main, ["stories", state, "--since", "yesterday"])
    assert bad.exit_code == 1 and bad.output == "Error: --since: 'yesterday' is not a date; give YYYY-MM-DD\n"
    other = CliRunner().invoke(main, ["update", state, str(seeds_dir), "--num-perm", "64"])
    assert other.exit_code == 1
    assert other.output.startswith("Error: ") and "num_perm is 128 in this state but the run asks for 64" in other.output
    since = invoke("stories", state, "--since", "2023-01-01", "--format", "json")
    doc = json.loads(since.output)
    assert doc["stories"] and all(s["last_date"] >= "2023-01-01" for s in doc["stories"])


def test_commands_have_help():
    for command in ("update", "stories"):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "Examples:" in result.output
