"""Tests for benchmarks.copy_quality's measuring sticks on small built inputs."""

from __future__ import annotations

from benchmarks.copy_quality import TICKER, reprint_pairs
from storyclust.records import Article

BASE = "one two three four five six seven eight nine ten eleven twelve"


def _article(i: int, text: str, incidents: list[str], boiler: bool = False) -> Article:
    return Article(id=str(i), title="", text=text,
                   metadata={"incident_ids": incidents, "text_is_boilerplate": boiler})


def test_reprint_pairs_are_same_incident_non_boilerplate_pairs_over_half_jaccard() -> None:
    articles = [
        _article(0, BASE, ["a"]),
        _article(1, BASE + " thirteen", ["a", "b"]),  # 8 of 9 five-grams shared: J = 8/9
        _article(2, BASE, ["b"], boiler=True),  # boilerplate: never a reprint
        _article(3, BASE, ["c"]),  # another incident
        _article(4, "one two three four five six x y z w v u", ["a"]),  # 2 of 14 five-grams shared with 0: J = 1/7
    ]
    pairs = reprint_pairs(articles)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert abs(pairs[0][2] - 8 / 9) < 1e-12


def test_ticker_pattern_reads_reuters_symbols() -> None:
    assert TICKER.findall("HOSPITAL CORP <HCA> GETS FUNDS; <BGAS.O> AND <LADF.O>") == ["HCA", "BGAS.O", "LADF.O"]
    assert TICKER.findall("NO < TICKER > HERE") == []
