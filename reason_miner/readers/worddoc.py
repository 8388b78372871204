"""Word documents (.docx) through python-docx: paragraphs and tables in document order, one grid.

Horizontally merged cells (gridSpan) and vertically merged ones (vMerge) are expanded so every
covered cell carries the value. A .docx has no fixed pages, so rows carry no page; `line` counts
paragraphs and table rows from the start of the document (1-based).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ..grid import Grid, ReadFailure, Row
from .layout import trim


def _cell_text(tc: Any) -> str:
    """Text of a table cell, paragraphs joined by line breaks (python-docx's `_Cell.text` runs an
    XPath query per run and dominates reading time). Text in nested tables and content controls
    inside the cell is kept; deleted revisions (w:delText) and field codes are not text."""
    from docx.oxml.ns import qn

    t, tab, br, cr = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
    paragraphs = []
    for p in tc.iter(qn("w:p")):
        parts = []
        for el in p.iter(t, tab, br, cr):
            if el.tag == t:
                parts.append(el.text or "")
            else:
                parts.append("\t" if el.tag == tab else "\n")
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs).strip()


def _table_rows(table: Any) -> list[list[str]]:
    matrix: list[list[str]] = []
    for tr in table._tbl.tr_lst:
        row: list[str] = [""] * tr.grid_before
        for tc in tr.tc_lst:
            col = len(row)
            if tc.vMerge == "continue" and matrix:
                above = matrix[-1]
                text = above[col] if col < len(above) else ""
            else:
                text = _cell_text(tc)
            row.extend([text] * tc.grid_span)
        matrix.append(row)
    return matrix


def read_docx(path: Path) -> list[Grid]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    if path.stat().st_size == 0:
        raise ReadFailure("文件为空")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReadFailure("不是有效的 Word 文档（文件已损坏、已加密或为旧版 .doc 格式）") from exc
    grid = Grid(file=str(path))
    line = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for cells in _table_rows(block):
                line += 1
                cells = trim(cells)
                if cells:
                    grid.rows.append(Row(cells=cells, line=line))
        else:
            line += 1
            text = block.text.strip()
            if text:
                grid.rows.append(Row(cells=[text], line=line))
    if not grid.rows:
        raise ReadFailure("文档中没有任何文字内容")
    return [grid]
