"""The HTML report: one self-contained file to review stories, copies and their diffs in a browser.

    write_html(result, "report.html")           # after a run (storyclust.pipeline.Result)
    write_folder_html("out/", "report.html")    # for an existing output folder (texts re-read from its inputs)

The file needs no network: its CSS, script and charts are inline and the data is embedded once as JSON
(:mod:`.page`); the script draws each view when it is opened (:mod:`.report.js`). :mod:`.model` turns the
output tables and the article texts into that JSON, with each group's lineage and each copy's diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..records import InputError
from .folder import Inputs, read_folder
from .model import SNIPPET_CHARS, ReportInput, build_payload, from_result
from .page import embed_json, render_page

__all__ = [
    "Inputs",
    "ReportInput",
    "build_payload",
    "check_target",
    "embed_json",
    "from_result",
    "read_folder",
    "render_html",
    "render_page",
    "write_folder_html",
    "write_html",
]


def render_html(inp: ReportInput, *, snippet_chars: int = SNIPPET_CHARS) -> str:
    """The report for ``inp`` as one HTML document."""
    return render_page(build_payload(inp, snippet_chars=snippet_chars))


def check_target(path: str | Path) -> None:
    """Raise :class:`~storyclust.records.InputError` unless ``path`` can be written as the report (its folder
    exists and it is not a folder); called before a run starts, so a bad path costs nothing."""
    target = Path(path)
    if target.is_dir():
        raise InputError(str(target), "is a folder; give a file name for the HTML report (e.g. report.html)")
    folder = target.parent
    if not folder.is_dir():
        raise InputError(str(target), f"cannot write the HTML report: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(str(target), f"cannot write the HTML report: the folder {folder} is not writable")


def _write(path: str | Path, html: str) -> Path:
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(html, encoding="utf-8", newline="\n")
        tmp.replace(target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise InputError(str(target), f"cannot write the HTML report ({err.strerror or err})") from None
    return target


def write_html(result: Any, path: str | Path, *, snippet_chars: int = SNIPPET_CHARS) -> Path:
    """Write the report of a finished run (a :class:`~storyclust.pipeline.Result`) to ``path``."""
    return _write(path, render_html(from_result(result), snippet_chars=snippet_chars))


def write_folder_html(
    directory: str | Path, path: str | Path, inputs: Inputs | None = None, *, snippet_chars: int = SNIPPET_CHARS
) -> Path:
    """Write the report of an existing output folder to ``path``, its texts read again from ``inputs`` (by
    default those its ``summary.json`` records; see :func:`read_folder`)."""
    return _write(path, render_html(read_folder(directory, inputs), snippet_chars=snippet_chars))
