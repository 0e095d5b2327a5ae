"""A tried-and-dropped alternative, kept so that its numbers in RESULTS.md can be reproduced: Leiden
communities (modularity) on the exact TF-IDF k-NN graph, against the default pipeline, on a corpus and on
seeded random shares of it.

    pip install scikit-network        # BSD-3; not a storyclust dependency
    python -m benchmarks.tried_communities [--corpus googlenews_yin] [--shares 0.1,0.3,1] [--k 20]
                                           [--resolutions 2,4,8] [--seed 1]

Both sides cluster the same rows (the unique articles of the whole corpus, vectorised once, as the story stage
does), so a share compares the two methods on fewer articles per story, not on a different vocabulary.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

import numpy as np
from scipy import sparse
from sklearn.metrics import normalized_mutual_info_score
from sklearn.preprocessing import normalize

from benchmarks.eval_all import CORPORA, DEFAULT_DATA
from storyclust.stories import cluster_points
from storyclust.stories.sums import nearest_rows
from storyclust.stories.timeline import stamps
from storyclust.dedup import deduplicate
from storyclust.settings import DedupConfig
from storyclust.evaluate import bcubed, encode
from storyclust.pipeline import prepare, read
from storyclust.settings import StoryConfig
from storyclust.stories.vectorize import story_documents, vectorize


def tfidf_knn(rows: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """The exact symmetric k-NN graph of the rows' cosines (the merge step's neighbor search), weighted by
    cosine similarity."""
    left, right, sims = nearest_rows(normalize(rows), k, block=2000)
    graph = sparse.csr_matrix((np.clip(sims, 0, None), (left, right)), shape=(rows.shape[0],) * 2)
    return graph.maximum(graph.T)


def line(share: float, name: str, labels: np.ndarray, truth: np.ndarray) -> str:
    b = bcubed(labels, truth)
    return (f"share {share:<4} {name:<24} BCubed F1 {b.f1:.3f} (P {b.precision:.3f} R {b.recall:.3f}) "
            f"NMI {normalized_mutual_info_score(truth, labels):.3f} stories {len(set(labels.tolist()))} "
            f"(true {len(set(truth.tolist()))})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tried_communities", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="googlenews_yin")
    parser.add_argument("--shares", default="0.1,0.3,1")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--resolutions", default="2,4,8")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        from sknetwork.clustering import Leiden
    except ImportError:
        print("error: this comparison needs scikit-network (pip install scikit-network)", file=sys.stderr)
        return 2
    corpus = next(c for c in CORPORA if c.name == args.corpus)
    result, _ = read([DEFAULT_DATA / corpus.name / "articles.jsonl.gz"], fields=corpus.fields,
                     unique_ids=corpus.unique_ids)
    prepared = prepare(result.articles)
    canonical_of = deduplicate(prepared.articles, prepared.texts, replace(DedupConfig(), seed=args.seed)).canonical_of
    canon = np.flatnonzero(canonical_of == np.arange(len(canonical_of)))
    config = replace(StoryConfig(), random_state=args.seed)
    rep = vectorize(
        story_documents([prepared.titles[i] for i in canon], [prepared.texts[i] for i in canon], config.title_weight),
        max_features=config.max_features, min_df=config.min_df, max_df=config.max_df, ngram_range=config.ngram_range,
        components=config.svd_components, random_state=args.seed, svd_sample=config.svd_sample,
    )
    truth = encode([prepared.articles[i].metadata.get(corpus.label) for i in canon])
    dates = [prepared.articles[i].date for i in canon]
    rng = np.random.default_rng(0)
    print(f"{corpus.name}: {len(canon)} unique articles, seed {args.seed}")
    for share in (float(s) for s in args.shares.split(",")):
        keep = np.sort(rng.choice(len(canon), round(share * len(canon)), replace=False))
        t = truth[keep]


        labels, _, _ = cluster_points(rep.points[keep], rep.tfidf[keep], stamps([dates[i] for i in keep]), config,
                                      residual=rep.residual[keep])
        print(line(share, "storyclust defaults", labels, t), flush=True)
        graph = tfidf_knn(rep.tfidf[keep], args.k)
        for resolution in (float(r) for r in args.resolutions.split(",")):
            found = Leiden(resolution=resolution, random_state=0).fit_predict(graph)
            print(line(share, f"Leiden k={args.k} r={resolution:g}", found, t), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
