"""Refine story labels with a Dirichlet-multinomial mixture (DMM) over the articles' terms.

The model is GSDMM's (Yin and Wang, KDD 2014; MStream, KDD 2018, uses it on the GoogleNews-T headlines),
with a Chinese-restaurant prior so the number of stories is free: each article was written about one
story, and a story's articles draw their terms from one distribution over the vocabulary, with a
symmetric Dirichlet(``beta``) prior. An article's terms are its distinct kept TF-IDF terms (presence, not
counts: the title is repeated in the TF-IDF text). Moving article ``d`` to story ``k`` scores, for
``m_k`` articles in ``k`` holding ``n_k`` term occurrences, ``n_kw`` of them term ``w``, and ``V`` terms::

    log m_k + sum_{w in d} log(n_kw + beta) - sum_{i < N_d} log(n_k + V beta + i)

and a new story of its own ``log alpha + N_d log beta - sum_{i < N_d} log(V beta + i)``.

Unlike GSDMM's Gibbs sampler, the sweeps here are greedy (iterated conditional modes): each article, in
input order, takes its best-scoring option, so the output is deterministic and each move raises (never
lowers) the model's joint probability. They start from the clustering's labels, and an article considers
only its own story and the stories of its neighbors in the clustering's graph, so a sweep costs
``O(neighbors x terms)`` per article instead of a pass over every story.

The clustering lets it move articles only among stories of at least ``MIXTURE_MIN_STORY`` articles
(``min_story``), since a small story's term distribution is mostly its prior, and only short ones
(``movable``), since on long articles the multinomial is overconfident (docs/settings.md, ``mixture_sweeps``).

The same model also judges a merge of two groups of articles: :func:`merge_evidence` is the log Bayes
factor of one story against two, the clustering's check on merging clusters of short texts.
"""

from __future__ import annotations

import numba
import numpy as np
from scipy import sparse
from scipy.special import gammaln

from ..hashing import GOLDEN, probe, table_size

__all__ = ["refine", "moved", "log_evidence", "merge_evidence", "MIXTURE_ALPHA", "MIXTURE_BETA", "MIXTURE_MIN_STORY"]

MIXTURE_ALPHA = 0.1  # weight of a new story, against log(m_k) for a story of m_k articles
MIXTURE_BETA = 0.1  # Dirichlet prior on each story's term distribution
MIXTURE_MIN_STORY = 5  # articles a story needs for its term distribution to be learnt from them


def refine(
    vectors: sparse.csr_matrix,
    labels: np.ndarray,
    graph: sparse.csr_matrix,
    *,
    sweeps: int,
    movable: np.ndarray,
    min_story: int,
    alpha: float = MIXTURE_ALPHA,
    beta: float = MIXTURE_BETA,
) -> np.ndarray:
    """Story labels after up to ``sweeps`` greedy DMM sweeps from ``labels`` (non-negative story ids),
    stopping early when a sweep moves nothing. Stories keep their ids and a new story takes an unused one
    below ``max(labels) + 1 + n`` (:func:`storyclust.stories.sums.relabel` numbers them). ``vectors`` gives
    each article's terms (its non-zero columns); ``graph`` (n x n, CSR) each article's candidate
    neighbors. Articles without terms, and those ``movable`` (bool per article) excludes, keep their label,
    but their terms still count in their story's distribution. Moves happen among stories of at least
    ``min_story`` articles only (counted when the article is visited; the pipeline uses
    ``MIXTURE_MIN_STORY``): an article of a smaller story stays, and no article joins one, though any may
    leave to start a story of its own. ``alpha`` and ``beta`` are the model's priors."""
    n = vectors.shape[0]
    labels = np.asarray(labels, np.int64)
    if n == 0 or sweeps < 1:
        return labels.copy()
    if alpha <= 0 or beta <= 0:
        raise ValueError(f"alpha and beta must be positive, got {alpha} and {beta}")
    vectors = vectors.tocsr()
    graph = graph.tocsr()
    movable = np.asarray(movable, bool)
    return _sweeps(
        vectors.indptr.astype(np.int64),
        vectors.indices.astype(np.int64),
        labels.copy(),
        int(labels.max()) + 1,
        vectors.shape[1],
        graph.indptr.astype(np.int64),
        graph.indices.astype(np.int64),
        sweeps,
        float(alpha),
        float(beta),
        movable,
        int(min_story),
    )


def moved(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Articles whose label in ``after`` is not the one most of their ``before`` story went to (ties: the
    lowest label)."""
    pairs, count = np.unique(np.stack([before, after]), axis=1, return_counts=True)
    order = np.lexsort((pairs[1], -count, pairs[0]))
    first = np.ones(len(order), bool)
    first[1:] = pairs[0, order][1:] != pairs[0, order][:-1]
    main = np.empty(int(before.max()) + 1, np.int64)
    main[pairs[0, order][first]] = pairs[1, order][first]
    return after != main[before]


def log_evidence(counts: np.ndarray, v: int, beta: float = MIXTURE_BETA) -> float:
    """The log probability of a story's term occurrences, in a fixed order, with its term distribution
    integrated out: ``counts`` are its non-zero term counts (how many of its articles hold each term) over a
    vocabulary of ``v`` terms. Drawing the occurrences one by one, each has probability
    ``(n_w + beta) / (n + v beta)`` given the ``n`` before it, ``n_w`` of them term ``w``; the product is
    ``prod_w [Gamma(c_w + beta) / Gamma(beta)] * Gamma(v beta) / Gamma(N + v beta)``."""
    counts = np.asarray(counts, np.float64)
    vb = v * beta
    return float(gammaln(counts + beta).sum() - len(counts) * gammaln(beta) + gammaln(vb) - gammaln(counts.sum() + vb))


def merge_evidence(a: sparse.spmatrix, b: sparse.spmatrix, v: int, beta: float = MIXTURE_BETA) -> float:
    """The log Bayes factor of one story against two for two groups of articles, given each group's term
    counts as a sparse row (``v`` columns): ``log p(a + b) - log p(a) - log p(b)`` with :func:`log_evidence`.
    Positive where one term distribution explains both groups' terms better than one each.

    The prior odds are even: the mixture's size prior would add
    ``log Gamma(m_a + m_b) - log Gamma(m_a) - log Gamma(m_b) - log alpha`` for groups of ``m_a`` and ``m_b``
    articles in favour of any merge, hundreds of nats for two large groups. Without it the factor weighs evidence:
    two headlines sharing a term gain ``log((1 + beta) / beta)`` for it, while two large groups that use
    different words (Kanye West's news, and a parody of his video) lose in proportion to their size."""
    a, b = sparse.csr_matrix(a), sparse.csr_matrix(b)
    return log_evidence((a + b).data, v, beta) - log_evidence(a.data, v, beta) - log_evidence(b.data, v, beta)


@numba.njit(cache=True)
def _sweeps(indptr, terms, z, k, v, cand_ptr, cand, sweeps, alpha, beta, movable, min_story):
    n = len(indptr) - 1
    cap = k + n  # at most n stories exist at once, and emptied ids are reused
    size = np.zeros(cap, np.int64)  # articles per story
    total = np.zeros(cap, np.int64)  # term occurrences per story
    for d in range(n):
        size[z[d]] += 1
        total[z[d]] += indptr[d + 1] - indptr[d]
    # (story * v + term) -> occurrences, in an open-addressing table (numba's typed dict is ~5x slower here).
    # Only stories of at least min_story articles are ever scored, and a smaller one never grows (it takes
    # no articles), so only the larger ones are counted: at a million articles in small stories the table
    # would otherwise hold every article's terms.
    entries = 0
    for c in range(cap):
        if size[c] >= min_story:
            entries += total[c]
    keys, counts = _table(2 * entries)
    used = 0
    for d in range(n):
        c = z[d]
        if size[c] >= min_story:
            for p in range(indptr[d], indptr[d + 1]):
                used += _add(keys, counts, c * v + terms[p], 1)
    free = np.empty(cap, np.int64)  # a stack of unused story ids
    nfree = 0
    for c in range(cap - 1, -1, -1):
        if size[c] == 0:
            free[nfree] = c
            nfree += 1
    seen = np.full(cap, -1, np.int64)  # the last visit (sweep * n + article) each story was scored in
    vb = v * beta
    for sweep in range(sweeps):
        moved = 0
        for d in range(n):
            length = indptr[d + 1] - indptr[d]
            if length == 0 or not movable[d] or size[z[d]] < min_story:
                continue
            if 2 * (used + length) > len(keys):
                keys, counts, used = _grown(keys, counts)
            c = z[d]
            size[c] -= 1
            total[c] -= length
            for p in range(indptr[d], indptr[d + 1]):
                _add(keys, counts, c * v + terms[p], -1)
            # A new story of its own (its old one, if it is now empty); ties keep the article where it is.
            best = np.log(alpha) + length * np.log(beta)
            for i in range(length):
                best -= np.log(vb + i)
            choice = -1
            visit = sweep * n + d
            seen[c] = visit
            if size[c] == 0:
                choice = c
            else:
                own = _score(c, d, indptr, terms, size, total, keys, counts, v, beta, vb)
                if own >= best:
                    best = own
                    choice = c
            for t in range(cand_ptr[d], cand_ptr[d + 1]):
                j = z[cand[t]]
                if seen[j] == visit or size[j] < max(min_story, 1):
                    continue
                seen[j] = visit
                s = _score(j, d, indptr, terms, size, total, keys, counts, v, beta, vb)
                if s > best:
                    best = s
                    choice = j
            if choice < 0:  # a new story, under an unused id
                nfree -= 1
                choice = free[nfree]
            elif size[c] == 0 and choice != c:  # its old story is left empty
                free[nfree] = c
                nfree += 1
            if choice != c:
                moved += 1
            z[d] = choice
            size[choice] += 1
            total[choice] += length
            if size[choice] >= min_story:  # (else a story of its own that nothing will score)
                for p in range(indptr[d], indptr[d + 1]):
                    used += _add(keys, counts, choice * v + terms[p], 1)
        if moved == 0:
            break
    return z


@numba.njit(cache=True)
def _score(j, d, indptr, terms, size, total, keys, counts, v, beta, vb):
    s = np.log(size[j])
    for p in range(indptr[d], indptr[d + 1]):
        s += np.log(counts[_slot(keys, j * v + terms[p])] + beta)
    for i in range(indptr[d + 1] - indptr[d]):
        s -= np.log(total[j] + vb + i)
    return s


@numba.njit(cache=True)
def _table(entries):
    size = table_size(entries)
    return np.full(size, -1, np.int64), np.zeros(size, np.int64)


@numba.njit(cache=True, inline="always")
def _slot(keys, key):
    """The key's slot, or the empty slot where it would go (its count there is 0)."""
    start = np.int64((np.uint64(key) * GOLDEN) >> np.uint64(20)) & (len(keys) - 1)  # Fibonacci hashing
    return probe(keys, key, start, -1)


@numba.njit(cache=True)
def _add(keys, counts, key, delta):
    """Adds ``delta`` to the key's count; returns 1 if the key took a new slot."""
    i = _slot(keys, key)
    new = 0
    if keys[i] == -1:
        keys[i] = key
        new = 1
    counts[i] += delta
    return new


@numba.njit(cache=True)
def _grown(keys, counts):
    """The table rebuilt without its zero counts, at twice the size if it stays over a quarter full."""
    live = 0
    for i in range(len(keys)):
        if keys[i] != -1 and counts[i] != 0:
            live += 1
    new_keys, new_counts = _table(4 * live)
    for i in range(len(keys)):
        if keys[i] != -1 and counts[i] != 0:
            j = _slot(new_keys, keys[i])
            new_keys[j] = keys[i]
            new_counts[j] = counts[i]
    return new_keys, new_counts, live
