"""Read news articles from dumps: folders of ``.txt`` files, JSON Lines, JSON arrays, CSV/TSV and Parquet.

Every format may be compressed (``.gz``, ``.bz2``, ``.xz``, ``.zst``); ``"-"`` reads JSON Lines from
stdin. Every record ends up either as an :class:`~storyclust.records.Article` or as a
:class:`~storyclust.records.SkippedRecord` with its location and the reason.

The stages, one module each: :mod:`.sources` (paths, compression, bytes), :mod:`.formats` (one reader per
format), :mod:`.fields` (which key holds which role; record -> Article) and :mod:`.dates`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Callable, Iterable, Iterator

from ..records import Article, InputError, ReadResult, RenamedId, SkippedRecord
from .dates import parse_date
from .fields import DATE_FIELDS, ID_FIELDS, SOURCE_FIELDS, TEXT_FIELDS, TITLE_FIELDS, URL_FIELDS, FieldMap, roles
from .formats import read_source
from .sources import SUPPORTED_FORMATS, PathLike, Source, as_list, source

__all__ = [
    "DATE_FIELDS",
    "ID_FIELDS",
    "SOURCE_FIELDS",
    "SUPPORTED_FORMATS",
    "TEXT_FIELDS",
    "TITLE_FIELDS",
    "URL_FIELDS",
    "FieldMap",
    "iter_articles",
    "parse_date",
    "read_articles",
]


def iter_articles(
    paths: Iterable[PathLike] | PathLike,
    *,
    fields: FieldMap | None = None,
    on_bad: Callable[[SkippedRecord], None] | None = None,
) -> Iterator[Article]:
    """Stream articles from every path in order (a single path is accepted too).

    A malformed record raises :class:`InputError` when ``on_bad`` is None; otherwise
    ``on_bad(SkippedRecord(location, reason))`` is called and reading goes on. Problems with a whole file
    (missing, unknown format, unreadable, corrupt compression, a ``.json`` file that is not an array)
    always raise. All paths are checked before the first record is read.

    A record without an id gets ``<file name>:<line>``; where two inputs share a file name (``a/dump.jsonl``
    and ``b/dump.jsonl``), their records get ``<path as given>:<line>`` instead, so the ids stay apart.
    """
    sources = _distinct_bases([source(p) for p in as_list(paths)])
    plan = roles(fields or FieldMap())
    for src in sources:
        for item in read_source(src, plan):
            if type(item) is Article:
                yield item
            elif on_bad is None:
                raise InputError(item.location, item.reason)
            else:
                on_bad(item)


def _distinct_bases(sources: list[Source]) -> list[Source]:
    """``sources`` with the path as given in place of the file name where two files share a file name."""
    names = Counter(src.base for src in sources if src.fmt != "dir")
    return [replace(src, base=src.name) if src.fmt != "dir" and names[src.base] > 1 else src for src in sources]


def read_articles(
    paths: Iterable[PathLike] | PathLike,
    *,
    fields: FieldMap | None = None,
    skip_bad: bool = False,
    unique_ids: bool = False,
) -> ReadResult:
    """Read all articles in input order, checking that ids are unique.

    With ``skip_bad`` malformed records (and duplicate ids, unless ``unique_ids``) are listed in
    ``ReadResult.skipped`` instead of raising. With ``unique_ids`` a repeated id becomes ``<id>~2``,
    ``<id>~3``, ... (the first free one) and the change is listed in ``ReadResult.renamed``.
    """
    skipped: list[SkippedRecord] = []
    renamed: list[RenamedId] = []
    articles: list[Article] = []
    first_seen: dict[str, str] = {}
    on_bad = skipped.append if skip_bad else None
    for article in iter_articles(paths, fields=fields, on_bad=on_bad):
        original = article.id
        if original in first_seen:
            if unique_ids:
                n = 2
                while f"{original}~{n}" in first_seen:
                    n += 1
                article.id = f"{original}~{n}"
                renamed.append(RenamedId(article.location, original, article.id))
            else:
                reason = (
                    f"duplicate id {original!r} (first seen at {first_seen[original]}); "
                    "pass --unique-ids to rename duplicates"
                )
                if not skip_bad:
                    raise InputError(article.location, reason)
                skipped.append(SkippedRecord(article.location, reason))
                continue
        first_seen[article.id] = article.location
        articles.append(article)
    return ReadResult(articles=articles, skipped=skipped, renamed=renamed)
