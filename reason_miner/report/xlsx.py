"""report.xlsx: sheets 概览, 系统性问题, 原因聚类, 指标明细, 改进计划, 下年度目标建议, 校验问题.

Native Excel charts (Pareto of points by cause, points lost by project, involved vs attributed
points of the systemic causes), frozen headers, filters, widths that fit Chinese text. Form text is
written with write_string only, neutralised by `safe.excel_text`, and the workbook is created with
strings_to_formulas off. xlsxwriter writes fixed zip timestamps; the created date is fixed here.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .safe import FIXED_TIME, excel_text
from .tables import TARGET_EDIT_HEADER, Cell, Table, build_tables

if TYPE_CHECKING:
    from ..analyze import AnalysisResult

MAX_WIDTH = {"text": 30, "long": 50, "num": 12, "int": 8}
SHEETS = ["概览", "系统性问题", "原因聚类", "指标明细", "改进计划", "下年度目标建议", "校验问题"]


def display_width(text: str) -> int:
    """Columns a line takes: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


class _Writer:
    def __init__(self, path: Path) -> None:
        self.wb = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        self.wb.set_properties(
            {"title": "绩效自评偏差原因分析报告", "author": "reason-miner", "company": "", "created": FIXED_TIME}
        )
        base = {"font_name": "宋体", "font_size": 10, "valign": "top", "border": 1}
        self.fmt: dict[str, Format] = {
            "head": self.wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True}),
            "text": self.wb.add_format(base),
            "long": self.wb.add_format({**base, "text_wrap": True}),
            "num": self.wb.add_format({**base, "num_format": "0.00"}),
            "int": self.wb.add_format({**base, "num_format": "0"}),
            "edit": self.wb.add_format({**base, "bg_color": "#FFF2CC", "text_wrap": True}),
            "title": self.wb.add_format({"bold": True, "font_size": 12, "font_name": "宋体"}),
        }
        self.widths: dict[str, dict[int, int]] = {}

    def cell(self, ws: Worksheet, row: int, col: int, value: Cell, fmt: Format) -> None:
        if value is None or value == "":
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            ws.write_string(row, col, "是" if value else "否", fmt)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, excel_text(str(value)), fmt)

    def _fit(self, ws: Worksheet, col: int, kind: str, value: Cell) -> None:
        text = "" if value is None else str(value)
        width = max((display_width(line) for line in text.split("\n")), default=0) + 2
        cur = self.widths.setdefault(ws.name, {})
        cur[col] = max(cur.get(col, 6), min(width, MAX_WIDTH.get(kind, 30)))

    def table(self, ws: Worksheet, table: Table, first_row: int = 0, *, filters: bool = True) -> int:
        """Write a table with its header at `first_row`; returns the row after it."""
        for c, col in enumerate(table.columns):
            self.cell(ws, first_row, c, col.header, self.fmt["head"])
            self._fit(ws, c, "text", col.header)
        for r, row in enumerate(table.rows, first_row + 1):
            for c, (col, value) in enumerate(zip(table.columns, row, strict=True)):
                fmt = self.fmt["edit"] if col.header == TARGET_EDIT_HEADER else self.fmt[col.kind]
                self.cell(ws, r, c, value, fmt)
                self._fit(ws, c, col.kind, value)
        if filters and table.rows:
            ws.autofilter(first_row, 0, first_row + len(table.rows), len(table.columns) - 1)
        return first_row + len(table.rows) + 1

    def sheet(self, name: str, table: Table) -> Worksheet:
        ws = self.wb.add_worksheet(name)
        self.table(ws, table)
        ws.freeze_panes(1, 0)
        return ws

    def finish_widths(self) -> None:
        for ws in self.wb.worksheets():
            for col, width in sorted(self.widths.get(ws.name, {}).items()):
                ws.set_column(col, col, width)

    def chart(self, kind: dict[str, Any]) -> Any:
        return self.wb.add_chart(kind)


def _overview(w: _Writer, t: dict[str, Table]) -> None:
    ws = w.wb.add_worksheet("概览")
    row = w.table(ws, t["overview"], 0, filters=False)
    ws.freeze_panes(1, 0)
    forms_row = row + 1
    ws.write_string(forms_row, 0, "各自评表", w.fmt["title"])
    row = w.table(ws, t["forms"], forms_row + 1, filters=False)
    pareto_row = row + 1
    ws.write_string(pareto_row, 0, "按原因归因扣分（帕累托）", w.fmt["title"])
    w.table(ws, t["pareto"], pareto_row + 1, filters=False)

    n_causes = len(t["pareto"].rows)
    if n_causes:
        first, last = pareto_row + 2, pareto_row + 1 + n_causes
        col = w.chart({"type": "column"})
        col.add_series({
            "name": "归因扣分", "categories": ["概览", first, 0, last, 0], "values": ["概览", first, 1, last, 1],
            "fill": {"color": "#4472C4"}, "data_labels": {"value": True},
        })
        line = w.chart({"type": "line"})
        line.add_series({
            "name": "累计占比(%)", "categories": ["概览", first, 0, last, 0], "values": ["概览", first, 4, last, 4],
            "y2_axis": True, "marker": {"type": "circle"}, "line": {"color": "#ED7D31"},
        })
        col.combine(line)
        col.set_title({"name": "按原因的扣分（帕累托图）"})
        col.set_y_axis({"name": "归因扣分（分）"})
        line.set_y2_axis({"name": "累计占比(%)", "min": 0, "max": 100})
        col.set_legend({"position": "bottom"})
        col.set_size({"width": 640, "height": 360})
        ws.insert_chart(0, len(t["forms"].columns) + 1, col)

    n_forms = len(t["forms"].rows)
    if n_forms:
        first, last = forms_row + 2, forms_row + 1 + n_forms
        bar = w.chart({"type": "bar"})
        bar.add_series({
            "name": "扣分", "categories": ["概览", first, 0, last, 0], "values": ["概览", first, 9, last, 9],
            "fill": {"color": "#A5A5A5"}, "data_labels": {"value": True},
        })
        bar.set_title({"name": "各项目扣分"})
        bar.set_legend({"none": True})
        bar.set_size({"width": 640, "height": 300})
        ws.insert_chart(20, len(t["forms"].columns) + 1, bar)


def _systemic_chart(w: _Writer, ws: Worksheet, table: Table) -> None:
    n = len(table.rows)
    if not n:
        return
    chart = w.chart({"type": "bar"})
    for header, color in (("涉及扣分", "#A5A5A5"), ("归因扣分", "#4472C4")):
        c = next(i for i, col in enumerate(table.columns) if col.header == header)
        chart.add_series({"name": header, "categories": [ws.name, 1, 1, n, 1], "values": [ws.name, 1, c, n, c],
                          "fill": {"color": color}})
    chart.set_title({"name": "各原因的扣分"})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": max(240, 40 * n + 120)})
    ws.insert_chart(n + 3, 1, chart)


def write_xlsx(result: AnalysisResult, path: Path) -> None:
    t = build_tables(result)
    w = _Writer(path)
    _overview(w, t)
    ws = w.sheet("系统性问题", t["systemic"])
    _systemic_chart(w, ws, t["systemic"])
    w.sheet("原因聚类", t["causes"])
    w.sheet("指标明细", t["links"])
    w.sheet("改进计划", t["plans"])
    targets = w.sheet("下年度目标建议", t["targets"])
    col = next(i for i, c in enumerate(t["targets"].columns) if c.header == TARGET_EDIT_HEADER)
    targets.write_comment(0, col, "建议值，仅供参考：请按实际情况修改后作为下年度绩效目标表使用。")
    w.sheet("校验问题", t["checks"])
    w.finish_widths()
    w.wb.close()
