"""report.xlsx cell writing and column widths, on small hand-made tables (the full workbook is
covered in test_reports.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import openpyxl

from reason_miner.report import xlsx
from reason_miner.report.tables import Cell, Column, Table
from reason_miner.report.xlsx import MAX_WIDTH, display_width


def write(path: Path, table: Table) -> dict[int, int]:
    """One table on sheet "t"; returns the column widths the writer chose."""
    w = xlsx._Writer(path)
    ws = w.wb.add_worksheet("t")
    w.table(ws, table)
    w.finish_widths()
    w.close()
    return w.widths["t"]


def test_display_width_counts_wide_and_full_width_characters_double() -> None:
    assert display_width("") == 0
    assert display_width("abc 12.5") == 8
    assert display_width("中山街道") == 8
    assert display_width("2024年（调整）") == 4 + 2 * 5
    assert display_width("１２Ａ") == 6  # full-width forms
    assert display_width("ｱｲ") == 2  # half-width katakana
    assert display_width("·×±") == 3  # ambiguous width counts single


def test_cells_written_by_type(tmp_path: Path) -> None:
    cols = [Column("文本"), Column("空"), Column("无"), Column("是否"), Column("整数", "int"), Column("小数", "num"),
            Column("公式样")]
    write(tmp_path / "t.xlsx", Table("t", "t", cols, [["中文", "", None, True, 3, 2.5, "=1+1"]]))
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    text, empty, none, flag, integer, decimal, formula = ws[2]
    assert text.value == "中文" and text.data_type == "s"
    assert flag.value == "是"
    assert integer.value == 3 and integer.data_type == "n" and integer.number_format == "0"
    assert decimal.value == 2.5 and decimal.number_format == "0.00"
    assert formula.value == "'=1+1" and formula.data_type == "s"  # never a formula
    for blank in (empty, none):  # blank, but framed like the rest of the table
        assert blank.value is None and blank.border.left.style == "thin"


def test_widths_fit_the_longest_line_up_to_the_cap(tmp_path: Path) -> None:
    long_line = "原因" * 40
    rows: list[list[Cell]] = [
        ["短", "第一行\n" + "较长的第二行文字", 1.5, long_line, 123456789],
        ["中山街道社区党群服务中心", "x", 12345678.25, "a", 123456789.0],
    ]
    cols = [Column("单位"), Column("说明", "long"), Column("年初预算(万元)", "num"), Column("原文", "long"), Column("值")]
    widths = write(tmp_path / "t.xlsx", Table("t", "t", cols, rows))
    assert widths[0] == display_width("中山街道社区党群服务中心") + 2
    assert widths[1] == display_width("较长的第二行文字") + 2  # the longest line, not the whole text
    assert widths[2] == display_width("年初预算(万元)") + 2  # the header, wider than any number's cap
    assert widths[3] == MAX_WIDTH["long"]
    assert widths[4] == len("123456789.0") + 2  # 123456789 and 123456789.0 are different texts


def test_column_fit_matches_measuring_every_cell() -> None:
    """Measuring each distinct text once, longest first, gives the widths of measuring every cell."""
    values: list[Cell] = [None, "", "是", "上海市松江区", "一\n二三四五六七八九十", 7, 2024, 0.5, 1234567.89, True,
                          "项目" * 8, "（全角）" * 3, "abc"]
    rows = [list(r) for r in itertools.permutations(values, 4)][:2000]
    caps = [MAX_WIDTH[k] for k in ("text", "long", "num", "int")]
    for start in (6, 10, 30):
        fast = dict.fromkeys(range(4), start)
        xlsx._fit_columns(fast, rows, caps)
        slow = dict.fromkeys(range(4), start)
        for row in rows:
            for c, v in enumerate(row):
                if v is not None and v != "" and slow[c] < caps[c]:
                    xlsx._fit(slow, c, xlsx._cell_text(v), caps[c])
        assert fast == slow
