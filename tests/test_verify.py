"""Tests for storyclust.dedup.verify: exact overlaps against Python sets, and the verification rule."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup_oracle import VOCAB, random_text
from storyclust.dedup.shingles import shingle
from storyclust.dedup.verify import is_copy, jaccard_exact, overlaps, verify
from storyclust.settings import DedupConfig


def python_overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    x, y = set(a.tolist()), set(b.tolist())
    inter, union, smaller = len(x & y), len(x | y), min(len(x), len(y))
    return (inter / union if union else 0.0), (inter / smaller if smaller else 0.0)


def test_overlaps_equal_python_sets_on_the_same_hashes() -> None:
    rng = np.random.default_rng(3)
    texts = [random_text(rng, int(n), VOCAB[:7]) for n in rng.integers(0, 100, size=50)]
    sh = shingle(texts, 3)
    left, right = np.array(list(combinations(range(50), 2))).T
    jac, con = overlaps(sh, left, right)
    for q, (i, j) in enumerate(zip(left, right)):
        ej, ec = python_overlap(sh.of(i), sh.of(j))
        assert jac[q] == pytest.approx(ej, abs=1e-12)
        assert con[q] == pytest.approx(ec, abs=1e-12)
    assert (jac > 0).sum() > 100 and (jac == 0).sum() > 0  # the sample exercises both cases


def test_overlaps_of_identical_and_empty_documents() -> None:
    sh = shingle(["one two three four", "one two three four", "", ""], 3)
    jac, con = overlaps(sh, [0, 0, 2], [1, 2, 3])
    assert jac.tolist() == [1.0, 0.0, 0.0] and con.tolist() == [1.0, 0.0, 0.0]
    assert [x.size for x in overlaps(sh, [], [])] == [0, 0]


def test_containment_of_a_prefix_is_one() -> None:
    rng = np.random.default_rng(5)
    words = random_text(rng, 200, VOCAB).split()
    sh = shingle([" ".join(words), " ".join(words[:90])], 3)
    jac, con = overlaps(sh, [0], [1])
    assert con[0] == 1.0
    assert jac[0] == pytest.approx(sh.sizes[1] / sh.sizes[0])


texts_st = st.lists(st.sampled_from(VOCAB[:5]), max_size=40).map(" ".join)


@settings(max_examples=60)
@given(texts_st, texts_st, st.integers(1, 4))
def test_jaccard_and_containment_are_symmetric_and_bounded(a: str, b: str, k: int) -> None:
    sh = shingle([a, b], k)
    jac, con = overlaps(sh, [0, 1, 0], [1, 0, 0])
    assert jac[0] == jac[1] and con[0] == con[1]
    assert 0.0 <= jac[0] <= con[0] <= 1.0
    assert jaccard_exact(sh.of(0), sh.of(1)) == jaccard_exact(sh.of(1), sh.of(0)) == pytest.approx(jac[0])
    assert jac[2] == (1.0 if sh.sizes[0] else 0.0)


CONFIG = DedupConfig()


def test_is_copy_is_the_documented_rule() -> None:
    j, c, m = CONFIG.jaccard_threshold, CONFIG.containment_threshold, CONFIG.min_containment_shingles
    jaccard = np.array([j, j - 1e-9, j - 1e-9, j - 1e-9, 0.0])
    containment = np.array([0.0, c, c, c - 1e-9, 1.0])
    smaller = np.array([1, m, m - 1, m, m])
    assert is_copy(jaccard, containment, smaller, CONFIG).tolist() == [True, True, False, False, True]


def test_verify_keeps_the_copies_as_sorted_pairs_with_their_overlaps() -> None:
    rng = np.random.default_rng(8)
    words = random_text(rng, 120, VOCAB + [f"w{i}" for i in range(200)]).split()
    texts = [" ".join(words), "unrelated words only here " * 3, " ".join(words[:70]), " ".join(words[:20])]
    sh = shingle(texts, 3)
    candidates = np.array([[2, 0], [0, 1], [3, 0], [1, 2]])
    got = verify(sh, candidates, CONFIG)
    jac, con = overlaps(sh, candidates[:, 0], candidates[:, 1])
    smaller = np.minimum(sh.sizes[candidates[:, 0]], sh.sizes[candidates[:, 1]])
    expected = sorted((min(p), max(p), jv, cv) for p, jv, cv, ok in
                      zip(candidates.tolist(), jac, con, is_copy(jac, con, smaller, CONFIG)) if ok)
    assert [(i, j) for i, j, _, _ in expected] == [(0, 2)]  # the 20-word prefix is too short for containment
    assert got.pairs.tolist() == [[i, j] for i, j, _, _ in expected]
    assert got.jaccard.tolist() == [x[2] for x in expected] and got.containment.tolist() == [x[3] for x in expected]
    none = verify(sh, np.empty((0, 2), np.int64), CONFIG)
    assert none.pairs.shape == (0, 2) and len(none.jaccard) == len(none.containment) == 0
