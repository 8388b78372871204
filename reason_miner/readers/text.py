"""Text dumps (.txt, .md, .tsv): tab- or pipe-separated cells, one row per line.

Encodings: UTF-8 (with or without BOM) and GB18030/GBK are tried first; anything else is left to
charset-normalizer. A form-feed character starts a new page, as pdftotext writes it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..grid import Grid, ReadFailure, Row

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
    if not data.strip():
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
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for lineno, line in enumerate(lines, start=1):
        if "\f" in line:
            page += line.count("\f")
            line = line.replace("\f", "")
        if not line.strip():
            continue
        if "\t" in line:  # the common case, checked first: a tab-separated line with some text
            cells = line.rstrip("\r\n").split("\t")
        else:
            cells = split_line(line.rstrip("\r\n"))
            if not any(c.strip() for c in cells):
                continue
        grid.rows.append(Row(cells, lineno, page))
    if not grid.rows:
        raise ReadFailure("文件中没有任何内容")
    return [grid]
