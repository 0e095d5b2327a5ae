"""The one top-k insertion the story kernels share: bounded best-first lists kept by insertion."""

from __future__ import annotations

import numba

__all__ = ["push"]


@numba.njit(cache=True, inline="always")
def push(ids, best, i, s, cid):
    """Offer ``cid`` with value ``s`` to list ``i``: ``ids[i]`` and ``best[i]`` hold up to ``ids.shape[1]``
    entries, best first, ties by the lower id; id -1 and value -inf in empty slots. An id already listed
    keeps the larger of its values, so a list never depends on the order in which its candidates arrive."""
    k = ids.shape[1]
    if ids[i, k - 1] >= 0 and (s < best[i, k - 1] or (s == best[i, k - 1] and cid > ids[i, k - 1])):
        return
    slot = k - 1
    for q in range(k):
        if ids[i, q] < 0:
            slot = q
            break
        if ids[i, q] == cid:
            if not s > best[i, q]:
                return
            slot = q
            break
    while slot > 0 and (s > best[i, slot - 1] or (s == best[i, slot - 1] and cid < ids[i, slot - 1])):
        best[i, slot] = best[i, slot - 1]
        ids[i, slot] = ids[i, slot - 1]
        slot -= 1
    best[i, slot] = s
    ids[i, slot] = cid
