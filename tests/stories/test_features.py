"""Event identity features: the extractor on hand-made sentences."""

from __future__ import annotations

from storyclust.stories.features import identity_features

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
