"""Helpers shared by the table readers: merged-cell expansion, number display, grid assembly.

Every table reader ends with a matrix of cell texts; merged cells are expanded so that every
covered cell carries the merged value (the interpreter copes with the repetition).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time

from ..grid import Grid, Row

_DECIMALS = re.compile(r"0\.(0+)")


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(float(value), 10))


def format_number(value: float, number_format: str | None = None) -> str:
    """Display a spreadsheet number as the user sees it (percent formats scaled, fixed decimals kept:
    698 with "0.00" gives "698.00"), but never rounded: 0.955 with "0%" gives "95.5%", since the
    checks recompute rates and scores from these values."""
    fmt = (number_format or "General").split(";")[0]
    percent = "%" in fmt
    if percent:
        value = value * 100
    m = _DECIMALS.search(fmt)
    text = f"{value:.{len(m.group(1)) if m else 0}f}" if (m or percent) else _plain(value)
    if abs(float(text) - value) > 1e-9:
        text = _plain(value)
    return text + "%" if percent else text


def cell_text(value: object, number_format: str | None = None) -> str:
    """Any spreadsheet cell value as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return format_number(float(value), number_format)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def expand_ranges(matrix: list[list[str]], ranges: Iterable[tuple[int, int, int, int]]) -> None:
    """Copy each merged range's top-left text into every cell it covers.

    `ranges` are (first_row, last_row, first_col, last_col), 0-based and inclusive.
    """
    width = max((len(row) for row in matrix), default=0)
    for r0, r1, c0, c1 in ranges:
        c1 = min(c1, width - 1)  # a range reaching past the used area (whole rows merged) stops there
        if r0 >= len(matrix) or c0 > c1:
            continue
        row0 = matrix[r0]
        value = row0[c0] if c0 < len(row0) else ""
        if not value:
            continue
        for r in range(r0, min(r1, len(matrix) - 1) + 1):
            row = matrix[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value


class SpanTable:
    """Places cells with rowspan/colspan (HTML) into an expanded matrix."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self._taken: dict[tuple[int, int], str] = {}

    def add_row(self, cells: Sequence[tuple[str, int, int]]) -> None:
        """`cells` are (text, rowspan, colspan) in source order; slots taken by rowspans are skipped."""
        r = len(self.rows)
        row: list[str] = []
        col = 0

        def fill_taken() -> None:
            nonlocal col
            while (r, col) in self._taken:
                row.append(self._taken.pop((r, col)))
                col += 1

        for text, rowspan, colspan in cells:
            fill_taken()
            for dc in range(colspan):
                row.append(text)
                for dr in range(1, rowspan):
                    self._taken[(r + dr, col + dc)] = text
            col += colspan
        fill_taken()
        # rowspans reaching into columns past this row's last cell
        for key in sorted(k for k in self._taken if k[0] == r):
            c = key[1]
            if c >= len(row):
                row.extend([""] * (c - len(row)))
                row.append(self._taken.pop(key))
        self.rows.append(row)


def trim(cells: list[str]) -> list[str]:
    """Drop trailing empty cells."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def matrix_grid(
    file: str,
    matrix: Sequence[list[str]],
    *,
    sheet: str | None = None,
    lines: Sequence[int] | None = None,
    page: int | None = None,
) -> Grid:
    """A grid of the non-empty rows of `matrix`; row i is line `lines[i]` (default i + 1)."""
    grid = Grid(file=file, sheet=sheet)
    for i, cells in enumerate(matrix):
        cells = trim(cells)
        if cells:
            grid.rows.append(Row(cells=cells, line=lines[i] if lines is not None else i + 1, page=page))
    return grid
