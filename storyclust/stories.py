"""Stories: cluster one article per duplicate group, label the clusters, and give copies their canonical's story."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Iterator, Sequence

import numpy as np

from .clustering import ClusterParams, cluster_points
from .label import central_members, class_tfidf, top_terms
from .records import Article, ProgressSink, stage
from .settings import StoryConfig
from .vectorize import lsa_dimensions, story_documents, vectorize

__all__ = ["StoryConfig", "Story", "Stories", "find_stories"]


def _cluster_params(self: StoryConfig) -> ClusterParams:
    return ClusterParams(
        min_cluster_size=self.min_cluster_size,
        min_samples=self.min_samples,
        selection_method=self.cluster_selection_method,
        selection_epsilon=self.cluster_selection_epsilon,
        merge_similarity=self.merge_similarity,
        merge_neighbors=self.merge_neighbors,
        pair_similarity=self.pair_similarity,
        full_length=self.short_text_terms,
        member_similarity=self.member_similarity,
        max_gap_days=self.max_gap_days,
        random_state=self.random_state,
        graph_neighbors=self.graph_neighbors,
        exact_neighbors=self.exact_neighbors,
        time_scale_days=self.time_scale_days,
        mixture_sweeps=self.mixture_sweeps,
        short_evidence=self.short_text_evidence,
    )


@dataclass(frozen=True)
class Story:
    """One story. ``members`` are the unique (canonical) articles, ``copies`` the copies of those, both as
    input indices in input order. ``singleton`` marks a story of one article that HDBSCAN left as noise and
    no merge joined to another (its copies, if any, still belong to it)."""

    story_id: int
    members: tuple[int, ...]
    copies: tuple[int, ...]
    representative: int
    terms: tuple[str, ...]
    first_date: datetime | None
    last_date: datetime | None
    sources: tuple[str, ...]
    singleton: bool

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class Stories:
    """The story stage's answer. ``story_of[i]`` and ``probability_of[i]`` cover every input article."""

    stories: list[Story]
    story_of: np.ndarray
    probability_of: np.ndarray
    config: StoryConfig
    timings: dict[str, float] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "stories": len(self.stories),
            "singleton_stories": sum(s.singleton for s in self.stories),
        }

    def rows(self, articles: Sequence[Article], titles: Sequence[str]) -> Iterator[dict[str, Any]]:
        for story in self.stories:
            yield {
                "story_id": story.story_id,
                "size": story.size,
                "copies": len(story.copies),
                "singleton": story.singleton,
                "terms": list(story.terms),
                "headline": titles[story.representative],
                "first_date": story.first_date.isoformat() if story.first_date else None,
                "last_date": story.last_date.isoformat() if story.last_date else None,
                "sources": list(story.sources),
                "article_ids": [articles[i].id for i in story.members],
            }


def _sources(articles: Sequence[Article], indices: Sequence[int]) -> tuple[str, ...]:
    counts = Counter(articles[i].source for i in indices if articles[i].source)
    return tuple(name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def find_stories(
    articles: Sequence[Article],
    titles: Sequence[str],
    texts: Sequence[str],
    canonical_of: np.ndarray,
    config: StoryConfig = StoryConfig(),
    progress: ProgressSink | None = None,
) -> Stories:
    """Cluster the canonical articles into stories and give each copy its canonical article's story."""
    n = len(articles)
    timings: dict[str, float] = {}
    canon = np.flatnonzero(canonical_of == np.arange(n))
    if config.svd_components is None:  # the settings returned (and written out) give the number used
        config = replace(config, svd_components=lsa_dimensions(len(canon)))
    if n == 0:
        return Stories([], np.zeros(0, np.int64), np.zeros(0), config, {"vectorize": 0.0, "cluster": 0.0, "label": 0.0})

    with stage(timings, "vectorize", progress, "Vectorising"):
        docs = story_documents([titles[i] for i in canon], [texts[i] for i in canon], config.title_weight)
        rep = vectorize(
            docs,
            max_features=config.max_features,
            min_df=config.min_df,
            max_df=config.max_df,
            ngram_range=config.ngram_range,
            components=config.svd_components,
            random_state=config.random_state,
            svd_sample=config.svd_sample,
        )
    with stage(timings, "cluster", progress, "Clustering"):
        labels, strength, singleton = cluster_points(
            rep.points, rep.tfidf, [articles[i].date for i in canon], _cluster_params(config), rep.residual
        )

    label_start = time.perf_counter()
    total = int(labels.max()) + 1 if len(labels) else 0
    is_single = np.zeros(total, bool)
    is_single[labels[singleton]] = True
    terms = top_terms(class_tfidf(rep.tfidf, labels, total), rep.names, config.terms)
    central = central_members(rep.points, labels, total)

    local_story = np.full(n, -1, np.int64)
    local_story[canon] = labels
    local_story = local_story[canonical_of]
    probability = np.zeros(n)
    probability[canon] = strength
    probability = probability[canonical_of]

    members_of: list[list[int]] = [[] for _ in range(total)]
    copies_of: list[list[int]] = [[] for _ in range(total)]
    for i, label in enumerate(local_story.tolist()):
        (members_of if canonical_of[i] == i else copies_of)[label].append(i)
    # Story ids: largest first (unique articles, then copies), ties by first article read.
    order = sorted(range(total), key=lambda c: (-len(members_of[c]), -len(copies_of[c]), members_of[c][0]))
    new_id = np.empty(total, np.int64)
    new_id[order] = np.arange(total)

    stories = []
    for c in order:
        everyone = members_of[c] + copies_of[c]
        dates = [articles[i].date for i in everyone if articles[i].date is not None]
        stories.append(
            Story(
                story_id=int(new_id[c]),
                members=tuple(members_of[c]),
                copies=tuple(copies_of[c]),
                representative=int(canon[central[c]]),
                terms=tuple(terms[c]),
                first_date=min(dates) if dates else None,
                last_date=max(dates) if dates else None,
                sources=_sources(articles, everyone),
                singleton=bool(is_single[c]),
            )
        )
    timings["label"] = time.perf_counter() - label_start
    return Stories(stories, new_id[local_story], probability, config, timings)
