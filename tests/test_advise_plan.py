"""Draft plans on a batch where units and causes recur: measures de-duplicated by containment, the
lines a row shows in its cause's plan and its unit's plan, units' causes ordered by points."""

from __future__ import annotations

import copy

from test_link import hand_causes

from reason_miner import LoadResult
from reason_miner.advise_plan import Plan, dedupe_measures, draft_plans, load_catalogue
from reason_miner.checks import check_forms
from reason_miner.link import Link, link_causes
from reason_miner.model import Form
from reason_miner.systemic import SystemicCause, rank_systemic


def _contained_reference(texts: list[str]) -> list[str]:
    """The rule spelled out pair by pair: a measure whose key is inside another's key is dropped."""
    cat = load_catalogue()
    seen: dict[str, str] = {}
    for t in texts:
        k = cat.measure_key(t)
        if k and k not in seen:
            seen[k] = t.strip("，。；;, ")
    return [t for k, t in seen.items() if not any(k != o and k in o for o in seen)]


def test_dedupe_drops_measures_inside_longer_ones_wherever_they_sit() -> None:
    texts = [
        "提高能力", "加强培训，提高能力", "加强培训", "提高能力建设水平", "加强培训培训",
        "做好宣传", "做好宣传。", "及时", "确保活动开展及时", "加强", "有待进一步完善",
    ]
    got = dedupe_measures(texts)
    assert got == ["加强培训，提高能力", "提高能力建设水平", "加强培训培训", "做好宣传", "确保活动开展及时"]
    assert got == _contained_reference(texts)
    # order of first sight kept; a key repeated inside one longer key still drops the shorter one
    assert dedupe_measures(["培训", "加强培训再培训"]) == ["加强培训再培训"]
    assert dedupe_measures(["加强培训再培训", "培训"]) == ["加强培训再培训"]
    assert dedupe_measures([]) == []


def recurring_batch(sample: LoadResult, units: int) -> tuple[list[Form], list[Link], list[SystemicCause], list[Plan]]:
    """The sample's unit `units` times over, as that many units: forms, links, ranked causes, plans."""
    forms = []
    for n in range(units):
        for f in copy.deepcopy(sample.forms):
            f.unit = f"{f.unit}{n}"
            forms.append(f)
    causes = hand_causes(forms)
    links = link_causes(forms, causes)
    ranked = rank_systemic(forms, links, causes, check_forms(forms))
    return forms, links, ranked, draft_plans(links, ranked)


def test_plans_of_a_recurring_batch(sample: LoadResult) -> None:
    forms, links, ranked, plans = recurring_batch(sample, 4)
    cause_plans = [p for p in plans if p.scope == "cause"]
    unit_plans = [p for p in plans if p.scope == "unit"]
    assert [p.responsible for p in unit_plans] == [[f"上海市松江区中山街道社区党群服务中心{n}"] for n in range(4)]
    first = unit_plans[0]
    # every unit plan is the first one's, its unit aside
    for n, p in enumerate(unit_plans):
        assert p.title.replace(f"中心{n}", "中心0") == first.title
        assert (p.analysis, p.own_measures, p.standard_measures, p.indicators) == (
            first.analysis, first.own_measures, first.standard_measures, first.indicators)
        assert [x.replace(f"中心{n}", "中心0") for x in p.problems] == first.problems
    assert "扣13.5分" in first.title
    # causes by the points attributed to them, ties by label
    assert first.analysis[:6] == [
        "场地人员安排调度：涉及4项指标，归因扣分6分。", "活动内容不够丰富：涉及2项指标，归因扣分2分。",
        "职能功能有待完善：涉及1项指标，归因扣分2分。", "运维跟不上：涉及2项指标，归因扣分1.5分。",
        "新建阵地功能不成熟：涉及1项指标，归因扣分1分。", "未说明原因：涉及1项指标，归因扣分1分。"]
    assert first.cause_ids == ["c_sched", "c_content", "c_func", "c_maint", "c_new", "unstated"]
    assert first.analysis[6].startswith("校验信号：「文体事务管理」全年预算较年初调减51.8%")
    # a cause plan lists the rows of all four units; its rows' lines are those of the unit plans
    sched = next(p for p in cause_plans if p.cause_ids == ["c_sched"])
    assert len(sched.problems) == 16 and len(sched.indicators) == 4
    assert set(sched.problems) <= {x for p in unit_plans for x in p.problems}
    assert sched.standard_measures == load_catalogue().measures("场地人员安排调度")
    assert sched.standard_measures is not next(p for p in cause_plans if p is not sched).standard_measures
