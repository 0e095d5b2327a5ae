"""Helpers shared by the story stage's tests: partitions, stamps in days, unit rows, small corpora."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st
from scipy import sparse

from storyclust.clean import normalize
from storyclust.stories.sums import relabel
from storyclust.stories.timeline import DAY

NAN = float("nan")


def partition(labels) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for i, label in enumerate(np.asarray(labels).tolist()):
        groups.setdefault(label, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def days(*values: float) -> np.ndarray:
    return np.array([v * DAY for v in values], dtype=np.float64)


def unit_rows(rows: list[list[float]]) -> np.ndarray:
    m = np.array(rows, dtype=np.float64)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def csr(rows: list[list[float]]) -> sparse.csr_matrix:
    return sparse.csr_matrix(unit_rows(rows))


def max_internal_gap(stamps: np.ndarray) -> float:
    dated = np.sort(stamps[~np.isnan(stamps)])
    return float(np.diff(dated).max()) if len(dated) > 1 else 0.0


@st.composite
def corpora(draw, noise: bool = True):
    n = draw(st.integers(1, 12))
    low = -1 if noise else 0
    labels = np.array(draw(st.lists(st.integers(low, 3), min_size=n, max_size=n)), dtype=np.int64)
    if not noise:
        labels = relabel(labels)
    drawn = draw(st.lists(st.one_of(st.none(), st.integers(0, 1000)), min_size=n, max_size=n))
    stamps = np.array([np.nan if s is None else s * DAY for s in drawn], dtype=np.float64)
    rows = draw(st.lists(st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=n, max_size=n))
    rows = [r if any(r) else [1, 0, 0, 0] for r in rows]  # no all-zero rows
    return labels, stamps, np.array(rows, dtype=np.float64)


@pytest.fixture(scope="module")
def fixture_texts(repo_root: Path) -> list[str]:
    files = sorted((repo_root / "fixtures" / "seeds").glob("*.txt")) + sorted(
        (repo_root / "fixtures" / "wire").glob("*.txt")
    )
    return [normalize(p.read_text(encoding="utf-8")) for p in files]
