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

:func:`reference_features` states the rules in plain Python (regular expressions over each article, then two
passes over its tokens). :func:`identity_features` gives exactly the same lists: numba kernels
(:mod:`.features_kernels`) tokenise the ASCII articles' bytes and find their ages, articles with other
characters are tokenised by the same regular expressions, and every distinct token is classified once, in
Python, by the same string tests; a kernel then runs the token pass over token ids.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from . import features_kernels as _k
from .features_numbering import _number

__all__ = ["identity_features", "reference_features", "NAME_KINDS"]

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


def _dateline(body: str, names: set[str], out: list[str]) -> None:
    for line in body[:300].split("\n")[:3]:
        m = _DATELINE.match(line)
        if m:
            place = m.group(1).strip(" .").lower()
            words = place.split()
            if 2 <= len(place) <= 30 and len(words) <= 4 and words[0] in names:
                out.append("d:" + place)
                break


def reference_features(titles: Sequence[str], texts: Sequence[str], *, lead: int | None = None) -> list[list[str]]:
    """:func:`identity_features` in plain Python, one article and one token at a time (the rules as written;
    the exact oracle of the fast path in the tests)."""
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
        _dateline(body, names, out)
        both = title + "\n" + body
        out.extend("a:" + m for m in _AGE.findall(both))
        out.extend("a:" + m for m in _AGE_APPOSITIVE.findall(both))
        out.extend("a:" + m for m in _AGE_PAREN.findall(both))
        _token_features(tokens, names, out, keys)
        result.append(out)
    return result


def _value(token: str) -> str | None:
    """The number ``token`` stands for in ``_token_features`` (``None``: none)."""
    c = token[0]
    if c.isdigit():
        return token.replace(",", "")
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    if c.isupper() or not token.islower():
        return _NUMBER_WORDS.get(token.lower())
    return None


def _unit(token: str, low: str) -> str | None:
    """The unit ``token`` makes after a number in ``_token_features`` (``None``: none)."""
    if token in _BREAK or token[0].isdigit() or low.startswith("year") or low in _SKIP_UNIT:
        return None
    return low.split("-")[0]


_QUOTES = frozenset("\u2019\u201c\u201d")


def _inert(ch: str) -> bool:
    """Whether the kernels read non-ASCII character ``ch`` (see :mod:`.features_kernels`): a quote they know,
    or a character no expression here matches and that ends words (no word character, white space or
    surrogate)."""
    return ch in _QUOTES or not (ch.isalnum() or ch.isspace() or "\ud800" <= ch <= "\udfff")


def _kernel_rows(both: list[str]) -> list[int]:
    """The articles the kernels read: ASCII, or with inert non-ASCII characters only."""
    verdict: dict[str, bool] = {}
    rows = []
    for i, text in enumerate(both):
        if not text.isascii():
            for ch in set(text):
                if ch > "\x7f":
                    ok = verdict.get(ch)
                    if ok is None:
                        ok = verdict[ch] = _inert(ch)
                    if not ok:
                        break
            else:
                rows.append(i)
            continue
        rows.append(i)
    return rows


class _Tokens:
    """Every article's token ids (``ids``, article ``i``'s at ``offsets[i]:offsets[i + 1]``) and the text of
    each id (``strings``): the kernels' articles (``rows``, encoded in ``buf`` from ``starts``) tokenised by
    the kernels, the others by ``_TOKEN``."""

    def __init__(self, both: list[str], rows: list[int], buf: np.ndarray, starts: np.ndarray) -> None:
        counts = _k._count_tokens(buf, starts)
        fast_offsets = np.zeros(len(rows) + 1, np.int64)
        np.cumsum(counts, out=fast_offsets[1:])
        hashes, first, last = _k._tokens(buf, starts, fast_offsets)
        fast_ids, origin = _number(buf, hashes, first, last)
        del hashes
        raw = buf.tobytes()
        self.strings = [raw[a:b].decode("utf-8") for a, b in zip(first[origin].tolist(), last[origin].tolist())]
        sizes = np.zeros(len(both), np.int64)
        sizes[rows] = counts
        slow: dict[int, list[int]] = {}
        if len(rows) < len(both):
            index = dict(zip(self.strings, range(len(self.strings))))
            fast = set(rows)
            for i, text in enumerate(both):
                if i not in fast:
                    slow[i] = [self._id(index, token) for token in _TOKEN.findall(text)]
                    sizes[i] = len(slow[i])
        self.offsets = np.zeros(len(both) + 1, np.int64)
        np.cumsum(sizes, out=self.offsets[1:])
        if not slow:
            self.ids = fast_ids
            return
        self.ids = np.empty(self.offsets[-1], np.int32)
        place = np.repeat(self.offsets[np.asarray(rows, np.int64)] - fast_offsets[:-1], counts)
        self.ids[place + np.arange(fast_offsets[-1])] = fast_ids
        for i, ids in slow.items():
            self.ids[self.offsets[i]:self.offsets[i + 1]] = ids

    def _id(self, index: dict[str, int], token: str) -> int:
        i = index.get(token)
        if i is None:
            i = index[token] = len(self.strings)
            self.strings.append(token)
        return i


def _names(tokens: _Tokens, keys: list[str], brk: np.ndarray) -> tuple[np.ndarray, set[str], np.ndarray, list[str]]:
    """Which token ids are capitalised name words and the set of name keys (``_case_counts``' rule); each
    token id's key id, and the keys' text."""
    strings = tokens.strings
    upper = np.array([s[0].isupper() for s in strings], bool)
    alpha = np.array([s[0].isalpha() for s in strings], bool)
    cap, low = _k._case_counts(tokens.ids, tokens.offsets, brk, upper, alpha, len(strings))
    key_index: dict[str, int] = {}
    key_of = np.array([key_index.setdefault(k, len(key_index)) for k in keys], np.int64)
    cap_k = np.bincount(key_of, weights=cap, minlength=len(key_index))
    low_k = np.bincount(key_of, weights=low, minlength=len(key_index))
    key_text = list(key_index)
    names = {key_text[k] for k in np.flatnonzero((cap_k > 0) & (cap_k >= low_k)).tolist()
             if len(key_text[k]) > 1 and key_text[k] not in _CALENDAR}
    is_name = np.zeros(len(key_text), bool)
    is_name[[key_index[k] for k in names]] = True
    return upper & is_name[key_of], names, key_of, key_text


def _units(tokens: _Tokens, value_id: np.ndarray, lows: list[str]) -> list[str | None]:
    """The unit of each token id that follows a number somewhere (``None`` for the others)."""
    ids = tokens.ids
    follows = value_id[ids] >= 0
    if len(follows):
        follows[tokens.offsets[1:] - 1] = False  # an article's last token has no next one
    units: list[str | None] = [None] * len(tokens.strings)
    for t in np.unique(ids[np.flatnonzero(follows) + 1]).tolist():
        units[t] = _unit(tokens.strings[t], lows[t])
    return units


def identity_features(titles: Sequence[str], texts: Sequence[str], *, lead: int | None = None) -> list[list[str]]:
    """Each article's identity features (see the module docstring), from its title and the first ``lead``
    characters of its text (all of it when ``None``). Which words are names is learnt from these articles.
    The same lists as :func:`reference_features`."""
    if len(titles) != len(texts):
        raise ValueError(f"{len(titles)} titles for {len(texts)} texts")
    bodies = [t if lead is None else t[:lead] for t in texts]
    both = [title + "\n" + body for title, body in zip(titles, bodies)]
    rows = _kernel_rows(both)
    encoded = [both[i].encode("utf-8") for i in rows]
    buf = np.frombuffer(b"".join(encoded), np.uint8) if any(encoded) else np.zeros(1, np.uint8)
    starts = np.zeros(len(rows) + 1, np.int64)
    np.cumsum([len(e) for e in encoded], out=starts[1:])
    del encoded
    tokens = _Tokens(both, rows, buf, starts)
    strings = tokens.strings
    lows = [s.lower() for s in strings]
    keys = [w[:-2] if w.endswith(("'s", "\u2019s")) else w for w in lows]
    brk = np.array([s in _BREAK for s in strings], bool)
    name, names, key_of, key_text = _names(tokens, keys, brk)
    connect = np.array([s in _CONNECT for s in strings], bool) & ~name
    tail = np.array([k in _CONNECT for k in keys], bool)
    values = [_value(s) if s[0].isdigit() or w in _NUMBER_WORDS else None for s, w in zip(strings, lows)]
    value_id = np.array([-1 if v is None else i for i, v in enumerate(values)], np.int64)
    units = _units(tokens, value_id, lows)
    unit_id = np.array([-1 if u is None else i for i, u in enumerate(units)], np.int64)
    records, bounds = _k._token_records(tokens.ids, tokens.offsets, brk, name, connect, tail, value_id, unit_id)
    texts_of = _record_texts(records, tokens.ids, key_of, key_text, values, units)
    age_spans, age_bounds = _k._ages(buf, starts)
    raw = buf.tobytes()
    ages = ["a:" + raw[a:b].decode("ascii") for a, b in age_spans.tolist()]
    kernel_row = np.full(len(both), -1, np.int64)
    kernel_row[rows] = np.arange(len(rows))
    result = []
    for i, (body, r) in enumerate(zip(bodies, kernel_row.tolist())):
        out: list[str] = []
        _dateline(body, names, out)
        if r >= 0:
            out.extend(ages[age_bounds[r]:age_bounds[r + 1]])
        else:
            out.extend("a:" + m for m in _AGE.findall(both[i]))
            out.extend("a:" + m for m in _AGE_APPOSITIVE.findall(both[i]))
            out.extend("a:" + m for m in _AGE_PAREN.findall(both[i]))
        out.extend(texts_of[bounds[i]:bounds[i + 1]])
        result.append(out)
    return result


def _record_texts(records: np.ndarray, ids: np.ndarray, key_of: np.ndarray, keys: list[str],
                  values: list[str | None], units: list[str | None]) -> list[str]:
    """The feature text of each record of ``features_kernels._token_records``, each distinct text built once:
    the records are numbered by what they say (a run by its words' keys, a number and unit pair by both)."""
    kind, a, b = records[:, 0], records[:, 1], records[:, 2]
    text = np.empty(len(records), dtype=object)
    word = kind == _k.WORD
    if word.any():
        unique, inverse = np.unique(key_of[a[word]], return_inverse=True)
        text[word] = np.array(["n1:" + keys[k] for k in unique.tolist()], dtype=object)[inverse]
    pair = kind == _k.PAIR
    if pair.any():
        unique, inverse = np.unique(a[pair] * len(units) + b[pair], return_inverse=True)
        made = [f"q:{values[v]}_{units[u]}" for v, u in zip((unique // len(units)).tolist(),
                                                             (unique % len(units)).tolist())]
        text[pair] = np.array(made, dtype=object)[inverse]
    run = np.flatnonzero(kind == _k.RUN)
    if len(run) == 0:
        return text.tolist()
    length = b[run] - a[run]
    order = np.argsort(length, kind="stable")
    ends = np.flatnonzero(np.r_[length[order][1:] != length[order][:-1], True]) + 1
    for lo, hi in zip(np.r_[0, ends[:-1]].tolist(), ends.tolist()):
        rows = run[order[lo:hi]]
        size = int(length[order[lo]])
        words = key_of[ids[a[rows, None] + np.arange(size)]]
        if len(keys) ** size < 2**62:  # one integer per run: the same order as the rows of words
            packed = words[:, 0].copy()
            for column in range(1, size):
                packed = packed * len(keys) + words[:, column]
            first, inverse = np.unique(packed, return_index=True, return_inverse=True)[1:]
            unique = words[first]
        else:
            unique, inverse = np.unique(words, axis=0, return_inverse=True)
        made = ["n:" + "_".join([keys[k] for k in row]) for row in unique.tolist()]
        text[rows] = np.array(made, dtype=object)[inverse.ravel()]
    return text.tolist()
