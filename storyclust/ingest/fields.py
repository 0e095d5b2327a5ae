"""Which keys of a record hold which role (title, text, date, source, url, id), and the record -> Article map.

Field names are detected per record, case-insensitively, from the candidate tuples below (the first
candidate with a usable value wins); :class:`FieldMap` names one key explicitly for a role. Every key
that is not used for a role is kept in :attr:`Article.metadata` unchanged, so evaluation labels such as
``event``, ``story`` or ``cluster`` survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Union

from ..records import Article, SkippedRecord
from .dates import parse_date

__all__ = [
    "DATE_FIELDS",
    "ID_FIELDS",
    "SOURCE_FIELDS",
    "TEXT_FIELDS",
    "TITLE_FIELDS",
    "URL_FIELDS",
    "FieldMap",
    "Result",
    "Roles",
    "roles",
    "build",
    "scalar_text",
    "json_type",
    "TOO_DEEP",
    "lone_surrogate",
]

TOO_DEEP = "JSON nested too deeply to read (about 1,000 levels or more)"
_SURROGATE = re.compile("[\ud800-\udfff]")

TITLE_FIELDS: tuple[str, ...] = ("title", "headline")
TEXT_FIELDS: tuple[str, ...] = ("text", "body", "content", "maintext", "article")
DATE_FIELDS: tuple[str, ...] = ("date", "published", "publish_date", "date_publish", "pubDate")
SOURCE_FIELDS: tuple[str, ...] = ("source", "outlet", "publisher", "domain", "source_domain")
URL_FIELDS: tuple[str, ...] = ("url",)
ID_FIELDS: tuple[str, ...] = ("id", "guid", "article_id")

Result = Union[Article, SkippedRecord]


@dataclass(frozen=True)
class FieldMap:
    """Explicit input field names. A role given here is read from that key only (case-insensitively if
    the exact key is absent); roles left as ``None`` use the candidate tuples (``TITLE_FIELDS``, ...)."""

    title: str | None = None
    text: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class _Role:
    names: tuple[str, ...]  # lower-case candidates, in order
    explicit: str | None  # the FieldMap name, matched exactly first

    def keys(self, keys: tuple[str, ...], lower: dict[str, str]) -> tuple[str, ...]:
        """The keys among ``keys`` that hold this role, in candidate order."""
        if self.explicit is not None and self.explicit in keys:
            return (self.explicit,)
        return tuple(lower[name] for name in self.names if name in lower)


@dataclass(frozen=True)
class _Plan:
    """Which keys of a record hold each role, for one set of keys (records usually share it)."""

    text: tuple[str, ...]
    title: tuple[str, ...]
    source: tuple[str, ...]
    url: tuple[str, ...]
    id: tuple[str, ...]
    date: tuple[str, ...]


@dataclass(frozen=True)
class Roles:
    title: _Role
    text: _Role
    date: _Role
    source: _Role
    url: _Role
    id: _Role
    missing_text: str
    plans: dict[tuple[str, ...], _Plan] = field(default_factory=dict, compare=False)

    def plan(self, record: dict[str, Any]) -> _Plan:
        keys = tuple(record)
        plan = self.plans.get(keys)
        if plan is None:
            lower: dict[str, str] = {}
            for key in keys:
                lower.setdefault(str(key).lower(), key)
            plan = _Plan(
                text=self.text.keys(keys, lower),
                title=self.title.keys(keys, lower),
                source=self.source.keys(keys, lower),
                url=self.url.keys(keys, lower),
                id=self.id.keys(keys, lower),
                date=self.date.keys(keys, lower),
            )
            if len(self.plans) >= 1024:  # records with ever-changing keys: keep the cache small
                self.plans.clear()
            self.plans[keys] = plan
        return plan


def roles(fields: FieldMap) -> Roles:
    def role(explicit: str | None, defaults: tuple[str, ...]) -> _Role:
        if explicit is not None:
            return _Role((explicit.lower(),), explicit)
        return _Role(tuple(n.lower() for n in defaults), None)

    missing = (
        f"missing text field {fields.text!r}"
        if fields.text is not None
        else f"missing text (looked for: {', '.join(TEXT_FIELDS)})"
    )
    return Roles(
        title=role(fields.title, TITLE_FIELDS),
        text=role(fields.text, TEXT_FIELDS),
        date=role(fields.date, DATE_FIELDS),
        source=role(fields.source, SOURCE_FIELDS),
        url=role(fields.url, URL_FIELDS),
        id=role(fields.id, ID_FIELDS),
        missing_text=missing,
    )


def scalar_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):  # includes bool
        return str(value)
    return None


def _pick_text(record: dict[str, Any], keys: tuple[str, ...], used: list[str], source: bool = False) -> str | None:
    """The first usable (scalar, not blank) value among ``keys``; its key is added to ``used``."""
    for key in keys:
        value = record[key]
        if source and isinstance(value, dict):  # NewsAPI style: {"id": ..., "name": "CNN"}
            value = value.get("name")
        text = scalar_text(value)
        if text and not text.isspace():
            used.append(key)
            return text
    return None


def build(record: dict[str, Any], location: str, default_id: str, roles: Roles) -> Result:
    """Map one input record to an :class:`Article`, or say why it cannot be one."""
    plan = roles.plan(record)
    used: list[str] = []

    text = _pick_text(record, plan.text, used)
    if text is None:
        for key in plan.text:
            value = record[key]
            if isinstance(value, str):
                return SkippedRecord(location, "empty text")
            if value is not None and scalar_text(value) is None:
                return SkippedRecord(location, f"text field {key!r} holds {json_type(value)}, not text")
        return SkippedRecord(location, f"{roles.missing_text}; {_fields_found(record)}")

    title = _pick_text(record, plan.title, used) if plan.title else None
    source = _pick_text(record, plan.source, used, source=True) if plan.source else None
    url = _pick_text(record, plan.url, used) if plan.url else None
    article_id = _pick_text(record, plan.id, used) if plan.id else None

    published = None
    for key in plan.date:
        published = parse_date(record[key])
        if published is not None:  # an unparseable date stays in metadata
            used.append(key)
            break

    metadata = record.copy()
    for key in used:
        metadata.pop(key, None)  # a key can serve two roles with a FieldMap
    return Article(
        id=article_id or default_id,
        title=title or "",
        text=text,
        date=published,
        source=source,
        url=url,
        location=location,
        metadata=metadata,
    )


def _fields_found(record: dict[str, Any], shown: int = 8) -> str:
    keys = list(record)
    if not keys:
        return "the record has no fields"
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return f"its fields: {', '.join(repr(str(k)) for k in keys[:shown])}{more}"


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def lone_surrogate(record: dict[str, Any]) -> str | None:
    """Why ``record`` is no text, if a string in it (a key or a value, at any depth) holds a lone surrogate
    (``"\\ud800"`` in JSON decodes to one; it cannot be written as UTF-8). None when there is none."""
    stack: list[tuple[str | None, Any]] = [(None, record)]  # (the top-level field it is in, a value)
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return _surrogate_problem(f"field {where!r}", value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(str(key)):
                    return _surrogate_problem("a field name" if where is None else f"field {where!r}", str(key))
                stack.append((str(key) if where is None else where, item))
        elif isinstance(value, list):
            stack.extend((where, item) for item in value)
    return None


def _surrogate_problem(where: str, value: str) -> str:
    char = _SURROGATE.search(value)[0]  # type: ignore[index]
    return f"{where} holds a lone surrogate (\\u{ord(char):04x}), which is not Unicode text"
