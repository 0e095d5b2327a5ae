"""Publication dates: every date form the readers accept, turned into a timezone-aware UTC datetime."""

from __future__ import annotations

import math
import numbers
import re
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["parse_date"]

# Plausible Unix timestamps: 1973-03-03 (1e8 s) up to 2100-01-01 in seconds (9-10 digits), or 2001-09-09
# (1e12 ms) up to 2100 in milliseconds (13 digits). Smaller numbers are more likely years or YYYYMMDD dates;
# 11-12 digits would be seconds after 2100 or milliseconds before 2001, and are not read as dates (a
# 253402300800 "end of time" marker is no 1978 date).
_MIN_EPOCH_S = 100_000_000
_MAX_EPOCH_S = 4_102_444_800
_MIN_EPOCH_MS = 1_000_000_000_000
_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")
_MONTHS = {
    name: n
    for n, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
         ("nov", "november"), ("dec", "december")],
        1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_TIME = r"(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?"
_WEEKDAY = r"(?:[a-z]+,?\s+)?"
_MONTH_FIRST = re.compile(_WEEKDAY + _MONTH + r"\s+" + _DAY + r",?\s+(\d{4})" + _TIME, re.IGNORECASE)
_DAY_FIRST = re.compile(_WEEKDAY + _DAY + r"\s+" + _MONTH + r",?\s+(\d{4})" + _TIME, re.IGNORECASE)
_SLASH_DATE = re.compile(
    r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?")


def parse_date(value: object) -> datetime | None:
    """Parse a publication date into a timezone-aware UTC datetime, or return None.

    Accepts ``datetime``/``date`` objects, ISO 8601 strings (date only, with time, ``Z`` or an offset),
    RFC 2822 strings (RSS ``pubDate``), ``YYYY/MM/DD[ HH:MM[:SS]]``, dates with a month name
    (``March 1, 2020``, ``1 Mar 2020 10:30``, ``Sunday, March 1st, 2020 at 4:05 pm``), a year or a year and
    month alone (``2020``, ``2020-03``: the period's first day) and Unix timestamps (numbers or numeric
    strings: 9-10 digits in seconds from 1973 to 2100, 13 digits in milliseconds from 2001 to 2100). Naive
    values are taken as UTC.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        dt: datetime | None = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, numbers.Real):
        return _from_epoch(float(value))
    elif isinstance(value, str):
        dt = _parse_date_string(value.strip())
    else:
        return None
    if dt is None:
        return None
    try:
        if dt.tzinfo is None or dt.utcoffset() is None:
            return dt.replace(tzinfo=timezone.utc)
        return dt.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


def _from_epoch(x: float) -> datetime | None:
    if not math.isfinite(x):
        return None
    if _MIN_EPOCH_MS <= x < _MAX_EPOCH_S * 1000:
        x /= 1000.0
    elif not _MIN_EPOCH_S <= x < _MAX_EPOCH_S:
        return None
    return datetime.fromtimestamp(x, tz=timezone.utc)


def _parse_date_string(s: str) -> datetime | None:
    if not s:
        return None
    if _NUMBER.fullmatch(s):
        stamp = _from_epoch(float(s))
        if stamp is not None or not s.isdigit():
            return stamp  # digits that are no timestamp may still be an ISO basic date (20240105)
    iso = s[:-1] + "+00:00" if s[-1] in "zZ" else s
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    m = _SLASH_DATE.fullmatch(s)
    if m:
        try:
            return datetime(*(int(g) for g in m.groups() if g is not None))
        except ValueError:
            return None
    m = _YEAR_MONTH.fullmatch(s)
    if m:
        try:
            return datetime(int(m[1]), int(m[2] or 1), 1)
        except ValueError:
            return None
    named = _named_month(s)
    if named is not None:
        return named
    try:
        return parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _named_month(s: str) -> datetime | None:
    """``March 1, 2020`` or ``1 March 2020``, each with an optional weekday before and time after."""
    m = _MONTH_FIRST.fullmatch(s)
    if m:
        month, day, year, *clock = m.groups()
    else:
        m = _DAY_FIRST.fullmatch(s)
        if not m:
            return None
        day, month, year, *clock = m.groups()
    hour, minute, second, half = clock
    h = int(hour or 0)
    if half:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half[0].lower() == "p" else 0)
    try:
        return datetime(int(year), _MONTHS[month.lower()], int(day), h, int(minute or 0), int(second or 0))
    except ValueError:
        return None
