"""PDF files through pdfplumber: ruled tables and the text lines around them, page by page, in
reading order, in one grid. A table that continues on the next page simply continues in the
grid; every row keeps its page, and `line` is the row's place on its page (1-based).

Cells covered by a merged cell (pdfplumber gives None) receive the merged cell's text. Lines
wrapped inside a cell are joined without a space unless both sides are Latin letters, because
PDF line breaks inside Chinese text and numbers are layout, not content.

Not readable, with a clear message: encrypted files, files with no text layer (scans), and text
whose font has no Unicode map ("(cid:NNN)"). A scanned page among text pages is reported as
skipped (Grid.skipped) while the text pages are read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..grid import Grid, ReadFailure, Row
from .layout import trim
from .text import check_cid

_WRAP = re.compile(r"\s*\n\s*")
_NO_TEXT = "PDF 没有文本层（扫描件或图片），无法读取文字；请先做文字识别（OCR）或提供电子表格"
_CELL_GAP = 2.0  # a gap wider than this many character widths separates two cells of an unruled line


def _join_wrapped(text: str | None) -> str:
    if not text:
        return ""

    def glue(m: re.Match[str]) -> str:
        s = m.string
        before = s[m.start() - 1] if m.start() else ""
        after = s[m.end()] if m.end() < len(s) else ""
        return " " if before.isascii() and before.isalpha() and after.isascii() and after.isalpha() else ""

    return _WRAP.sub(glue, text.strip())


def _table_rows(table: Any) -> list[tuple[float, list[str]]]:
    """(top, cells) per table row, merged cells expanded by geometry."""
    texts = table.extract()
    rows = table.rows
    by_bbox: dict[tuple[float, ...], str] = {}
    for r, row in enumerate(rows):
        for c, bbox in enumerate(row.cells):
            if bbox is not None:
                by_bbox[tuple(bbox)] = _join_wrapped(texts[r][c])
    xs = sorted({cell[0] for cell in table.cells})
    out: list[tuple[float, list[str]]] = []
    for row in rows:
        top = row.bbox[1]
        cells: list[str] = []
        for c, bbox in enumerate(row.cells):
            if bbox is not None:
                cells.append(by_bbox[tuple(bbox)])
                continue
            x, y = xs[c] + 0.5, top + 0.5  # a point inside the covered slot: find who covers it
            cover = next((b for b in by_bbox if b[0] <= x < b[2] and b[1] <= y < b[3]), None)
            cells.append(by_bbox[cover] if cover else "")
        out.append((top, cells))
    return out


def _line_cells(chars: list[dict[str, Any]]) -> list[str]:
    """Split one text line outside any ruled table into cells at wide gaps."""
    cells: list[str] = []
    cur = ""
    prev: dict[str, Any] | None = None
    for ch in sorted(chars, key=lambda c: c["x0"]):
        if prev is not None:
            width = max(prev["x1"] - prev["x0"], 1.0)
            if ch["x0"] - prev["x1"] > _CELL_GAP * width:
                cells.append(cur.strip())
                cur = ""
            elif ch["x0"] - prev["x1"] > 0.25 * width and cur and not cur.endswith(" "):
                cur += " "
        cur += ch["text"]
        prev = ch
    cells.append(cur.strip())
    return [c for c in cells if c]


def _page_rows(page: Any) -> list[list[str]]:
    tables = page.find_tables()
    items: list[tuple[float, float, list[str]]] = []
    for t in tables:
        items.extend((top, 0.0, cells) for top, cells in _table_rows(t))
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    rest = page.filter(lambda o: o.get("object_type") != "char" or outside(o))
    for line in rest.extract_text_lines(return_chars=True):
        cells = _line_cells(line["chars"])
        if cells:
            items.append((line["top"], line["x0"], cells))
    items.sort(key=lambda it: (it[0], it[1]))
    return [cells for _, _, cells in items]


def _open(path: Path) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return pdfplumber.open(path)
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise ReadFailure("PDF 已加密（需要打开密码），无法读取；请提供未加密的文件") from exc
        raise ReadFailure("不是有效的 PDF 文件（文件已损坏或不完整）") from exc


def read_pdf(path: Path) -> list[Grid]:
    if path.stat().st_size == 0:
        raise ReadFailure("文件为空")
    grid = Grid(file=str(path))
    image_pages: list[int] = []
    with _open(path) as pdf:
        for pageno, page in enumerate(pdf.pages, start=1):
            if not page.chars:
                if page.images:
                    image_pages.append(pageno)
                page.close()
                continue
            rows = [trim(cells) for cells in _page_rows(page)]
            rows = [cells for cells in rows if cells]
            check_cid("\n".join(" ".join(cells) for cells in rows), page=pageno)
            grid.rows.extend(Row(cells=cells, line=i, page=pageno) for i, cells in enumerate(rows, start=1))
            page.close()  # drop the page's parsed objects: long PDFs would otherwise stay in memory
    if not grid.rows:
        if image_pages:
            raise ReadFailure(_NO_TEXT)
        raise ReadFailure("PDF 中没有任何文字内容")
    # a scanned page among text pages (often the signed and stamped page) is reported, not dropped
    grid.skipped.extend(ReadFailure(_NO_TEXT, page=n) for n in image_pages)
    return [grid]
