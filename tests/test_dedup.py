"""Tests for storyclust.dedup (the whole stage): fixture copies, an exact brute-force oracle, idempotence and edge
cases."""

from __future__ import annotations

import itertools
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import synth
from benchmarks.synth_words import COMMON_WORDS
from dedup_oracle import kgrams
from storyclust import pipeline
from storyclust.dedup import deduplicate
from storyclust.dedup.lsh import candidate_probability, expected_recall
from storyclust.ingest import read_articles
from storyclust.records import Article, DedupResult, ReadResult
from storyclust.settings import DedupConfig

UTC = timezone.utc
# The oracle tests check the exact-overlap machinery: the content rules (template, thin pages, names and numbers,
# headlines; tests/test_dedup_content.py) are off, so a pair is a copy by its exact shingle overlap alone.
CONFIG = DedupConfig(template_source_articles=0, template_articles=0, thin_shingles=0, token_agreement=0.0,
                     lead_names=0.0, headline_agreement=0.0, headline_support=0.0)


def check_result_invariants(result: DedupResult, n: int) -> None:
    """Structure every result must have, whatever the input."""
    assert result.group_of.shape == result.canonical_of.shape == (n,)
    assert result.similarity.shape == (n, 2)
    assert result.pairs.shape[1] == 2 and len(result.jaccard) == len(result.containment) == len(result.pairs)
    assert np.all(result.pairs[:, 0] < result.pairs[:, 1])
    assert [g.group_id for g in result.groups] == list(range(len(result.groups)))
    grouped = np.zeros(n, bool)
    for group in result.groups:
        members = np.array(group.members)
        assert len(members) >= 2 and group.members[0] == group.canonical
        assert np.all(result.group_of[members] == group.group_id)
        assert np.all(result.canonical_of[members] == group.canonical)
        grouped[members] = True
    assert np.all(result.group_of[~grouped] == -1)
    assert np.array_equal(result.canonical_of[~grouped], np.flatnonzero(~grouped))
    for i, j in result.pairs:  # a verified pair is always inside one group
        assert result.group_of[i] == result.group_of[j] >= 0
    assert np.all(result.similarity[result.canonical_mask] == 1.0)
    assert result.copies == sum(len(g.members) - 1 for g in result.groups)


# ------------------------------------------------------------------------------------------------ fixtures


def test_every_wire_copy_joins_its_seed_and_seeds_stay_apart(fixture_run, wire_truth: dict[str, str]) -> None:
    run, dedup = fixture_run, fixture_run.dedup
    index = {a.id: i for i, a in enumerate(run.articles)}
    assert len(run.articles) == 35 and len(wire_truth) == 30
    seeds = sorted(set(wire_truth.values()))
    seed_groups = [int(dedup.group_of[index[s]]) for s in seeds]
    assert -1 not in seed_groups and len(set(seed_groups)) == 5  # no two seeds share a group
    for variant, seed in wire_truth.items():
        assert dedup.group_of[index[variant]] == dedup.group_of[index[seed]], variant
    assert len(dedup.groups) == 5 and dedup.copies == 30
    check_result_invariants(dedup, len(run.articles))


def test_canonical_of_each_fixture_group_is_its_dated_seed(fixture_run, wire_truth: dict[str, str]) -> None:
    run, dedup = fixture_run, fixture_run.dedup
    for group in dedup.groups:
        canonical = run.articles[group.canonical]
        assert canonical.date is not None  # seeds are dated through metadata.jsonl ...
        assert all(run.articles[m].date is None for m in group.members[1:])  # ... their wire copies are not
        assert canonical.id in set(wire_truth.values())
        assert {wire_truth[run.articles[m].id] for m in group.members[1:]} == {canonical.id}


def test_fixture_similarities_are_exact_overlaps_with_the_canonical(fixture_run) -> None:
    run, dedup = fixture_run, fixture_run.dedup
    k = CONFIG.shingle_size
    for i in np.flatnonzero(~dedup.canonical_mask):
        a = kgrams(run.prepared.texts[dedup.canonical_of[i]], k)
        b = kgrams(run.prepared.texts[i], k)
        jac, con = dedup.similarity[i]
        assert jac == pytest.approx(len(a & b) / len(a | b))
        assert con == pytest.approx(len(a & b) / min(len(a), len(b)))


# ------------------------------------------------------------------------------------------------ oracle


def generated_corpus(seeds_dir: Path) -> list[Article]:
    """~300 documents: synth rewrites of the seeds, random-word documents and their edited copies
    (word substitutions at 5-35%, truncations keeping 15-90%, paragraph shuffles)."""
    rng = random.Random(12345)
    seeds = read_articles([seeds_dir]).articles
    docs: list[Article] = list(seeds)
    for seed in seeds:
        for j in range(15):
            docs.append(synth.rewrite(seed, rng, id=f"{seed.id}~r{j}").article)
    words = list(COMMON_WORDS)
    for i in range(110):
        tokens = [rng.choice(words) for _ in range(rng.randint(60, 300))]
        sentences = [" ".join(tokens[p : p + 12]).capitalize() + "." for p in range(0, len(tokens), 12)]
        text = "\n\n".join("\n".join(sentences[p : p + 3]) for p in range(0, len(sentences), 3))
        original = Article(id=f"rand{i}", title=f"Random document {i}", text=text)
        if i % 3 == 0:
            copy = synth.substitute_words(original, rng, rate=rng.uniform(0.05, 0.35))
        elif i % 3 == 1:
            copy = synth.truncate(original, keep=rng.uniform(0.15, 0.9))
        else:
            copy = synth.substitute_words(synth.reorder_paragraphs(original, rng), rng, rate=rng.uniform(0, 0.2))
        docs += [original, Article(id=f"rand{i}~copy", title=original.title, text=copy.text)]
    return docs


@pytest.fixture(scope="module")
def oracle_case(seeds_dir: Path):
    prepared = pipeline.prepare(generated_corpus(seeds_dir))
    sets = [kgrams(t, CONFIG.shingle_size) for t in prepared.texts]
    # Identical shingle sets take the exact-copy path (tested below); the oracle compares distinct sets.
    first: dict[frozenset, int] = {}
    keep = [first.setdefault(s, i) for i, s in enumerate(sets) if s not in first]
    articles = [prepared.articles[i] for i in keep]
    texts = [prepared.texts[i] for i in keep]
    sets = [sets[i] for i in keep]
    truth = {}  # brute force over all pairs: (i, j) -> (jaccard, containment, smaller size)
    for i, j in itertools.combinations(range(len(sets)), 2):
        inter = len(sets[i] & sets[j])
        if inter:
            smaller = min(len(sets[i]), len(sets[j]))
            truth[(i, j)] = (inter / len(sets[i] | sets[j]), inter / smaller, smaller)
    return articles, texts, truth, deduplicate(articles, texts, CONFIG)


def test_oracle_corpus_is_large_and_spread_around_the_threshold(oracle_case) -> None:
    articles, _, truth, _ = oracle_case
    jaccards = np.array([v[0] for v in truth.values()])
    assert len(articles) >= 250
    assert ((jaccards >= 0.25) & (jaccards < 0.35)).sum() >= 20  # hard pairs near the threshold
    assert (jaccards >= 0.5).sum() >= 100
    assert ((jaccards > 0.05) & (jaccards < 0.25)).sum() >= 10  # near misses


def test_recall_of_pairs_above_the_jaccard_threshold(oracle_case) -> None:
    articles, _, truth, result = oracle_case
    found = {(int(i), int(j)) for i, j in result.pairs}
    wanted = [p for p, v in truth.items() if v[0] >= CONFIG.jaccard_threshold]
    hits = np.array([p in found for p in wanted])
    recall = hits.mean()
    assert recall >= 0.95
    # And it is what the banding promises: within 4 standard deviations of the expected recall.
    bands, rows = CONFIG.bands_rows
    probabilities = candidate_probability(np.array([truth[p][0] for p in wanted]), bands, rows)
    sd = math.sqrt(float((probabilities * (1 - probabilities)).sum())) / len(wanted)
    assert recall >= expected_recall(np.array([truth[p][0] for p in wanted]), bands, rows) - 4 * sd
    # Missed pairs are near the threshold, never clear copies.
    assert all(truth[p][0] < 0.5 for p, hit in zip(wanted, hits) if not hit)
    # Transitivity recovers some missed pairs: at least as many oracle pairs end up in one group.
    grouped = np.mean([result.group_of[i] == result.group_of[j] >= 0 for i, j in wanted])
    assert grouped >= recall


def test_every_reported_pair_satisfies_the_verification_rule(oracle_case) -> None:
    _, _, truth, result = oracle_case
    assert len(result.pairs) > 200
    for (i, j), jac, con in zip(result.pairs, result.jaccard, result.containment):
        exact_j, exact_c, smaller = truth[(int(i), int(j))]
        assert jac == pytest.approx(exact_j) and con == pytest.approx(exact_c)
        assert exact_j >= CONFIG.jaccard_threshold or (
            exact_c >= CONFIG.containment_threshold and smaller >= CONFIG.min_containment_shingles
        )


def test_abridged_copies_are_found_by_containment(oracle_case) -> None:
    _, _, truth, result = oracle_case
    found = {(int(i), int(j)) for i, j in result.pairs}
    abridged = [
        p
        for p, (jac, con, smaller) in truth.items()
        if jac < CONFIG.jaccard_threshold and con >= CONFIG.containment_threshold
        and smaller >= CONFIG.min_containment_shingles
    ]
    assert abridged  # truncations keeping < 25% of the words
    # LSH proposes them by their (low) Jaccard; verification then accepts them by containment.
    assert any(p in found for p in abridged)
    assert any(jac < CONFIG.jaccard_threshold for jac in result.jaccard)


def test_oracle_result_structure(oracle_case) -> None:
    articles, _, _, result = oracle_case
    check_result_invariants(result, len(articles))


# ------------------------------------------------------------------------------------------------ properties

VOCAB = "gaza talks truce aid hostages cairo said".split()


@st.composite
def corpora(draw):
    """Short documents from a tiny vocabulary, plus edited and exact copies of some of them."""
    words = st.lists(st.sampled_from(VOCAB), min_size=0, max_size=45)
    texts = [" ".join(w) for w in draw(st.lists(words, min_size=0, max_size=10))]
    for _ in range(draw(st.integers(0, 6))):
        if not texts:
            break
        source = draw(st.sampled_from(texts)).split()
        if source and draw(st.booleans()):
            a = draw(st.integers(0, len(source) - 1))
            source = source[:a] + [draw(st.sampled_from(VOCAB))] + source[a + 1 :]
        texts.append(" ".join(source))
    dates = draw(
        st.lists(
            st.none() | st.integers(0, 5).map(lambda d: datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=d)),
            min_size=len(texts),
            max_size=len(texts),
        )
    )
    return texts, dates


@settings(max_examples=60)
@given(corpus=corpora())
def test_deduplicating_the_canonical_articles_finds_nothing_more(make_articles, corpus) -> None:
    texts, dates = corpus
    articles = make_articles(texts, dates=dates)
    first = deduplicate(articles, texts)
    check_result_invariants(first, len(texts))
    keep = np.flatnonzero(first.canonical_mask)
    second = deduplicate([articles[i] for i in keep], [texts[i] for i in keep])
    assert second.groups == [] and len(second.pairs) == 0
    assert np.all(second.canonical_mask)
    # The canonical article of every group: earliest dated, then longest cleaned text, then first read.
    far = datetime.max.replace(tzinfo=UTC)
    for group in first.groups:
        best = min(group.members, key=lambda i: (dates[i] or far, -len(texts[i]), i))
        assert group.canonical == best


# ------------------------------------------------------------------------------------------------ edge cases

TEXT = "President Joe Biden said on Thursday he is pressing for a halt to violence between Israelis and Palestinians."


def test_empty_input() -> None:
    result = deduplicate([], [])
    assert result.groups == [] and result.pairs.shape == (0, 2)
    assert result.group_of.shape == (0,) and result.canonical_of.shape == (0,)
    assert result.candidates == 0 and result.empty == 0 and result.copies == 0


def test_one_article(make_articles) -> None:
    result = deduplicate(make_articles([TEXT]), [TEXT])
    assert result.groups == [] and result.group_of.tolist() == [-1] and result.canonical_of.tolist() == [0]
    assert result.similarity.tolist() == [[1.0, 1.0]]


def test_all_identical_articles_form_one_group_with_the_first_as_canonical(make_articles) -> None:
    texts = [TEXT] * 6
    result = deduplicate(make_articles(texts), texts)
    assert len(result.groups) == 1
    group = result.groups[0]
    assert group.canonical == 0 and group.members == (0, 1, 2, 3, 4, 5)
    assert result.group_of.tolist() == [0] * 6 and result.canonical_of.tolist() == [0] * 6
    assert result.copies == 5 and result.similarity.tolist() == [[1.0, 1.0]] * 6
    check_result_invariants(result, 6)


def test_identical_copies_of_a_near_duplicate_join_the_same_group(make_articles) -> None:
    edited = TEXT.replace("Thursday", "Friday")
    texts = [TEXT, TEXT, edited, TEXT]
    result = deduplicate(make_articles(texts), texts)
    assert len(result.groups) == 1 and result.group_of.tolist() == [0, 0, 0, 0]


def test_articles_whose_cleaned_text_is_empty_are_compared_on_their_headlines(make_articles) -> None:
    scraped = "[ad_1]\n\nSource link\n\nLeave a Reply"
    articles = make_articles([scraped, scraped, scraped, TEXT, TEXT],
                             titles=["A headline", "A headline", "Another headline", "T", "T"])
    run = pipeline.run(ReadResult(articles))
    assert run.prepared.texts[:3] == ["", "", ""]
    assert run.dedup.group_of.tolist() == [0, 0, -1, 1, 1]  # thin pages: copies only with the same headline
    assert run.dedup.empty == 3 and run.dedup.thin.tolist() == [True, True, True, False, False]
    assert run.dedup.canonical_of.tolist() == [0, 0, 2, 3, 3]


def test_token_less_texts_are_never_grouped(make_articles) -> None:
    texts = ["", "--- !!!", "", "?"]
    result = deduplicate(make_articles(texts), texts)
    assert result.groups == [] and result.empty == 4 and result.candidates == 0


def test_same_input_twice_gives_identical_results(oracle_case) -> None:
    articles, texts, _, first = oracle_case
    second = deduplicate(articles, texts, CONFIG)
    for name in ("pairs", "jaccard", "containment", "group_of", "canonical_of", "similarity"):
        assert np.array_equal(getattr(first, name), getattr(second, name)), name
    assert first.groups == second.groups and first.candidates == second.candidates


def test_texts_must_align_with_articles(make_articles) -> None:
    with pytest.raises(ValueError, match=r"^got 2 articles but 1 texts$"):
        deduplicate(make_articles([TEXT, TEXT]), [TEXT])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shingle_size": 0}, r"^shingle_size must be >= 1, got 0; "),
        ({"num_perm": 1}, r"^num_perm must be >= 2, got 1; "),
        ({"jaccard_threshold": 0.0}, r"^jaccard_threshold must be in \(0, 1\], got 0.0; "),
        ({"lsh_threshold": 1.5}, r"^lsh_threshold must be in \(0, 1\], got 1.5; "),
        ({"containment_threshold": -1}, r"^containment_threshold must be in \(0, 1\], got -1; "),
    ],
)
def test_config_validation(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DedupConfig(**kwargs)


def test_naive_dates_next_to_missing_dates(make_articles) -> None:
    texts = [TEXT, TEXT]
    articles = make_articles(texts, dates=[None, datetime(2021, 5, 13)])
    result = deduplicate(articles, texts)
    assert result.groups[0].canonical == 1
