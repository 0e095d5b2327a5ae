"""The settings of the two stages: :class:`DedupConfig` (copies) and :class:`StoryConfig` (stories).

Each field is listed once, as ``name (default, unit): meaning``. Why each default is what it is, with the
measurements behind it, is in docs/settings.md. A setting that turns a step off does so with ``None`` for a
number of days and ``0`` for a count; the field's line says which.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["DedupConfig", "StoryConfig"]


def _check(ok: bool, rule: str, fix: str) -> None:
    """Raise ``ValueError("<rule>; <fix>")`` unless ``ok``; ``rule`` names the setting and its bad value."""
    if not ok:
        raise ValueError(f"{rule}; {fix}")


@dataclass(frozen=True)
class DedupConfig:
    """Settings of the near-duplicate stage, chosen for wire-copy rewrites rather than web-crawl dedup.

    shingle_size (3, words): word n-gram length of a shingle.
    num_perm (128, permutations): MinHash permutations; the Jaccard estimate's error is ~sqrt(J(1-J)/num_perm).
    lsh_threshold (0.2, Jaccard): centre of the LSH candidate curve; 0.2 with 128 permutations gives 28 bands of 2 rows.
    jaccard_threshold (0.3, Jaccard): a candidate whose exact shingle Jaccard reaches this is a copy.
    containment_threshold (0.5, share): so is one with this share of the smaller article's shingles in the other.
    min_containment_shingles (25, shingles): containment counts only when the smaller article has this many.
    seed (1): seed of the MinHash permutations only (the story stage's is ``StoryConfig.random_state``).
    template_source_articles (3, articles): a line found in this many articles of one source is template; 0: off.
    template_articles (30, articles): a line or shingle found in this many articles of any sources is template; 0: off.
    thin_shingles (10, shingles): an article with fewer content shingles is thin: only an exact copy of a thin page.
    token_agreement (0.3, share): where both articles name numbers or names, this share of the smaller set must be
        in the other.
    lead_names (0.9, containment): below this content containment, a pair whose first names differ, each absent
        from the other article, is not a copy; 0: off.
    rarity_weights (False): weigh content shingles by rarity, ``log(1 + N / df)``, in the overlap scores; False:
        every content shingle weighs 1.
    headline_agreement (0.5, weighted Jaccard): headlines this similar agree.
    headline_support (0.3, share): headlines that do not agree need this weighted share of a headline's words in
        the other article's content.

    The Jaccard and containment thresholds apply to the content shingles (template lines and shingles left out;
    weighted when ``rarity_weights``); the exact scores of the shingle sets without template lines are kept too.

    Bands and rows follow datasketch's rule (:func:`storyclust.dedup.lsh.lsh_params`).
    """

    shingle_size: int = 3
    num_perm: int = 128
    lsh_threshold: float = 0.2
    jaccard_threshold: float = 0.3
    containment_threshold: float = 0.5
    min_containment_shingles: int = 25
    seed: int = 1
    template_source_articles: int = 3
    template_articles: int = 30
    thin_shingles: int = 10
    token_agreement: float = 0.3
    lead_names: float = 0.9
    rarity_weights: bool = False
    headline_agreement: float = 0.5
    headline_support: float = 0.3

    def __post_init__(self) -> None:
        _check(
            self.shingle_size >= 1,
            f"shingle_size must be >= 1, got {self.shingle_size}",
            "a shingle holds at least one word (default 3)",
        )
        _check(
            self.num_perm >= 2,
            f"num_perm must be >= 2, got {self.num_perm}",
            "LSH needs at least two permutations (default 128)",
        )
        for name in ("lsh_threshold", "jaccard_threshold", "containment_threshold"):
            value = getattr(self, name)
            _check(
                0.0 < value <= 1.0,
                f"{name} must be in (0, 1], got {value}",
                f"give a share of shingles (default {getattr(DedupConfig, name)})",
            )
        for name in ("template_source_articles", "template_articles", "thin_shingles"):
            value = getattr(self, name)
            _check(
                isinstance(value, int) and value >= 0,
                f"{name} must be a count >= 0, got {value}",
                f"give a whole number (default {getattr(DedupConfig, name)}; 0 turns the rule off)",
            )
        for name in ("token_agreement", "lead_names", "headline_agreement", "headline_support"):
            value = getattr(self, name)
            _check(
                0.0 <= value <= 1.0,
                f"{name} must be in [0, 1], got {value}",
                f"give a share (default {getattr(DedupConfig, name)}; 0 accepts every pair)",
            )

    @property
    def bands_rows(self) -> tuple[int, int]:
        from .dedup.lsh import lsh_params  # here, not at the top: the stages import the settings, not the reverse

        return lsh_params(min(self.lsh_threshold, 0.99), self.num_perm)

    def describe(self) -> dict:
        bands, rows = self.bands_rows
        return {**asdict(self), "bands": bands, "rows": rows}


@dataclass(frozen=True)
class StoryConfig:
    """Settings of the story stage.

    title_weight (3, repeats): the title is repeated this many times before the body in the TF-IDF text.
    ngram_range ((1, 2), words): TF-IDF terms are words and word pairs, English and news stop words removed.
    min_df (2, articles): a term must be in this many articles (relaxed when no term is).
    max_df (0.5, share of articles): a term in more articles is dropped (relaxed under 20 articles).
    max_features (262144, terms): the most frequent terms kept; ``None`` keeps all.
    svd_components (None, dimensions): LSA dimensions; ``None``: :func:`.stories.vectorize.lsa_dimensions`.
    svd_sample (20000, articles): larger corpora fit the LSA basis on this many seeded articles; ``None``: all.
    min_cluster_size (2, articles): HDBSCAN's smallest cluster.
    min_samples (1, neighbors): HDBSCAN's neighbors for a point to be core.
    cluster_selection_method ("leaf"): HDBSCAN's flat cluster selection, "leaf" or "eom".
    cluster_selection_epsilon (0.0, distance): HDBSCAN's selection epsilon.
    merge_similarity (0.3, cosine): clusters whose exact TF-IDF centroids reach this merge; above 1 none do.
    short_text_terms (50, terms): under this many distinct terms an article is short; 0 turns short-text steps off.
    short_text_evidence (True): two short-text clusters merge only where one story explains their terms as well.
    pair_similarity (0.05, cosine): a left-over article joins its mutual nearest story at this cosine.
    member_similarity (0.02, cosine): an article this far from the rest of its story stands alone.
    merge_neighbors (10, clusters): merge candidates per cluster.
    graph_neighbors (20, articles): neighbors per article in the time-gated graph HDBSCAN reads.
    exact_neighbors (20000, articles): up to this many articles the graph is exact, beyond an IVF search.
    max_gap_days (180.0, days): no story spans a longer gap in its coverage; ``None`` turns it off.
    time_scale_days (7.0, days): graph similarities become ``cos / (1 + days apart / scale)``; ``None``: off.
    mixture_sweeps (5, sweeps): Dirichlet-multinomial sweeps moving short texts between stories; 0 turns it off.
    terms (8, terms): distinctive terms per story label.
    names (5, names): key names and places (identity features) per story label; 0: none.
    identity_weight (0.1, share): weight of the identity block (names, datelines, ages, counts) beside TF-IDF; 0: off.
    source_terms (0.5, share): a term in more than this share of one source's articles (a source of 10 or more),
        and 4 times as common there as in the corpus, is that site's chrome: left out of its story rows; ``None``: off.
    identity_split (0.05, cosine): cut stories into parts whose members' identity cosine reaches this; ``None``: off.
    identity_min_features (3, features): only articles with this many identity features take part in the split.
    identity_min_part (1, articles): the split cuts off only parts of this many; smaller ones rejoin by topic.
    identity_rejoin (0.5, cosine): a lone article joins the story holding an identity feature no third story holds,
        at this identity cosine; ``None``: off.
    identity_burst_days (14.0, days): identity weight x share of a feature's dated pairs this close; ``None``: off.
    identity_lead (None, characters): identity is read from the title and this much of the text; ``None``: all.
    random_state (0): seed of the randomised SVD, its sample, and the neighbor search on large corpora.

    Short-text clusters merge at ``merge_similarity * sqrt(terms / short_text_terms)``; a setting in days
    turns off with ``None``, a count with 0. docs/settings.md gives the evidence for each default.
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
    names: int = 5
    identity_weight: float = 0.1
    source_terms: float | None = 0.5
    identity_split: float | None = 0.05
    identity_min_features: int = 3
    identity_min_part: int = 1
    identity_rejoin: float | None = 0.5
    identity_burst_days: float | None = 14.0
    identity_lead: int | None = None
    random_state: int = 0

    def __post_init__(self) -> None:
        _check(
            self.cluster_selection_method in ("eom", "leaf"),
            f"cluster_selection_method must be 'eom' or 'leaf', got {self.cluster_selection_method!r}",
            "use 'leaf' (the default) for the finest clusters or 'eom' for HDBSCAN's most stable ones",
        )
        _check(
            self.min_cluster_size >= 2,
            f"min_cluster_size must be >= 2, got {self.min_cluster_size}",
            "a story of one article is a singleton already (default 2)",
        )
        _check(
            self.max_gap_days is None or self.max_gap_days > 0,
            f"max_gap_days must be positive or None, got {self.max_gap_days}",
            "give a number of days (default 180), or None to let stories span any gap",
        )
        _check(
            self.mixture_sweeps >= 0,
            f"mixture_sweeps must be >= 0, got {self.mixture_sweeps}",
            "give a number of sweeps (default 5), or 0 to turn the mixture off",
        )
        _check(
            self.graph_neighbors >= 1,
            f"graph_neighbors must be >= 1, got {self.graph_neighbors}",
            "every article needs at least one neighbor in the graph (default 20)",
        )
        _check(
            self.svd_components is None or self.svd_components >= 2,
            f"svd_components must be >= 2 or None, got {self.svd_components}",
            "give at least two LSA dimensions, or None to grow them with the corpus (the default)",
        )
        _check(
            self.time_scale_days is None or self.time_scale_days > 0,
            f"time_scale_days must be positive or None, got {self.time_scale_days}",
            "give a number of days (default 7), or None to turn the time decay off",
        )
        _check(
            0.0 < self.merge_similarity <= 1.01,
            f"merge_similarity must be in (0, 1] (above 1 disables merging), got {self.merge_similarity}",
            "give a cosine (default 0.3), or 1.01 to merge nothing",
        )
        _check(
            0.0 <= self.identity_weight < 1.0,
            f"identity_weight must be in [0, 1), got {self.identity_weight}",
            "give the identity block's share of each row's weight (default 0.1), or 0 to turn it off",
        )
        _check(
            self.identity_split is None or 0.0 < self.identity_split <= 1.0,
            f"identity_split must be in (0, 1] or None, got {self.identity_split}",
            "give an identity cosine (default 0.05), or None to turn the identity split off",
        )
        _check(
            self.identity_min_features >= 1,
            f"identity_min_features must be >= 1, got {self.identity_min_features}",
            "give the identity features an article needs to take part in the split (default 3)",
        )
        _check(
            self.identity_min_part >= 1,
            f"identity_min_part must be >= 1, got {self.identity_min_part}",
            "give the smallest part the identity split cuts off (default 1; 2 keeps single articles in)",
        )
        _check(
            self.source_terms is None or 0.0 < self.source_terms < 1.0,
            f"source_terms must be in (0, 1) or None, got {self.source_terms}",
            "give the share of a source's articles a chrome term is in (default 0.5), or None to keep every term",
        )
        _check(
            self.identity_rejoin is None or 0.0 < self.identity_rejoin <= 1.0,
            f"identity_rejoin must be in (0, 1] or None, got {self.identity_rejoin}",
            "give an identity cosine (default 0.5), or None to turn the identity rejoin off",
        )
        _check(
            self.identity_burst_days is None or self.identity_burst_days > 0,
            f"identity_burst_days must be positive or None, got {self.identity_burst_days}",
            "give a number of days (default 14), or None to weigh identity features by IDF alone",
        )
        _check(
            self.identity_lead is None or self.identity_lead >= 0,
            f"identity_lead must be >= 0 or None, got {self.identity_lead}",
            "give the characters of each text identity is read from, or None for all of it (the default)",
        )
        _check(
            self.names >= 0,
            f"names must be >= 0, got {self.names}",
            "give the names per story label (default 5), or 0 for none",
        )

    def describe(self) -> dict[str, Any]:
        return asdict(self)
