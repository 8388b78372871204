"""Text dumps (.txt, .md, .tsv): tab- or pipe-separated cells, one row per line.

Encodings: UTF-8 (with or without BOM) and GB18030/GBK are tried first; anything else is left to
charset-normalizer. A form-feed character starts a new page, as pdftotext writes it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..grid import Grid, ReadFailure, Row
from ..normalize import needs_clean_in_text

_CID = re.compile(r"\(cid:\d+\)")


def decode(data: bytes) -> str:
    """Decode bytes of unknown encoding; raise ReadFailure when none fits."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadFailure("无法识别文件编码（不是 UTF-8、GB18030/GBK 或其他可识别的文本编码）")
    return str(best)


def check_cid(text: str, *, page: int | None = None) -> None:
    """PDF text with "(cid:NNN)" glyphs has no Unicode map: report it, never parse it."""
    m = _CID.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise ReadFailure(
            f"文本含有无法解码的字形 {m.group(0)}（PDF 字体缺少 Unicode 映射），请用原始电子表格或重新导出",
            page=page,
            line=line,
        )


def split_line(line: str) -> list[str]:
    if "\t" in line:
        return line.split("\t")
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|"):
        cells = [c.strip() for c in stripped[1:-1].split("|")]
        if all(set(c) <= set("-: ") for c in cells):
            return []  # markdown separator row
        return cells
    return [line]


def read_text(path: Path) -> list[Grid]:
    data = path.read_bytes()
    if data.isspace() or not data:  # as `not data.strip()`, without copying the file
        raise ReadFailure("文件为空")
    text = decode(data)
    if "\x00" in text:
        raise ReadFailure("不是文本文件（含有二进制内容）")
    check_cid(text)
    grid = Grid(file=str(path))
    page = 1
    # split on line ends only: str.splitlines() also breaks at form feeds (so pages were never
    # counted) and at \x0b, \x1c-\x1e, \x85, \u2028, which would shift every later line number
    # away from what an editor shows
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # a line is known clean (Row.clean) when it lies wholly before the next character `clean` acts
    # on: one scan of the file instead of one check per row
    find_dirty = needs_clean_in_text
    dirty = find_dirty(text)
    next_dirty = dirty.start() if dirty else len(text)
    start = 0  # offset of the line in `text`
    rows = grid.rows
    for lineno, line in enumerate(text.split("\n"), start=1):
        end = start + len(line)
        is_clean = next_dirty >= end
        if not is_clean:  # a form feed counts as dirty too: the line is checked again, harmlessly
            dirty = find_dirty(text, end)
            next_dirty = dirty.start() if dirty else len(text)
        start = end + 1
        if "\f" in line:
            page += line.count("\f")
            line = line.replace("\f", "")
        if line.isspace() or not line:
            continue
        if "\t" in line:  # the common case, checked first: a tab-separated line with some text
            cells = line.split("\t")
        else:
            cells = split_line(line)
            if not any(c.strip() for c in cells):
                continue
        rows.append(Row(cells, lineno, page, is_clean))
    if not grid.rows:
        raise ReadFailure("文件中没有任何内容")
    return [grid]
