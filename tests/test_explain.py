"""storyclust explain: pairs and articles of a fixture run (seeds + wire copies) with known answers."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyclust.cli import main
from storyclust.explain import OutputFolder, explain_article, explain_pair


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, repo_root) -> Path:
    out = tmp_path_factory.mktemp("explain") / "out"
    fixtures = repo_root / "fixtures"
    result = CliRunner().invoke(main, ["cluster", str(fixtures / "seeds"), str(fixtures / "wire"), "-o", str(out),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def truth(repo_root) -> dict[str, str]:
    return json.loads((repo_root / "fixtures" / "wire_truth.json").read_text(encoding="utf-8"))


def test_a_wire_copy_and_its_original_are_copies_with_the_written_scores(run_dir, truth):
    pairs = {(r["a"], r["b"]): r for r in _rows(run_dir / "duplicates.jsonl")}
    copy, original = next((c, o) for c, o in sorted(truth.items()) if (o, c) in pairs)
    row = pairs[(original, copy)]
    e = explain_pair(run_dir, copy, original)  # either order
    assert e.copies and e.same_group and e.measured == "duplicates.jsonl"
    assert e.scores == {k: row[k] for k in ("jaccard", "containment", "content_jaccard", "content_containment")}
    # the evidence is the row's, turned to the order asked for
    assert (e.only_in_a, e.only_in_b) == (row["evidence"]["only_in_b"], row["evidence"]["only_in_a"])
    assert all(c.passed is not False for c in e.checks)
    assert e.same_story is True


def test_recomputed_scores_equal_the_run_for_every_verified_pair(run_dir):
    folder = OutputFolder(run_dir)
    corpus = folder.corpus()
    for row in _rows(run_dir / "duplicates.jsonl"):
        i, j = folder.index[row["a"]], folder.index[row["b"]]
        scores, checks, (only_a, only_b) = corpus.measure(i, j, folder.config)
        for key in ("jaccard", "containment", "content_jaccard", "content_containment"):
            assert round(scores[key], 4) == pytest.approx(row[key], abs=1e-4), (row["a"], row["b"], key)
        assert all(c.passed is not False for c in checks), (row["a"], row["b"], checks)
        assert (only_a, only_b) == (row["evidence"]["only_in_a"], row["evidence"]["only_in_b"])


def test_two_seeds_of_different_stories_are_not_copies_and_say_why(run_dir):
    articles = _rows(run_dir / "articles.jsonl")
    seeds = [r for r in articles if r["is_canonical"]]
    a, b = next((x, y) for x in seeds for y in seeds if x["story_id"] != y["story_id"])
    e = explain_pair(run_dir, a["id"], b["id"])
    assert not e.copies and not e.same_group and e.measured == "recomputed"
    rule = {c.name: c for c in e.checks}
    assert rule["content Jaccard"].passed is False and rule["content Jaccard"].value < 0.3
    assert rule["content containment"].passed is False
    assert e.reason.startswith("not a copy pair: the copy rule fails")
    assert e.same_story is False
    gap = abs((datetime.fromisoformat(a["date"]) - datetime.fromisoformat(b["date"])).total_seconds()) / 86400
    assert e.gap_days == pytest.approx(gap)
    assert e.similarity is not None and -1e-9 <= e.similarity < 0.5
    assert set(e.only_in_a).isdisjoint(e.only_in_b)


def test_an_article_is_explained_by_its_story_and_canonical(run_dir, truth):
    articles = {r["id"]: r for r in _rows(run_dir / "articles.jsonl")}
    stories = {s["story_id"]: s for s in _rows(run_dir / "stories.jsonl")}
    copy = sorted(truth)[0]
    e = explain_article(run_dir, copy)
    assert e.canonical["id"] == truth[copy]
    assert e.group_size == 1 + sum(1 for o in truth.values() if o == truth[copy])
    assert e.story == stories[articles[copy]["story_id"]]
    assert truth[copy] in e.story["article_ids"]
    assert e.story_probability == articles[copy]["story_probability"]
    members = set(e.story["article_ids"]) - {truth[copy]}
    assert {n.row["id"] for n in e.nearest} == members
    sims = [n.similarity for n in e.nearest]
    assert sims == sorted(sims, reverse=True)
    seed = explain_article(run_dir, truth[copy])
    assert seed.canonical is None and seed.group_size == e.group_size


def test_a_dedup_folder_has_no_story_answer(tmp_path, repo_root):
    out = tmp_path / "out"
    fixtures = repo_root / "fixtures"
    assert CliRunner().invoke(main, ["dedup", str(fixtures / "seeds"), "-o", str(out), "--format", "json"]).exit_code == 0
    ids = [r["id"] for r in _rows(out / "articles.jsonl")]
    e = explain_pair(out, ids[0], ids[1])
    assert e.same_story is None and e.similarity is None and not e.copies
    assert explain_article(out, ids[0]).story is None


def test_cli_renders_both_forms(run_dir, truth):
    copy = sorted(truth)[0]
    runner = CliRunner()
    pair = runner.invoke(main, ["explain", str(run_dir), copy, truth[copy]])
    assert pair.exit_code == 0, pair.output
    assert "Copies: yes" in pair.output and "Story: same story" in pair.output
    one = runner.invoke(main, ["explain", str(run_dir), copy])
    assert one.exit_code == 0, one.output
    assert "Copy: yes" in one.output and truth[copy] in one.output


def test_cli_errors_are_one_line(run_dir, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["explain", str(run_dir), "no-such-id"])
    assert result.exit_code == 1
    assert result.output == f"Error: {run_dir / 'articles.jsonl'}: no article with id 'no-such-id'\n"
    result = runner.invoke(main, ["explain", str(tmp_path / "missing"), "x"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path / 'missing'}: not a folder")
    copy = next(iter(_rows(run_dir / "articles.jsonl")))["id"]
    result = runner.invoke(main, ["explain", str(run_dir), copy, copy])
    assert result.exit_code == 1 and "give two different articles" in result.output


def test_a_changed_input_is_an_error_when_a_pair_must_be_measured(tmp_path, repo_root):
    src = tmp_path / "in.jsonl"
    rows = [{"id": f"a{k}", "title": f"Title {k}", "text": f"Story number {k} about things " * 5} for k in range(3)]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["dedup", str(src), "-o", str(out), "--format", "json"]).exit_code == 0
    src.write_text("".join(json.dumps(r) + "\n" for r in rows[:2]), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(out), "a0", "a1"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {out / 'summary.json'}: the inputs have changed since the run")


_WORDS = ("committee record plan ahead agreed debate hall budget river bridge school market harbor station library "
          "museum garden tower road square").split()


def _slotted(names: list[str], numbers: list[int]) -> str:
    return " ".join(f"{n} reported {x} cases and " + " ".join(_WORDS[(k * 3 + m) % len(_WORDS)] for m in range(12))
                    + "." for k, (n, x) in enumerate(zip(names, numbers)))


def test_same_words_other_names_and_numbers_fail_on_the_names(tmp_path):
    from storyclust import pipeline
    from storyclust.settings import DedupConfig

    a = _slotted(["Alvarez", "Brennan", "Castillo", "Dunmore", "Eriksen", "Fairbanks"], [11, 22, 33, 44, 55, 66])
    b = _slotted(["Gallagher", "Holloway", "Ingram", "Jablonski", "Kowalski", "Lindqvist"], [77, 88, 99, 101, 202, 303])
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "title": "Committee backs the plan", "text": t}) + "\n"
                           for i, t in (("x", a), ("y", b))), encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["dedup", str(src), "-o", str(out), "--format", "json"]).exit_code == 0
    e = explain_pair(out, "x", "y")
    rule = {c.name: c for c in e.checks}
    assert not e.copies
    assert rule["content Jaccard"].passed and rule["numbers and names agree"].passed is False
    assert e.reason.startswith("not a copy pair: numbers and names agree fails")
    assert {"11", "alvarez"} <= set(e.only_in_a) and {"77", "gallagher"} <= set(e.only_in_b)
    # the oracle: without the names rules the duplicate stage itself takes the pair as a copy
    read, _ = pipeline.read([str(src)])
    lax = pipeline.run(read, DedupConfig(token_agreement=0.0, lead_names=0.0))
    assert lax.dedup.pairs.tolist() == [[0, 1]]
