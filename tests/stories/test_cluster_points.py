"""cluster_points, the story stage's clustering steps in order, on tiny hand-built inputs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from scipy import sparse

from storyclust.settings import StoryConfig
from storyclust.stories import cluster_points
from storyclust.stories.timeline import stamps

from story_helpers import partition, unit_rows


def cluster(points: np.ndarray, vectors: sparse.csr_matrix, dates: list, config: StoryConfig):
    """:func:`cluster_points` on articles dated ``dates``, without dropped terms."""
    return cluster_points(points, vectors, stamps(dates), config, residual=None)


def test_cluster_points_two_blobs_and_an_outlier() -> None:
    rng = np.random.default_rng(1)
    a = [[1, 0, 0] + rng.normal(0, 0.02, 3) for _ in range(5)]
    b = [[0, 1, 0] + rng.normal(0, 0.02, 3) for _ in range(5)]
    rows = [*a, *b, [0, 0, 1]]
    points = unit_rows([list(r) for r in rows])
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    dates = [start + timedelta(days=i % 4) for i in range(11)]
    # TF-IDF rows are sparse: each blob's articles hold its own term (the mixture reads which terms an
    # article has, and with every term in every row it could not tell the blobs apart).
    vectors = sparse.csr_matrix(np.where(np.abs(points) > 0.1, points, 0.0))
    labels, probability, singleton = cluster(points, vectors, dates, StoryConfig())
    assert partition(labels) == {frozenset(range(5)), frozenset(range(5, 10)), frozenset({10})}
    assert labels.min() == 0 and sorted(set(labels.tolist())) == [0, 1, 2]
    assert singleton.tolist() == [False] * 10 + [True]
    assert ((probability >= 0) & (probability <= 1)).all() and probability[10] == 1.0


def test_cluster_points_time_gap_splits_one_blob() -> None:
    points = unit_rows([[1, 0.01 * i] for i in range(6)])
    early = datetime(2019, 3, 1, tzinfo=timezone.utc)
    late = datetime(2023, 3, 1, tzinfo=timezone.utc)
    dates = [early, early, early + timedelta(days=2), late, late + timedelta(days=1), late + timedelta(days=3)]
    labels, _, singleton = cluster(points, sparse.csr_matrix(points), dates, StoryConfig())
    assert partition(labels) == {frozenset({0, 1, 2}), frozenset({3, 4, 5})}
    labels, _, _ = cluster(points, sparse.csr_matrix(points), dates, StoryConfig(max_gap_days=None))
    assert partition(labels) == {frozenset(range(6))}
    assert not singleton.any()


@pytest.mark.parametrize("n", [0, 1, 2])
def test_cluster_points_tiny_inputs_have_no_noise_label(n: int) -> None:
    points = unit_rows([[1, 0.1 * i] for i in range(n)]) if n else np.zeros((0, 2))
    labels, probability, singleton = cluster(points, sparse.csr_matrix(points), [None] * n, StoryConfig())
    assert len(labels) == len(probability) == len(singleton) == n
    assert (labels >= 0).all()
    if n == 2:  # two near-identical points: one story of two (below HDBSCAN's size, joined by merging)
        assert labels.tolist() == [0, 0] and not singleton.any()
    if n == 1:
        assert labels.tolist() == [0] and singleton.tolist() == [True] and probability.tolist() == [1.0]


def test_time_discount_puts_an_article_with_the_event_of_its_own_days() -> None:
    """A topic with two events a month apart: four articles early on, two late. A late article that reads
    a little more like the early coverage (a shutdown's end told in the words of its start) joins the
    late event when HDBSCAN discounts by time, and the early, denser one without the discount."""
    rng = np.random.default_rng(4)
    early = [[1, 0.35, 0.0] + rng.normal(0, 0.01, 3) for _ in range(4)]
    late = [[1, 0.0, 0.45] + rng.normal(0, 0.01, 3) for _ in range(2)]
    points = unit_rows([list(r) for r in [*early, *late, [1, 0.2, 0.2]]])
    start = datetime(2019, 1, 2, tzinfo=timezone.utc)
    dates = [start + timedelta(days=d) for d in (0, 0, 1, 2, 23, 23, 23)]
    no_merging = {"merge_similarity": 1.01, "pair_similarity": 1.01}
    labels, _, _ = cluster(points, sparse.csr_matrix(points), dates, StoryConfig(**no_merging))
    assert partition(labels) == {frozenset({0, 1, 2, 3}), frozenset({4, 5, 6})}
    labels, _, _ = cluster(points, sparse.csr_matrix(points), dates, StoryConfig(time_scale_days=None, **no_merging))
    assert labels[6] == labels[0] != labels[4]
