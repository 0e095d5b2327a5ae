"""Evidence that two articles tell the same story, beyond sharing words.

- :func:`weighted_overlaps`: Jaccard and containment with each shingle weighted by its rarity,
  ``log(1 + N / df)`` over the corpus' document frequencies; template shingles (found in
  ``min_articles`` articles or more) weigh nothing. Also counts the shared content shingles.
- :func:`distinguishing_tokens` and :func:`token_agreement`: the numbers and names of a text. A name is a
  capitalised word whose lower-case form neither text of the pair uses (so ``"The"`` and a sentence-initial
  ``"Police"`` are not names when either text writes ``police``). Two articles that both carry such tokens
  agree when the smaller set is mostly inside the larger one.
- :func:`headline_support`: how much of a headline's words (weighted by their rarity among headlines) the
  other article's content contains. Chrome that two pages share says nothing of either headline.
- :func:`exact_key`: the words of a title and text, for exact copies of thin pages.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numba
import numpy as np

from .shingles import Shingles
from .template import ShingleFrequency

__all__ = [
    "Tokens",
    "weighted_overlaps",
    "distinguishing_tokens",
    "token_agreement",
    "TitleWords",
    "headline_support",
    "exact_key",
    "pair_differences",
]

_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_CAPS = re.compile(r"(?<![^\W\d_])[A-Z][^\W\d_]*")  # a letter run starting with an ASCII capital
_LOWER = re.compile(r"(?<![^\W\d_])(?=[^\W\d_A-Z]*[a-z])[^\W\d_A-Z]+(?![^\W\d_])")  # no capital, an a-z
_KEY_WORD = re.compile(r"\w+")


@numba.njit(cache=True, inline="always")
def _weight(h, low, high, shift, mask, limit, documents, idf):
    """The shingle's weight: 0 for a template shingle (estimated document frequency ``limit`` or more), else
    ``log(1 + documents / df)``, or 1 without ``idf`` (then one table look-up mostly decides)."""
    if not idf:
        return 1.0 if (low[h >> shift] < limit or high[h & mask] < limit) else 0.0
    df = min(low[h >> shift], high[h & mask])
    return math.log(1.0 + documents / df) if df < limit else 0.0


@numba.njit(cache=True, parallel=True)
def _weighted(hashes, offsets, left, right, low, high, shift, mask, limit, documents, idf):
    m = len(left)
    out = np.zeros((m, 3))
    shared = np.zeros(m, np.int64)
    for q in numba.prange(m):
        i, j = left[q], right[q]
        x = hashes[offsets[i] : offsets[i + 1]]
        y = hashes[offsets[j] : offsets[j + 1]]
        a = b = 0
        wa = wb = wi = 0.0
        s = 0
        while a < len(x) or b < len(y):
            if b >= len(y) or (a < len(x) and x[a] < y[b]):
                wa += _weight(x[a], low, high, shift, mask, limit, documents, idf)
                a += 1
            elif a >= len(x) or y[b] < x[a]:
                wb += _weight(y[b], low, high, shift, mask, limit, documents, idf)
                b += 1
            else:
                w = _weight(x[a], low, high, shift, mask, limit, documents, idf)
                if w > 0.0:
                    wa += w
                    wb += w
                    wi += w
                    s += 1
                a += 1
                b += 1
        out[q, 0] = wa
        out[q, 1] = wb
        out[q, 2] = wi
        shared[q] = s
    return out, shared


def weighted_overlaps(
    shingles: Shingles, left: np.ndarray, right: np.ndarray, frequency: ShingleFrequency, min_articles: int,
    idf: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """IDF-weighted Jaccard and containment of the pairs ``(left[q], right[q])``, and how many content
    shingles (found in fewer than ``min_articles`` articles; every shingle when 0) each pair shares."""
    left = np.asarray(left, np.int64)
    right = np.asarray(right, np.int64)
    if len(left) == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0, np.int64)
    limit = min_articles if min_articles > 0 else 1 << 30
    sums, shared = _weighted(
        shingles.hashes, shingles.offsets, left, right, frequency.low, frequency.high, frequency.shift,
        frequency.mask, limit, frequency.documents, idf,
    )
    wa, wb, wi = sums[:, 0], sums[:, 1], sums[:, 2]
    union = wa + wb - wi
    smaller = np.minimum(wa, wb)
    jac = np.divide(wi, union, out=np.zeros_like(wi), where=union > 0)
    con = np.divide(wi, smaller, out=np.zeros_like(wi), where=smaller > 0)
    return np.minimum(jac, 1.0), np.minimum(con, 1.0), shared


@dataclass(frozen=True)
class Tokens:
    """A text's numbers (digits, thousands separators dropped), its capitalised words and its lower-case
    words (both lower-cased)."""

    numbers: frozenset[str]
    capitalised: frozenset[str]
    lower: frozenset[str]
    lead: tuple[str, ...] = ()  # the capitalised words in order of first appearance, up to 8


def distinguishing_tokens(text: str) -> Tokens:
    """The numbers, capitalised and lower-case words of ``text`` (ASCII capitals decide the case, as in
    :mod:`storyclust.dedup.tokens`)."""
    numbers = frozenset(m.replace(",", "") for m in _NUMBER.findall(text))
    caps_seq = _CAPS.findall(text)
    lead = tuple(dict.fromkeys(w.lower() for w in caps_seq))[:8]
    return Tokens(numbers, frozenset(w.lower() for w in caps_seq), frozenset(_LOWER.findall(text)), lead)


def lead_names(a: Tokens, b: Tokens) -> tuple[str | None, str | None]:
    """The first name of each text (its first capitalised word that neither text writes in lower case)."""
    common_lower = a.lower | b.lower
    first = [next((w for w in t.lead if w not in common_lower), None) for t in (a, b)]
    return first[0], first[1]


def token_agreement(a: Tokens, b: Tokens) -> tuple[float | None, list[str], list[str]]:
    """``(agreement, only_in_a, only_in_b)``: the share of the smaller set of numbers and names found in the
    larger one (``None`` when either article has none), and the tokens each side has alone (sorted)."""
    common_lower = a.lower | b.lower
    x = a.numbers | (a.capitalised - common_lower)
    y = b.numbers | (b.capitalised - common_lower)
    only_a, only_b = sorted(x - y), sorted(y - x)
    if not x or not y:
        return None, only_a, only_b
    return len(x & y) / min(len(x), len(y)), only_a, only_b


class TitleWords:
    """Word rarity among the corpus' headlines (lower-cased words), for :func:`headline_support`."""

    def __init__(self, titles: Sequence[str]):
        self.words = [frozenset(_KEY_WORD.findall(t.lower())) for t in titles]
        counts = Counter(w for ws in self.words for w in ws)
        n = max(len(titles), 1)
        self.weight = {w: math.log((n + 1) / c) for w, c in counts.items()}

    def similarity(self, i: int, j: int) -> float:
        """Weighted Jaccard of two headlines' words (0 when both are empty)."""
        a, b = self.words[i], self.words[j]
        union = sum(self.weight[w] for w in a | b)
        return sum(self.weight[w] for w in a & b) / union if union else 0.0


def headline_support(words: TitleWords, i: int, other_words: frozenset[str]) -> float | None:
    """The weighted share of headline ``i``'s words that ``other_words`` contains (``None`` without a headline)."""
    title = words.words[i]
    total = sum(words.weight[w] for w in title)
    if not total:
        return None
    return sum(words.weight[w] for w in title if w in other_words) / total


def exact_key(title: str, text: str) -> str:
    """The lower-cased words of ``title`` and ``text``: equal keys are the same page, up to case, punctuation
    and spacing."""
    return " ".join(_KEY_WORD.findall(f"{title}\n{text}".lower()))


def pair_differences(a: str, b: str, limit: int = 10) -> tuple[list[str], list[str]]:
    """The numbers and names (see :func:`token_agreement`) each of two content texts has alone, sorted, at most
    ``limit`` each."""
    _, only_a, only_b = token_agreement(distinguishing_tokens(a), distinguishing_tokens(b))
    return only_a[:limit], only_b[:limit]
