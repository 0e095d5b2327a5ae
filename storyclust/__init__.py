"""storyclust: find copies of news articles and group news into stories.

The pipeline, one package or module per stage (``settings`` and ``records`` hold what flows between them)::

    ingest -> clean -> dedup (shingles, minhash, lsh, verify, groups)
           -> stories (vocabulary, vectorize, graph, density, merge, timesplit, mixture, label)
           -> export / report                     (pipeline runs it; cli wires it)

>>> import storyclust
>>> result = storyclust.cluster(articles)            # doctest: +SKIP
>>> labels = storyclust.StoryClusterer().fit_predict(texts)   # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from .dedup import deduplicate
from .estimator import StoryClusterer
from .ingest import FieldMap, read_articles
from .pipeline import Result, cluster, run
from .records import Article, DedupResult, DuplicateGroup, InputError, ReadResult, SkippedRecord, Stories, Story
from .settings import DedupConfig, StoryConfig
from .stories import find_stories

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
    "find_stories",
    "read_articles",
    "run",
    "__version__",
]
