"""Python oracles shared by the duplicate-stage tests: the documented tokeniser and word k-gram sets."""

from __future__ import annotations

import re

import numpy as np

# The documented tokeniser: maximal runs of ASCII letters/digits and non-ASCII characters, after lower-casing.
TOKEN = re.compile(r"[0-9a-z\u0080-\U0010ffff]+")
VOCAB = "gaza talks ceasefire hostages aid rafah cairo minister said on the a of to in".split()


def kgrams(text: str, k: int) -> frozenset[tuple[str, ...]]:
    """The set of word k-grams of ``text`` (one gram of all tokens when there are fewer than k)."""
    tokens = TOKEN.findall(text.lower())
    if not tokens:
        return frozenset()
    if len(tokens) < k:
        return frozenset([tuple(tokens)])
    return frozenset(tuple(tokens[i : i + k]) for i in range(len(tokens) - k + 1))


def random_text(rng: np.random.Generator, n_words: int, vocab: list[str] = VOCAB) -> str:
    return " ".join(rng.choice(vocab, size=n_words))
