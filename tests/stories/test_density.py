"""HDBSCAN on the sparse neighbor graph, against the hdbscan package itself."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from scipy import sparse

from storyclust.settings import StoryConfig
from storyclust.stories.density import _tree_to_labels, density_clusters, single_linkage
from storyclust.stories.graph import knn_graph

from story_helpers import DAY, partition


def test_the_pinned_hdbscan_takes_the_arguments_density_clusters_passes() -> None:
    """hdbscan's private ``_tree_to_labels`` changed its signature between releases: the installed one must
    take every argument we pass by name and return labels and probabilities first (the parity test below
    checks their values)."""
    parameters = inspect.signature(_tree_to_labels()).parameters
    for name in ("min_cluster_size", "cluster_selection_method", "allow_single_cluster",
                 "match_reference_implementation", "cluster_selection_epsilon"):
        assert name in parameters, name


def _reference_hdbscan(graph: sparse.csr_matrix, config: StoryConfig) -> tuple[np.ndarray, np.ndarray]:
    """hdbscan.HDBSCAN(metric="precomputed") per connected component: the oracle."""
    import warnings

    import hdbscan
    from scipy.sparse.csgraph import connected_components

    n = graph.shape[0]
    labels, probability = np.full(n, -1, np.int64), np.zeros(n)
    _, component = connected_components(graph, directed=False)
    next_label = 0
    for c in np.unique(component):
        members = np.flatnonzero(component == c)
        if len(members) < max(3, config.min_cluster_size):
            continue
        model = hdbscan.HDBSCAN(
            min_cluster_size=config.min_cluster_size,
            min_samples=max(1, min(config.min_samples, len(members) - 1)),
            metric="precomputed",
            cluster_selection_method=config.cluster_selection_method,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = model.fit_predict(graph[members][:, members])
        inside = found >= 0
        labels[members[inside]] = found[inside] + next_label
        probability[members] = model.probabilities_
        next_label += int(found.max()) + 1 if inside.any() else 0
    return labels, probability


@pytest.mark.parametrize("method", ["leaf", "eom"])
@pytest.mark.parametrize("min_samples", [1, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hdbscan_on_the_graph_matches_the_hdbscan_package(method: str, min_samples: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, 20))
    points = centres[rng.integers(0, 12, 400)] + 0.35 * rng.normal(size=(400, 20))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    stamps = rng.uniform(0, 400 * DAY, 400)  # a 180-day gate splits the graph into several components
    graph = knn_graph(points, stamps, k=6, max_gap_days=180.0, exact_limit=20000, random_state=0)
    config = StoryConfig(min_cluster_size=2, min_samples=min_samples, cluster_selection_method=method)
    ours, ours_probability = density_clusters(graph, config)
    theirs, their_probability = _reference_hdbscan(graph, config)
    assert (ours >= 0).sum() > 50  # clusters were found at all
    assert partition(ours) == partition(theirs)
    assert np.allclose(ours_probability, their_probability)


@pytest.mark.parametrize("seed", [0, 1])
def test_single_linkage_equals_the_hdbscan_packages_label(seed: int) -> None:
    from hdbscan._hdbscan_linkage import label
    from scipy.sparse.csgraph import minimum_spanning_tree

    rng = np.random.default_rng(seed)
    points = rng.normal(size=(300, 5))
    dense = np.linalg.norm(points[:, None] - points[None], axis=2)
    tree = minimum_spanning_tree(sparse.csr_matrix(dense))
    a, b = tree.nonzero()
    edges = np.column_stack([a, b, np.asarray(tree[a, b]).ravel()]).astype(np.float64)
    edges = edges[np.argsort(edges[:, 2])]
    assert np.array_equal(single_linkage(edges), label(edges))
