"""Links of reasons that share a clause list (the miner gives every reason with the same text one
list): worked out once per list, yet each link is what its own reason and row say."""

from __future__ import annotations

import copy

from test_link import hand_causes

from reason_miner import LoadResult
from reason_miner.link import link_causes, total_lost_cents
from reason_miner.model import Form
from reason_miner.records import record
from reason_miner.results import CauseResult, Clause, ReasonAnalysis


def _share_clause_lists(causes: CauseResult) -> CauseResult:
    """The same reasons, those with the same text holding one clause list (as `mine_causes` gives)."""
    shared: dict[str, list[Clause]] = {}
    reasons = [copy.copy(r) for r in causes.reasons]
    for r in reasons:
        r.clauses = shared.setdefault(r.text, r.clauses)
    return CauseResult(reasons, causes.causes)


def _three_years(sample: LoadResult) -> list[Form]:
    forms = []
    for year in (2022, 2023, 2024):
        for f in copy.deepcopy(sample.forms):
            f.year = year
            forms.append(f)
    return forms


def test_shared_clause_lists_link_like_separate_ones(sample: LoadResult) -> None:
    forms = _three_years(sample)
    separate = hand_causes(forms)
    links = link_causes(forms, _share_clause_lists(separate))
    assert [lk.to_dict() for lk in links] == [lk.to_dict() for lk in link_causes(forms, separate)]
    # each link keeps its own row's values, not those of the first row with the same text
    assert sorted({lk.year for lk in links}) == [2022, 2023, 2024]
    assert len({(lk.form_index, lk.indicator_index) for lk in links}) == 3 * len(
        {(lk.form_index, lk.indicator_index) for lk in link_causes(sample.forms, hand_causes(sample.forms))})
    assert sum(lk.attributed_cents for lk in links) == total_lost_cents(forms) == 3 * 1350


def test_same_text_with_other_clauses_keeps_its_own_causes(sample: LoadResult) -> None:
    """Parts are worked out per clause list, not per text: a text split differently (another model,
    hand-made causes) gets its own causes."""
    forms = _three_years(sample)[:6]
    causes = hand_causes(forms)
    last = next(n for n, r in enumerate(causes.reasons) if r.indicator == "开展小型文化活动" and r.form_index >= 3)
    r = causes.reasons[last]
    causes.reasons[last] = ReasonAnalysis(r.project, r.unit, r.indicator, r.lost, r.text, False, [],
                                          [Clause(r.text, "cause", "c_content")], r.source, r.form_index,
                                          r.indicator_index)
    links = [lk for lk in link_causes(forms, causes) if lk.indicator == "开展小型文化活动"]
    assert [(lk.cause_id, lk.cause_text, lk.measures) for lk in links] == [
        ("c_sched", "小型文化活动因场地人员等原因", ["需加强活动前期准备安排工作"]),
        ("c_content", r.text, []),
    ]


def test_location_is_the_source_described_and_not_a_field(sample: LoadResult) -> None:
    links = link_causes(sample.forms, hand_causes(sample.forms))
    for lk in links:
        d = lk.to_dict()
        assert d["location"] == lk.location == lk.source.describe() and list(d)[-1] == "location"
        assert "location" not in record(lk)  # findings.json adds it, as to_dict does


def test_every_field_of_a_link_of_a_two_cause_row(sample: LoadResult) -> None:
    links = link_causes(sample.forms, hand_causes(sample.forms))
    lk = next(x for x in links if x.cause_id == "c_content" and x.indicator.startswith("加大府城"))
    d = lk.to_dict()
    assert d.pop("source")["line"] == 75 and d.pop("location").endswith("第1页 第75行")
    assert d == {
        "reason_index": 5, "cause_id": "c_content", "cause_label": "活动内容不够丰富", "category": "活动内容不够丰富",
        "project": "文体事务管理", "unit": "上海市松江区中山街道社区党群服务中心",
        "department": "上海市松江区人民政府中山街道办事处", "year": 2024,
        "level1": "产出指标", "level2": "数量指标", "indicator": "加大府城文化宣传力度，增加项目开展次数",
        "target": "≤10.00(场)", "actual": "5.00(场)", "weight": 6.0, "score": 4.0,
        "lost": 2.0, "points_involved": 2.0, "points_attributed": 1.0, "attributed_cents": 100,
        "reason": "府城文化推广活动因时间人员等因素，安排调度不够合理，活动项目需要进一步丰富完善",
        "cause_text": "活动项目需要进一步丰富完善", "measures": ["活动项目需要进一步丰富完善"],
        "vague": False, "boilerplate": 0, "form_index": 1, "indicator_index": 6,
    }
