"""The text reader: rows, line numbers, pages and clean marks as a line-by-line reading gives them."""

from __future__ import annotations

from pathlib import Path

from reason_miner import normalize as nz
from reason_miner.readers.text import read_text, split_line


def _expected(text: str) -> list[tuple[list[str], int, int, bool]]:
    """The long way: line by line, a form feed starting a page, a row clean when no cell needs cleaning."""
    rows, page = [], 1
    for lineno, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        page += line.count("\f")
        dirty = nz.needs_clean_in_text(line) is not None
        line = line.replace("\f", "")
        if not line.strip():
            continue
        cells = line.split("\t") if "\t" in line else split_line(line)
        if any(c.strip() for c in cells):
            rows.append((cells, lineno, page, not dirty))
    return rows


def test_rows_pages_and_clean_marks(tmp_path: Path) -> None:
    text = (
        "财政项目支出绩效自评表\r\n(2024 年度)\r\n\n项目名称\t\t乡村道路\n\t \t\n"
        "一级 指标\t二级指标\t三级指标\n\f产出指标\t数量指标\t维护里程\n\f\n\f\f\t\t<p>目标</p>\n"
        "| a | b |\n|---|:-:|\n| | |\n  \n全角（元）\t１２\n\x0b\n末行\t&amp;"
    )
    path = tmp_path / "form.txt"
    path.write_text(text, encoding="utf-8")
    (grid,) = read_text(path)
    got = [(r.cells, r.line, r.page, r.clean) for r in grid.rows]
    assert got == _expected(text)
    assert [r.page for r in grid.rows] == [1, 1, 1, 1, 2, 5, 5, 5, 5]
    assert [r.line for r in grid.rows] == [1, 2, 4, 6, 7, 9, 10, 14, 16]
    # the lines with a space, tag, entity, full-width character or form feed, and only they, are not clean
    assert [r.clean for r in grid.rows] == [True, False, True, False, False, False, False, False, False]
