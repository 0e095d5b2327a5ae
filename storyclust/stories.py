"""Stories: cluster one article per duplicate group, label the clusters, and give copies their canonical's story."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Iterator, Sequence

import numpy as np

from .clustering import ClusterParams, cluster_points
from .label import central_members, class_tfidf, top_terms
from .records import Article, ProgressSink, stage
from .vectorize import lsa_dimensions, story_documents, vectorize

__all__ = ["StoryConfig", "Story", "Stories", "find_stories"]


@dataclass(frozen=True)
class StoryConfig:
    """Settings of the story stage.

    title_weight (3):
        The title is repeated this many times before the body, so headline words weigh more than body words.
    ngram_range ((1, 2)), min_df (2), max_df (0.5), max_features (262144):
        TF-IDF vocabulary: English stop words removed, sublinear tf, words and word pairs ("white house",
        "debt ceiling" separate events better than their words: BCubed F1 +0.01 on BASIL, +0.02 on PAC).
        Terms in one article only cannot link two articles, so min_df=2; terms in more than half the
        articles do not separate stories. The cap keeps the SVD fast on large dumps. On corpora under 20
        articles max_df is relaxed, and min_df when no term reaches it.
    svd_components (None), svd_sample (20000):
        LSA dimensions (TruncatedSVD). ``None`` grows them with the number of unique articles
        (:func:`storyclust.vectorize.lsa_dimensions`): 100 up to 2,500 articles, then ``2 sqrt(n)``, up to
        200 at 10,000, because a larger corpus holds more stories to keep apart (all of GoogleNews-T: BCubed
        F1 0.764 -> 0.790; 60% of it: 0.777 -> 0.790; a third of it or less: no change; BASIL and PAC are far
        below 2,500). The settings written with the output give the number used. Corpora no larger than it
        cluster the TF-IDF rows. On corpora larger than ``svd_sample`` the LSA basis is fitted on that many
        seeded random articles (and their 65,536 most frequent terms) and every article is projected on it
        (at 100k articles a full fit costs minutes); ``None`` fits on all.
    min_cluster_size (2), min_samples (1):
        HDBSCAN: a story can be as small as two articles, and one neighbour is enough to be core.
    cluster_selection_method ("leaf"), cluster_selection_epsilon (0.0):
        HDBSCAN's flat cluster selection. "leaf" keeps the finest clusters, which the merge step then joins
        where they belong together; "eom" tends to swallow neighbouring events into one cluster.
    merge_similarity (0.3):
        After HDBSCAN, clusters and noise articles whose TF-IDF centroids have at least this cosine
        similarity are merged, closest first (centroid linkage). Cosines are exact: rare terms that were
        dropped from the vectors still count in every norm. This undoes HDBSCAN's over-splitting of large
        stories and lets articles in sparse regions join their story. 0.3 keeps BASIL and PAC precise;
        lower values help short headlines (GoogleNews-T) at their expense (see benchmarks/RESULTS.md).
    short_text_terms (50):
        Short texts share few words even when they tell the same story (GoogleNews-T headlines: median
        same-story cosine 0.07, against 0.17 for BASIL's articles), so two clusters whose articles average
        fewer than this many distinct terms merge at ``merge_similarity * sqrt(terms / short_text_terms)``.
        Articles of 50 terms or more are unaffected. (GoogleNews-T BCubed F1 0.54 -> 0.76 and NMI 0.81 ->
        0.89, BASIL and PAC unchanged.) 0 turns off every short-text step: this scaling, the evidence check
        (``short_text_evidence``) and the mixture (``mixture_sweeps``).
    short_text_evidence (True):
        Where both clusters are short texts (under ``short_text_terms``), a merge must also be what the
        articles' terms say: one story (one Dirichlet-multinomial term distribution) must explain them at
        least as well as two (storyclust.mixture.merge_evidence). A centroid cosine does not grow with the
        evidence behind it: among headlines, two large same-topic stories (Kanye West's news, and a parody
        of his video: cosine 0.38) can look closer than two halves of one story (0.30-0.43), while their
        words tell them apart beyond doubt. A second round of merging then takes up the short-text clusters
        again, linked anew by the graph, so that two large parts of one story that lost their link merge.
        GoogleNews-T BCubed F1 0.801 -> 0.828, NMI 0.901 -> 0.910; BASIL and PAC unchanged (long texts);
        BASIL's headlines alone 0.889 -> 0.906 (benchmarks/RESULTS.md).
    pair_similarity (0.05):
        Then a left-over single article joins its nearest date-compatible story when each is the other's
        nearest and their cosine reaches this. In a dense corpus nearly every article has a closer rival, so
        this rarely fires; in a sparse one (the five seeds, spread over three years) it is what lets two lone
        articles on the same story, months from anything else, form one story.
    member_similarity (0.02):
        An article whose exact cosine to the rest of its story is below this is let go to stand alone:
        HDBSCAN keeps stray points as members of a nearby cluster, even one they share no words with.
        Kept low because the two sides of a partisan story can share few words (PAC: a tenth of its
        same-story pairs are below cosine 0.063).
    graph_neighbors (20):
        Neighbours per article in the time-gated graph HDBSCAN reads, whose edges are also the merge step's
        first candidates. 20 rather than 15 keeps the large stories of a large corpus connected
        (GoogleNews-T BCubed F1 0.790 -> 0.801, NMI 0.895 -> 0.901; BASIL, PAC and their halves unchanged;
        shares of GoogleNews-T within +-0.004).
    exact_neighbors (20000):
        Up to this many articles the neighbour graph HDBSCAN reads is exact; beyond, an inverted-file search
        finds about 0.96 of the true neighbours at a small part of the quadratic cost (storyclust.neighbors).
    merge_neighbors (10):
        Merge candidates per cluster: each cluster is compared with its nearest clusters only.
    max_gap_days (180.0):
        A story never spans a gap in its coverage longer than this: clusters whose date ranges lie further
        apart are not merged, and a cluster is split at any longer gap. Same-topic stories years apart
        (the May 2021 escalation and the 2023-24 war) stay apart, while a long story with quiet months (the
        seeds' December 2023 and April 2024 articles on the war) stays whole. It is also the granularity
        knob: 7 days cuts long stories into events (BASIL's event labels: BCubed F1 0.991 at 7 days against
        0.978 at 180), at the price of splitting stories that go quiet for a week. ``None`` disables it.
        Undated articles are never split off by time.
    time_scale_days (7.0):
        The neighbour similarities HDBSCAN reads are discounted by the time between the two articles:
        ``cos / (1 + days apart / time_scale_days)``, so a same-day article counts fully, one a week away
        half. Where a topic recurs (a shutdown's start and its end three weeks later, a hearing and e-mails
        released months after), an article then joins the event of its own days rather than the densest one
        on its topic. It changes which articles HDBSCAN groups, not which stories may merge later
        (``max_gap_days`` decides that), so a long story with quiet months still holds together. BASIL
        BCubed F1 0.988 -> 1.000, PAC 0.931 -> 0.958 (seeds 1-3, flat from 3 to 30 days); undated corpora
        are unaffected. Not free everywhere: on a random half of BASIL, where an event is often down to one
        article, it costs 0.012 (a lone article now joins a same-topic event a week away), while half of PAC
        gains 0.034 (benchmarks/RESULTS.md). ``None`` turns it off.
    mixture_sweeps (5):
        After clustering, up to this many greedy sweeps of a Dirichlet-multinomial mixture over the
        articles' terms (GSDMM's model, storyclust.mixture): each article moves to the story, among its own
        and its graph neighbours', whose term distribution best explains its terms, or starts a story of its
        own. Only short texts (under ``short_text_terms``) move, since on long ones the multinomial is
        overconfident (a synthetic 100k corpus of 500-word articles collapsed into 62 stories), and only
        among stories of at least five articles (``MIXTURE_MIN_STORY``), whose term distributions are learnt
        from their articles rather than from the prior (without that rule it merged same-topic events of
        small stories: PAC's headlines alone 0.786 -> 0.535). What it is for: large stories of short texts,
        where a story's term distribution recognises a headline that shares few words with any one of its
        others. GoogleNews-T BCubed F1 0.828 -> 0.847, NMI 0.910 -> 0.919 (a tenth / 30% / 60% of it: +0.003
        / +0.014 / +0.019); BASIL, PAC, their halves, their headlines alone and the generated 100k corpus
        unchanged (benchmarks/RESULTS.md). 0 turns it off.
    terms (8):
        Distinctive terms per story label.
    random_state (0):
        Seed of the randomised SVD, its sample, and the neighbour search's cells on large corpora.
    """

    title_weight: int = 3
    ngram_range: tuple[int, int] = (1, 2)
    min_df: int = 2
    max_df: float = 0.5
    max_features: int | None = 262_144
    svd_components: int | None = None
    svd_sample: int | None = 20_000
    min_cluster_size: int = 2
    min_samples: int = 1
    cluster_selection_method: str = "leaf"
    cluster_selection_epsilon: float = 0.0
    merge_similarity: float = 0.3
    short_text_terms: int = 50
    pair_similarity: float = 0.05
    member_similarity: float = 0.02
    merge_neighbors: int = 10
    graph_neighbors: int = 20
    exact_neighbors: int = 20_000
    max_gap_days: float | None = 180.0
    time_scale_days: float | None = 7.0
    short_text_evidence: bool = True
    mixture_sweeps: int = 5
    terms: int = 8
    random_state: int = 0

    def __post_init__(self) -> None:
        if self.cluster_selection_method not in ("eom", "leaf"):
            raise ValueError(
                f"cluster_selection_method must be 'eom' or 'leaf', got {self.cluster_selection_method!r}"
            )
        if self.min_cluster_size < 2:
            raise ValueError(f"min_cluster_size must be >= 2, got {self.min_cluster_size}")
        if self.max_gap_days is not None and self.max_gap_days <= 0:
            raise ValueError(f"max_gap_days must be positive or None, got {self.max_gap_days}")
        if self.mixture_sweeps < 0:
            raise ValueError(f"mixture_sweeps must be >= 0, got {self.mixture_sweeps}")
        if self.graph_neighbors < 1:
            raise ValueError(f"graph_neighbors must be >= 1, got {self.graph_neighbors}")
        if self.svd_components is not None and self.svd_components < 2:
            raise ValueError(f"svd_components must be >= 2 or None, got {self.svd_components}")
        if self.time_scale_days is not None and self.time_scale_days <= 0:
            raise ValueError(f"time_scale_days must be positive or None, got {self.time_scale_days}")
        if not 0.0 < self.merge_similarity <= 1.01:
            raise ValueError(f"merge_similarity must be in (0, 1] (above 1 disables merging), got {self.merge_similarity}")

    def cluster_params(self) -> ClusterParams:
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

    def describe(self) -> dict[str, Any]:
        return asdict(self)


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
            rep.points, rep.tfidf, [articles[i].date for i in canon], config.cluster_params(), rep.residual
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
