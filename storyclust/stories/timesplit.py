"""The time split: a story never spans a gap in its coverage longer than ``max_gap_days``."""

from __future__ import annotations

import numpy as np

from .timeline import ranges_within, seconds

__all__ = ["split_by_time"]


def split_by_time(
    labels: np.ndarray, stamps: np.ndarray, points: np.ndarray, *, max_gap_days: float | None
) -> np.ndarray:
    """Split every cluster wherever its sorted dates leave a gap longer than ``max_gap_days`` (``None``: off).

    Undated members join the part whose centroid is closest. Returns new labels.
    """
    if max_gap_days is None or len(labels) == 0:
        return labels
    out = labels.copy()
    next_label = int(labels.max()) + 1
    gap = seconds(max_gap_days)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    for members in np.split(order, bounds):
        dated = members[~np.isnan(stamps[members])]
        if len(dated) < 2:
            continue
        dated = dated[np.argsort(stamps[dated], kind="stable")]
        when = stamps[dated]
        cuts = np.flatnonzero(~ranges_within(when[:-1], when[:-1], when[1:], when[1:], gap)) + 1
        if len(cuts) == 0:
            continue
        parts = np.split(dated, cuts)
        part_labels = np.array([labels[members[0]]] + list(range(next_label, next_label + len(parts) - 1)))
        next_label += len(parts) - 1
        for part, part_label in zip(parts, part_labels):
            out[part] = part_label
        undated = members[np.isnan(stamps[members])]
        if len(undated):
            centroids = np.stack([_unit_vector(points[part].sum(axis=0)) for part in parts])
            out[undated] = part_labels[(points[undated] @ centroids.T).argmax(axis=1)]
    return out


def _unit_vector(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else v
