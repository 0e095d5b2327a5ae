"""Event identity features: the names, places, datelines, ages and counts that tell one incident from a
look-alike one.

:func:`identity_features` gives each article a list of features, each prefixed by its kind::

    n:<name>      a capitalised name sequence (lower-cased words joined with ``_``); its words also as n1:<word>
    d:<place>     the dateline ("LITTLE ROCK, Ark. (AP) -", "STOCKTON -")
    a:<age>       "15-year-old", "Name, 25,", "Name (25)"
    q:<n>_<unit>  a number and the word after it ("3400 block", "20 rounds", "4 shot"; spelled-out numbers up
                  to twenty count as numbers)

Which capitalised words are names is learnt from the corpus itself (truecasing): a word is a name word when
the corpus writes it capitalised inside sentences at least as often as in lower case, so sentence starts and
Title Case headlines say nothing by themselves. No model and no gazetteer: it works on news it has never seen.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = ["identity_features", "NAME_KINDS"]

_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_CALENDAR = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec am pm a.m
p.m est edt cst cdt mst mdt pst pdt gmt utc posted updated i i'm i'll i've i'd mr mrs ms dr jr sr""".split())
_CONNECT = frozenset({"de", "la", "del", "van", "von", "da", "di", "du"})
_SKIP_UNIT = frozenset({"a", "an", "the", "and", "or", "of", "in", "at", "on", "to", "p", "m", "pm", "am", "s", "th",
                        "st", "nd", "rd", "percent", "com"}) | ENGLISH_STOP_WORDS
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[^\W\d_][\w'\u2019\-]*|[.!?;:\"\u201c\u201d()|]|\n")
_DATELINE = re.compile(
    r"^\s*([A-Z][A-Za-z.'\u2019 ]{1,40}?)(?:,\s*[A-Z][A-Za-z.]{1,15}\.?(?:\s[A-Z][a-z.]+)?)?\s*"
    r"(?:\([^)]{1,30}\))?\s*(?:--|[-\u2013\u2014:])"
)
_AGE = re.compile(r"\b(\d{1,3})[- ](?:year|yr)s?[- ]old\b", re.I)
_AGE_APPOSITIVE = re.compile(r"\b[A-Z][a-z]+,\s(\d{1,3}),")
_AGE_PAREN = re.compile(r"\b[A-Z][a-z]+\s\((\d{1,3})\)")
_BREAK = frozenset(".!?;:\"\u201c\u201d()|\n")
#: the kinds a label's names are taken from: name sequences and datelines
NAME_KINDS = ("n", "d")


def _key(token: str) -> str:
    low = token.lower()
    if low.endswith("'s") or low.endswith("\u2019s"):
        return low[:-2]
    return low


def _case_counts(tokenized: list[list[str]]) -> tuple[Counter, Counter]:
    """Per word: times written capitalised inside a sentence, and times written in lower case."""
    capitalised: list[str] = []
    lower: list[str] = []
    for tokens in tokenized:
        start = True
        for token in tokens:
            if token in _BREAK:
                start = True
                continue
            c = token[0]
            if c.isupper():
                if not start:
                    capitalised.append(token)
            elif c.isalpha():
                lower.append(token)
            start = False
    cap: Counter = Counter()
    for token, count in Counter(capitalised).items():
        cap[_key(token)] += count
    low: Counter = Counter()
    for token, count in Counter(lower).items():
        low[_key(token)] += count
    return cap, low


def _flush(run: list[str], out: list[str]) -> None:
    while run and run[-1] in _CONNECT:
        run.pop()
    if run:
        out.append("n:" + "_".join(run))
        if len(run) > 1:
            out.extend("n1:" + w for w in run if w not in _CONNECT)
    run.clear()


def _token_features(tokens: list[str], names: set[str], out: list[str], keys: dict[str, str]) -> None:
    run: list[str] = []
    for i, token in enumerate(tokens):
        if token in _BREAK:
            if run:
                _flush(run, out)
            continue
        c = token[0]
        if c.isupper():
            key = keys.get(token)
            if key is None:
                key = keys[token] = _key(token)
            if key in names:
                run.append(key)
                continue
        elif run and token in _CONNECT:
            run.append(token)
            continue
        if run:
            _flush(run, out)
        if c.isdigit():
            value = token.replace(",", "")
        elif token in _NUMBER_WORDS:
            value = _NUMBER_WORDS[token]
        elif c.isupper() or not token.islower():
            value = _NUMBER_WORDS.get(token.lower())
        else:
            continue
        if value is not None and i + 1 < len(tokens):
            unit = tokens[i + 1]
            if unit in _BREAK or unit[0].isdigit():
                continue
            unit = unit.lower()
            if unit.startswith("year") or unit in _SKIP_UNIT:
                continue
            out.append(f"q:{value}_{unit.split('-')[0]}")
    if run:
        _flush(run, out)


def identity_features(titles: Sequence[str], texts: Sequence[str], *, lead: int | None = None) -> list[list[str]]:
    """Each article's identity features (see the module docstring), from its title and the first ``lead``
    characters of its text (all of it when ``None``). Which words are names is learnt from these articles."""
    if len(titles) != len(texts):
        raise ValueError(f"{len(titles)} titles for {len(texts)} texts")
    bodies = [t if lead is None else t[:lead] for t in texts]
    tokenized = [_TOKEN.findall(title) + ["\n"] + _TOKEN.findall(body) for title, body in zip(titles, bodies)]
    cap, low = _case_counts(tokenized)
    names = {w for w, c in cap.items() if c >= low.get(w, 0) and len(w) > 1 and w not in _CALENDAR}
    result = []
    keys: dict[str, str] = {}
    for title, body, tokens in zip(titles, bodies, tokenized):
        out: list[str] = []
        for line in body[:300].split("\n")[:3]:
            m = _DATELINE.match(line)
            if m:
                place = m.group(1).strip(" .").lower()
                words = place.split()
                if 2 <= len(place) <= 30 and len(words) <= 4 and words[0] in names:
                    out.append("d:" + place)
                    break
        both = title + "\n" + body
        out.extend("a:" + m for m in _AGE.findall(both))
        out.extend("a:" + m for m in _AGE_APPOSITIVE.findall(both))
        out.extend("a:" + m for m in _AGE_PAREN.findall(both))
        _token_features(tokens, names, out, keys)
        result.append(out)
    return result
