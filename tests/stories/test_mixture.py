"""The Dirichlet-multinomial mixture refinement, against the model's exact joint probability."""

from __future__ import annotations

from dataclasses import replace
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.linalg import norm
from scipy.special import gammaln

from storyclust.settings import StoryConfig
from storyclust.stories import cluster_points
from storyclust.stories.mixture import MIXTURE_ALPHA, MIXTURE_BETA, log_evidence, merge_evidence, moved, refine
from storyclust.stories.sums import relabel
from storyclust.stories.timeline import stamps


def log_joint(presence: np.ndarray, labels: np.ndarray, alpha: float = MIXTURE_ALPHA,
              beta: float = MIXTURE_BETA) -> float:
    """log p(labels, terms): a Chinese-restaurant prior on the partition, and per story a Dirichlet-multinomial
    over the terms present in its articles, written from the definitions."""
    n, v = presence.shape
    total = 0.0
    for k in np.unique(labels):
        members = presence[labels == k]
        total += np.log(alpha) + gammaln(len(members))  # alpha * (m_k - 1)!
        counts = members.sum(axis=0)
        total += gammaln(v * beta) - gammaln(counts.sum() + v * beta)
        total += float(np.sum(gammaln(counts + beta) - gammaln(beta)))
    return total + gammaln(alpha) - gammaln(alpha + n)


def refine_all(vectors: sparse.csr_matrix, labels: np.ndarray, graph: sparse.csr_matrix, sweeps: int) -> np.ndarray:
    """:func:`refine` with every article movable and no story too small to be scored."""
    return refine(vectors, labels, graph, sweeps=sweeps, movable=np.ones(vectors.shape[0], bool), min_story=1)


def complete_graph(n: int) -> sparse.csr_matrix:
    return sparse.csr_matrix(np.ones((n, n)) - np.eye(n))


@st.composite
def corpora(draw):
    n = draw(st.integers(2, 10))
    v = draw(st.integers(1, 7))
    cells = draw(st.lists(st.booleans(), min_size=n * v, max_size=n * v))
    presence = np.array(cells, dtype=float).reshape(n, v)
    k = draw(st.integers(1, n))
    labels = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    _, labels = np.unique(labels, return_inverse=True)
    movable = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))) | draw(st.booleans())
    return presence, labels, movable


@settings(max_examples=150, deadline=None)
@given(corpora())
def test_each_sweep_raises_the_joint_probability_and_ends_at_a_local_optimum(corpus) -> None:
    presence, labels, movable = corpus
    n = len(labels)
    # Term weights other than 1 must not matter: the model reads which terms an article has.
    vectors = sparse.csr_matrix(presence * np.linspace(0.5, 2.0, presence.size).reshape(presence.shape))
    graph = complete_graph(n)
    current = labels
    for _ in range(30):
        after = refine(vectors, current, graph, sweeps=1, movable=movable, min_story=1)
        assert log_joint(presence, after) >= log_joint(presence, current) - 1e-9
        if np.array_equal(after, current):
            break
        current = after
    else:
        raise AssertionError("greedy sweeps did not settle")
    # Articles that may not move stay together and apart as they were.
    fixed = np.flatnonzero(~movable)
    assert np.array_equal(labels[fixed][:, None] == labels[fixed], current[fixed][:, None] == current[fixed])
    # No single movable article can move, to any story or to one of its own, and raise the joint probability.
    best = log_joint(presence, current)
    for d in np.flatnonzero((presence.sum(axis=1) > 0) & movable):
        for k in range(current.max() + 2):
            moved = current.copy()
            moved[d] = k
            assert log_joint(presence, moved) <= best + 1e-9


@settings(max_examples=150, deadline=None)
@given(corpora(), st.integers(2, 4))
def test_small_stories_neither_move_nor_take_articles(corpus, min_story) -> None:
    presence, labels, _ = corpus
    vectors, graph = sparse.csr_matrix(presence), complete_graph(len(labels))
    after = refine(vectors, labels, graph, sweeps=5, min_story=min_story, movable=np.ones(vectors.shape[0], bool))
    assert log_joint(presence, after) >= log_joint(presence, labels) - 1e-9
    sizes = np.bincount(labels)
    for k in np.flatnonzero(sizes < min_story):
        members = np.flatnonzero(labels == k)
        assert np.flatnonzero(after == after[members[0]]).tolist() == members.tolist()
    # Articles of large stories go to large stories or to stories of their own, never into a small one.
    small_ids = {after[labels == k][0] for k in np.flatnonzero(sizes < min_story)}
    assert not any(after[d] in small_ids for d in np.flatnonzero(sizes[labels] >= min_story))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(1, 6), min_size=1, max_size=6),
    st.lists(st.integers(0, 6), min_size=1, max_size=6),
    st.integers(0, 4),
    st.sampled_from([0.01, 0.1, 1.0]),
)
def test_log_evidence_is_the_urn_probability_of_the_occurrences(counts, other, extra, beta) -> None:
    """Against a Polya urn drawing the occurrences one by one, each with probability
    (n_w + beta) / (n + v beta); and merge_evidence against the joint without its partition prior."""
    v = len(counts) + extra
    oracle, seen = 0.0, np.zeros(v)
    for w, c in enumerate(counts):  # any order gives the same product
        for _ in range(c):
            oracle += np.log((seen[w] + beta) / (seen.sum() + v * beta))
            seen[w] += 1
    assert np.isclose(log_evidence(np.array(counts), v, beta), oracle, rtol=0, atol=1e-9)
    other = (other + [0] * v)[:v]
    if sum(other) == 0:
        return
    a, b = sparse.csr_matrix([counts + [0] * extra]), sparse.csr_matrix([other])
    two = log_evidence(a.data, v, beta) + log_evidence(b.data, v, beta)
    assert np.isclose(merge_evidence(a, b, v, beta), log_evidence((a + b).data, v, beta) - two, atol=1e-9)


def test_merge_evidence_weighs_the_amount_of_evidence() -> None:
    v = 1000
    # Two headlines sharing one of their three terms: one story, by log((1 + beta) / beta) less a little.
    one, two = sparse.csr_matrix(([1, 1, 1], ([0, 0, 0], [0, 1, 2])), (1, v)), sparse.csr_matrix(([1, 1, 1], ([0, 0, 0], [0, 3, 4])), (1, v))
    assert 0 < merge_evidence(one, two, v) < np.log(11)
    # Two groups of m headlines with a shared name and otherwise different words: two stories, more
    # decisively the larger the groups (a centroid cosine, 0.5 here, stays the same); two groups drawing on
    # the same words: one.
    against = []
    for m in (50, 100, 200):
        a = sparse.csr_matrix(([m] + [m // 2] * 4, ([0] * 5, [0, 1, 2, 3, 4])), (1, v))
        b = sparse.csr_matrix(([m] + [m // 2] * 4, ([0] * 5, [0, 5, 6, 7, 8])), (1, v))
        assert np.isclose((a @ b.T).toarray()[0, 0] / norm(a) / norm(b), 0.5)
        against.append(merge_evidence(a, b, v))
        assert merge_evidence(a, a, v) > 100
    assert 0 > against[0] > against[1] / 2 > against[2] / 4


def test_articles_with_the_same_terms_end_in_one_story() -> None:
    presence = np.array([[1, 1, 0, 0], [0, 0, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1]], float)
    out = refine_all(sparse.csr_matrix(presence), np.array([3, 1, 0, 2]), complete_graph(4), 5)
    assert relabel(out).tolist() == [0, 1, 0, 1]


def test_a_misplaced_article_returns_to_the_story_whose_terms_it_shares() -> None:
    # Two stories over disjoint terms; article 5 uses story A's terms but starts in story B.
    a, b = [1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]
    presence = np.array([a, a, a, b, b, a, b], float)
    labels = np.array([0, 0, 0, 1, 1, 1, 1])
    out = refine_all(sparse.csr_matrix(presence), labels, complete_graph(7), 3)
    assert out.tolist() == [0, 0, 0, 1, 1, 0, 1]
    # With no sweeps, or no neighbors to move to, it stays: the graph bounds where an article may go.
    assert refine_all(sparse.csr_matrix(presence), labels, complete_graph(7), 0).tolist() == labels.tolist()
    alone = sparse.csr_matrix((7, 7))
    stuck = refine_all(sparse.csr_matrix(presence), labels, alone, 3)
    assert all(len(set(labels[stuck == k])) == 1 for k in np.unique(stuck))  # at most split, never joined


def test_articles_without_terms_keep_their_story() -> None:
    presence = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 0], [0, 0, 1]], float)
    out = refine_all(sparse.csr_matrix(presence), np.array([0, 0, 1, 1]), complete_graph(4), 5)
    # Scored, a term-less article would follow the prior to the larger story of articles 0 and 1.
    assert out[0] == out[1] and out[2] != out[0]


def test_moved_names_the_articles_that_left_their_storys_main_destination() -> None:
    before = np.array([0, 0, 0, 1, 1, 2])
    after = np.array([4, 4, 5, 4, 4, 6])
    # Story 0 went mostly to 4, so article 2 moved; story 1 joined 4 whole (a merge, not a move); 2 to 6.
    assert moved(before, after).tolist() == [False, False, True, False, False, False]
    # A tie goes to the lowest label.
    assert moved(np.array([0, 0]), np.array([7, 3])).tolist() == [True, False]


def _story_config(sweeps: int) -> StoryConfig:
    """Every article (3-4 terms) is short; no left-over pairing, stray release, time decay or evidence check."""
    return StoryConfig(min_cluster_size=2, min_samples=1, cluster_selection_method="leaf",
                       cluster_selection_epsilon=0.0, merge_similarity=0.3, merge_neighbors=10, max_gap_days=None,
                       graph_neighbors=5, short_text_terms=4.5, mixture_sweeps=sweeps, pair_similarity=1.01,
                       member_similarity=0.0, time_scale_days=None, short_text_evidence=False)


def test_cluster_points_moves_short_articles_only() -> None:
    # Three planted stories of eight articles: three of the story's six terms and one term drawn from all 18.
    rng = np.random.default_rng(3)
    rows = []
    for story in range(3):
        for _ in range(8):
            row = np.zeros(18)
            row[story * 6 + rng.choice(6, 3, replace=False)] = 1.0
            row[rng.integers(18)] = 1.0
            rows.append(row / np.linalg.norm(row))
    vectors = sparse.csr_matrix(np.array(rows))
    points = np.asarray(vectors.toarray(), np.float32)
    dates = [None] * len(rows)
    truth = np.repeat(np.arange(3), 8)
    off, _, _ = cluster_points(points, vectors, stamps(dates), _story_config(0), residual=None)
    refined, _, singleton = cluster_points(points, vectors, stamps(dates), _story_config(5), residual=None)
    # The clustering puts one article of the third story with the first; the mixture brings it back.
    assert not np.array_equal(off, truth)
    assert np.array_equal(refined, truth) and not singleton.any()
    # With every article counted as long (at least 3 terms), nothing moves; nor with no notion of short texts
    # at all (short_text_terms=0): the mixture is then off, not let loose on every article.
    for full_length in (3.0, 0.0):
        config = replace(_story_config(5), short_text_terms=full_length)
        reference = replace(_story_config(0), short_text_terms=full_length)
        assert np.array_equal(cluster_points(points, vectors, stamps(dates), config, residual=None)[0],
                              cluster_points(points, vectors, stamps(dates), reference, residual=None)[0])
