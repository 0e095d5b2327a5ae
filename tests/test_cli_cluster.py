"""Tests for ``storyclust cluster``: stories of the fixtures, exit codes and exact error text, the output files,
their determinism and the JSON document.

click >= 8.2 always captures stderr apart: ``result.stdout`` and ``result.stderr`` are separate.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyclust.cli import main
from storyclust.ingest import read_articles

from conftest import NewsWriter

MAY_2021 = ["000_e0606421c078fc18", "001_1a0f9e0c1cde66bd", "003_cd5b6eb30dfdc74c"]
WAR_2023 = ["002_3736cbc9c8377d79", "004_229fe3e3d03ea7a0"]
ARTICLE_FIELDS = [
    "id", "title", "source", "date", "dup_group", "canonical_id", "is_canonical", "thin", "story_id", "story_probability",
    "placement",
]
STORY_FIELDS = [
    "story_id", "size", "copies", "singleton", "terms", "names", "headline", "first_date", "last_date", "sources", "article_ids",
    "history",
]


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def cluster_json(*args: object) -> dict:
    result = invoke("cluster", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def fixture_outputs(seeds_dir: Path, wire_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cluster") / "out"
    result = invoke("cluster", seeds_dir, wire_dir, "--output", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def bursts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JSON Lines: the same election vocabulary in March 2019 and May 2023, four articles each."""
    writer = NewsWriter(random.Random(21))
    early = datetime(2019, 3, 4, tzinfo=timezone.utc)
    late = datetime(2023, 5, 8, tzinfo=timezone.utc)
    path = tmp_path_factory.mktemp("bursts") / "bursts.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for year, start in (("2019", early), ("2023", late)):
            for i in range(4):
                a = writer.article("election", id=f"{year}-{i}", date=start + timedelta(days=i))
                row = {"id": a.id, "title": a.title, "text": a.text, "date": a.date.date().isoformat()}
                fh.write(json.dumps(row) + "\n")
    return path


# ------------------------------------------------------------------------------------------------ stories


def test_cluster_seeds_gives_the_two_stories(seeds_dir: Path) -> None:
    result = invoke("cluster", seeds_dir)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert re.search(r"Stories\s+2 \(0 single-article\)", result.stdout)
    assert "Stories (2, 0 single-article)" in result.stdout
    document = cluster_json(seeds_dir)
    assert [sorted(s["article_ids"]) for s in document["stories"]] == [MAY_2021, WAR_2023]
    assert [(s["story_id"], s["size"], s["copies"]) for s in document["stories"]] == [(0, 3, 0), (1, 2, 0)]


def test_cluster_wire_variants_are_copies_in_their_seeds_story(
    seeds_dir: Path, wire_dir: Path, wire_truth: dict[str, str]
) -> None:
    document = cluster_json(seeds_dir, wire_dir)
    stories = document["stories"]
    assert [sorted(s["article_ids"]) for s in stories] == [MAY_2021, WAR_2023]  # unique articles only
    assert [(s["size"], s["copies"]) for s in stories] == [(3, 18), (2, 12)]
    by_id = {row["id"]: row for row in document["articles"]}
    for variant, seed in wire_truth.items():
        assert by_id[variant]["story_id"] == by_id[seed]["story_id"]
        assert by_id[variant]["canonical_id"] == seed and by_id[variant]["is_canonical"] is False
    assert document["summary"]["counts"]["stories"] == 2
    assert document["summary"]["counts"]["copies"] == 30


def test_max_gap_days_zero_turns_the_time_rule_off(bursts_file: Path) -> None:
    split = cluster_json(bursts_file)
    assert [sorted(s["article_ids"]) for s in split["stories"]] == [
        [f"2019-{i}" for i in range(4)],
        [f"2023-{i}" for i in range(4)],
    ]
    merged = cluster_json(bursts_file, "--max-gap-days", "0")
    assert [s["size"] for s in merged["stories"]] == [8]
    assert merged["stories"][0]["first_date"].startswith("2019-03-04")
    assert merged["stories"][0]["last_date"].startswith("2023-05-11")
    assert merged["summary"]["settings"]["stories"]["max_gap_days"] is None
    assert split["summary"]["settings"]["stories"]["max_gap_days"] == 180.0


def test_time_scale_days_zero_turns_the_discount_off(seeds_dir: Path) -> None:
    off = cluster_json(seeds_dir, "--time-scale-days", "0")
    on = cluster_json(seeds_dir)
    assert off["summary"]["settings"]["stories"]["time_scale_days"] is None
    assert on["summary"]["settings"]["stories"]["time_scale_days"] == 7.0
    # The seeds' two stories hold with and without it: the war story's articles are 130 days apart.
    for document in (off, on):
        assert sorted(sorted(s["article_ids"]) for s in document["stories"]) == sorted([MAY_2021, WAR_2023])


def test_story_options_reach_the_settings(seeds_dir: Path) -> None:
    document = cluster_json(
        seeds_dir, "--max-gap-days", "7", "--merge-similarity", "0.3", "--min-cluster-size", "3",
        "--svd-components", "20", "--title-weight", "1", "--seed", "5", "--time-scale-days", "3",
        "--mixture-sweeps", "2",
    )
    settings = document["summary"]["settings"]["stories"]
    assert {k: settings[k] for k in ("max_gap_days", "merge_similarity", "min_cluster_size", "svd_components",
                                     "title_weight", "random_state", "time_scale_days", "mixture_sweeps")} == {
        "max_gap_days": 7.0, "merge_similarity": 0.3, "min_cluster_size": 3, "svd_components": 20,
        "title_weight": 1, "random_state": 5, "time_scale_days": 3.0, "mixture_sweeps": 2,
    }
    # A week cuts the war story (December 2023, April 2024) and the May 2021 story stays whole (12-17 May).
    assert sorted(sorted(s["article_ids"]) for s in document["stories"]) == sorted(
        [MAY_2021, [WAR_2023[0]], [WAR_2023[1]]]
    )


# ----------------------------------------------------------------------------------------- output files


def test_articles_jsonl_every_input_once_in_order(
    fixture_outputs: Path, seeds_dir: Path, wire_dir: Path
) -> None:
    rows = read_jsonl(fixture_outputs / "articles.jsonl")
    assert [r["id"] for r in rows] == [a.id for a in read_articles([seeds_dir, wire_dir]).articles]
    for row in rows:
        assert list(row) == ARTICLE_FIELDS
        assert type(row["story_id"]) is int and row["story_id"] in (0, 1)
        assert isinstance(row["story_probability"], float) and 0.0 <= row["story_probability"] <= 1.0
        assert row["dup_group"] is not None  # every fixture article has copies
    assert sum(r["is_canonical"] for r in rows) == 5


def test_stories_jsonl_partitions_the_unique_articles(fixture_outputs: Path) -> None:
    stories = read_jsonl(fixture_outputs / "stories.jsonl")
    articles = read_jsonl(fixture_outputs / "articles.jsonl")
    assert all(list(s) == STORY_FIELDS for s in stories)
    assert [s["story_id"] for s in stories] == list(range(len(stories)))
    unique = [r["id"] for r in articles if r["is_canonical"]]
    listed = [i for s in stories for i in s["article_ids"]]
    assert sorted(listed) == sorted(unique) and len(listed) == len(set(listed))
    assert sum(s["size"] for s in stories) == len(unique)
    assert sum(s["copies"] for s in stories) == len(articles) - len(unique)
    story_of_id = {i: s["story_id"] for s in stories for i in s["article_ids"]}
    for row in articles:
        assert row["story_id"] == story_of_id[row["canonical_id"]]
    first, second = stories
    assert first["size"] == 3 and second["size"] == 2
    assert (first["first_date"], first["last_date"]) == ("2021-05-12T00:00:00+00:00", "2021-05-17T00:00:00+00:00")
    assert (second["first_date"], second["last_date"]) == ("2023-12-20T00:00:00+00:00", "2024-04-28T00:00:00+00:00")
    assert first["sources"] == ["Shafaq News"] and second["sources"] == []
    assert len(first["terms"]) == 8 and all(isinstance(t, str) and t for t in first["terms"])
    assert first["headline"] in {r["title"] for r in articles if r["id"] in first["article_ids"]}
    assert second["headline"] in {r["title"] for r in articles if r["id"] in second["article_ids"]}
    assert first["singleton"] is second["singleton"] is False


def test_duplicates_and_summary(fixture_outputs: Path, wire_truth: dict[str, str]) -> None:
    pairs = read_jsonl(fixture_outputs / "duplicates.jsonl")
    assert all(list(p)[:4] == ["a", "b", "jaccard", "containment"] for p in pairs)
    paired = {p["a"] for p in pairs} | {p["b"] for p in pairs}
    assert set(wire_truth) <= paired
    summary = json.loads((fixture_outputs / "summary.json").read_text("utf-8"))
    assert {k: summary["counts"][k] for k in ("articles", "copies", "unique_articles", "duplicate_groups",
                                              "stories", "singleton_stories")} == {
        "articles": 35, "copies": 30, "unique_articles": 5, "duplicate_groups": 5, "stories": 2,
        "singleton_stories": 0,
    }
    assert set(summary["settings"]) == {"dedup", "stories"}
    assert {"vectorize", "cluster", "label"} <= set(summary["seconds"])


def test_outputs_are_byte_identical_across_runs(
    fixture_outputs: Path, seeds_dir: Path, wire_dir: Path, tmp_path: Path
) -> None:
    result = invoke("cluster", seeds_dir, wire_dir, "--output", tmp_path / "again")
    assert result.exit_code == 0
    for name in ("articles.jsonl", "stories.jsonl", "duplicates.jsonl"):
        assert (tmp_path / "again" / name).read_bytes() == (fixture_outputs / name).read_bytes(), name


def test_format_json_document(seeds_dir: Path, wire_dir: Path, fixture_outputs: Path) -> None:
    document = cluster_json(seeds_dir, wire_dir)
    assert set(document) == {"summary", "stories", "articles", "duplicates"}
    assert document["stories"] == read_jsonl(fixture_outputs / "stories.jsonl")
    assert document["articles"] == read_jsonl(fixture_outputs / "articles.jsonl")
    assert document["duplicates"] == read_jsonl(fixture_outputs / "duplicates.jsonl")


def test_output_with_format_json_writes_files_and_prints_json(seeds_dir: Path, tmp_path: Path) -> None:
    result = invoke("cluster", seeds_dir, "--output", tmp_path, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["stories"] == read_jsonl(tmp_path / "stories.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "articles.jsonl", "duplicates.jsonl", "stories.jsonl", "story_vectors.npz", "summary.json",
    ]


# ---------------------------------------------------------------------------------------- help and errors


def test_cluster_help() -> None:
    result = CliRunner().invoke(main, ["cluster", "--help"], prog_name="storyclust")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: storyclust cluster [OPTIONS] PATHS...")
    for option in ("--max-gap-days", "--time-scale-days", "--merge-similarity", "--min-cluster-size", "--svd-components",
                   "--title-weight", "--details", "--limit", "--output", "--format"):
        assert option in result.stdout
    assert "storyclust cluster fixtures/seeds fixtures/wire --details" in result.stdout
    assert CliRunner().invoke(main, ["cluster", "-h"], prog_name="storyclust").stdout == result.stdout


def test_installed_command_help() -> None:
    script = Path(sys.executable).with_name("storyclust")
    if not script.exists():
        pytest.skip("the storyclust script is not installed next to this interpreter")
    done = subprocess.run([str(script), "cluster", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: storyclust cluster [OPTIONS] PATHS...")
    assert "--max-gap-days" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-cluster-size", "1"], "Error: Invalid value for '--min-cluster-size': 1 is not in the range x>=2."),
        (["--merge-similarity", "0"], "Error: Invalid value for '--merge-similarity': 0.0 is not in the range 0<x<=1."),
        (["--max-gap-days", "-1"], "Error: Invalid value for '--max-gap-days': -1.0 is not in the range x>=0."),
        (["--time-scale-days", "-1"], "Error: Invalid value for '--time-scale-days': -1.0 is not in the range x>=0."),
        (["--svd-components", "1"], "Error: Invalid value for '--svd-components': 1 is not in the range x>=2."),
    ],
)
def test_bad_story_options_exit_2_with_the_rule(seeds_dir: Path, args: list[str], message: str) -> None:
    result = invoke("cluster", seeds_dir, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == message


def test_missing_input_exits_1(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    result = invoke("cluster", missing)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {missing}: no such file or directory (supported inputs: ")


def test_limit_caption_points_to_the_files(seeds_dir: Path) -> None:
    result = invoke("cluster", seeds_dir, "--limit", "1")
    assert result.exit_code == 0
    assert "1 more story in stories.jsonl (--output), or raise --limit" in result.stdout


def test_single_article_input(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"id": "x", "title": "Lone", "text": "Lighthouse keepers retire."}) + "\n", "utf-8")
    document = cluster_json(path)
    assert [(s["article_ids"], s["singleton"]) for s in document["stories"]] == [(["x"], True)]
    assert document["articles"][0]["story_id"] == 0 and document["articles"][0]["story_probability"] == 1.0


def test_empty_input_is_an_error_not_an_empty_run(tmp_path: Path) -> None:
    """Issue 14 item 11: an empty input ran to "Articles read 0" with exit 0; it is now a located error."""
    path = tmp_path / "empty.jsonl"
    path.write_text("", "utf-8")
    for fmt in ("json", "rich"):
        result = invoke("cluster", path, "--format", fmt)
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr == f"Error: {path}: the input holds no records, so there is nothing to process\n"
