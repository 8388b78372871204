"""Excel 2007+ workbooks (.xlsx/.xlsm) through openpyxl: one grid per visible, non-empty sheet.

The workbook is opened read-only (normal mode spends most of its time styling merged ranges);
read-only mode does not report merged ranges, so they are read from each sheet's XML
(`<mergeCell ref="A1:H1"/>`) and expanded here. Declared sheet dimensions are ignored (some
exporters write wrong ones). Formulas give their cached values (`data_only=True`): a formula
never calculated by a spreadsheet program has none and reads as empty.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from ..grid import Grid, ReadFailure
from .layout import cell_text, expand_ranges, matrix_grid


def read_xlsx(path: Path) -> list[Grid]:
    # a file object, not the name: openpyxl refuses names ending in .xls (exports often are)
    with path.open("rb") as fh:
        return _read_workbook(fh, str(path))


def _read_workbook(fh: BinaryIO, file: str) -> list[Grid]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise ReadFailure("不是有效的 Excel 工作簿（文件已损坏或格式不符）") from exc
    try:
        sheets = [ws for ws in wb.worksheets if hasattr(ws, "_get_source")]  # chartsheets hold no cells
        visible = [ws for ws in sheets if ws.sheet_state == "visible"]
        grids = [g for g in (_sheet_grid(file, ws) for ws in visible) if g.rows]
        if not grids:  # a workbook whose only content is hidden is still read
            grids = [g for g in (_sheet_grid(file, ws) for ws in sheets if ws not in visible) if g.rows]
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, ValueError) as exc:
        raise ReadFailure("工作簿内容已损坏，无法读取") from exc
    finally:
        wb.close()
    if not grids:
        raise ReadFailure("工作簿中没有任何内容（所有工作表均为空）")
    return grids


def _merged_ranges(ws: Any) -> list[tuple[int, int, int, int]]:
    from lxml import etree
    from openpyxl.utils.cell import range_boundaries

    out: list[tuple[int, int, int, int]] = []
    with ws._get_source() as src:
        for _, el in etree.iterparse(src, tag="{*}mergeCell"):
            c0, r0, c1, r1 = range_boundaries(el.get("ref", ""))
            if None not in (c0, r0, c1, r1):
                out.append((r0 - 1, r1 - 1, c0 - 1, c1 - 1))  # type: ignore[operator]
            el.clear()
    return out


def _sheet_grid(file: str, ws: Any) -> Grid:
    ws.reset_dimensions()
    matrix = [[cell_text(c.value, getattr(c, "number_format", None)) for c in row] for row in ws.iter_rows()]
    expand_ranges(matrix, _merged_ranges(ws))
    return matrix_grid(file, matrix, sheet=ws.title)
