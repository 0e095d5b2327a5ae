"""benchmarks.eval_all on a tiny labelled corpus made of the seeds: --set reaches the settings, --sample
scores a share, bad arguments are refused with the reason."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks import eval_all
from storyclust.ingest import read_articles

# The seeds' two stories: the May 2021 escalation and the 2023-24 war (130 days between its two articles).
STORY = {"000": "may2021", "001": "may2021", "003": "may2021", "002": "war", "004": "war"}


@pytest.fixture(scope="module")
def data(tmp_path_factory, seeds_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("data")
    (root / "basil").mkdir()
    with gzip.open(root / "basil" / "articles.jsonl.gz", "wt", encoding="utf-8") as out:
        for a in read_articles([seeds_dir]).articles:
            record = {"id": a.id, "title": a.title, "text": a.text, "date": a.date.isoformat(), "source": a.source,
                      "event": STORY[a.id[:3]]}
            out.write(json.dumps(record) + "\n")
    return root


def run(data: Path, tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "scores.json"
    assert eval_all.main(["--data", str(data), "--only", "basil", "--json", str(out), *args]) == 0
    return json.loads(out.read_text())


def test_defaults_find_the_two_stories(data: Path, tmp_path: Path) -> None:
    stories = run(data, tmp_path)["runs"]["basil"][0]["stories"]
    assert stories["bcubed"]["f1"] == 1.0 and stories["predicted_clusters"] == 2


def test_set_changes_a_story_setting(data: Path, tmp_path: Path) -> None:
    # A 7-day gap limit cuts the war story in two: recall drops, precision stays.
    stories = run(data, tmp_path, "--set", "max_gap_days=7")["runs"]["basil"][0]["stories"]
    assert stories["predicted_clusters"] == 3
    assert stories["bcubed"]["precision"] == 1.0 and stories["bcubed"]["recall"] < 1.0


def test_sample_scores_a_seeded_share(data: Path, tmp_path: Path) -> None:
    first = run(data, tmp_path, "--sample", "0.6")["runs"]["basil"][0]["stories"]
    again = run(data, tmp_path, "--sample", "0.6")["runs"]["basil"][0]["stories"]
    assert first == again
    assert first["true_clusters"] in (1, 2)  # 3 of the 5 articles
    assert first["bcubed"]["f1"] == 1.0
    everything = run(data, tmp_path, "--sample", "1")["runs"]["basil"][0]["stories"]
    assert everything["true_clusters"] == 2


def test_headlines_keeps_each_articles_headline(data: Path, tmp_path: Path, monkeypatch) -> None:
    seeds = read_articles([data / "basil" / "articles.jsonl.gz"]).articles
    short = eval_all.headlines_only(seeds)
    assert [a.text for a in short] == [a.title for a in short] == [a.title.strip() for a in seeds]
    assert [a.id for a in short] == [a.id for a in seeds] and [a.date for a in short] == [a.date for a in seeds]
    untitled = eval_all.headlines_only([replace(seeds[0], title="", text="\n  First line.  \nSecond line.")])
    assert untitled[0].text == untitled[0].title == "First line."
    # --headlines reaches the pipeline: it runs on the headlines, every article still there.
    seen = []
    real_run = eval_all.run

    def spy(result, *args, **kwargs):
        seen.append([(a.id, a.text) for a in result.articles])
        return real_run(result, *args, **kwargs)

    monkeypatch.setattr(eval_all, "run", spy)
    scores = run(data, tmp_path, "--headlines")["runs"]["basil"][0]
    assert seen == [[(a.id, a.title.strip()) for a in seeds]]
    assert scores["articles"] == len(seeds) and scores["unlabelled"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "no_such=1"], "--set no_such=1: StoryConfig has no setting 'no_such'"),
        (["--set", "max_gap_days=seven"], "--set max_gap_days=seven: 'seven' is not a Python literal"),
        (["--sample", "0"], "--sample must be in (0, 1], got 0.0"),
    ],
)
def test_bad_arguments_are_refused(data: Path, args: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        eval_all.main(["--data", str(data), *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
