"""One self-contained HTML file: the page's CSS and JS inline, the data embedded once as JSON.

The data sits in a ``<script type="application/json">`` element, which the browser never runs. Inside it
every ``<``, ``>`` and ``&``, the line separators U+2028/U+2029 and any lone surrogate are written as
``\\uXXXX`` escapes, so no text from the data can close the element (``</script>``), open a comment
(``<!--``) or fail to encode; the page's script reads it with ``JSON.parse`` and puts text into the page with
``textContent`` only. A Content-Security-Policy allows no network access and no script but the page's own
(by its hash).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from importlib import resources
from typing import Any

__all__ = ["embed_json", "render_page"]

_UNSAFE = re.compile("[<>&\u2028\u2029\ud800-\udfff]")


def embed_json(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element and encodable as UTF-8."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def render_page(payload: dict[str, Any]) -> str:
    """The whole HTML document for ``payload`` (see :func:`~storyclust.html_report.model.build_payload`)."""
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = (
        "default-src 'none'; "
        f"script-src 'sha256-{digest}'; "
        "style-src 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>storyclust report</title>\n"
        f"<style>\n{_asset('report.css')}</style>\n"
        "</head>\n<body>\n"
        '<header><h1><a href="#">storyclust report</a></h1><nav id="nav"></nav><div id="counts"></div></header>\n'
        '<main id="app" data-view="loading"><p>Loading the report\u2026</p></main>\n'
        "<noscript><p>This report is drawn by its built-in script; allow JavaScript for this file.</p></noscript>\n"
        f'<script type="application/json" id="storyclust-data">{embed_json(payload)}</script>\n'
        f"<script>{script}</script>\n"
        "</body>\n</html>\n"
    )
