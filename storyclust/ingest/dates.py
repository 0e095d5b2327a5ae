"""Publication dates: every date form the readers accept, turned into a timezone-aware UTC datetime."""

from __future__ import annotations

import math
import numbers
import re
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["parse_date"]

# Plausible Unix timestamps: 1973-03-03 (1e8 s) up to 2100-01-01 in seconds, or that range in milliseconds.
# Smaller numbers are more likely years or YYYYMMDD dates than timestamps.
_MIN_EPOCH_S = 100_000_000
_MAX_EPOCH_S = 4_102_444_800
_SLASH_DATE = re.compile(
    r"(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?")


def parse_date(value: object) -> datetime | None:
    """Parse a publication date into a timezone-aware UTC datetime, or return None.

    Accepts ``datetime``/``date`` objects, ISO 8601 strings (date only, with time, ``Z`` or an offset),
    RFC 2822 strings (RSS ``pubDate``), ``YYYY/MM/DD[ HH:MM[:SS]]`` and Unix timestamps (numbers or
    numeric strings, in seconds or milliseconds, from 1973 to 2100). Naive values are taken as UTC.
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
    if x >= _MIN_EPOCH_S * 1000:
        x /= 1000.0
    if not _MIN_EPOCH_S <= x < _MAX_EPOCH_S:
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
    try:
        return parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
