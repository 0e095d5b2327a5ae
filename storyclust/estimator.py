"""A scikit-learn-style estimator over the whole pipeline: copies first, then stories."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin

from .pipeline import Result, cluster
from .records import Article
from .settings import DedupConfig, StoryConfig

__all__ = ["StoryClusterer", "as_articles"]


def as_articles(items: Sequence[Article | str]) -> list[Article]:
    """Articles as given, or strings wrapped as untitled articles with ids ``"0"``, ``"1"``, ..."""
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Article):
            out.append(item)
        elif isinstance(item, str):
            out.append(Article(id=str(i), title="", text=item))
        else:
            raise TypeError(f"item {i}: expected an Article or a str, got {type(item).__name__}")
    return out


class StoryClusterer(ClusterMixin, BaseEstimator):
    """Group news articles into stories, following the scikit-learn clustering contract.

    Parameters are keyword-only and stored as given; they are checked in :meth:`fit`.

    config: StoryConfig, optional
        Story settings (``StoryConfig()`` when None).
    dedup: DedupConfig, optional
        Near-duplicate settings (``DedupConfig()`` when None). Copies are found first; only one article per
        duplicate group is clustered, and copies take their canonical article's story.
    random_state: int, optional
        Overrides both configs' seeds when given: the MinHash permutations' (``DedupConfig.seed``) and the
        story stage's random state (``StoryConfig.random_state``: the randomised SVD, its sample and the
        neighbor search on large corpora).

    Fitted attributes:

    labels_: ndarray of shape (n,)
        The story of every article; ``-1`` marks an article whose story has only itself (and its copies),
        HDBSCAN's noise. :func:`storyclust.cluster` gives those stories ids of their own instead.
    story_probability_: ndarray of shape (n,)
        Each article's story probability in [0, 1] (HDBSCAN's membership probability for its cluster
        members, the cosine to the story centroid for articles merged in, 1.0 for single-article stories).
    result_: storyclust.pipeline.Result
        Everything the run produced: duplicate groups, labelled stories, timings.
    """

    def __init__(
        self,
        *,
        config: StoryConfig | None = None,
        dedup: DedupConfig | None = None,
        random_state: int | None = None,
    ):
        self.config = config
        self.dedup = dedup
        self.random_state = random_state

    def fit(self, X: Sequence[Article | str], y: Any = None) -> "StoryClusterer":
        """Cluster ``X``: a sequence of :class:`~storyclust.records.Article` or of article texts."""
        config = self.config if self.config is not None else StoryConfig()
        dedup = self.dedup if self.dedup is not None else DedupConfig()
        if not isinstance(config, StoryConfig):
            raise TypeError(f"config must be a StoryConfig, got {type(config).__name__}")
        if not isinstance(dedup, DedupConfig):
            raise TypeError(f"dedup must be a DedupConfig, got {type(dedup).__name__}")
        if self.random_state is not None:
            from dataclasses import replace

            config = replace(config, random_state=int(self.random_state))
            dedup = replace(dedup, seed=int(self.random_state))
        result: Result = cluster(as_articles(X), config, dedup=dedup)
        stories = result.stories
        assert stories is not None
        single = np.array([s.singleton for s in stories.stories], bool)
        labels = stories.story_of.copy()
        if len(labels):
            labels[single[labels]] = -1
        self.labels_ = labels
        self.story_probability_ = stories.story_probability.copy()
        self.result_ = result
        return self

    def fit_predict(self, X: Sequence[Article | str], y: Any = None, **kwargs: Any) -> np.ndarray:
        return self.fit(X).labels_
