"""Tests for storyclust.signatures: word shingles, exact overlaps and MinHash estimates, against Python oracles."""

from __future__ import annotations

import math
import re
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyclust.signatures import Shingles, jaccard_exact, minhash, overlaps, permutations, shingle

# The documented tokeniser: maximal runs of ASCII letters/digits and non-ASCII characters, after lower-casing.
TOKEN = re.compile(r"[0-9a-z\u0080-\U0010ffff]+")
VOCAB = "gaza talks ceasefire hostages aid rafah cairo minister said on the a of to in".split()


def kgrams(text: str, k: int) -> set[tuple[str, ...]]:
    """The oracle: the set of word k-grams (one gram of all tokens when there are fewer than k)."""
    tokens = TOKEN.findall(text.lower())
    if not tokens:
        return set()
    if len(tokens) < k:
        return {tuple(tokens)}
    return {tuple(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


def random_text(rng: np.random.Generator, n_words: int, vocab: list[str] = VOCAB) -> str:
    return " ".join(rng.choice(vocab, size=n_words))


# ------------------------------------------------------------------------------------------------ shingles


@pytest.mark.parametrize(
    ("text", "k", "expected"),
    [
        ("", 3, 0),
        ("  ...  --- !!! ", 3, 0),
        ("one", 3, 1),
        ("one two", 3, 1),
        ("one two three", 3, 1),
        ("one two three four", 3, 2),
        ("a a a a a a", 3, 1),
        ("a b a b a b", 3, 2),
        ("one two three four", 1, 4),
        ("one two three four", 5, 1),
    ],
)
def test_shingle_sizes(text: str, k: int, expected: int) -> None:
    assert shingle([text], k).sizes.tolist() == [expected]


def test_short_document_shingle_differs_from_a_longer_ones() -> None:
    sh = shingle(["one two", "one two three", "two"], 3)
    assert len({sh.of(0)[0], sh.of(1)[0], sh.of(2)[0]}) == 3


def test_tokens_are_case_insensitive_and_split_on_punctuation() -> None:
    sh = shingle(
        ["Israel's PM, Netanyahu: co-op!", "israel s pm netanyahu co op", "ISRAEL S PM NETANYAHU CO OP"], 2
    )
    assert sh.sizes.tolist() == [5, 5, 5]
    assert np.array_equal(sh.of(0), sh.of(1)) and np.array_equal(sh.of(1), sh.of(2))


def test_non_ascii_letters_stay_inside_tokens() -> None:
    sh = shingle(["café naïve", "caf na ve", "Zürich", "zurich"], 1)
    assert sh.sizes.tolist() == [2, 3, 1, 1]
    assert not np.array_equal(sh.of(2), sh.of(3))


def test_shingle_layout_is_sorted_unique_with_offsets() -> None:
    rng = np.random.default_rng(7)
    texts = [random_text(rng, int(n)) for n in rng.integers(0, 60, size=40)]
    sh = shingle(texts, 3)
    assert len(sh) == 40 and sh.offsets[0] == 0 and sh.offsets[-1] == len(sh.hashes)
    assert sh.hashes.dtype == np.uint64 and sh.offsets.dtype == np.int64
    for i in range(len(sh)):
        part = sh.of(i)
        assert np.all(part[1:] > part[:-1])


def test_empty_input_list() -> None:
    sh = shingle([], 3)
    assert len(sh) == 0 and sh.hashes.size == 0
    assert minhash(sh, 16).shape == (0, 16)


def test_shingle_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^shingle size must be >= 1, got 0$"):
        shingle(["a b c"], 0)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_unique_shingle_counts_equal_python_kgram_counts(k: int) -> None:
    rng = np.random.default_rng(k)
    texts = [random_text(rng, int(n)) for n in rng.integers(0, 120, size=60)]
    texts += [
        "Biden's envoy -- Hady Amr -- met leaders in Ramallah; 200 people died, officials said.",
        "Zürich, São Paulo and Kyiv (Київ) reacted: «calm» was restored — for now.",
        "Ceasefire   talks\n\nresumed.\tCeasefire talks resumed.",
    ]
    sh = shingle(texts, k)
    assert sh.sizes.tolist() == [len(kgrams(t, k)) for t in texts]


def test_shared_hashes_mean_shared_kgrams() -> None:
    """Hash-set Jaccard equals the Jaccard of the Python k-gram sets (no collisions, no splits)."""
    rng = np.random.default_rng(11)
    texts = [random_text(rng, int(n), VOCAB[:6]) for n in rng.integers(1, 80, size=40)]
    sh = shingle(texts, 3)
    grams = [kgrams(t, 3) for t in texts]
    for i, j in combinations(range(len(texts)), 2):
        union = grams[i] | grams[j]
        expected = len(grams[i] & grams[j]) / len(union)
        assert jaccard_exact(sh.of(i), sh.of(j)) == pytest.approx(expected, abs=1e-12)


# ------------------------------------------------------------------------------------------------ overlaps


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


# ------------------------------------------------------------------------------------------------ MinHash


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
            sig = minhash(sh, num_perm, seed=seed + 1)
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
    sig = minhash(sh, 256, seed=3)
    for i in range(1, len(texts)):
        true = jaccard_exact(sh.of(0), sh.of(i))
        estimate = float(np.mean(sig[0] == sig[i]))
        assert abs(estimate - true) < 4 * math.sqrt(true * (1 - true) / 256) + 0.02


def test_minhash_shape_dtype_and_identical_sets() -> None:
    sh = shingle(["one two three four five", "five four three two one", "one two three four five", ""], 3)
    sig = minhash(sh, 64, seed=1)
    assert sig.shape == (4, 64) and sig.dtype == np.uint32
    assert np.array_equal(sig[0], sig[2])
    assert not np.array_equal(sig[0], sig[1])
    assert np.all(sig[3] == 0xFFFFFFFF)


def test_minhash_is_deterministic_per_seed() -> None:
    rng = np.random.default_rng(9)
    sh = shingle([random_text(rng, 80) for _ in range(20)], 3)
    a, b, c = minhash(sh, 128, seed=1), minhash(sh, 128, seed=1), minhash(sh, 128, seed=2)
    assert np.array_equal(a, b)
    assert (a != c).mean() > 0.9
    pa, pb = permutations(128, 5)
    qa, qb = permutations(128, 5)
    assert np.array_equal(pa, qa) and np.array_equal(pb, qb) and np.all(pa % 2 == 1)


def test_num_perm_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^num_perm must be >= 1, got 0$"):
        minhash(shingle(["a b c"], 3), num_perm=0)


def test_shingling_in_chunks_gives_the_same_sets(monkeypatch) -> None:
    import storyclust.signatures as signatures

    texts = [f"story {i} about the same long event with words {i % 3} and more words" for i in range(23)] + ["", "a"]
    whole = signatures.shingle(texts, 3)
    monkeypatch.setattr(signatures, "_CHUNK", 4)
    chunked = signatures.shingle(texts, 3)
    assert np.array_equal(whole.hashes, chunked.hashes)
    assert np.array_equal(whole.offsets, chunked.offsets)
