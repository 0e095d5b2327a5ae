"""Tests for template/chrome detection (storyclust.dedup.template), the content evidence
(storyclust.dedup.evidence) and the duplicate stage on content (storyclust.dedup.content), against exact
oracles on small inputs and on built cases with known answers."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyclust.dedup.content import deduplicate_content
from storyclust.dedup.evidence import (
    TitleWords,
    distinguishing_tokens,
    exact_key,
    headline_support,
    lead_names,
    token_agreement,
    weighted_overlaps,
)
from storyclust.dedup.shingles import shingle
from storyclust.dedup.template import content_sizes, learn_template, shingle_frequency
from storyclust.dedup.tokens import pair_checks, title_hashes, token_sets
from storyclust.records import Article
from storyclust.settings import DedupConfig

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma".split()


def _text(rng: random.Random, lines: int, pool: list[str]) -> str:
    return "\n".join(rng.choice(pool) for _ in range(lines))


# ------------------------------------------------------------------------------------------------ template lines


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), k_src=st.integers(0, 4), k_all=st.integers(0, 6))
def test_learn_template_matches_a_counting_oracle(seed: int, k_src: int, k_all: int) -> None:
    rng = random.Random(seed)
    pool = [" ".join(rng.sample(WORDS, 3)) for _ in range(8)]
    texts = [_text(rng, rng.randint(0, 5), pool) for _ in range(rng.randint(1, 12))]
    sources = [rng.choice(["a", "b", None]) for _ in texts]
    template = learn_template(texts, sources, min_source_articles=k_src, min_articles=k_all)
    expected = set()
    for line in {x for t in texts for x in t.split("\n") if x}:
        hosts = [s for t, s in zip(texts, sources) if line in t.split("\n")]
        if k_all and len(hosts) >= k_all:
            expected.add(line)
        by_source = Counter(s for s in hosts if s is not None)
        if k_src and any(c >= k_src for c in by_source.values()):
            expected.add(line)
    assert {line for line in pool if template.line_is_template(line)} == expected
    assert len(template) == len(expected)
    stripped = [template.strip(t) for t in texts]
    assert stripped == ["\n".join(x for x in t.split("\n") if x and x not in expected) for t in texts]
    assert template.strip_all(texts) == [s if expected & set(t.split("\n")) else t for s, t in zip(stripped, texts)]
    # shingling without the template lines is shingling the stripped texts
    direct, ref = template.shingle(texts, 2), shingle(stripped, 2)
    assert np.array_equal(direct.hashes, ref.hashes) and np.array_equal(direct.offsets, ref.offsets)


def test_strip_keeps_the_other_lines_in_order() -> None:
    texts = ["Log in\nA man was shot on Elm Street.\nSubscribe", "Log in\nA fire broke out.\nSubscribe",
             "Log in\nThe council met.\nSubscribe"]
    template = learn_template(texts, ["site"] * 3, min_source_articles=3, min_articles=0)
    assert len(template) == 2 and template.line_is_template("LOG IN") and not template.line_is_template("Log")
    assert [template.strip(t) for t in texts] == ["A man was shot on Elm Street.", "A fire broke out.",
                                                 "The council met."]


# ------------------------------------------------------------------------------------------------ shingle frequency


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_shingle_frequency_never_undercounts_and_is_exact_without_collisions(seed: int) -> None:
    rng = random.Random(seed)
    texts = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 30))) for _ in range(rng.randint(1, 20))]
    sh = shingle(texts, 2)
    freq = shingle_frequency(sh)
    exact = Counter(h for i in range(len(sh)) for h in sh.of(i).tolist())
    keys = np.array(sorted(exact), np.uint64)
    got = freq.of(keys)
    want = np.array([min(exact[k], 255) for k in keys.tolist()])
    assert np.all(got >= want)
    # two tables indexed by disjoint bits of a 64-bit hash: a miscount needs a collision in both
    low_slots = Counter((keys >> freq.shift).tolist())
    high_slots = Counter((keys & freq.mask).tolist())
    clean = np.array([low_slots[k >> int(freq.shift)] == 1 or high_slots[k & int(freq.mask)] == 1
                      for k in keys.tolist()], bool)
    assert np.array_equal(got[clean], want[clean])
    sizes = content_sizes(sh, freq, 3)
    for i in range(len(sh)):
        assert sizes[i] == int((freq.of(sh.of(i)) < 3).sum())


# ------------------------------------------------------------------------------------------------ weighted overlaps


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), limit=st.integers(0, 5))
def test_weighted_overlaps_match_a_set_oracle(seed: int, limit: int) -> None:
    rng = random.Random(seed)
    texts = [" ".join(rng.choice(WORDS[:8]) for _ in range(rng.randint(0, 25))) for _ in range(8)]
    sh = shingle(texts, 2)
    freq = shingle_frequency(sh)
    left = np.array([i for i in range(8) for j in range(8) if i < j])
    right = np.array([j for i in range(8) for j in range(8) if i < j])
    wj, wc, shared = weighted_overlaps(sh, left, right, freq, limit)
    n = len(texts)
    for q, (i, j) in enumerate(zip(left.tolist(), right.tolist())):
        def weight(hs):
            df = freq.of(np.array(sorted(hs), np.uint64)) if hs else np.zeros(0)
            keep = df < limit if limit else np.ones(len(df), bool)
            return float(np.log1p(n / df[keep]).sum()), int(keep.sum())
        a, b = set(sh.of(i).tolist()), set(sh.of(j).tolist())
        (wi, si), (wa, _), (wb, _) = weight(a & b), weight(a), weight(b)
        union = wa + wb - wi
        assert wj[q] == pytest.approx(wi / union if union > 0 else 0.0)
        assert wc[q] == pytest.approx(wi / min(wa, wb) if min(wa, wb) > 0 else 0.0)
        assert shared[q] == si


# ------------------------------------------------------------------------------------------------ names and numbers


def test_names_are_capitalised_words_neither_text_writes_in_lower_case() -> None:
    a = distinguishing_tokens("Police said Phillips Petroleum raised the prices by 50 cts to 19.00 dlrs. The police")
    b = distinguishing_tokens("Citgo Petroleum raised prices by 50 cts to 19.00 dlrs, police said.")
    agreement, only_a, only_b = token_agreement(a, b)
    assert only_a == ["phillips"] and only_b == ["citgo"]  # "Police" and "The" are not names
    assert agreement == pytest.approx(3 / 4)  # petroleum, 50, 19.00 of {citgo, petroleum, 50, 19.00}
    assert token_agreement(a, distinguishing_tokens("no names here"))[0] is None
    assert distinguishing_tokens("1,200 people").numbers == {"1200"}


def test_headline_support_weights_rare_headline_words() -> None:
    titles = ["Gary shootout leaves two dead", "Man shot in Gary", "Two dead in crash", "Weather today"]
    words = TitleWords(titles)
    body = frozenset("a shootout in gary left two men dead".split())
    full = headline_support(words, 0, body)
    assert full is not None and full == pytest.approx(1 - words.weight["leaves"] / sum(
        words.weight[w] for w in words.words[0]))
    assert headline_support(words, 3, body) == 0.0
    assert headline_support(TitleWords([""]), 0, body) is None
    assert words.similarity(0, 0) == 1.0 and words.similarity(0, 3) == 0.0


def test_exact_key_ignores_case_punctuation_and_spacing() -> None:
    assert exact_key("Mourinho seeks  killer instinct!", "") == exact_key("mourinho seeks killer instinct", "")
    assert exact_key("A", "b c") != exact_key("A", "b d")


_CAPS = "Gary Ocean View Phillips Citgo Smith The Police March".split()
_LOWER = "the police said shot man in at on march view of".split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_CAPS) if rng.random() < 0.3 else rng.choice(_LOWER) if rng.random() < 0.8
             else str(rng.choice([1, 2, 15, 1200, 3.5])) for _ in range(rng.randint(0, 14))]
    return " ".join(words).replace("1200", "1,200")


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_compiled_pair_checks_match_the_string_rules(seed: int) -> None:
    rng = random.Random(seed)
    texts = ["\n".join(_sentence(rng) for _ in range(rng.randint(0, 3))) for _ in range(6)]
    titles = [_sentence(rng) for _ in texts]
    pairs = np.array([(i, j) for i in range(6) for j in range(i + 1, 6)], np.int64)
    tok = token_sets(texts)
    agreement, only, conflict, title_sim, support = pair_checks(tok, np.arange(6), title_hashes(titles), pairs)
    words = TitleWords(titles)
    for q, (i, j) in enumerate(pairs.tolist()):
        a, b = distinguishing_tokens(texts[i]), distinguishing_tokens(texts[j])
        want, only_a, only_b = token_agreement(a, b)
        assert (agreement[q] < 0) == (want is None)
        if want is not None:
            assert agreement[q] == pytest.approx(want)
        assert list(only[q]) == [len(only_a), len(only_b)]
        la, lb = lead_names(a, b)
        assert conflict[q] == bool(la and lb and la != lb and la in only_a and lb in only_b)
        if words.words[i] and words.words[j]:
            assert title_sim[q] == pytest.approx(words.similarity(i, j))
            body = lambda t: t.lower | t.capitalised | t.numbers  # noqa: E731
            best = max(headline_support(words, i, body(b)) or 0.0, headline_support(words, j, body(a)) or 0.0)
            assert support[q] == pytest.approx(best)
        else:
            assert title_sim[q] == -1.0


# ------------------------------------------------------------------------------------------------ the stage

STORY = ("The city council of Riverton voted 7 to 2 on Tuesday to close the Maple Street bridge for repairs "
         "that engineers estimate will cost 4.5 million dollars. Mayor Linda Ortiz said the bridge, built in "
         "1962, carries 18,000 vehicles a day and that detours through Oak Avenue would add ten minutes to "
         "most commutes. Work begins on March 3 and should end before the winter.")
OTHER = ("Firefighters in Lakeside contained a warehouse fire on Friday after six hours, the fire chief Tom "
         "Becker said. Nobody was hurt. The warehouse on Dock Road stored paper and 300 tonnes of plastic; "
         "residents within 2 kilometres were told to keep their windows shut until the smoke cleared, and the "
         "cause is under investigation by the county.")
CHROME = ("You must enter the characters with black color that stand out from the other characters\n"
          "Message: A friend wanted you to see this item from our site\n"
          "Please confirm or modify the email address to which you will have subscription offers sent.")
CFG = DedupConfig()


def _articles(rows: list[tuple[str, str, str]]) -> list[Article]:
    return [Article(id=str(k), title=t, text=x, source=s) for k, (t, x, s) in enumerate(rows)]


def _pairs(result) -> set[tuple[int, int]]:
    return {tuple(p) for p in result.pairs.tolist()}


def test_chrome_pages_of_different_stories_are_not_copies_but_a_reprint_is() -> None:
    fillers = [" ".join(random.Random(k).choices(WORDS, k=60)) for k in range(12)]
    rows = [(f"Story {k}", f"{CHROME}\n{fillers[k]}", f"site{k % 3}") for k in range(12)]
    rows += [("Riverton closes Maple Street bridge", f"{CHROME}\n{STORY}", "a.com"),
             ("Maple Street bridge to close, council says", f"{STORY}\nShare this story", "b.com"),
             ("Lakeside warehouse fire contained", OTHER, "c.com")]
    arts = _articles(rows)
    result = deduplicate_content(arts, [x for _, x, _ in rows], CFG)
    assert _pairs(result) == {(12, 13)}
    assert not result.thin[12] and not result.thin[14]


def test_a_chrome_only_page_is_thin_and_only_an_exact_copy() -> None:
    rows = [(f"Shooting {k}", CHROME, f"site{k}") for k in range(CFG.template_articles)]
    rows.append(("Shooting 0", CHROME, "mirror"))  # the same page again: an exact copy
    arts = _articles(rows)
    result = deduplicate_content(arts, [x for _, x, _ in rows], CFG)
    assert result.thin.all()
    assert _pairs(result) == {(0, len(rows) - 1)}


def test_headline_only_records_are_compared_on_their_headlines() -> None:
    rows = [("Mourinho seeks killer instinct", "", None), ("mourinho seeks killer instinct!", "", None),
            ("Mourinho seeks a new striker", "", None)]
    result = deduplicate_content(_articles(rows), ["", "", ""], CFG)
    assert _pairs(result) == {(0, 1)}


def test_template_briefs_naming_different_companies_are_not_copies() -> None:
    brief = "Qtly div {a} cts vs {a} cts prior\nPay July 15\nRecord June 30\nReuter"
    rows = [(f"COMPANY {k} SETS QUARTERLY", brief.format(a=5 + (k % 4)), "wire") for k in range(12)]
    rows += [("PHILLIPS RAISES CRUDE PRICES", "Phillips Petroleum Corp said it raised the contract price it will "
              "pay for all grades of crude oil by 50 cts a barrel, effective Oct 16, bringing West Texas "
              "Intermediate to 19.00 dlrs. Phillips last changed its postings on Sept 9.", "wire"),
             ("CITGO RAISES CRUDE PRICES", "Citgo Petroleum Corp said it raised the contract price it will "
              "pay for all grades of crude oil by 75 cts a barrel, effective Oct 18, bringing West Texas "
              "Intermediate to 19.25 dlrs. Citgo last changed its postings on Sept 2.", "wire")]
    arts = _articles(rows)
    result = deduplicate_content(arts, [x for _, x, _ in rows], CFG)
    assert _pairs(result) == set()
    assert result.thin[:12].all()


def test_scores_and_evidence_align_with_pairs() -> None:
    rows = [("Riverton closes Maple Street bridge", STORY, "a"), ("Bridge closure in Riverton", STORY + " More.", "b"),
            ("Lakeside warehouse fire contained", OTHER, "c")]
    result = deduplicate_content(_articles(rows), [x for _, x, _ in rows], CFG)
    assert _pairs(result) == {(0, 1)}
    assert all(len(v) == len(result.pairs) == len(result.weighted) for v in result.evidence.values())
    e = {k: v[0] for k, v in result.evidence.items()}
    assert e["shared_content_shingles"] > 40 and list(e["only_names_numbers"]) == [0, 1]  # "More" is b's alone
    assert e["token_agreement"] == 1.0 and not e["thin_exact"]
    assert 0.9 < result.jaccard[0] <= 1.0 and 0.9 < result.weighted[0, 0] <= 1.0
