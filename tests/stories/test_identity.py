"""Event identity: the burst weights and the block against their definitions, and the identity split on built
cases with known answers."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import numpy as np
import pytest
from scipy import sparse

from storyclust.records import Article
from storyclust.settings import StoryConfig
from storyclust.stories import find_stories
from storyclust.stories.identity import (
    IdentityBlock,
    burst_weights,
    combine,
    identity_block,
    split_by_identity,
)

from story_helpers import NAN, days, partition

def _brute_burst(counts: sparse.csr_matrix, stamps: np.ndarray, window: float) -> np.ndarray:
    out = np.ones(counts.shape[1])
    dense = counts.toarray() > 0
    for j in range(counts.shape[1]):
        t = [stamps[i] for i in np.flatnonzero(dense[:, j]) if not math.isnan(stamps[i])]
        pairs = [(a, b) for x, a in enumerate(t) for b in t[x + 1:]]
        if len(pairs):
            out[j] = sum(abs(a - b) <= window * 86400 for a, b in pairs) / len(pairs)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_burst_weights_are_the_share_of_dated_pairs_within_the_window(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = sparse.csr_matrix((rng.random((30, 12)) < 0.3).astype(float))
    stamps = days(*rng.integers(0, 60, 30).tolist())
    stamps[rng.random(30) < 0.2] = NAN
    assert np.allclose(burst_weights(counts, stamps, 14.0), _brute_burst(counts, stamps, 14.0))


def test_block_rows_are_unit_with_their_residual_and_templates_are_dropped() -> None:
    features = [["n:station", "n:a", "a:3"], ["n:station", "n:a"], ["n:station", "n:b", "q:2_shot"],
                ["n:station", "n:b"], ["n:station", "n:c"], ["n:c"]]
    sources = ["S"] * 5 + ["T"]
    block = identity_block(features, days(0, 1, 2, 3, 4, 5), sources, burst_days=None)
    assert "n:station" not in set(block.names)  # in every article of source S: its template
    assert block.features.tolist() == [1] * 6  # kept features only
    assert block.residual[0] > 0 and block.residual[1] == 0
    squares = np.asarray(block.matrix.multiply(block.matrix).sum(axis=1)).ravel()
    assert np.allclose(squares + block.residual, 1.0)
    assert set(block.names) == {"n:a", "n:b", "n:c"}  # a:3 and q:2_shot are in one article only


def test_combine_keeps_unit_rows() -> None:
    tfidf = sparse.csr_matrix(np.array([[0.6, 0.8], [1.0, 0.0]], np.float32))
    block = IdentityBlock(sparse.csr_matrix(np.array([[1.0], [0.0]], np.float32)), np.zeros(2), np.array([1, 0]),
                          np.array(["n:a"], dtype=object))
    rows, residual = combine(tfidf, np.zeros(2), block, 0.25)
    dense = rows.toarray()
    assert np.allclose((dense**2).sum(axis=1) + residual, 1.0)
    assert np.allclose(dense[1], [1.0, 0.0, 0.0])  # no identity: the topic row alone
    assert np.isclose(dense[0, 2] ** 2, 0.25)


def _block(rows: list[list[float]], features: list[int]) -> IdentityBlock:
    m = np.array(rows, float)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    m = np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)
    return IdentityBlock(sparse.csr_matrix(m), np.zeros(len(rows)), np.array(features),
                         np.array([f"n:{j}" for j in range(m.shape[1])], dtype=object))


# Two incidents glued in one story (articles 0-2 share names x, y; 3-4 share z), a third story apart.
_ROWS = [[1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [1, 0, 0]]


def test_the_split_cuts_a_story_into_its_identity_components() -> None:
    cut = split_by_identity(np.array([0, 0, 0, 0, 0, 1]), _block(_ROWS, [3] * 6), threshold=0.05,
                            min_features=3, min_part=1)
    assert partition(cut) == {frozenset({0, 1, 2}), frozenset({3, 4}), frozenset({5})}


def test_members_with_few_features_stay_with_the_largest_part() -> None:
    cut = split_by_identity(np.array([0, 0, 0, 0, 0]), _block(_ROWS[:5], [3, 3, 3, 3, 1]), threshold=0.05,
                            min_features=3, min_part=1)
    assert partition(cut) == {frozenset({0, 1, 2, 4}), frozenset({3})}


def test_a_part_smaller_than_min_part_rejoins_by_topic() -> None:
    rows = [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]]
    topic = sparse.csr_matrix(np.array([[1, 0], [1, 0], [0, 1], [0, 1], [0.1, 1]], float))
    block = _block(rows, [3] * 5)
    labels = np.zeros(5, np.int64)
    assert partition(split_by_identity(labels, block, threshold=0.05, min_features=3, min_part=1)) == {
        frozenset({0, 1}), frozenset({2, 3}), frozenset({4})}
    assert partition(split_by_identity(labels, block, threshold=0.05, min_features=3, min_part=2, topic=topic)) == {
        frozenset({0, 1}), frozenset({2, 3, 4})}
    # With only one part of two, nothing is cut.
    assert partition(split_by_identity(labels[:3], _block(rows[:3], [3] * 3), threshold=0.05, min_features=3,
                                       min_part=2)) == {frozenset({0, 1, 2})}


def test_the_threshold_decides_the_edges() -> None:
    rows = [[1, 0.2], [0, 1]]  # cosine 0.196
    labels = np.zeros(2, np.int64)
    assert len(set(split_by_identity(labels, _block(rows, [3, 3]), threshold=0.1, min_features=3).tolist())) == 1
    assert len(set(split_by_identity(labels, _block(rows, [3, 3]), threshold=0.3, min_features=3).tolist())) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"identity_weight": 1.0}, r"identity_weight must be in \[0, 1\), got 1.0"),
        ({"identity_weight": -0.1}, r"identity_weight must be in \[0, 1\), got -0.1"),
        ({"identity_split": 0.0}, r"identity_split must be in \(0, 1\] or None, got 0.0"),
        ({"identity_min_features": 0}, "identity_min_features must be >= 1, got 0"),
        ({"identity_min_part": 0}, "identity_min_part must be >= 1, got 0"),
        ({"identity_burst_days": 0}, "identity_burst_days must be positive or None, got 0"),
        ({"identity_lead": -1}, "identity_lead must be >= 0 or None, got -1"),
        ({"names": -1}, "names must be >= 0, got -1"),
    ],
)
def test_identity_settings_are_validated(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StoryConfig(**changes)


def _incident(name: str, city: str, street: str, age: int, block: int, day: int, outlet: str) -> Article:
    text = (
        f"{city.upper()} - A man was shot and wounded on the {block} block of {street} late on Friday, "
        f"police said. {name}, {age}, was taken to a hospital with injuries that were not life-threatening. "
        f"Officers in {city} found shell casings near the scene and asked witnesses to call the police. "
        f"Detectives said {name} was shot after an argument; no arrest has been made in {city} so far."
    )
    return Article(id=f"{city}-{outlet}", title=f"Man shot in {city}", text=text,
                   date=datetime(2024, 5, day, tzinfo=timezone.utc), source=outlet)


LOOKALIKES = [
    _incident("Jordan Whitfield", "Stockton", "Oak Avenue", 25, 3400, 3, "a"),
    _incident("Jordan Whitfield", "Stockton", "Oak Avenue", 25, 3400, 3, "b"),
    _incident("Marisol Quintero", "Fresno", "Elm Street", 41, 1200, 5, "c"),
    _incident("Marisol Quintero", "Fresno", "Elm Street", 41, 1200, 5, "d"),
]


def _stories(config: StoryConfig) -> list[tuple[set[str], tuple[str, ...]]]:
    articles = LOOKALIKES
    stories = find_stories(articles, [a.title for a in articles], [a.text for a in articles],
                           np.arange(len(articles)), config)
    return [({articles[i].id for i in s.members}, s.names) for s in stories.stories]


def test_look_alike_incidents_split_by_identity_and_labels_carry_their_names() -> None:
    off = _stories(StoryConfig(identity_weight=0.0, identity_split=None, names=0))
    on = _stories(StoryConfig(identity_weight=0.1, identity_split=0.05, identity_min_part=1, names=3))
    assert [members for members, _ in off] == [{a.id for a in LOOKALIKES}]  # one topic: one story
    assert all(names == () for _, names in off)
    assert sorted(sorted(members) for members, _ in on) == [["Fresno-c", "Fresno-d"], ["Stockton-a", "Stockton-b"]]
    for members, names in on:
        person = "jordan whitfield" if "Stockton-a" in members else "marisol quintero"
        assert person in names
