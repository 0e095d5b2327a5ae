"""Issue 14 at the reading stage: deep JSON, lone surrogates, inputs that are no UTF-8 text, empty folders,
semicolon CSV, generated ids of same-named files, and the date forms that used to be lost or misread."""

from __future__ import annotations

import gzip
import io
import json
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from storyclust.ingest import parse_date, read_articles
from storyclust.records import InputError, SkippedRecord

TEXT = "Floods closed the bridge on Monday."
DEEP = "[" * 5000 + "]" * 5000


def raises_located(location: str, problem: str):
    """``pytest.raises`` for an :class:`InputError` at exactly ``location`` whose problem starts with ``problem``."""
    return pytest.raises(InputError, match="^" + re.escape(f"{location}: {problem}"))


# ------------------------------------------------------------------------------------- deep JSON (item 4)


def test_deep_jsonl_record_is_a_located_skippable_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": TEXT}) + "\n" + '{"text": "x", "extra": ' + DEEP + "}\n"
        + json.dumps({"id": "c", "text": TEXT}) + "\n",
        encoding="utf-8",
    )
    with raises_located(f"{path}:2", "JSON nested too deeply"):
        read_articles([path])
    result = read_articles([path], skip_bad=True)
    assert [a.id for a in result.articles] == ["a", "c"]
    assert [s.location for s in result.skipped] == [f"{path}:2"]


def test_deep_element_of_a_json_array_is_skipped_and_the_next_is_read(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(
        '[{"id": "a", "text": "one two"},\n {"text": "x", "deep": ' + DEEP + ', "s": "]}"},\n'
        ' {"id": "c", "text": "three four"}]\n',
        encoding="utf-8",
    )
    with raises_located(f"{path}:2", "JSON nested too deeply"):
        read_articles([path])
    result = read_articles([path], skip_bad=True)
    assert [a.id for a in result.articles] == ["a", "c"]
    assert result.skipped[0].location == f"{path}:2"


def test_deep_json_that_never_closes_is_a_whole_file_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" + "[" * 5000, encoding="utf-8")
    with raises_located(f"{path}:1", "JSON nested too deeply"):
        read_articles([path], skip_bad=True)


def test_deep_sidecar_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Title\nBody text here.", encoding="utf-8")
    (tmp_path / "metadata.jsonl").write_text('{"id": "a", "x": ' + DEEP + "}\n", encoding="utf-8")
    with raises_located(f"{tmp_path / 'metadata.jsonl'}:1", "JSON nested too deeply"):
        read_articles([tmp_path], skip_bad=True)


# -------------------------------------------------------------------------------- lone surrogates (item 5)


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ('{"id": "a", "title": "x\\ud800y", "text": "t"}', "field 'title'"),
        ('{"id": "a", "text": "t", "meta": {"k": ["\\udfff"]}}', "field 'meta'"),
        ('{"id": "a", "text": "t", "\\uDC00": 1}', "a field name"),
    ],
)
def test_lone_surrogate_is_a_located_skippable_error(tmp_path: Path, line: str, where: str) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(line + "\n" + json.dumps({"id": "ok", "text": TEXT}) + "\n", encoding="utf-8")
    with raises_located(f"{path}:1", f"{where} holds a lone surrogate"):
        read_articles([path])
    result = read_articles([path], skip_bad=True)
    assert [a.id for a in result.articles] == ["ok"]


def test_a_surrogate_pair_is_text(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "a", "title": "\\ud83d\\ude00", "text": "t"}\n', encoding="utf-8")
    assert read_articles([path]).articles[0].title == "\U0001f600"


def test_lone_surrogate_in_a_json_array_and_a_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('[{"id": "a", "text": "t\\ud800"},\n{"id": "b", "text": "fine"}]', encoding="utf-8")
    result = read_articles([path], skip_bad=True)
    assert [a.id for a in result.articles] == ["b"]
    assert result.skipped[0].location == f"{path}:1" and "lone surrogate" in result.skipped[0].reason
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("Title\nBody.", encoding="utf-8")
    (folder / "metadata.jsonl").write_text('{"id": "a", "source": "\\ud800"}\n', encoding="utf-8")
    with raises_located(f"{folder / 'metadata.jsonl'}:1", "field 'source' holds a lone surrogate"):
        read_articles([folder])


# ---------------------------------------------------------------------- inputs that are no UTF-8 text


def test_utf16_jsonl_says_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "u16.jsonl"
    path.write_bytes(json.dumps({"id": "a", "text": TEXT}).encode("utf-16"))  # with a byte order mark
    with raises_located(str(path), "the bytes are UTF-16 text (little-endian byte order mark), not UTF-8"):
        read_articles([path], skip_bad=True)
    path.write_bytes(json.dumps({"id": "a", "text": TEXT}).encode("utf-16-le"))  # without one
    with raises_located(str(path), "the bytes look like UTF-16 text"):
        read_articles([path], skip_bad=True)


def test_utf16_csv_says_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes("id,text\na,hello\n".encode("utf-16"))
    with raises_located(str(path), "the bytes are UTF-16 text"):
        read_articles([path], skip_bad=True)


def test_gzip_on_stdin_says_what_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress(b'{"id": "a", "text": "x"}\n')
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    with raises_located("<stdin>", "the bytes are gzip-compressed data, not UTF-8 text: name the file .gz, or"):
        read_articles(["-"], skip_bad=True)


def test_gzip_data_without_a_gz_name(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n' * 50))
    with raises_located(str(path), "the bytes are gzip-compressed data"):
        read_articles([path], skip_bad=True)


def test_an_undecodable_later_line_is_still_one_skipped_record(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"id": "a", "text": "x"}\n{"id": "b", "text": "\xff"}\n')
    result = read_articles([path], skip_bad=True)
    assert [a.id for a in result.articles] == ["a"]
    assert result.skipped == [SkippedRecord(f"{path}:2", "not valid UTF-8 (byte 0xff at column 22)")]


# ------------------------------------------------------------------------ folders, CSV, generated ids


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with raises_located(str(tmp_path), "no .txt files in this folder (a folder is read for its .txt files; it is empty)"):
        read_articles([tmp_path])


def test_folder_holding_only_a_jsonl_names_it(tmp_path: Path) -> None:
    (tmp_path / "dump.jsonl").write_text(json.dumps({"text": TEXT}) + "\n", encoding="utf-8")
    with raises_located(str(tmp_path), "no .txt files in this folder (a folder is read for its .txt files; "
                        "it holds 'dump.jsonl'; give such files as paths)"):
        read_articles([tmp_path])


def test_semicolon_csv_names_the_column_it_found(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("title;text;date\nA;body one;2020-01-01\n", encoding="utf-8")
    with raises_located(f"{path}:1", "the header is one column, 'title;text;date': the file looks separated by "
                        "semicolons, but CSV is read with commas"):
        read_articles([path], skip_bad=True)


def test_missing_text_names_the_fields_found(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("headline,story_body\nA,b\n", encoding="utf-8")
    with raises_located(f"{path}:2", "missing text (looked for: text, body, content, maintext, article); its "
                        "fields: 'headline', 'story_body'"):
        read_articles([path])


def test_generated_ids_of_same_named_files_stay_apart(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "dump.jsonl").write_text(json.dumps({"text": f"{TEXT} {folder}"}) + "\n", "utf-8")
    a, b = tmp_path / "a" / "dump.jsonl", tmp_path / "b" / "dump.jsonl"
    result = read_articles([a, b])
    assert [x.id for x in result.articles] == [f"{a}:1", f"{b}:1"]
    assert [x.id for x in read_articles([a]).articles] == ["dump.jsonl:1"]  # one file: the file name, as before
    other = tmp_path / "c.jsonl"
    other.write_text(json.dumps({"text": TEXT}) + "\n", "utf-8")
    assert [x.id for x in read_articles([a, other]).articles] == ["dump.jsonl:1", "c.jsonl:1"]


# ------------------------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020", datetime(2020, 1, 1)),
        ("2020-03", datetime(2020, 3, 1)),
        ("March 1, 2020", datetime(2020, 3, 1)),
        ("1 March 2020", datetime(2020, 3, 1)),
        ("Mar. 3 2021", datetime(2021, 3, 3)),
        ("Sunday, March 1st, 2020 at 4:05 pm", datetime(2020, 3, 1, 16, 5)),
        ("12 Sept 2019 10:30", datetime(2019, 9, 12, 10, 30)),
        ("December 31, 1999 12:00 AM", datetime(1999, 12, 31, 0, 0)),
        (1_700_000_000, datetime(2023, 11, 14, 22, 13, 20)),
        (1_700_000_000_000, datetime(2023, 11, 14, 22, 13, 20)),
        ("1700000000000", datetime(2023, 11, 14, 22, 13, 20)),
    ],
)
def test_date_forms(value: object, expected: datetime) -> None:
    assert parse_date(value) == expected.replace(tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "value", [253_402_300_800, "253402300800", 99_999_999_999, "2020-13", "February 30, 2020", "13:00 March 1, 2020",
              "Foo 1, 2020", "March 2020", "1 March"],
)
def test_not_a_date(value: object) -> None:
    """An 11-12-digit number is seconds after 2100 or milliseconds before 2001: no date, not 1978."""
    assert parse_date(value) is None
