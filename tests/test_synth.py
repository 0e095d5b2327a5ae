"""Tests for benchmarks.synth (wire-copy rewrites), its word lists and fixtures/make_fixtures.py."""

from __future__ import annotations

import copy
import json
import random
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from benchmarks.synth import (
    VARIANTS,
    add_boilerplate,
    add_footer,
    derive,
    new_headline,
    paragraph_separator,
    reorder_paragraphs,
    rewrite,
    split_paragraphs,
    substitute_words,
    truncate,
)
from benchmarks.synth_words import COMMON_WORDS, HEAD_BOILERPLATE, SYNONYMS, TAIL_BOILERPLATE
from storyclust.records import Article

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "fixtures" / "seeds").glob("*.txt"))
RANDOMISED = ("headline", "boilerplate", "substitute", "reorder", "footer")


def _read_seed(path: Path) -> Article:
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip())
    return Article(id=path.stem, title=lines[start].strip(), text="\n".join(lines[start + 1 :]).strip())


def _make_long() -> Article:
    sentences = [
        f"Officials said on day {i} that the talks between the two sides would continue despite growing "
        f"pressure from regional leaders and residents."
        for i in range(40)
    ]
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, 40, 4)]
    return Article(
        id="long",
        title="Talks continue despite growing pressure",
        text="\n\n".join(paragraphs),
        date=datetime(2021, 5, 14),
        source="Wire",
        url="https://example.com/a",
        location="long.txt",
        metadata={"label": "x"},
    )


LONG = _make_long()
SEED_ARTICLES = [_read_seed(p) for p in SEEDS]
ALL_ARTICLES = [LONG, *SEED_ARTICLES]
IDS = [a.id for a in ALL_ARTICLES]


def _apply(kind: str, article: Article, seed: int) -> Article:
    return VARIANTS[kind](article, random.Random(seed))


def test_seeds_present() -> None:
    assert len(SEEDS) == 5


def test_variant_names() -> None:
    assert set(VARIANTS) == {"headline", "boilerplate", "truncate", "substitute", "reorder", "footer"}


def test_word_lists_are_single_words() -> None:
    assert len(COMMON_WORDS) >= 300
    for word in COMMON_WORDS:
        assert word.isalpha() and word.isascii() and len(word) >= 3, word
    for key, values in SYNONYMS.items():
        assert key.isalpha() and key.islower()
        for value in values:
            assert value.isalpha() and value != key, (key, value)


@pytest.mark.parametrize("kind", sorted(VARIANTS))
@pytest.mark.parametrize("article", ALL_ARTICLES, ids=IDS)
def test_deterministic_and_not_mutating(kind: str, article: Article) -> None:
    before = copy.deepcopy(article)
    first = _apply(kind, article, 7)
    second = _apply(kind, article, 7)
    assert first == second
    assert article == before
    assert first is not article
    assert first.metadata == article.metadata and first.metadata is not article.metadata
    assert (first.id, first.date, first.source, first.url) == (article.id, article.date, article.source, article.url)


@pytest.mark.parametrize("kind", RANDOMISED)
def test_different_seeds_differ(kind: str) -> None:
    outputs = {(out.title, out.text) for out in (_apply(kind, LONG, seed) for seed in range(10))}
    assert len(outputs) > 1


@pytest.mark.parametrize("article", ALL_ARTICLES, ids=IDS)
def test_headline_differs(article: Article) -> None:
    for seed in range(30):
        out = new_headline(article, random.Random(seed))
        assert out.title.strip() and "\n" not in out.title
        assert " ".join(out.title.split()).casefold() != " ".join(article.title.split()).casefold()
        assert out.text == article.text


def test_headline_handles_prefixed_and_empty_titles() -> None:
    for title in ("UPDATE: Talks continue", "", "[ad_1]"):
        article = Article(id="x", title=title, text=LONG.text)
        for seed in range(20):
            assert new_headline(article, random.Random(seed)).title not in ("", title)


@pytest.mark.parametrize("article", ALL_ARTICLES, ids=IDS)
def test_boilerplate_added(article: Article) -> None:
    lines = set(HEAD_BOILERPLATE) | {line for line in TAIL_BOILERPLATE if "{" not in line}
    for seed in range(10):
        out = add_boilerplate(article, random.Random(seed))
        body = article.text.strip()
        assert body in out.text
        head, _, tail = out.text.partition(body)
        added = [line.strip() for line in (head + "\n" + tail).split("\n") if line.strip()]
        assert added
        for line in added:
            assert line in lines or line.startswith("Related: ")
        assert out.title == article.title


@pytest.mark.parametrize("keep", [0.3, 0.5, 0.6, 0.8])
@pytest.mark.parametrize("article", ALL_ARTICLES, ids=IDS)
def test_truncate_keeps_prefix(article: Article, keep: float) -> None:
    out = truncate(article, keep=keep)
    assert article.text.startswith(out.text)
    assert out.text == out.text.rstrip()
    fraction = len(out.text.split()) / len(article.text.split())
    assert keep <= fraction <= keep + 0.15, fraction


def test_truncate_cuts_at_sentence_boundary() -> None:
    out = truncate(LONG, keep=0.55)
    assert out.text.endswith("residents.")
    assert truncate(LONG, keep=1.0).text == LONG.text


def test_truncate_rejects_bad_keep() -> None:
    for keep in (0.0, -0.1, 1.5):
        with pytest.raises(ValueError):
            truncate(LONG, keep=keep)


def _changed_fraction(before: str, after: str) -> float:
    old, new = before.split(), after.split()
    assert len(old) == len(new)
    return sum(a != b for a, b in zip(old, new)) / len(old)


@pytest.mark.parametrize("article", ALL_ARTICLES, ids=IDS)
def test_substitute_rate(article: Article) -> None:
    for seed in range(5):
        out = substitute_words(article, random.Random(seed), rate=0.10)
        assert 0.05 <= _changed_fraction(article.text, out.text) <= 0.15
        # whitespace (and so paragraph breaks) untouched; first word kept
        assert re.findall(r"\s+", out.text) == re.findall(r"\s+", article.text)
        assert out.text.split()[0] == article.text.split()[0]
        assert out.title == article.title


def test_substitute_keeps_punctuation_and_case() -> None:
    out = substitute_words(LONG, random.Random(3), rate=0.3)
    for old, new in zip(LONG.text.split(), out.text.split()):
        assert re.sub(r"[A-Za-z]", "", old) == re.sub(r"[A-Za-z]", "", new)
        assert old[:1].isupper() == new[:1].isupper()
    assert 0.25 <= _changed_fraction(LONG.text, out.text) <= 0.35
    assert substitute_words(LONG, random.Random(3), rate=0.0).text == LONG.text
    with pytest.raises(ValueError):
        substitute_words(LONG, random.Random(3), rate=1.5)


@pytest.mark.parametrize("article", ALL_ARTICLES, ids=IDS)
def test_reorder_same_paragraphs_other_order(article: Article) -> None:
    original = split_paragraphs(article.text)
    assert len(original) >= 2
    for seed in range(10):
        out = reorder_paragraphs(article, random.Random(seed))
        shuffled = split_paragraphs(out.text)
        assert Counter(shuffled) == Counter(original)
        assert shuffled != original
        assert paragraph_separator(out.text) == paragraph_separator(article.text)


def test_reorder_splits_on_lines_without_blank_lines() -> None:
    article = Article(id="x", title="t", text="one\ntwo\nthree")
    assert split_paragraphs(article.text) == ["one", "two", "three"]
    out = reorder_paragraphs(article, random.Random(0))
    assert sorted(out.text.split("\n")) == ["one", "three", "two"]
    single = Article(id="y", title="t", text="only one paragraph")
    assert reorder_paragraphs(single, random.Random(0)).text == single.text


@pytest.mark.parametrize("article", ALL_ARTICLES, ids=IDS)
def test_footer_appended(article: Article) -> None:
    markers = ("Associated Press", "Reuters", "Editing by", "AFP", "Agence France-Presse")
    for seed in range(10):
        out = add_footer(article, random.Random(seed))
        assert out.text.startswith(article.text.rstrip())
        footer = out.text[len(article.text.rstrip()) :]
        assert footer.strip() and any(m in footer for m in markers)
    years = {add_footer(LONG, random.Random(s)).text for s in range(30)}
    assert any("Copyright 2021 " in text for text in years)


def test_rewrite() -> None:
    before = copy.deepcopy(LONG)
    seen: set[str] = set()
    for seed in range(60):
        made = rewrite(LONG, random.Random(seed), id=f"copy{seed}", source="Other")
        assert made == rewrite(LONG, random.Random(seed), id=f"copy{seed}", source="Other")
        out, ops = made.article, made.ops
        assert ops[0] == "headline" and set(ops) <= set(VARIANTS) and len(set(ops)) == len(ops)
        assert out.id == f"copy{seed}" and out.source == "Other" and out.url is None
        assert out.title != LONG.title
        seen.update(ops)
    assert seen == set(VARIANTS)
    assert LONG == before
    assert rewrite(LONG, random.Random(1), id="c").article.source == LONG.source


def test_rewrite_reports_the_parameters_it_drew() -> None:
    for seed in range(40):
        made = rewrite(LONG, random.Random(seed), id="c")
        assert ("truncate" in made.ops) == (made.truncate_keep is not None)
        assert ("substitute" in made.ops) == (made.substitute_rate is not None)
        if made.ops == ("headline", "truncate"):  # the copy is then exactly the drawn truncation
            assert made.article.text == truncate(LONG, keep=made.truncate_keep).text
        if made.truncate_keep is not None:
            assert 0.5 <= made.truncate_keep <= 0.9
        if made.substitute_rate is not None:
            assert 0.03 <= made.substitute_rate <= 0.15


def test_derive_copies_metadata_and_applies_changes() -> None:
    out = derive(LONG, id="other", title="T")
    assert (out.id, out.title, out.text) == ("other", "T", LONG.text)
    assert out.metadata == LONG.metadata and out.metadata is not LONG.metadata
    assert derive(LONG, metadata={"k": 1}).metadata == {"k": 1}


def test_make_fixtures_check() -> None:
    script = ROOT / "fixtures" / "make_fixtures.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    truth = json.loads((ROOT / "fixtures" / "wire_truth.json").read_text(encoding="utf-8"))
    assert list(truth) == sorted(truth)
    assert len(truth) == len(SEEDS) * len(VARIANTS)
    for variant_id, seed_id in truth.items():
        assert (ROOT / "fixtures" / "wire" / f"{variant_id}.txt").is_file()
        assert variant_id.startswith(seed_id + "__")
