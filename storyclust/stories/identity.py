"""Event identity: the names, places, datelines, ages and counts that tell one incident from a look-alike one.

:func:`identity_features` gives each article a list of features, each prefixed by its kind::

    n:<name>      a capitalised name sequence (lower-cased words joined with ``_``); its words also as n1:<word>
    d:<place>     the dateline ("LITTLE ROCK, Ark. (AP) -", "STOCKTON -")
    a:<age>       "15-year-old", "Name, 25,", "Name (25)"
    q:<n>_<unit>  a number and the word after it ("3400 block", "20 rounds", "4 shot"; spelled-out numbers up
                  to twenty count as numbers)

Which capitalised words are names is learnt from the corpus itself (truecasing): a word is a name word when
the corpus writes it capitalised inside sentences at least as often as in lower case, so sentence starts and
Title Case headlines say nothing by themselves. No model and no gazetteer: it works on news it has never seen.

:func:`identity_block` weighs the features like TF-IDF, times a burst weight (how concentrated in time a
feature's coverage is: a victim's name comes in one burst, a president's or a city's is spread over years),
after dropping each source's template features. :func:`split_by_identity` cuts a story into the parts whose
members share identity.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .timeline import DAY

__all__ = ["identity_features", "identity_block", "IdentityBlock", "combine", "split_by_identity", "burst_weights"]

_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_CALENDAR = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec am pm a.m
p.m est edt cst cdt mst mdt pst pdt gmt utc posted updated i i'm i'll i've i'd mr mrs ms dr jr sr""".split())
_CONNECT = frozenset({"de", "la", "del", "van", "von", "da", "di", "du"})
_SKIP_UNIT = frozenset({"a", "an", "the", "and", "or", "of", "in", "at", "on", "to", "p", "m", "pm", "am", "s", "th",
                        "st", "nd", "rd", "percent", "com"}) | ENGLISH_STOP_WORDS
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[^\W\d_][\w'\u2019\-]*|[.!?;:\"\u201c\u201d()|]|\n")
_DATELINE = re.compile(
    r"^\s*([A-Z][A-Za-z.'\u2019 ]{1,40}?)(?:,\s*[A-Z][A-Za-z.]{1,15}\.?(?:\s[A-Z][a-z.]+)?)?\s*"
    r"(?:\([^)]{1,30}\))?\s*(?:--|[-\u2013\u2014:])"
)
_AGE = re.compile(r"\b(\d{1,3})[- ](?:year|yr)s?[- ]old\b", re.I)
_AGE_APPOSITIVE = re.compile(r"\b[A-Z][a-z]+,\s(\d{1,3}),")
_AGE_PAREN = re.compile(r"\b[A-Z][a-z]+\s\((\d{1,3})\)")
_BREAK = frozenset(".!?;:\"\u201c\u201d()|\n")
#: the kinds a label's names are taken from: name sequences and datelines
NAME_KINDS = ("n", "d")


def _key(token: str) -> str:
    low = token.lower()
    if low.endswith("'s") or low.endswith("\u2019s"):
        return low[:-2]
    return low


def _case_counts(tokenized: list[list[str]]) -> tuple[Counter, Counter]:
    """Per word: times written capitalised inside a sentence, and times written in lower case."""
    capitalised: list[str] = []
    lower: list[str] = []
    for tokens in tokenized:
        start = True
        for token in tokens:
            if token in _BREAK:
                start = True
                continue
            c = token[0]
            if c.isupper():
                if not start:
                    capitalised.append(token)
            elif c.isalpha():
                lower.append(token)
            start = False
    cap: Counter = Counter()
    for token, count in Counter(capitalised).items():
        cap[_key(token)] += count
    low: Counter = Counter()
    for token, count in Counter(lower).items():
        low[_key(token)] += count
    return cap, low


def _flush(run: list[str], out: list[str]) -> None:
    while run and run[-1] in _CONNECT:
        run.pop()
    if run:
        out.append("n:" + "_".join(run))
        if len(run) > 1:
            out.extend("n1:" + w for w in run if w not in _CONNECT)
    run.clear()


def _token_features(tokens: list[str], names: set[str], out: list[str], keys: dict[str, str]) -> None:
    run: list[str] = []
    for i, token in enumerate(tokens):
        if token in _BREAK:
            if run:
                _flush(run, out)
            continue
        c = token[0]
        if c.isupper():
            key = keys.get(token)
            if key is None:
                key = keys[token] = _key(token)
            if key in names:
                run.append(key)
                continue
        elif run and token in _CONNECT:
            run.append(token)
            continue
        if run:
            _flush(run, out)
        if c.isdigit():
            value = token.replace(",", "")
        elif token in _NUMBER_WORDS:
            value = _NUMBER_WORDS[token]
        elif c.isupper() or not token.islower():
            value = _NUMBER_WORDS.get(token.lower())
        else:
            continue
        if value is not None and i + 1 < len(tokens):
            unit = tokens[i + 1]
            if unit in _BREAK or unit[0].isdigit():
                continue
            unit = unit.lower()
            if unit.startswith("year") or unit in _SKIP_UNIT:
                continue
            out.append(f"q:{value}_{unit.split('-')[0]}")
    if run:
        _flush(run, out)


def identity_features(titles: Sequence[str], texts: Sequence[str], *, lead: int | None = None) -> list[list[str]]:
    """Each article's identity features (see the module docstring), from its title and the first ``lead``
    characters of its text (all of it when ``None``). Which words are names is learnt from these articles."""
    if len(titles) != len(texts):
        raise ValueError(f"{len(titles)} titles for {len(texts)} texts")
    bodies = [t if lead is None else t[:lead] for t in texts]
    tokenized = [_TOKEN.findall(title) + ["\n"] + _TOKEN.findall(body) for title, body in zip(titles, bodies)]
    cap, low = _case_counts(tokenized)
    names = {w for w, c in cap.items() if c >= low.get(w, 0) and len(w) > 1 and w not in _CALENDAR}
    result = []
    keys: dict[str, str] = {}
    for title, body, tokens in zip(titles, bodies, tokenized):
        out: list[str] = []
        for line in body[:300].split("\n")[:3]:
            m = _DATELINE.match(line)
            if m:
                place = m.group(1).strip(" .").lower()
                words = place.split()
                if 2 <= len(place) <= 30 and len(words) <= 4 and words[0] in names:
                    out.append("d:" + place)
                    break
        both = title + "\n" + body
        out.extend("a:" + m for m in _AGE.findall(both))
        out.extend("a:" + m for m in _AGE_APPOSITIVE.findall(both))
        out.extend("a:" + m for m in _AGE_PAREN.findall(both))
        _token_features(tokens, names, out, keys)
        result.append(out)
    return result


def _drop_source_templates(features: list[list[str]], sources: Sequence[str | None], share: float,
                           min_articles: int) -> list[list[str]]:
    """Drop a feature from a source's articles when more than ``share`` of that source's articles (at least
    ``min_articles``) carry it: a site's or station's name, the city in every one of its headlines."""
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, source in enumerate(sources):
        if source:
            by_source[source].append(i)
    out = list(features)
    for rows in by_source.values():
        if len(rows) < min_articles:
            continue
        df = Counter(f for i in rows for f in set(features[i]))
        template = {f for f, c in df.items() if c > share * len(rows)}
        if template:
            for i in rows:
                out[i] = [f for f in features[i] if f not in template]
    return out


def burst_weights(counts: sparse.csr_matrix, stamps: np.ndarray, window_days: float) -> np.ndarray:
    """Per column: the share of its pairs of dated articles that lie within ``window_days`` of each other
    (1.0 where fewer than two of its articles are dated)."""
    csc = counts.tocsc()
    csc.sort_indices()
    columns = np.repeat(np.arange(csc.shape[1]), np.diff(csc.indptr))
    t = stamps[csc.indices]
    dated = ~np.isnan(t)
    columns, t = columns[dated], t[dated]
    k = np.bincount(columns, minlength=csc.shape[1])
    out = np.ones(csc.shape[1])
    if len(t) == 0:
        return out
    window = window_days * DAY
    # One sort over (column, date): offsetting each column by more than the span keeps columns apart.
    span = float(t.max() - t.min()) + 2 * window + 1.0
    key = columns * span + (t - t.min())
    order = np.argsort(key, kind="stable")
    key, columns = key[order], columns[order]
    ends = np.cumsum(k)
    later = np.minimum(np.searchsorted(key, key + window, side="right"), ends[columns])
    within = np.bincount(columns, weights=later - np.arange(len(key)) - 1, minlength=csc.shape[1])
    pairs = k * (k - 1) / 2.0
    many = k >= 2
    out[many] = within[many] / pairs[many]
    return out


@dataclass
class IdentityBlock:
    """``matrix``: the identity TF-IDF rows with burst-weighted IDF, L2-normalised over every feature before
    the ones in fewer than ``min_df`` articles or more than ``max_df`` of them were dropped (``residual`` is
    the dropped part's squared norm, as in :class:`.vectorize.Representation`); ``plain``: the same rows with
    IDF alone, which the identity split reads (a name that recurs over years still says two articles are
    about the same people); ``features``: each article's kept identity features; ``names``: the text of the
    columns."""

    matrix: sparse.csr_matrix
    residual: np.ndarray
    features: np.ndarray
    names: np.ndarray
    plain: sparse.csr_matrix | None = None

    @property
    def present(self) -> np.ndarray:
        """Whether each article carries any kept identity feature."""
        return self.features > 0

    @property
    def split_rows(self) -> sparse.csr_matrix:
        return self.matrix if self.plain is None else self.plain


def _weighted(counts: sparse.csr_matrix, idf: np.ndarray, allowed: np.ndarray,
              keep: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    weights = counts.copy()
    weights.data = (1.0 + np.log(weights.data)) * idf[weights.indices] * allowed[weights.indices]
    weights.eliminate_zeros()
    squares = np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
    norms = np.sqrt(squares)
    weights = sparse.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ weights
    kept = weights[:, keep].tocsr()
    kept.sort_indices()
    inside = np.asarray(kept.multiply(kept).sum(axis=1)).ravel()
    residual = np.where(squares > 0, np.clip(1.0 - inside, 0.0, None), 0.0)
    return kept.astype(np.float32), residual


def identity_block(
    features: list[list[str]],
    stamps: np.ndarray,
    sources: Sequence[str | None],
    *,
    burst_days: float | None = 14.0,
    min_df: int = 2,
    max_df: float = 0.5,
    template_share: float = 0.5,
    template_min: int = 5,
) -> IdentityBlock:
    """The identity TF-IDF block: sublinear tf, smooth idf times :func:`burst_weights` (``burst_days=None``:
    no burst weight), after each source's template features are dropped."""
    n = len(features)
    features = _drop_source_templates(features, sources, template_share, template_min)
    vocabulary: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, fs in enumerate(features):
        for f, c in Counter(fs).items():
            rows.append(i)
            cols.append(vocabulary.setdefault(f, len(vocabulary)))
            vals.append(c)
    counts = sparse.csr_matrix((np.array(vals, float), (np.array(rows, np.int64), np.array(cols, np.int64))),
                               shape=(n, len(vocabulary)))
    names = np.empty(len(vocabulary), dtype=object)
    for f, j in vocabulary.items():
        names[j] = f
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    allowed = df <= (max_df if n >= 20 else 1.0) * n
    keep = np.flatnonzero(allowed & (df >= min_df))
    plain, plain_residual = _weighted(counts, idf, allowed, keep)
    present = np.diff(plain.indptr)
    if burst_days is None or len(df) == 0:
        return IdentityBlock(plain, plain_residual, present, names[keep])
    matrix, residual = _weighted(counts, idf * burst_weights(counts, stamps, burst_days), allowed, keep)
    return IdentityBlock(matrix, residual, present, names[keep], plain)


def combine(
    tfidf: sparse.csr_matrix, residual: np.ndarray, block: IdentityBlock, weight: float
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Rows ``[sqrt(1 - weight) T, sqrt(weight) E]`` for articles with identity features, ``[T, 0]`` for the
    others; unit rows stay unit rows (with their residuals scaled alike)."""
    has = block.present
    a = np.where(has, np.sqrt(1.0 - weight), 1.0)
    b = np.where(has, np.sqrt(weight), 0.0)
    rows = sparse.hstack([sparse.diags(a) @ tfidf, sparse.diags(b) @ block.matrix], format="csr")
    return rows.astype(np.float32), a * a * residual + b * b * block.residual


def split_by_identity(
    labels: np.ndarray,
    block: IdentityBlock,
    *,
    threshold: float,
    min_features: int,
    min_part: int = 1,
    topic: sparse.csr_matrix | None = None,
) -> np.ndarray:
    """Cut every story into the connected components of its members' identity graph: an edge joins two
    members whose identity cosine (``block.split_rows``) reaches ``threshold``. Only members with at least
    ``min_features`` identity features take part. The others, and the members of parts smaller than
    ``min_part``, join the part their ``topic`` row is closest to (cosine to the part's sum; without
    ``topic``: the largest part). A story with fewer than two parts of ``min_part`` stays whole.
    Returns new labels (``0..k-1``)."""
    labels = np.asarray(labels, np.int64)
    out = labels.copy()
    next_label = int(labels.max()) + 1 if len(labels) else 0
    massive = block.features >= min_features
    rows = block.split_rows
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1], True])
    for s in range(len(bounds) - 1):
        members = order[bounds[s]:bounds[s + 1]]
        voters = members[massive[members]]
        if len(voters) < 2 * min_part or len(voters) < 2:
            continue
        sub = rows[voters]
        linked = (sub @ sub.T).tocsr()
        linked.data = (linked.data >= threshold).astype(np.int8)
        linked.eliminate_zeros()
        count, part = connected_components(linked, directed=False)
        if count < 2:
            continue
        sizes = np.bincount(part, minlength=count)
        big = np.flatnonzero(sizes >= min_part)
        if len(big) < 2:
            continue
        # Parts in order of size (largest first, ties by first member): the largest keeps the story's label.
        first = np.full(count, len(voters))
        np.minimum.at(first, part, np.arange(len(voters)))
        big = big[np.lexsort((first[big], -sizes[big]))]
        new = np.empty(len(big), np.int64)
        new[0] = labels[members[0]]
        new[1:] = next_label + np.arange(len(big) - 1)
        next_label += len(big) - 1
        label_of_part = np.full(count, -1, np.int64)
        label_of_part[big] = new
        voter_label = label_of_part[part]
        placed = voters[voter_label >= 0]
        out[placed] = voter_label[voter_label >= 0]
        rest = np.setdiff1d(members, placed)
        if len(rest) == 0:
            continue
        if topic is None:
            out[rest] = new[0]
            continue
        position = {int(x): i for i, x in enumerate(new.tolist())}
        index = np.array([position[int(x)] for x in out[placed].tolist()], np.int64)
        indicator = sparse.csr_matrix((np.ones(len(placed)), (index, np.arange(len(placed)))),
                                      shape=(len(big), len(placed)))
        sums = (indicator @ topic[placed]).tocsr()
        norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
        scores = np.asarray((topic[rest] @ sums.T).todense()) / np.where(norms > 0, norms, 1.0)
        out[rest] = new[np.argmax(scores, axis=1)]
    _, relabelled = np.unique(out, return_inverse=True)
    return relabelled.astype(np.int64)
