"""HDBSCAN on the time-gated neighbor graph: dense clusters of articles, the rest noise.

The graph is read as a sparse precomputed distance matrix, one connected component at a time. The
condensed tree and its flat cluster selection come from the hdbscan package's ``_tree_to_labels``, a
private function whose signature changed between releases: pyproject.toml pins the tested range, and
``tests/stories/test_density.py`` checks the result against ``hdbscan.HDBSCAN`` itself.
"""

from __future__ import annotations

from typing import Callable

import numba
import numpy as np
from scipy import sparse

from ..settings import StoryConfig

__all__ = ["density_clusters", "single_linkage"]


def _tree_to_labels() -> Callable:
    """hdbscan's condensed-tree labelling (imported here: hdbscan is slow to import)."""
    from hdbscan.hdbscan_ import _tree_to_labels as tree_to_labels

    return tree_to_labels


def _core_distances(graph: sparse.csr_matrix, m: int) -> np.ndarray:
    """Each row's ``m``-th smallest stored distance (inf when the row stores fewer)."""
    n = graph.shape[0]
    lengths = np.diff(graph.indptr)
    rows = np.repeat(np.arange(n), lengths)
    order = np.lexsort((graph.data, rows))
    core = np.full(n, np.inf)
    has = lengths >= m
    core[has] = graph.data[order][graph.indptr[:-1][has] + m - 1]
    return core


@numba.njit(cache=True)
def single_linkage(edges: np.ndarray) -> np.ndarray:
    """The single-linkage tree of a spanning tree's edges sorted by weight, in scipy's linkage format
    ``(cluster a, cluster b, distance, size)``, merged clusters numbered from ``n``: the hdbscan package's
    ``_hdbscan_linkage.label`` in numba, with the same union-find."""
    m = edges.shape[0]
    n = m + 1
    parent = np.full(2 * n - 1, -1, np.int64)
    size = np.zeros(2 * n - 1, np.int64)
    size[:n] = 1
    out = np.zeros((m, 4))
    next_label = n
    for i in range(m):
        roots = np.empty(2, np.int64)
        for side in range(2):
            x = np.int64(edges[i, side])
            root = x
            while parent[root] != -1:
                root = parent[root]
            while x != root:  # path compression
                up = parent[x]
                parent[x] = root
                x = up
            roots[side] = root
        a, b = roots[0], roots[1]
        out[i, 0], out[i, 1], out[i, 2] = a, b, edges[i, 2]
        out[i, 3] = size[a] + size[b]
        size[next_label] = size[a] + size[b]
        parent[a] = next_label
        parent[b] = next_label
        next_label += 1
    return out


def density_clusters(graph: sparse.csr_matrix, config: StoryConfig) -> tuple[np.ndarray, np.ndarray]:
    """HDBSCAN on a sparse precomputed distance graph, one connected component of the mutual-reachability
    graph at a time (a spanning tree needs a connected graph); components smaller than ``min_cluster_size``
    are noise.

    This is what ``hdbscan.HDBSCAN(metric="precomputed")`` does with a sparse matrix, with its per-edge
    Python loop over a LIL matrix replaced by array operations: core distances, mutual reachability
    ``max(core_i, core_j, d_ij)``, scipy's minimum spanning tree, then the hdbscan package's own
    condensed tree and cluster selection (single linkage in numba). ``tests/stories/test_density.py`` checks
    the labels and probabilities against ``hdbscan.HDBSCAN`` itself.
    """
    from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

    tree_to_labels = _tree_to_labels()

    n = graph.shape[0]
    labels = np.full(n, -1, np.int64)
    probability = np.zeros(n)
    if n == 0:
        return labels, probability
    graph = graph.tocsr()
    graph.sort_indices()
    small = max(3, config.min_cluster_size)
    # Core distances belong to a connected component of the graph; min_samples is capped by its size.
    _, component = connected_components(graph, directed=False)
    size = np.bincount(component)[component]
    core = np.full(n, np.inf)
    samples = np.maximum(1, np.minimum(config.min_samples, size - 1))
    for m in np.unique(samples):
        core[samples == m] = _core_distances(graph, int(m))[samples == m]
    rows = np.repeat(np.arange(n), np.diff(graph.indptr))
    reach = np.maximum(np.maximum(core[rows], core[graph.indices]), graph.data)
    finite = np.isfinite(reach) & (size[rows] >= small)
    mutual = sparse.csr_matrix((reach[finite], (rows[finite], graph.indices[finite])), shape=(n, n))
    # One spanning forest; each tree is one connected component of the mutual-reachability graph.
    _, part = connected_components(mutual, directed=False)
    tree = minimum_spanning_tree(mutual).tocsr().tocoo()  # row-major, as hdbscan reads it
    a, b, weight = tree.row.astype(np.int64), tree.col.astype(np.int64), tree.data.astype(np.float64)
    order = np.argsort(part, kind="stable")  # members of each part, ascending
    local = np.empty(n, np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(part[order])) + 1]
    local[order] = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    edge_order = np.argsort(part[a], kind="stable")  # each tree's edges, in the forest's row-major order
    edge_bounds = np.r_[0, np.cumsum(np.bincount(part[a], minlength=part.max() + 1))]
    next_label = 0
    for p, members in enumerate(np.split(order, starts[1:])):
        if len(members) < small:
            continue
        e = edge_order[edge_bounds[p] : edge_bounds[p + 1]]
        edges = np.column_stack([local[a[e]], local[b[e]], weight[e]]).astype(np.float64)
        edges = edges[np.argsort(edges[:, 2])]
        found, found_probability, *_ = tree_to_labels(
            None,
            single_linkage(edges),
            min_cluster_size=config.min_cluster_size,
            cluster_selection_method=config.cluster_selection_method,
            allow_single_cluster=False,
            match_reference_implementation=False,
            cluster_selection_epsilon=config.cluster_selection_epsilon,
        )
        inside = found >= 0
        labels[members[inside]] = found[inside] + next_label
        probability[members] = found_probability
        next_label += int(found.max()) + 1 if inside.any() else 0
    return labels, probability
