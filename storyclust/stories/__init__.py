"""Stories: cluster one article per duplicate group, label the clusters, and give copies their canonical's story.

The stage, one module per step, in the order :func:`find_stories` runs them::

    identity     names, places, datelines, ages and counts per article (corpus-learned truecasing), weighed by
                 IDF and by how bursty their coverage is
    vocabulary   words and word pairs counted per article (numba), an exact vocabulary
    vectorize    TF-IDF (title weighted over body), LSA (TruncatedSVD), L2-normalised points
    graph        time-gated k-nearest-neighbor graph (exact; ivf: inverted-file search on large corpora),
                 its similarities decayed by the days between two articles
    density      HDBSCAN on that graph: dense clusters, the rest noise
    merge        clusters and noise articles whose exact TF-IDF centroids are close join, closest first,
                 within max_gap_days (short texts: only where their terms speak for one story);
                 leftovers pairs lone articles that are each other's nearest
    timesplit    a story never spans a gap in its dates longer than max_gap_days; then the identity split
                 cuts a story where its members share no identity
    mixture      greedy Dirichlet-multinomial sweeps: short texts move among stories of five or more
    label        distinctive terms (class-based TF-IDF) and the most central article

with ``sums`` (per-unit sums, norms and cosines), ``timeline`` (stamps and the gap test) and ``topk`` shared.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from typing import Sequence

import numpy as np
from scipy import sparse

from ..records import Article, ProgressSink, Stories, Story, StoryVectors, stage
from ..settings import StoryConfig
from .density import density_clusters
from .features import NAME_KINDS, identity_features
from .graph import decay_by_time, knn_graph
from .identity import IdentityBlock, identity_block, split_by_identity
from .label import central_members, class_tfidf, top_terms
from .merge import merge_units
from .mixture import MIXTURE_MIN_STORY, moved, refine
from .provenance import Provenance, Trace
from .rejoin import rejoin_by_identity
from .sums import centroid_cosines, leave_one_out_cosine, relabel
from .timeline import stamps
from .timesplit import split_by_time
from .vectorize import lsa_dimensions, story_documents, vectorize

__all__ = ["find_stories", "cluster_points"]


def _sources(articles: Sequence[Article], indices: Sequence[int]) -> tuple[str, ...]:
    counts = Counter(articles[i].source for i in indices if articles[i].source)
    return tuple(name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def find_stories(
    articles: Sequence[Article],
    titles: Sequence[str],
    texts: Sequence[str],
    canonical_of: np.ndarray,
    config: StoryConfig,
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

    when = stamps([articles[i].date for i in canon])
    identity = None
    if (config.identity_weight > 0 or config.identity_split is not None or config.identity_rejoin is not None
            or config.names > 0):
        with stage(timings, "identity", progress, "Reading names"):
            identity = identity_block(
                identity_features([titles[i] for i in canon], [texts[i] for i in canon], lead=config.identity_lead),
                when,
                [articles[i].source for i in canon],
                burst_days=config.identity_burst_days,
            )
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
            identity=identity,
            identity_weight=config.identity_weight,
            sources=[articles[i].source for i in canon] if config.source_terms is not None else None,
            source_share=config.source_terms,
        )
    trace = Trace()
    with stage(timings, "cluster", progress, "Clustering"):
        labels, story_probability, singleton = cluster_points(
            rep.points, rep.tfidf, when, config, residual=rep.residual, identity=identity,
            topic_terms=None if rep.topic_columns is None else np.diff(rep.topic.indptr), trace=trace,
        )

    label_start = time.perf_counter()
    total = int(labels.max()) + 1 if len(labels) else 0
    is_single = np.zeros(total, bool)
    is_single[labels[singleton]] = True
    terms = top_terms(class_tfidf(rep.topic, labels, total), rep.names, config.terms)
    names = _names(identity, labels, total, config.names)
    central = central_members(rep.points, labels, total)

    local_story = np.full(n, -1, np.int64)
    local_story[canon] = labels
    local_story = local_story[canonical_of]
    probability = np.zeros(n)
    probability[canon] = story_probability
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
                names=tuple(names[c]),
            )
        )
    provenance = Provenance(trace, canon, canonical_of, new_id[labels], [a.id for a in articles])
    timings["label"] = time.perf_counter() - label_start
    vectors = StoryVectors(canon, rep.tfidf, rep.residual, rep.topic_columns)
    return Stories(stories, new_id[local_story], probability, config, timings, provenance, vectors)


def _names(identity: IdentityBlock | None, labels: np.ndarray, total: int, count: int) -> list[list[str]]:
    """Each story's ``count`` most distinctive names and places (class-based TF-IDF over the identity block's
    name and dateline columns), written with spaces."""
    if identity is None or count < 1 or identity.matrix.shape[1] == 0:
        return [[] for _ in range(total)]
    kinds = np.array([str(f).split(":", 1)[0] for f in identity.names])
    columns = np.flatnonzero(np.isin(kinds, NAME_KINDS))
    text = np.array([str(f).split(":", 1)[1].replace("_", " ") for f in identity.names[columns]], dtype=object)
    chosen = top_terms(class_tfidf(identity.matrix[:, columns].tocsr(), labels, total), lambda c: text[c], 2 * count)
    out = []
    for row in chosen:  # a name once, whichever kind gave it
        seen: list[str] = []
        for name in row:
            if name not in seen:
                seen.append(name)
        out.append(seen[:count])
    return out


def cluster_points(
    points: np.ndarray,
    vectors: sparse.csr_matrix,
    stamps: np.ndarray,
    config: StoryConfig,
    *,
    residual: np.ndarray | None,
    identity: IdentityBlock | None = None,
    topic_terms: np.ndarray | None = None,
    trace: Trace | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cluster articles into stories, the stages in order: the time-gated neighbor graph and its decay
    (:mod:`.graph`), HDBSCAN (:mod:`.density`), merging (:mod:`.merge`), strays let go, the time split
    (:mod:`.timesplit`) and the mixture (:mod:`.mixture`). HDBSCAN reads the L2-normalised reduced
    ``points``; merging the L2-normalised TF-IDF ``vectors`` (same rows) and ``residual`` (see
    :class:`.vectorize.Representation`); ``stamps`` are the articles' dates (:func:`.timeline.stamps`).

    Returns ``(labels, story_probability, singleton)``: a story label for every point (0..k-1, no noise
    label), each point's story probability in [0, 1], and whether the point's story holds that point alone
    (whichever step left it so: HDBSCAN's noise, a stray let go, the time split or the mixture).

    With ``identity`` and ``config.identity_split``, stories are cut by identity after the time split
    (:func:`.identity.split_by_identity`; cut-off articles count as joined). ``topic_terms`` is each row's
    number of term columns (the short-text test counts terms, not identity features; default: every column).
    With a ``trace`` (:class:`.provenance.Trace`), what each step did is recorded in it (the output is the same).
    """
    n = len(points)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool)
    graph = None
    if n >= 3:
        graph = knn_graph(points, stamps, k=config.graph_neighbors, max_gap_days=config.max_gap_days,
                          exact_limit=config.exact_neighbors, random_state=config.random_state)
        hdb_labels, probability = density_clusters(decay_by_time(graph, stamps, config.time_scale_days), config)
    else:
        hdb_labels, probability = np.full(n, -1, np.int64), np.zeros(n)
    if trace is not None:
        trace.clusters = hdb_labels.copy()
    labels = merge_units(vectors, hdb_labels, stamps, config, graph=graph, residual=residual, trace=trace)
    # HDBSCAN keeps stray points as members of a nearby cluster; an article sharing (almost) nothing with
    # the rest of its story is let go, to stand as a story of its own.
    merged = relabel(labels)
    alone = leave_one_out_cosine(vectors, merged, residual)
    stray = (alone < config.member_similarity) & (np.bincount(merged)[merged] > 1)
    if trace is not None:
        trace.units, trace.let_go = merged.copy(), np.where(stray, alone, np.nan)
    if stray.any():
        merged[stray] = merged.max() + 1 + np.arange(int(stray.sum()))
        hdb_labels = np.where(stray, -1, hdb_labels)
    labels = relabel(split_by_time(merged, stamps, points, max_gap_days=config.max_gap_days))
    if trace is not None:
        trace.strayed, trace.parts = merged.copy(), labels.copy()
    joined = hdb_labels < 0
    if identity is not None and config.identity_split is not None:
        cut = split_by_identity(labels, identity, threshold=config.identity_split,
                                min_features=config.identity_min_features, min_part=config.identity_min_part,
                                topic=vectors)
        joined |= moved(labels, cut)
        labels = cut
    if identity is not None and config.identity_rejoin is not None:
        rejoined = rejoin_by_identity(labels, identity, stamps, threshold=config.identity_rejoin,
                                      min_features=config.identity_min_features, max_gap_days=config.max_gap_days)
        joined |= moved(labels, rejoined)
        labels = rejoined
    if trace is not None:
        trace.identity = labels.copy()
    # Only short texts move: the multinomial is overconfident on long ones, which the clustering places well
    # already (docs/settings.md, mixture_sweeps).
    short = (np.diff(vectors.indptr) if topic_terms is None else topic_terms) < config.short_text_terms
    if config.mixture_sweeps > 0 and graph is not None and short.any():
        refined = relabel(
            refine(vectors, labels, graph, sweeps=config.mixture_sweeps, movable=short, min_story=MIXTURE_MIN_STORY)
        )
        joined |= moved(labels, refined)
        labels = refined
    if trace is not None:
        trace.final = labels.copy()
    sizes = np.bincount(labels)
    # A story of one article, whichever step left it alone (noise, a stray, the time split, the mixture).
    singleton = sizes[labels] == 1
    # Points that joined through merging get their cosine to the story centroid as their story probability.
    cos = centroid_cosines(points, labels, len(sizes))
    probability = np.where(joined, np.clip(cos, 0.0, 1.0), probability)
    probability[sizes[labels] == 1] = 1.0
    return labels, probability, singleton
