"""Tests for benchmarks/corpus.py, the labelled-dump generator (fixture seeds only, never ../shared/data)."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from benchmarks import base_corpus, corpus
from storyclust.dedup.shingles import shingle
from storyclust.dedup.verify import overlaps
from storyclust.ingest import read_articles
from storyclust.pipeline import prepare

MISSING = "/nonexistent/storyclust-data"  # forces the fallback to fixtures/seeds


@pytest.fixture(scope="module")
def seeds():
    return base_corpus.base_articles(MISSING)


@pytest.fixture(scope="module")
def dump300():
    dump, truth = corpus.generate(300, seed=3, data_dir=MISSING)
    return list(dump), truth


def _key(a):
    return (a.id, a.title, a.text, a.date, a.source, a.metadata)


def test_deterministic_for_a_seed():
    a, ta = corpus.generate(80, seed=5, data_dir=MISSING)
    b, tb = corpus.generate(80, seed=5, data_dir=MISSING)
    assert [_key(x) for x in a] == [_key(x) for x in b]
    assert dict(ta) == dict(tb)
    c, _ = corpus.generate(80, seed=6, data_dir=MISSING)
    assert [x.text for x in a] != [x.text for x in c]
    assert _key(a[17]) == _key(list(a)[17])  # random access gives what iteration gives


@pytest.mark.parametrize("n", [0, 1, 7, 80])
def test_exact_n(n):
    dump, truth = corpus.generate(n, seed=0, data_dir=MISSING)
    articles = list(dump)
    assert len(dump) == len(articles) == len(truth) == n
    assert len({a.id for a in articles}) == n
    assert [a.id for a in articles] == list(truth)


@pytest.mark.parametrize("rate", [0.1, 0.2, 0.5])
def test_copy_rate_within_band(rate):
    dump, truth = corpus.generate(4000, seed=1, copy_rate=rate, data_dir=MISSING)
    copies = sum(t["kind"] == "copy" for t in truth.values())
    assert abs(copies / 4000 - rate) < 0.04


def test_truth_is_consistent(dump300):
    articles, truth = dump300
    by_id = {a.id: a for a in articles}
    copies_of = defaultdict(list)
    for a in articles:
        t = truth[a.id]
        assert {k: a.metadata[k] for k in t} == t
        if t["kind"] == "copy":
            original = by_id[t["dup_group"]]  # an article of the dump
            assert truth[original.id]["kind"] == "original" and truth[original.id]["dup_group"] == original.id
            assert t["story"] == truth[original.id]["story"] and t["base_id"] == truth[original.id]["base_id"]
            assert timedelta(0) <= a.date - original.date <= timedelta(days=2)
            assert a.source != original.source and a.metadata["ops"][0] == "headline"
            copies_of[original.id].append(a.id)
    for a in articles:
        t = truth[a.id]
        if t["kind"] == "original":
            assert (t["dup_group"] is not None) == bool(copies_of[a.id])
            if t["dup_group"] is None:
                assert t["story"] == a.id  # unlabelled base: the story is the original's id
    assert copies_of and max(t["round"] for t in truth.values()) >= 2  # copies made and bases reused


def test_dates_within_span():
    dump, truth = corpus.generate(400, seed=2, span_days=30, data_dir=MISSING)
    dates = [a.date for a in dump]
    assert min(dates) >= corpus.START and max(dates) < corpus.START + timedelta(days=30)
    assert dates == sorted(dates)
    spans = defaultdict(list)
    for a in dump:
        spans[truth[a.id]["story"]].append(a.date)
    assert all(max(d) - min(d) <= timedelta(days=corpus.STORY_WINDOW_DAYS) for d in spans.values())


def test_reused_bases_stay_distinct(dump300):
    """Every pair of articles that are not copies of one another, reuses of one base included, stays under the
    bounds of distinct() on exact 3-gram shingle sets."""
    articles, truth = dump300
    group = [truth[a.id]["dup_group"] or a.id for a in articles]
    base = [truth[a.id]["base_id"] for a in articles]
    sh = shingle(prepare(articles).texts, 3)
    i, j = np.triu_indices(len(articles), 1)
    unrelated = np.array([group[x] != group[y] for x, y in zip(i.tolist(), j.tolist())])
    same_base = np.array([base[x] == base[y] for x, y in zip(i.tolist(), j.tolist())]) & unrelated
    assert same_base.sum() > 1000  # each of the 5 seeds is reused dozens of times
    jac, con = overlaps(sh, i[unrelated], j[unrelated])
    assert jac.max() < 0.1 and con.max() < 0.3
    jac, con = overlaps(sh, i[~unrelated], j[~unrelated])  # while true copies stay copies
    assert jac.min() > 0.1


def test_labelled_siblings_form_a_story(seeds):
    base = [dataclasses.replace(a, metadata={**a.metadata, "corpus": "basil", "event": "E1"}) if k < 2 else a
            for k, a in enumerate(seeds)]
    dump, truth = corpus.generate(60, seed=0, copy_rate=0.0, base=base)
    events = defaultdict(list)
    for a in dump:
        if truth[a.id]["story"].startswith("basil:E1"):
            events[truth[a.id]["story"]].append(a)
    assert "basil:E1" in events and "basil:E1@1" in events
    for members in events.values():
        assert len(members) == 2 and members[0].source != members[1].source
        assert abs(members[0].date - members[1].date) <= timedelta(days=2)


def test_stories_limits_the_base():
    dump, truth = corpus.generate(50, seed=0, stories=2, data_dir=MISSING)
    assert len({t["base_id"] for t in truth.values()}) == 2


def test_write_dump(tmp_path: Path):
    dump, truth = corpus.generate(40, seed=4, data_dir=MISSING)
    folder = corpus.write_dump(tmp_path / "dump", dump, truth)
    read = read_articles([folder / "articles.jsonl.gz"]).articles
    assert [a.id for a in read] == list(truth)
    assert all(a.metadata["dup_group"] == truth[a.id]["dup_group"] and a.metadata["story"] == truth[a.id]["story"]
               for a in read)
    assert [a.text for a in read] == [a.text for a in dump] and read[0].date == dump[0].date
    lines = [json.loads(x) for x in (folder / "truth.jsonl").read_text("utf-8").splitlines()]
    assert [x["id"] for x in lines] == list(truth)
    assert all(("ops" in x) == (x["kind"] == "copy") for x in lines)
