"""storyclust: find copies of news articles and group news into stories.

The pipeline, one module per stage::

    ingest -> clean -> signatures -> lsh -> dedup -> vectorize -> clustering -> label (stories)
           -> export / report                     (pipeline runs it; cli wires it)

>>> import storyclust
>>> result = storyclust.cluster(articles)            # doctest: +SKIP
>>> labels = storyclust.StoryClusterer().fit_predict(texts)   # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from .dedup import DedupConfig, DedupResult, DuplicateGroup, deduplicate
from .estimator import StoryClusterer
from .ingest import FieldMap, read_articles
from .records import Article, InputError, ReadResult, SkippedRecord
from .pipeline import Result, cluster, run
from .stories import Stories, Story, StoryConfig

try:
    __version__ = version("storyclust")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Article",
    "DedupConfig",
    "DedupResult",
    "DuplicateGroup",
    "FieldMap",
    "InputError",
    "ReadResult",
    "Result",
    "SkippedRecord",
    "Stories",
    "Story",
    "StoryClusterer",
    "StoryConfig",
    "cluster",
    "deduplicate",
    "read_articles",
    "run",
    "__version__",
]
