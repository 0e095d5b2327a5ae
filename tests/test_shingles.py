"""Tests for storyclust.dedup.shingles: word k-gram hash sets against Python k-gram sets."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from dedup_oracle import VOCAB, kgrams, random_text
from storyclust.dedup import shingles
from storyclust.dedup.shingles import shingle
from storyclust.dedup.verify import jaccard_exact


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
    assert len(sh) == 0 and sh.hashes.size == 0 and sh.offsets.tolist() == [0]


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


def test_shingling_in_chunks_gives_the_same_sets(monkeypatch) -> None:
    texts = [f"story {i} about the same long event with words {i % 3} and more words" for i in range(23)] + ["", "a"]
    whole = shingles.shingle(texts, 3)
    monkeypatch.setattr(shingles, "CHUNK", 4)
    chunked = shingles.shingle(texts, 3)
    assert np.array_equal(whole.hashes, chunked.hashes)
    assert np.array_equal(whole.offsets, chunked.offsets)
