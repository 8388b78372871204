"""report.xlsx's faster xlsxwriter subclasses write the same bytes as plain xlsxwriter."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from reason_miner.report.safe import FIXED_TIME, excel_text
from reason_miner.report.xlsx import _cell_text, _Writer
from reason_miner.report.xlsx_fast import CHUNK, FastSheet, FastWorkbook

ROWS: list[list[Any]] = [
    ["项目甲", "单位A", 2024, 12.5, None, "", True, "=SUM(A1)", "  前后空格 ", "a & b <c> \"d\"", -0.0],
    ["项目乙", "单位A", 2024, 3, 0.1 + 0.2, "第一行\n第二行\n", False, "普通文本", "\t制表", "<只有尖括号>", 1e20],
    ["项目甲", "单位B", None, 100.0, 7, "－全角减号", "尾空格 ", "\u3000全角空格", "x" * 20_000, "长" * 40_000, 5],
]


def _workbook(path: Path, fast: bool) -> None:
    """The same calls on either workbook; the data rows through put_rows or cell by cell."""
    cls = FastWorkbook if fast else xlsxwriter.Workbook
    wb = cls(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"title": "t", "created": FIXED_TIME})
    head = wb.add_format({"bold": True, "border": 1})
    fmts = [wb.add_format({"border": 1, "num_format": "0.00" if k % 3 == 2 else "General", "text_wrap": k % 2 == 0})
            for k in range(len(ROWS[0]))]

    def rows(ws: Any, first: int, data: list[list[Any]], widths: int) -> None:
        if not (fast and isinstance(ws, FastSheet) and ws.put_rows(first, data, fmts[:widths], excel_text, _cell_text)):
            _Writer._cells_one_by_one(ws, first - 1, data, fmts[:widths])

    ws = wb.add_worksheet("表一")
    for c in range(len(ROWS[0])):
        ws.write_string(0, c, f"列{c}", head)
    ws.write_comment(0, 3, "批注")
    rows(ws, 1, ROWS, len(ROWS[0]))
    ws.write_string(5, 0, "小表", head)
    rows(ws, 6, [r[:4] for r in ROWS * 3], 4)
    ws.write_comment(20, 5, "只有批注的行")
    ws.write_rich_string(21, 0, "普通", head, "加粗")  # a rich string: xlsxwriter writes it
    ws.write_formula(21, 1, "=1+1", None, 2)
    ws.write_string(22, 2, "无格式")
    ws.autofilter(0, 0, 3, len(ROWS[0]) - 1)
    ws.freeze_panes(1, 0)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": ["表一", 7, 0, 15, 0], "values": ["表一", 7, 3, 15, 3]})
    ws.insert_chart(1, 12, chart)
    many = wb.add_worksheet("表二")  # more shared strings than one chunk, one of the chunks with a control character
    rows(many, 0, [[f"文本{k}" + {CHUNK + 3: "\x07", 2 * CHUNK + 5: "_x0041_"}.get(k, ""), k, f"文本{k // 2}"] for k in range(3 * CHUNK)], 3)
    tall = wb.add_worksheet("表三")  # row settings: xlsxwriter's own loop
    tall.set_row(2, 30)
    rows(tall, 1, ROWS, len(ROWS[0]))
    wb.close()


def test_fast_workbook_writes_the_same_bytes(tmp_path: Path) -> None:
    plain, fast = tmp_path / "plain.xlsx", tmp_path / "fast.xlsx"
    _workbook(plain, fast=False)
    _workbook(fast, fast=True)
    assert fast.read_bytes() == plain.read_bytes()


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_nan_and_infinity_fail_as_in_xlsxwriter(tmp_path: Path, bad: float) -> None:
    def store(fast: bool) -> Callable[[], None]:
        def go() -> None:
            wb = (FastWorkbook if fast else xlsxwriter.Workbook)(str(tmp_path / f"{fast}.xlsx"))
            ws, fmt = wb.add_worksheet(), wb.add_format()
            if not (fast and isinstance(ws, FastSheet) and ws.put_rows(1, [["a", bad]], [fmt, fmt], excel_text, str)):
                _Writer._cells_one_by_one(ws, 0, [["a", bad]], [fmt, fmt])
        return go

    for fast in (False, True):
        with pytest.raises(TypeError, match="NAN/INF"):
            store(fast)()


def test_rows_past_the_sheet_end_go_one_by_one(tmp_path: Path) -> None:
    wb = FastWorkbook(str(tmp_path / "end.xlsx"))
    ws, fmt = wb.add_worksheet(), wb.add_format()
    assert isinstance(ws, FastSheet)
    assert not ws.put_rows(ws.xls_rowmax - 1, [["a"], ["b"]], [fmt], excel_text, str)
    assert ws.put_rows(ws.xls_rowmax - 2, [["a"], ["b"]], [fmt], excel_text, str)
    wb.close()


def test_only_a_tested_xlsxwriter_gets_the_fast_subclasses() -> None:
    from reason_miner.report.xlsx_fast import TESTED_VERSIONS, workbook_class

    assert workbook_class(xlsxwriter.__version__) is (
        FastWorkbook if ".".join(xlsxwriter.__version__.split(".")[:2]) in TESTED_VERSIONS else xlsxwriter.Workbook
    )
    assert workbook_class("3.3.7") is FastWorkbook
    assert workbook_class("3.4.0") is xlsxwriter.Workbook
    assert workbook_class("4.0") is xlsxwriter.Workbook
