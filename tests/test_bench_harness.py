"""Tests for the benchmark harness (benchmarks/harness.py, baselines.py, __main__.py): the scoring and ratio helpers,
and a tiny in-process run of every harness step at n=300 on the fixture seeds (never ../shared/data). Nothing here
asserts a time: only structure, ranges and the identical-candidates check."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from rich.console import Console

from benchmarks import __main__ as bench_cli
from benchmarks import baselines, harness
from storyclust.dedup.shingles import shingle
from storyclust.settings import StoryConfig

MISSING = "/nonexistent/storyclust-data"  # forces the generator's fallback to fixtures/seeds
TINY_BASELINES = {"signature_docs": 60, "update_docs": 5, "candidate_docs": 300, "recall_docs": 150}


# ------------------------------------------------------------------------------------------- helpers


def test_docs_per_second_and_ratio():
    assert baselines.docs_per_second(1000, 2.0) == 500.0
    assert baselines.docs_per_second(10, 0.0) is None
    assert baselines.ratio(6.0, 2.0) == 3.0
    assert baselines.ratio(None, 2.0) is None
    assert baselines.ratio(1.0, None) is None
    assert baselines.ratio(1.0, 0.0) is None


def test_pair_codes_are_unordered_unique_and_sorted():
    codes = baselines.pair_codes([(3, 1), (1, 3), (0, 2), (2, 4)], 5)
    assert codes.tolist() == [0 * 5 + 2, 1 * 5 + 3, 2 * 5 + 4]
    assert baselines.pair_codes(np.empty((0, 2), np.int64), 5).tolist() == []


def test_pair_recall():
    truth = np.array([1, 5, 9, 12])
    assert baselines.pair_recall(truth, np.array([5, 9, 40])) == 0.5
    assert baselines.pair_recall(truth, truth) == 1.0
    assert baselines.pair_recall(np.zeros(0, np.int64), np.array([3])) == 1.0  # no true pair: nothing missed


def test_python_shingles_match_storyclust_sets():
    texts = [
        "The quick brown fox jumps over the lazy dog, the quick brown fox!",
        "Israel's cabinet met on Sunday; Netanyahu said 2,500 troops would stay.",
        "Zürich und Köln: Grüße aus der Schweiz — naïve café.",
        "two words",
        "",
        "... !!! ---",
    ]
    sizes = shingle(texts, 3).sizes.tolist()
    assert [len(baselines.python_shingles(t, 3)) for t in texts] == sizes
    assert baselines.python_shingles("two words", 3) == {b"two words"}
    assert baselines.python_shingles("A b c D", 3) == {b"a b c", b"b c d"}


def test_machine_describes_cpu_ram_and_packages():
    info = harness.machine()
    assert info["cpu_count"] >= 1 and info["platform"]
    assert set(harness.PACKAGES) <= set(info["packages"])
    assert info["packages"]["numpy"] is not None


def test_parse_args_quick_defaults_and_bad_sizes(capsys):
    assert bench_cli.parse_args(["--quick"]).size_list == [1000, 5000]
    assert bench_cli.parse_args([]).size_list == [1000, 10_000, 100_000]
    assert bench_cli.parse_args(["--quick", "--sizes", "300,1_000"]).size_list == [300, 1000]
    with pytest.raises(SystemExit):
        bench_cli.parse_args(["--sizes", "10,abc"])
    assert "--sizes must be comma-separated integers, got '10,abc'" in capsys.readouterr().err


def test_parse_args_set_changes_story_settings(capsys):
    args = bench_cli.parse_args(["--quick", "--set", "mixture_sweeps=5", "--set", "max_gap_days=None"])
    assert args.changes == {"mixture_sweeps": 5, "max_gap_days": None}
    assert bench_cli.parse_args([]).changes == {}
    with pytest.raises(SystemExit):
        bench_cli.parse_args(["--set", "sweeps=5"])
    assert "--set sweeps=5: StoryConfig has no setting 'sweeps'" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------- a tiny run


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    result = harness.prepare(folder, [300], seed=3, data_dir=MISSING, baseline_docs=TINY_BASELINES,
                             cache_dir=folder / "cache")
    return folder, result


def test_prepare_writes_the_dump_and_caches_the_clean_base(prepared):
    folder, result = prepared
    assert result["clean_base"]["articles"] == 5  # the fixture seeds
    dump = result["dumps"]["300"]
    assert dump["n"] == 300 and (folder / "n300" / "articles.jsonl.gz").exists()
    assert len(harness.read_truth(folder / "n300")) == 300
    cached = list((folder / "cache").glob("clean-base-*.pkl"))
    assert len(cached) == 1
    again = harness.clean_base(MISSING, folder / "cache")
    assert [a.id for a in again] == [f"seeds:{a.metadata['base_id']}" for a in again]


def test_baselines_structure_and_identical_candidates(prepared):
    _, result = prepared
    b = result["baselines"]
    sig, cand, rec = b["signatures"], b["candidates"], b["recall"]
    assert sig["docs"] == 60 and sig["datasketch_update"]["docs"] == 5
    assert sig["shingle_count_mismatches"] == 0
    for key in ("speedup_vs_bulk", "speedup_vs_bulk_only", "speedup_vs_update"):
        assert sig[key] is not None and sig[key] > 0
    assert cand["docs"] == 300 and (cand["bands"], cand["rows"]) == (28, 2)
    assert cand["identical"] is True
    assert cand["only_storyclust"] == cand["only_datasketch"] == 0
    assert cand["storyclust"]["pairs"] == cand["datasketch"]["pairs"] > 0
    assert rec["docs"] == 150 and rec["pairs_checked"] == 150 * 149 // 2
    assert rec["positives"] > 0  # the generator made copies
    for key in ("candidate_recall", "candidate_recall_jaccard", "verified_pair_recall", "group_recall"):
        assert 0.0 <= rec[key] <= 1.0
    assert rec["verified_pairs_not_positive"] == 0  # verification only keeps pairs that pass the rule


def test_measure_in_process_with_stories(prepared):
    folder, _ = prepared
    result = harness.measure(folder / "n300", stories=True, workdir=folder / "out-stories", warm_up=False)
    assert result["n"] == 300 and result["stories"] is True
    assert list(result["seconds"]) == [*harness.DEDUP_STAGES, *harness.STORY_STAGES, "export+report"]
    assert all(v >= 0 for v in result["seconds"].values())
    assert result["total_s"] >= result["seconds"]["signatures"]
    assert result["peak_rss_mb"] > 0 and result["docs_per_s"] > 0
    dup, stories = result["quality"]["duplicates"], result["quality"]["stories"]
    assert dup["true_pairs"] > 0
    for scores in (dup, stories["bcubed"], stories["pairwise"]):
        assert all(0.0 <= scores[k] <= 1.0 for k in ("precision", "recall", "f1"))
    assert stories["true"] >= 1 and stories["predicted"] == result["counts"]["stories"]
    assert {p.name for p in (folder / "out-stories").iterdir()} >= {"articles.jsonl", "stories.jsonl", "summary.json"}


def test_child_entry_point_measures_the_duplicate_stage_only(prepared):
    folder, _ = prepared
    spec, out = folder / "spec.json", folder / "out.json"
    spec.write_text(json.dumps({"task": "measure", "folder": str(folder / "n300"), "stories": False}))
    harness.child_main([str(spec), str(out)])
    result = json.loads(out.read_text())
    assert list(result["seconds"]) == [*harness.DEDUP_STAGES, "export+report"]
    assert "stories" not in result["quality"] and result["counts"]["stories"] is None
    assert result["quality"]["duplicates"]["recall"] > 0.9


def test_child_entry_point_runs_the_changed_settings(prepared):
    folder, _ = prepared
    spec, out = folder / "spec-set.json", folder / "out-set.json"
    changes = {"max_gap_days": 7.0, "mixture_sweeps": 2}
    spec.write_text(json.dumps({"task": "measure", "folder": str(folder / "n300"), "stories": True, "changes": changes}))
    harness.child_main([str(spec), str(out)])
    settings = json.loads(out.read_text())["settings"]["stories"]
    assert {k: settings[k] for k in changes} == changes
    assert settings["time_scale_days"] == StoryConfig().time_scale_days  # the rest stay the defaults


def test_child_entry_point_rejects_an_unknown_task(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"task": "dance"}))
    with pytest.raises(ValueError, match="unknown task 'dance': expected 'measure' or 'prepare'"):
        harness.child_main([str(spec), str(tmp_path / "out.json")])


def test_tables_render(prepared):
    folder, result = prepared
    size = harness.measure(folder / "n300", stories=False, workdir=folder / "out-tables", warm_up=False)
    size.update(status="ok", dump=result["dumps"]["300"])
    failed = {"n": 1_000_000, "status": "timeout", "dump": result["dumps"]["300"]}
    console = Console(file=io.StringIO(), width=140, color_system=None, force_terminal=True)
    b = result["baselines"]
    console.print(bench_cli.signatures_table(b["signatures"]), bench_cli.candidates_table(b["candidates"]),
                  bench_cli.recall_table(b["recall"]), bench_cli.pipeline_table([size, failed]),
                  bench_cli.quality_table([size, failed]))
    text = console.file.getvalue()
    assert "candidate pair sets: identical" in text
    assert "datasketch MinHash.bulk" in text and "n=300 (dedup)" in text
    assert "timeout" in text and "export+report" in text
