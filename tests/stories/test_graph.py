"""The time-gated k-nearest-neighbor graph: exact path against brute force, IVF path (storyclust.stories.ivf)
against the exact one; and its time decay."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from storyclust.stories.graph import decay_by_time, knn_graph, neighbor_lists
from storyclust.stories.timeline import DAY

NAN = float("nan")


def graph_of(points: np.ndarray, stamps: np.ndarray, *, k: int, max_gap_days: float | None,
             exact_limit: int = 20000, random_state: int = 0) -> sparse.csr_matrix:
    """:func:`knn_graph` with the pipeline's exact limit and random state unless a test sets them."""
    return knn_graph(points, stamps, k=k, max_gap_days=max_gap_days, exact_limit=exact_limit,
                     random_state=random_state)


def lists_of(points: np.ndarray, stamps: np.ndarray, *, k: int, max_gap_days: float | None,
             exact_limit: int = 20000, random_state: int = 0, **ivf) -> tuple[np.ndarray, np.ndarray]:
    """:func:`neighbor_lists` likewise (``ivf``: its cells and probes)."""
    return neighbor_lists(points, stamps, k=k, max_gap_days=max_gap_days, exact_limit=exact_limit,
                          random_state=random_state, **ivf)


def brute_lists(points: np.ndarray, k: int, stamps: np.ndarray, max_gap_days: float | None):
    """Each point's k best compatible neighbors from the full float32 similarity matrix: similarity
    descending, ties by the lower index; -1 where fewer exist."""
    v = np.asarray(points, dtype=np.float32)
    sims = v @ v.T
    np.fill_diagonal(sims, -np.inf)
    if max_gap_days is not None:
        with np.errstate(invalid="ignore"):
            sims[np.abs(stamps[:, None] - stamps[None, :]) > max_gap_days * DAY] = -np.inf
    top = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    best = np.take_along_axis(sims, top, axis=1)
    return np.where(np.isfinite(best), top, -1), best


def brute_graph(points: np.ndarray, k: int, stamps: np.ndarray, max_gap_days: float | None) -> sparse.csr_matrix:
    n = len(points)
    k = min(k, n - 1)
    if k < 1:
        return sparse.csr_matrix((n, n))
    ids, best = brute_lists(points, k, stamps, max_gap_days)
    ok = ids >= 0
    rows = np.repeat(np.arange(n), k).reshape(n, k)[ok]
    graph = sparse.csr_matrix((np.maximum(1.0 - best[ok].astype(np.float64), 1e-9), (rows, ids[ok])), shape=(n, n))
    return graph.maximum(graph.T).tocsr()


def argpartition_graph(points: np.ndarray, k: int, stamps: np.ndarray, max_gap_days: float | None) -> sparse.csr_matrix:
    """The implementation this module replaced (the first knn_graph of the story stage), for tie-free data."""
    n = len(points)
    k = min(k, n - 1)
    if k < 1:
        return sparse.csr_matrix((n, n))
    vectors = points.astype(np.float32)
    gap = np.inf if max_gap_days is None else max_gap_days * DAY
    dated = ~np.isnan(stamps)
    block = max(64, min(4096, int(5e7 // max(n, 1))))
    rows, cols, dists = [], [], []
    for start in range(0, n, block):
        idx = np.arange(start, min(start + block, n))
        sims = vectors[idx] @ vectors.T
        sims[idx - start, idx] = -np.inf
        if np.isfinite(gap) and dated.any():
            far = np.abs(stamps[idx, None] - stamps[None, :]) > gap
            sims[far] = -np.inf
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        best = np.take_along_axis(sims, top, axis=1)
        ok = np.isfinite(best)
        rows.append(np.repeat(idx, k)[ok.ravel()])
        cols.append(top.ravel()[ok.ravel()])
        dists.append(np.maximum(1.0 - best[ok].astype(np.float64), 1e-9))
    graph = sparse.csr_matrix((np.concatenate(dists), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    return graph.maximum(graph.T).tocsr()


def assert_same_graph(got: sparse.csr_matrix, want: sparse.csr_matrix) -> None:
    assert got.shape == want.shape
    assert ((got != 0) != (want != 0)).nnz == 0, "different edges"
    assert abs(got - want).max() <= 1e-5 if want.nnz else got.nnz == 0


def unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def random_input(n: int, dim: int, seed: int, undated: float = 0.1, span_days: float = 400.0):
    rng = np.random.default_rng(seed)
    points = unit_rows(rng.normal(size=(n, dim)))
    stamps = 1.6e9 + rng.random(n) * span_days * DAY
    stamps[rng.random(n) < undated] = np.nan
    return points, stamps


def clustered_input(n: int, dim: int, seed: int, centres: int = 60, undated: float = 0.05, span_days: float = 720.0):
    """Points around ``centres`` directions (news-like: stories), dated over ``span_days``, some undated."""
    rng = np.random.default_rng(seed)
    centre = unit_rows(rng.normal(size=(centres, dim)))
    points = unit_rows(centre[rng.integers(centres, size=n)] + rng.normal(scale=0.12, size=(n, dim)))
    stamps = 1.6e9 + rng.random(n) * span_days * DAY
    stamps[rng.random(n) < undated] = np.nan
    return points, stamps


def edge_gaps(graph: sparse.csr_matrix, stamps: np.ndarray) -> np.ndarray:
    coo = graph.tocoo()
    return np.abs(stamps[coo.row] - stamps[coo.col])


# ----------------------------------------------------------------------------------------------------------
# exact path
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("max_gap_days", [None, 30.0, 180.0])
def test_exact_equals_brute_force(seed: int, max_gap_days: float | None) -> None:
    points, stamps = random_input(300 + 37 * seed, 12, seed)
    got = graph_of(points, stamps, k=7, max_gap_days=max_gap_days)
    assert_same_graph(got, brute_graph(points, 7, stamps, max_gap_days))
    assert_same_graph(got, argpartition_graph(points, 7, stamps, max_gap_days))


def test_exact_lists_match_brute_force_order() -> None:
    points, stamps = random_input(500, 16, 7)
    ids, sims = lists_of(points, stamps, k=10, max_gap_days=60.0)
    want_ids, want_sims = brute_lists(points, 10, stamps, 60.0)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_allclose(sims, want_sims, atol=1e-6)


def test_exact_with_many_blocks_and_a_narrow_gate() -> None:
    # Several row blocks, each seeing only the columns dated near it, and rows with fewer than k candidates.
    points, stamps = random_input(2500, 8, 3, undated=0.02, span_days=2000.0)
    assert_same_graph(graph_of(points, stamps, k=15, max_gap_days=2.0), brute_graph(points, 15, stamps, 2.0))


def test_ties_go_to_the_lower_index() -> None:
    # Small integer vectors: every dot product is exact in float32, so ties are real ties.
    rng = np.random.default_rng(11)
    points = rng.integers(0, 3, size=(400, 6)).astype(np.float64)
    points[:399:7] = points[1::7]  # many exact duplicates
    stamps = np.full(400, np.nan)
    ids, sims = lists_of(points, stamps, k=5, max_gap_days=180.0)
    want_ids, want_sims = brute_lists(points, 5, stamps, 180.0)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_array_equal(sims, want_sims)


def test_no_self_loops_symmetric_positive() -> None:
    points, stamps = random_input(200, 5, 2)
    points[10] = points[11]  # a duplicate: distance 0 is stored as 1e-9, never dropped
    graph = graph_of(points, stamps, k=6, max_gap_days=None)
    assert graph.diagonal().sum() == 0
    assert (graph != graph.T).nnz == 0
    assert graph.data.min() >= 1e-9
    assert graph[10, 11] == pytest.approx(1e-9)


# ----------------------------------------------------------------------------------------------------------
# approximate (IVF) path, forced with a small exact_limit
# ----------------------------------------------------------------------------------------------------------


def recall(ids: np.ndarray, want: np.ndarray) -> float:
    found = (ids[:, :, None] == want[:, None, :]).any(axis=1) & (want >= 0)
    return found.sum() / (want >= 0).sum()


@pytest.fixture(scope="module")
def clustered() -> tuple[np.ndarray, np.ndarray]:
    return clustered_input(3000, 24, 5)


def test_ivf_recall_against_exact(clustered) -> None:
    points, stamps = clustered
    ids, _ = lists_of(points, stamps, k=15, max_gap_days=90.0, exact_limit=100)
    want, _ = brute_lists(points, 15, stamps, 90.0)
    assert recall(ids, want) >= 0.9


def test_ivf_recall_on_structureless_data() -> None:
    # The hard case: uniform directions, where neighbors barely stand out.
    points, stamps = random_input(3000, 20, 9, undated=0.05)
    ids, _ = lists_of(points, stamps, k=10, max_gap_days=180.0, exact_limit=100)
    want, _ = brute_lists(points, 10, stamps, 180.0)
    assert recall(ids, want) >= 0.8


def test_ivf_recall_grows_with_probes() -> None:
    # Few probes into 100 cells: the search is then visibly approximate, and each probe adds candidates.
    points, stamps = random_input(3000, 20, 9, undated=0.05)
    want, _ = brute_lists(points, 10, stamps, 180.0)
    found = [
        recall(lists_of(points, stamps, k=10, max_gap_days=180.0, exact_limit=100, cells=100, probes=probes)[0],
               want)
        for probes in (2, 4, 16)
    ]
    assert found[0] < found[1] < found[2]
    assert found[1] >= 0.55 and found[2] >= 0.9


def test_ivf_graph_is_gated_symmetric_and_deterministic(clustered) -> None:
    points, stamps = clustered
    graph = graph_of(points, stamps, k=15, max_gap_days=90.0, exact_limit=100, random_state=3)
    assert graph.shape == (3000, 3000)
    assert (graph != graph.T).nnz == 0
    assert graph.diagonal().sum() == 0
    assert graph.data.min() >= 1e-9
    gaps = edge_gaps(graph, stamps)
    assert not (gaps > 90.0 * DAY).any()  # NaN (an undated end) compares False
    assert np.isnan(gaps).any()  # undated points do get neighbors
    again = graph_of(points, stamps, k=15, max_gap_days=90.0, exact_limit=100, random_state=3)
    assert (graph != again).nnz == 0
    # Every point keeps its k edges, at least.
    assert np.diff(graph.indptr).min() >= 15
    # Edge weights are the true cosine distances.
    coo = graph.tocoo()
    true = 1.0 - np.einsum("ij,ij->i", points[coo.row], points[coo.col])
    np.testing.assert_allclose(coo.data, np.maximum(true, 1e-9), atol=1e-5)


def test_ivf_other_seed_same_quality(clustered) -> None:
    points, stamps = clustered
    want, _ = brute_lists(points, 15, stamps, 90.0)
    for seed in (1, 2):
        ids, _ = lists_of(points, stamps, k=15, max_gap_days=90.0, exact_limit=100, random_state=seed)
        assert recall(ids, want) >= 0.9


def test_ivf_without_gate_and_all_undated(clustered) -> None:
    points, _ = clustered
    undated = np.full(len(points), np.nan)
    want, _ = brute_lists(points, 10, undated, None)
    for stamps, gap in ((undated, 90.0), (undated, None), (np.zeros(len(points)), None)):
        ids, _ = lists_of(points, stamps, k=10, max_gap_days=gap, exact_limit=100)
        assert recall(ids, want) >= 0.9


def test_ivf_long_span_gate_is_exact() -> None:
    # Dates over ten years with a 30-day gate: the date windows inside cells do most of the gating.
    points, stamps = clustered_input(2500, 16, 4, span_days=3650.0)
    graph = graph_of(points, stamps, k=10, max_gap_days=30.0, exact_limit=100)
    assert not (edge_gaps(graph, stamps) > 30.0 * DAY).any()
    ids, _ = lists_of(points, stamps, k=10, max_gap_days=30.0, exact_limit=100)
    want, _ = brute_lists(points, 10, stamps, 30.0)
    assert recall(ids, want) >= 0.9
    assert ((ids >= 0) == (want >= 0)).mean() > 0.99  # points with few compatible ones keep what they have


def test_ivf_tiny_inputs_are_exact() -> None:
    # Too few points for more than one cell: the own-cell phase alone is an exact search.
    points, stamps = random_input(40, 6, 1)
    tiny = graph_of(points, stamps, k=5, max_gap_days=100.0, exact_limit=0)
    assert_same_graph(tiny, brute_graph(points, 5, stamps, 100.0))


# ----------------------------------------------------------------------------------------------------------
# edge cases
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("exact_limit", [20000, 0])
def test_empty_and_single(exact_limit: int) -> None:
    for n in (0, 1):
        points, stamps = np.zeros((n, 4)), np.full(n, np.nan)
        graph = graph_of(points, stamps, k=15, max_gap_days=180.0, exact_limit=exact_limit)
        assert graph.shape == (n, n) and graph.nnz == 0


@pytest.mark.parametrize("exact_limit", [20000, 0])
def test_two_points(exact_limit: int) -> None:
    points = unit_rows(np.array([[1.0, 0.0], [0.6, 0.8]]))
    near = graph_of(points, np.array([0.0, 10 * DAY]), k=15, max_gap_days=180.0, exact_limit=exact_limit)
    assert near.shape == (2, 2) and near.nnz == 2
    assert near[0, 1] == pytest.approx(0.4) and near[1, 0] == pytest.approx(0.4)
    far = graph_of(points, np.array([0.0, 200 * DAY]), k=15, max_gap_days=180.0, exact_limit=exact_limit)
    assert far.nnz == 0
    undated = graph_of(points, np.array([np.nan, 200 * DAY]), k=15, max_gap_days=180.0, exact_limit=exact_limit)
    assert undated.nnz == 2


def test_k_below_one_and_k_above_n() -> None:
    points, stamps = random_input(30, 4, 8)
    assert graph_of(points, stamps, k=0, max_gap_days=180.0).nnz == 0
    assert graph_of(points, stamps, k=0, max_gap_days=180.0).shape == (30, 30)
    everything = graph_of(points, stamps, k=100, max_gap_days=None)
    assert everything.nnz == 30 * 29  # k = n - 1: the complete graph
    assert_same_graph(graph_of(points, stamps, k=100, max_gap_days=180.0), brute_graph(points, 29, stamps, 180.0))


def test_all_undated_and_no_gate_agree() -> None:
    points, _ = random_input(250, 8, 6)
    undated = np.full(250, np.nan)
    a = graph_of(points, undated, k=8, max_gap_days=180.0)
    b = graph_of(points, np.zeros(250), k=8, max_gap_days=None)
    c = graph_of(points, undated, k=8, max_gap_days=None)
    assert_same_graph(a, brute_graph(points, 8, undated, None))
    assert_same_graph(a, b)
    assert_same_graph(a, c)


def test_float64_noncontiguous_input() -> None:
    points, stamps = random_input(300, 10, 12)
    wide = np.repeat(points, 2, axis=1)[:, ::2]  # a strided view with the same values
    assert not wide.flags["C_CONTIGUOUS"]
    assert_same_graph(graph_of(wide, stamps, k=6, max_gap_days=90.0), graph_of(points, stamps, k=6, max_gap_days=90.0))


def test_decay_by_time_discounts_similarity_by_days_apart() -> None:
    # distances 1 - cos for cos 0.9 (same day), 0.8 (7 days apart), 0.5 (one article undated)
    graph = sparse.csr_matrix(
        (np.array([0.1, 0.2, 0.5, 0.1, 0.2, 0.5]), (np.array([0, 0, 0, 1, 2, 3]), np.array([1, 2, 3, 0, 0, 0]))),
        shape=(4, 4),
    )
    stamps = np.array([10, 10, 17, NAN]) * DAY
    out = decay_by_time(graph, stamps, 7.0)
    assert out.toarray()[0].tolist() == pytest.approx([0, 0.1, 1 - 0.8 / 2, 0.5])
    assert (out.toarray() == out.toarray().T).all()
    assert (graph.toarray()[0] == [0, 0.1, 0.2, 0.5]).all()  # the input is not changed
    three = decay_by_time(graph, stamps, 3.5).toarray()[0, 2]
    assert three == pytest.approx(1 - 0.8 / 3)
    assert decay_by_time(graph, stamps, None) is graph
    # indices stored out of order give the same distances, and the input still reads the same afterwards
    before = graph.toarray()
    unsorted = sparse.csr_matrix(
        (np.array([0.5, 0.2, 0.1, 0.1, 0.2, 0.5]), np.array([3, 2, 1, 0, 0, 0]), np.array([0, 3, 4, 5, 6])),
        shape=(4, 4),
    )
    assert not unsorted.has_sorted_indices
    assert np.allclose(decay_by_time(unsorted, stamps, 7.0).toarray(), out.toarray())
    assert np.allclose(unsorted.toarray(), before)
    # a discounted identical pair keeps a positive distance (a stored zero would mean "no edge")
    same = sparse.csr_matrix((np.array([1e-9, 1e-9]), (np.array([0, 1]), np.array([1, 0]))), shape=(2, 2))
    assert (decay_by_time(same, np.zeros(2), 7.0).data > 0).all()
