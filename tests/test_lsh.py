"""Tests for storyclust.dedup.lsh: banding gives exactly datasketch's MinHashLSH candidates; its choice of bands and
rows is the exact optimum of the false positive / false negative areas (scipy quadrature as the oracle)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHashLSH
from scipy.integrate import quad

from storyclust.dedup.lsh import (
    band_errors, candidate_pairs, candidate_probability, candidates, expected_recall, identical_sets, lsh_params,
    optimal_param,
)
from storyclust.dedup.minhash import minhash
from storyclust.dedup.shingles import shingle
from storyclust.settings import DedupConfig

SEED = 1
NUM_PERM = 128
VOCAB = [f"w{i}" for i in range(40)]


def corpus(rng: np.random.Generator) -> list[str]:
    """~300 documents: random texts, near-duplicates at several edit rates, truncations, exact copies, empties."""
    base = [" ".join(rng.choice(VOCAB, size=int(n))) for n in rng.integers(30, 150, size=140)]
    docs = list(base)
    for i in rng.choice(len(base), size=100, replace=False):
        words = base[i].split()
        rate = rng.choice([0.02, 0.05, 0.1, 0.2, 0.35, 0.5])
        for pos in rng.choice(len(words), size=int(rate * len(words)), replace=False):
            words[pos] = f"x{rng.integers(1000)}"
        docs.append(" ".join(words))
    for i in rng.choice(len(base), size=40, replace=False):
        words = base[i].split()
        docs.append(" ".join(words[: int(len(words) * rng.uniform(0.4, 0.9))]))
    docs += [base[3], base[3], base[7]]  # exact copies
    docs += ["", "", "--- !!!"]  # no tokens: all-maximum signatures
    return docs


@pytest.fixture(scope="module")
def signatures() -> np.ndarray:
    docs = corpus(np.random.default_rng(2024))
    return minhash(shingle(docs, 3), num_perm=NUM_PERM, seed=SEED)


def datasketch_pairs(signatures: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Insert every row into datasketch's MinHashLSH with these bands and rows; query every row."""
    lsh = MinHashLSH(num_perm=signatures.shape[1], params=(bands, rows))
    sketches = [LeanMinHash(seed=SEED, hashvalues=row, scheme="affine32") for row in signatures]
    for i, sketch in enumerate(sketches):
        lsh.insert(i, sketch)
    pairs = set()
    for i, sketch in enumerate(sketches):
        for j in lsh.query(sketch):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def as_set(pairs: np.ndarray) -> set[tuple[int, int]]:
    return {(int(i), int(j)) for i, j in pairs}


@pytest.mark.parametrize(("bands", "rows"), [(28, 2), (42, 3), (20, 5), (64, 1)])
def test_candidate_pairs_equal_datasketch(signatures: np.ndarray, bands: int, rows: int) -> None:
    ours = candidate_pairs(signatures, bands, rows)
    expected = datasketch_pairs(signatures, bands, rows)
    assert as_set(ours) == expected
    # Exact copies (docs 280, 281 of 3; 282 of 7) and token-less docs (283-285) always collide; near-duplicates
    # make the rest of a non-trivial set.
    assert {(3, 280), (3, 281), (280, 281), (7, 282), (283, 284), (283, 285), (284, 285)} <= expected
    assert len(expected) >= 50
    # Output contract: int64 (m, 2), i < j, unique, sorted.
    assert ours.dtype == np.int64 and ours.shape == (len(expected), 2)
    assert np.all(ours[:, 0] < ours[:, 1])
    assert ours.tolist() == [list(p) for p in sorted(expected)]


def test_active_mask_excludes_rows(signatures: np.ndarray) -> None:
    rng = np.random.default_rng(5)
    active = rng.random(len(signatures)) < 0.7
    full = as_set(candidate_pairs(signatures, 28, 2))
    masked = as_set(candidate_pairs(signatures, 28, 2, active=active))
    assert masked == {(i, j) for i, j in full if active[i] and active[j]}
    assert masked and masked != full
    assert candidate_pairs(signatures, 28, 2, active=np.zeros(len(signatures), bool)).shape == (0, 2)


def test_empty_documents_pair_only_without_a_mask() -> None:
    sh = shingle(["", "   ", "!!! ---", "one two three four", "five six seven eight"], 3)
    sig = minhash(sh, num_perm=NUM_PERM, seed=SEED)
    assert as_set(candidate_pairs(sig, 28, 2)) == {(0, 1), (0, 2), (1, 2)}
    assert candidate_pairs(sig, 28, 2, active=sh.sizes > 0).shape == (0, 2)


def test_no_rows_and_one_row() -> None:
    assert candidate_pairs(np.zeros((0, 16), np.uint32), 4, 4).shape == (0, 2)
    assert candidate_pairs(np.zeros((1, 16), np.uint32), 4, 4).shape == (0, 2)


def test_bands_times_rows_may_not_exceed_num_perm(signatures: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"^bands \* rows = 130 exceeds num_perm = 128$"):
        candidate_pairs(signatures, 26, 5)


@pytest.mark.parametrize("threshold", [0.2, 0.55])
@pytest.mark.parametrize("num_perm", [32, 128])
def test_band_errors_equal_quadrature(threshold: float, num_perm: int) -> None:
    bands, rows, fp, fn = band_errors(threshold, num_perm)
    assert len(bands) == sum(num_perm // b for b in range(1, num_perm + 1)) and np.all(bands * rows <= num_perm)
    assert list(zip(bands.tolist(), rows.tolist())) == sorted(zip(bands.tolist(), rows.tolist()))
    for b, r, p, n in zip(bands.tolist(), rows.tolist(), fp, fn):
        exact_fp = quad(lambda s: 1 - (1 - s**r) ** b, 0.0, threshold)[0]
        exact_fn = quad(lambda s: (1 - s**r) ** b, threshold, 1.0)[0]
        assert p == pytest.approx(exact_fp, abs=1e-10) and n == pytest.approx(exact_fn, abs=1e-10)


@pytest.mark.parametrize("weights", [(0.5, 0.5), (0.9, 0.1), (0.2, 0.8)])
def test_optimal_param_minimises_the_weighted_quadrature_error(weights: tuple[float, float]) -> None:
    fp_weight, fn_weight = weights
    threshold, num_perm = 0.35, 48
    best, chosen = math.inf, None
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            error = fp_weight * quad(lambda s: 1 - (1 - s**r) ** b, 0.0, threshold)[0] + fn_weight * quad(
                lambda s: (1 - s**r) ** b, threshold, 1.0)[0]
            if error < best:
                best, chosen = error, (b, r)
    assert optimal_param(threshold, num_perm, false_positive_weight=fp_weight,
                         false_negative_weight=fn_weight) == chosen


@pytest.mark.parametrize("threshold", [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 0.95, 0.99])
@pytest.mark.parametrize("num_perm", [16, 64, 128])
def test_lsh_params_equal_datasketch_choice(threshold: float, num_perm: int) -> None:
    bands, rows = lsh_params(threshold, num_perm)
    if bands < 2:  # datasketch refuses a single band after choosing it
        with pytest.raises(ValueError, match=r"^The number of bands are too small \(b < 2\)$"):
            MinHashLSH(threshold=threshold, num_perm=num_perm)
    else:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (bands, rows) == (lsh.b, lsh.r)


@pytest.mark.parametrize("threshold", [0.0, 1.0, -0.1, 1.5])
def test_lsh_params_rejects_thresholds_outside_the_open_interval(threshold: float) -> None:
    with pytest.raises(ValueError, match=rf"^LSH threshold must be in \(0, 1\), got {threshold}$"):
        lsh_params(threshold, 128)


def test_expected_recall_is_the_mean_candidate_probability() -> None:
    jaccard = np.array([0.1, 0.3, 0.6])
    assert expected_recall(jaccard, 28, 2) == pytest.approx(float(np.mean(1 - (1 - jaccard**2) ** 28)))
    assert expected_recall(np.zeros(0), 28, 2) == 1.0


def test_identical_sets_pair_each_copy_with_the_first_of_its_set() -> None:
    texts = ["one two three four", "", "five six seven eight", "One two, three four!", "", "one two three four"]
    sh = shingle(texts, 3)
    pairs, active = identical_sets(sh)
    assert pairs.tolist() == [[0, 3], [0, 5]]
    assert active.tolist() == [True, False, True, False, False, False]


def test_candidates_are_the_identical_sets_then_the_banding_over_one_document_per_set() -> None:
    docs = corpus(np.random.default_rng(7))
    sh = shingle(docs, 3)
    sig = minhash(sh, num_perm=NUM_PERM, seed=SEED)
    got = candidates(sh, sig, 28, 2)
    exact, active = identical_sets(sh)
    assert len(exact) >= 3  # the corpus holds exact copies
    assert got[: len(exact)].tolist() == exact.tolist()
    assert as_set(got[len(exact) :]) == as_set(candidate_pairs(sig, 28, 2, active=active))
    assert len(as_set(got)) == len(got)  # no pair twice


def test_candidate_probability_is_the_banding_formula() -> None:
    grid = np.linspace(0, 1, 21)
    for bands, rows in [(28, 2), (42, 3), (9, 13)]:
        expected = [1 - (1 - s**rows) ** bands for s in grid]
        assert np.allclose(candidate_probability(grid, bands, rows), expected, atol=1e-12)
        assert float(candidate_probability(0.5, bands, rows)) == pytest.approx(1 - (1 - 0.5**rows) ** bands)
    assert candidate_probability(0.0, 28, 2) == 0.0 and candidate_probability(1.0, 28, 2) == 1.0
    assert np.all(np.diff(candidate_probability(grid, 28, 2)) >= 0)


@pytest.mark.parametrize("agreement", [0.1, 0.2, 0.3, 0.5])
def test_candidate_rate_of_simulated_pairs_matches_the_formula(agreement: float) -> None:
    """Pairs of signature rows whose positions agree independently with probability ``s`` become
    candidates at rate 1 - (1 - s^r)^b."""
    bands, rows, pairs = 28, 2, 3000
    rng = np.random.default_rng(int(agreement * 100))
    first = rng.integers(0, 2**32, size=(pairs, NUM_PERM), dtype=np.uint64).astype(np.uint32)
    second = rng.integers(0, 2**32, size=(pairs, NUM_PERM), dtype=np.uint64).astype(np.uint32)
    same = rng.random((pairs, NUM_PERM)) < agreement
    second[same] = first[same]
    sig = np.empty((2 * pairs, NUM_PERM), np.uint32)
    sig[0::2], sig[1::2] = first, second
    found = candidate_pairs(sig, bands, rows)
    intended = found[(found[:, 0] % 2 == 0) & (found[:, 1] == found[:, 0] + 1)]
    rate = len(intended) / pairs
    p = float(candidate_probability(agreement, bands, rows))
    assert abs(rate - p) < 4 * math.sqrt(p * (1 - p) / pairs) + 0.01
    assert len(found) - len(intended) < 5  # unrelated random rows practically never collide


def test_default_banding_is_the_documented_one() -> None:
    bands, rows = DedupConfig().bands_rows
    assert f"gives {bands} bands of {rows} rows" in DedupConfig.__doc__
