"""Top-k insertion against a full sort."""

from __future__ import annotations

import numba
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from storyclust.stories.topk import push


@numba.njit
def _offer_all(ids, best, values, candidates):
    for i in range(len(values)):
        push(ids, best, 0, values[i], candidates[i])


@given(st.lists(st.tuples(st.integers(0, 12), st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])), min_size=0,
                max_size=40), st.integers(1, 6))
def test_a_list_holds_the_k_best_ids_by_their_best_value_ties_to_the_lower_id(offers, k: int) -> None:
    ids = np.full((1, k), -1, np.int64)
    best = np.full((1, k), -np.inf)
    _offer_all(ids, best, np.array([v for _, v in offers], float), np.array([c for c, _ in offers], np.int64))
    top: dict[int, float] = {}
    for cid, value in offers:  # an id offered twice keeps its larger value
        top[cid] = max(top.get(cid, -np.inf), value)
    want = sorted(top.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    got = [(int(c), float(v)) for c, v in zip(ids[0], best[0]) if c >= 0]
    assert got == want
