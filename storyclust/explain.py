"""Why two articles are (or are not) copies, and why an article is in its story, read from an output folder.

A pair found in ``duplicates.jsonl`` is explained from its row: the exact and content scores and the evidence the
run wrote. Any other pair is measured again, the way the duplicate stage measures a candidate
(:mod:`storyclust.dedup.content`): the run's inputs (recorded in ``summary.json``) are read and cleaned again,
the template is learned again from the whole corpus, and the pair goes through each rule with the run's
settings; the first rule it fails is the reason. A pair that passes every rule but is not in the file was not
proposed by the LSH banding (candidates are approximate).

For a cluster run, the story answer (:mod:`storyclust.explain_story`) comes from what the run wrote: each
article's ``placement`` and each story's ``history`` name the step that joined two articles or kept them apart,
and the cosines come from the rows the story stage compared (``story_vectors.npz``), so nothing is read or
vectorised again for it. A folder without that file (a state's output) has its TF-IDF rows recomputed from the
inputs, over every article and on terms alone, which is close to the run's but not its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from .explain_story import StoryRows, StoryStep, StoryView, article_steps, pair_step
from .records import InputError
from .settings import DedupConfig

__all__ = ["Check", "PairExplanation", "ArticleExplanation", "Neighbor", "OutputFolder", "explain_pair",
           "explain_article", "StoryStep", "as_json"]


@dataclass(frozen=True)
class Check:
    """One rule of the duplicate stage: its name, the measured value, the threshold and whether the pair passes
    (``None``: the rule does not apply, e.g. neither text has numbers or names)."""

    name: str
    value: float | int | None
    threshold: float | int | None
    passed: bool | None
    note: str = ""


@dataclass(frozen=True)
class PairExplanation:
    """Why articles ``a`` and ``b`` (their ``articles.jsonl`` rows) are or are not copies, and their story."""

    a: dict[str, Any]
    b: dict[str, Any]
    copies: bool  # a verified pair of duplicates.jsonl
    same_group: bool  # in one duplicate group (directly or through other copies)
    measured: str  # "duplicates.jsonl" or "recomputed"
    scores: dict[str, float | None]  # jaccard, containment, content_jaccard, content_containment
    checks: list[Check]
    only_in_a: list[str]
    only_in_b: list[str]
    reason: str
    same_story: bool | None  # None for a dedup run
    gap_days: float | None  # None when either date is unknown
    similarity: float | None  # TF-IDF cosine on the story vectors; None for a dedup run
    story_step: StoryStep | None = None  # the step that joined them or kept them apart (None: not recorded)
    similarity_source: str | None = None  # "story_vectors.npz" (the run's rows) or "recomputed"


@dataclass(frozen=True)
class Neighbor:
    row: dict[str, Any]
    similarity: float


@dataclass(frozen=True)
class ArticleExplanation:
    """Why an article is where it is: its story row (None for a dedup run or a story-less folder), its
    ``story_probability``, its canonical article's row when it is a copy and that pair's row (None when they
    are joined through other copies), and its story's other unique articles nearest to it by TF-IDF cosine."""

    article: dict[str, Any]
    story: dict[str, Any] | None
    story_probability: float | None
    canonical: dict[str, Any] | None
    canonical_pair: dict[str, Any] | None
    group_size: int
    nearest: list[Neighbor] = field(default_factory=list)
    story_steps: list[StoryStep] = field(default_factory=list)  # how it came into its story, step by step


class OutputFolder:
    """The tables of an output folder by article id, with the run's corpus read again only when needed."""

    def __init__(self, directory: str | Path):
        from .export import read_rows

        out = Path(directory)
        if not out.is_dir():
            raise InputError(str(out), "not a folder (give the --output folder of a cluster or dedup run)")
        self.directory = out
        self.summary_path = out / "summary.json"
        try:
            self.summary = json.loads(self.summary_path.read_text(encoding="utf-8"))
        except OSError as err:
            raise InputError(str(self.summary_path),
                             f"cannot read ({err.strerror or err}); is this a storyclust output folder?") from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InputError(str(self.summary_path), "not valid JSON") from None
        if not isinstance(self.summary, dict):
            raise InputError(str(self.summary_path), "expected a JSON object")
        self.articles = read_rows(out / "articles.jsonl")
        self.pairs = read_rows(out / "duplicates.jsonl")
        stories = out / "stories.jsonl"
        self.stories = {row.get("story_id"): row for row in read_rows(stories)} if stories.exists() else None
        self.index = {row.get("id"): k for k, row in enumerate(self.articles)}
        self.pair_of = {(row.get("a"), row.get("b")): row for row in self.pairs}
        settings = self.summary.get("settings") or {}
        known = set(DedupConfig.__dataclass_fields__)
        self.config = DedupConfig(**{k: v for k, v in (settings.get("dedup") or {}).items() if k in known})
        self.story_settings = settings.get("stories")
        self._corpus: _Corpus | None = None
        self._rows: StoryRows | None | bool = False
        self._view: StoryView | None = None

    def story_view(self) -> StoryView:
        if self._view is None:
            self._view = StoryView(self)
        return self._view

    def story_rows(self) -> StoryRows | None:
        """The story stage's saved rows (``story_vectors.npz``), None when the folder has none."""
        if self._rows is False:
            from .export import VECTORS_FILE, read_vectors

            path = self.directory / VECTORS_FILE
            self._rows = StoryRows(read_vectors(path), self.story_view().canonical) if path.exists() else None
        return self._rows  # type: ignore[return-value]

    def cosine(self, i: int, j: int) -> tuple[float, str]:
        """Articles ``i`` and ``j``'s story cosine and where it comes from (the run's rows, or recomputed)."""
        rows = self.story_rows()
        if rows is not None:
            return rows.cosine(i, j), "story_vectors.npz"
        return self.corpus().cosine(i, j), "recomputed"

    def position(self, article_id: str) -> int:
        if article_id not in self.index:
            raise InputError(str(self.directory / "articles.jsonl"), f"no article with id {article_id!r}")
        return self.index[article_id]

    def corpus(self) -> "_Corpus":
        if self._corpus is None:
            self._corpus = _Corpus(self)
        return self._corpus


class _Corpus:
    """The run's articles read and cleaned again, with the duplicate stage's template and shingle frequencies."""

    def __init__(self, folder: OutputFolder):
        from .dedup.shingles import Shingles  # noqa: F401  (the type the template gives)
        from .dedup.template import content_sizes, learn_template, shingle_frequency
        from .dedup.tokens import title_hashes
        from .html_report.folder import recorded_inputs
        from .ingest import FieldMap, read_articles
        from .pipeline import prepare

        inputs = recorded_inputs(folder.summary_path, folder.summary)
        if "-" in inputs.paths:
            raise InputError(str(folder.summary_path), "the run read stdin, which cannot be read again")
        for p in inputs.paths:
            if not Path(p).exists():
                raise InputError(p, f"input of this run (recorded in {folder.summary_path}) is gone")
        read = read_articles(list(inputs.paths), fields=FieldMap(**inputs.fields), skip_bad=inputs.skip_bad,
                             unique_ids=inputs.unique_ids)
        ids = [row.get("id") for row in folder.articles]
        if [a.id for a in read.articles] != ids:
            raise InputError(str(folder.summary_path), f"the inputs have changed since the run ({len(read.articles)} "
                             f"articles read, {len(ids)} in articles.jsonl)")
        config = folder.config
        self.articles = read.articles
        self.prepared = prepare(read.articles)
        texts = self.prepared.texts
        self.template = learn_template(texts, [a.source for a in read.articles],
                                       min_source_articles=config.template_source_articles,
                                       min_articles=config.template_articles)
        self.shingles = self.template.shingle(texts, config.shingle_size)
        self.frequency = shingle_frequency(self.shingles)
        self.sizes = content_sizes(self.shingles, self.frequency, config.template_articles)
        self.titles = title_hashes([a.title for a in read.articles])
        self._vectors: Any = None
        self._settings = folder.story_settings

    def vectors(self):
        """The TF-IDF rows of the story stage (L2-normalised, so a dot product is a cosine)."""
        if self._vectors is None:
            from .stories.vectorize import story_documents, vectorize

            s = self._settings
            texts = self.template.strip_all(self.prepared.texts)
            docs = story_documents(self.prepared.titles, texts, int(s["title_weight"]))
            rep = vectorize(docs, max_features=s["max_features"], min_df=int(s["min_df"]), max_df=float(s["max_df"]),
                            ngram_range=tuple(s["ngram_range"]), components=2, random_state=int(s["random_state"]))
            self._vectors = rep.topic
        return self._vectors

    def cosine(self, i: int, j: int) -> float:
        v = self.vectors()
        return float(v[i].multiply(v[j]).sum())

    def measure(self, i: int, j: int, config: DedupConfig) -> tuple[dict[str, float | None], list[Check],
                                                                     tuple[list[str], list[str]]]:
        """The scores and every rule of :func:`storyclust.dedup.content.deduplicate_content` for one pair."""
        from .dedup.evidence import exact_key, pair_differences, weighted_overlaps
        from .dedup.tokens import pair_checks, token_sets
        from .dedup.verify import overlaps

        left, right = np.array([i]), np.array([j])
        jac, con = overlaps(self.shingles, left, right)
        wj, wc, _shared = weighted_overlaps(self.shingles, left, right, self.frequency, config.template_articles,
                                            config.rarity_weights)
        scores = {"jaccard": float(jac[0]), "containment": float(con[0]), "content_jaccard": float(wj[0]),
                  "content_containment": float(wc[0])}
        texts, a = self.prepared.texts, self.articles
        checks: list[Check] = []
        thin_i, thin_j = bool(self.sizes[i] < config.thin_shingles), bool(self.sizes[j] < config.thin_shingles)
        smaller = int(min(self.sizes[i], self.sizes[j]))
        checks.append(Check("content shingles of the smaller article", smaller, config.thin_shingles,
                            not (thin_i or thin_j), "fewer: a thin page, only ever an exact copy"))
        if thin_i or thin_j:
            if thin_i and thin_j:
                same = exact_key(a[i].title, texts[i]) == exact_key(a[j].title, texts[j]) != ""
                checks.append(Check("same title and text words (thin pages)", None, None, same))
            strip = self.template.strip
            return scores, checks, pair_differences(strip(texts[i]), strip(texts[j]))
        rule_j = scores["content_jaccard"] >= config.jaccard_threshold
        rule_c = (scores["content_containment"] >= config.containment_threshold
                  and smaller >= config.min_containment_shingles)
        checks.append(Check("content Jaccard", scores["content_jaccard"], config.jaccard_threshold, rule_j,
                            "or the containment rule below"))
        checks.append(Check("content containment", scores["content_containment"], config.containment_threshold,
                            rule_c, f"when the smaller has at least {config.min_containment_shingles} shingles"))
        local = np.full(len(texts), -1, np.int64)
        local[i], local[j] = 0, 1
        tokens = token_sets([texts[i], texts[j]], self.template)
        agreement, _only, conflict, title_sim, support = pair_checks(tokens, local, self.titles,
                                                                      np.array([[i, j]], np.int64))
        ag, ts, sp = float(agreement[0]), float(title_sim[0]), float(support[0])
        checks.append(Check("numbers and names agree", ag if ag >= 0 else None, config.token_agreement,
                            None if ag < 0 else ag >= config.token_agreement))
        lead_conflict = bool(conflict[0])
        checks.append(Check("lead names agree, or a near-whole copy", scores["content_containment"],
                            config.lead_names, not lead_conflict or scores["content_containment"] >= config.lead_names,
                            "the first names differ" if lead_conflict else "the first names agree"))
        if ts < 0:
            checks.append(Check("headlines agree", None, config.headline_agreement, None, "a headline is empty"))
        else:
            ok = ts >= config.headline_agreement or sp >= config.headline_support
            checks.append(Check("headlines agree", ts, config.headline_agreement, ok,
                                f"or the other's content supports the headline: {sp:.4f} >= {config.headline_support}"))
        strip = self.template.strip
        return scores, checks, pair_differences(strip(texts[i]), strip(texts[j]))


def _stamp(row: dict[str, Any]) -> datetime | None:
    value = row.get("date")
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _gap_days(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    x, y = _stamp(a), _stamp(b)
    if x is None or y is None or (x.tzinfo is None) != (y.tzinfo is None):
        return None
    return abs((y - x).total_seconds()) / 86400.0


def _checks_of_row(row: dict[str, Any], config: DedupConfig) -> list[Check]:
    checks = []
    ev = row.get("evidence") or {}
    if ev.get("thin_exact"):
        return [Check("same title and text words (thin pages)", None, None, True)]
    cj, cc = row.get("content_jaccard", row.get("jaccard")), row.get("content_containment", row.get("containment"))
    checks.append(Check("content Jaccard", cj, config.jaccard_threshold, cj is not None and cj >= config.jaccard_threshold,
                        "or the containment rule below"))
    checks.append(Check("content containment", cc, config.containment_threshold,
                        cc is not None and cc >= config.containment_threshold,
                        f"when the smaller has at least {config.min_containment_shingles} shingles"))
    if "names_numbers_agree" in ev:
        ag = ev["names_numbers_agree"]
        checks.append(Check("numbers and names agree", ag, config.token_agreement,
                            None if ag is None else ag >= config.token_agreement))
    if "headline" in ev:
        checks.append(Check("headline score (agreement or support)", ev["headline"], None, True,
                            f"agreement >= {config.headline_agreement} or support >= {config.headline_support}"))
    return checks


def _first_failure(checks: list[Check]) -> str:
    """The first rule a pair fails (the copy rule is failed only when both its Jaccard and containment fail)."""
    copy_rule = [c for c in checks if c.name in ("content Jaccard", "content containment")]
    for c in checks:
        if c in copy_rule:
            if c is copy_rule[0] and not any(r.passed for r in copy_rule):
                return "the copy rule fails: " + " and ".join(
                    f"{r.name} {r.value:.4f} < {r.threshold}" for r in copy_rule)
            continue
        if c.passed is False:
            detail = f" ({c.value:.4f} against {c.threshold})" if c.value is not None and c.threshold is not None else ""
            return f"{c.name} fails{detail}"
    return "it passes every rule, but the LSH banding did not propose it as a candidate"


def explain_pair(folder: OutputFolder | str | Path, a_id: str, b_id: str) -> PairExplanation:
    """Why articles ``a_id`` and ``b_id`` of an output folder are or are not copies, and whether (and how
    closely) they share a story. Unknown ids are an :class:`InputError` at ``articles.jsonl``."""
    folder = folder if isinstance(folder, OutputFolder) else OutputFolder(folder)
    i, j = folder.position(a_id), folder.position(b_id)
    if i == j:
        raise InputError(str(folder.directory / "articles.jsonl"), f"give two different articles (both are {a_id!r})")
    ra, rb = folder.articles[i], folder.articles[j]
    row = folder.pair_of.get((a_id, b_id))
    swapped = row is None and (b_id, a_id) in folder.pair_of
    row = row or folder.pair_of.get((b_id, a_id))
    same_group = ra.get("dup_group") is not None and ra.get("dup_group") == rb.get("dup_group")
    config = folder.config
    if row is not None:
        scores = {k: row.get(k) for k in ("jaccard", "containment", "content_jaccard", "content_containment")}
        ev = row.get("evidence") or {}
        only_a, only_b = list(ev.get("only_in_a") or []), list(ev.get("only_in_b") or [])
        if swapped:
            only_a, only_b = only_b, only_a
        checks, measured = _checks_of_row(row, config), "duplicates.jsonl"
        reason = "a verified copy pair: it passed every rule of the duplicate stage"
    else:
        scores, checks, (only_a, only_b) = folder.corpus().measure(min(i, j), max(i, j), config)
        if i > j:
            only_a, only_b = only_b, only_a
        measured = "recomputed"
        reason = "not a copy pair: " + _first_failure(checks)
        if same_group:
            reason += f"; both are in duplicate group {ra.get('dup_group')} through other copies"
    same_story = similarity = source = step = None
    if folder.stories is not None and "story_id" in ra:
        same_story = ra.get("story_id") == rb.get("story_id")
        if folder.story_settings:
            similarity, source = folder.cosine(i, j)
        step = pair_step(folder.story_view(), folder.story_rows(), i, j)
    return PairExplanation(ra, rb, row is not None, same_group, measured, scores, checks, only_a, only_b, reason,
                           same_story, _gap_days(ra, rb), similarity, step, source)


def explain_article(folder: OutputFolder | str | Path, article_id: str, neighbors: int = 3) -> ArticleExplanation:
    """Why article ``article_id`` is in its story and duplicate group: the story row, its probability, its
    canonical article when it is a copy, and the ``neighbors`` unique members of its story nearest to it."""
    folder = folder if isinstance(folder, OutputFolder) else OutputFolder(folder)
    i = folder.position(article_id)
    row = folder.articles[i]
    story = folder.stories.get(row.get("story_id")) if folder.stories is not None else None
    canonical = canonical_pair = None
    if row.get("is_canonical") is False:
        canonical = folder.articles[folder.position(row["canonical_id"])]
        key = tuple(sorted((article_id, row["canonical_id"]), key=folder.index.__getitem__))
        canonical_pair = folder.pair_of.get(key)
    group = row.get("dup_group")
    group_size = sum(1 for r in folder.articles if group is not None and r.get("dup_group") == group) or 1
    nearest: list[Neighbor] = []
    if story is not None and folder.story_settings and neighbors > 0:
        own = row.get("canonical_id", article_id)
        members = [m for m in story.get("article_ids") or [] if m in folder.index and m not in (article_id, own)]
        if members:
            scored = [(folder.cosine(i, folder.index[m])[0], m) for m in members]
            scored.sort(key=lambda t: (-t[0], folder.index[t[1]]))
            nearest = [Neighbor(folder.articles[folder.index[m]], s) for s, m in scored[:neighbors]]
    probability = row.get("story_probability")
    steps = article_steps(folder.story_view(), i) if story is not None else []
    return ArticleExplanation(row, story, probability, canonical, canonical_pair, group_size, nearest, steps)


def as_json(e: PairExplanation | ArticleExplanation) -> dict[str, Any]:
    """An explanation as a JSON object (``storyclust explain --format json``): its fields, the rules and story
    steps as objects."""
    from dataclasses import asdict

    return asdict(e)
