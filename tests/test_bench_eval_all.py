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


@pytest.fixture(scope="module")
def gva_data(tmp_path_factory, seeds_dir: Path) -> Path:
    """The seeds as a ``gva_incidents`` folder: ``cluster_id`` by story, a ``gvc_event_id`` on three of them,
    and one record with an empty text (the real corpus has 109)."""
    root = tmp_path_factory.mktemp("gva")
    (root / "gva_incidents").mkdir()
    with gzip.open(root / "gva_incidents" / "articles.jsonl.gz", "wt", encoding="utf-8") as out:
        for k, a in enumerate(read_articles([seeds_dir]).articles):
            record = {"id": a.id, "title": a.title, "text": a.text, "date": a.date.isoformat(), "source": a.source,
                      "cluster_id": STORY[a.id[:3]], "gvc_event_id": STORY[a.id[:3]] if k < 3 else None}
            out.write(json.dumps(record) + "\n")
        out.write(json.dumps({"id": "empty", "title": "", "text": "", "date": None, "cluster_id": "x"}) + "\n")
    return root


def test_gva_its_gvc_subset_and_the_subset_inside_the_whole_run(gva_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    assert eval_all.main(["--data", str(gva_data), "--only", "gva_incidents,gva_gvc", "--json", str(out)]) == 0
    document = json.loads(out.read_text())
    whole, alone = document["runs"]["gva_incidents"][0], document["runs"]["gva_gvc"][0]
    assert whole["articles"] == 5  # the empty text is skipped, as --skip-bad does
    assert alone["articles"] == 3
    assert alone["stories"]["true_clusters"] == len({STORY[i] for i in ("000", "001", "002")})
    assert whole["subset"]["articles"] == 3 and whole["subset"]["label"] == "gvc_event_id"
    assert whole["subset"]["stories"]["bcubed"]["f1"] == 1.0
    assert whole["stories"]["bcubed_windows"]["dated"] == 5
    assert set(document["summary"]) == {"gva_incidents", "gva_incidents, its gvc_event_id articles in the whole run",
                                        "gva_gvc"}


def test_table_shows_the_published_protocols_and_a_dash_without_dates() -> None:
    def one(windows: dict | None) -> dict:
        stories = {"bcubed": {"precision": 0.5, "recall": 1.0, "f1": 2 / 3},
                   "pairwise": {"precision": 0.25, "recall": 1.0, "f1": 0.4}, "nmi": 0.5, "ari": 0.1, "ami": 0.2,
                   "predicted_clusters": 2, "true_clusters": 3, "bcubed_windows": windows}
        return {"articles": 4, "stories": stories, "seconds": 1.0}

    dated = {"precision": 0.9, "recall": 0.8, "f1": 0.85, "windows": 3, "dated": 4, "undated": 0}
    rows = {"dated": eval_all.summarise([one(dated), one(dated)]), "undated": eval_all.summarise([one(None)])}
    table = eval_all.markdown(rows).splitlines()
    assert "7-day BCubed F1" in table[0] and "pairwise P" in table[0] and "AMI" in table[0]
    assert "| dated | 0.500 | 1.000 | 0.667 | 0.900 | 0.800 | 0.850 | 0.250 | 1.000 | 0.400 |" in table[2]
    assert table[3].startswith("| undated | 0.500 | 1.000 | 0.667 | – | – | – | 0.250 |")
