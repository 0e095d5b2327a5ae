"""The settings types: validation states the rule, the bad value and the fix; every default is documented."""

from __future__ import annotations

import pytest

from storyclust.settings import DedupConfig, StoryConfig


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_cluster_size": 1}, "min_cluster_size must be >= 2, got 1"),
        ({"cluster_selection_method": "tree"}, "cluster_selection_method must be 'eom' or 'leaf', got 'tree'"),
        ({"max_gap_days": 0}, "max_gap_days must be positive or None, got 0"),
        ({"time_scale_days": 0}, "time_scale_days must be positive or None, got 0"),
        ({"svd_components": 1}, "svd_components must be >= 2 or None, got 1"),
        ({"graph_neighbors": 0}, "graph_neighbors must be >= 1, got 0"),
        ({"mixture_sweeps": -1}, "mixture_sweeps must be >= 0, got -1"),
        ({"merge_similarity": 0.0}, r"merge_similarity must be in \(0, 1\]"),
    ],
)
def test_story_config_rejects_bad_values(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StoryConfig(**changes)


@pytest.mark.parametrize(
    ("config", "changes", "fix"),
    [
        (StoryConfig, {"min_cluster_size": 1}, "a story of one article is a singleton already (default 2)"),
        (StoryConfig, {"max_gap_days": -3}, "give a number of days (default 180), or None to let stories span any gap"),
        (StoryConfig, {"merge_similarity": 2.0}, "give a cosine (default 0.3), or 1.01 to merge nothing"),
        (DedupConfig, {"jaccard_threshold": 0.0}, "give a share of shingles (default 0.3)"),
        (DedupConfig, {"num_perm": 1}, "LSH needs at least two permutations (default 128)"),
    ],
)
def test_a_bad_setting_names_the_fix_after_the_rule_and_the_value(config, changes: dict, fix: str) -> None:
    name, value = next(iter(changes.items()))
    with pytest.raises(ValueError, match=rf"^{name} must be .*, got {value}; ") as caught:
        config(**changes)
    assert str(caught.value).endswith(fix)


def test_story_config_documents_its_defaults() -> None:
    config = StoryConfig()
    doc = StoryConfig.__doc__ or ""
    for name, value in config.describe().items():
        # "name (default, unit): meaning" or "name (default): meaning"
        entry = f"{name} ({value!r}".replace("'", '"')
        assert f"{entry}," in doc or f"{entry})" in doc, name
    assert StoryConfig.__dataclass_fields__.keys() == config.describe().keys()


def test_dedup_config_documents_its_defaults() -> None:
    config = DedupConfig()
    doc = DedupConfig.__doc__ or ""
    for name in DedupConfig.__dataclass_fields__:
        entry = f"{name} ({getattr(config, name)!r}"
        assert f"{entry}," in doc or f"{entry})" in doc, name
