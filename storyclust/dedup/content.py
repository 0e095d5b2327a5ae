"""Copies on content: the duplicate stage with template removed, thin pages set apart and evidence checked.

    cleaned texts -> template lines learned and removed (template.learn_template)
                  -> shingles of the content -> MinHash -> LSH candidates (+ identical content sets)
                  -> shingle document frequencies (template.shingle_frequency) -> thin articles
                  -> verification on content: IDF-weighted Jaccard / containment, numbers and names agree,
                     headlines agree or are supported by the other article's content
                  -> exact copies of thin pages (same title and text words)
                  -> groups

A thin article (fewer than ``thin_shingles`` content shingles) is never a near-copy; it is an exact copy of
another thin page with the same title and text. A record whose title is its only text is thin, so it is
compared on its title.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from ..records import Article, DedupResult, ProgressSink, stage
from ..settings import DedupConfig
from .evidence import exact_key, weighted_overlaps
from .groups import group, similarity_to_canonical
from .lsh import candidates as lsh_candidates
from .minhash import minhash
from .template import content_sizes, learn_template, shingle_frequency
from .tokens import pair_checks, title_hashes, token_sets
from .verify import is_copy, overlaps

__all__ = ["deduplicate_content"]


def deduplicate_content(
    articles: Sequence[Article],
    texts: Sequence[str],
    config: DedupConfig = DedupConfig(),
    progress: ProgressSink | None = None,
) -> DedupResult:
    """Find copies among ``articles`` on the content of their cleaned ``texts`` (one per article, same order)."""
    if len(articles) != len(texts):
        raise ValueError(f"got {len(articles)} articles but {len(texts)} texts")
    timings: dict[str, float] = {}
    n = len(articles)
    with stage(timings, "template", progress, "Learning template lines"):
        template = learn_template(texts, [a.source for a in articles],
                                  min_source_articles=config.template_source_articles,
                                  min_articles=config.template_articles)
    with stage(timings, "signatures", progress, "Shingling"):
        shingles = template.shingle(texts, config.shingle_size)
    with stage(timings, "signatures", progress, "MinHash signatures"):
        signatures = minhash(shingles, num_perm=config.num_perm, seed=config.seed)
    with stage(timings, "candidates", progress, "LSH candidates"):
        candidates = lsh_candidates(shingles, signatures, *config.bands_rows)

    with stage(timings, "verify", progress, "Verifying candidates"):
        frequency = shingle_frequency(shingles)
        sizes = content_sizes(shingles, frequency, config.template_articles)
        thin = sizes < config.thin_shingles
        left, right = candidates[:, 0], candidates[:, 1]
        wj, wc, shared = weighted_overlaps(shingles, left, right, frequency, config.template_articles,
                                           config.rarity_weights)
        smaller = np.minimum(sizes[left], sizes[right])
        ok = ~thin[left] & ~thin[right] & is_copy(wj, wc, smaller, config)
        cand = np.sort(candidates[ok], axis=1)
        wj, wc, shared = wj[ok], wc[ok], shared[ok]
        titles = [a.title for a in articles]
        involved = np.unique(cand)
        local = np.full(n, -1, np.int64)
        local[involved] = np.arange(len(involved))
        tokens = token_sets([texts[i] for i in involved.tolist()], template)
        agreement, only, conflict, title_sim, support = pair_checks(tokens, local, title_hashes(titles), cand)
        keep = (agreement < 0) | (agreement >= config.token_agreement)
        keep &= ~(conflict & (wc < config.lead_names))
        keep &= (title_sim < 0) | (title_sim >= config.headline_agreement) | (support >= config.headline_support)
        cand, wj, wc, shared = cand[keep], wj[keep], wc[keep], shared[keep]
        agreement, only, headline = agreement[keep], only[keep], np.maximum(title_sim, support)[keep]
        # exact copies of thin pages: the same title and text words
        keys: dict[str, int] = {}
        thin_pairs = []
        for i in np.flatnonzero(thin).tolist():
            key = exact_key(titles[i], texts[i])
            if key:
                first = keys.setdefault(key, i)
                if first != i:
                    thin_pairs.append((first, i))
        tp = np.array(thin_pairs, np.int64).reshape(-1, 2)
        k = len(tp)
        pairs = np.concatenate((cand, tp))
        wj = np.concatenate((wj, np.ones(k)))
        wc = np.concatenate((wc, np.ones(k)))
        shared = np.concatenate((shared, np.zeros(k, np.int64)))
        agreement = np.concatenate((agreement, np.full(k, -1.0)))
        only = np.concatenate((only, np.zeros((k, 2), np.int64)))
        headline = np.concatenate((headline, np.ones(k)))
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))
        pairs, wj, wc, shared, agreement, only, headline = (
            x[order] for x in (pairs, wj, wc, shared, agreement, only, headline))
        thin_exact = thin[pairs[:, 0]] & thin[pairs[:, 1]]
        jac, con = overlaps(shingles, pairs[:, 0], pairs[:, 1])
        jac[thin_exact], con[thin_exact] = 1.0, 1.0  # the same page, whatever its content shingles

    group_start = time.perf_counter()
    lengths = np.array([len(x) for x in texts], np.int64)
    groups, group_of, canonical_of = group(articles, lengths, pairs)
    similarity = similarity_to_canonical(shingles, canonical_of)
    timings["group"] = time.perf_counter() - group_start
    evidence = {"shared_content_shingles": shared, "token_agreement": agreement, "only_names_numbers": only,
                "headline": headline, "thin_exact": thin_exact}
    return DedupResult(
        pairs=pairs, jaccard=jac, containment=con, groups=groups, group_of=group_of, canonical_of=canonical_of,
        similarity=similarity, candidates=len(candidates), empty=int((shingles.sizes == 0).sum()), timings=timings,
        thin=thin, weighted=np.stack((wj, wc), axis=1), evidence=evidence, template=template,
    )
