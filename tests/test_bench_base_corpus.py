"""Tests for benchmarks/base_corpus.py: the real-article base and its exact copy-pair filter (fixture seeds only)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from benchmarks import base_corpus
from storyclust.dedup.shingles import shingle
from storyclust.dedup.verify import overlaps
from storyclust.ingest import read_articles
from storyclust.pipeline import prepare

MISSING = "/nonexistent/storyclust-data"  # forces the fallback to fixtures/seeds


@pytest.fixture(scope="module")
def seeds():
    return base_corpus.base_articles(MISSING)


def test_fallback_base_is_the_seeds(seeds):
    assert len(seeds) == 5
    assert {a.metadata["corpus"] for a in seeds} == {"seeds"}
    assert all(a.id == f"seeds:{a.metadata['base_id']}" for a in seeds)
    assert base_corpus.distinct(seeds) == seeds  # five different real articles


def test_copy_pairs_matches_brute_force(seeds, repo_root):
    wire = read_articles([repo_root / "fixtures" / "wire"]).articles
    articles = seeds + wire
    texts = prepare(articles).texts
    found, jac, con = base_corpus.copy_pairs(texts)
    i, j = np.triu_indices(len(texts), 1)
    bj, bc = overlaps(shingle(texts, 3), i, j)
    flagged = (bj > 0.1) | (bc > 0.3)
    assert sorted(map(tuple, found.tolist())) == sorted(zip(i[flagged].tolist(), j[flagged].tolist()))
    assert len(found) > 0 and np.all((jac > 0.1) | (con > 0.3))


def test_distinct_drops_the_later_copy_and_short_texts(seeds, repo_root):
    wire = read_articles([repo_root / "fixtures" / "wire"]).articles
    short = dataclasses.replace(seeds[0], id="short", text="Too short to keep. " * 3)
    report: dict = {}
    kept = base_corpus.distinct(seeds + wire + [short], report=report)
    assert [a.id for a in kept] == [a.id for a in seeds]
    assert report["short"] >= 1 and report["short"] + report["dropped"] == len(wire) + 1
    assert base_corpus.distinct(seeds + wire + [short]) == kept  # deterministic
