"""Web pages (.html/.htm) through lxml: tables with rowspan/colspan expanded, and the text
around them (title, "(2024 年度)") as one-cell rows, all in document order in one grid.

Rows are numbered by their line in the HTML source. A table that holds other tables is page
layout: its cells are walked like the rest of the page. Many budget systems export such pages
with an .xls suffix; the dispatcher sends those here too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..grid import Grid, ReadFailure, Row
from .layout import SpanTable, trim
from .text import decode

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_BLOCKS = frozenset((
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
))
_SKIP = frozenset(("script", "style", "head", "title", "noscript", "template"))
_MAX_SPAN = 1000


def page_text(data: bytes) -> str:
    """Decode an HTML page: its declared charset first (GB2312/GBK read as GB18030), else detected."""
    m = _CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii").lower()
        enc = "gb18030" if enc in ("gb2312", "gbk", "gb18030") else enc
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), _MAX_SPAN))
    except ValueError:
        return 1


def _cell_text(el: Any) -> str:
    """Text of a cell; <br> and block elements inside it become line breaks."""
    parts: list[str] = []

    def walk(e: Any) -> None:
        tag = e.tag if isinstance(e.tag, str) else ""
        if tag in _SKIP:
            return
        if tag == "br" or (tag in _BLOCKS and parts):
            parts.append("\n")
        if e.text and tag:
            parts.append(e.text)
        for child in e:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts).strip()


class _PageWalker:
    def __init__(self, file: str) -> None:
        self.grid = Grid(file=file)
        self._buf: list[str] = []
        self._buf_line = 0

    def flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        if text:
            self.grid.rows.append(Row(cells=[text], line=self._buf_line))
        self._buf = []

    def add_text(self, text: str | None, line: int) -> None:
        if text and text.strip():
            if not "".join(self._buf).strip():
                self._buf_line = line
            self._buf.append(text)

    def walk(self, el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP:
            return
        line = el.sourceline or 0
        if tag == "table" and not el.xpath(".//table"):
            self.flush()
            self.table(el)
            return
        if tag in _BLOCKS or tag == "br":
            self.flush()
        self.add_text(el.text, line)
        for child in el:
            self.walk(child)
            self.add_text(child.tail, child.sourceline or line)
        if tag in _BLOCKS:
            self.flush()

    def table(self, table: Any) -> None:
        spans = SpanTable()
        lines: list[int] = []
        for tr in table.iter("tr"):
            spans.add_row([
                (_cell_text(td), _span(td.get("rowspan")), _span(td.get("colspan")))
                for td in tr
                if isinstance(td.tag, str) and td.tag in ("td", "th")
            ])
            lines.append(tr.sourceline or 0)
        for cells, line in zip(spans.rows, lines, strict=True):
            cells = trim(cells)
            if cells:
                self.grid.rows.append(Row(cells=cells, line=line))


def read_html(path: Path) -> list[Grid]:
    import lxml.html
    from lxml import etree

    data = path.read_bytes()
    if not data.strip():
        raise ReadFailure("文件为空")
    text = _XML_DECL.sub("", page_text(data))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ReadFailure("网页无法解析（文件已损坏或不是网页）") from exc
    walker = _PageWalker(str(path))
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    if not walker.grid.rows:
        raise ReadFailure("网页中没有任何文字内容")
    return [walker.grid]
