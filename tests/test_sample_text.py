"""The bundled sample (three forms extracted from a PDF) reads exactly."""

from __future__ import annotations

from reason_miner import LoadResult


def _ind(result: LoadResult, project: str, name: str):
    form = next(f for f in result.forms if f.project == project)
    return next(i for i in form.indicators if i.name == name)


def test_three_forms_68_rows(sample: LoadResult) -> None:
    assert [f.project for f in sample.forms] == ["党群综合服务", "文体事务管理", "社区自治管理"]
    assert [len(f.indicators) for f in sample.forms] == [31, 24, 13]
    assert [f.points_lost for f in sample.forms] == [3.5, 4.0, 6.0]
    assert sum(1 for f in sample.forms for i in f.indicators if i.reason) == 9
    assert not [e for e in sample.errors if e.kind == "error"]


def test_header_funds_total(sample: LoadResult) -> None:
    f = sample.forms[2]
    assert f.year == 2024
    assert f.department == "上海市松江区人民政府中山街道办事处"
    assert f.unit == "上海市松江区中山街道社区党群服务中心"
    # the funds row of this form has an extra empty cell and thousands separators
    assert (f.funds.initial, f.funds.adjusted, f.funds.executed) == (6881.38, 6479.36, 6479.36)
    assert (f.funds.weight, f.funds.rate, f.funds.score) == (10.0, 100.0, 10.0)
    assert (f.total.weight, f.total.score, f.grade) == (100.0, 94.0, "优")
    assert f.goals.expected and f.goals.expected.startswith("1、确保居委会")
    assert f.goals.achieved and "<p>" not in f.goals.achieved


def test_row_split_by_page_break(sample: LoadResult) -> None:
    i = _ind(sample, "党群综合服务", "22个居民区党组织服务群众工作活动成本")
    assert (i.target.op, i.target.value, i.target.unit) == ("≤", 70000.0, "元/年/居民区")
    assert (i.actual.value, i.actual.unit) == (52272.73, "元/年/居民区")
    assert (i.weight, i.score, i.lost) == (5.0, 5.0, 0.0)
    assert i.source.line == 19


def test_shifted_rows_realigned(sample: LoadResult) -> None:
    i = _ind(sample, "党群综合服务", "提升党群阵地的服务力")
    assert (i.level1, i.level2) == ("效益指标", "社会效益指标")
    assert (i.target.text, i.actual.status, i.weight, i.score) == ("良好", "部分达成", 3.0, 2.0)
    assert i.reason == "新建党群阵地功能尚不成熟，有待进一步完善"
    j = _ind(sample, "党群综合服务", "持续落实党组织工作和人员经费的发放工作")
    assert (j.level1, j.level2, j.target.text, j.actual.status, j.score) == (
        "效益指标", "可持续影响指标", "持续完善", "达成", 2.0)


def test_level2_in_level1_column(sample: LoadResult) -> None:
    i = _ind(sample, "社区自治管理", "保证活动及时开展")
    assert (i.level1, i.level2) == ("产出指标", "时效指标")


def test_wrapped_status_and_reason(sample: LoadResult) -> None:
    i = _ind(sample, "社区自治管理", "协助维护社会稳定")
    assert i.actual.status == "部分达成"
    assert i.actual.raw == "部分达成指标并具有一定效果"
    assert i.reason == "居委会、社区功能需要进一步完善，更好地维护社会的稳定和谐"
    assert (i.level1, i.level2) == ("效益指标", "社会效益指标")


def test_quantitative_values(sample: LoadResult) -> None:
    i = _ind(sample, "文体事务管理", "开展小型文化活动")
    assert (i.target.op, i.target.value, i.target.unit) == ("≤", 30.0, "场")
    assert (i.actual.value, i.actual.unit, i.lost) == (17.0, "场", 2.0)
    j = _ind(sample, "文体事务管理", "更新健身点6个")
    assert (j.target.op, j.target.value, j.target.unit) == ("≥", 90.0, "%")
