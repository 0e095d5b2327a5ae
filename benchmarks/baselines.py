"""Baselines measured in the same run as storyclust, reported as ratios.

    bench_signatures(texts)   text -> MinHash signatures: storyclust's ``shingle`` + ``minhash`` against datasketch's
                              ``MinHash.bulk`` over the same word k-gram shingles built as bytes in Python, and
                              against the per-shingle ``MinHash.update`` loop on a few documents
    bench_candidates(texts)   LSH candidate pairs: storyclust's ``candidate_pairs`` against datasketch's
                              ``MinHashLSH(params=(bands, rows))`` insert + query of every document, fed the very
                              same signatures; the two pair sets must be identical
    lsh_recall(texts)         brute-force exact overlap of every pair: how many pairs over the verification rule the
                              LSH candidates and the final duplicate groups find

Every function returns a JSON-ready dict; nothing here runs at import time or prints.
"""

from __future__ import annotations

import re
import time
from typing import Sequence

import numpy as np

from storyclust.dedup import deduplicate
from storyclust.dedup.lsh import candidate_pairs, expected_recall
from storyclust.dedup.minhash import minhash
from storyclust.dedup.shingles import shingle
from storyclust.dedup.verify import overlaps
from storyclust.records import Article
from storyclust.settings import DedupConfig

__all__ = [
    "docs_per_second", "ratio", "pair_codes", "pair_recall", "python_shingles",
    "bench_signatures", "bench_candidates", "lsh_recall",
]

# storyclust's tokens: maximal runs of ASCII letters and digits or non-ASCII characters, after lower-casing
# (storyclust.dedup.shingles works on the UTF-8 bytes: a byte >= 128 belongs to a non-ASCII character).
_TOKEN = re.compile("[0-9a-z\u0080-\U0010ffff]+")


# ------------------------------------------------------------------------------------------- scoring helpers


def docs_per_second(n: int, seconds: float) -> float | None:
    """``n / seconds``; None when nothing was timed (0 seconds)."""
    return n / seconds if seconds > 0 else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def pair_codes(pairs: np.ndarray | Sequence[tuple[int, int]], n: int) -> np.ndarray:
    """Sorted unique codes ``min * n + max`` of unordered pairs ``(i, j)``, ``i != j``, over ``n`` items."""
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    lo, hi = pairs.min(axis=1), pairs.max(axis=1)
    return np.unique(lo * n + hi)


def pair_recall(truth_codes: np.ndarray, found_codes: np.ndarray) -> float:
    """Share of ``truth_codes`` that ``found_codes`` contains (1.0 when there is no true pair)."""
    if len(truth_codes) == 0:
        return 1.0
    return float(np.isin(truth_codes, found_codes).mean())


def python_shingles(text: str, k: int) -> set[bytes]:
    """The word ``k``-gram shingles of ``text`` as UTF-8 bytes, tokenised as :func:`storyclust.dedup.shingles.shingle`
    does (a text with fewer than ``k`` tokens has one shingle of all of them; one without tokens has none)."""
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return set()
    if len(tokens) < k:
        return {" ".join(tokens).encode("utf-8")}
    return {" ".join(tokens[i : i + k]).encode("utf-8") for i in range(len(tokens) - k + 1)}


def _timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


# ------------------------------------------------------------------------------------------- signatures


def bench_signatures(texts: Sequence[str], *, update_docs: int = 200, config: DedupConfig = DedupConfig()) -> dict:
    """Docs/s of text -> signatures for storyclust and datasketch on the same ``texts``; the speed-ups are
    storyclust's docs/s over each baseline's. datasketch hashes each shingle with its default sha1_hash32."""
    from datasketch import MinHash

    texts = list(texts)
    n, k, num_perm = len(texts), config.shingle_size, config.num_perm
    minhash(shingle(texts[:10], k), num_perm=num_perm, seed=config.seed)  # numba: compile outside the timing

    sh, t_shingle = _timed(shingle, texts, k)
    _, t_minhash = _timed(lambda: minhash(sh, num_perm=num_perm, seed=config.seed))
    ours = t_shingle + t_minhash

    sets, t_sets = _timed(lambda: [python_shingles(t, k) for t in texts])
    _, t_bulk = _timed(MinHash.bulk, sets, num_perm=num_perm, seed=config.seed)
    mismatched = int(sum(len(s) != int(m) for s, m in zip(sets, sh.sizes)))

    m_update = min(update_docs, n)

    def update_loop() -> None:
        for s in sets[:m_update]:
            mh = MinHash(num_perm=num_perm, seed=config.seed)
            for x in s:
                mh.update(x)

    _, t_update = _timed(update_loop)
    ours_rate = docs_per_second(n, ours)
    bulk_rate = docs_per_second(n, t_sets + t_bulk)
    update_rate = docs_per_second(m_update, t_update)
    return {
        "docs": n,
        "shingle_size": k,
        "num_perm": num_perm,
        "shingles": int(sh.sizes.sum()),
        "shingle_count_mismatches": mismatched,  # Python shingle sets vs storyclust's, per document
        "storyclust": {"shingle_s": t_shingle, "minhash_s": t_minhash, "seconds": ours, "docs_per_s": ours_rate},
        "datasketch_bulk": {
            "python_shingles_s": t_sets, "bulk_s": t_bulk, "seconds": t_sets + t_bulk, "docs_per_s": bulk_rate,
            "bulk_only_docs_per_s": docs_per_second(n, t_bulk),
        },
        "datasketch_update": {"docs": m_update, "seconds": t_update, "docs_per_s": update_rate},
        "speedup_vs_bulk": ratio(ours_rate, bulk_rate),
        "speedup_vs_bulk_only": ratio(ours_rate, docs_per_second(n, t_bulk)),
        "speedup_vs_update": ratio(ours_rate, update_rate),
    }


# ------------------------------------------------------------------------------------------- candidates


def datasketch_candidates(signatures: np.ndarray, bands: int, rows: int, seed: int) -> tuple[np.ndarray, dict]:
    """Candidate pair codes from datasketch's ``MinHashLSH`` (every row inserted, then every row queried) and
    the seconds of each step."""
    from datasketch import LeanMinHash, MinHashLSH

    n = len(signatures)
    t = time.perf_counter()
    sketches = [LeanMinHash(seed=seed, hashvalues=row, scheme="affine32") for row in signatures]
    t_convert = time.perf_counter() - t
    lsh = MinHashLSH(num_perm=signatures.shape[1], params=(bands, rows))
    t = time.perf_counter()
    for i, sketch in enumerate(sketches):
        lsh.insert(i, sketch, check_duplication=False)
    t_insert = time.perf_counter() - t
    t = time.perf_counter()
    codes = []
    for i, sketch in enumerate(sketches):
        codes.extend(i * n + j for j in lsh.query(sketch) if j > i)
    t_query = time.perf_counter() - t
    found = np.unique(np.array(codes, np.int64))
    return found, {"convert_s": t_convert, "insert_s": t_insert, "query_s": t_query}


def bench_candidates(texts: Sequence[str], *, config: DedupConfig = DedupConfig()) -> dict:
    """storyclust's banding against datasketch's ``MinHashLSH`` on the same signatures (storyclust's, fed to
    datasketch as ``LeanMinHash``): seconds, speed-up, and whether the candidate pair sets are identical."""
    texts = list(texts)
    n = len(texts)
    bands, rows = config.bands_rows
    signatures = minhash(shingle(texts, config.shingle_size), num_perm=config.num_perm, seed=config.seed)
    candidate_pairs(signatures[:10], bands, rows)
    pairs, t_ours = _timed(candidate_pairs, signatures, bands, rows)
    ours = pair_codes(pairs, n)
    theirs, steps = datasketch_candidates(signatures, bands, rows, config.seed)
    t_theirs = steps["insert_s"] + steps["query_s"]
    return {
        "docs": n,
        "bands": bands,
        "rows": rows,
        "storyclust": {"seconds": t_ours, "pairs": int(len(ours))},
        "datasketch": {**steps, "seconds": t_theirs, "pairs": int(len(theirs))},
        "speedup": ratio(t_theirs, t_ours),  # insert + query; the LeanMinHash conversion is listed apart
        "identical": bool(np.array_equal(ours, theirs)),
        "only_storyclust": int(len(np.setdiff1d(ours, theirs))),
        "only_datasketch": int(len(np.setdiff1d(theirs, ours))),
    }


# ------------------------------------------------------------------------------------------- LSH recall


def lsh_recall(articles: Sequence[Article], texts: Sequence[str], *, config: DedupConfig = DedupConfig()) -> dict:
    """Against brute force over every pair of ``texts`` (exact shingle overlap): recall of the pairs that pass
    the verification rule by the LSH candidates, and by the final duplicate groups of
    :func:`storyclust.dedup.deduplicate` (a pair counts when both articles share a group)."""
    texts = list(texts)
    n = len(texts)
    sh = shingle(texts, config.shingle_size)
    signatures = minhash(sh, num_perm=config.num_perm, seed=config.seed)
    t = time.perf_counter()
    left, right = np.triu_indices(n, k=1)
    jac, con = overlaps(sh, left, right)
    smaller = np.minimum(sh.sizes[left], sh.sizes[right])
    by_jaccard = jac >= config.jaccard_threshold
    by_containment = (con >= config.containment_threshold) & (smaller >= config.min_containment_shingles)
    positive = by_jaccard | by_containment
    t_brute = time.perf_counter() - t
    codes = left * n + right
    bands, rows = config.bands_rows
    lsh = pair_codes(candidate_pairs(signatures, bands, rows, active=sh.sizes > 0), n)
    result = deduplicate(articles, texts, config)
    grouped = result.group_of[left[positive]]
    same_group = (grouped >= 0) & (grouped == result.group_of[right[positive]])
    verified = pair_codes(result.pairs, n) if len(result.pairs) else np.zeros(0, np.int64)
    return {
        "docs": n,
        "pairs_checked": int(len(codes)),
        "brute_force_s": t_brute,
        "positives": int(positive.sum()),
        "jaccard_positives": int(by_jaccard.sum()),
        "containment_only_positives": int((by_containment & ~by_jaccard).sum()),
        "candidates": int(len(lsh)),
        "candidate_recall": pair_recall(codes[positive], lsh),
        "candidate_recall_jaccard": pair_recall(codes[by_jaccard], lsh),
        "expected_recall_jaccard": expected_recall(jac[by_jaccard], bands, rows),
        "candidate_recall_containment_only": pair_recall(codes[by_containment & ~by_jaccard], lsh),
        "verified_pair_recall": pair_recall(codes[positive], verified),
        "group_recall": float(same_group.mean()) if len(same_group) else 1.0,
        "verified_pairs_not_positive": int(len(np.setdiff1d(verified, codes[positive]))),
    }
