"""Layouts other than the sample's (DOMAIN.md "Layouts vary by region and template") read right."""

from __future__ import annotations

from pathlib import Path

import pytest

from reason_miner import Form, load

DATA = Path(__file__).parent / "data" / "templates"


def _form(name: str) -> Form:
    result = load([DATA / name])
    assert result.errors == []
    assert len(result.forms) == 1
    return result.forms[0]


def test_transfer_payment_weights_in_level1_and_weight_before_target() -> None:
    f = _form("transfer.txt")
    assert (f.year, f.project, f.department, f.unit) == (2023, "农村公路养护补助", "县交通运输局", "县公路事务中心")
    assert (f.funds.adjusted, f.funds.executed, f.funds.rate) == (120.0, 96.0, 80.0)
    assert (f.goals.expected, f.goals.achieved) == ("完成农村公路养护100公里", "完成养护85公里")
    assert [i.level1 for i in f.indicators] == ["产出指标"] * 3 + ["效益指标", "满意度指标"]
    road = f.indicators[0]
    assert (road.weight, road.score, road.lost) == (20.0, 17.0, 3.0)
    assert (road.target.op, road.target.value, road.target.unit) == ("≥", 100.0, "公里")
    assert f.indicators[1].target.op == "≥"  # written "≧"
    assert f.indicators[1].reason is None  # "无" means no reason
    assert f.indicators[3].actual.status == "部分达成"
    assert (f.total.weight, f.total.score) == (100.0, 85.0)


def test_hubei_label_in_cell_unlabelled_funds_row_and_no_row_weights() -> None:
    f = _form("hubei.txt")
    assert (f.project, f.unit) == ("校舍维修改造", "县第一中学")
    assert (f.funds.adjusted, f.funds.executed, f.funds.rate, f.funds.score, f.funds.weight) == (
        300.0, 240.0, 80.0, 16.0, 20.0)
    assert len(f.indicators) == 4
    first = f.indicators[0]
    assert (first.target.value, first.actual.value, first.score) == (5000.0, 4200.0, 16.0)
    assert first.weight is None and first.lost is None  # no per-row 分值: left null, not guessed
    assert first.reason == "因设计变更，工程延期"


def test_sichuan_operator_and_unit_columns_weights_and_form_remarks() -> None:
    f = _form("sichuan.txt")
    train = f.indicators[0]
    assert (train.target.op, train.target.value, train.target.unit) == ("≥", 500.0, "人次")
    assert (train.actual.value, train.actual.unit) == (430.0, "人次")
    assert (train.weight, train.score) == (30.0, 25.8)
    assert train.lost == pytest.approx(4.2)
    capacity = f.indicators[2]
    assert (capacity.target.op, capacity.target.text, capacity.actual.status) == (None, "提升", "部分达成")
    assert f.remarks == {"评价结论": "基本完成年度目标", "存在问题": "培训计划受疫情影响", "改进措施": "加强线上培训"}


def test_level_cell_on_a_row_of_its_own_is_carried_and_stray_text_is_reported(tmp_path: Path) -> None:
    lines = [
        "财政项目支出绩效自评表",
        "项目名称\t测试项目",
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施",
        "产出指标\t数量指标\t培训人次\t≥100(人次)\t100(人次)\t10\t10\t",
        "效益指标\t社会效益指标",
        "\t\t群众知晓率\t≥90(%)\t95(%)\t10\t10\t",
        "\t备注：数据来自台账",
    ]
    path = tmp_path / "levels.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = load([path])
    inds = result.forms[0].indicators
    assert [(i.level1, i.level2, i.name) for i in inds] == [
        ("产出指标", "数量指标", "培训人次"), ("效益指标", "社会效益指标", "群众知晓率")]
    assert [(e.line, e.kind) for e in result.errors] == [(7, "row")]
    assert "备注：数据来自台账" in result.errors[0].message
