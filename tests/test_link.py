"""The links table: every reason × cause with its indicator, points and source; exact point split.

`hand_causes` builds the mined causes of the sample by hand (as a finance officer would read the
texts), so that link/advise/report tests do not depend on the miner; other test files import it.
"""

from __future__ import annotations

import copy
from dataclasses import replace

from reason_miner import LoadResult
from reason_miner.link import UNSTATED_CAUSE_ID, link_causes, split_cents, total_lost_cents
from reason_miner.model import Form
from reason_miner.results import OTHER_CAUSE_ID, Cause, CauseResult, Clause, ReasonAnalysis

ClauseSpec = list[tuple[str, str, str | None]]

SAMPLE_REASONS: dict[tuple[str, str], ClauseSpec] = {
    ("党群综合服务", "服务群众工作有实效"): [("服务群众项目需进一步丰富完善", "measure", None)],
    ("党群综合服务", "为幸福里的正常运维提供保障"): [
        ("幸福里活动场所逐渐增多", "cause", "c_maint"), ("其运维工作需进一步完善", "measure", None)],
    ("党群综合服务", "提升党群阵地的服务力"): [
        ("新建党群阵地功能尚不成熟", "cause", "c_new"), ("有待进一步完善", "measure", None)],
    ("党群综合服务", "为幸福里的持续正常运维提供保障"): [
        ("幸福里活动场所逐渐增多", "cause", "c_maint"), ("其运维工作需进一步完善", "measure", None)],
    ("文体事务管理", "开展小型文化活动"): [
        ("小型文化活动因场地人员等原因", "cause", "c_sched"), ("开展次数未达标", "effect", None),
        ("需加强活动前期准备安排工作", "measure", None)],
    ("文体事务管理", "加大府城文化宣传力度，增加项目开展次数"): [
        ("府城文化推广活动因时间人员等因素，安排调度不够合理", "cause", "c_sched"),
        ("活动项目需要进一步丰富完善", "measure", "c_content")],
    ("社区自治管理", "保证活动高质量开展"): [
        ("活动人员场地安排调度需要进一步完善", "cause", "c_sched"), ("活动项目需更加丰富", "cause", "c_content")],
    ("社区自治管理", "保证活动及时开展"): [
        ("活动人员场地安排调度需要进一步完善", "cause", "c_sched"), ("确保活动开展及时", "measure", None)],
    ("社区自治管理", "协助维护社会稳定"): [
        ("居委会、社区功能需要进一步完善", "cause", "c_func"), ("更好地维护社会的稳定和谐", "measure", None)],
}

SAMPLE_CAUSES = [
    Cause("c_sched", "场地人员安排调度", "场地人员安排调度", ["场地", "人员", "调度"], 4, ["活动人员场地安排调度需要进一步完善"]),
    Cause("c_content", "活动内容不够丰富", "活动内容不够丰富", ["丰富"], 2, ["活动项目需更加丰富"]),
    Cause("c_maint", "运维跟不上", "运维跟不上", ["运维"], 2, ["幸福里活动场所逐渐增多"]),
    Cause("c_new", "新建阵地功能不成熟", "新建阵地功能不成熟", ["新建"], 1, ["新建党群阵地功能尚不成熟"]),
    Cause("c_func", "职能功能有待完善", "职能功能有待完善", ["职能"], 1, ["居委会、社区功能需要进一步完善"]),
    Cause(OTHER_CAUSE_ID, "其他/新原因", None, [], 0, []),
]


def hand_causes(
    forms: list[Form], reasons: dict[tuple[str, str], ClauseSpec] | None = None, causes: list[Cause] | None = None
) -> CauseResult:
    """Reasons of `forms` split as listed; any other reason text is one clause of 其他/新原因."""
    spec_of = SAMPLE_REASONS if reasons is None else reasons
    out = []
    for fi, f in enumerate(forms):
        for ii, ind in enumerate(f.indicators):
            if not ind.reason:
                continue
            spec = spec_of.get((f.project or "", ind.name), [(ind.reason, "cause", OTHER_CAUSE_ID)])
            clauses = [Clause(t, r, c) for t, r, c in spec]  # type: ignore[arg-type]
            vague = not any(c.role == "cause" for c in clauses)
            out.append(ReasonAnalysis(f.project, f.unit, ind.name, ind.lost, ind.reason, vague, [], clauses,
                                      ind.source, fi, ii))
    # fresh copies: a test that encodes them (orjson gives a dataclass it reads a __dict__) leaves the others' alone
    return CauseResult(out, [replace(c) for c in (SAMPLE_CAUSES if causes is None else causes)])


def test_split_cents_is_exact_and_deterministic() -> None:
    assert split_cents(200, 3) == [67, 67, 66]
    assert split_cents(50, 2) == [25, 25]
    assert split_cents(1, 3) == [1, 0, 0]
    for total in range(0, 301, 7):
        for parts in range(1, 6):
            shares = split_cents(total, parts)
            assert sum(shares) == total and max(shares) - min(shares) <= 1


def test_sample_links_add_up_to_points_lost(sample: LoadResult) -> None:
    links = link_causes(sample.forms, hand_causes(sample.forms))
    assert total_lost_cents(sample.forms) == 1350
    assert sum(lk.attributed_cents for lk in links) == 1350
    # per row: the shares of its causes add up to what the row lost
    rows: dict[tuple[int, int], int] = {}
    for lk in links:
        rows[(lk.form_index, lk.indicator_index)] = rows.get((lk.form_index, lk.indicator_index), 0) + lk.attributed_cents
    for (fi, ii), cents in rows.items():
        assert cents == round((sample.forms[fi].indicators[ii].lost or 0) * 100)
    # points involved count once per cause: scheduling 4 rows × 2 points
    sched = [lk for lk in links if lk.cause_id == "c_sched"]
    assert len(sched) == 4 and sum(lk.points_involved for lk in sched) == 8.0
    assert sum(lk.points_attributed for lk in sched) == 6.0  # two rows shared with another cause


def test_link_carries_indicator_levels_and_source(sample: LoadResult) -> None:
    links = link_causes(sample.forms, hand_causes(sample.forms))
    lk = next(x for x in links if x.indicator == "开展小型文化活动")
    assert (lk.project, lk.level1, lk.level2, lk.year) == ("文体事务管理", "产出指标", "数量指标", 2024)
    assert lk.unit == "上海市松江区中山街道社区党群服务中心"
    assert lk.department == "上海市松江区人民政府中山街道办事处"
    assert (lk.target, lk.actual, lk.weight, lk.score, lk.lost) == ("≤30.00(场)", "17.00(场)", 6.0, 4.0, 2.0)
    assert lk.source.file.endswith("zhongshan_2024.txt") and lk.source.line == 74
    assert lk.location.endswith("第74行")
    assert lk.cause_text == "小型文化活动因场地人员等原因"
    assert lk.measures == ["需加强活动前期准备安排工作"]


def test_measures_tied_to_another_cause_stay_with_it(sample: LoadResult) -> None:
    links = link_causes(sample.forms, hand_causes(sample.forms))
    row = [x for x in links if x.indicator == "加大府城文化宣传力度，增加项目开展次数"]
    by_cause = {x.cause_id: x for x in row}
    assert by_cause["c_sched"].measures == []
    assert by_cause["c_content"].measures == ["活动项目需要进一步丰富完善"]


def test_uneven_split_and_unstated_causes(sample: LoadResult) -> None:
    forms = copy.deepcopy(sample.forms[1:2])
    small = next(i for i in forms[0].indicators if i.name == "开展小型文化活动")
    small.reason = "因场地、经费、天气等原因"
    other = next(i for i in forms[0].indicators if i.name == "加大府城文化宣传力度，增加项目开展次数")
    other.reason = None  # lost 2 points, no reason written
    reasons: dict[tuple[str, str], ClauseSpec] = {
        ("文体事务管理", "开展小型文化活动"): [("场地", "cause", "a"), ("经费", "cause", "b"), ("天气", "cause", "c")]}
    causes = [Cause(x, x, None, [], 1, []) for x in "abc"]
    links = link_causes(forms, hand_causes(forms, reasons, causes))
    three = [lk for lk in links if lk.indicator == "开展小型文化活动"]
    assert [lk.attributed_cents for lk in three] == [67, 67, 66]
    assert [lk.points_involved for lk in three] == [2.0, 2.0, 2.0]
    unstated = [lk for lk in links if lk.cause_id == UNSTATED_CAUSE_ID]
    assert [(lk.indicator, lk.points_attributed, lk.reason, lk.vague) for lk in unstated] == [
        ("加大府城文化宣传力度，增加项目开展次数", 2.0, "", True)]
    assert sum(lk.attributed_cents for lk in links) == total_lost_cents(forms) == 400


def test_vague_reason_without_cause_is_unstated(sample: LoadResult) -> None:
    links = link_causes(sample.forms, hand_causes(sample.forms))
    lk = next(x for x in links if x.indicator == "服务群众工作有实效")
    assert (lk.cause_id, lk.cause_label, lk.vague, lk.points_attributed) == (UNSTATED_CAUSE_ID, "未说明原因", True, 1.0)


def test_boilerplate_counts_every_other_place_not_the_listed_ones(sample: LoadResult) -> None:
    from reason_miner.mine import BOILERPLATE_PLACES, mine_causes

    forms = [copy.deepcopy(f) for _ in range(8) for f in sample.forms]  # every text in 8 places
    causes = mine_causes(forms)
    links = [lk for lk in link_causes(forms, causes) if lk.indicator == "开展小型文化活动"]
    assert len(links) >= 8
    assert all(lk.boilerplate == 7 for lk in links)  # not capped at the places listed
    reason = causes.reasons[links[0].reason_index or 0]
    assert len(reason.boilerplate) == BOILERPLATE_PLACES < 7 == reason.boilerplate_count
