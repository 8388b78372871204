"""Flat tables in CSV: one grid, rows numbered by their first physical line in the file.

The encoding is detected like text dumps (UTF-8 with/without BOM, GB18030/GBK, then
charset-normalizer); the delimiter (, ; tab |) is sniffed from the first lines.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..grid import Grid, ReadFailure, Row
from ..normalize import needs_clean_in_text
from .layout import trim
from .text import decode


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def read_csv(path: Path) -> list[Grid]:
    data = path.read_bytes()
    if data.isspace() or not data:  # as `not data.strip()`, without copying the file
        raise ReadFailure("文件为空")
    text = decode(data)
    if "\x00" in text:
        raise ReadFailure("不是文本格式的 CSV 文件（含有二进制内容）")
    dialect = _dialect(text[:8192])
    grid = Grid(file=str(path))
    # one scan of the file: with nothing `clean` acts on but line ends (and tabs that can only be
    # delimiters), every record on a single line is clean (Row.clean); a record over several lines
    # holds a line end in a quoted cell
    quote, escape = dialect.quotechar, dialect.escapechar
    unquoted = (quote is None or quote not in text) and (escape is None or escape not in text)
    tabs_split = dialect.delimiter == "\t" and unquoted
    file_clean = needs_clean_in_text(text) is None and (tabs_split or "\t" not in text)
    rows = grid.rows
    if not (file_clean and unquoted and not dialect.skipinitialspace and _read_lines(text, dialect.delimiter, rows)):
        _read_records(csv.reader(io.StringIO(text, newline=""), dialect), rows, file_clean)
    if not grid.rows:
        raise ReadFailure("文件中没有任何内容")
    return [grid]


def _read_lines(text: str, delimiter: str, rows: list[Row]) -> bool:
    """Rows of a clean file without quote or escape characters; False (nothing read) when a line
    is longer than csv allows a field."""
    # what csv would read, far cheaper: every record is one line split at the delimiter; a clean
    # file's only line ends are \n, \r and \r\n, which str.splitlines and csv agree on (the other
    # ends splitlines knows are characters `clean` acts on). A field over csv's limit is left to
    # csv, which reports it.
    lines = text.splitlines()
    if max(map(len, lines), default=0) > csv.field_size_limit():
        return False
    for lineno, line in enumerate(lines, start=1):
        record = line.split(delimiter)
        cells = record if record[-1] else trim(record)
        if cells:
            rows.append(Row(cells, lineno, None, True))
    return True


def _read_records(reader: Any, rows: list[Row], file_clean: bool) -> None:
    """Rows of the records csv reads, numbered by their first physical line."""
    start = 1
    try:
        for record in reader:
            cells = record if record and record[-1].strip() else trim(record)
            end = reader.line_num
            if cells:
                rows.append(Row(cells, start, None, file_clean and end == start))
            start = end + 1
    except csv.Error as exc:
        raise ReadFailure("CSV 格式错误（引号不成对或字段过长），无法继续读取", line=start) from exc
