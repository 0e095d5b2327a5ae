"""Per-unit sums, dot products, norms and cosines against their dense definitions; label numbering."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from storyclust.stories.label import central_members
from storyclust.stories.sums import UnitSums, centroid_cosines, leave_one_out_cosine, relabel, row_dots


def test_relabel_numbers_by_first_appearance_and_keeps_noise() -> None:
    out = relabel(np.array([5, 5, -1, 2, 5, 2, 9]))
    assert out.tolist() == [0, 0, -1, 1, 0, 1, 2]
    assert out.dtype == np.int64


def test_relabel_empty() -> None:
    assert relabel(np.zeros(0, np.int64)).tolist() == []


@given(st.lists(st.integers(0, 5), min_size=1, max_size=40), st.integers(0, 2**31 - 1))
def test_centroid_cosines_match_the_dense_definition(labels: list[int], seed: int) -> None:
    """Every point's cosine to its label's centroid, against the plain n x d computation; a label of one
    point gives 1, and the central member is the one with the largest cosine (first index on ties)."""
    rng = np.random.default_rng(seed)
    labels_ = relabel(np.array(labels))
    k = int(labels_.max()) + 1
    points = rng.normal(size=(len(labels_), 6)).astype(np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    sums = np.zeros((k, 6))
    for i, label in enumerate(labels_):
        sums[label] += points[i]
    expected = np.array([points[i] @ sums[c] / np.linalg.norm(sums[c]) for i, c in enumerate(labels_)])
    got = centroid_cosines(points, labels_, k)
    assert np.allclose(got, expected, atol=1e-5)
    assert np.all(got[np.bincount(labels_)[labels_] == 1] == 1.0)
    central = central_members(points, labels_, k)
    for c in range(k):
        members = np.flatnonzero(labels_ == c)
        assert labels_[central[c]] == c
        near = members[np.round(got[members], 6) == np.round(got[members], 6).max()]
        assert central[c] == near.min()  # the first of the closest, float32 rounding aside


def _random_rows(rng: np.random.Generator, n: int, columns: int, dtype=np.float32) -> sparse.csr_matrix:
    dense = rng.random((n, columns)) * (rng.random((n, columns)) < 0.3)
    return sparse.csr_matrix(dense.astype(dtype))


@given(st.integers(1, 12), st.integers(1, 12), st.integers(0, 2**31 - 1))
def test_row_dots_across_two_matrices_match_the_dense_products(rows_a: int, rows_b: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, other = _random_rows(rng, rows_a, 9), _random_rows(rng, rows_b, 9, np.float64)
    a, b = rng.integers(0, rows_a, 30), rng.integers(0, rows_b, 30)
    expected = np.einsum("ij,ij->i", m.toarray()[a].astype(np.float64), other.toarray()[b])
    assert np.allclose(row_dots(m, a, b, other), expected)
    assert np.allclose(row_dots(m, a, a), np.einsum("ij,ij->i", m.toarray()[a], m.toarray()[a]), atol=1e-6)


@given(st.lists(st.integers(0, 4), min_size=1, max_size=25), st.integers(0, 2**31 - 1))
def test_unit_sums_keep_exact_sums_through_merges(units: list[int], seed: int) -> None:
    """Units of one article read their article's row, larger ones their own row; dot products and norms
    (dropped terms included) equal those of the plain dense sums, before and after merges."""
    rng = np.random.default_rng(seed)
    labels = relabel(np.array(units))
    k, n = int(labels.max()) + 1, len(labels)
    vectors, residual = _random_rows(rng, n, 7), rng.random(n) * 0.1
    dense = np.zeros((k, 7))
    np.add.at(dense, labels, vectors.toarray().astype(np.float64))
    hidden = np.bincount(labels, weights=residual, minlength=k)
    sums = UnitSums(vectors, labels, k, residual)

    def check(alive: np.ndarray) -> None:
        x, y = np.meshgrid(alive, alive)
        x, y = x.ravel(), y.ravel()
        assert np.allclose(sums.dots(x, y), np.einsum("ij,ij->i", dense[x], dense[y]), atol=1e-6)
        assert np.allclose(sums.norm[alive], np.sqrt((dense[alive] ** 2).sum(axis=1) + hidden[alive]), atol=1e-6)

    alive = np.arange(k)
    check(alive)
    while len(alive) >= 2:  # rounds of merges, grown units merging again
        half = len(alive) // 2
        take, gone = alive[:half], alive[half : 2 * half]
        sums.merge(take, gone)
        dense[take] += dense[gone]
        hidden[take] += hidden[gone]
        alive = np.setdiff1d(alive, gone)
        check(alive)


@given(st.lists(st.integers(0, 3), min_size=1, max_size=20), st.integers(0, 2**31 - 1))
def test_leave_one_out_cosine_matches_its_definition(units: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = relabel(np.array(units))
    n = len(labels)
    vectors, residual = _random_rows(rng, n, 6), rng.random(n) * 0.2
    rows = vectors.toarray().astype(np.float64)
    expected = np.zeros(n)
    for i in range(n):
        others = np.flatnonzero((labels == labels[i]) & (np.arange(n) != i))
        if len(others) == 0:
            continue
        rest = rows[others].sum(axis=0)
        # Dropped terms are each article's own, so they add to the norms and never to the dot product.
        denom = np.sqrt((rest @ rest + residual[others].sum()) * (rows[i] @ rows[i] + residual[i]))
        expected[i] = rows[i] @ rest / denom if denom > 1e-12 else 0.0
    assert np.allclose(leave_one_out_cosine(vectors, labels, residual), expected, atol=1e-6)
