"""report.xlsx: sheets 概览, 系统性问题, 原因聚类, 指标明细, 改进计划, 下年度目标建议, 校验问题.

Native Excel charts (Pareto of points by cause, points lost by project, involved vs attributed
points of the systemic causes), frozen headers, filters, widths that fit Chinese text. Form text is
written with write_string only, neutralised by `safe.excel_text`, and the workbook is created with
strings_to_formulas off. xlsxwriter writes fixed zip timestamps; the created date is fixed here.

A table holds its first `Limits.xlsx_rows` rows (the target suggestions that change something
first) and a last line saying how many more are complete in findings.json. With a larger limit, a
table longer than Excel's 1,048,576 rows goes on continuation sheets (下年度目标建议(2), …), each
with the header again.

Each distinct text goes once into the workbook's shared strings table: texts repeat a lot (projects,
units, levels, labels; 67k distinct of 381k at 10k forms), and xlsxwriter then escapes each once
instead of at every cell (a fifth of the writing CPU at 10k forms). The cells stay in memory until
the workbook closes (~120 bytes each more than streaming, bounded by `Limits.xlsx_rows`); a workbook
of more than SHARED_CELLS cells (a larger limit, continuation sheets) is streamed row by row in
xlsxwriter's constant_memory mode instead, its strings inline, so that memory does not grow with
the rows.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .safe import FIXED_TIME, excel_text
from .tables import LIMITS, TARGET_EDIT_HEADER, Cell, Limits, Table, build_tables, more_note
from .xlsx_fast import FastSheet, workbook_class

if TYPE_CHECKING:
    from ..analyze import AnalysisResult

MAX_WIDTH = {"text": 30, "long": 50, "num": 12, "int": 8}
SHEETS = ["概览", "系统性问题", "原因聚类", "指标明细", "改进计划", "下年度目标建议", "校验问题"]
MAX_ROWS = 1_048_576  # rows of one Excel worksheet, the header included
CHART_BARS = 50  # forms in the 各项目扣分 chart
SHARED_CELLS = 1_000_000  # cells held for a shared strings table (~120 MB); past it, rows are streamed


def display_width(text: str) -> int:
    """Columns a line takes: CJK and full-width characters count double."""
    return len(text) if text.isascii() else len(text) + sum(map(_extra_width, text))


@cache
def _extra_width(ch: str) -> int:
    return 1 if unicodedata.east_asian_width(ch) in ("W", "F") else 0


def continuation_names(name: str, parts: int) -> list[str]:
    """名称, 名称(2), 名称(3)…: the sheets one table needs."""
    return [name] + [f"{name}({k})" for k in range(2, parts + 1)]


class _Writer:
    def __init__(self, path: Path, *, stream: bool = False) -> None:
        self.wb = workbook_class()(
            str(path),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
             "constant_memory": stream},
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
            "note": self.wb.add_format({"italic": True, "font_name": "宋体", "font_size": 10}),
        }
        self.widths: dict[str, dict[int, int]] = {}

    def table(self, ws: Worksheet, table: Table, first_row: int = 0, *, filters: bool = True,
              rows: list[list[Cell]] | None = None, notes: dict[str, str] | None = None) -> int:
        """Write a table (or the given slice of its rows) with its header at `first_row`; returns
        the row after it. Row by row, as constant_memory mode (when streaming) requires."""
        rows = table.rows if rows is None else rows
        widths = self.widths.setdefault(ws.name, {})
        caps = [MAX_WIDTH.get(c.kind, 30) for c in table.columns]
        fmts = [self.fmt["edit"] if c.header == TARGET_EDIT_HEADER else self.fmt[c.kind] for c in table.columns]
        head = self.fmt["head"]
        for c, col in enumerate(table.columns):
            ws.write_string(first_row, c, excel_text(col.header), head)
            _fit(widths, c, col.header, MAX_WIDTH["text"])
            if notes and col.header in notes:  # before the data rows: constant_memory drops later ones
                ws.write_comment(first_row, c, notes[col.header])
        _fit_columns(widths, rows, caps)
        self._cells(ws, first_row, rows, fmts)
        if filters and rows:
            ws.autofilter(first_row, 0, first_row + len(rows), len(table.columns) - 1)
        end = first_row + len(rows) + 1
        hidden = table.size - len(table.rows)  # rows the table was built without (on no sheet)
        if hidden > 0 and (not rows or rows[-1] is table.rows[-1]):  # after the table's last part
            ws.write_string(end, 0, more_note(hidden, "行", "findings.json"), self.fmt["note"])
            end += 1
        return end

    @staticmethod
    def _cells(ws: Worksheet, first_row: int, rows: list[list[Cell]], fmts: list[Format]) -> None:
        """The data rows, each cell by its type, in row order (the shared strings are numbered in
        the order they are first written): all at once where the sheet can take them so."""
        if not (isinstance(ws, FastSheet) and ws.put_rows(first_row + 1, rows, fmts, excel_text, _cell_text)):
            _Writer._cells_one_by_one(ws, first_row, rows, fmts)

    @staticmethod
    def _cells_one_by_one(ws: Worksheet, first_row: int, rows: list[list[Cell]], fmts: list[Format]) -> None:
        """The data rows through xlsxwriter's writers, as constant_memory mode requires. Its
        undecorated ones: the public ones first try to read the row as A1 notation."""
        string, number, blank = ws._write_string, ws._write_number, ws._write_blank
        for r, row in enumerate(rows, first_row + 1):
            for c, value in enumerate(row):
                if type(value) is str:  # the commonest first
                    if value:
                        string(r, c, excel_text(value), fmts[c])
                    else:
                        blank(r, c, None, fmts[c])
                elif value is None:
                    blank(r, c, None, fmts[c])
                elif isinstance(value, bool):
                    string(r, c, "是" if value else "否", fmts[c])
                elif isinstance(value, int | float):
                    number(r, c, value, fmts[c])
                else:
                    string(r, c, excel_text(str(value)), fmts[c])

    def sheets(self, name: str, table: Table, notes: dict[str, str] | None = None) -> list[Worksheet]:
        """The table on as many sheets as it needs (name, name(2), …), each with its header."""
        per_sheet = MAX_ROWS - 1
        parts = max(1, -(-len(table.rows) // per_sheet))
        out = []
        for k, sheet_name in enumerate(continuation_names(name, parts)):
            ws = self.wb.add_worksheet(sheet_name)
            self.table(ws, table, rows=table.rows[k * per_sheet:(k + 1) * per_sheet] if parts > 1 else None,
                       notes=notes)
            ws.freeze_panes(1, 0)
            out.append(ws)
        return out

    def finish_widths(self) -> None:
        for ws in self.wb.worksheets():
            for col, width in sorted(self.widths.get(ws.name, {}).items()):
                ws.set_column(col, col, width)

    def chart(self, kind: dict[str, Any]) -> Any:
        return self.wb.add_chart(kind)

    def close(self) -> None:
        """Write the file, then let the cells go: each xlsxwriter worksheet keeps its workbook's
        add_format, a reference cycle that would hold every cell and shared string (~90 MB at 10k
        forms) until the cyclic collector runs, which analyze() pauses while it writes the reports."""
        self.wb.close()
        for ws in self.wb.worksheets():
            ws.workbook_add_format = None


def _fit(widths: dict[int, int], col: int, text: str, cap: int) -> None:
    """Widen column `col` to fit `text` (its longest line), up to `cap`."""
    cur = widths.setdefault(col, 6)
    if 2 * len(text) + 2 <= cur:  # cannot be wider than two columns per character
        return
    widths[col] = max(cur, min(_text_width(text), cap))


def _text_width(text: str) -> int:
    """Columns a cell's text needs: its longest line and a margin."""
    return max(display_width(line) for line in text.split("\n")) + 2


def _cell_text(value: Cell) -> str:
    """The text a cell shows, as far as its width goes."""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value if isinstance(value, str) else str(value)


def _fit_columns(widths: dict[int, int], rows: list[list[Cell]], caps: list[int]) -> None:
    """Widen each column to fit its cells: each distinct text measured once, the longest first,
    until the column reaches its cap or no shorter text can widen it."""
    if not rows:
        return
    for c, (cells, cap) in enumerate(zip(zip(*rows, strict=True), caps, strict=True)):
        cur = widths.setdefault(c, 6)
        if cur >= cap:  # a column already at its widest needs no more measuring
            continue
        texts = {v if type(v) is str else _cell_text(v) for v in cells if v is not None}
        for text in sorted(texts, key=len, reverse=True):
            if cur >= cap or 2 * len(text) + 2 <= cur:  # cannot be wider than two columns per character
                break
            cur = max(cur, min(_text_width(text), cap))
        widths[c] = cur


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

    n_forms = min(len(t["forms"].rows), CHART_BARS)
    if n_forms:
        first, last = forms_row + 2, forms_row + 1 + n_forms
        bar = w.chart({"type": "bar"})
        bar.add_series({
            "name": "扣分", "categories": ["概览", first, 0, last, 0], "values": ["概览", first, 9, last, 9],
            "fill": {"color": "#A5A5A5"}, "data_labels": {"value": True},
        })
        bar.set_title({"name": "各项目扣分" + (f"（前{n_forms}张）" if t["forms"].size > n_forms else "")})
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


def write_xlsx(result: AnalysisResult, path: Path, limits: Limits = LIMITS) -> None:
    t = build_tables(result, limits.xlsx_rows)
    w = _Writer(path, stream=sum(len(x.rows) * len(x.columns) for x in t.values()) > SHARED_CELLS)
    _overview(w, t)
    ws = w.sheets("系统性问题", t["systemic"])[0]
    _systemic_chart(w, ws, t["systemic"])
    w.sheets("原因聚类", t["causes"])
    w.sheets("指标明细", t["links"])
    w.sheets("改进计划", t["plans"])
    w.sheets("下年度目标建议", t["targets"], {TARGET_EDIT_HEADER: "建议值，仅供参考：请按实际情况修改后作为下年度绩效目标表使用。"})
    w.sheets("校验问题", t["checks"])
    w.finish_widths()
    w.close()
