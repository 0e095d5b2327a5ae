"""Duplicate-detection quality of storyclust's near-duplicate stage on wire-copy rewrites of real articles.

    python -m benchmarks.dedup_quality [--data ../shared/data] [--seed 0] [--originals 600]
                                       [--copies-per-original 1..3] [--json OUT] [--sweep]

The corpus (all of it real text except the rewrites):

* ``--originals`` BBC articles (bbc2225), chosen by ``--seed`` among the articles that remain after dropping
  one member of each of the 98 byte-identical pairs, each with 1-3 rewrites made by
  :func:`storyclust.synth.rewrite` (ids ``<orig>~rw1``, ``~rw2``, ...);
* every other BBC article (its 98 exact-duplicate pairs are true duplicates);
* all BASIL (100 events x 3 outlets) and PAC (152 stories x 2 outlets) articles: the same event written by
  different outlets, which is NOT a copy. These same-event pairs are the hard negatives.

Truth groups are each original with its rewrites (and with its exact BBC twin, when it has one) and the BBC
exact pairs; every other article is unique. Predicted groups are the duplicate groups of
:func:`storyclust.pipeline.run`. Precision, recall and F1 are pair-level: the pairs of articles that share a
group, in the prediction and in the truth.

``--sweep`` varies the settings two at a time around the defaults (jaccard x containment, shingle_size x
lsh_threshold, shingle_size x jaccard, shingle_size x containment), plus a finer "refine" block (jaccard
0.3/0.35/0.4 x containment 0.6-0.9 x lsh 0.15/0.2 at shingle_size 3). For speed, it runs the real
:func:`storyclust.dedup.deduplicate` once per (shingle_size, lsh_threshold) with verification thresholds
near zero, so every LSH candidate with any shared shingle comes back with its exact Jaccard and containment,
then applies each threshold pair with the same rule as ``deduplicate``. The default row of the sweep is
checked against the pipeline run (same verified pairs), so the shortcut cannot drift from the real code.

The substitution rate and truncation share that :func:`storyclust.synth.rewrite` draws are not returned by
it; they are recorded by wrapping ``synth.substitute_words`` and ``synth.truncate`` while the rewrites are
built (the wrappers pass every argument through, so the rewrites are unchanged).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import platform
import random
import re
import shlex
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from rich.console import Console
from rich.table import Table

from storyclust import synth
from storyclust.dedup import DedupConfig, deduplicate, expected_recall, group_pairs
from storyclust.ingest import read_articles
from storyclust.models import Article, ReadResult
from storyclust.pipeline import run
from storyclust.signatures import overlaps, shingle

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
PERCENTILES = (0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 100)
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.98
AUDIT_RATIO = 0.95

SWEEP_JACCARD = (0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
SWEEP_CONTAINMENT = (0.5, 0.6, 0.7, 0.8)
SWEEP_SHINGLE = (2, 3, 4, 5)
SWEEP_LSH = (0.15, 0.2, 0.3)
REFINE_LSH = (0.15, 0.2)
REFINE_JACCARD = (0.3, 0.35, 0.4)
REFINE_CONTAINMENT = (0.6, 0.7, 0.8, 0.9)

SUBSTITUTE_BINS = ((0.0, 0.05, "substitute rate < 0.05"), (0.05, 0.10, "substitute rate 0.05-0.10"),
                   (0.10, 1.01, "substitute rate > 0.10"))
TRUNCATE_BINS = ((0.0, 0.6, "truncate keep < 0.6"), (0.6, 0.75, "truncate keep 0.6-0.75"),
                 (0.75, 1.01, "truncate keep >= 0.75"))


# --------------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------------


@dataclass
class Rewrite:
    index: int  # position in Corpus.articles
    original: int  # position of its original
    ops: tuple[str, ...]
    substitute_rate: float | None = None
    truncate_keep: float | None = None


@dataclass
class Truth:
    """One ground truth: a group label per article and every pair within a group, with its kind."""

    name: str
    labels: np.ndarray
    pairs: np.ndarray
    kinds: list[str]


@dataclass
class Corpus:
    articles: list[Article]
    corpus_of: list[str]  # "bbc", "rewrite", "basil", "pac"
    originals: list[int]
    rewrites: dict[int, Rewrite]
    exact_pairs: list[tuple[int, int]]
    unlabelled_copies: list[dict[str, Any]]  # found by the audit (see audit_unlabelled_copies)
    hard_negatives: np.ndarray  # (m, 2) same-event pairs of different outlets (BASIL, PAC)
    hard_negative_corpus: list[str]
    truths: dict[str, Truth] = field(default_factory=dict)

    def stats(self) -> dict[str, Any]:
        return {
            "articles": len(self.articles),
            "by_corpus": dict(Counter(self.corpus_of)),
            "originals": len(self.originals),
            "rewrites": len(self.rewrites),
            "rewrite_ops": dict(Counter(op for r in self.rewrites.values() for op in r.ops)),
            "bbc_exact_pairs": len(self.exact_pairs),
            "unlabelled_copies": dict(Counter(u["rule"] for u in self.unlabelled_copies)),
            "truths": {
                name: {
                    "groups": int(sum(1 for v in Counter(t.labels.tolist()).values() if v > 1)),
                    "pairs": len(t.pairs),
                    "pairs_by_kind": dict(Counter(t.kinds)),
                }
                for name, t in self.truths.items()
            },
            "hard_negative_pairs": len(self.hard_negatives),
            "hard_negative_pairs_by_corpus": dict(Counter(self.hard_negative_corpus)),
        }


@contextlib.contextmanager
def _record_rewrite_parameters(log: dict[str, float]) -> Iterator[None]:
    """Record the ``rate`` and ``keep`` that :func:`synth.rewrite` passes to its operations."""
    substitute, truncate = synth.substitute_words, synth.truncate

    def substitute_words(article, rng, rate=0.10):  # type: ignore[no-untyped-def]
        log["substitute_rate"] = rate
        return substitute(article, rng, rate=rate)

    def truncate_(article, keep=0.6):  # type: ignore[no-untyped-def]
        log["truncate_keep"] = keep
        return truncate(article, keep=keep)

    synth.substitute_words, synth.truncate = substitute_words, truncate_
    try:
        yield
    finally:
        synth.substitute_words, synth.truncate = substitute, truncate


def _parse_copies(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("..")
    lo_n, hi_n = int(lo), int(hi or lo)
    if not 1 <= lo_n <= hi_n:
        raise argparse.ArgumentTypeError(f"expected N or A..B with 1 <= A <= B, got {text!r}")
    return lo_n, hi_n


def build_corpus(data: Path, seed: int, n_originals: int, copies: tuple[int, int]) -> Corpus:
    bbc = read_articles([data / "bbc2225" / "articles.jsonl.gz"]).articles
    basil = read_articles([data / "basil" / "articles.jsonl.gz"], unique_ids=True).articles
    pac = read_articles([data / "pac_partisan_events" / "articles.jsonl.gz"], unique_ids=True).articles

    # Exact-duplicate pairs; the later id of each pair cannot be an original, so originals are distinct.
    dup_members: dict[str, list[str]] = defaultdict(list)
    for a in bbc:
        if a.metadata.get("exact_dup_group"):
            dup_members[a.metadata["exact_dup_group"]].append(a.id)
    excluded = {m for members in dup_members.values() for m in sorted(members)[1:]}
    eligible = sorted(a.id for a in bbc if a.id not in excluded)
    if n_originals > len(eligible):
        raise SystemExit(f"--originals {n_originals} is more than the {len(eligible)} eligible BBC articles")
    chosen = set(random.Random(seed).sample(eligible, n_originals))

    articles: list[Article] = []
    corpus_of: list[str] = []
    position: dict[str, int] = {}
    originals: list[int] = []
    rewrites: dict[int, Rewrite] = {}
    for a in bbc:
        position[a.id] = len(articles)
        articles.append(a)
        corpus_of.append("bbc")
    for a in bbc:  # rewrites after all BBC articles, in BBC file order
        if a.id not in chosen:
            continue
        orig = position[a.id]
        originals.append(orig)
        rng = random.Random(f"storyclust-dedup-benchmark:{seed}:{a.id}")
        for k in range(1, rng.randint(*copies) + 1):
            log: dict[str, float] = {}
            with _record_rewrite_parameters(log):
                copy, ops = synth.rewrite(a, rng, id=f"{a.id}~rw{k}", source=f"wire-{k}")
            rewrites[len(articles)] = Rewrite(
                len(articles), orig, ops,
                log.get("substitute_rate") if "substitute" in ops else None,
                log.get("truncate_keep") if "truncate" in ops else None,
            )
            articles.append(copy)
            corpus_of.append("rewrite")

    hard: list[tuple[int, int]] = []
    hard_corpus: list[str] = []
    for name, items, key in (("basil", basil, "event"), ("pac", pac, "story")):
        by_event: dict[str, list[int]] = defaultdict(list)
        for a in items:
            by_event[a.metadata[key]].append(len(articles))
            articles.append(a)
            corpus_of.append(name)
        for members in by_event.values():
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    hard.append((members[i], members[j]))
                    hard_corpus.append(name)

    exact_pairs = [tuple(sorted(position[m] for m in members)) for members in dup_members.values()]
    labelled = set(exact_pairs)
    unlabelled = [u for u in audit_unlabelled_copies(articles, [i for i, c in enumerate(corpus_of) if c != "rewrite"])
                  if (min(u["i"], u["j"]), max(u["i"], u["j"])) not in labelled]
    corpus = Corpus(articles, corpus_of, originals, rewrites, exact_pairs, unlabelled,
                    np.array(hard, np.int64).reshape(-1, 2), hard_corpus)
    base_links = exact_pairs + [(r.original, r.index) for r in rewrites.values()]
    corpus.truths["labels"] = _truth("labels", corpus, base_links)
    corpus.truths["audited"] = _truth("audited", corpus, base_links + [(u["i"], u["j"]) for u in unlabelled])
    return corpus


def audit_unlabelled_copies(articles: list[Article], real: list[int]) -> list[dict[str, Any]]:
    """Pairs of real articles that are copies although no label says so.

    bbc2225's ``exact_dup_group`` only pairs byte-identical records (headline included), but the corpus also
    holds the same body under another headline and bodies with a few edits; BASIL and PAC hold a few
    articles twice under different events. A pair is an unlabelled copy when its whitespace- and
    case-normalised bodies are identical or their character-level ``difflib.SequenceMatcher`` ratio is at
    least AUDIT_RATIO. Only pairs whose 3-gram Jaccard reaches 0.5 are compared (storyclust proposes them
    with a 0.2 LSH threshold, candidate probability 0.996 at J=0.5); the decision itself uses no shingles.
    """
    norm = [re.sub(r"\s+", " ", articles[i].text).strip().lower() for i in real]
    cfg = DedupConfig(jaccard_threshold=0.5, containment_threshold=1.0, min_containment_shingles=10**9)
    res = deduplicate([articles[i] for i in real], norm, cfg)
    out = []
    for (a, b), jac in zip(res.pairs.tolist(), res.jaccard.tolist()):
        if norm[a] == norm[b]:
            ratio, rule = 1.0, "same body"
        else:
            ratio = difflib.SequenceMatcher(None, norm[a], norm[b], autojunk=False).ratio()
            rule = f"body ratio >= {AUDIT_RATIO}"
        if ratio >= AUDIT_RATIO:
            out.append({"i": real[a], "j": real[b], "a": articles[real[a]].id, "b": articles[real[b]].id,
                        "rule": rule, "ratio": ratio, "jaccard": jac})
    return out


def _truth(name: str, c: Corpus, links: list[tuple[int, int]]) -> Truth:
    n = len(c.articles)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in links:
        parent[find(i)] = find(j)
    labels = np.array([find(i) for i in range(n)], np.int64)
    members_of: dict[int, list[int]] = defaultdict(list)
    for i, t in enumerate(labels.tolist()):
        members_of[t].append(i)
    exact = {tuple(p) for p in c.exact_pairs}
    pairs, kinds = [], []
    for members in members_of.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                i, j = members[x], members[y]
                pairs.append((i, j))
                kinds.append(_true_pair_kind(c, exact, i, j))
    return Truth(name, labels, np.array(pairs, np.int64).reshape(-1, 2), kinds)


def _true_pair_kind(c: Corpus, exact: set[tuple[int, int]], i: int, j: int) -> str:
    ri, rj = c.rewrites.get(i), c.rewrites.get(j)
    if ri and rj:
        return "rewrite-rewrite"
    r = ri or rj
    if r is not None:
        other = j if ri else i
        return "original-rewrite" if other == r.original else "twin of original-rewrite"
    return "bbc exact pair" if (min(i, j), max(i, j)) in exact else "unlabelled copy (audit)"


# --------------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------------


def _pairs_within(labels: np.ndarray) -> int:
    counts = np.unique(labels, return_counts=True)[1]
    return int((counts * (counts - 1) // 2).sum())


def _safe(a: float, b: float) -> float:
    return a / b if b else 0.0


def pair_labels(n: int, pairs: np.ndarray) -> np.ndarray:
    return group_pairs(n, pairs) if len(pairs) else np.arange(n)


def _false_pair_category(c: Corpus, hard_set: set[tuple[int, int]], i: int, j: int) -> str:
    i, j = min(i, j), max(i, j)
    if (i, j) in hard_set:
        return "hard negative (same event, other outlet)"
    ci, cj = c.corpus_of[i], c.corpus_of[j]
    if "rewrite" in (ci, cj):
        return "rewrite vs article not its source"
    if ci == cj == "bbc":
        return "BBC vs BBC"
    if ci == cj:
        return f"{ci} vs {ci}, different events"
    return "across corpora"


def _recall_table(rows: dict[str, list[int]]) -> dict[str, dict[str, Any]]:
    return {k: {"found": f, "pairs": t, "recall": _safe(f, t)} for k, (f, t) in sorted(rows.items())}


def evaluate(c: Corpus, truth: Truth, labels: np.ndarray, *, detail: bool = False) -> dict[str, Any]:
    """Pair-level scores of predicted group ``labels`` against ``truth``."""
    n = len(labels)
    predicted = _pairs_within(labels)
    actual = len(truth.pairs)
    joint = labels.astype(np.int64) * (int(truth.labels.max()) + 1) + truth.labels
    tp = _pairs_within(joint)
    fp = predicted - tp
    precision, recall = _safe(tp, predicted), _safe(tp, actual)
    f1 = _safe(2 * precision * recall, precision + recall)
    hn = c.hard_negatives
    fp_hard = int((labels[hn[:, 0]] == labels[hn[:, 1]]).sum()) if len(hn) else 0
    out: dict[str, Any] = {
        "precision": precision, "recall": recall, "f1": f1,
        "true_pairs": actual, "predicted_pairs": predicted, "tp": tp, "fp": fp, "fn": actual - tp,
        "fp_hard_negative": fp_hard, "fp_other": fp - fp_hard,
        "hard_negative_pairs": len(hn),
        "meets_target": recall >= TARGET_RECALL and precision >= TARGET_PRECISION,
        "predicted_groups": int(sum(1 for v in Counter(labels.tolist()).values() if v > 1)),
        "largest_group": int(np.bincount(labels).max()) if n else 0,
    }
    if not detail:
        return out

    hit = labels[truth.pairs[:, 0]] == labels[truth.pairs[:, 1]]
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for k, h in zip(truth.kinds, hit.tolist()):
        by_kind[k][0] += h
        by_kind[k][1] += 1
    out["recall_by_pair_kind"] = _recall_table(by_kind)

    # A copy vs its original: recall by rewrite operation, substitution rate and truncation share.
    by_op: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (i, j), k, h in zip(truth.pairs.tolist(), truth.kinds, hit.tolist()):
        if k != "original-rewrite":
            continue
        r = c.rewrites[i] if i in c.rewrites else c.rewrites[j]
        names = ["all copies vs original", *(f"op: {op}" for op in r.ops)]
        rest = [op for op in r.ops if op != "headline"]
        names.append("ops: headline + " + "+".join(rest) if rest else "ops: headline only")
        if r.substitute_rate is not None:
            names += [label for lo, hi, label in SUBSTITUTE_BINS if lo <= r.substitute_rate < hi]
        if r.truncate_keep is not None:
            names += [label for lo, hi, label in TRUNCATE_BINS if lo <= r.truncate_keep < hi]
        if r.substitute_rate is not None and r.truncate_keep is not None:
            names.append("truncate and substitute")
            if r.substitute_rate > 0.10 and r.truncate_keep < 0.6:
                names.append("truncate keep < 0.6 and substitute rate > 0.10")
        for name in names:
            by_op[name][0] += h
            by_op[name][1] += 1
    out["recall_by_rewrite"] = _recall_table(by_op)

    # False-positive pairs by category (enumerated unless the prediction is huge).
    if predicted <= 2_000_000:
        hard_set = {(int(i), int(j)) for i, j in hn.tolist()}
        cats: Counter[str] = Counter()
        order = np.argsort(labels, kind="stable")
        bounds = np.flatnonzero(np.diff(labels[order])) + 1
        for members in np.split(order, bounds):
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    i, j = int(members[x]), int(members[y])
                    if truth.labels[i] != truth.labels[j]:
                        cats[_false_pair_category(c, hard_set, i, j)] += 1
        out["fp_by_category"] = dict(cats)
    return out


def _percentiles(x: np.ndarray) -> dict[str, float]:
    if len(x) == 0:
        return {}
    return {f"p{p}": float(v) for p, v in zip(PERCENTILES, np.percentile(x, PERCENTILES))}


def overlap_report(c: Corpus, texts: list[str], config: DedupConfig, top: int = 10) -> dict[str, Any]:
    """Exact shingle Jaccard / containment of the true pairs (labels truth) and of the hard negatives."""
    truth = c.truths["labels"]
    sh = shingle(texts, config.shingle_size)
    sizes = sh.sizes
    tj, tc = overlaps(sh, truth.pairs[:, 0], truth.pairs[:, 1])
    hj, hc = overlaps(sh, c.hard_negatives[:, 0], c.hard_negatives[:, 1])
    kinds = np.array(truth.kinds)
    source = kinds == "original-rewrite"

    def verified(j: np.ndarray, con: np.ndarray, pairs: np.ndarray) -> np.ndarray:
        smaller = np.minimum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
        return (j >= config.jaccard_threshold) | (
            (con >= config.containment_threshold) & (smaller >= config.min_containment_shingles))

    def pair_row(i: int, j: int, jac: float, con: float) -> dict[str, Any]:
        a, b = c.articles[i], c.articles[j]
        return {"a": a.id, "b": b.id, "a_source": a.source, "b_source": b.source,
                "a_title": a.title[:70], "b_title": b.title[:70],
                "jaccard": float(jac), "containment": float(con),
                "shingles": [int(sizes[i]), int(sizes[j])]}

    hard_rank = np.argsort(-np.maximum(hj, hc), kind="stable")[:top]
    miss_rank = np.argsort(np.maximum(tj, tc), kind="stable")[:top]
    return {
        "shingle_size": config.shingle_size,
        "true_pairs": {
            "all": {"n": len(tj), "jaccard": _percentiles(tj), "containment": _percentiles(tc)},
            "copy vs original": {"n": int(source.sum()), "jaccard": _percentiles(tj[source]),
                               "containment": _percentiles(tc[source])},
            "rewrite-rewrite": {"n": int((kinds == "rewrite-rewrite").sum()),
                                "jaccard": _percentiles(tj[kinds == "rewrite-rewrite"]),
                                "containment": _percentiles(tc[kinds == "rewrite-rewrite"])},
            "passing_verification": float(verified(tj, tc, truth.pairs).mean()),
            "lsh_expected_recall": expected_recall(tj, config),
            "lowest": [pair_row(int(truth.pairs[q, 0]), int(truth.pairs[q, 1]), tj[q], tc[q]) for q in miss_rank],
        },
        "hard_negatives": {
            "n": len(hj), "jaccard": _percentiles(hj), "containment": _percentiles(hc),
            "passing_verification": int(verified(hj, hc, c.hard_negatives).sum()),
            "top": [pair_row(int(c.hard_negatives[q, 0]), int(c.hard_negatives[q, 1]), hj[q], hc[q])
                    for q in hard_rank],
        },
    }


# --------------------------------------------------------------------------------------------------
# Sweep
# --------------------------------------------------------------------------------------------------

_NEAR_ZERO = 1e-9


@dataclass
class Candidates:
    """Every LSH candidate (with any shared shingle) of one (shingle_size, lsh_threshold), from deduplicate."""

    pairs: np.ndarray
    jaccard: np.ndarray
    containment: np.ndarray
    smaller: np.ndarray
    seconds: float


def candidates_for(articles: list[Article], texts: list[str], config: DedupConfig) -> Candidates:
    t = time.perf_counter()
    loose = replace(config, jaccard_threshold=_NEAR_ZERO, containment_threshold=_NEAR_ZERO,
                    min_containment_shingles=0)
    res = deduplicate(articles, texts, loose)
    sizes = shingle(texts, config.shingle_size).sizes
    smaller = np.minimum(sizes[res.pairs[:, 0]], sizes[res.pairs[:, 1]]) if len(res.pairs) else np.zeros(0, np.int64)
    return Candidates(res.pairs, res.jaccard, res.containment, smaller, time.perf_counter() - t)


def verified_pairs(cand: Candidates, config: DedupConfig) -> np.ndarray:
    """The verification rule of :func:`storyclust.dedup.deduplicate`, applied to precomputed overlaps."""
    ok = (cand.jaccard >= config.jaccard_threshold) | (
        (cand.containment >= config.containment_threshold) & (cand.smaller >= config.min_containment_shingles))
    return cand.pairs[ok]


def sweep_configs(base: DedupConfig) -> list[tuple[str, DedupConfig]]:
    out: list[tuple[str, DedupConfig]] = [("default", base)]
    for j in SWEEP_JACCARD:
        for con in SWEEP_CONTAINMENT:
            out.append(("jaccard x containment", replace(base, jaccard_threshold=j, containment_threshold=con)))
    for k in SWEEP_SHINGLE:
        for lt in SWEEP_LSH:
            out.append(("shingle x lsh", replace(base, shingle_size=k, lsh_threshold=lt)))
    for k in SWEEP_SHINGLE:
        for j in SWEEP_JACCARD:
            out.append(("shingle x jaccard", replace(base, shingle_size=k, jaccard_threshold=j)))
    for k in SWEEP_SHINGLE:
        for con in SWEEP_CONTAINMENT:
            out.append(("shingle x containment", replace(base, shingle_size=k, containment_threshold=con)))
    # Finer steps where the coarse grid's precision/recall trade-off turns (k=3, low LSH threshold).
    for lt in REFINE_LSH:
        for j in REFINE_JACCARD:
            for con in REFINE_CONTAINMENT:
                out.append(("refine", replace(base, lsh_threshold=lt, jaccard_threshold=j, containment_threshold=con)))
    seen: set[DedupConfig] = set()
    unique = []
    for name, cfg in out:
        if cfg not in seen:
            seen.add(cfg)
            unique.append((name, cfg))
    return unique


def run_sweep(c: Corpus, texts: list[str], base: DedupConfig, default_pairs: np.ndarray,
              console: Console) -> dict[str, Any]:
    n = len(c.articles)
    cache: dict[tuple[int, float], Candidates] = {}
    rows = []
    overlap_by_k: dict[int, Any] = {}
    for name, cfg in sweep_configs(base):
        key = (cfg.shingle_size, cfg.lsh_threshold)
        if key not in cache:
            console.log(f"sweep: candidates for shingle_size={key[0]} lsh_threshold={key[1]}")
            cache[key] = candidates_for(c.articles, texts, cfg)
        cand = cache[key]
        pairs = verified_pairs(cand, cfg)
        if cfg == base:
            same = np.array_equal(np.asarray(pairs, np.int64), np.asarray(default_pairs, np.int64))
            if not same:
                raise SystemExit("sweep check failed: the sweep's default row differs from the pipeline run")
        labels = pair_labels(n, pairs)
        metrics = {name_: evaluate(c, truth, labels) for name_, truth in c.truths.items()}
        bands, rows_ = cfg.bands_rows
        rows.append({"varied": name, "shingle_size": cfg.shingle_size, "lsh_threshold": cfg.lsh_threshold,
                     "bands": bands, "rows": rows_,
                     "jaccard_threshold": cfg.jaccard_threshold, "containment_threshold": cfg.containment_threshold,
                     "candidates": len(cand.pairs), "verified_pairs": len(pairs), **metrics["labels"],
                     "audited": metrics["audited"]})
    for k in SWEEP_SHINGLE:
        rep = overlap_report(c, texts, replace(base, shingle_size=k), top=0)
        overlap_by_k[k] = {
            "true_jaccard": rep["true_pairs"]["copy vs original"]["jaccard"],
            "true_containment": rep["true_pairs"]["copy vs original"]["containment"],
            "hard_jaccard": rep["hard_negatives"]["jaccard"],
            "hard_containment": rep["hard_negatives"]["containment"],
        }
    return {"rows": rows, "overlap_by_shingle_size": overlap_by_k,
            "candidate_seconds": {f"k={k} lsh={t}": v.seconds for (k, t), v in cache.items()},
            "check": "the default row's verified pairs equal the pipeline run's"}


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


def _f(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}f}"


def _pct_table(title: str, rows: list[tuple[str, dict[str, float]]]) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("distribution")
    for p in PERCENTILES:
        t.add_column({0: "min", 100: "max"}.get(p, f"p{p}"), justify="right")
    for name, d in rows:
        t.add_row(name, *(_f(d[f"p{p}"]) for p in PERCENTILES) if d else ["-"] * len(PERCENTILES))
    return t


def _metrics_row(m: dict[str, Any]) -> list[str]:
    return [_f(m["precision"], 4), _f(m["recall"], 4), _f(m["f1"], 4), str(m["true_pairs"]), str(m["predicted_pairs"]),
            str(m["tp"]), str(m["fp"]), str(m["fn"]), f"{m['fp_hard_negative']}/{m['hard_negative_pairs']}",
            str(m["fp_other"]), "[green]met[/]" if m["meets_target"] else "[red]missed[/]"]


def render(console: Console, report: dict[str, Any]) -> None:
    console.print(f"[bold]command:[/] {report['command']}")
    s = report["corpus"]
    console.print(
        f"corpus: {s['articles']} articles {s['by_corpus']}; {s['originals']} originals with {s['rewrites']} rewrites; "
        f"{s['hard_negative_pairs']} hard-negative pairs {s['hard_negative_pairs_by_corpus']}"
    )
    console.print(f"rewrite operations: {s['rewrite_ops']}")
    console.print(f"unlabelled copies found by the audit (added to the 'audited' truth): {s['unlabelled_copies']}")
    for name, t in s["truths"].items():
        console.print(f"truth '{name}': {t['groups']} groups, {t['pairs']} pairs {t['pairs_by_kind']}")
    d = report["default"]
    t = Table(title=f"Default settings {d['config']}", title_justify="left")
    t.add_column("truth")
    for col in ("precision", "recall", "F1", "true pairs", "predicted", "TP", "FP", "FN", "FP hard neg.", "FP other", "target"):
        t.add_column(col, justify="right")
    for name, m in d["metrics"].items():
        t.add_row(name, *_metrics_row(m))
    console.print(t)

    lab, aud = d["metrics"]["labels"], d["metrics"]["audited"]
    t = Table(title="Recall by pair kind, and by rewrite for copy-vs-original pairs (truth: labels)", title_justify="left")
    for col in ("pairs", "found", "n", "recall", "recall (audited)"):
        t.add_column(col, justify="right" if col != "pairs" else "left")
    kinds = list(dict.fromkeys([*lab["recall_by_pair_kind"], *aud["recall_by_pair_kind"]]))
    for k in kinds:
        v, w = lab["recall_by_pair_kind"].get(k), aud["recall_by_pair_kind"].get(k)
        t.add_row(f"kind: {k}", str(v["found"]) if v else "-", str(v["pairs"]) if v else "-",
                  _f(v["recall"], 4) if v else "-", f"{_f(w['recall'], 4)} of {w['pairs']}" if w else "-")
    for k, v in lab["recall_by_rewrite"].items():
        w = aud["recall_by_rewrite"].get(k)
        t.add_row(k, str(v["found"]), str(v["pairs"]), _f(v["recall"], 4), _f(w["recall"], 4) if w else "-")
    console.print(t)
    for name, m in d["metrics"].items():
        console.print(f"false-positive pairs by category (truth '{name}'): {m.get('fp_by_category')}")

    o = d["overlaps"]
    console.print(_pct_table(
        f"Exact {o['shingle_size']}-gram shingle overlaps of cleaned texts (true pairs: labels truth)",
        [("true pairs: Jaccard", o["true_pairs"]["all"]["jaccard"]),
         ("true pairs: containment", o["true_pairs"]["all"]["containment"]),
         ("copy vs original: Jaccard", o["true_pairs"]["copy vs original"]["jaccard"]),
         ("copy vs original: containment", o["true_pairs"]["copy vs original"]["containment"]),
         ("rewrite vs rewrite: Jaccard", o["true_pairs"]["rewrite-rewrite"]["jaccard"]),
         ("rewrite vs rewrite: containment", o["true_pairs"]["rewrite-rewrite"]["containment"]),
         ("hard negatives: Jaccard", o["hard_negatives"]["jaccard"]),
         ("hard negatives: containment", o["hard_negatives"]["containment"])],
    ))
    console.print(f"true pairs passing verification directly (if candidates): {_f(o['true_pairs']['passing_verification'], 4)}; "
                  f"LSH expected candidate recall over true pairs: {_f(o['true_pairs']['lsh_expected_recall'], 4)}; "
                  f"hard negatives passing verification: {o['hard_negatives']['passing_verification']} "
                  f"of {o['hard_negatives']['n']}")
    for title, key, sub in (("Top hard negatives (by max of Jaccard, containment)", "hard_negatives", "top"),
                            ("Lowest-overlap true pairs", "true_pairs", "lowest")):
        t = Table(title=title, title_justify="left")
        for col in ("a", "b", "J", "C", "shingles", "title a"):
            t.add_column(col)
        for r in o[key][sub]:
            t.add_row(f"{r['a']} ({r['a_source']})", f"{r['b']} ({r['b_source']})", _f(r["jaccard"]),
                      _f(r["containment"]), f"{r['shingles'][0]}/{r['shingles'][1]}", r["a_title"][:45])
        console.print(t)
    wrong = [e for e in d["false_edges"] if not e["true_if_audited"]]
    if wrong:
        t = Table(title=f"Verified pairs that join different groups of the audited truth ({len(wrong)}; "
                        f"{len(d['false_edges']) - len(wrong)} more are unlabelled copies)", title_justify="left")
        for col in ("category", "a", "b", "J", "C", "title a", "title b"):
            t.add_column(col)
        for r in wrong[:30]:
            t.add_row(r["category"], r["a"], r["b"], _f(r["jaccard"]), _f(r["containment"]),
                      r["a_title"][:35], r["b_title"][:35])
        console.print(t)

    if "sweep" in report:
        sw = report["sweep"]
        t = Table(title="Sweep (one or two settings varied around the defaults); P/R/F1 on the labels truth, "
                        "P/R on the audited truth", title_justify="left")
        for col in ("varied", "k", "lsh", "b x r", "J thr", "C thr", "cand.", "P", "R", "F1", "FP hard",
                    "FP other", "target", "P aud.", "R aud.", "target aud."):
            t.add_column(col, justify="right")
        for r in sw["rows"]:
            a = r["audited"]
            t.add_row(r["varied"], str(r["shingle_size"]), str(r["lsh_threshold"]), f"{r['bands']}x{r['rows']}",
                      str(r["jaccard_threshold"]), str(r["containment_threshold"]), str(r["candidates"]),
                      _f(r["precision"], 4), _f(r["recall"], 4), _f(r["f1"], 4), str(r["fp_hard_negative"]),
                      str(r["fp_other"]), "[green]met[/]" if r["meets_target"] else "",
                      _f(a["precision"], 4), _f(a["recall"], 4), "[green]met[/]" if a["meets_target"] else "")
        console.print(t)
        t = Table(title="Copy-vs-original and hard-negative overlap percentiles by shingle size", title_justify="left")
        for col in ("k", "copy J min", "copy J p1", "copy J p5", "copy J p50", "copy C min", "copy C p1",
                    "hard J p50", "hard J p99", "hard J max", "hard C p99", "hard C max"):
            t.add_column(col, justify="right")
        for k, v in sw["overlap_by_shingle_size"].items():
            t.add_row(str(k), _f(v["true_jaccard"]["p0"]), _f(v["true_jaccard"]["p1"]), _f(v["true_jaccard"]["p5"]),
                      _f(v["true_jaccard"]["p50"]), _f(v["true_containment"]["p0"]), _f(v["true_containment"]["p1"]),
                      _f(v["hard_jaccard"]["p50"]), _f(v["hard_jaccard"]["p99"]), _f(v["hard_jaccard"]["p100"]),
                      _f(v["hard_containment"]["p99"]), _f(v["hard_containment"]["p100"]))
        console.print(t)
        for name in ("labels", "audited"):
            met = [r for r in sw["rows"] if (r if name == "labels" else r["audited"])["meets_target"]]
            console.print(f"settings meeting the target (recall >= {TARGET_RECALL} at precision >= {TARGET_PRECISION}) "
                          f"on the {name} truth: {len(met)} of {len(sw['rows'])}")
    console.print(f"timings (s): {report['timings']}")


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict[str, Any]:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks.dedup_quality", description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"folder of the corpora (default {DEFAULT_DATA})")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--originals", type=int, default=600)
    p.add_argument("--copies-per-original", type=_parse_copies, default=(1, 3), metavar="A..B")
    p.add_argument("--json", type=Path, help="write the full report here")
    p.add_argument("--sweep", action="store_true", help="also evaluate settings around the defaults")
    for name in ("shingle_size", "lsh_threshold", "jaccard_threshold", "containment_threshold", "min_containment_shingles"):
        kind = int if name in ("shingle_size", "min_containment_shingles") else float
        p.add_argument("--" + name.replace("_", "-"), type=kind, help=f"override DedupConfig.{name}")
    args = p.parse_args(argv)
    console = Console(width=max(Console().width, 170))
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    corpus = build_corpus(args.data, args.seed, args.originals, args.copies_per_original)
    timings["build_corpus_and_audit"] = time.perf_counter() - t0
    overrides = {k: getattr(args, k) for k in ("shingle_size", "lsh_threshold", "jaccard_threshold",
                                               "containment_threshold", "min_containment_shingles")
                 if getattr(args, k) is not None}
    config = DedupConfig(**overrides)

    t = time.perf_counter()
    result = run(ReadResult(list(corpus.articles)), config)
    timings["pipeline_run"] = time.perf_counter() - t
    timings.update({f"pipeline.{k}": v for k, v in result.timings.items()})
    dedup = result.dedup
    labels = pair_labels(len(corpus.articles), dedup.pairs)
    texts = result.prepared.texts

    hard_set = {(int(i), int(j)) for i, j in corpus.hard_negatives.tolist()}
    strict, audited = corpus.truths["labels"].labels, corpus.truths["audited"].labels
    false_edges = []
    for (i, j), jac, con in zip(dedup.pairs.tolist(), dedup.jaccard.tolist(), dedup.containment.tolist()):
        if strict[i] != strict[j]:
            a, b = corpus.articles[i], corpus.articles[j]
            false_edges.append({"category": _false_pair_category(corpus, hard_set, i, j), "a": a.id, "b": b.id,
                                "true_if_audited": bool(audited[i] == audited[j]),
                                "a_title": a.title[:80], "b_title": b.title[:80], "jaccard": jac, "containment": con})
    false_edges.sort(key=lambda r: -r["jaccard"])

    report: dict[str, Any] = {
        "command": shlex.join(["python", "-m", "benchmarks.dedup_quality", *argv]),
        "cwd": str(Path.cwd()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "data": str(args.data.resolve()),
        "seed": args.seed,
        "copies_per_original": list(args.copies_per_original),
        "target": {"recall": TARGET_RECALL, "precision": TARGET_PRECISION},
        "audit_ratio": AUDIT_RATIO,
        "corpus": corpus.stats(),
        "unlabelled_copies": corpus.unlabelled_copies,
        "default": {
            "config": config.describe(),
            "metrics": {name: evaluate(corpus, truth, labels, detail=True) for name, truth in corpus.truths.items()},
            "verified_pairs": len(dedup.pairs),
            "candidates": dedup.candidates,
            "overlaps": overlap_report(corpus, texts, config),
            "false_edges": false_edges,
        },
    }
    if args.sweep:
        t = time.perf_counter()
        report["sweep"] = run_sweep(corpus, texts, config, dedup.pairs, console)
        timings["sweep"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    report["timings"] = {k: round(v, 3) for k, v in timings.items()}

    render(console, report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
        console.print(f"wrote {args.json}")
    return report


if __name__ == "__main__":
    main()
