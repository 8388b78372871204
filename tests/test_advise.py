"""Systemic ranking, draft improvement plans and next year's target suggestions."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from test_link import SAMPLE_CAUSES, SAMPLE_REASONS, hand_causes

from reason_miner import LoadResult
from reason_miner.advise_plan import dedupe_measures, draft_plans, load_catalogue
from reason_miner.advise_targets import suggest_targets
from reason_miner.checks import check_forms
from reason_miner.link import link_causes
from reason_miner.model import Form
from reason_miner.results import OTHER_CAUSE_ID, Cause, Finding, Source
from reason_miner.systemic import SystemicConfig, rank_systemic


def _rank(forms: list[Form], config: SystemicConfig | None = None, reasons=None, causes=None):  # type: ignore[no-untyped-def]
    mined = hand_causes(forms, reasons, causes)
    links = link_causes(forms, mined)
    findings = check_forms(forms)
    return links, rank_systemic(forms, links, mined, findings, config), findings


def test_scheduling_is_systemic_across_two_projects(sample: LoadResult) -> None:
    _, ranked, _ = _rank(sample.forms)
    top = ranked[0]
    assert (top.label, top.systemic, top.projects) == ("场地人员安排调度", True, ["文体事务管理", "社区自治管理"])
    assert (top.indicators, top.points_involved, top.points_attributed) == (4, 8.0, 6.0)
    assert top.kinds == ["产出/数量", "产出/时效", "产出/质量"]
    assert "活动人员场地安排调度需要进一步完善，确保活动开展及时" in top.quotes
    assert {o.location.split()[-1] for o in top.occurrences} == {"第74行", "第75行", "第115行", "第117行"}
    assert [e.rank for e in ranked] == list(range(1, len(ranked) + 1))
    maint = next(e for e in ranked if e.label == "运维跟不上")
    assert not maint.systemic and "未达系统性阈值" in maint.why


def test_thresholds_are_configurable(sample: LoadResult) -> None:
    _, ranked, _ = _rank(sample.forms, SystemicConfig(min_units=2, min_projects=3))
    assert not any(e.systemic for e in ranked)
    _, ranked, _ = _rank(sample.forms, SystemicConfig(min_units=1, min_projects=9))
    assert all(e.systemic for e in ranked if not e.implied)


def test_other_is_never_systemic(sample: LoadResult) -> None:
    reasons = {k: [(t, r, OTHER_CAUSE_ID if c else None) for t, r, c in v] for k, v in SAMPLE_REASONS.items()}
    _, ranked, _ = _rank(sample.forms, reasons=reasons)
    other = next(e for e in ranked if e.cause_id == OTHER_CAUSE_ID)
    assert len(other.projects) == 3 and not other.systemic


def test_budget_cut_links_to_missed_activity_counts(sample: LoadResult) -> None:
    _, ranked, _ = _rank(sample.forms)
    implied = [e for e in ranked if e.implied]
    assert [e.label for e in implied] == ["预算调减（文本未说明）"]
    (signal,) = implied[0].signals
    assert signal.project == "文体事务管理" and signal.data["change_pct"] == -51.8
    assert signal.indicators == ["开展小型文化活动", "加大府城文化宣传力度，增加项目开展次数"]
    assert signal.lost == 4.0 and not signal.stated
    assert "51.8%" in signal.message and "391.95→188.97" in signal.message
    # 党群综合服务 was cut by 27.7% but missed no quantity row: no signal
    assert implied[0].projects == ["文体事务管理"]


def test_budget_cut_joins_a_stated_funding_cause(sample: LoadResult) -> None:
    reasons = dict(SAMPLE_REASONS)
    reasons[("文体事务管理", "开展小型文化活动")] = [("因年中预算调减", "cause", "c_fund")]
    reasons[("文体事务管理", "加大府城文化宣传力度，增加项目开展次数")] = [("经费压减", "cause", "c_fund")]
    causes = [*SAMPLE_CAUSES, Cause("c_fund", "预算调减", "预算调减", ["调减"], 2, [])]
    _, ranked, _ = _rank(sample.forms, reasons=reasons, causes=causes)
    assert not any(e.implied for e in ranked)
    fund = next(e for e in ranked if e.cause_id == "c_fund")
    assert [s.stated for s in fund.signals] == [True]


def test_year_over_year_movement(sample: LoadResult) -> None:
    last_year = copy.deepcopy(sample.forms[2])
    last_year.year = 2023
    for ind in last_year.indicators:
        if ind.name == "保证活动及时开展":
            ind.score, ind.lost = 6.0, 0.0
            ind.reason = None
    _, ranked, _ = _rank([last_year, *sample.forms])
    sched = next(e for e in ranked if e.label == "场地人员安排调度")
    assert sched.years == [2023, 2024]
    assert sched.by_year == {2023: 1.0, 2024: 6.0}
    assert sched.movement == "2023年 1分 → 2024年 6分（较上年上升5分）"


def test_plans_per_systemic_cause_and_per_unit(sample: LoadResult) -> None:
    links, ranked, _ = _rank(sample.forms)
    plans = draft_plans(links, ranked)
    cause_plans = [p for p in plans if p.scope == "cause"]
    unit_plans = [p for p in plans if p.scope == "unit"]
    assert [p.cause_ids for p in cause_plans] == [[e.cause_id] for e in ranked if e.systemic]
    sched = cause_plans[0]
    assert sched.title == "关于“场地人员安排调度”问题的改进计划"
    assert len(sched.problems) == 4 and all("来源：" in p and "zhongshan_2024.txt" in p for p in sched.problems)
    assert sched.own_measures == ["需加强活动前期准备安排工作", "确保活动开展及时"]
    assert sched.standard_measures == load_catalogue().measures("场地人员安排调度") and sched.standard_measures
    assert sched.responsible == ["上海市松江区中山街道社区党群服务中心"] and sched.deadline == ""
    assert "文体事务管理：开展小型文化活动" in sched.indicators
    (unit,) = unit_plans
    assert unit.responsible == ["上海市松江区中山街道社区党群服务中心"]
    assert "扣13.5分" in unit.title
    # the same measure written on two rows appears once
    assert unit.own_measures.count("其运维工作需进一步完善") == 1
    assert any("预算调减" in a and "51.8%" in a for a in unit.analysis)
    assert set(load_catalogue().measures("预算调减")) <= set(unit.standard_measures)


def test_dedupe_measures() -> None:
    texts = ["需加强活动前期准备安排工作。", "加强培训", "有待进一步完善", "加强培训，提高能力", "需加强活动前期 准备安排工作"]
    assert dedupe_measures(texts) == ["需加强活动前期准备安排工作", "加强培训，提高能力"]
    assert not load_catalogue().substantive("需要进一步完善。") and load_catalogue().substantive("其运维工作需进一步完善")


def test_catalogue_matches_by_category_then_words() -> None:
    cat = load_catalogue()
    assert cat.match("x", "场地人员安排调度", []) == "场地人员安排调度"
    assert cat.match("采购流程长导致延误", None, []) == "采购招标延误"
    assert cat.match("莫名其妙", None, []) is None
    assert cat.signal_category("budget_cut") == "预算调减"


def _target(targets, project: str, name: str):  # type: ignore[no-untyped-def]
    return next(t for t in targets if t.project == project and t.indicator == name)


def test_targets_for_every_indicator(sample: LoadResult) -> None:
    targets = suggest_targets(sample.forms, check_forms(sample.forms))
    assert len(targets) == 68 and all(t.suggestion and t.reason and t.actions for t in targets)


def test_target_direction_cost_cap_budget_cut_quantify(sample: LoadResult) -> None:
    targets = suggest_targets(sample.forms, check_forms(sample.forms))
    small = _target(targets, "文体事务管理", "开展小型文化活动")
    assert small.actions == ["direction", "budget_cut"]
    assert small.suggestion == "≥30.00(场)" and "“≥”" in small.reason and "51.8%" in small.reason
    cap = _target(targets, "文体事务管理", "基层文化活动7项活动成本")
    assert cap.actions == ["cost_benchmark"] and "分毫不差" in cap.reason and cap.suggestion.startswith("≤")
    capped = {t.indicator for t in targets if "cost_benchmark" in t.actions}
    assert capped == {"中山幸福里整年的物业管理项目成本", "辖区内116名两新党组织书记工作经费成本", "基层文化活动7项活动成本",
                      "对辖区内室外健身点进行管理成本", "非遗主题活动成本", "探望社区骨干人员生病住院费用成本",
                      "272名社区工作者及居民区书记全年人员经费"}
    good = _target(targets, "社区自治管理", "保证活动高质量开展")
    assert good.actions == ["quantify"] and "良好" in good.reason and "%" in good.suggestion
    loose = _target(targets, "党群综合服务", "22个居民区党组织党建工作活动成本")
    assert loose.actions == ["tighten_cost"] and loose.suggestion == "≤15000.00(元/年/居民区)"
    kept = _target(targets, "社区自治管理", "走访慰问次数")
    assert kept.actions == ["keep"] and kept.suggestion == "≥22.00(次)"


def test_target_missed_by_several_units_and_exceeded_by_far(sample: LoadResult) -> None:
    a = copy.deepcopy(sample.forms[1])
    b = copy.deepcopy(sample.forms[1])
    b.unit = "另一个街道文体中心"
    for ind in b.indicators:
        if ind.name == "更新健身点6个":
            ind.target = replace(ind.target, value=50.0, raw="≥50.00(%)")
            ind.actual = replace(ind.actual, value=100.0, raw="100.00(%)")
    targets = suggest_targets([a, b], check_forms([a, b]))
    missed = [t for t in targets if t.indicator == "开展小型文化活动"]
    assert all("lower_split" in t.actions and "2个单位" in t.reason for t in missed)
    far = next(t for t in targets if t.unit == "另一个街道文体中心" and t.indicator == "更新健身点6个")
    assert far.actions == ["raise"] and far.suggestion == "≥100.00(%)"


def test_budget_cut_from_a_finding_without_reason_text(sample: LoadResult) -> None:
    """Targets read the budget_cut finding's data; nothing else about funds is recomputed."""
    form = sample.forms[1]
    cut = Finding("budget_cut", "info", form.project, form.unit, None, "", Source("x.txt"), 0,
                  data={"change_pct": -60.0, "initial": 10.0, "adjusted": 4.0})
    targets = suggest_targets([form], [cut])
    small = next(t for t in targets if t.indicator == "开展小型文化活动")
    # without the direction_suspect finding only the soft direction advice joins the budget cut
    assert small.actions == ["direction", "budget_cut"] and "60%" in small.reason
    assert "本年虽未因此扣分" in small.reason
    assert small.data["budget_change_pct"] == pytest.approx(-60.0)


def test_quantity_with_upper_bound_not_penalised_gets_soft_direction_advice(sample: LoadResult) -> None:
    targets = suggest_targets(sample.forms, check_forms(sample.forms))
    heritage = _target(targets, "文体事务管理", "非遗主题活动")
    assert heritage.actions == ["direction"] and heritage.suggestion == "≥7.00(场)"
    assert "本年虽未因此扣分" in heritage.reason
    # a cost cap with ≤ is the right direction: no direction advice there
    cost = _target(targets, "文体事务管理", "非遗主题活动成本")
    assert "direction" not in cost.actions


def test_target_advice_keeps_only_what_changes_and_reads_like_a_list(sample: LoadResult) -> None:
    """Rows with nothing to change are rebuilt when read: every way of reading gives the same
    suggestions, and `changed` is exactly the ones that change something, in row order."""
    advice = suggest_targets(sample.forms, check_forms(sample.forms))
    rows = list(advice)
    assert len(rows) == len(advice) == 68
    assert [advice[i] for i in range(len(advice))] == rows == advice[:] and advice[-1] == rows[-1]
    assert advice[10:20:3] == rows[10:20:3]
    assert list(advice.changed) == [t for t in rows if t.actions != ["keep"]] == advice.changed[:]
    assert [tuple(t.actions) for t in advice.changed] == list(advice.changed.actions())
    kept = [t for t in rows if t.actions == ["keep"]]
    assert kept and len(advice.changed) + len(kept) == 68
    assert all(t.suggestion == t.target and t.reason.startswith("本年度已完成") for t in kept)
    # findings.json lists the kept rows by position: exactly the rows not changed, in order
    assert advice.kept_rows() == [(t.form_index, t.indicator_index) for t in kept]
    # ... and the changed ones by position too, with what changes (the row's fields are in `forms`)
    assert advice.to_dict()["changed"] == [
        {"form_index": t.form_index, "indicator_index": t.indicator_index, "indicator": t.indicator,
         "actions": t.actions, "action_labels": t.action_labels, "suggestion": t.suggestion, "reason": t.reason,
         "data": t.data} for t in advice.changed]
    assert [(t.form_index, t.indicator_index) for t in rows] == [
        (fi, ii) for fi, f in enumerate(sample.forms) for ii in range(len(f.indicators))]
    with pytest.raises(IndexError):
        advice[68]
