"""Text from the data made safe to show: never interpreted as markup or as terminal control.

Characters that would act on the terminal instead of being seen (C0 and C1 controls such as ESC and CSI,
bidirectional overrides and isolates, zero-width and other format characters, line and paragraph
separators, lone surrogates) are shown escaped, as ``\\x1b``, ``\\u202e`` or ``\\U000e0001``. The terminal
report, the explanations and the HTML report all use these rules.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from rich.text import Text

__all__ = ["ESCAPED_CATEGORIES", "ESCAPE_STYLE", "visible", "shown", "json_text"]

# Unicode categories shown escaped: controls, format characters (bidi, zero-width, ...), surrogates, and the
# line and paragraph separators.
ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
ESCAPE_STYLE = "reverse"
_NOT_PLAIN = re.compile(r"[^\x20-\x7e]")
_NOT_PLAIN_JSON = re.compile(r"[^\x20-\x7e\n]")  # JSON escapes its own controls: a newline is indentation


_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in ESCAPED_CATEGORIES


def visible(value: object) -> str:
    """``str(value)`` with every character of :data:`ESCAPED_CATEGORIES` written as its escape."""
    s = str(value)
    if s.isprintable():  # the common case; isprintable is False for a superset of what is escaped
        return s
    return _NOT_PLAIN.sub(lambda m: _escape(m[0]) if _unsafe(m[0]) else m[0], s)


def shown(value: object, style: str = "") -> Text:
    """``value`` as a :class:`Text` (never markup) with unsafe characters escaped and marked."""
    s = str(value)
    if s.isprintable():
        return Text(s, style=style)
    text = Text(style=style)
    start = 0
    for m in _NOT_PLAIN.finditer(s):
        if _unsafe(m[0]):
            text.append(s[start : m.start()])
            text.append(_escape(m[0]), style=ESCAPE_STYLE)
            start = m.end()
    text.append(s[start:])
    return text


def json_text(document: Any) -> str:
    """``document`` as indented JSON for a terminal: as ``json.dumps(ensure_ascii=False)``, except that the
    characters :func:`visible` escapes are written as JSON ``\\u`` escapes (the same JSON value)."""
    raw = json.dumps(document, ensure_ascii=False, indent=2, default=str)

    def escape(m: re.Match[str]) -> str:
        char = m[0]
        if not _unsafe(char):
            return char
        units = char.encode("utf-16-be", "surrogatepass")  # two bytes per UTF-16 code unit
        return "".join(f"\\u{units[k:k + 2].hex()}" for k in range(0, len(units), 2))

    return _NOT_PLAIN_JSON.sub(escape, raw)
