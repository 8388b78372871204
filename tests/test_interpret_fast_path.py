"""The whole-run shortcut for indicator rows (`Interpreter._table_rows`: cells straight to packed
values) reads exactly what the long way (`_indicator_row`, one row at a time) reads, on the sample
(split, shifted, wrapped and carried rows) and on generated forms; and an indicator a later row
continues is packed again with the texts it has then."""

from __future__ import annotations

from pathlib import Path

import pytest

from reason_miner import normalize as nz
from reason_miner import synth
from reason_miner.grid import Grid, Row
from reason_miner.interpret import Interpreter, _FormBuilder
from reason_miner.model import ReadError
from reason_miner.readers.text import read_text


class _LongWay(Interpreter):
    """Every indicator row the long way."""

    def _table_rows(self, grid: Grid, start: int, b: _FormBuilder, t_col: int, errors: list[ReadError]) -> int:
        row = grid.rows[start]
        cells = row.cells if row.clean else [nz.clean(c) for c in row.cells]
        err = self._indicator_row(row, cells, b)
        if err:
            errors.append(self._err(grid, row, err))
        return start + 1


def _read(interpreter: Interpreter, grid: Grid) -> tuple[list[object], list[str]]:
    packed, errors = interpreter.interpret_packed(grid)
    return packed, [repr(e) for e in errors]


@pytest.fixture(scope="module")
def synth_grid(tmp_path_factory: pytest.TempPathFactory) -> Grid:
    path = tmp_path_factory.mktemp("fast") / "forms.txt"
    synth.write_text(list(synth.generate(40)), path)
    (grid,) = read_text(path)
    return grid


def test_sample_reads_alike_both_ways(sample_file: Path) -> None:
    (grid,) = read_text(sample_file)
    fast = _read(Interpreter(), grid)
    assert fast == _read(_LongWay(), grid)
    assert len(fast[0]) == 3


def test_generated_forms_read_alike_both_ways(synth_grid: Grid) -> None:
    fast = _read(Interpreter(), synth_grid)
    assert len(fast[0]) == 40
    assert fast == _read(_LongWay(), synth_grid)


def test_template_rows_and_rows_without_a_name_are_reported_in_a_run() -> None:
    rows = [
        ["项目名称", "乡村道路维护"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["产出指标", "数量指标", "维护里程", "≥20(公里)", "21(公里)", "10", "10", ""],
        ["", "", "指标1", "≥1", "", "", "", ""],  # a template row: no scores
        ["", "", "", "≥5(个)", "5(个)", "", "", ""],  # no name before the target
        ["效益指标", "", "群众满意度", "≥90(%)", "95(%)", "10", "10", ""],  # a new 一级: the 二级 is cleared
        ["", "质量指标", "验收合格率", "=100(%)", "98(%)", "10", "8", "部分路段返工"],
        ["", "", "", "", "(元)", "", "", ""],  # continues the row above: packed again
    ]
    grid = Grid("t.txt", [Row(cells, line) for line, cells in enumerate(rows, start=1)])
    forms, errors = Interpreter().interpret(grid)
    assert [e.line for e in errors] == [4, 5]
    assert "模板空行「指标1」" in errors[0].message and "缺少三级指标名称" in errors[1].message
    (form,) = forms
    assert [(i.level1, i.level2, i.name) for i in form.indicators] == [
        ("产出指标", "数量指标", "维护里程"),
        ("效益指标", None, "群众满意度"),
        ("效益指标", "质量指标", "验收合格率"),
    ]
    last = form.indicators[-1]
    assert (last.actual.raw, last.actual.value, last.actual.unit) == ("98(%)(元)", 98.0, "%元")
    assert (last.weight, last.score, last.lost, last.reason) == (10.0, 8.0, 2.0, "部分路段返工")
    assert _read(Interpreter(), grid) == _read(_LongWay(), grid)
