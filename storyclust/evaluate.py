"""Clustering quality against labels: BCubed, pairwise, ARI/AMI/NMI, windowed BCubed and duplicate-pair scores.

Definitions follow ``shared/data/README.md``:

- BCubed: for each article, precision = |its predicted cluster ∩ its true cluster| / |its predicted cluster|,
  recall = the same over |its true cluster|; both averaged over articles; F1 is their harmonic mean.
- Pairwise: over all article pairs of the whole stream, a true positive is a pair together in both truth and
  prediction; precision = true positives / predicted pairs, recall = true positives / true pairs. This is the
  protocol of Priberam's published story-clustering scores (Miranda et al. 2018, their ``eval_lib.ScoreSet``),
  except that here a clustering with no predicted (true) pairs has precision (recall) 1, where theirs has 0.
- Windowed BCubed (:func:`windowed_bcubed`): the protocol of SCStory's published scores (Yoon et al. 2023,
  ``SCStory.py``: ``window_size=7``, ``slide_size=1``, ``b3.calc_b3`` per window, ``np.mean`` over windows).
  Articles are placed on UTC calendar days. For every day that holds at least one article, the window is that
  day and the 6 days before it (7 days in all); BCubed precision, recall and F1 are computed over the articles
  of that window alone, and each of the three is averaged over the windows, every window counting once.
  Undated articles belong to no window: they are left out of this score (and counted), not of the others.
- ARI / AMI / NMI: scikit-learn's ``adjusted_rand_score``, ``adjusted_mutual_info_score``,
  ``normalized_mutual_info_score``.

Labels are any hashable values; ``None`` (unlabelled, or not a duplicate) is a cluster of its own per article.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Hashable, Sequence

import numpy as np
from sklearn import metrics

from .export import read_rows
from .records import Article, InputError

__all__ = [
    "PairScores",
    "Scores",
    "WindowScores",
    "encode",
    "bcubed",
    "pairwise",
    "windowed_bcubed",
    "score_clustering",
    "story_scores",
    "duplicate_scores",
    "score_result",
    "score_predictions",
    "read_truth",
    "read_predictions",
]

WINDOW_DAYS = 7  # SCStory's window_size
STEP_DAYS = 1  # SCStory's slide_size


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class WindowScores:
    """BCubed averaged over time windows (:func:`windowed_bcubed`).

    ``precision``, ``recall`` and ``f1`` are means over the ``windows`` scored windows (None when no article
    is dated); ``dated`` and ``undated`` count the articles that were and were not placed in a window.
    """

    precision: float | None
    recall: float | None
    f1: float | None
    windows: int
    dated: int
    undated: int
    window_days: int
    step_days: int

    def as_dict(self) -> dict[str, Any]:
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
    bcubed_windows: WindowScores | None = None

    def as_dict(self) -> dict:
        out = {
            "bcubed": self.bcubed.as_dict(),
            "pairwise": self.pairwise.as_dict(),
            "ari": self.ari,
            "ami": self.ami,
            "nmi": self.nmi,
            "predicted_clusters": self.predicted_clusters,
            "true_clusters": self.true_clusters,
        }
        if self.bcubed_windows is not None:
            out["bcubed_windows"] = self.bcubed_windows.as_dict()
        return out


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


def _codes(pred: Sequence[Hashable | None], true: Sequence[Hashable | None]) -> tuple[np.ndarray, np.ndarray]:
    if len(pred) != len(true):
        raise ValueError(f"prediction has {len(pred)} labels but truth has {len(true)}")
    return encode(pred), encode(true)


def _cells(p: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each non-empty cell of the contingency table: its count and the sizes of its two clusters."""
    _, p = np.unique(p, return_inverse=True)
    _, t = np.unique(t, return_inverse=True)
    cell, count = np.unique(p * (t.max() + 1) + t, return_counts=True)
    pred_sizes, true_sizes = np.bincount(p), np.bincount(t)
    return count, pred_sizes[cell // (t.max() + 1)], true_sizes[cell % (t.max() + 1)]


def _bcubed(p: np.ndarray, t: np.ndarray) -> PairScores:
    if len(p) == 0:
        return PairScores(1.0, 1.0, 1.0)
    n_ij, pred_size, true_size = _cells(p, t)
    n_ij = n_ij.astype(np.float64)
    precision = float((n_ij**2 / pred_size).sum() / len(p))
    recall = float((n_ij**2 / true_size).sum() / len(p))
    return PairScores(precision, recall, _f1(precision, recall))


def bcubed(pred: Sequence[Hashable | None], true: Sequence[Hashable | None]) -> PairScores:
    """BCubed precision, recall and F1 (all 1 for no articles)."""
    return _bcubed(*_codes(pred, true))


def _pairs(sizes: np.ndarray) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise(pred: Sequence[Hashable | None], true: Sequence[Hashable | None]) -> PairScores:
    """Pairwise precision, recall and F1 over the whole stream. With no predicted (or true) pairs, precision
    (recall) is 1."""
    p, t = _codes(pred, true)
    if len(p) == 0:
        return PairScores(1.0, 1.0, 1.0)
    count, _, _ = _cells(p, t)
    both = _pairs(count)
    pred_pairs, true_pairs = _pairs(np.bincount(p)), _pairs(np.bincount(t))
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return PairScores(precision, recall, _f1(precision, recall))


def _day(value: date | datetime | str | None) -> int | None:
    """The proleptic ordinal of a date's UTC calendar day (naive datetimes are taken as UTC), or None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        value = value.date()
    return value.toordinal()


def windowed_bcubed(
    pred: Sequence[Hashable | None],
    true: Sequence[Hashable | None],
    dates: Sequence[date | datetime | str | None],
    *,
    window_days: int = WINDOW_DAYS,
    step_days: int = STEP_DAYS,
) -> WindowScores:
    """BCubed computed inside time windows and averaged over them (SCStory's protocol by default).

    Days are UTC calendar days (ISO strings are accepted; naive datetimes are taken as UTC). Time is cut into
    steps of ``step_days`` days starting on the first article's day; each step that holds at least one
    article ends a window made of the ``window_days`` days up to and including the step's last day. BCubed is
    computed over the articles in each such window alone (a story that reaches outside the window counts only
    with its members inside it); precision, recall and F1 are each the mean over the windows. With the
    defaults (7 and 1) every day with an article ends a 7-day window, as in SCStory; ``step_days=window_days``
    gives consecutive non-overlapping windows. Undated articles are in no window; with no dated article the
    three scores are None. Two details of SCStory's script are not copied: it starts scoring at a chosen
    ``begin_date`` after the stream's first days, and it counts its loop in distinct dates while stepping by
    calendar days, so on a stream with empty days it stops before the last one; here every window from the
    first day to the last is scored.
    """
    if window_days < 1 or step_days < 1:
        raise ValueError(f"window_days and step_days must be at least 1, got {window_days} and {step_days}")
    p, t = _codes(pred, true)
    if len(dates) != len(p):
        raise ValueError(f"{len(dates)} dates for {len(p)} labels")
    days_of = [_day(d) for d in dates]
    dated = np.array([i for i, d in enumerate(days_of) if d is not None], np.int64)
    undated = len(p) - len(dated)
    if len(dated) == 0:
        return WindowScores(None, None, None, 0, 0, undated, window_days, step_days)
    day = np.array([days_of[i] for i in dated], np.int64)
    order = np.argsort(day, kind="stable")
    day, p, t = day[order], p[dated[order]], t[dated[order]]
    first = int(day[0])
    ends = np.unique(first + ((day - first) // step_days + 1) * step_days - 1)
    scores = []
    for end in ends:
        lo = int(np.searchsorted(day, end - window_days + 1, side="left"))
        hi = int(np.searchsorted(day, end, side="right"))
        scores.append(_bcubed(p[lo:hi], t[lo:hi]))
    mean = np.mean([(s.precision, s.recall, s.f1) for s in scores], axis=0)
    return WindowScores(
        float(mean[0]), float(mean[1]), float(mean[2]), len(scores), len(dated), undated, window_days, step_days
    )


def score_clustering(
    pred: Sequence[Hashable | None],
    true: Sequence[Hashable | None],
    dates: Sequence[date | datetime | str | None] | None = None,
) -> Scores:
    """Every clustering score of ``pred`` against ``true``; the windowed BCubed too when ``dates`` are given."""
    p, t = _codes(pred, true)
    return Scores(
        bcubed=_bcubed(p, t),
        pairwise=pairwise(pred, true),
        ari=float(metrics.adjusted_rand_score(t, p)),
        ami=float(metrics.adjusted_mutual_info_score(t, p)),
        nmi=float(metrics.normalized_mutual_info_score(t, p)),
        predicted_clusters=int(len(np.unique(p))),
        true_clusters=int(len(np.unique(t))),
        bcubed_windows=windowed_bcubed(pred, true, dates) if dates is not None else None,
    )


def story_scores(
    pred: Sequence[Hashable | None],
    true: Sequence[Hashable | None],
    dates: Sequence[date | datetime | str | None] | None = None,
) -> dict:
    """Story clustering scores, as a JSON-ready dict."""
    return score_clustering(pred, true, dates).as_dict()


def duplicate_scores(pred_groups: Sequence[Hashable | None], true_groups: Sequence[Hashable | None]) -> dict:
    """Pair precision, recall and F1 of duplicate groups (``None``: not a copy of anything), plus counts."""
    scores = pairwise(pred_groups, true_groups).as_dict()
    for name, groups in (("predicted_pairs", pred_groups), ("true_pairs", true_groups)):
        scores[name] = _pairs(np.bincount(encode(groups))) if len(groups) else 0
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
        out["stories"] = story_scores(result.stories.story_of.tolist(), truth, [a.date for a in articles])
    if dup_label_field:
        groups = [int(g) if g >= 0 else None for g in result.dedup.group_of]
        out["duplicates"] = duplicate_scores(groups, [a.metadata.get(dup_label_field) for a in articles])
    return out


def score_predictions(
    predictions: Sequence[dict], truth: dict[str, dict], label_field: str, dup_label_field: str | None = None
) -> dict:
    """Score rows of an ``articles.jsonl`` output against ``truth`` records keyed by article id.

    Every predicted article must have a truth record and the reverse: a mismatch is an error, not a silent
    drop. The windowed BCubed uses each row's ``date``.
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
    if predictions and ids and out["unlabelled"] == len(ids):
        raise ValueError(f"no truth record has the label field {label_field!r}")
    if predictions and "story_id" in predictions[0]:
        out["stories"] = story_scores(
            [row["story_id"] for row in predictions],
            [truth[i].get(label_field) for i in ids],
            [row.get("date") for row in predictions],
        )
    if dup_label_field:
        out["duplicates"] = duplicate_scores(
            [row.get("dup_group") for row in predictions], [truth[i].get(dup_label_field) for i in ids]
        )
    return out


def read_truth(
    path: str | Path, *, fields=None, skip_bad: bool = False, unique_ids: bool = False
) -> list[Article]:
    """Read a labelled dump as truth records, with the reading options of the run that made the predictions.

    The records go through the same reader as the pipeline's input, so the same ``fields``, ``skip_bad`` and
    ``unique_ids`` give the same ids: a repeated id is renamed (``id~2``) just as the run renamed it, and a
    record the run skipped is skipped here too.
    """
    from .ingest import read_articles

    return read_articles([path], fields=fields, skip_bad=skip_bad, unique_ids=unique_ids).articles


def read_predictions(directory: str | Path) -> list[dict]:
    """The rows of ``<directory>/articles.jsonl`` (an output of ``storyclust cluster`` or ``dedup``)."""
    path = Path(directory) / "articles.jsonl"
    if not path.is_file():
        raise InputError(str(path), "no such file (give the --output folder of a cluster or dedup run)")
    return read_rows(path, key="id")
