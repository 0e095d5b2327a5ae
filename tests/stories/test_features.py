"""Event identity features: the extractor on hand-made sentences; its fast path against the plain-Python rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from storyclust.stories.features import (
    _kernel_rows,
    identity_features,
    reference_features,
)

# A small corpus: "Smith", "Stockton" and "Maria Lopez" are written capitalised inside sentences; "police"
# and "shot" in lower case, so the sentence-start "Police" is no name.
TITLES = ["Man shot in Stockton", "Teen hurt near school"]
TEXTS = [
    "STOCKTON - Police said John Smith, 25, was shot on the 3400 block of Main Street. "
    "The police arrested a 15-year-old in Stockton. Smith was taken to hospital.",
    "A girl, Ana (9), was hurt. Police said four people were shot. The police thanked Maria Lopez and Smith.",
]


def test_the_extractor_finds_names_datelines_ages_and_counts() -> None:
    first, second = identity_features(TITLES, TEXTS)
    assert "d:stockton" in first
    assert "n:john_smith" in first and "n1:john" in first and "n1:smith" in first
    assert "a:25" in first and "a:15" in first
    assert "q:3400_block" in first
    assert "n:main_street" in first
    assert "n:stockton" in first
    assert not any(f.endswith(":police") for f in first + second)  # only ever capitalised at a sentence start
    assert "q:4_people" in second  # spelled-out numbers count
    assert "n:maria_lopez" in second and "n:smith" in second
    assert "a:9" in second


def test_truecasing_is_learnt_from_the_corpus() -> None:
    # "Storm" is a name only where the corpus never writes "storm" in lower case.
    named = identity_features(["x"], ["They met Storm today. Storm left."])[0]
    plain = identity_features(["x", "y"], ["They met Storm today.", "A storm came and a storm went."])[0]
    assert "n:storm" in named
    assert "n:storm" not in plain


def test_calendar_words_and_sentence_starts_are_no_names() -> None:
    features = identity_features(["x"], ["It rained on Monday in March. Yesterday it was dry."])[0]
    assert features == []


def test_the_lead_bounds_what_is_read() -> None:
    text = "It was calm. " * 10 + "They met John Smith there."
    assert "n:john_smith" in identity_features(["x"], [text])[0]
    assert identity_features(["x"], [text], lead=50)[0] == []


# The fast path (numba kernels over UTF-8 bytes, fallback for other articles) against the plain-Python rules.

# Pieces that make names, datelines, ages and counts, and the characters the kernels must get right: ASCII
# punctuation, the quotes they read, inert symbols (kernel path), letters, digits and spaces beyond ASCII
# (fallback path).
_KERNEL_PIECES = [
    "John", "Smith", "Smith's", "Smith\u2019s", "O'Brien", "de", "la", "De", "Van", "Maria", "Lopez", "police",
    "Police", "STOCKTON", "Little Rock", "Ark.", "(AP)", "-", "--", "\u2014", ":", "year", "years", "yr", "old",
    "Old", "15-year-old", "7 years old", "3-yr-old", "1234-year-old", "three", "Four", "TWENTY", "block", "people",
    "shot", "rounds", "the", "of", "percent", "3,400", "2.5", "1,2,3", ".5", "9.", "Ana (9)", "Ana(9)", "Bo, 25,",
    "Bo,\x1c25,", "Bo, 1234,", "(25)", ", 25,", "Monday", "March", "I'm", "Mr", "x_y", "_z", "\n", "\n\n", ".",
    "!", "?", ";", '"', "\u201cQuoted\u201d", "\u2018single\u2019", "|", "(", ")", "\u00a3200", "\u00a9",
    "\u2022", "\u2013", "\U0001f914", "\u0308", "\t", " ", "  ", "'", "\u2019", "\x0b", "\x7f",
]
_OTHER_PIECES = [
    "Bo,\xa025,", "\u00e9t\u00e9", "Jos\u00e9", "\u00c9mile", "stra\u00dfe", "\u0130stanbul", "\u0131",
    "\u212a", "\u017f", "\u0663", "\u00b2", "\u00b2nd", "\u2009", "\u3000", "\x85",
]
_JOINERS = st.sampled_from([" ", " ", " ", "", "\n", ", ", ". ", "-"])


def _texts(pieces: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(pieces, _JOINERS), max_size=40).map(lambda parts: "".join(p + j for p, j in parts))


# Most articles read by the kernels (ASCII, quotes, inert symbols), some by the fallback (other characters).
_TEXT = _texts(st.sampled_from(_KERNEL_PIECES)) | _texts(
    st.sampled_from(_KERNEL_PIECES + _OTHER_PIECES) | st.text(max_size=4))


@settings(max_examples=300)
@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=6), st.sampled_from([None, 5, 40]))
def test_the_fast_path_gives_the_reference_features(articles, lead) -> None:
    titles, texts = [t for t, _ in articles], [x for _, x in articles]
    assert identity_features(titles, texts, lead=lead) == reference_features(titles, texts, lead=lead)


@settings(max_examples=150)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5))
def test_the_fast_path_gives_the_reference_features_on_any_text(texts) -> None:
    titles = texts[::-1]
    assert identity_features(titles, texts) == reference_features(titles, texts)


def test_the_fast_path_on_hand_made_sentences() -> None:
    titles = TITLES + ["LITTLE ROCK man, 30, held", "Storm\u2019s end", "", "Two dead"]
    texts = TEXTS + [
        "LITTLE ROCK, Ark. (AP) - John Smith\u2019s son, 30, and Maria de la Cruz de were seen. Smith said "
        "twenty rounds were fired; 3,400.50 dollars. The 7-year-old, Ana (9), was \u201cfine\u201d. Cruz de "
        "la left.",
        "\u00a3200 paid \u2014 Storm said \u2022 Storm left \u00a9 2024. Three people were shot. Storm\u2019s Van "
        "de Berg, 41, spoke.",
        "",
        "Jos\u00e9 Garc\u00eda, 22, and Garc\u00eda (5) were hurt in \u0130stanbul. Garc\u00eda said two people "
        "died. A 10-YEAR-OLD was hurt.",
    ]
    fast = identity_features(titles, texts)
    assert fast == reference_features(titles, texts)
    assert {"n:john_smith", "n:maria_de_la_cruz", "q:20_rounds", "q:3400.50_dollars", "a:7", "a:9"} <= set(fast[2])
    assert {"n:storm_van_de_berg", "n1:berg", "a:41", "q:200_paid", "q:3_people"} <= set(fast[3])
    assert fast[4] == []
    assert {"a:10", "n:garc\u00eda", "q:2_people"} <= set(fast[5])  # the fallback path (non-ASCII letters)


def test_which_articles_the_kernels_read() -> None:
    both = ["plain ascii", "quotes \u2019 \u201c \u201d and \u00a3 \u2014 \u00a9", "caf\u00e9", "a\u00a0b", "x\u00b2",
            "lone \ud800 surrogate", "emoji \U0001f914"]
    assert _kernel_rows(both) == [0, 1, 6]
    # a lone surrogate cannot be encoded, so that article goes the exact way too
    assert identity_features(["t"], [both[5] + " John Smith met John Smith"]) == reference_features(
        ["t"], [both[5] + " John Smith met John Smith"])
