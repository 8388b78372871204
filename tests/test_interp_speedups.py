"""What the interpreter's per-header and per-row shortcuts must keep reading right: line ends in
text dumps, a table read in runs split by continued rows (its reading plan kept per header),
funds rows with empty leading cells, goals labels, and label cells split at a colon."""

from __future__ import annotations

from pathlib import Path

from reason_miner.grid import Grid, Row
from reason_miner.interpret import Interpreter
from reason_miner.readers.text import read_text

_DUMP = (
    "财政项目支出绩效自评表\n(2024 年度)\n项目名称\t\t乡村道路维护\n"
    "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n"
    "产出指标\t数量指标\t维护里程\t≥20(公里)\t18(公里)\t10\t9\t雨季停工\n"
)


def _rows(path: Path) -> list[tuple[list[str], int, int | None, bool]]:
    (grid,) = read_text(path)
    return [(r.cells, r.line, r.page, r.clean) for r in grid.rows]


def test_line_ends_of_every_kind_read_alike(tmp_path: Path) -> None:
    lf, crlf, cr = tmp_path / "lf.txt", tmp_path / "crlf.txt", tmp_path / "cr.txt"
    lf.write_bytes(_DUMP.encode())
    crlf.write_bytes(_DUMP.replace("\n", "\r\n").encode())
    cr.write_bytes(_DUMP.replace("\n", "\r").encode())
    rows = _rows(lf)
    assert [line for _, line, _, _ in rows] == [1, 2, 3, 4, 5]
    assert rows[-1][0][:3] == ["产出指标", "数量指标", "维护里程"]
    assert _rows(crlf) == rows
    assert _rows(cr) == rows


def _grid(rows: list[list[str]]) -> Grid:
    return Grid("t.txt", [Row(cells, line) for line, cells in enumerate(rows, start=1)])


def test_each_table_is_read_by_its_own_header_across_runs() -> None:
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    # the second form's table has a unit column and no reason column: its columns differ
    header_units = ["一级指标", "二级指标", "三级指标", "计量单位", "年度指标值", "实际完成值", "分值", "得分"]
    rows = [
        ["项目名称", "乡村道路维护"],
        header,
        ["产出指标", "数量指标", "维护里程", "≥20(公里)", "21(公里)", "10", "10", ""],
        ["", "", "验收合格率", "=100", "98(", "10", "8", "部分路段返工"],
        ["", "", "", "", "%)", "", "", ""],  # continues the row above: the run is split here
        ["", "时效指标", "完工及时率", "≥95(%)", "96(%)", "10", "10", ""],
        ["总分", "", "", "", "", "30", "28"],
        ["项目名称", "校舍维修"],
        header_units,
        ["产出指标", "数量指标", "维修面积", "平方米", "≥500", "520(平", "20", "20"],
        ["", "", "", "", "", "方米)", "", ""],  # continues the row above
        ["效益指标", "满意度指标", "师生满意度", "%", "≥90", "93", "10", "9"],
    ]
    forms, errors = Interpreter().interpret(_grid(rows))
    assert errors == []
    roads, school = forms
    assert [(i.level2, i.name, i.actual.raw, i.score) for i in roads.indicators] == [
        ("数量指标", "维护里程", "21(公里)", 10.0),
        ("数量指标", "验收合格率", "98(%)", 8.0),
        ("时效指标", "完工及时率", "96(%)", 10.0),
    ]
    assert roads.indicators[1].reason == "部分路段返工"
    assert [(i.name, i.target.value, i.target.unit, i.actual.raw, i.actual.unit) for i in school.indicators] == [
        ("维修面积", 500.0, "平方米", "520(平方米)", "平方米"),
        ("师生满意度", 90.0, "%", "93", "%"),
    ]
    assert [(i.weight, i.score, i.lost) for i in school.indicators] == [(20.0, 20.0, 0.0), (10.0, 9.0, 1.0)]


def test_funds_and_goals_rows_with_empty_leading_cells() -> None:
    rows = [
        ["项目名称", "", "乡村道路维护"],
        ["项目资金(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率(%)", "得分"],
        ["", "年度资金总额:", "2,423.94", "2423.94", "2300.00", "10.00", "94.89", "9.49"],
        ["", "其中: 当年财政拨款", "2,423.94", "2423.94", "2300.00", "-", "94.89", "-"],
        ["", "上年结转资金", "0.00", "0.00", "0.00", "-", "0.00", "-"],
        ["年度总体目标", "预期目标", "", "", "实际完成情况", "", "", ""],
        ["", "完成维护任务", "", "", "基本完成", "", "", ""],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["产出指标", "数量指标", "维护里程", "≥20(公里)", "21(公里)", "10", "10", ""],
    ]
    (form,), errors = Interpreter().interpret(_grid(rows))
    assert errors == []
    f = form.funds
    assert (f.initial, f.adjusted, f.executed, f.weight, f.rate, f.score) == (
        2423.94,
        2423.94,
        2300.0,
        10.0,
        94.89,
        9.49,
    )
    assert (form.goals.expected, form.goals.achieved) == ("完成维护任务", "基本完成")
    assert [i.name for i in form.indicators] == ["维护里程"]


def test_label_cells_are_split_at_their_colon_only() -> None:
    rows = [
        ["项目名称：乡村道路维护", "", "主管部门：县交通运输局", ""],
        ["单位名称：县公路养护中心", "", "", ""],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["产出指标", "数量指标", "维护里程(含县道:乡道=1:2)", "≥20(公里)", "21(公里)", "10", "10", ""],
    ]
    (form,), errors = Interpreter().interpret(_grid(rows))
    assert errors == []
    assert (form.project, form.department, form.unit) == ("乡村道路维护", "县交通运输局", "县公路养护中心")
    assert [i.name for i in form.indicators] == ["维护里程(含县道:乡道=1:2)"]
