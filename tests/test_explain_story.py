"""storyclust explain's story answer: the step that joined two articles or kept them apart, on a corpus built so
that each pair's step is known (made-up words, so no two groups share a term)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from storyclust.cli import main
from storyclust.explain import OutputFolder, explain_article, explain_pair


def _corpus() -> list[dict]:
    rng = np.random.default_rng(7)
    consonants, vowels = list("bcdfgklmnprstvz"), list("aeiou")

    def word() -> str:
        return "".join(rng.choice(consonants, 3)) + str(rng.choice(vowels)) + "".join(rng.choice(consonants, 2))

    def vocabulary(n: int = 120) -> list[str]:
        return [word() for _ in range(n)]

    def text(words: list[str]) -> str:
        return " ".join(rng.choice(words, 300)) + "."

    def sharing(base: list[str], share: float) -> list[str]:
        k = int(len(base) * share)
        return base[:k] + vocabulary(len(base) - k)

    same, paired, far = vocabulary(), vocabulary(), vocabulary()
    a_text = text(same)
    return [
        # one vocabulary, words in another order: their cosine passes merge_similarity (0.3)
        {"id": "a", "title": "alpha report", "text": a_text, "date": "2024-01-01"},
        {"id": "b", "title": "beta report", "text": text(same), "date": "2024-01-03"},
        # two fifths of their words shared: below the merge threshold, above pair_similarity (0.05)
        {"id": "p", "title": "gamma report", "text": text(sharing(paired, 0.4)), "date": "2024-01-01"},
        {"id": "q", "title": "delta report", "text": text(sharing(paired, 0.4)), "date": "2024-01-03"},
        # as p and q, but 400 days apart: past max_gap_days (180)
        {"id": "s", "title": "epsilon report", "text": text(sharing(far, 0.4)), "date": "2024-01-01"},
        {"id": "t", "title": "zeta report", "text": text(sharing(far, 0.4)), "date": "2025-02-04"},
        # a copy of a
        {"id": "c", "title": "alpha report", "text": a_text, "date": "2024-01-02"},
    ]


def _run(tmp: Path, *options: str) -> Path:
    """Cluster the corpus with HDBSCAN's smallest cluster at 3, so every article starts as noise and the
    merge steps under test do the joining (at the default of 2, HDBSCAN itself pairs a-b and p-q)."""
    src = tmp / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _corpus()), encoding="utf-8")
    out = tmp / "out"
    result = CliRunner().invoke(main, ["cluster", str(src), "-o", str(out), "--format", "json", "--min-cluster-size", "3",
                                         *options])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return _run(tmp_path_factory.mktemp("explain-story"))


def test_a_merge_names_its_round_cosine_and_threshold(out):
    e = explain_pair(out, "a", "b")
    assert e.same_story and e.story_step is not None and e.story_step.joined
    step = e.story_step
    assert step.step == "merge" and step.details["round"] == 1 and step.details["sizes"] == [1, 1]
    # two parts of one article each: the merge's centroid cosine is the pair's cosine, which explain reads
    # from the run's own rows
    assert step.details["cosine"] == round(e.similarity, 4) and e.similarity_source == "story_vectors.npz"
    assert step.details["cosine"] >= step.details["threshold"] == 0.3
    assert step.details["gap_days"] == 2.0
    assert "merged in round 1" in step.text


def test_left_overs_pair_below_the_merge_threshold(out):
    e = explain_pair(out, "q", "p")
    assert e.same_story and e.story_step.step == "pair"
    assert e.story_step.details["cosine"] == round(e.similarity, 4)
    assert 0.05 <= e.similarity < 0.3 and e.story_step.details["threshold"] == 0.05


def test_a_gap_past_max_gap_days_keeps_a_pair_apart_and_without_it_they_pair(out, tmp_path):
    e = explain_pair(out, "s", "t")
    assert e.same_story is False and e.story_step.step == "never merged" and not e.story_step.joined
    assert e.story_step.details["gap_days"] == 400.0 and "400.00 days apart > max_gap_days 180" in e.story_step.text
    assert e.story_step.details["cosine"] == round(e.similarity, 4) >= e.story_step.details["threshold"]
    ungated = _run(tmp_path, "--max-gap-days", "0")
    e = explain_pair(ungated, "s", "t")
    assert e.same_story and e.story_step.step == "pair"


def test_unrelated_articles_never_reach_the_threshold(out):
    e = explain_pair(out, "a", "p")
    assert e.same_story is False and e.story_step.step == "never merged"
    # they share only the title word "report"
    assert e.story_step.details["cosine"] < 0.01 < e.story_step.details["threshold"]
    assert e.story_step.details["sizes"] == [2, 2]  # a's unit holds a and b (its copy c is no unit member)


def test_a_copy_shares_its_canonical_article_story_and_steps(out):
    assert explain_pair(out, "c", "a").story_step.step == "copy"
    e = explain_pair(out, "c", "b")
    assert e.story_step.step == "merge" and e.similarity == pytest.approx(explain_pair(out, "a", "b").similarity)
    steps = explain_article(out, "c").story_steps
    assert [s.step for s in steps] == ["copy", "alone", "merge"]


def test_explain_cosines_equal_the_pipeline_rows(out):
    from storyclust.ingest import read_articles
    from storyclust.pipeline import run
    from storyclust.settings import DedupConfig, StoryConfig

    result = run(read_articles([out.parent / "in.jsonl"]), DedupConfig(), StoryConfig(min_cluster_size=3))
    v = result.stories.vectors
    row = {int(r): k for k, r in enumerate(v.rows.tolist())}
    ids = [a.id for a in result.articles]
    folder = OutputFolder(out)
    for x, y in (("a", "b"), ("p", "q"), ("s", "t"), ("a", "t")):
        i, j = ids.index(x), ids.index(y)
        expected = float(v.tfidf[row[i]].multiply(v.tfidf[row[j]]).sum())
        assert folder.cosine(folder.index[x], folder.index[y]) == (pytest.approx(expected, abs=1e-6), "story_vectors.npz")


def test_an_article_is_explained_step_by_step_and_in_json(out):
    steps = explain_article(out, "b").story_steps
    assert [s.step for s in steps] == ["alone", "merge"]
    result = CliRunner().invoke(main, ["explain", str(out), "a", "b", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["story_step"]["step"] == "merge" and doc["story_step"]["details"]["round"] == 1
    assert doc["same_story"] is True and doc["similarity_source"] == "story_vectors.npz"
    words = CliRunner().invoke(main, ["explain", str(out), "a", "b"])
    assert "joined: merged in round 1" in " ".join(words.output.split())


def test_without_the_recorded_fields_explain_still_answers(out, tmp_path):
    # a folder without placement and history (a state's output): no story step, the cosine recomputed
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("duplicates.jsonl", "summary.json"):
        (bare / name).write_bytes((out / name).read_bytes())
    for name, field in (("articles.jsonl", "placement"), ("stories.jsonl", "history")):
        rows = [json.loads(line) for line in (out / name).read_text().splitlines()]
        (bare / name).write_text("".join(json.dumps({k: v for k, v in r.items() if k != field}) + "\n" for r in rows))
    e = explain_pair(bare, "a", "b")
    assert e.same_story and e.story_step is None and e.similarity_source == "recomputed" and e.similarity > 0


def test_at_the_default_settings_hdbscan_joins_the_close_pairs(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _corpus()), encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["cluster", str(src), "-o", str(out), "--format", "json"]).exit_code == 0
    e = explain_pair(out, "a", "b")
    assert e.same_story and e.story_step.step == "cluster" and e.story_step.joined
    assert [s.step for s in explain_article(out, "b").story_steps] == ["cluster"]
