"""Flat tables in CSV: one grid, rows numbered by their first physical line in the file.

The encoding is detected like text dumps (UTF-8 with/without BOM, GB18030/GBK, then
charset-normalizer); the delimiter (, ; tab |) is sniffed from the first lines.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..grid import Grid, ReadFailure, Row
from .layout import trim
from .text import decode


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def read_csv(path: Path) -> list[Grid]:
    data = path.read_bytes()
    if not data.strip():
        raise ReadFailure("文件为空")
    text = decode(data)
    if "\x00" in text:
        raise ReadFailure("不是文本格式的 CSV 文件（含有二进制内容）")
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text[:8192]))
    grid = Grid(file=str(path))
    start = 1
    try:
        for record in reader:
            cells = trim(record)
            if cells:
                grid.rows.append(Row(cells=cells, line=start))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReadFailure("CSV 格式错误（引号不成对或字段过长），无法继续读取", line=start) from exc
    if not grid.rows:
        raise ReadFailure("文件中没有任何内容")
    return [grid]
