"""Tests for storyclust.dedup.minhash: signature agreement estimates the exact Jaccard within the binomial band."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dedup_oracle import VOCAB, random_text
from storyclust.dedup.minhash import minhash, permutations
from storyclust.dedup.shingles import Shingles, shingle
from storyclust.dedup.verify import jaccard_exact


def sets_with_jaccard(rng: np.random.Generator, jaccard: float, union: int = 400) -> Shingles:
    """Two random 64-bit hash sets whose exact Jaccard is ``round(jaccard * union) / union``."""
    values = np.unique(rng.integers(0, 2**63, size=union * 2, dtype=np.int64).astype(np.uint64))[:union]
    values = rng.permutation(values)
    common = int(round(jaccard * union))
    rest = union - common
    a = np.sort(np.concatenate((values[:common], values[common : common + rest // 2])))
    b = np.sort(np.concatenate((values[:common], values[common + rest // 2 :])))
    return Shingles(np.concatenate((a, b)), np.array([0, len(a), len(a) + len(b)], np.int64))


def test_minhash_agreement_estimates_jaccard_within_band() -> None:
    num_perm = 256
    errors = []
    for seed in range(6):
        rng = np.random.default_rng(100 + seed)
        for target in (0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9):
            sh = sets_with_jaccard(rng, target)
            true = jaccard_exact(sh.of(0), sh.of(1))
            sig = minhash(sh, num_perm=num_perm, seed=seed + 1)
            estimate = float(np.mean(sig[0] == sig[1]))
            band = 4 * math.sqrt(true * (1 - true) / num_perm) + 0.02
            assert abs(estimate - true) < band, (seed, target, estimate, true)
            errors.append(estimate - true)
    # Unbiased: the mean error over 42 pairs is far inside a single pair's standard error.
    assert abs(np.mean(errors)) < 0.03


def test_minhash_of_text_pairs_tracks_exact_jaccard() -> None:
    rng = np.random.default_rng(21)
    base = random_text(rng, 300, VOCAB + [f"w{i}" for i in range(300)]).split()
    texts = [" ".join(base)]
    for rate in (0.02, 0.05, 0.1, 0.2, 0.3):
        words = list(base)
        for pos in rng.choice(len(words), size=int(rate * len(words)), replace=False):
            words[pos] = f"x{pos}"
        texts.append(" ".join(words))
    sh = shingle(texts, 3)
    sig = minhash(sh, num_perm=256, seed=3)
    for i in range(1, len(texts)):
        true = jaccard_exact(sh.of(0), sh.of(i))
        estimate = float(np.mean(sig[0] == sig[i]))
        assert abs(estimate - true) < 4 * math.sqrt(true * (1 - true) / 256) + 0.02


def test_minhash_shape_dtype_and_identical_sets() -> None:
    sh = shingle(["one two three four five", "five four three two one", "one two three four five", ""], 3)
    sig = minhash(sh, num_perm=64, seed=1)
    assert sig.shape == (4, 64) and sig.dtype == np.uint32
    assert np.array_equal(sig[0], sig[2])
    assert not np.array_equal(sig[0], sig[1])
    a, b = permutations(64, 1)  # each value is the minimum over the set of its permutation of the folded hash
    folded = [((int(h) >> 32) ^ (int(h) & 0xFFFFFFFF)) for h in sh.of(0)]
    values = [[(int(a[j]) * x + int(b[j])) & 0xFFFFFFFF for x in folded] for j in range(64)]
    assert sig[0].tolist() == [min(v ^ (v >> 16) for v in column) for column in values]
    assert np.all(sig[3] == 0xFFFFFFFF)


def test_no_document_gives_no_signature() -> None:
    assert minhash(shingle([], 3), num_perm=16, seed=1).shape == (0, 16)


def test_minhash_is_deterministic_per_seed() -> None:
    rng = np.random.default_rng(9)
    sh = shingle([random_text(rng, 80) for _ in range(20)], 3)
    a, b, c = minhash(sh, num_perm=128, seed=1), minhash(sh, num_perm=128, seed=1), minhash(sh, num_perm=128, seed=2)
    assert np.array_equal(a, b)
    assert (a != c).mean() > 0.9
    pa, pb = permutations(128, 5)
    qa, qb = permutations(128, 5)
    assert np.array_equal(pa, qa) and np.array_equal(pb, qb) and np.all(pa % 2 == 1)


def test_num_perm_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^num_perm must be >= 1, got 0$"):
        minhash(shingle(["a b c"], 3), num_perm=0, seed=1)
