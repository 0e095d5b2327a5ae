"""Clustering quality against labels: BCubed, pairwise, ARI/AMI/NMI, and duplicate-pair scores.

Definitions follow ``shared/data/README.md``:

- BCubed: for each article, precision = |its predicted cluster ∩ its true cluster| / |its predicted cluster|,
  recall = the same over |its true cluster|; both averaged over articles; F1 is their harmonic mean.
- Pairwise: over all article pairs, a true positive is a pair together in both truth and prediction.
- ARI / AMI / NMI: scikit-learn's ``adjusted_rand_score``, ``adjusted_mutual_info_score``,
  ``normalized_mutual_info_score``.

Labels are any hashable values; ``None`` (unlabelled, or not a duplicate) is a cluster of its own per article.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Hashable, Sequence

import numpy as np
from scipy import sparse
from sklearn import metrics

__all__ = ["Scores", "PairScores", "encode", "bcubed", "pairwise", "score_clustering"]


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class Scores:
    bcubed: PairScores
    pairwise: PairScores
    ari: float
    ami: float
    nmi: float
    predicted_clusters: int
    true_clusters: int

    def as_dict(self) -> dict:
        return {
            "bcubed": self.bcubed.as_dict(),
            "pairwise": self.pairwise.as_dict(),
            "ari": self.ari,
            "ami": self.ami,
            "nmi": self.nmi,
            "predicted_clusters": self.predicted_clusters,
            "true_clusters": self.true_clusters,
        }


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def encode(labels: Sequence[Hashable | None]) -> np.ndarray:
    """Integer codes for labels, in order of first appearance; each ``None`` gets a code of its own."""
    codes: dict[Hashable, int] = {}
    out = np.empty(len(labels), np.int64)
    for i, label in enumerate(labels):
        if label is None:
            out[i] = len(codes)
            codes[("__none__", i)] = out[i]
        else:
            out[i] = codes.setdefault(label, len(codes))
    return out


def _contingency(pred: np.ndarray, true: np.ndarray) -> sparse.csr_matrix:
    if len(pred) != len(true):
        raise ValueError(f"prediction has {len(pred)} labels but truth has {len(true)}")
    return sparse.coo_matrix(
        (np.ones(len(pred), np.int64), (pred, true)), shape=(pred.max() + 1, true.max() + 1)
    ).tocsr()


def bcubed(pred: Sequence[Hashable | None], true: Sequence[Hashable | None]) -> PairScores:
    """BCubed precision, recall and F1."""
    p, t = encode(pred), encode(true)
    if len(p) == 0:
        return PairScores(1.0, 1.0, 1.0)
    table = _contingency(p, t).tocoo()
    pred_sizes = np.bincount(p)
    true_sizes = np.bincount(t)
    n_ij = table.data.astype(np.float64)
    precision = float((n_ij**2 / pred_sizes[table.row]).sum() / len(p))
    recall = float((n_ij**2 / true_sizes[table.col]).sum() / len(p))
    return PairScores(precision, recall, _f1(precision, recall))


def pairwise(pred: Sequence[Hashable | None], true: Sequence[Hashable | None]) -> PairScores:
    """Pairwise precision, recall and F1. With no predicted (or true) pairs, precision (recall) is 1."""
    p, t = encode(pred), encode(true)
    if len(p) == 0:
        return PairScores(1.0, 1.0, 1.0)
    table = _contingency(p, t)
    both = float((table.data * (table.data - 1) // 2).sum())
    pred_pairs = float((np.bincount(p) * (np.bincount(p) - 1) // 2).sum())
    true_pairs = float((np.bincount(t) * (np.bincount(t) - 1) // 2).sum())
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return PairScores(precision, recall, _f1(precision, recall))


def score_clustering(pred: Sequence[Hashable | None], true: Sequence[Hashable | None]) -> Scores:
    """Every clustering score of ``pred`` against ``true``."""
    p, t = encode(pred), encode(true)
    return Scores(
        bcubed=bcubed(pred, true),
        pairwise=pairwise(pred, true),
        ari=float(metrics.adjusted_rand_score(t, p)),
        ami=float(metrics.adjusted_mutual_info_score(t, p)),
        nmi=float(metrics.normalized_mutual_info_score(t, p)),
        predicted_clusters=int(len(np.unique(p))),
        true_clusters=int(len(np.unique(t))),
    )


def story_scores(pred: Sequence[Hashable | None], true: Sequence[Hashable | None]) -> dict:
    """Story clustering scores, as a JSON-ready dict."""
    return score_clustering(pred, true).as_dict()


def duplicate_scores(pred_groups: Sequence[Hashable | None], true_groups: Sequence[Hashable | None]) -> dict:
    """Pair precision, recall and F1 of duplicate groups (``None``: not a copy of anything), plus counts."""
    scores = pairwise(pred_groups, true_groups).as_dict()
    for name, groups in (("predicted_pairs", pred_groups), ("true_pairs", true_groups)):
        sizes = np.bincount(encode(groups)) if len(groups) else np.zeros(0, np.int64)
        scores[name] = int((sizes * (sizes - 1) // 2).sum())
    return scores


def score_result(result, label_field: str, dup_label_field: str | None = None) -> dict:
    """Score a :class:`storyclust.pipeline.Result` against labels kept in each article's metadata."""
    articles = result.articles
    missing = sum(label_field not in a.metadata for a in articles)
    if missing == len(articles) and articles:
        raise ValueError(
            f"no article has the label field {label_field!r}; fields seen: "
            f"{sorted({k for a in articles[:100] for k in a.metadata})}"
        )
    out: dict = {"articles": len(articles), "unlabelled": missing}
    if result.stories is not None:
        truth = [a.metadata.get(label_field) for a in articles]
        out["stories"] = story_scores(result.stories.story_of.tolist(), truth)
    if dup_label_field:
        groups = [int(g) if g >= 0 else None for g in result.dedup.group_of]
        out["duplicates"] = duplicate_scores(groups, [a.metadata.get(dup_label_field) for a in articles])
    return out


def score_predictions(
    predictions: Sequence[dict], truth: dict[str, dict], label_field: str, dup_label_field: str | None = None
) -> dict:
    """Score rows of an ``articles.jsonl`` output against ``truth`` records keyed by article id.

    Every predicted article must have a truth record and the reverse: a mismatch is an error, not a silent
    drop.
    """
    ids = [row["id"] for row in predictions]
    unknown = [i for i in ids if i not in truth]
    absent = set(truth) - set(ids)
    if unknown or absent:
        sample = (unknown or sorted(absent))[:5]
        raise ValueError(
            f"predictions and truth cover different articles: {len(unknown)} predicted ids have no truth "
            f"record, {len(absent)} truth ids have no prediction (for example {sample})"
        )
    out: dict = {"articles": len(ids), "unlabelled": sum(label_field not in truth[i] for i in ids)}
    if predictions and "story_id" in predictions[0]:
        out["stories"] = story_scores(
            [row["story_id"] for row in predictions], [truth[i].get(label_field) for i in ids]
        )
    if dup_label_field:
        out["duplicates"] = duplicate_scores(
            [row.get("dup_group") for row in predictions], [truth[i].get(dup_label_field) for i in ids]
        )
    return out
