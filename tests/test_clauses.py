"""Clauses and roles of reason texts, from the sample and in the style of real forms."""

from __future__ import annotations

from reason_miner.clauses import analyse_text, focus_words, split_clauses


def roles(text: str) -> list[tuple[str, str]]:
    return [(c.role, c.text) for c in analyse_text(text).clauses]


def test_cause_effect_measure_of_the_domain_example() -> None:
    text = "小型文化活动因场地人员等原因，开展次数未达标，需加强活动前期准备安排工作"
    assert roles(text) == [
        ("cause", "小型文化活动因场地人员等原因"),
        ("effect", "开展次数未达标"),
        ("measure", "需加强活动前期准备安排工作"),
    ]
    a = analyse_text(text)
    assert not a.vague
    assert [u.focus for u in a.units] == [("场地", "人员")]  # the cause after 因, not the activity


def test_two_causes_in_one_text() -> None:
    a = analyse_text("府城文化推广活动因时间人员等因素，安排调度不够合理，活动项目需要进一步丰富完善")
    assert [c.role for c in a.clauses] == ["cause", "cause", "measure"]
    assert [u.clauses for u in a.units] == [(0, 1), (2,)]  # the chained cause, then the implied one
    assert a.units[1].implied and not a.units[0].implied
    assert not a.vague


def test_measure_only_texts_are_vague_but_imply_a_cause() -> None:
    a = analyse_text("服务群众项目需进一步丰富完善")
    assert a.vague
    assert [c.role for c in a.clauses] == ["measure"]
    assert a.units[0].implied and "丰富" in a.units[0].focus
    b = analyse_text("活动人员场地安排调度需要进一步完善，确保活动开展及时")
    assert b.vague and len(b.units) == 1  # "确保活动开展及时" names no problem
    assert {"人员", "场地", "安排", "调度"} <= set(b.units[0].focus)


def test_bare_measure_has_no_cause_unit() -> None:
    a = analyse_text("需进一步完善")
    assert a.vague and a.units == ()


def test_pronoun_measure_continues_its_cause() -> None:
    a = analyse_text("幸福里活动场所逐渐增多，其运维工作需进一步完善")
    assert [c.role for c in a.clauses] == ["cause", "measure"]
    assert len(a.units) == 1 and a.units[0].clauses == (0, 1)
    assert "运维" in a.units[0].focus and not a.vague


def test_new_facility_text() -> None:
    assert roles("新建党群阵地功能尚不成熟，有待进一步完善") == [
        ("cause", "新建党群阵地功能尚不成熟"),
        ("measure", "有待进一步完善"),
    ]


def test_numbered_causes_are_separate_and_consequences_are_effects() -> None:
    a = analyse_text("1、资金下达较晚；2、招标采购流程较长，导致项目进度滞后。今后将提前谋划。")
    assert [c.role for c in a.clauses] == ["cause", "cause", "effect", "measure"]
    assert [u.text for u in a.units] == ["资金下达较晚", "招标采购流程较长"]
    b = analyse_text("受台风影响，部分高标准农田工程停工，建设进度滞后")
    assert [c.role for c in b.clauses] == ["cause", "effect", "effect"]
    assert b.units[0].focus == ("台风",)


def test_split_keeps_enumeration_commas_inside_a_clause() -> None:
    assert split_clauses("居委会、社区功能需要进一步完善，更好地维护社会的稳定和谐") == [
        "居委会、社区功能需要进一步完善",
        "更好地维护社会的稳定和谐",
    ]
    assert split_clauses("（1）人员不足；（2）场地紧张。") == ["人员不足", "场地紧张"]


def test_negations_stay_with_their_word() -> None:
    assert "未及时" in focus_words("因上级资金未及时到位，拨付延迟")
    assert "意愿不强" not in focus_words("农户购机意愿不强")  # split words …
    assert "不强" in focus_words("农户购机意愿不强")  # … but the negation is kept


def test_demand_lower_than_expected_is_a_cause() -> None:
    a = analyse_text("符合条件的申请人数少于预期，补贴发放人数未达到目标")
    assert [c.role for c in a.clauses] == ["cause", "effect"] and not a.vague


def test_therefore_is_not_because() -> None:
    a = analyse_text("资金到位较晚，因此项目延期")
    assert [c.role for c in a.clauses] == ["cause", "effect"]
