"""Wire lineage on cases built to have known answers: origins, copy trees, edits, independent outlets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from storyclust.lineage import (
    date_order,
    diff_words,
    edits_of,
    group_lineage,
    independent_outlets,
    origin_of,
)

DAY1 = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
WORDS = [f"w{k}" for k in range(60)]
BASE = " ".join(WORDS[:40])


def day(n: int) -> datetime:
    return DAY1 + timedelta(days=n)


def test_origin_is_the_earliest_dated_then_the_canonical_then_the_longest():
    texts = ["a b c", "a b c d e", "a b", "a b c d e f g"]
    dates = [day(2), day(1), None, day(1)]
    assert origin_of([0, 1, 2, 3], canonical=1, dates=dates, texts=texts) == 1  # earliest, and canonical
    # the canonical is not among the earliest dated: the longest of those wins
    assert origin_of([0, 1, 2, 3], canonical=0, dates=dates, texts=texts) == 3
    # nothing dated: the canonical, whatever its length
    assert origin_of([0, 1, 2], canonical=2, dates=[None] * 3, texts=texts) == 2
    # a tie in date and length goes to the first read
    assert origin_of([2, 1], canonical=0, dates=[None, day(1), day(1)], texts=["x", "a b", "c d"]) == 1


def test_date_order_puts_undated_last_and_keeps_input_order_on_ties():
    dates = [None, day(3), day(1), None, day(1)]
    assert date_order(range(5), dates) == [2, 4, 1, 0, 3]


def test_copy_tree_follows_the_closest_earlier_article():
    # 0: origin (day 0, AP). 1: copies 0 on day 1 (X). 2: day 2, closest to 1 -> under 1.
    # 3: same day as 1 and closer to 1, but 1 is not earlier -> under the origin.
    # 4: undated -> under the origin. 5: day 3, equally close to 0 and 1; 1 shares its outlet -> under 1.
    # 6: day 3, no verified pair with anything -> under the origin.
    dates = [day(0), day(1), day(2), day(1), None, day(3), day(3)]
    sources = ["AP", "X", "Y", "Z", "W", "X", "V"]
    pairs = {(0, 1): 0.9, (0, 2): 0.5, (1, 2): 0.8, (0, 3): 0.6, (1, 3): 0.95, (1, 4): 0.99, (0, 4): 0.7,
             (0, 5): 0.7, (1, 5): 0.7}
    texts = [BASE] * 7
    lineage = group_lineage(
        list(range(7)), 0, dates=dates, sources=sources, texts=texts, titles=["t"] * 7, pair_jaccard=pairs
    )
    assert lineage.origin == 0
    assert lineage.order == [0, 1, 3, 2, 5, 6, 4]
    assert lineage.parent == {1: 0, 3: 0, 2: 1, 5: 1, 6: 0, 4: 0}
    assert lineage.children() == {0: [1, 3, 6, 4], 1: [2, 5], 3: [], 2: [], 5: [], 6: [], 4: []}


def _edits(copy: str, title: str = "t"):
    lineage = group_lineage(
        [0, 1], 0, dates=[day(0), day(1)], sources=["A", "B"], texts=[BASE, copy], titles=["t", title],
        pair_jaccard={(0, 1): 0.5},
    )
    return lineage.edits[1]


def test_edits_name_what_each_copy_changed():
    words = WORDS[:40]
    assert _edits(BASE).kinds == ("identical",)
    assert _edits(BASE, title="another headline").kinds == ("headline",)
    cut = _edits(" ".join(words[:30]))
    assert (cut.kinds, cut.cut, cut.added, cut.changed) == (("cut",), 10, 0, 0)
    added = _edits(BASE + " Sign up for our newsletter")
    assert (added.kinds, added.added, added.cut) == (("added",), 5, 0)
    rewritten = words.copy()
    for k in (5, 17, 30):
        rewritten[k] = f"new{k}"
    changed = _edits(" ".join(rewritten))
    assert (changed.kinds, changed.changed, changed.cut, changed.added) == (("rewritten",), 3, 0, 0)
    swapped = _edits(" ".join(words[20:] + words[:20]))  # two paragraphs in the other order
    assert (swapped.kinds, swapped.moved) == (("moved",), 20)
    repeated = _edits(BASE + " " + " ".join(words[:8]))  # a passage said twice: added, not moved
    assert (repeated.kinds, repeated.added) == (("added",), 8)
    both = _edits("Source link " + " ".join(words[:30]).replace("w3 ", "changed "))
    assert set(both.kinds) == {"cut", "added", "rewritten"}


def test_whitespace_alone_is_no_edit():
    assert _edits(BASE.replace(" ", "\n\n", 5)).kinds == ("identical",)


def test_independent_outlets_count_only_outlets_with_an_article_that_is_not_a_copy():
    sources = ["AP", "X", "X", "Y", "Z", None, "Z"]
    is_copy = [False, True, True, True, False, False, True]
    independent, every = independent_outlets(range(7), is_copy, sources)
    assert independent == ["AP", "Z"]
    assert every == ["AP", "X", "Y", "Z"]


words = st.lists(st.sampled_from(["a", "b", "c", "dd", "e", "f"]), max_size=40)


@given(words, words, st.sampled_from([" ", "\n", "  ", "\n\n"]))
def test_the_diff_rebuilds_both_texts_and_counts_every_changed_word(a_words, b_words, space):
    a, b = space.join(a_words), " ".join(b_words)
    diff = diff_words(a, b)
    rebuilt_a: list[str] = []
    rebuilt_b: list[str] = []
    for tag, i1, i2, j1, j2 in diff.ops:
        rebuilt_a += a_words[i1:i2]
        rebuilt_b += b_words[j1:j2]
        if tag == "equal":
            assert a_words[i1:i2] == b_words[j1:j2]
    assert (rebuilt_a, rebuilt_b) == (a_words, b_words)
    e = edits_of(diff)
    kept = sum(i2 - i1 for tag, i1, i2, _, _ in diff.ops if tag == "equal")
    # every word of a is kept, cut, changed or moved; every word of b is kept, added, changed or arrived
    assert e.cut + e.moved + kept <= len(a_words) <= e.cut + e.moved + kept + e.changed
    assert (e.kinds == ("identical",)) == (a_words == b_words)
