"""storyclust: find copies of news articles and group news into stories."""

from importlib.metadata import PackageNotFoundError, version

from .dedup import DedupConfig, DedupResult, DuplicateGroup, deduplicate
from .models import Article, InputError, ReadResult, SkippedRecord

try:
    __version__ = version("storyclust")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Article",
    "DedupConfig",
    "DedupResult",
    "DuplicateGroup",
    "InputError",
    "ReadResult",
    "SkippedRecord",
    "deduplicate",
    "__version__",
]
