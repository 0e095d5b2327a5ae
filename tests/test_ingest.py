"""Tests for storyclust.ingest: every input format, compression, field detection and error message."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import re
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from storyclust.ingest import (
    DATE_FIELDS,
    ID_FIELDS,
    SOURCE_FIELDS,
    TEXT_FIELDS,
    TITLE_FIELDS,
    URL_FIELDS,
    FieldMap,
    iter_articles,
    parse_date,
    read_articles,
)
from storyclust.records import Article, InputError, RenamedId, SkippedRecord

UTC = timezone.utc


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def read_one(path: Path, **kwargs: object) -> Article:
    result = read_articles([path], **kwargs)  # type: ignore[arg-type]
    assert len(result.articles) == 1, result
    return result.articles[0]


def raises_exactly(message: str):
    """``pytest.raises`` for an InputError whose full message is ``message``."""
    return pytest.raises(InputError, match=f"^{re.escape(message)}$")


# ---------------------------------------------------------------------------------------------- formats


def test_txt_folder_recursive_sorted_and_ignores_other_files(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "a" / "b").mkdir(parents=True)
    (root / "b.txt").write_text("Bee title\nbee body\n", encoding="utf-8")
    (root / "a" / "z.txt").write_text("\n\n  Zed title  \n\n  zed line 1\nzed line 2\n\n", encoding="utf-8")
    (root / "a" / "b" / "c.txt").write_text("\ufeffSee title\nsee body", encoding="utf-8")
    (root / "truth.json").write_text('{"not": "an article"}', encoding="utf-8")
    (root / "labels.csv").write_text("id,story\n", encoding="utf-8")

    result = read_articles([root])

    assert [a.id for a in result.articles] == ["c", "z", "b"]
    c, z, b = result.articles
    assert (c.title, c.text, c.location) == ("See title", "see body", str(root / "a" / "b" / "c.txt"))
    assert (z.title, z.text) == ("Zed title", "zed line 1\nzed line 2")
    assert (b.title, b.text, b.location) == ("Bee title", "bee body", str(root / "b.txt"))
    assert (b.date, b.source, b.url, b.metadata) == (None, None, None, {})


def test_txt_folder_non_utf8_file_names_the_file(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "bad.txt").write_bytes(b"Title\nabc\xffdef\n")
    location = str(root / "bad.txt")
    with pytest.raises(InputError) as info:
        read_articles([root])
    assert str(info.value) == f"{location}: not valid UTF-8 (byte 0xff at line 2, column 4)"


def test_txt_file_without_body_is_empty_text(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "only-title.txt").write_text("\n  Just a title\n\n", encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    result = read_articles([root], skip_bad=True)
    assert result.articles == []
    assert result.skipped == [
        SkippedRecord(str(root / "empty.txt"), "empty text"),
        SkippedRecord(str(root / "only-title.txt"), "empty text"),
    ]


def test_single_txt_file(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Headline\nBody\n", encoding="utf-8")
    article = read_one(path)
    assert (article.id, article.title, article.text, article.location) == ("story", "Headline", "Body", str(path))


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson", ".JSONL"])
def test_jsonl_and_ndjson(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"data{suffix}"
    path.write_text(
        '{"id": "a", "title": "A", "text": "alpha"}\n'
        "\n"
        "   \n"
        '{"id": "b", "title": "B", "text": "beta"}\r\n',
        encoding="utf-8",
    )
    result = read_articles([path])
    assert [(a.id, a.title, a.text, a.location) for a in result.articles] == [
        ("a", "A", "alpha", f"{path}:1"),
        ("b", "B", "beta", f"{path}:4"),
    ]
    assert result.skipped == [] and result.renamed == []


def test_jsonl_tolerates_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "x"}\n')
    assert read_one(path).text == "x"


def test_paths_are_read_in_order_and_a_single_path_is_accepted(tmp_path: Path) -> None:
    one = write_jsonl(tmp_path / "one.jsonl", [{"id": "1", "text": "x"}])
    two = write_jsonl(tmp_path / "two.jsonl", [{"id": "2", "text": "y"}])
    assert [a.id for a in iter_articles([two, str(one)])] == ["2", "1"]
    assert [a.id for a in iter_articles(one)] == ["1"]


def test_iter_articles_streams(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "one"}\n{"text": "two"}\nnot json\n', encoding="utf-8")
    articles = iter_articles([path])
    assert next(articles).text == "one"
    assert next(articles).text == "two"
    with pytest.raises(InputError):
        next(articles)


def test_all_paths_are_checked_before_reading(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [{"text": "x"}])
    missing = tmp_path / "missing.jsonl"
    articles = iter_articles([good, missing])
    with pytest.raises(InputError, match=re.escape(str(missing))):
        next(articles)


def test_json_array_locations_are_start_lines(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text(
        "[\n"
        '  {"id": "a", "text": "alpha"},\n'
        "\n"
        "  {\n"
        '    "id": "b",\n'
        '    "text": "beta"\n'
        "  }, {\"text\": \"gamma\"}\n"
        "]\n",
        encoding="utf-8",
    )
    result = read_articles([path])
    assert [(a.id, a.location) for a in result.articles] == [
        ("a", f"{path}:2"),
        ("b", f"{path}:4"),
        ("data.json:7", f"{path}:7"),
    ]


def test_json_empty_array(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text(" [ ] \n", encoding="utf-8")
    assert read_articles([path]).articles == []


def test_json_array_element_that_is_not_an_object_is_a_record_problem(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text('[\n{"text": "x"},\n"just a string",\n{"text": "y"}\n]', encoding="utf-8")
    with raises_exactly(f"{path}:3: expected a JSON object, found string"):
        read_articles([path])
    result = read_articles([path], skip_bad=True)
    assert [a.text for a in result.articles] == ["x", "y"]
    assert result.skipped == [SkippedRecord(f"{path}:3", "expected a JSON object, found string")]


def test_json_file_that_is_not_an_array_is_a_file_error_even_with_skip_bad(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text('\n{"text": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_articles([path], skip_bad=True)
    assert str(info.value) == f"{path}:2: expected a JSON array of objects, found object"


def test_json_array_syntax_error_is_a_file_error_even_with_skip_bad(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text('[\n{"text": "x"},\n{"text": "y" "id": 1}\n]\n', encoding="utf-8")
    message = f"{path}:3: invalid JSON (Expecting ',' delimiter: line 3 column 14 (char 30))"
    with raises_exactly(message):
        read_articles([path], skip_bad=True)


def test_json_array_missing_comma_between_elements(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text('[{"text": "x"}\n {"text": "y"}]', encoding="utf-8")
    with raises_exactly(f"{path}:2: invalid JSON (Expecting ',' delimiter: line 2 column 2 (char 16))"):
        list(iter_articles([path]))


def test_csv_with_quoted_multiline_field_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid,Title,text,event\r\n"
        b'1,First,"line one\r\nline two, with comma\r\n""quoted""",e1\r\n'
        b"2,Second,plain,e2\r\n"
    )
    result = read_articles([path])
    first, second = result.articles
    assert (first.id, first.title, first.text, first.location) == (
        "1",
        "First",
        'line one\r\nline two, with comma\r\n"quoted"',
        f"{path}:2",
    )
    assert first.metadata == {"event": "e1"}
    assert (second.id, second.location, second.metadata) == ("2", f"{path}:5", {"event": "e2"})


def test_csv_large_field(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    body = "word " * 60_000  # larger than the csv module's default field limit
    path.write_text(f'title,text\nT,"{body}"\n', encoding="utf-8")
    assert read_one(path).text == body


def test_tsv(tmp_path: Path) -> None:
    path = tmp_path / "data.tsv"
    path.write_text("headline\tbody\tstory\nH1\tB1, with comma\ts1\nH2\t\"B2\nsecond\"\ts2\n", encoding="utf-8")
    result = read_articles([path])
    assert [(a.title, a.text, a.location, a.metadata) for a in result.articles] == [
        ("H1", "B1, with comma", f"{path}:2", {"story": "s1"}),
        ("H2", "B2\nsecond", f"{path}:3", {"story": "s2"}),
    ]
    assert [a.id for a in result.articles] == ["data.tsv:2", "data.tsv:3"]


def test_csv_unterminated_quote_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text('title,text\nA,fine\nB,"never closed\nC,swallowed\n', encoding="utf-8")
    result = read_articles([path], skip_bad=True)
    assert [a.title for a in result.articles] == ["A"]
    assert result.skipped == [
        SkippedRecord(f"{path}:3", "unterminated quoted field (it runs to the end of the file)")
    ]


def test_parquet(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "data.parquet"
    table = pa.table(
        {
            "title": ["A", "B", "C"],
            "text": ["alpha", "beta", "gamma"],
            "published": [datetime(2024, 1, 5, 10, 0), None, datetime(2024, 1, 7)],
            "article_id": [None, "b", "c"],
            "cluster": [1, 2, 1],
        }
    )
    pq.write_table(table, path, row_group_size=2)
    result = read_articles([path])
    assert [(a.id, a.title, a.location) for a in result.articles] == [
        ("data.parquet:row1", "A", f"{path}:row 1"),
        ("b", "B", f"{path}:row 2"),
        ("c", "C", f"{path}:row 3"),
    ]
    assert result.articles[0].date == datetime(2024, 1, 5, 10, 0, tzinfo=UTC)
    assert result.articles[1].date is None
    assert [a.metadata["cluster"] for a in result.articles] == [1, 2, 1]


def test_parquet_record_problem_location(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"text": ["ok", "  "]}), path)
    with raises_exactly(f"{path}:row 2: empty text"):
        read_articles([path])


def test_corrupt_parquet_is_a_file_error(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "data.parquet"
    path.write_bytes(b"this is not parquet")
    with pytest.raises(InputError, match=f"^{re.escape(str(path))}: cannot read Parquet"):
        read_articles([path], skip_bad=True)


# ---------------------------------------------------------------------------------------------- compression


def _zstd(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return zstandard.ZstdCompressor().compress(data)


COMPRESSORS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": _zstd,
    ".zstd": _zstd,
}


@pytest.mark.parametrize("ext", sorted(COMPRESSORS))
def test_compressed_jsonl_round_trip(tmp_path: Path, ext: str) -> None:
    records = [{"id": str(i), "title": f"T{i}", "text": f"body {i} é"} for i in range(50)]
    raw = "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")
    path = tmp_path / f"articles.jsonl{ext}"
    path.write_bytes(COMPRESSORS[ext](raw))
    result = read_articles([path])
    assert [(a.id, a.title, a.text) for a in result.articles] == [(r["id"], r["title"], r["text"]) for r in records]
    assert result.articles[7].location == f"{path}:8"


@pytest.mark.parametrize("ext", [".gz", ".bz2", ".xz", ".zst"])
def test_compressed_csv_json_and_txt(tmp_path: Path, ext: str) -> None:
    compress = COMPRESSORS[ext]
    csv_path = tmp_path / f"a.csv{ext}"
    csv_path.write_bytes(compress(b'title,text\nT,"multi\nline"\n'))
    json_path = tmp_path / f"b.json{ext}"
    json_path.write_bytes(compress(b'[\n{"text": "j"}\n]'))
    txt_path = tmp_path / f"c.txt{ext}"
    txt_path.write_bytes(compress(b"Title\nBody"))
    result = read_articles([csv_path, json_path, txt_path])
    assert [(a.id, a.text, a.location) for a in result.articles] == [
        (f"a.csv{ext}:2", "multi\nline", f"{csv_path}:2"),
        (f"b.json{ext}:2", "j", f"{json_path}:2"),
        ("c", "Body", str(txt_path)),
    ]


def test_compressed_parquet(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": ["x"]}), buffer)
    path = tmp_path / "data.parquet.gz"
    path.write_bytes(gzip.compress(buffer.getvalue()))
    assert read_one(path).text == "x"


def test_multi_frame_zstd(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl.zst"
    path.write_bytes(_zstd(b'{"text": "a"}\n') + _zstd(b'{"text": "b"}\n'))
    assert [a.text for a in iter_articles([path])] == ["a", "b"]


@pytest.mark.parametrize("ext", [".gz", ".bz2", ".xz", ".zst"])
def test_corrupt_compressed_stream_is_a_file_error(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"data.jsonl{ext}"
    good = COMPRESSORS[ext](b'{"text": "x"}\n' * 1000)
    path.write_bytes(good[: len(good) // 2])  # truncated
    with pytest.raises(InputError, match=f"^{re.escape(str(path))}: cannot decompress"):
        read_articles([path], skip_bad=True)


def test_missing_pyarrow_gives_an_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with raises_exactly(f"{path}: reading Parquet needs pyarrow: pip install 'storyclust[parquet]'"):
        read_articles([path])


def test_missing_zstandard_gives_an_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "data.jsonl.zst"
    path.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "zstandard", None)
    with raises_exactly(f"{path}: reading .zst files needs zstandard: pip install zstandard"):
        read_articles([path])


def test_garbage_in_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "data.csv.gz"
    path.write_bytes(b"this is not gzip data")
    with raises_exactly(f"{path}: cannot decompress gzip data (Not a gzipped file (b'th'))"):
        read_articles([path], skip_bad=True)


# ---------------------------------------------------------------------------------------------- stdin


def test_stdin_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b'{"id": "s1", "text": "from stdin"}\n\nnot json\n{"text": "more"}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    result = read_articles(["-"], skip_bad=True)
    assert [(a.id, a.location) for a in result.articles] == [("s1", "<stdin>:1"), ("<stdin>:4", "<stdin>:4")]
    assert result.skipped == [
        SkippedRecord("<stdin>:3", "invalid JSON (Expecting value: line 1 column 1 (char 0))")
    ]


# ---------------------------------------------------------------------------------------------- fields


def test_candidate_tuples() -> None:
    assert TITLE_FIELDS == ("title", "headline")
    assert TEXT_FIELDS == ("text", "body", "content", "maintext", "article")
    assert DATE_FIELDS == ("date", "published", "publish_date", "date_publish", "pubDate")
    assert SOURCE_FIELDS == ("source", "outlet", "publisher", "domain", "source_domain")
    assert URL_FIELDS == ("url",)
    assert ID_FIELDS == ("id", "guid", "article_id")


ROLE_ALIASES = [
    *[("title", name, "The title", "The title") for name in TITLE_FIELDS],
    *[("source", name, "example.com", "example.com") for name in SOURCE_FIELDS],
    *[("url", name, "https://example.com/a", "https://example.com/a") for name in URL_FIELDS],
    *[("id", name, "abc-1", "abc-1") for name in ID_FIELDS],
    *[("date", name, "2024-01-05T10:00:00Z", datetime(2024, 1, 5, 10, tzinfo=UTC)) for name in DATE_FIELDS],
]


@pytest.mark.parametrize(("role", "key", "value", "expected"), ROLE_ALIASES)
def test_every_alias_is_detected(tmp_path: Path, role: str, key: str, value: str, expected: object) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{key: value, "text": "body", "event": "e"}])
    article = read_one(path)
    assert getattr(article, role) == expected
    assert article.metadata == {"event": "e"}


@pytest.mark.parametrize("key", TEXT_FIELDS)
def test_every_text_alias_is_detected(tmp_path: Path, key: str) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{key: "the body", "title": "T"}])
    article = read_one(path)
    assert (article.text, article.metadata) == ("the body", {})


def test_keys_match_case_insensitively(tmp_path: Path) -> None:
    record = {
        "HEADLINE": "H",
        "Body": "B",
        "PubDate": "Fri, 05 Jan 2024 10:00:00 +0100",
        "Source_Domain": "s.example",
        "URL": "u",
        "GUID": "g",
    }
    article = read_one(write_jsonl(tmp_path / "d.jsonl", [record]))
    assert (article.title, article.text, article.source, article.url, article.id) == ("H", "B", "s.example", "u", "g")
    assert article.date == datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
    assert article.metadata == {}


def test_first_usable_candidate_wins_and_the_rest_is_metadata(tmp_path: Path) -> None:
    record = {"title": "", "headline": "H", "text": None, "body": "  ", "content": "C", "date": "yesterday", "published": "2024-01-05"}
    article = read_one(write_jsonl(tmp_path / "d.jsonl", [record]))
    assert (article.title, article.text) == ("H", "C")
    assert article.date == datetime(2024, 1, 5, tzinfo=UTC)
    assert article.metadata == {"title": "", "text": None, "body": "  ", "date": "yesterday"}


def test_non_string_values_are_converted(tmp_path: Path) -> None:
    record = {"id": 42, "title": 2024, "text": 3.5, "source": True, "url": "u"}
    article = read_one(write_jsonl(tmp_path / "d.jsonl", [record]))
    assert (article.id, article.title, article.text, article.source) == ("42", "2024", "3.5", "True")


def test_newsapi_style_source_object(tmp_path: Path) -> None:
    record = {"text": "x", "source": {"id": None, "name": "CNN"}}
    assert read_one(write_jsonl(tmp_path / "d.jsonl", [record])).source == "CNN"


def test_metadata_passthrough(tmp_path: Path) -> None:
    record = {
        "id": "a",
        "text": "x",
        "event": "ev-1",
        "story": 7,
        "cluster": None,
        "tags": ["a", "b"],
        "extra": {"nested": True},
    }
    article = read_one(write_jsonl(tmp_path / "d.jsonl", [record]))
    assert article.metadata == {
        "event": "ev-1",
        "story": 7,
        "cluster": None,
        "tags": ["a", "b"],
        "extra": {"nested": True},
    }


def test_missing_title_is_empty_and_missing_id_defaults_to_location(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('\n{"text": "x"}\n{"text": "y", "id": ""}\n', encoding="utf-8")
    result = read_articles([path])
    assert [(a.id, a.title) for a in result.articles] == [("d.jsonl:2", ""), ("d.jsonl:3", "")]


def test_field_map_overrides(tmp_path: Path) -> None:
    record = {
        "heading": "Real title",
        "title": "Not the title",
        "story_text": "Real text",
        "text": "Not the text",
        "when": "2024/01/05",
        "site": "site.example",
        "link": "https://x",
        "uid": 9,
        "id": "not-the-id",
    }
    fields = FieldMap(title="heading", text="Story_Text", date="when", source="site", url="link", id="uid")
    article = read_one(write_jsonl(tmp_path / "d.jsonl", [record]), fields=fields)
    assert (article.title, article.text, article.source, article.url, article.id) == (
        "Real title",
        "Real text",
        "site.example",
        "https://x",
        "9",
    )
    assert article.date == datetime(2024, 1, 5, tzinfo=UTC)
    assert article.metadata == {"title": "Not the title", "text": "Not the text", "id": "not-the-id"}


def test_field_map_only_uses_the_named_key(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": "x", "title": "T"}])
    article = read_one(path, fields=FieldMap(title="heading"))
    assert article.title == ""
    assert article.metadata == {"title": "T"}


# ---------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-05T10:20:30Z", datetime(2024, 1, 5, 10, 20, 30, tzinfo=UTC)),
        ("2024-01-05T10:20:30.250z", datetime(2024, 1, 5, 10, 20, 30, 250000, tzinfo=UTC)),
        ("2024-01-05T12:20:30+02:00", datetime(2024, 1, 5, 10, 20, 30, tzinfo=UTC)),
        ("2024-01-04T23:00:00-05:00", datetime(2024, 1, 5, 4, 0, tzinfo=UTC)),
        ("2024-01-05 10:20", datetime(2024, 1, 5, 10, 20, tzinfo=UTC)),
        ("2024-01-05", datetime(2024, 1, 5, tzinfo=UTC)),
        ("20240105", datetime(2024, 1, 5, tzinfo=UTC)),
        ("Fri, 05 Jan 2024 10:20:30 GMT", datetime(2024, 1, 5, 10, 20, 30, tzinfo=UTC)),
        ("Fri, 05 Jan 2024 10:20:30 -0500", datetime(2024, 1, 5, 15, 20, 30, tzinfo=UTC)),
        ("2024/01/05", datetime(2024, 1, 5, tzinfo=UTC)),
        ("2024/1/5 07:08:09", datetime(2024, 1, 5, 7, 8, 9, tzinfo=UTC)),
        (1704450030, datetime(2024, 1, 5, 10, 20, 30, tzinfo=UTC)),
        (1704450030.5, datetime(2024, 1, 5, 10, 20, 30, 500000, tzinfo=UTC)),
        ("1704450030", datetime(2024, 1, 5, 10, 20, 30, tzinfo=UTC)),
        (1704450030000, datetime(2024, 1, 5, 10, 20, 30, tzinfo=UTC)),
        (datetime(2024, 1, 5, 10), datetime(2024, 1, 5, 10, tzinfo=UTC)),
        (datetime(2024, 1, 5, 11, tzinfo=timezone(timedelta(hours=1))), datetime(2024, 1, 5, 10, tzinfo=UTC)),
        (date(2024, 1, 5), datetime(2024, 1, 5, tzinfo=UTC)),
    ],
)
def test_parse_date(value: object, expected: datetime) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo == UTC


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "   ",
        "2024-13-45",
        "2024/02/30",
        2024,
        20240105,
        None,
        True,
        -5,
        10**15,
        float("nan"),
        float("inf"),
        [2024],
        {},
    ],
)
def test_parse_date_garbage_is_none(value: object) -> None:
    assert parse_date(value) is None


def test_unparseable_date_is_not_an_error(tmp_path: Path) -> None:
    article = read_one(write_jsonl(tmp_path / "d.jsonl", [{"text": "x", "date": "last tuesday"}]))
    assert article.date is None
    assert article.metadata == {"date": "last tuesday"}


# ---------------------------------------------------------------------------------------------- malformed records


def _single_error(path: Path, message: str, **kwargs: object) -> None:
    with raises_exactly(message):
        read_articles([path], **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        read_articles([path], **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_invalid_json_line(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "a"}\n{"text": "b"}\n{"id": "c" "text": "c"}\n', encoding="utf-8")
    _single_error(path, f"{path}:3: invalid JSON (Expecting ',' delimiter: line 1 column 12 (char 11))")


@pytest.mark.parametrize(
    ("line", "kind"),
    [("[1, 2]", "array"), ('"text"', "string"), ("3.5", "number"), ("null", "null"), ("true", "boolean")],
)
def test_json_value_that_is_not_an_object(tmp_path: Path, line: str, kind: str) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    _single_error(path, f"{path}:1: expected a JSON object, found {kind}")


def test_missing_text(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "data.jsonl", [{"title": "T", "summary": "s"}])
    _single_error(
        path, f"{path}:1: missing text (looked for: text, body, content, maintext, article); its fields: 'title', 'summary'"
    )


def test_missing_text_with_field_map(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "data.jsonl", [{"title": "T", "text": "not used"}])
    _single_error(path, f"{path}:1: missing text field 'story'; its fields: 'title', 'text'", fields=FieldMap(text="story"))


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text(tmp_path: Path, text: str) -> None:
    path = write_jsonl(tmp_path / "data.jsonl", [{"title": "T", "text": text}])
    _single_error(path, f"{path}:1: empty text")


def test_non_scalar_text(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "data.jsonl", [{"text": ["para 1", "para 2"]}])
    _single_error(path, f"{path}:1: text field 'text' holds array, not text")


def test_invalid_utf8_line(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"te\xffxt": "bad"}\n')
    _single_error(path, f"{path}:2: not valid UTF-8 (byte 0xff at column 5)")


def test_invalid_utf8_in_csv_row(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b'title,text\nA,"multi\nli\xc3ne"\nB,fine\n')
    _single_error(path, f"{path}:2: not valid UTF-8 (byte 0xc3 at column 3)")
    result = read_articles([path], skip_bad=True)
    assert [a.title for a in result.articles] == ["B"]
    assert result.articles[0].location == f"{path}:4"


def test_invalid_utf8_in_json_array_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_bytes(b'[\n{"text": "a\xfe"}\n]')
    with raises_exactly(f"{path}:2: not valid UTF-8 (byte 0xfe at column 12)"):
        read_articles([path], skip_bad=True)


def test_csv_wrong_field_count(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("id,title,text,date,event\n1,T,body,2024-01-05,e\n2,T,body,2024-01-05\n", encoding="utf-8")
    _single_error(path, f"{path}:3: expected 5 fields, found 4")


def test_duplicate_id(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "data.jsonl", [{"id": "a", "text": "x"}, {"id": "b", "text": "y"}, {"id": "a", "text": "z"}])
    _single_error(
        path,
        f"{path}:3: duplicate id 'a' (first seen at {path}:1); pass --unique-ids to rename duplicates",
    )


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    one = write_jsonl(tmp_path / "one.jsonl", [{"id": 1, "text": "x"}])
    two = tmp_path / "two.csv"
    two.write_text("id,text\n1,y\n", encoding="utf-8")
    with raises_exactly(f"{two}:2: duplicate id '1' (first seen at {one}:1); pass --unique-ids to rename duplicates"):
        read_articles([one, two])


def test_unique_ids_renames_duplicates(tmp_path: Path) -> None:
    records = [
        {"id": "a", "text": "1"},
        {"id": "a~2", "text": "2"},
        {"id": "a", "text": "3"},
        {"id": "a", "text": "4"},
        {"id": "b", "text": "5"},
    ]
    path = write_jsonl(tmp_path / "data.jsonl", records)
    result = read_articles([path], unique_ids=True)
    assert [a.id for a in result.articles] == ["a", "a~2", "a~3", "a~4", "b"]
    assert result.renamed == [
        RenamedId(f"{path}:3", "a", "a~3"),
        RenamedId(f"{path}:4", "a", "a~4"),
    ]
    assert result.skipped == []


def test_skip_bad_skips_duplicates(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "data.jsonl", [{"id": "a", "text": "1"}, {"id": "a", "text": "2"}])
    result = read_articles([path], skip_bad=True)
    assert [a.text for a in result.articles] == ["1"]
    assert result.skipped == [
        SkippedRecord(f"{path}:2", f"duplicate id 'a' (first seen at {path}:1); pass --unique-ids to rename duplicates")
    ]


def test_skip_bad_accounts_for_every_record(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(
        b'{"id": "1", "text": "good"}\n'  # 1
        b"{broken\n"  # 2
        b"[]\n"  # 3
        b'{"title": "no text"}\n'  # 4
        b'{"text": " "}\n'  # 5
        b'{"text": "\xff"}\n'  # 6
        b"\n"  # 7 (blank, not a record)
        b'{"id": "1", "text": "dup"}\n'  # 8
        b'{"id": "2", "text": "good"}\n'  # 9
    )
    result = read_articles([path], skip_bad=True)
    assert [a.location for a in result.articles] == [f"{path}:1", f"{path}:9"]
    assert result.skipped == [
        SkippedRecord(f"{path}:2", "invalid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
        SkippedRecord(f"{path}:3", "expected a JSON object, found array"),
        SkippedRecord(f"{path}:4", "missing text (looked for: text, body, content, maintext, article); its fields: 'title'"),
        SkippedRecord(f"{path}:5", "empty text"),
        SkippedRecord(f"{path}:6", "not valid UTF-8 (byte 0xff at column 11)"),
        SkippedRecord(
            f"{path}:8", f"duplicate id '1' (first seen at {path}:1); pass --unique-ids to rename duplicates"
        ),
    ]
    assert len(result.articles) + len(result.skipped) == 8


def test_on_bad_callback(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("title,text\nA,x\nB\nC,\nD,y\n", encoding="utf-8")
    bad: list[SkippedRecord] = []
    articles = list(iter_articles([path], on_bad=bad.append))
    assert [a.title for a in articles] == ["A", "D"]
    assert bad == [
        SkippedRecord(f"{path}:3", "expected 2 fields, found 1"),
        SkippedRecord(f"{path}:4", "empty text"),
    ]


# ---------------------------------------------------------------------------------------------- paths


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "data.xml"
    path.write_text("<rss/>", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_articles([path])
    assert str(info.value) == (
        f"{path}: unsupported input format; expected a folder of .txt files, .jsonl, .ndjson, .json, .csv, "
        ".tsv, .parquet or .txt, optionally compressed (.gz, .bz2, .xz, .zst), or - for JSON Lines on stdin"
    )


def test_compressed_file_without_a_format(tmp_path: Path) -> None:
    path = tmp_path / "data.gz"
    path.write_bytes(gzip.compress(b"{}"))
    with pytest.raises(InputError, match=f"^{re.escape(str(path))}: unsupported input format"):
        read_articles([path])


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"
    with pytest.raises(InputError) as info:
        read_articles([path], skip_bad=True)
    assert str(info.value) == (
        f"{path}: no such file or directory (supported inputs: a folder of .txt files, .jsonl, .ndjson, .json, "
        ".csv, .tsv, .parquet or .txt, optionally compressed (.gz, .bz2, .xz, .zst), or - for JSON Lines on stdin)"
    )
    assert info.value.location == str(path)


def test_location_uses_the_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    write_jsonl(tmp_path / "sub" / "d.jsonl", [{"text": "x"}])
    article = read_one("sub/d.jsonl")  # type: ignore[arg-type]
    assert (article.location, article.id) == ("sub/d.jsonl:1", "d.jsonl:1")
