"""The identity rejoin: a lone article joins the story that shares its distinctive identity.

The clustering leaves many articles of one event apart from the rest of its coverage: a follow-up on the
charges that shares the victim's name but few topic words, an article the identity split cut loose from the
wrong story. Such an article and its event's story are often the only two stories in the corpus that carry
some name or age: a feature that only the two of them hold, among thousands of stories, is as distinctive as
identity gets. A national figure, a city or a hospital is held by many stories and never counts.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .identity import IdentityBlock
from .timeline import date_ranges, ranges_within, seconds

__all__ = ["rejoin_by_identity"]


def _unit_rows(m: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    return (sparse.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ m).tocsr()


def rejoin_by_identity(
    labels: np.ndarray,
    block: IdentityBlock,
    stamps: np.ndarray,
    *,
    threshold: float,
    min_features: int,
    max_gap_days: float | None,
) -> np.ndarray:
    """Let every story of one article join the story it shares an exclusive identity feature with (one held by
    these two stories and no other) when the cosine of their identity sums (``block.matrix``, the
    burst-weighted rows) reaches ``threshold`` and their date ranges lie within ``max_gap_days`` (``None``:
    any gap). Only articles with at least ``min_features`` identity features count, in the sums and as lone
    articles. A lone article with several such stories joins the closest (ties: the lower label); two lone
    articles may join each other. Stories of two or more articles never join each other here.

    Returns new labels (``0..k-1``)."""
    labels = np.asarray(labels, np.int64)
    n = len(labels)
    if n == 0 or block.matrix.shape[1] == 0:
        return labels.copy()
    k = int(labels.max()) + 1
    eligible = (block.features >= min_features).astype(np.float64)
    membership = sparse.csr_matrix((eligible, (labels, np.arange(n))), shape=(k, n))
    sums = (membership @ block.matrix.astype(np.float64)).tocsr()
    sums.eliminate_zeros()
    held = sums.copy()
    held.data[:] = 1.0
    stories_holding = np.asarray(held.sum(axis=0)).ravel()
    exclusive = (held @ sparse.diags((stories_holding == 2).astype(np.float64))).tocsr()
    exclusive.eliminate_zeros()
    shared = sparse.triu(exclusive @ exclusive.T, k=1).tocoo()
    a, b = shared.row.astype(np.int64), shared.col.astype(np.int64)
    size = np.bincount(labels, minlength=k)
    lone = size == 1
    keep = lone[a] | lone[b]
    a, b = a[keep], b[keep]
    if len(a) == 0:
        return _relabelled(labels)
    unit = _unit_rows(sums)
    cosine = np.asarray(unit[a].multiply(unit[b]).sum(axis=1)).ravel()
    keep = cosine >= threshold
    if max_gap_days is not None:
        first, last = date_ranges(labels, stamps, k)
        keep &= ranges_within(first[a], last[a], first[b], last[b], seconds(max_gap_days))
    a, b, cosine = a[keep], b[keep], cosine[keep]
    # Each lone story's best partner: both directions, highest cosine first, then the lower partner label.
    x = np.concatenate([a, b])
    y = np.concatenate([b, a])
    c = np.concatenate([cosine, cosine])
    from_lone = lone[x]
    x, y, c = x[from_lone], y[from_lone], c[from_lone]
    if len(x) == 0:
        return _relabelled(labels)
    order = np.lexsort((y, -c, x))
    x, y = x[order], y[order]
    first_of = np.r_[True, x[1:] != x[:-1]]
    x, y = x[first_of], y[first_of]
    graph = sparse.csr_matrix((np.ones(len(x)), (x, y)), shape=(k, k))
    _, component = connected_components(graph, directed=False)
    return _relabelled(component[labels])


def _relabelled(labels: np.ndarray) -> np.ndarray:
    _, out = np.unique(labels, return_inverse=True)
    return out.astype(np.int64)
