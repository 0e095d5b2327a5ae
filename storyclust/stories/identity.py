"""Event identity in the story stage: weighing each article's identity features (:mod:`.features`) and cutting
stories by them.

:func:`identity_block` weighs the features like TF-IDF, times a burst weight (how concentrated in time a
feature's coverage is: a victim's name comes in one burst, a president's or a city's is spread over years),
after dropping each source's template features. :func:`split_by_identity` cuts a story into the parts whose
members share identity.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .timeline import DAY

__all__ = ["identity_block", "IdentityBlock", "combine", "split_by_identity", "burst_weights"]


def _drop_source_templates(features: list[list[str]], sources: Sequence[str | None], share: float,
                           min_articles: int) -> list[list[str]]:
    """Drop a feature from a source's articles when more than ``share`` of that source's articles (at least
    ``min_articles``) carry it: a site's or station's name, the city in every one of its headlines."""
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, source in enumerate(sources):
        if source:
            by_source[source].append(i)
    out = list(features)
    for rows in by_source.values():
        if len(rows) < min_articles:
            continue
        df = Counter(f for i in rows for f in set(features[i]))
        template = {f for f, c in df.items() if c > share * len(rows)}
        if template:
            for i in rows:
                out[i] = [f for f in features[i] if f not in template]
    return out


def burst_weights(counts: sparse.csr_matrix, stamps: np.ndarray, window_days: float) -> np.ndarray:
    """Per column: the share of its pairs of dated articles that lie within ``window_days`` of each other
    (1.0 where fewer than two of its articles are dated)."""
    csc = counts.tocsc()
    csc.sort_indices()
    columns = np.repeat(np.arange(csc.shape[1]), np.diff(csc.indptr))
    t = stamps[csc.indices]
    dated = ~np.isnan(t)
    columns, t = columns[dated], t[dated]
    k = np.bincount(columns, minlength=csc.shape[1])
    out = np.ones(csc.shape[1])
    if len(t) == 0:
        return out
    window = window_days * DAY
    # One sort over (column, date): offsetting each column by more than the span keeps columns apart.
    span = float(t.max() - t.min()) + 2 * window + 1.0
    key = columns * span + (t - t.min())
    order = np.argsort(key, kind="stable")
    key, columns = key[order], columns[order]
    ends = np.cumsum(k)
    later = np.minimum(np.searchsorted(key, key + window, side="right"), ends[columns])
    within = np.bincount(columns, weights=later - np.arange(len(key)) - 1, minlength=csc.shape[1])
    pairs = k * (k - 1) / 2.0
    many = k >= 2
    out[many] = within[many] / pairs[many]
    return out


@dataclass
class IdentityBlock:
    """``matrix``: the identity TF-IDF rows with burst-weighted IDF, L2-normalised over every feature before
    the ones in fewer than ``min_df`` articles or more than ``max_df`` of them were dropped (``residual`` is
    the dropped part's squared norm, as in :class:`.vectorize.Representation`); ``plain``: the same rows with
    IDF alone, which the identity split reads (a name that recurs over years still says two articles are
    about the same people); ``features``: each article's kept identity features; ``names``: the text of the
    columns."""

    matrix: sparse.csr_matrix
    residual: np.ndarray
    features: np.ndarray
    names: np.ndarray
    plain: sparse.csr_matrix | None = None

    @property
    def present(self) -> np.ndarray:
        """Whether each article carries any kept identity feature."""
        return self.features > 0

    @property
    def split_rows(self) -> sparse.csr_matrix:
        return self.matrix if self.plain is None else self.plain


def _weighted(counts: sparse.csr_matrix, idf: np.ndarray, allowed: np.ndarray,
              keep: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    weights = counts.copy()
    weights.data = (1.0 + np.log(weights.data)) * idf[weights.indices] * allowed[weights.indices]
    weights.eliminate_zeros()
    squares = np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
    norms = np.sqrt(squares)
    weights = sparse.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ weights
    kept = weights[:, keep].tocsr()
    kept.sort_indices()
    inside = np.asarray(kept.multiply(kept).sum(axis=1)).ravel()
    residual = np.where(squares > 0, np.clip(1.0 - inside, 0.0, None), 0.0)
    return kept.astype(np.float32), residual


def identity_block(
    features: list[list[str]],
    stamps: np.ndarray,
    sources: Sequence[str | None],
    *,
    burst_days: float | None = 14.0,
    min_df: int = 2,
    max_df: float = 0.5,
    template_share: float = 0.5,
    template_min: int = 5,
) -> IdentityBlock:
    """The identity TF-IDF block: sublinear tf, smooth idf times :func:`burst_weights` (``burst_days=None``:
    no burst weight), after each source's template features are dropped."""
    n = len(features)
    features = _drop_source_templates(features, sources, template_share, template_min)
    vocabulary: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, fs in enumerate(features):
        for f, c in Counter(fs).items():
            rows.append(i)
            cols.append(vocabulary.setdefault(f, len(vocabulary)))
            vals.append(c)
    counts = sparse.csr_matrix((np.array(vals, float), (np.array(rows, np.int64), np.array(cols, np.int64))),
                               shape=(n, len(vocabulary)))
    names = np.empty(len(vocabulary), dtype=object)
    for f, j in vocabulary.items():
        names[j] = f
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    allowed = df <= (max_df if n >= 20 else 1.0) * n
    keep = np.flatnonzero(allowed & (df >= min_df))
    plain, plain_residual = _weighted(counts, idf, allowed, keep)
    present = np.diff(plain.indptr)
    if burst_days is None or len(df) == 0:
        return IdentityBlock(plain, plain_residual, present, names[keep])
    matrix, residual = _weighted(counts, idf * burst_weights(counts, stamps, burst_days), allowed, keep)
    return IdentityBlock(matrix, residual, present, names[keep], plain)


def combine(
    tfidf: sparse.csr_matrix, residual: np.ndarray, block: IdentityBlock, weight: float
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Rows ``[sqrt(1 - weight) T, sqrt(weight) E]`` for articles with identity features, ``[T, 0]`` for the
    others; unit rows stay unit rows (with their residuals scaled alike)."""
    has = block.present
    a = np.where(has, np.sqrt(1.0 - weight), 1.0)
    b = np.where(has, np.sqrt(weight), 0.0)
    rows = sparse.hstack([sparse.diags(a) @ tfidf, sparse.diags(b) @ block.matrix], format="csr")
    return rows.astype(np.float32), a * a * residual + b * b * block.residual


def split_by_identity(
    labels: np.ndarray,
    block: IdentityBlock,
    *,
    threshold: float,
    min_features: int,
    min_part: int = 1,
    topic: sparse.csr_matrix | None = None,
) -> np.ndarray:
    """Cut every story into the connected components of its members' identity graph: an edge joins two
    members whose identity cosine (``block.split_rows``) reaches ``threshold``. Only members with at least
    ``min_features`` identity features take part. The others, and the members of parts smaller than
    ``min_part``, join the part their ``topic`` row is closest to (cosine to the part's sum; without
    ``topic``: the largest part). A story with fewer than two parts of ``min_part`` stays whole.
    Returns new labels (``0..k-1``)."""
    labels = np.asarray(labels, np.int64)
    out = labels.copy()
    next_label = int(labels.max()) + 1 if len(labels) else 0
    massive = block.features >= min_features
    rows = block.split_rows
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1], True])
    for s in range(len(bounds) - 1):
        members = order[bounds[s]:bounds[s + 1]]
        voters = members[massive[members]]
        if len(voters) < 2 * min_part or len(voters) < 2:
            continue
        sub = rows[voters]
        linked = (sub @ sub.T).tocsr()
        linked.data = (linked.data >= threshold).astype(np.int8)
        linked.eliminate_zeros()
        count, part = connected_components(linked, directed=False)
        if count < 2:
            continue
        sizes = np.bincount(part, minlength=count)
        big = np.flatnonzero(sizes >= min_part)
        if len(big) < 2:
            continue
        # Parts in order of size (largest first, ties by first member): the largest keeps the story's label.
        first = np.full(count, len(voters))
        np.minimum.at(first, part, np.arange(len(voters)))
        big = big[np.lexsort((first[big], -sizes[big]))]
        new = np.empty(len(big), np.int64)
        new[0] = labels[members[0]]
        new[1:] = next_label + np.arange(len(big) - 1)
        next_label += len(big) - 1
        label_of_part = np.full(count, -1, np.int64)
        label_of_part[big] = new
        voter_label = label_of_part[part]
        placed = voters[voter_label >= 0]
        out[placed] = voter_label[voter_label >= 0]
        rest = np.setdiff1d(members, placed)
        if len(rest) == 0:
            continue
        if topic is None:
            out[rest] = new[0]
            continue
        position = {int(x): i for i, x in enumerate(new.tolist())}
        index = np.array([position[int(x)] for x in out[placed].tolist()], np.int64)
        indicator = sparse.csr_matrix((np.ones(len(placed)), (index, np.arange(len(placed)))),
                                      shape=(len(big), len(placed)))
        sums = (indicator @ topic[placed]).tocsr()
        norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
        scores = np.asarray((topic[rest] @ sums.T).todense()) / np.where(norms > 0, norms, 1.0)
        out[rest] = new[np.argmax(scores, axis=1)]
    _, relabelled = np.unique(out, return_inverse=True)
    return relabelled.astype(np.int64)
