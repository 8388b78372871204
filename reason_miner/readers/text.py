"""Text dumps (.txt, .md, .tsv): tab- or pipe-separated cells, one row per line.

Encodings: UTF-8 (with or without BOM) and GB18030/GBK are tried first; anything else is left to
charset-normalizer. A form-feed character starts a new page, as pdftotext writes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import accumulate, count, repeat
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


def _clean_lines(text: str, lines: list[str]) -> list[bool]:
    """Per line of `text` (split into `lines` at "\n"), whether no character in it is one
    `normalize.clean` acts on (Row.clean): one scan of the file instead of one check per row."""
    clean = [True] * len(lines)
    find_dirty = needs_clean_in_text
    line, end = 0, 0  # the line of `end`, where the scan goes on (the end of the last dirty line)
    while (dirty := find_dirty(text, end)) is not None:
        # the line of a dirty character: counting line ends from the last one is a C scan of the text
        # that the search covers anyway (a table of every line's end cost more than the whole check)
        line += text.count("\n", end, dirty.start())
        clean[line] = False
        end = text.find("\n", dirty.start())
        if end < 0:
            break
    return clean


def read_text(path: Path) -> list[Grid]:
    data = path.read_bytes()
    if data.isspace() or not data:  # as `not data.strip()`, without copying the file
        raise ReadFailure("文件为空")
    text = decode(data)
    if "\x00" in text:
        raise ReadFailure("不是文本文件（含有二进制内容）")
    check_cid(text)
    # split on line ends only: str.splitlines() also breaks at form feeds (so pages were never
    # counted) and at \x0b, \x1c-\x1e, \x85, \u2028, which would shift every later line number
    # away from what an editor shows
    if "\r" in text:  # one scan: most files have none, and each replace scans the whole text
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    clean = _clean_lines(text, lines)
    if "\f" in text:  # a form feed starts a new page, from its own line on
        pages: Iterable[int] = [1 + n for n in accumulate(line.count("\f") for line in lines)]
        lines = [line.replace("\f", "") for line in lines]
    else:
        pages = repeat(1)
    # every line with some text (a line without a tab is split twice: there are few)
    rows = [
        Row(line.split("\t") if "\t" in line else split_line(line), lineno, page, is_clean)
        for lineno, line, page, is_clean in zip(count(1), lines, pages, clean)
        if line and not line.isspace() and ("\t" in line or any(c.strip() for c in split_line(line)))
    ]
    if not rows:
        raise ReadFailure("文件中没有任何内容")
    return [Grid(file=str(path), rows=rows)]
