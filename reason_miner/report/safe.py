"""Untrusted form text in reports: HTML/Markdown escaping, Excel formula neutralisation, and the
fixed timestamp that keeps zip-based outputs byte-identical from run to run."""

from __future__ import annotations

import html
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # document properties: no real timestamps in outputs
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def excel_text(text: str) -> str:
    """A cell value that can never start a formula: a leading = + - @ tab or CR gets a ' in front
    (OWASP CSV/formula injection advice; stays inert even when the sheet is saved as CSV)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def html_text(text: object) -> str:
    """Escape anything for HTML element content and attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


def md_text(text: object) -> str:
    """Escape for Markdown (tables included): HTML entities for < > &, backslash for markup, and
    line breaks as <br> so that a cell stays on its row."""
    s = html.escape("" if text is None else str(text), quote=False)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return s.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def normalise_zip(path: Path) -> None:
    """Rewrite a zip (docx) with fixed entry timestamps and attributes, in the original order."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)
