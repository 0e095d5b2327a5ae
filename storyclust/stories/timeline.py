"""Time in the story stage: dates as POSIX seconds, days as seconds, and the one test of "within the gap".

A date becomes a stamp by :func:`storyclust.records.stamp` (naive datetimes are UTC); an undated article's
stamp is NaN. A setting in days becomes seconds by :func:`seconds`, where ``None`` (off) is an infinite gap.
Two date ranges are within a gap when the time between them (0 when they overlap) is at most the gap, and
a range without dates is within any gap of anything: :func:`within` (one pair, also inside numba kernels)
and :func:`ranges_within` (arrays).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Sequence

import numba
import numpy as np

from ..records import stamp

__all__ = ["DAY", "seconds", "stamps", "within", "ranges_within", "date_ranges"]

DAY = 86400.0  # seconds


def seconds(days: float | None) -> float:
    """``days`` in seconds; ``None`` (off) is an infinite span."""
    return math.inf if days is None else days * DAY


def stamps(dates: Sequence[datetime | None]) -> np.ndarray:
    """Each date's POSIX seconds (:func:`storyclust.records.stamp`), NaN where there is none."""
    return np.array([stamp(d) for d in dates], dtype=np.float64)


@numba.njit(cache=True, inline="always")
def within(first_a, last_a, first_b, last_b, gap):
    """Whether ranges ``[first_a, last_a]`` and ``[first_b, last_b]`` lie at most ``gap`` seconds apart. A
    range whose first stamp is not finite (NaN for an undated article, inf for a unit without dates) is
    within any gap."""
    if not (np.isfinite(first_a) and np.isfinite(first_b)):
        return True
    return max(first_a, first_b) - min(last_a, last_b) <= gap


@numba.njit(cache=True)
def ranges_within(first_a, last_a, first_b, last_b, gap):
    """:func:`within` for every ``i`` of the arrays."""
    out = np.empty(len(first_a), np.bool_)
    for i in range(len(first_a)):
        out[i] = within(first_a[i], last_a[i], first_b[i], last_b[i], gap)
    return out


def date_ranges(units: np.ndarray, stamps: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's first and last stamp (inf and -inf when it has no dated article)."""
    first = np.full(k, np.inf)
    last = np.full(k, -np.inf)
    dated = ~np.isnan(stamps)
    np.minimum.at(first, units[dated], stamps[dated])
    np.maximum.at(last, units[dated], stamps[dated])
    return first, last
