"""Tests for storyclust.clean: normalisation, boilerplate removal, title repeats and display titles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyclust.clean import Boilerplate, clean_body, display_title, load_boilerplate, normalize
from storyclust.ingest import read_articles
from benchmarks.synth_words import HEAD_BOILERPLATE, TAIL_BOILERPLATE

# Characters where normalisation is delicate: odd spaces and line breaks, zero-width and soft hyphen, combining
# marks that compose after a deletion, compatibility forms, curly punctuation, Hangul jamo.
TRICKY = list(
    " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u2028\u2029\u3000\u200b\u200d\u00ad\ufeff"
    "\u0301\u0308\u0345\u0338e=<aA\u00c5\u212b\u2126\ufb01\u2019\u201c\u201d\u2014\u2013\u2212\u2034\u00b4"
    "\u1100\u1161\u11a8\uac00\u0627\u0653"
)

# Every boilerplate line found in fixtures/seeds (as it appears there).
SEED_BOILERPLATE = [
    "[ad_1]",
    "[ad_2]",
    "Source link",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "Your email address will not be published, Required fields are marked with *.",
    "Please enter your comment!",
    "Please enter your name here",
    "No responses yet",
    "Latest Comments",
    "No comments to show.",
    "Shafaq Live",
    "Radio radio icon",
]

REAL_1 = "Secretary of State Antony Blinken spoke by phone with Palestinian President Mahmoud Abbas on Wednesday."
REAL_2 = "The U.S. strategy has been a basic one: get the violence to stop, and restore calm."


@pytest.fixture(scope="module")
def bp() -> Boilerplate:
    return load_boilerplate()


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path):
    return {a.id: a for a in read_articles([seeds_dir]).articles}


# ------------------------------------------------------------------------------------------------ normalize


@settings(max_examples=400)
@given(st.text() | st.text(alphabet=st.sampled_from(TRICKY)))
def test_normalize_is_idempotent(s: str) -> None:
    once = normalize(s)
    assert normalize(once) == once


@given(st.text())
def test_normalize_output_has_no_blank_lines_or_outer_space(s: str) -> None:
    out = normalize(s)
    assert out == out.strip()
    assert "\n\n" not in out
    assert "  " not in out
    if out:
        assert all(line.strip() for line in out.split("\n"))


def test_curly_quotes_dashes_and_invisible_characters_become_plain() -> None:
    text = "\u201cWork in progress,\u201d he said \u2014 it\u2019s \u2018day\u2019 3\u20134 \u2212 co\u00adop\u200beration \ufb01ne"
    assert normalize(text) == "\"Work in progress,\" he said - it's 'day' 3-4 - cooperation fine"


def test_whitespace_collapses_and_line_breaks_are_kept_once() -> None:
    text = "  First\u00a0 \t line  \r\n\r\n\n   second\u2003line \n\n\t\nthird  "
    assert normalize(text) == "First line\nsecond line\nthird"


def test_normalize_empty_and_blank() -> None:
    assert normalize("") == ""
    assert normalize(" \n\t\u00a0\u200b\n ") == ""


# ------------------------------------------------------------------------------------------------ boilerplate


@pytest.mark.parametrize("line", SEED_BOILERPLATE)
def test_seed_boilerplate_line_is_removed_and_sentences_stay(bp: Boilerplate, line: str) -> None:
    body = f"{REAL_1}\n\n    {line}  \n{REAL_2}\n{line}"
    assert clean_body("A headline about talks", body, bp) == f"{REAL_1}\n{REAL_2}"


@pytest.mark.parametrize(
    "sentence",
    [
        "Leave a reply to the ministry by Friday, the statement said.",
        "Source link between the two attacks was not established.",
        "Latest comments from the White House suggest a shift.",
        "Radio stations in Gaza went silent on Tuesday.",
    ],
)
def test_lines_are_removed_only_when_the_whole_line_is_boilerplate(bp: Boilerplate, sentence: str) -> None:
    assert clean_body("Headline", f"{REAL_1}\n{sentence}", bp) == f"{REAL_1}\n{sentence}"


def test_boilerplate_matches_case_insensitively_after_normalisation(bp: Boilerplate) -> None:
    assert bp.matches("SOURCE LINK")
    assert bp.matches(normalize("  Leave\u00a0a   Reply "))
    assert not bp.matches("Source link: Reuters reported the talks")


def test_seed_files_lose_boilerplate_and_keep_every_long_line(bp: Boilerplate, seeds) -> None:
    assert len(seeds) == 5
    for article in seeds.values():
        cleaned = clean_body(article.title, article.text, bp).split("\n")
        assert not any(bp.matches(line) for line in cleaned), article.id
        for known in SEED_BOILERPLATE:
            assert normalize(known) not in cleaned, (article.id, known)
        # Real paragraphs are long; every one of them (other than a repeat of the headline) survives cleaning
        # unchanged, after normalisation.
        title = normalize(article.title)
        long_lines = [
            normalize(line)
            for line in article.text.split("\n")
            if len(line.strip()) >= 120 and normalize(line) not in title
        ]
        assert long_lines, article.id
        for line in long_lines:
            assert line in cleaned, (article.id, line[:60])


def test_seed_000_boilerplate_tail_is_gone(bp: Boilerplate, seeds) -> None:
    cleaned = clean_body(seeds["000_e0606421c078fc18"].title, seeds["000_e0606421c078fc18"].text, bp)
    assert "Shafaq Live" not in cleaned and "Radio radio icon" not in cleaned
    assert cleaned.startswith("Shafaq News / President Joe Biden said on Thursday")


# ------------------------------------------------------------------------------------------------ title repeats


def test_title_repeated_as_first_body_lines_is_removed(bp: Boilerplate) -> None:
    title = "Biden Pushes for Peace Talks in Escalating Israel-Gaza Strife"
    body = f"{title}\n\n{title}\n\n{REAL_1}\n{REAL_2}"
    assert clean_body(title, body, bp) == f"{REAL_1}\n{REAL_2}"


def test_title_repeat_is_matched_after_normalisation(bp: Boilerplate) -> None:
    title = "Blinken: Ending war \u2018as quickly as possible\u2019 top priority"
    body = "Blinken: Ending war 'as quickly as possible' top priority\n" + REAL_1
    assert clean_body(title, body, bp) == REAL_1


def test_seed_001_prefixed_title_byline_and_repeat_are_removed(bp: Boilerplate, seeds) -> None:
    article = seeds["001_1a0f9e0c1cde66bd"]
    assert article.title.startswith("Home Posts Secretary Of State John Kerry")
    cleaned = clean_body(article.title, article.text, bp)
    assert cleaned.startswith("As fighting between Israel and Gaza's Hamas rulers entered its second week")
    assert "Joe Biden\n" not in cleaned
    assert "Secretary Of State John Kerry Indicates" not in cleaned


def test_home_posts_title_byline_pattern_by_hand(bp: Boilerplate) -> None:
    heading = "Kerry Says The United States Is Still Not Calling For A Cease-fire"
    body = f"{heading}\nJoe Biden\n\n{heading}\n\n{REAL_1}"
    assert clean_body(f"Home Posts {heading}", body, bp) == REAL_1


def test_title_text_later_in_the_body_is_kept(bp: Boilerplate) -> None:
    title = "Ceasefire talks resume"
    body = f"{REAL_1}\nCeasefire talks resume\n{REAL_2}"
    assert clean_body(title, body, bp) == body


def test_a_long_lead_sentence_that_contains_the_title_is_kept(bp: Boilerplate) -> None:
    title = "Ceasefire talks resume"
    lead = "Ceasefire talks resume in Cairo on Monday after a week in which more than 200 people were killed."
    assert clean_body(title, f"{lead}\n{REAL_1}", bp) == f"{lead}\n{REAL_1}"


def test_boilerplate_title_removes_no_body_line(bp: Boilerplate) -> None:
    body = "[ad_1]\nA senior American diplomat is headed to the Middle East.\n" + REAL_1
    assert clean_body("[ad_1]", body, bp) == "A senior American diplomat is headed to the Middle East.\n" + REAL_1


def test_body_of_only_boilerplate_and_title_cleans_to_empty(bp: Boilerplate) -> None:
    assert clean_body("Headline", "Headline\n[ad_1]\nSource link\nLeave a Reply", bp) == ""


# ------------------------------------------------------------------------------------------------ load_boilerplate


def test_load_boilerplate_extra_files_extend_the_bundled_patterns(tmp_path: Path) -> None:
    extra = tmp_path / "site.txt"
    extra.write_text("# site widgets\n\ntrending now\nwatch: .{0,40}\n", encoding="utf-8")
    default, extended = load_boilerplate(), load_boilerplate([extra])
    assert not default.matches("trending now")
    assert extended.matches("Trending Now")
    assert extended.matches("Watch: the minister's statement")
    assert extended.patterns[: len(default.patterns)] == default.patterns
    assert extended.patterns[len(default.patterns) :] == ("trending now", "watch: .{0,40}")
    assert extended.matches("[ad_1]")  # bundled ones still apply


def test_load_boilerplate_invalid_regex_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("# comment\nfine line\n[unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{re.escape(str(bad))}:3: invalid regular expression '\[unclosed' \("):
        load_boilerplate([bad])


def test_load_boilerplate_missing_file_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(ValueError, match=rf"^{re.escape(str(missing))}: cannot read boilerplate patterns"):
        load_boilerplate([missing])


def test_empty_boilerplate_matches_nothing() -> None:
    empty = Boilerplate(())
    assert not empty.matches("")
    assert not empty.matches("[ad_1]")
    assert clean_body("", "[ad_1]\nText", empty) == "[ad_1]\nText"


# ------------------------------------------------------------------------------------------------ display_title


def test_display_title_falls_back_to_first_real_line_when_title_is_boilerplate(bp: Boilerplate) -> None:
    body = "[ad_2]\n\nSource link\nA senior American diplomat is headed to the Middle East.\n" + REAL_1
    assert display_title("[ad_1]", body, bp) == "A senior American diplomat is headed to the Middle East."


def test_display_title_of_seed_003(bp: Boilerplate, seeds) -> None:
    article = seeds["003_cd5b6eb30dfdc74c"]
    assert article.title == "[ad_1]"
    assert display_title(article.title, article.text, bp).startswith(
        "A senior American diplomat is headed to the Middle East"
    )


def test_display_title_keeps_a_real_title_as_written(bp: Boilerplate) -> None:
    title = "  Blinken: Ending war \u2018as quickly as possible\u2019  "
    assert display_title(title, REAL_1, bp) == title.strip()


def test_display_title_empty_title_uses_body_and_truncates_long_lines(bp: Boilerplate) -> None:
    long_line = "word " * 60
    shown = display_title("", long_line, bp)
    assert len(shown) <= 120 and shown.endswith("...")
    assert normalize(long_line).startswith(shown[:-3])  # cut at a word boundary
    assert not shown[:-3].endswith(" ")
    assert display_title("", f"\n\n{REAL_1}", bp) == REAL_1


def test_display_title_all_boilerplate_returns_title(bp: Boilerplate) -> None:
    assert display_title(" [ad_1] ", "Source link\n[ad_2]", bp) == "[ad_1]"


def test_every_synth_boilerplate_line_is_recognised(bp: Boilerplate) -> None:
    lines = [line.format(related="Photos of the week") for line in HEAD_BOILERPLATE + TAIL_BOILERPLATE]
    missed = [line for line in lines if not bp.matches(normalize(line))]
    assert missed == []


def test_display_title_of_wire_boilerplate_copy_of_seed_003(bp: Boilerplate, wire_dir: Path) -> None:
    article = read_articles([wire_dir / "003_cd5b6eb30dfdc74c__boilerplate.txt"]).articles[0]
    assert display_title(article.title, article.text, bp).startswith("A senior American diplomat")


def test_a_missing_title_shows_the_first_body_line_as_written() -> None:
    """Issue 14: without a title the headline shown is the text's first line as the source wrote it (curly quotes
    and dashes kept), not its normalised matching form."""
    boilerplate = load_boilerplate()
    text = "[ad_1]\nMayor \u201cwon\u2019t\u201d resign \u2014 for now\nThe mayor said on Monday she would stay."
    assert display_title("", text, boilerplate) == "Mayor \u201cwon\u2019t\u201d resign \u2014 for now"
    assert clean_body("", text, boilerplate).startswith('Mayor "won\'t" resign - for now')
