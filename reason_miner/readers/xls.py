"""Excel 97-2003 workbooks (.xls) through xlrd: one grid per visible, non-empty sheet.

Merged ranges need `formatting_info=True`; files xlrd cannot read that way are read again
without it (merged cells then stay empty below/right of their first cell, as in text dumps).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..grid import Grid, ReadFailure
from .layout import cell_text, expand_ranges, matrix_grid


def read_xls(path: Path) -> list[Grid]:
    import xlrd

    try:
        try:
            book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=False)
        except NotImplementedError:
            book = xlrd.open_workbook(str(path))
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise ReadFailure("工作簿已加密（设置了打开密码），请先取消密码保护") from exc
        raise ReadFailure("不是有效的 Excel 97-2003 工作簿（文件已损坏或格式不符）") from exc
    sheets = [book.sheet_by_index(i) for i in range(book.nsheets)]
    visible = [s for s in sheets if s.visibility == 0]
    grids = [g for g in (_sheet_grid(str(path), book, s) for s in visible) if g.rows]
    if not grids:
        grids = [g for g in (_sheet_grid(str(path), book, s) for s in sheets if s.visibility != 0) if g.rows]
    if not grids:
        raise ReadFailure("工作簿中没有任何内容（所有工作表均为空）")
    return grids


def _sheet_grid(file: str, book: Any, sheet: Any) -> Grid:
    import xlrd

    def text(r: int, c: int) -> str:
        cell = sheet.cell(r, c)
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return ""
        if cell.ctype == xlrd.XL_CELL_DATE:
            return cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return cell_text(bool(cell.value))
        if cell.ctype == xlrd.XL_CELL_NUMBER:
            fmt = None
            if book.formatting_info:
                number_format = book.format_map.get(book.xf_list[cell.xf_index].format_key)
                fmt = number_format.format_str if number_format else None
            return cell_text(cell.value, fmt)
        return str(cell.value)

    matrix = [[text(r, c) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
    # xlrd gives (first_row, last_row + 1, first_col, last_col + 1)
    expand_ranges(matrix, [(r0, r1 - 1, c0, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells])
    return matrix_grid(file, matrix, sheet=sheet.name)
