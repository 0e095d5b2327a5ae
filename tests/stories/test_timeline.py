"""Stamps, days in seconds and the gap test against hand-computed cases."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from storyclust.records import stamp
from storyclust.stories.timeline import DAY, date_ranges, ranges_within, seconds, stamps, within


def test_naive_dates_are_utc_and_missing_dates_are_nan() -> None:
    aware = datetime(2024, 3, 1, 12, tzinfo=timezone.utc)
    assert stamp(aware.replace(tzinfo=None)) == stamp(aware) == 1709294400.0
    assert stamp(datetime(2024, 3, 1, 14, tzinfo=timezone(timedelta(hours=2)))) == stamp(aware)
    assert math.isnan(stamp(None))
    out = stamps([aware, None])
    assert out[0] == 1709294400.0 and math.isnan(out[1])


def test_days_become_seconds_and_none_is_an_infinite_span() -> None:
    assert seconds(1) == DAY == 86400.0
    assert seconds(180.0) == 180 * 86400.0
    assert seconds(None) == math.inf


def test_the_gap_is_measured_between_ranges() -> None:
    gap = seconds(10)
    assert within(0.0, 5 * DAY, 15 * DAY, 20 * DAY, gap)  # 10 days apart: at the limit
    assert not within(0.0, 5 * DAY, 15 * DAY + 1, 20 * DAY, gap)
    assert within(0.0, 30 * DAY, 15 * DAY, 20 * DAY, gap)  # overlapping ranges
    assert within(40 * DAY, 50 * DAY, 0.0, 30 * DAY, gap)  # order does not matter
    assert within(0.0, 0.0, 1000 * DAY, 1000 * DAY, math.inf)  # no gate


def test_an_undated_side_is_within_any_gap() -> None:
    assert within(math.nan, math.nan, 0.0, 0.0, 0.0)
    assert within(0.0, 0.0, math.inf, -math.inf, 0.0)  # a unit without dates: date_ranges' inf / -inf
    first, last = date_ranges(np.array([0, 0, 1]), np.array([5.0, 2.0, np.nan]), 3)
    assert first.tolist() == [2.0, math.inf, math.inf] and last.tolist() == [5.0, -math.inf, -math.inf]


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 50), st.integers(0, 100), st.integers(0, 50)),
                min_size=1, max_size=20), st.integers(0, 60))
def test_ranges_within_is_within_for_every_pair(ranges, gap_days: int) -> None:
    a_first = np.array([r[0] for r in ranges], float) * DAY
    a_last = a_first + np.array([r[1] for r in ranges], float) * DAY
    b_first = np.array([r[2] for r in ranges], float) * DAY
    b_last = b_first + np.array([r[3] for r in ranges], float) * DAY
    got = ranges_within(a_first, a_last, b_first, b_last, seconds(gap_days))
    # the time between two ranges: 0 when they overlap, else from the end of the earlier to the start of the later
    apart = np.maximum(0.0, np.maximum(a_first - b_last, b_first - a_last))
    assert got.tolist() == (apart <= gap_days * DAY).tolist()
