"""Cleaning for matching: normalise text and strip scraped-page boilerplate.

Cleaning produces the text that shingles and TF-IDF see. It never changes :class:`~storyclust.records.Article`,
so reports always show the original title and text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

__all__ = [
    "Boilerplate",
    "normalize",
    "clean_body",
    "clean_article",
    "display_title",
    "load_boilerplate",
]

# Curly quotes, primes, dashes and odd spaces that NFKC leaves alone, mapped to plain ASCII.
_PLAIN = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,
    }
)
_SPECIAL = re.compile("[" + "".join(re.escape(chr(c)) for c in _PLAIN) + "]")


def _plain(match: re.Match) -> str:
    return _PLAIN[ord(match.group())] or ""


def normalize(text: str) -> str:
    """NFKC, plain quotes and dashes, whitespace collapsed within lines, blank lines dropped, stripped.

    Idempotent: ``normalize(normalize(s)) == normalize(s)``.
    """
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = _SPECIAL.sub(_plain, text)  # a regex pass touches only the few special characters
        # Translation can expose new NFKC compositions only in pathological inputs; a second pass settles them.
        text = unicodedata.normalize("NFKC", text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Boilerplate:
    """Whole-line patterns of scraped-page boilerplate (``[ad_1]``, "Leave a Reply", player widgets, ...).

    Patterns are regular expressions matched case-insensitively against a whole normalised line.
    """

    patterns: tuple[str, ...]

    def __post_init__(self) -> None:
        combined = "|".join(f"(?:{p})" for p in self.patterns) or r"(?!x)x"
        object.__setattr__(self, "_regex", re.compile(combined, re.IGNORECASE))

    def matches(self, line: str) -> bool:
        """True when the normalised ``line`` is boilerplate as a whole."""
        return self._regex.fullmatch(line) is not None  # type: ignore[attr-defined]

    def extended(self, patterns: Iterable[str]) -> "Boilerplate":
        return Boilerplate(self.patterns + tuple(patterns))


def _parse_patterns(text: str, origin: str) -> list[str]:
    patterns = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            re.compile(line)
        except re.error as err:
            raise ValueError(f"{origin}:{number}: invalid regular expression {line!r} ({err})") from None
        patterns.append(line)
    return patterns


def load_boilerplate(extra_files: Sequence[str | Path] = ()) -> Boilerplate:
    """The bundled pattern list (``storyclust/data/boilerplate.txt``) plus the patterns in ``extra_files``."""
    bundled = resources.files("storyclust").joinpath("data/boilerplate.txt").read_text("utf-8")
    patterns = _parse_patterns(bundled, "boilerplate.txt")
    for path in extra_files:
        try:
            text = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ValueError(f"{path}: cannot read boilerplate patterns ({err})") from None
        patterns.extend(_parse_patterns(text, str(path)))
    return Boilerplate(tuple(patterns))


def _same_heading(line: str, title: str) -> bool:
    """A body line that repeats the headline, allowing a site's prefix ("Home Posts ...") or a trimmed copy."""
    a, b = line.casefold(), title.casefold()
    if not a or not b:
        return False
    return a == b or (b in a and len(a) <= len(b) + 40) or (a in b and len(a) >= 0.6 * len(b))


def display_title(title: str, text: str, boilerplate: Boilerplate) -> str:
    """The headline to show: the title, or the first non-boilerplate body line as written (quotes and dashes
    kept; cut to 120 characters) when the title is missing or is itself boilerplate (a scraped file whose first
    line is ``[ad_1]``)."""
    return clean_article(title, text, boilerplate)[0]


def clean_body(title: str, text: str, boilerplate: Boilerplate) -> str:
    """The body text used for matching: normalised, boilerplate lines removed, leading title repeats removed."""
    return clean_article(title, text, boilerplate)[1]


def _first_original_line(text: str, boilerplate: Boilerplate) -> str:
    """The first line of ``text`` that normalises to a non-boilerplate line, as written (spaces collapsed)."""
    for raw in text.splitlines():
        line = normalize(raw)
        if line and not boilerplate.matches(line):
            return " ".join(raw.split())
    return ""


def clean_article(title: str, text: str, boilerplate: Boilerplate) -> tuple[str, str]:
    """``(display title, cleaned body)``, normalising the text once."""
    title_n = normalize(title)
    title_ok = bool(title_n) and not boilerplate.matches(title_n)
    lines = [line for line in normalize(text).split("\n") if not boilerplate.matches(line)]
    if title_ok:
        shown = title.strip()
    elif lines:
        first = _first_original_line(text, boilerplate) or lines[0]
        shown = first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "..."
    else:
        shown = title.strip()
    if not title_ok:
        return shown, "\n".join(lines)
    start = 0
    # A title may be repeated, sometimes with a byline between the repeats ("Headline / Joe Biden / Headline").
    while start < len(lines) and start < 4:
        if _same_heading(lines[start], title_n):
            start += 1
        elif start + 1 < len(lines) and len(lines[start]) <= 40 and _same_heading(lines[start + 1], title_n):
            start += 2
        else:
            break
    return shown, "\n".join(lines[start:])
