"""The clean base of the benchmark dumps: real articles of the shared corpora, minus their unlabelled copies.

    base_articles(data_dir)   real articles of the shared corpora (or the fixture seeds when there is no data)
    copy_pairs(texts)         every pair of texts over a Jaccard or containment bound (exact, prefix filtering)
    distinct(articles)        a "clean base": a subset whose members are mutually not copies (exact 3-gram check)

Why a clean base: the real corpora hold unlabelled copies (bbc2225 has the same body under two headlines and
follow-ups reusing paragraphs; PAC has one article under two story ids; 20 Newsgroups has cross-posts and quoted
replies). Measured against their labels, those copies count as false positives of the method. :func:`distinct`
removes them, so the only copies in a generated dump (:mod:`benchmarks.corpus`) are the ones the generator made
and labelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numba
import numpy as np

from storyclust.dedup.shingles import shingle
from storyclust.dedup.verify import overlaps
from storyclust.ingest import read_articles
from storyclust.pipeline import prepare
from storyclust.records import Article

__all__ = ["BASE_CORPORA", "DEFAULT_DATA", "FIXTURE_SEEDS", "base_articles", "copy_pairs", "distinct"]

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
FIXTURE_SEEDS = REPO / "fixtures" / "seeds"
BASE_CORPORA = ("bbc2225", "20newsgroups_bydate", "basil", "pac_partisan_events")


def base_articles(data_dir: str | Path | None = DEFAULT_DATA, names: Sequence[str] = BASE_CORPORA,
                  fallback: str | Path = FIXTURE_SEEDS) -> list[Article]:
    """Real articles of ``names`` under ``data_dir`` (records without text are skipped), or the fixture seeds
    when ``data_dir`` is None or missing. Ids become ``<corpus>:<id>``; ``metadata`` keeps every input label
    plus ``corpus`` and ``base_id``."""
    if data_dir is None or not Path(data_dir).is_dir():
        sources = [("seeds", Path(fallback))]
    else:
        sources = [(name, Path(data_dir) / name / "articles.jsonl.gz") for name in names]
    out = []
    for name, path in sources:
        for a in read_articles([path], skip_bad=True, unique_ids=True).articles:
            a.metadata.update(corpus=name, base_id=a.id)
            a.id = f"{name}:{a.id}"
            out.append(a)
    return out


@numba.njit(cache=True)
def _prefix_join(tokens, offsets, prefix, need, sizes, post_docs, post_pos, post_offsets, max_j, max_c):
    """Pairs (s, b), b at least as large as s (ties: b > s), over either bound. Candidates share a token of s's
    prefix and pass the positional filter (shared so far + min(tokens left in s, tokens left in b) >= need[s]);
    their exact overlap is the shared prefix count plus the tokens of s's suffix found in b (binary search)."""
    n = len(sizes)
    mark = np.full(n, -1, np.int64)
    count = np.zeros(n, np.int64)
    touched = np.empty(n, np.int64)
    out = np.empty((1 << 16, 2), np.int64)
    q = 0
    for s in range(n):
        nt = 0
        for i in range(prefix[s]):
            t = tokens[offsets[s] + i]
            for e in range(post_offsets[t], post_offsets[t + 1]):
                b = post_docs[e]
                if b == s or sizes[b] < sizes[s] or (sizes[b] == sizes[s] and b < s):
                    continue
                if mark[b] != s:
                    mark[b] = s
                    count[b] = 0
                    touched[nt] = b
                    nt += 1
                elif count[b] < 0:
                    continue
                c = count[b] + 1
                # the overlap this pair needs (one less, against rounding), from containment or Jaccard
                at_least = min(max_c * sizes[s], max_j * (sizes[s] + sizes[b]) / (1 + max_j)) - 1e-6
                count[b] = c if c + min(sizes[s] - i - 1, sizes[b] - post_pos[e] - 1) >= at_least else -1
        for x in range(nt):
            b = touched[x]
            if count[b] <= 0:
                continue
            inter = count[b]
            if inter + sizes[s] - prefix[s] < min(max_c * sizes[s], max_j * (sizes[s] + sizes[b]) / (1 + max_j)) - 1e-6:
                continue  # even with all of s's suffix shared
            other = tokens[offsets[b] : offsets[b + 1]]
            for p in range(offsets[s] + prefix[s], offsets[s + 1]):
                k = np.searchsorted(other, tokens[p])
                if k < len(other) and other[k] == tokens[p]:
                    inter += 1
            if inter / (sizes[s] + sizes[b] - inter) > max_j or inter / sizes[s] > max_c:
                if q == len(out):
                    grown = np.empty((2 * len(out), 2), np.int64)
                    grown[:q] = out
                    out = grown
                out[q, 0], out[q, 1] = s, b
                q += 1
    return out[:q]


def copy_pairs(texts: Sequence[str], shingle_size: int = 3, max_jaccard: float = 0.1,
               max_containment: float = 0.3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EVERY pair of ``texts`` over either bound on exact shingle sets: ``(pairs (m, 2), jaccard, containment)``.

    Candidates come from prefix filtering with PPJoin's positional filter, which is exact: a flagged pair
    shares more than ``t = min(max_jaccard, max_containment)`` of the smaller set S (a Jaccard over t needs an
    overlap over ``t |A u B| >= t |S|``), so with shingles in one global rarest-first order it shares one of the
    first ``|S| - floor(t |S|)`` shingles of S. The kernel counts every candidate's exact overlap; the flagged
    pairs are measured again with :func:`storyclust.dedup.verify.overlaps`, whose values are returned. (MinHash
    LSH would miss containment pairs: a short text inside a long one has a tiny Jaccard.)
    """
    sh = shingle(list(texts), shingle_size)
    sizes, n = sh.sizes, len(sh)
    if sh.hashes.size == 0:
        return np.empty((0, 2), np.int64), np.zeros(0), np.zeros(0)
    _, token, df = np.unique(sh.hashes, return_inverse=True, return_counts=True)
    rank = np.empty(len(df), np.int64)
    rank[np.lexsort((np.arange(len(df)), df))] = np.arange(len(df))  # rarest first
    doc = np.repeat(np.arange(n), sizes)
    tokens = rank[token]
    tokens = tokens[np.argsort(doc * len(df) + tokens)]  # each document's shingles, rarest first
    pos = np.arange(len(tokens)) - sh.offsets[doc]
    t = min(max_jaccard, max_containment)
    need = np.floor(t * sizes).astype(np.int64) + 1
    prefix = np.maximum(sizes - need + 1, 0)
    by_token = np.argsort(tokens, kind="stable")
    post_offsets = np.concatenate(([0], np.cumsum(np.bincount(tokens, minlength=len(df)))))
    pairs = _prefix_join(tokens, sh.offsets, prefix, need, sizes, doc[by_token], pos[by_token], post_offsets,
                         max_jaccard, max_containment)
    pairs = np.sort(pairs, axis=1)
    jac, con = overlaps(sh, pairs[:, 0], pairs[:, 1])
    flagged = (jac > max_jaccard) | (con > max_containment)
    order = np.lexsort((pairs[flagged, 1], pairs[flagged, 0]))
    return pairs[flagged][order], jac[flagged][order], con[flagged][order]


def distinct(articles: Sequence[Article], shingle_size: int = 3, max_jaccard: float = 0.1,
             max_containment: float = 0.3, min_words: int = 50, report: dict | None = None) -> list[Article]:
    """A subset of ``articles`` (input order kept) whose members are mutually NOT copies.

    Texts are the pipeline's cleaned matching texts (:func:`storyclust.pipeline.prepare`). Texts under
    ``min_words`` words are dropped; then, going through the articles in input order, an article is dropped when
    its exact shingle Jaccard exceeds ``max_jaccard`` or its containment exceeds ``max_containment`` with an
    earlier article that is kept (see :func:`copy_pairs`), so of each copy pair the later one goes. Deterministic.
    ``report``, when given, receives the counts, every pair over a bound and which article each drop kept.
    """
    texts = prepare(articles).texts
    long_enough = np.array([len(t.split()) >= min_words for t in texts], bool)
    index = np.flatnonzero(long_enough)
    pairs, jac, con = copy_pairs([texts[i] for i in index], shingle_size, max_jaccard, max_containment)
    pairs = index[pairs] if len(pairs) else pairs
    keep = long_enough.copy()
    dropped_by: dict[int, tuple[int, float, float]] = {}
    for (i, j), pj, pc in zip(pairs.tolist(), jac.tolist(), con.tolist()):  # sorted by (i, j): i is settled
        if keep[i] and keep[j]:
            keep[j] = False
            dropped_by[j] = (i, pj, pc)
    if report is not None:
        report.update(
            articles=len(articles), short=int((~long_enough).sum()), copy_pairs=len(pairs),
            dropped=len(dropped_by), kept=int(keep.sum()),
            pairs=[{"a": articles[i].id, "b": articles[j].id, "jaccard": pj, "containment": pc}
                   for (i, j), pj, pc in zip(pairs.tolist(), jac.tolist(), con.tolist())],
            dropped_pairs=[{"kept": articles[i].id, "dropped": articles[j].id, "jaccard": pj, "containment": pc}
                           for j, (i, pj, pc) in sorted(dropped_by.items())])
    return [a for a, k in zip(articles, keep.tolist()) if k]
