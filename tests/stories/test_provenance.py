"""Provenance: cluster_points' trace of which step placed each article, on inputs built to have known answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
from scipy import sparse

from storyclust.settings import StoryConfig
from storyclust.stories import cluster_points
from storyclust.stories.provenance import Provenance, Trace
from storyclust.stories.timeline import stamps

from story_helpers import unit_rows


def traced(points, vectors, dates, config):
    trace = Trace()
    labels, _, _ = cluster_points(points, vectors, stamps(dates), config, residual=None, trace=trace)
    n = len(points)
    provenance = Provenance(trace, np.arange(n), np.arange(n), labels, [f"a{i}" for i in range(n)])
    return labels, trace, provenance


def test_the_trace_changes_nothing_and_two_blobs_are_hdbscan_clusters() -> None:
    rng = np.random.default_rng(1)
    rows = [[1, 0, 0] + rng.normal(0, 0.02, 3) for _ in range(5)] + [[0, 1, 0] + rng.normal(0, 0.02, 3) for _ in range(5)]
    points = unit_rows([list(r) for r in rows])
    vectors = sparse.csr_matrix(np.where(np.abs(points) > 0.1, points, 0.0))
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    dates = [start + timedelta(days=i % 4) for i in range(10)]
    plain, _, _ = cluster_points(points, vectors, stamps(dates), StoryConfig(), residual=None)
    labels, trace, provenance = traced(points, vectors, dates, StoryConfig())
    assert np.array_equal(labels, plain)
    # each blob is one HDBSCAN cluster and nothing merged: every article was placed by HDBSCAN
    assert len(set(trace.clusters[:5].tolist())) == 1 and len(set(trace.clusters[5:].tolist())) == 1
    assert trace.clusters[0] != trace.clusters[5] and (trace.clusters >= 0).all()
    assert trace.events == []
    assert [provenance.placement(i)["step"] for i in range(10)] == ["cluster"] * 10
    assert provenance.placement(0)["merge"] is None and provenance.history(int(labels[0])) == []


def test_two_noise_articles_merge_at_their_cosine_in_round_one() -> None:
    # Two articles (too few for HDBSCAN): noise, joined by the first merge round at their exact cosine.
    a, b = np.array([1.0, 1.0, 0.0]), np.array([1.0, 0.0, 1.0])
    points = unit_rows([a.tolist(), b.tolist()])
    vectors = sparse.csr_matrix(points)
    cosine = float(points[0] @ points[1])  # 0.5, above merge_similarity 0.3
    labels, trace, provenance = traced(points, vectors, [None, None], StoryConfig(short_text_terms=0))
    assert labels.tolist() == [0, 0]
    assert len(trace.events) == 1
    event = provenance.history(0)[0]
    assert event["step"] == "merge" and event["round"] == 1 and event["parts"] == ["a0", "a1"]
    assert event["sizes"] == [1, 1] and event["threshold"] == 0.3 and event["gap_days"] is None
    assert event["cosine"] == round(cosine, 4)
    assert provenance.placement(0)["step"] == provenance.placement(1)["step"] == "merge"
    assert provenance.placement(0)["cluster"] is None and provenance.placement(1)["merge"] == 0


def test_left_overs_below_the_merge_threshold_pair_and_a_long_gap_keeps_them_apart() -> None:
    a, b = np.array([1.0, 0.3, 0.0]), np.array([0.0, 0.3, 1.0])
    points = unit_rows([a.tolist(), b.tolist()])
    vectors = sparse.csr_matrix(points)
    cosine = float(points[0] @ points[1])
    assert 0.05 <= cosine < 0.3
    day = datetime(2024, 1, 1, tzinfo=timezone.utc)
    labels, _, provenance = traced(points, vectors, [day, day + timedelta(days=3)], StoryConfig(short_text_terms=0))
    assert labels.tolist() == [0, 0]
    (event,) = provenance.history(0)
    assert event["step"] == "pair" and event["round"] is None and event["threshold"] == 0.05
    assert event["cosine"] == round(cosine, 4) and event["gap_days"] == 3.0
    assert provenance.placement(1)["step"] == "pair"
    # 400 days apart, past max_gap_days: neither merged nor paired
    labels, trace, provenance = traced(points, vectors, [day, day + timedelta(days=400)], StoryConfig(short_text_terms=0))
    assert labels.tolist() == [0, 1] and trace.events == []
    assert provenance.placement(0)["step"] == provenance.placement(1)["step"] == "alone"


def bridged():
    """Two pairs of articles 200 days apart on one term, and a bridge between them (day 100) sharing almost
    nothing with them: a low merge threshold joins all five through the bridge (each gap is 100 days), the
    bridge is let go as a stray, and the time split then cuts the two pairs apart (199 days > 180)."""
    rows = [[1.0, 0.0, 0.0], [1.0, 0.02, 0.0], [0.02, 0.0, 1.0], [1.0, 0.0, 0.02], [1.0, 0.01, 0.01]]
    day = datetime(2024, 1, 1, tzinfo=timezone.utc)
    dates = [day, day + timedelta(days=1), day + timedelta(days=100), day + timedelta(days=200),
             day + timedelta(days=201)]
    config = StoryConfig(merge_similarity=0.001, member_similarity=0.05, short_text_terms=0, mixture_sweeps=0)
    points = unit_rows(rows)
    return points, sparse.csr_matrix(points), dates, config


def test_a_stray_let_go_and_the_time_split_it_leaves_behind() -> None:
    points, vectors, dates, config = bridged()
    labels, trace, provenance = traced(points, vectors, dates, config)
    assert len(set(trace.units.tolist())) == 1  # one unit after merging
    assert labels[0] == labels[1] and labels[3] == labels[4] and len(set(labels.tolist())) == 3
    stray = provenance.placement(2)
    assert stray["step"] == "let go" and stray["let_go"] is not None and stray["let_go"] < 0.05
    steps = [provenance.placement(i)["step"] for i in (0, 1, 3, 4)]
    assert sorted(steps).count("time split") == 2 and trace.parts[0] != trace.parts[3]
    assert all(provenance.placement(i)["let_go"] is None for i in (0, 1, 3, 4))
    # the unit's history holds the merges through the bridge, in order, each naming its parts' first articles
    history = provenance.history(int(labels[0]))
    assert history == provenance.history(int(labels[3])) and len(history) >= 1
    assert sum(e["sizes"][0] for e in history[:1]) + sum(e["sizes"][1] for e in history) == 5
    assert all(e["step"] == "merge" and e["cosine"] >= e["threshold"] for e in history)


def test_articles_the_mixture_moves_say_so() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for story in range(3):
        for _ in range(8):
            row = np.zeros(18)
            row[story * 6 + rng.choice(6, 3, replace=False)] = 1.0
            row[rng.integers(18)] = 1.0
            rows.append(row / np.linalg.norm(row))
    vectors = sparse.csr_matrix(np.array(rows))
    points = np.asarray(vectors.toarray(), np.float32)
    config = StoryConfig(min_cluster_size=4, graph_neighbors=5, short_text_terms=4.5, mixture_sweeps=5,
                         pair_similarity=1.01, member_similarity=0.0, time_scale_days=None, short_text_evidence=False)
    labels, trace, provenance = traced(points, vectors, [None] * len(rows), config)
    truth = np.repeat(np.arange(3), 8)
    assert np.array_equal(labels, truth)  # the mixture brought back the one article the clustering misplaced
    before = trace.identity  # the labels the mixture started from
    majority = {g: np.bincount(truth[before == g]).argmax() for g in set(before.tolist())}
    misplaced = {i for i in range(len(rows)) if truth[i] != majority[before[i]]}
    assert len(misplaced) >= 1
    assert {i for i in range(len(rows)) if provenance.placement(i)["step"] == "mixture"} == misplaced
