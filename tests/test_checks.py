"""`check_forms` and `reason-miner check`: every rule on the sample, and on mutated copies of it."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reason_miner import LoadResult
from reason_miner.checks import RULES, CheckConfig, check_forms
from reason_miner.cli import app
from reason_miner.model import Form, Indicator
from reason_miner.results import Finding

COST_AT_CAP = {
    ("党群综合服务", "中山幸福里整年的物业管理项目成本"),
    ("党群综合服务", "辖区内116名两新党组织书记工作经费成本"),
    ("文体事务管理", "基层文化活动7项活动成本"),
    ("文体事务管理", "对辖区内室外健身点进行管理成本"),
    ("文体事务管理", "非遗主题活动成本"),
    ("社区自治管理", "探望社区骨干人员生病住院费用成本"),
    ("社区自治管理", "272名社区工作者及居民区书记全年人员经费"),
}


def _form(sample: LoadResult, project: str) -> Form:
    """A private copy of one sample form, to mutate."""
    return copy.deepcopy(next(f for f in sample.forms if f.project == project))


def _row(form: Form, name: str) -> Indicator:
    return next(i for i in form.indicators if i.name == name)


def _set_score(ind: Indicator, score: float | None) -> None:
    ind.score = score
    ind.lost = None if score is None or ind.weight is None else round(ind.weight - score, 4)


def _found(form: Form, rule: str, config: CheckConfig | None = None) -> list[Finding]:
    return [f for f in check_forms([form], config=config) if f.rule == rule]


def _found_on(form: Form, rule: str, name: str) -> list[Finding]:
    return [f for f in _found(form, rule) if f.indicator == name]


# ------------------------------------------------------------------ the sample


@pytest.fixture(scope="module")
def sample_findings(sample: LoadResult) -> list[Finding]:
    return check_forms(sample.forms)


def test_sample_direction_budget_and_cost_signals(sample_findings: list[Finding]) -> None:
    by_rule: dict[str, list[Finding]] = {}
    for f in sample_findings:
        by_rule.setdefault(f.rule, []).append(f)
    assert sorted(by_rule) == ["budget_cut", "cost_at_cap", "direction_suspect"]
    assert [(f.project, f.indicator) for f in by_rule["direction_suspect"]] == [
        ("文体事务管理", "开展小型文化活动"),
        ("文体事务管理", "加大府城文化宣传力度，增加项目开展次数"),
    ]
    assert [(f.project, f.data["change_pct"]) for f in by_rule["budget_cut"]] == [
        ("党群综合服务", -27.7),
        ("文体事务管理", -51.8),
    ]  # 社区自治管理 (−5.8%) stays under the 20% threshold
    assert {(f.project, f.indicator) for f in by_rule["cost_at_cap"]} == COST_AT_CAP
    assert len(by_rule["cost_at_cap"]) == 7


def test_sample_messages_and_locations(sample: LoadResult, sample_findings: list[Finding]) -> None:
    cut = next(f for f in sample_findings if f.rule == "budget_cut" and f.project == "文体事务管理")
    assert "减少51.8%（391.95→188.97万元）" in cut.message
    assert cut.data["initial"] == 391.95 and cut.data["adjusted"] == 188.97
    assert cut.indicator is None and cut.indicator_index is None
    assert cut.source == sample.forms[1].source
    d = next(f for f in sample_findings if f.indicator == "开展小型文化活动")
    assert d.severity == "warning" and d.data["suggested_op"] == "≥"
    assert "≥30" in d.message and "扣2分" in d.message
    ind = sample.forms[d.form_index].indicators[d.indicator_index or 0]
    assert ind.name == "开展小型文化活动" and d.source == ind.source and d.source.line == 74


def test_order_is_form_row_rule_and_deterministic(sample: LoadResult, sample_findings: list[Finding]) -> None:
    keys = [(f.form_index, -1 if f.indicator_index is None else f.indicator_index, RULES.index(f.rule))
            for f in sample_findings]
    assert keys == sorted(keys)
    again = check_forms(copy.deepcopy(sample.forms))
    assert [f.to_dict() for f in again] == [f.to_dict() for f in sample_findings]


# ------------------------------------------------------------------ form-level rules


def test_total_mismatch(sample: LoadResult) -> None:
    form = _form(sample, "党群综合服务")
    form.total.score = 96.5 + 1e-9  # floating noise is not a mismatch
    assert not _found(form, "total_mismatch")
    form.total.score = 95.5
    [f] = _found(form, "total_mismatch")
    assert f.severity == "error"
    assert f.data == {"stated": 95.5, "funds_score": 10.0, "indicator_sum": 86.5, "expected": 96.5,
                      "difference": -1.0}
    assert "应为96.5分（填报值少1分）" in f.message
    form.funds.score = None  # funds weight printed but its score not: nothing to add up
    assert not _found(form, "total_mismatch")


def test_total_skipped_without_score_columns(sample: LoadResult) -> None:
    form = _form(sample, "社区自治管理")
    for ind in form.indicators:
        ind.weight = None
        _set_score(ind, None)
    form.funds.weight = form.funds.score = None
    form.total.score = form.total.weight = None
    rules = {f.rule for f in check_forms([form])}
    assert rules == {"cost_at_cap"}  # only the rule that needs no score


def test_weights_sum(sample: LoadResult) -> None:
    form = _form(sample, "文体事务管理")
    form.funds.weight = 5.0
    [f] = _found(form, "weights_sum")
    assert f.severity == "error" and f.data["sum"] == 95.0 and f.data["expected"] == 100.0
    # a template without a scored funds block: indicators alone may sum to 90
    form.funds.weight = form.funds.score = None
    assert not _found(form, "weights_sum")
    _row(form, "居民满意率").weight = 16.0  # 101 without funds: certainly wrong
    [f] = _found(form, "weights_sum")
    assert f.data["sum"] == 101.0


def test_grade_mismatch(sample: LoadResult) -> None:
    form = _form(sample, "党群综合服务")
    form.grade = "优秀"
    assert not _found(form, "grade_mismatch")
    form.grade = "良"
    [f] = _found(form, "grade_mismatch")
    assert f.data == {"stated": "良", "expected": "优", "score": 96.5}
    assert "优≥90" in f.message and "差<60" in f.message
    form.total.score, form.grade = 80.0, "良"  # 80 is the lower bound of 良
    assert not _found(form, "grade_mismatch")
    form.total.score = 79.99
    assert _found(form, "grade_mismatch")[0].data["expected"] == "中"


def test_funds_rate_and_score(sample: LoadResult) -> None:
    form = _form(sample, "党群综合服务")
    form.funds.executed, form.funds.rate = 429.18, 85.0  # 429.18 / 504.92 = 85.0%
    assert not _found(form, "funds_rate")
    [f] = _found(form, "funds_score")
    assert f.severity == "warning" and f.data["expected"] == 8.5 and f.data["stated"] == 10.0
    form.funds.score = 8.5
    assert not _found(form, "funds_score")
    form.funds.rate = 95.0
    [f] = _found(form, "funds_rate")
    assert f.severity == "error" and f.data["expected"] == 85.0
    # over-execution counts as 100%
    form.funds.executed, form.funds.rate, form.funds.score = 530.17, 105.0, 10.0
    assert not _found(form, "funds_score") and not _found(form, "funds_rate")
    form.funds.rate = None  # rate not printed: computed from 执行数 ÷ 预算数
    form.funds.executed = 252.46
    assert _found(form, "funds_score")[0].data["expected"] == 5.0


def test_budget_cut_threshold_and_missing_input(sample: LoadResult) -> None:
    forms = copy.deepcopy(sample.forms)
    cuts = [f for f in check_forms(forms, config=CheckConfig(budget_cut_pct=30)) if f.rule == "budget_cut"]
    assert [f.project for f in cuts] == ["文体事务管理"]
    low = [f for f in check_forms(forms, config=CheckConfig(budget_cut_pct=5)) if f.rule == "budget_cut"]
    assert [f.data["change_pct"] for f in low] == [-27.7, -51.8, -5.8]
    forms[1].funds.initial = None
    assert [f.project for f in check_forms(forms) if f.rule == "budget_cut"] == ["党群综合服务"]


# ------------------------------------------------------------------ row rules


def test_qualitative_band(sample: LoadResult) -> None:
    form = _form(sample, "党群综合服务")
    name = "服务群众工作有实效"  # 部分达成, 分值 3
    _set_score(_row(form, name), 2.7)  # 90%: above the 60%–<80% band
    [f] = _found_on(form, "qualitative_band", name)
    assert f.severity == "warning"
    assert (f.data["expected_min"], f.data["expected_max"], f.data["score_pct"]) == (1.8, 2.4, 90.0)
    _set_score(_row(form, name), 2.4)  # 80% is already 达成's band
    assert _found_on(form, "qualitative_band", name)
    _set_score(_row(form, name), 1.8)  # 60%: lowest 部分达成 score
    assert not _found_on(form, "qualitative_band", name)
    done = "社区党建工作、活动有序开展"  # 达成, 分值 2
    _set_score(_row(form, done), 1.4)
    assert _found_on(form, "qualitative_band", done)[0].data["expected_min"] == 1.6
    _set_score(_row(form, done), 1.6)
    assert not _found_on(form, "qualitative_band", done)


def test_score_range(sample: LoadResult) -> None:
    form = _form(sample, "党群综合服务")
    _set_score(_row(form, "四个片区党群阵地"), 3.5)
    [f] = _found(form, "score_range")
    assert f.severity == "error" and f.data == {"score": 3.5, "weight": 3.0}


def test_quantitative_score_positive_direction(sample: LoadResult) -> None:
    form = _form(sample, "党群综合服务")
    ind = _row(form, "22个居民区党组织党建工作")  # =22 个, 分值 3
    ind.actual = replace(ind.actual, value=11.0)
    [f] = _found_on(form, "quantitative_score", ind.name)
    assert (f.data["completion_pct"], f.data["expected_max"], f.data["met"]) == (50.0, 1.5, False)
    _set_score(ind, 2.0)  # within half a point of the proportional score
    assert not _found_on(form, "quantitative_score", ind.name)
    ind.actual = replace(ind.actual, unit="场")  # units differ: not comparable, no verdict
    _set_score(ind, 3.0)
    assert not _found_on(form, "quantitative_score", ind.name)

    form = _form(sample, "文体事务管理")
    met = _row(form, "更新健身点6个")  # ≥90%, actual 100%
    _set_score(met, 4.0)
    [f] = _found_on(form, "quantitative_score", met.name)
    assert f.data["met"] is True and f.data["expected_min"] == 5.0
    assert not _found_on(form, "direction_suspect", met.name)


def test_quantitative_score_reverse_direction(sample: LoadResult) -> None:
    form = _form(sample, "党群综合服务")
    cost = _row(form, "功能区、商务区、工业区、府城四个党群服务中心辖区内党群阵地开展活动使用经费")
    cost.actual = replace(cost.actual, value=60000.0)  # over the ≤50000 cap, still full score
    [f] = _found_on(form, "quantitative_score", cost.name)
    assert f.data["expected_max"] == round(5 * 50000 / 60000, 2)
    assert not _found_on(form, "direction_suspect", cost.name)  # ≤ is right for a cost
    cost.actual = replace(cost.actual, value=40000.0)
    _set_score(cost, 4.0)  # under the cap but penalised
    assert _found_on(form, "quantitative_score", cost.name)[0].data["met"] is True


def test_direction_suspect_needs_penalty_and_quantity(sample: LoadResult) -> None:
    form = _form(sample, "文体事务管理")
    assert not _found_on(form, "direction_suspect", "非遗主题活动")  # ≤7 场 done 7, full score
    # the direction explains the score: no second finding on the same row
    assert not _found_on(form, "quantitative_score", "开展小型文化活动")
    at_cap = _row(form, "非遗主题活动")
    _set_score(at_cap, 4.99)  # 7 of ≤7: met in both directions, so the penalty is a scoring problem
    assert not _found_on(form, "direction_suspect", at_cap.name)
    assert _found_on(form, "quantitative_score", at_cap.name)[0].data["met"] is True
    dur = at_cap
    dur.name, dur.target = "活动筹备时限", replace(dur.target, unit="天")
    dur.actual = replace(dur.actual, unit="天", value=5.0)
    _set_score(dur, 4.0)  # a duration ≤ is legitimate: a scoring problem, not a direction problem
    assert not _found_on(form, "direction_suspect", dur.name)
    assert _found_on(form, "quantitative_score", dur.name)


def test_direction_suspect_reverse_contradictions(sample: LoadResult) -> None:
    form = _form(sample, "文体事务管理")
    qty = _row(form, "非遗主题活动")  # ≤7 场
    qty.actual = replace(qty.actual, value=9.0)  # above the "cap" yet full score: scored as ≥
    [f] = _found_on(form, "direction_suspect", qty.name)
    assert f.data["suggested_op"] == "≥" and "未达标却得满分" in f.message
    assert not _found_on(form, "quantitative_score", qty.name)

    cost = _row(form, "府城文化推广7项项目成本")  # cost written with ≥, spent more, penalised
    cost.target = replace(cost.target, op="≥")
    cost.actual = replace(cost.actual, value=30000.0)
    _set_score(cost, 5.0)
    [f] = _found_on(form, "direction_suspect", cost.name)
    assert f.data["suggested_op"] == "≤" and f.message.startswith("成本类指标使用“≥”")
    assert not _found_on(form, "cost_at_cap", cost.name)


def test_cost_at_cap_only_on_cost_rows_at_the_cent(sample: LoadResult) -> None:
    form = _form(sample, "社区自治管理")
    assert not _found_on(form, "cost_at_cap", "272名社区工作者及居民区书记")  # quantity ≤272 人 = 272
    name = "探望社区骨干人员生病住院费用成本"
    [f] = _found_on(form, "cost_at_cap", name)
    assert f.severity == "info" and f.data == {"cap": 200.0, "actual": 200.0, "unit": "元/人"}
    assert "200.00元/人" in f.message
    row = _row(form, name)
    row.actual = replace(row.actual, value=199.99)
    assert not _found_on(form, "cost_at_cap", name)
    row = _row(form, "272名社区工作者及居民区书记全年人员经费")
    row.level1 = row.level2 = None  # flat export without levels: the name decides
    assert not _found_on(form, "cost_at_cap", row.name)
    row.name = "社区工作者人员经费成本"
    assert _found_on(form, "cost_at_cap", row.name)


def test_missing_reason(sample: LoadResult) -> None:
    form = _form(sample, "党群综合服务")
    assert not _found(form, "missing_reason")
    ind = _row(form, "服务群众工作有实效")
    ind.reason = None
    [f] = _found(form, "missing_reason")
    assert f.indicator == ind.name and f.data["lost"] == 1.0 and "扣1分" in f.message
    ind.reason = "无"  # "无" means no reason
    assert _found(form, "missing_reason")
    done = _row(form, "居民区党组织支部工作有序推进")
    _set_score(done, 2.99)  # one cent lost is a deduction, not rounding noise
    assert [f.data["lost"] for f in _found(form, "missing_reason") if f.indicator == done.name] == [0.01]


def test_reason_on_full_score(sample: LoadResult) -> None:
    form = _form(sample, "社区自治管理")
    ind = _row(form, "居民满意度")
    ind.reason = "已按期完成，需继续保持"
    assert not _found(form, "reason_on_full_score")
    ind.reason = "因疫情影响部分活动未达到预期，需加强"
    [f] = _found(form, "reason_on_full_score")
    assert f.data["words"] == ["未达到"] and "得满分8分" in f.message
    # a penalised row may say so: that is the expected case
    assert not [x for x in _found(form, "reason_on_full_score") if x.indicator == "保证活动高质量开展"]


# ------------------------------------------------------------------ the command

runner = CliRunner()


def test_cli_json_on_bundled_sample() -> None:
    result = runner.invoke(app, ["check", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["errors"] == []
    counts: dict[str, int] = {}
    for f in payload["findings"]:
        assert {"rule", "severity", "project", "indicator", "message", "source"} <= set(f)
        counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    assert counts == {"budget_cut": 2, "cost_at_cap": 7, "direction_suspect": 2}


def test_cli_table_and_failed_file(sample_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(sample_file), str(tmp_path / "缺失.txt")])
    assert result.exit_code == 1
    out = result.stdout
    assert out.index("【党群综合服务】") < out.index("【文体事务管理】") < out.index("【社区自治管理】")
    assert "指标「开展小型文化活动」 第74行" in out
    assert "成本恰好等于上限（cost_at_cap）：7" in out
    assert "共检查 3 张自评表，发现 11 项：错误 0，警告 2，提示 9" in out
    assert "缺失.txt" in result.stderr


def test_cli_budget_cut_option(sample_file: Path) -> None:
    result = runner.invoke(app, ["check", str(sample_file), "--budget-cut", "50", "-f", "json"])
    cuts = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "budget_cut"]
    assert [f["project"] for f in cuts] == ["文体事务管理"]
