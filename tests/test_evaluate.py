"""Tests for storyclust.evaluate: every score against cases worked out by hand, brute-force oracles on random
labelings, the windowed BCubed's days and windows, reading truth and predictions, and ``storyclust eval``.

Notation in the comments: articles are numbered from 1; ``pred A = {1,2,3}`` is a predicted story, ``true x``
a true one; P(i) and R(i) are article i's BCubed precision and recall.
"""

from __future__ import annotations

import itertools
import json
import math
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from storyclust.cli import main
from storyclust.evaluate import (
    bcubed,
    duplicate_scores,
    pairwise,
    read_predictions,
    read_truth,
    score_clustering,
    score_predictions,
    windowed_bcubed,
)
from storyclust.ingest import read_articles

# pred A = {1,2,3}, B = {4,5}; true x = {1,2}, y = {3,4,5}.
PRED_1 = ["A", "A", "A", "B", "B"]
TRUE_1 = ["x", "x", "y", "y", "y"]
# pred A = {1,2,3,4}; true x = {1,2}, y = {3}, z = {4}.
PRED_2 = ["A", "A", "A", "A"]
TRUE_2 = ["x", "x", "y", "z"]


# ------------------------------------------------------------------------------------------- BCubed


def test_bcubed_by_hand() -> None:
    # P(1) = P(2) = |{1,2}| / |A| = 2/3, P(3) = |{3}| / 3 = 1/3, P(4) = P(5) = |{4,5}| / |B| = 1.
    # R(1) = R(2) = |{1,2}| / |x| = 1, R(3) = 1/3, R(4) = R(5) = 2/3.
    # P = (2/3 + 2/3 + 1/3 + 1 + 1) / 5 = 11/15; R = (1 + 1 + 1/3 + 2/3 + 2/3) / 5 = 11/15.
    s = bcubed(PRED_1, TRUE_1)
    assert s.precision == pytest.approx(11 / 15)
    assert s.recall == pytest.approx(11 / 15)
    assert s.f1 == pytest.approx(11 / 15)


def test_bcubed_one_predicted_story_over_three_true() -> None:
    # P(1) = P(2) = 2/4, P(3) = P(4) = 1/4: P = 1.5 / 4 = 3/8. Every R(i) = 1. F1 = 2 (3/8) / (11/8) = 6/11.
    s = bcubed(PRED_2, TRUE_2)
    assert (s.precision, s.recall) == (pytest.approx(3 / 8), 1.0)
    assert s.f1 == pytest.approx(6 / 11)


def test_bcubed_edge_cases() -> None:
    assert bcubed([], []).as_dict() == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert bcubed(["A"], ["x"]).as_dict() == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    # All in one story against four singletons: every P(i) = 1/4, R(i) = 1; F1 = 2 (1/4) / (5/4) = 2/5.
    s = bcubed(["A"] * 4, [1, 2, 3, 4])
    assert (s.precision, s.recall, s.f1) == (0.25, 1.0, pytest.approx(0.4))
    # All singletons against one story: P(i) = 1, R(i) = 1/4.
    s = bcubed([1, 2, 3, 4], ["x"] * 4)
    assert (s.precision, s.recall, s.f1) == (1.0, 0.25, pytest.approx(0.4))


def test_none_labels_are_singletons() -> None:
    # true None, None are two stories of one article each: P(1) = P(2) = |{i}| / |A| = 1/2, P(3) = P(4) = 1.
    s = bcubed(["A", "A", "B", "B"], [None, None, "x", "x"])
    assert (s.precision, s.recall) == (0.75, 1.0)
    # None in the prediction: two unplaced articles are not one story.
    s = bcubed([None, None], ["x", "x"])
    assert (s.precision, s.recall) == (1.0, 0.5)


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="prediction has 2 labels but truth has 3"):
        bcubed([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="prediction has 1 labels but truth has 0"):
        pairwise([1], [])


# ------------------------------------------------------------------------------------------- pairwise


def test_pairwise_by_hand() -> None:
    # Predicted pairs: A gives (1,2) (1,3) (2,3), B gives (4,5): 4. True pairs: x (1,2); y (3,4) (3,5) (4,5): 4.
    # In both: (1,2) and (4,5). P = 2/4, R = 2/4.
    s = pairwise(PRED_1, TRUE_1)
    assert s.as_dict() == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    # Predicted pairs: the 6 of A; true pairs: (1,2) only, which A has. P = 1/6, R = 1, F1 = 2 (1/6) / (7/6) = 2/7.
    s = pairwise(PRED_2, TRUE_2)
    assert (s.precision, s.recall) == (pytest.approx(1 / 6), 1.0)
    assert s.f1 == pytest.approx(2 / 7)


def test_pairwise_edge_cases() -> None:
    assert pairwise([], []).as_dict() == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert pairwise(["A"], ["x"]).as_dict() == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    # All in one story against singletons: 6 predicted pairs, none true: P = 0; no true pair to miss: R = 1.
    assert pairwise(["A"] * 4, [1, 2, 3, 4]).as_dict() == {"precision": 0.0, "recall": 1.0, "f1": 0.0}
    # All singletons against one story: no predicted pair, P = 1; the 6 true pairs all missed: R = 0.
    assert pairwise([1, 2, 3, 4], ["x"] * 4).as_dict() == {"precision": 1.0, "recall": 0.0, "f1": 0.0}
    # None never pairs: two unlabelled articles in one predicted story are a false pair.
    assert pairwise(["A", "A"], [None, None]).as_dict() == {"precision": 0.0, "recall": 1.0, "f1": 0.0}


# ------------------------------------------------------------------------------------- ARI / AMI / NMI


def test_ari_by_hand() -> None:
    # Contingency: A-x 2, A-y 1, B-y 2. sum C(n_ij, 2) = 1 + 0 + 1 = 2; rows C(3,2) + C(2,2) = 4; columns
    # C(2,2) + C(3,2) = 4; C(5,2) = 10. Expected 4 * 4 / 10 = 1.6, maximum (4 + 4) / 2 = 4.
    # ARI = (2 - 1.6) / (4 - 1.6) = 1/6.
    assert score_clustering(PRED_1, TRUE_1).ari == pytest.approx(1 / 6)


def test_nmi_by_hand() -> None:
    # MI = 2/5 ln(5*2 / (3*2)) + 1/5 ln(5*1 / (3*3)) + 2/5 ln(5*2 / (2*3)); H(pred) = H(true) = H(3/5, 2/5);
    # NMI with the arithmetic mean of the two entropies = MI / H.
    mi = 0.4 * math.log(5 / 3) + 0.2 * math.log(5 / 9) + 0.4 * math.log(5 / 3)
    h = -(0.6 * math.log(0.6) + 0.4 * math.log(0.4))
    assert score_clustering(PRED_1, TRUE_1).nmi == pytest.approx(mi / h)


def mutual_information(pred: list, true: list) -> float:
    n = len(pred)
    joint = {(a, b): sum(1 for x, y in zip(pred, true) if (x, y) == (a, b)) for a in set(pred) for b in set(true)}
    return sum(c / n * math.log(n * c / (pred.count(a) * true.count(b))) for (a, b), c in joint.items() if c)


def entropy(labels: list) -> float:
    return -sum(labels.count(v) / len(labels) * math.log(labels.count(v) / len(labels)) for v in set(labels))


def test_ami_against_every_permutation() -> None:
    # AMI = (MI - E[MI]) / (mean(H(pred), H(true)) - E[MI]), E[MI] over random labelings with the same cluster
    # sizes: here exactly, as the mean MI over all 5! orders of the predicted labels.
    expected_mi = sum(mutual_information(list(order), TRUE_1) for order in itertools.permutations(PRED_1)) / 120
    mi = mutual_information(PRED_1, TRUE_1)
    ami = (mi - expected_mi) / ((entropy(PRED_1) + entropy(TRUE_1)) / 2 - expected_mi)
    assert score_clustering(PRED_1, TRUE_1).ami == pytest.approx(ami)


def test_ami_and_counts() -> None:
    perfect = score_clustering(["a", "a", "b"], ["x", "x", "y"])
    assert (perfect.ari, perfect.ami, perfect.nmi) == (pytest.approx(1.0),) * 3
    assert (perfect.predicted_clusters, perfect.true_clusters) == (2, 2)
    # One predicted story tells nothing about three true ones: no information, AMI = NMI = 0, ARI = 0.
    blind = score_clustering(PRED_2, TRUE_2)
    assert (blind.ari, blind.ami, blind.nmi) == (pytest.approx(0.0), pytest.approx(0.0), pytest.approx(0.0))
    assert (blind.predicted_clusters, blind.true_clusters) == (1, 3)
    # Each None is a cluster of its own in the counts too.
    assert score_clustering([None, None, 1], ["x", "x", "x"]).predicted_clusters == 3


def test_score_clustering_without_dates_has_no_windows() -> None:
    assert "bcubed_windows" not in score_clustering(PRED_1, TRUE_1).as_dict()


# ------------------------------------------------------------------------------------------- duplicates


def test_duplicate_scores_by_hand() -> None:
    # Predicted groups 0 = {1,2}, 1 = {4,5}: 2 pairs. True group a = {1,2,3}: 3 pairs. In both: (1,2).
    # P = 1/2, R = 1/3, F1 = 2 (1/6) / (5/6) = 2/5.
    s = duplicate_scores([0, 0, None, 1, 1], ["a", "a", "a", None, None])
    assert s == {"precision": 0.5, "recall": pytest.approx(1 / 3), "f1": pytest.approx(0.4),
                 "predicted_pairs": 2, "true_pairs": 3}


def test_duplicate_scores_without_copies() -> None:
    assert duplicate_scores([None, None], [None, None]) == {
        "precision": 1.0, "recall": 1.0, "f1": 1.0, "predicted_pairs": 0, "true_pairs": 0
    }
    assert duplicate_scores([], []) == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "predicted_pairs": 0,
                                        "true_pairs": 0}


# ------------------------------------------------------------------------------------- windowed BCubed


def day(n: int) -> datetime:
    return datetime(2020, 1, 1, 12, tzinfo=timezone.utc) + timedelta(days=n - 1)


def test_windowed_bcubed_by_hand() -> None:
    # Articles: 1 on Jan 1 (A, x), 2 on Jan 2 (A, x), 3 and 4 on Jan 10 (A, y and B, y), 5 undated (A, x).
    # Days with an article end the windows: Jan 1 -> {1}: P = R = 1. Jan 2 -> Dec 27..Jan 2 = {1, 2}: P = R = 1.
    # Jan 10 -> Jan 4..10 = {3, 4}: A is {3} inside it, so P(3) = P(4) = 1, R(3) = R(4) = 1/2: P 1, R 1/2, F1 2/3.
    # Means over the 3 windows: P = 1, R = (1 + 1 + 1/2) / 3 = 5/6, F1 = (1 + 1 + 2/3) / 3 = 8/9.
    w = windowed_bcubed(["A", "A", "A", "B", "A"], ["x", "x", "y", "y", "x"], [day(1), day(2), day(10), day(10), None])
    assert (w.precision, w.recall, w.f1) == (1.0, pytest.approx(5 / 6), pytest.approx(8 / 9))
    assert (w.windows, w.dated, w.undated, w.window_days, w.step_days) == (3, 4, 1, 7, 1)


def test_windowed_bcubed_consecutive_windows() -> None:
    # step_days = window_days = 7 from Jan 1: Jan 1-7 = {1, 2}: 1, 1, 1; Jan 8-14 = {3, 4}: P 1, R 1/2, F1 2/3.
    # Means: P = 1, R = 3/4, F1 = 5/6.
    w = windowed_bcubed(["A", "A", "A", "B"], ["x", "x", "y", "y"], [day(1), day(2), day(10), day(10)],
                        step_days=7)
    assert (w.precision, w.recall, w.f1, w.windows) == (1.0, 0.75, pytest.approx(5 / 6), 2)


def test_window_is_seven_days_long() -> None:
    # One predicted story, two true ones. Six days apart the two articles share the window of the later day:
    # windows {1}: 1, 1 and {1, 2}: P 1/2, R 1 -> P = 3/4. Seven days apart they never share a window: P = 1.
    pred, true = ["A", "A"], ["x", "y"]
    assert windowed_bcubed(pred, true, [day(1), day(7)]).precision == 0.75
    assert windowed_bcubed(pred, true, [day(1), day(8)]).precision == 1.0
    assert windowed_bcubed(pred, true, [day(1), day(8)], window_days=8).precision == 0.75


def test_window_days_are_utc_days() -> None:
    # 23:30 at UTC-5 on Jan 1 is 04:30 UTC on Jan 2: six UTC days before Jan 8, so both share a window.
    # A naive datetime is UTC; ISO strings (as articles.jsonl holds them) and dates are accepted too.
    late = datetime(2020, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert windowed_bcubed(["A", "A"], ["x", "y"], [late, "2020-01-08T00:30:00+00:00"]).precision == 0.75
    assert windowed_bcubed(["A", "A"], ["x", "y"], [datetime(2020, 1, 1, 23, 30), date(2020, 1, 8)]).precision == 1.0


def test_windowed_bcubed_without_dates() -> None:
    w = windowed_bcubed(["A", "B"], ["x", "x"], [None, None])
    assert (w.precision, w.recall, w.f1, w.windows, w.dated, w.undated) == (None, None, None, 0, 0, 2)
    assert windowed_bcubed([], [], []).windows == 0


def test_windowed_bcubed_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="1 dates for 2 labels"):
        windowed_bcubed(["A", "A"], ["x", "x"], [day(1)])
    with pytest.raises(ValueError, match="window_days and step_days must be at least 1, got 0 and 1"):
        windowed_bcubed(["A"], ["x"], [day(1)], window_days=0)


def test_score_clustering_with_dates_reports_the_windows() -> None:
    scores = score_clustering(["A", "A"], ["x", "y"], [day(1), day(7)]).as_dict()
    assert scores["bcubed_windows"]["precision"] == 0.75 and scores["bcubed_windows"]["windows"] == 2
    assert scores["bcubed"]["precision"] == 0.5


# ------------------------------------------------------------------------------- oracles and properties


def brute_bcubed(pred: list, true: list) -> tuple[float, float]:
    n = len(pred)
    if n == 0:
        return 1.0, 1.0
    same = [[(pred[i] == pred[j] and pred[i] is not None) or i == j for j in range(n)] for i in range(n)]
    truly = [[(true[i] == true[j] and true[i] is not None) or i == j for j in range(n)] for i in range(n)]
    p = sum(sum(same[i][j] and truly[i][j] for j in range(n)) / sum(same[i]) for i in range(n)) / n
    r = sum(sum(same[i][j] and truly[i][j] for j in range(n)) / sum(truly[i]) for i in range(n)) / n
    return p, r


def brute_pairwise(pred: list, true: list) -> tuple[float, float]:
    pairs = list(itertools.combinations(range(len(pred)), 2))
    together_p = {(i, j) for i, j in pairs if pred[i] is not None and pred[i] == pred[j]}
    together_t = {(i, j) for i, j in pairs if true[i] is not None and true[i] == true[j]}
    both = len(together_p & together_t)
    return (both / len(together_p) if together_p else 1.0), (both / len(together_t) if together_t else 1.0)


labels = st.lists(st.one_of(st.none(), st.integers(0, 3)), max_size=12)
labelings = st.integers(0, 12).flatmap(
    lambda n: st.tuples(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=n, max_size=n),
        st.lists(st.one_of(st.none(), st.sampled_from("abc")), min_size=n, max_size=n),
        st.lists(st.one_of(st.none(), st.integers(1, 20)), min_size=n, max_size=n),
    )
)


@settings(max_examples=200, deadline=None)
@given(labelings)
def test_scores_match_brute_force(case) -> None:
    pred, true, _ = case
    p, r = brute_bcubed(pred, true)
    s = bcubed(pred, true)
    assert (s.precision, s.recall) == (pytest.approx(p), pytest.approx(r))
    p, r = brute_pairwise(pred, true)
    s = pairwise(pred, true)
    assert (s.precision, s.recall) == (pytest.approx(p), pytest.approx(r))


@settings(max_examples=200, deadline=None)
@given(labelings)
def test_windowed_bcubed_matches_brute_force(case) -> None:
    pred, true, days = case
    dates = [day(d) if d is not None else None for d in days]
    ends = sorted({d for d in days if d is not None})
    expected = []
    for end in ends:
        inside = [i for i, d in enumerate(days) if d is not None and end - 7 < d <= end]
        p, r = brute_bcubed([pred[i] for i in inside], [true[i] for i in inside])
        expected.append((p, r, 2 * p * r / (p + r) if p + r else 0.0))
    w = windowed_bcubed(pred, true, dates)
    assert w.windows == len(ends) and w.undated == days.count(None)
    if ends:
        means = [sum(e[k] for e in expected) / len(expected) for k in range(3)]
        assert (w.precision, w.recall, w.f1) == tuple(pytest.approx(m) for m in means)


@given(labels)
def test_the_truth_scores_one_against_itself(true) -> None:
    for s in (bcubed(true, true), pairwise(true, true)):
        assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


@given(labelings)
def test_swapping_prediction_and_truth_swaps_precision_and_recall(case) -> None:
    # Exact for BCubed and pairwise (with no pairs on one side, its 1 moves with it); F1 is symmetric.
    pred, true, _ = case
    for score in (bcubed, pairwise):
        a, b = score(pred, true), score(true, pred)
        assert (a.precision, a.recall) == (pytest.approx(b.recall), pytest.approx(b.precision))
        assert a.f1 == pytest.approx(b.f1)


@given(labelings)
def test_one_day_or_one_window_is_the_whole_stream(case) -> None:
    pred, true, _ = case
    if not pred:
        return
    whole = bcubed(pred, true)
    same_day = windowed_bcubed(pred, true, [day(3)] * len(pred))
    assert (same_day.precision, same_day.recall, same_day.windows) == (
        pytest.approx(whole.precision), pytest.approx(whole.recall), 1
    )


# ------------------------------------------------------------------------------- scoring predictions


def test_score_predictions_uses_the_rows_dates_and_checks_the_ids() -> None:
    rows = [{"id": "a", "story_id": 0, "date": "2020-01-01T00:00:00+00:00", "dup_group": None},
            {"id": "b", "story_id": 0, "date": "2020-01-08T00:00:00+00:00", "dup_group": None}]
    truth = {"a": {"story": "x"}, "b": {"story": "y"}}
    scores = score_predictions(rows, truth, "story")
    assert scores["stories"]["bcubed"]["precision"] == 0.5
    assert scores["stories"]["bcubed_windows"]["precision"] == 1.0  # seven days apart: never in one window
    with pytest.raises(ValueError, match=r"1 predicted ids have no truth record, 1 truth ids have no prediction "
                                         r"\(for example \['b'\]\)"):
        score_predictions(rows, {"a": {"story": "x"}, "c": {"story": "y"}}, "story")
    with pytest.raises(ValueError, match="no truth record has the label field 'event'"):
        score_predictions(rows, truth, "event")


# ------------------------------------------------------------------------------- reading and the CLI

SEED_STORY = {"000": "may2021", "001": "may2021", "003": "may2021", "002": "war", "004": "war"}


@pytest.fixture()
def labelled(tmp_path: Path, seeds_dir: Path) -> Path:
    """The five seeds as one labelled JSONL whose second and fourth records share the id ``empty`` (as BASIL's
    do), plus a record with an empty text."""
    path = tmp_path / "labelled.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for k, a in enumerate(read_articles([seeds_dir]).articles):
            record = {"id": "empty" if k in (1, 3) else a.id, "title": a.title, "text": a.text,
                      "date": a.date.isoformat(), "story": SEED_STORY[a.id[:3]]}
            out.write(json.dumps(record) + "\n")
        out.write(json.dumps({"id": "blank", "title": "Nothing", "text": "", "story": "none"}) + "\n")
    return path


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_read_truth_reads_as_the_run_read(labelled: Path) -> None:
    ids = [a.id for a in read_truth(labelled, skip_bad=True, unique_ids=True)]
    assert ids[1] == "empty" and ids[3] == "empty~2" and "blank" not in ids and len(ids) == 5
    with pytest.raises(ValueError, match=r"labelled\.jsonl:4: duplicate id 'empty'"):
        read_truth(labelled)
    with pytest.raises(ValueError, match=r"labelled\.jsonl:6: empty text"):
        read_truth(labelled, unique_ids=True)


def test_read_predictions_locates_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"articles\.jsonl: no such file \(give the --output folder"):
        read_predictions(tmp_path)
    (tmp_path / "articles.jsonl").write_text('{"id": "a"}\n\n{"id": \n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"articles\.jsonl:3: not valid JSON"):
        read_predictions(tmp_path)
    (tmp_path / "articles.jsonl").write_text('{"id": "a"}\n[1]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"articles\.jsonl:2: expected an object with an \"id\""):
        read_predictions(tmp_path)


def test_two_step_eval_with_renamed_ids(labelled: Path, tmp_path: Path) -> None:
    # Issue 14, item 10: the run renames the second "empty" to "empty~2"; the truth must be read the same way.
    out = tmp_path / "out"
    assert invoke("cluster", labelled, "--unique-ids", "--skip-bad", "-o", out).exit_code == 0
    two_step = invoke("eval", "--predictions", out, "--truth", labelled, "--unique-ids", "--skip-bad",
                      "--label-field", "story", "--format", "json")
    assert two_step.exit_code == 0, two_step.stderr
    one_step = invoke("eval", labelled, "--unique-ids", "--skip-bad", "--label-field", "story", "--format", "json")
    assert one_step.exit_code == 0, one_step.stderr
    scores, direct = json.loads(two_step.stdout), json.loads(one_step.stdout)
    assert scores["articles"] == direct["articles"] == 5
    assert scores["stories"] == direct["stories"]
    assert scores["stories"]["bcubed"]["f1"] == 1.0 and scores["stories"]["bcubed_windows"]["windows"] == 5


def test_two_step_eval_reads_the_truth_with_the_runs_options(labelled: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    invoke("cluster", labelled, "--unique-ids", "--skip-bad", "-o", out)
    result = invoke("eval", "--predictions", out, "--truth", labelled, "--skip-bad", "--label-field", "story")
    assert result.exit_code == 1
    assert "labelled.jsonl" in result.stderr and "predictions and truth cover different articles" in result.stderr
    assert "empty~2" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--predictions", "{out}"], "Error: --predictions needs --truth FILE\n"),
        (["--truth", "{truth}"], "Error: --truth needs --predictions DIR (or give the labelled PATH... alone to run "
                                 "the pipeline)\n"),
        (["{truth}", "--predictions", "{out}", "--truth", "{truth}"],
         "Error: give either PATH... (to run the pipeline) or --predictions DIR --truth FILE, not both\n"),
        ([], "Error: give PATH... to run the pipeline, or --predictions DIR --truth FILE\n"),
        (["--predictions", "{empty}", "--truth", "{truth}"],
         "Error: {empty}/articles.jsonl: no such file (give the --output folder of a cluster or dedup run)\n"),
    ],
)
def test_eval_refuses_incomplete_options(labelled: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out, empty = tmp_path / "out", tmp_path / "empty"
    empty.mkdir()
    invoke("cluster", labelled, "--unique-ids", "--skip-bad", "-o", out)
    names = {"out": out, "truth": labelled, "empty": empty}
    result = invoke("eval", *[a.format(**names) for a in args], "--label-field", "story")
    assert result.exit_code == 1
    assert result.stderr == message.format(**names)


def test_eval_report_shows_the_windowed_bcubed(labelled: Path) -> None:
    result = invoke("eval", labelled, "--unique-ids", "--skip-bad", "--label-field", "story")
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "7-day windows" in line)
    assert row.split() == ["Stories,", "bcubed", "in", "7-day", "windows", "1.0000", "1.0000", "1.0000"]
    assert "Windows: 5 of 7 days (0 undated articles in none)" in result.stdout
