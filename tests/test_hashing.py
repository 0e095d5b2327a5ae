"""The shared hashing primitives: the splitmix64 finaliser and the linear-probing table."""

from __future__ import annotations

import numba
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from storyclust.hashing import MIX_1, MIX_2, finalize, finalize_nonzero, probe, table_size

_MASK = (1 << 64) - 1


def splitmix64_finaliser(h: int) -> int:
    """The finaliser in Python integers, the oracle."""
    h = ((h ^ (h >> 30)) * int(MIX_1)) & _MASK
    h = ((h ^ (h >> 27)) * int(MIX_2)) & _MASK
    return h ^ (h >> 31)


@numba.njit
def _finalize_all(values):
    out = np.empty_like(values)
    nonzero = np.empty_like(values)
    for i in range(len(values)):
        out[i] = finalize(values[i])
        nonzero[i] = finalize_nonzero(values[i])
    return out, nonzero


@numba.njit
def _insert_all(keys, values):
    mask = len(keys) - 1
    for v in values:
        keys[probe(keys, v, np.int64(v & np.uint64(mask)), np.uint64(0))] = v
    found = np.empty(len(values), np.bool_)
    for i in range(len(values)):
        v = values[i]
        found[i] = keys[probe(keys, v, np.int64(v & np.uint64(mask)), np.uint64(0))] == v
    return found


@given(st.lists(st.integers(0, _MASK), min_size=1, max_size=30))
def test_finalize_is_splitmix64s_and_the_nonzero_variant_differs_only_at_zero(values: list[int]) -> None:
    out, nonzero = _finalize_all(np.array(values, np.uint64))
    assert [int(x) for x in out] == [splitmix64_finaliser(v) for v in values]
    assert [int(x) for x in nonzero] == [int(x) or 1 for x in out]
    assert int(_finalize_all(np.zeros(1, np.uint64))[1][0]) == 1  # 0 finalises to 0, which marks an empty slot


@given(st.lists(st.integers(1, _MASK), min_size=1, max_size=60))
def test_probing_finds_every_key_inserted_once(values: list[int]) -> None:
    keys = np.zeros(table_size(2 * len(values)), np.uint64)
    assert _insert_all(keys, np.array(values, np.uint64)).all()
    assert sorted(int(k) for k in keys if k) == sorted(set(values))  # each key holds one slot


def test_table_size_is_a_power_of_two_of_at_least_16() -> None:
    assert [table_size(n) for n in (0, 16, 17, 1000)] == [16, 16, 32, 1024]
