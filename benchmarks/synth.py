"""Deterministic wire-copy rewrites for fixtures, evaluation and benchmarks.

Wire copy is republished with new headlines, scraped-page boilerplate, trimmed paragraphs, another
outlet's footer and light edits. Each function here takes an :class:`~storyclust.records.Article` (and a
:class:`random.Random` where randomness is needed) and returns a NEW article built with :func:`derive`;
the input is never mutated and the new article gets its own ``metadata`` dict.

All randomness goes through the ``rng`` argument and only ordered sequences are sampled, so the same
seed always gives the same output.

Body paragraphs are the blocks separated by blank lines, or the lines when the body has no blank line
(see :func:`split_paragraphs`); edits that re-join paragraphs use the same separator (see
:func:`paragraph_separator`).
"""

from __future__ import annotations

import dataclasses
import math
import random
import re
from typing import Any, Callable, Final

from benchmarks.synth_words import (
    CITIES, COMMON_WORDS, EDITORS, FOOTERS, HEAD_BOILERPLATE, HEADLINE_PREFIXES, HEADLINE_SUFFIXES, RELATED_HEADLINES,
    REPORTERS, SYNONYMS, TAIL_BOILERPLATE,
)
from storyclust.records import Article

__all__ = [
    "VARIANTS", "Rewrite", "Variant", "add_boilerplate", "add_footer", "derive", "new_headline", "paragraph_separator",
    "reorder_paragraphs", "rewrite", "split_paragraphs", "substitute_words", "truncate",
]

Variant = Callable[[Article, random.Random], Article]
"""A rewrite operation as stored in :data:`VARIANTS`: ``(article, rng) -> new article``."""

# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_WORD = re.compile(r"\S+")
# A word token whose letters-only core may be substituted: optional punctuation around 3+ ASCII letters.
_SUBSTITUTABLE = re.compile(r"^([^\w]*)([A-Za-z]{3,})([^\w]*)$")
# End of a sentence: terminal punctuation, optional closing quotes/brackets, then whitespace.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")
# A short dateline or source tag before the lead: "Shafaq News / ", "JERUSALEM (AP) — ".
_DATELINE = re.compile(r"^[^.!?\n]{1,50}?\s(?:/|—|–|--|-)\s")
_PREFIX_RE = re.compile(
    r"^(?:" + "|".join(re.escape(p) for p in HEADLINE_PREFIXES) + r")\s*", re.IGNORECASE
)
_DANGLING = frozenset(
    "a an and as at but by for from in into of on or over that the their to with who which while "
    "amid after before its his her".split()
)


def derive(article: Article, **changes: Any) -> Article:
    """Return a copy of ``article`` with ``changes`` applied and its own ``metadata`` dict (a copy of the
    original's unless ``metadata`` is among the changes)."""
    changes.setdefault("metadata", dict(article.metadata))
    return dataclasses.replace(article, **changes)


def paragraph_separator(text: str) -> str:
    """Return ``"\\n\\n"`` if ``text`` has a blank line, else ``"\\n"`` (one paragraph per line)."""
    return "\n\n" if _BLANK_LINE.search(text) else "\n"


def split_paragraphs(text: str) -> list[str]:
    """Split a body into paragraphs: on blank lines, or on newlines when there is no blank line.

    Paragraphs are stripped of surrounding whitespace and empty ones are dropped.
    """
    parts = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    return [p.strip() for p in parts if p.strip()]


def _normalise(s: str) -> str:
    return " ".join(s.split()).casefold()


def _lead_sentence(article: Article) -> str:
    """The first real sentence of the body: not a title repeat, not a short boilerplate line."""
    title = _normalise(article.title)
    for para in split_paragraphs(article.text):
        first_line = _normalise(para.split("\n", 1)[0])
        if first_line in title or title in first_line or len(para.split()) < 6 or para.startswith("["):
            continue
        sentence = _SENTENCE_SPLIT.split(para, maxsplit=1)[0].strip()
        dateline = _DATELINE.match(sentence)
        if dateline and len(dateline.group(0).split()) <= 6:
            sentence = sentence[dateline.end() :]
        return sentence
    return ""


def _headline_from_lead(article: Article, rng: random.Random) -> str:
    lead = _lead_sentence(article)
    words = lead.split()
    if len(words) < 4:
        return ""
    first_clause = lead.split(", ", 1)[0].split()
    if 5 <= len(first_clause) <= 14:
        words = first_clause
    else:
        words = words[: rng.randint(8, 12)]
    while len(words) > 3 and words[-1].strip(",;:").lower() in _DANGLING:
        words.pop()
    text = " ".join(words).rstrip(".,;:!?—–- ")
    return text[:1].upper() + text[1:]


def _reordered_title(base: str, rng: random.Random) -> str:
    """Swap the clauses of a title: ``"A says B"`` -> ``"B, A says"``; ``"A: B"`` -> ``"B - A"``."""
    says = re.match(r"^(.{2,60}?)\s+(says|said|warns|urges)\s+(?:that\s+)?(.+)$", base)
    if says:
        speaker, verb, rest = says.groups()
        return f"{rest[:1].upper()}{rest[1:]}, {speaker} {verb}"
    if ": " in base:
        head, rest = base.split(": ", 1)
        return f"{rest[:1].upper()}{rest[1:]} - {head}"
    for sep in (" - ", " — ", ", "):
        if sep in base:
            head, rest = base.split(sep, 1)
            return f"{rest[:1].upper()}{rest[1:]}{rng.choice((' - ', ': '))}{head}"
    return ""


def _set_case(word: str, model: str) -> str:
    if len(model) > 1 and model.isupper():
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word.lower()


# --------------------------------------------------------------------------------------------------
# Operations
# --------------------------------------------------------------------------------------------------


def new_headline(article: Article, rng: random.Random) -> Article:
    """Return a copy with a different headline.

    One of: an outlet-style prefix (``"UPDATE: ..."``), a headline built from the lead sentence, the
    title's clauses swapped (``"B, A says"``) or an outlet suffix (``"... - Reuters"``). The result is
    always a single line that differs from the original title.
    """
    title = " ".join(article.title.split())
    match = _PREFIX_RE.match(title)
    existing = match.group(0).strip().upper() if match else ""
    base = title[match.end() :] if match else title
    style = rng.choice(("prefix", "lead", "reorder", "suffix"))
    if len(re.findall(r"[^\W\d_]{2,}", base)) < 3:  # no real title (e.g. "[ad_1]"): use the lead
        style = "lead"
    candidate = ""
    if style == "lead":
        candidate = _headline_from_lead(article, rng)
    elif style == "reorder":
        candidate = _reordered_title(base, rng)
    elif style == "suffix" and base:
        candidate = base.rstrip(". ") + rng.choice(HEADLINE_SUFFIXES)
    if not candidate or _normalise(candidate) == _normalise(title):
        prefixes = [p for p in HEADLINE_PREFIXES if p.upper() != existing]
        body = base or _headline_from_lead(article, rng) or "Latest"
        prefix = rng.choice(prefixes)
        candidate = prefix + body if prefix.endswith("-") else f"{prefix} {body}"
    return derive(article, title=candidate)


def add_boilerplate(article: Article, rng: random.Random) -> Article:
    """Return a copy with scraped-page boilerplate lines before and/or after the body.

    Lines come from :data:`HEAD_BOILERPLATE` and :data:`TAIL_BOILERPLATE`; each is its own paragraph.
    At least one line is always added and the original body is kept intact between them.
    """
    sep = paragraph_separator(article.text)
    where = rng.choice(("start", "end", "both"))
    head: list[str] = []
    tail: list[str] = []
    if where in ("start", "both"):
        head = rng.sample(HEAD_BOILERPLATE, rng.randint(1, 2))
    if where in ("end", "both"):
        tail = rng.sample(TAIL_BOILERPLATE, rng.randint(1, 3))
        tail = [line.format(related=rng.choice(RELATED_HEADLINES)) for line in tail]
    parts = [*head, article.text.strip(), *tail]
    return derive(article, text=sep.join(p for p in parts if p))


def truncate(article: Article, keep: float = 0.6) -> Article:
    """Return an abridged copy keeping the first ``keep`` fraction of the body's words.

    The cut is moved forward to the first sentence end or line break at or after that word, unless that
    would keep the whole body or more than ``max(30, 10%)`` extra words; then it falls exactly after the
    word. The result is always a prefix of the original body (with trailing whitespace removed).

    Raises:
        ValueError: if ``keep`` is not in ``(0, 1]``.
    """
    if not 0.0 < keep <= 1.0:
        raise ValueError(f"keep must be in (0, 1], got {keep!r}")
    text = article.text
    words = list(_WORD.finditer(text))
    n = len(words)
    if n == 0 or keep == 1.0:
        return derive(article)
    target = min(n, max(1, math.ceil(keep * n)))
    word_end = words[target - 1].end()
    end_of_body = len(text.rstrip())
    limit_word = min(n, target + max(30, n // 10))
    limit = words[limit_word - 1].end()
    cut = word_end
    candidates: list[int] = []
    sentence_end = _SENTENCE_END.search(text, word_end - 1)
    if sentence_end is not None:
        candidates.append(sentence_end.end())
    newline = text.find("\n", word_end)
    if newline != -1:
        candidates.append(newline)
    if candidates:
        boundary = min(candidates)
        if boundary < end_of_body and boundary <= limit:
            cut = boundary
    return derive(article, text=text[:cut].rstrip())


def substitute_words(article: Article, rng: random.Random, rate: float = 0.10) -> Article:
    """Return a copy with about ``rate`` of the body's word tokens replaced by other words.

    ``round(rate * tokens)`` whitespace-separated tokens are replaced, chosen among those (other than
    the first) whose core is 3+ ASCII letters with only punctuation around it; lower-case words are
    used first so names are only touched when there are not enough of them. A replacement comes from
    :data:`SYNONYMS` when the word has an entry, else from :data:`COMMON_WORDS`; it keeps the word's
    capitalisation and surrounding punctuation, and whitespace (paragraph breaks) is untouched, so the
    token count never changes.

    Raises:
        ValueError: if ``rate`` is not in ``[0, 1]``.
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate must be in [0, 1], got {rate!r}")
    text = article.text
    tokens = list(_WORD.finditer(text))
    lower_case: list[re.Match[str]] = []
    capitalised: list[re.Match[str]] = []
    for token in tokens[1:]:
        parts = _SUBSTITUTABLE.match(token.group(0))
        if parts is not None:
            (lower_case if parts.group(2).islower() else capitalised).append(token)
    k = min(len(lower_case) + len(capitalised), round(rate * len(tokens)))
    chosen = rng.sample(lower_case, min(k, len(lower_case)))
    if k > len(lower_case):
        chosen += rng.sample(capitalised, k - len(lower_case))
    chosen.sort(key=lambda m: m.start())
    pieces: list[str] = []
    pos = 0
    for token in chosen:
        parts = _SUBSTITUTABLE.match(token.group(0))
        assert parts is not None
        before, core, after = parts.groups()
        lower = core.lower()
        options = SYNONYMS.get(lower)
        if options:
            replacement = rng.choice(options)
        else:
            replacement = rng.choice(COMMON_WORDS)
            while replacement == lower:
                replacement = rng.choice(COMMON_WORDS)
        pieces.append(text[pos : token.start()])
        pieces.append(before + _set_case(replacement, core) + after)
        pos = token.end()
    pieces.append(text[pos:])
    return derive(article, text="".join(pieces))


def reorder_paragraphs(article: Article, rng: random.Random) -> Article:
    """Return a copy with the body paragraphs (see :func:`split_paragraphs`) shuffled.

    With two or more paragraphs that are not all identical the order always differs from the original.
    Paragraphs are re-joined with the body's :func:`paragraph_separator`.
    """
    paragraphs = split_paragraphs(article.text)
    sep = paragraph_separator(article.text)
    if len(paragraphs) < 2 or len(set(paragraphs)) < 2:
        return derive(article, text=sep.join(paragraphs) if paragraphs else article.text)
    shuffled = list(paragraphs)
    for _ in range(20):
        rng.shuffle(shuffled)
        if shuffled != paragraphs:
            break
    else:  # pragma: no cover - vanishingly unlikely; rotate so the order still changes
        shuffled = paragraphs[1:] + paragraphs[:1]
        while shuffled == paragraphs:
            shuffled = shuffled[1:] + shuffled[:1]
    return derive(article, text=sep.join(shuffled))


def add_footer(article: Article, rng: random.Random) -> Article:
    """Return a copy with another outlet's footer appended (AP copyright, Reuters credits, AFP tag).

    The copyright year is the article's year when ``date`` is set, otherwise it is left out.
    """
    sep = paragraph_separator(article.text)
    template = rng.choice(FOOTERS)
    reporter, reporter2 = rng.sample(REPORTERS, 2)
    footer = template.format(
        year=f"{article.date.year} " if article.date is not None else "",
        reporter=reporter,
        reporter2=reporter2,
        editor=rng.choice(EDITORS),
        city=rng.choice(CITIES),
        initials="".join(rng.choice("ABCDEFGHIJKLMNOPRSTW") for _ in range(3)).lower(),
        initials2="".join(rng.choice("ABCDEFGHIJKLMNOPRSTW") for _ in range(2)).lower(),
    )
    footer = sep.join(footer.split("\n"))
    body = article.text.rstrip()
    return derive(article, text=f"{body}{sep}{footer}" if body else footer)


def _truncate_variant(article: Article, rng: random.Random) -> Article:
    """:func:`truncate` with the default ``keep=0.6`` (``rng`` is unused)."""
    return truncate(article)


def _substitute_variant(article: Article, rng: random.Random) -> Article:
    """:func:`substitute_words` with the default ``rate=0.10``."""
    return substitute_words(article, rng)


VARIANTS: Final[dict[str, Variant]] = {
    "headline": new_headline,
    "boilerplate": add_boilerplate,
    "truncate": _truncate_variant,
    "substitute": _substitute_variant,
    "reorder": reorder_paragraphs,
    "footer": add_footer,
}
"""Every single rewrite by name, each as ``(article, rng) -> Article``."""


@dataclasses.dataclass(frozen=True)
class Rewrite:
    """What :func:`rewrite` made: the copy, the names of the operations applied (keys of :data:`VARIANTS`, in
    order) and the parameters it drew for ``truncate`` and ``substitute`` (None when not applied)."""

    article: Article
    ops: tuple[str, ...]
    truncate_keep: float | None = None
    substitute_rate: float | None = None


def rewrite(article: Article, rng: random.Random, *, id: str, source: str | None = None) -> Rewrite:
    """Return a realistic wire-copy rewrite of ``article`` with the operations applied and their parameters.

    Always a new headline; then, each with some probability and in this order, ``reorder`` (25%),
    ``truncate`` (45%, keep 0.5-0.9), ``substitute`` (55%, rate 0.03-0.15), ``boilerplate`` (50%) and
    ``footer`` (35%). The copy gets ``id``, ``source`` (the original source when ``None``), no ``url`` (it
    was republished elsewhere) and no ``location``.
    """
    applied: list[str] = ["headline"]
    keep = rate = None
    out = new_headline(article, rng)
    if rng.random() < 0.25:
        out = reorder_paragraphs(out, rng)
        applied.append("reorder")
    if rng.random() < 0.45:
        keep = rng.uniform(0.5, 0.9)
        out = truncate(out, keep=keep)
        applied.append("truncate")
    if rng.random() < 0.55:
        rate = rng.uniform(0.03, 0.15)
        out = substitute_words(out, rng, rate=rate)
        applied.append("substitute")
    if rng.random() < 0.5:
        out = add_boilerplate(out, rng)
        applied.append("boilerplate")
    if rng.random() < 0.35:
        out = add_footer(out, rng)
        applied.append("footer")
    out = derive(out, id=id, source=article.source if source is None else source, url=None, location="")
    return Rewrite(out, tuple(applied), truncate_keep=keep, substitute_rate=rate)
