"""Cause mining on the sample (the issue's acceptance checks) and on texts in the style of real forms."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from reason_miner import LoadResult
from reason_miner.cause_model import Taxonomy
from reason_miner.clauses import analyse_text
from reason_miner.mine import CauseMiner, extract_reasons, mine_causes, mine_reasons, reasons_from_texts
from reason_miner.results import CauseResult, ReasonAnalysis
from reason_miner.vocab import corpora_dir


@pytest.fixture(scope="module")
def mined(sample: LoadResult) -> CauseResult:
    return mine_causes(sample.forms)


def by_indicator(result: CauseResult, name: str) -> ReasonAnalysis:
    return next(r for r in result.reasons if r.indicator == name)


def cause_of(result: CauseResult, indicator: str, clause_start: str) -> str:
    r = by_indicator(result, indicator)
    clause = next(c for c in r.clauses if c.text.startswith(clause_start))
    assert clause.cause_id is not None
    return clause.cause_id


def test_sample_groups_as_a_person_would(mined: CauseResult) -> None:
    scheduling = {
        cause_of(mined, "开展小型文化活动", "小型文化活动因场地人员"),
        cause_of(mined, "加大府城文化宣传力度，增加项目开展次数", "府城文化推广活动因时间人员"),
        cause_of(mined, "保证活动高质量开展", "活动人员场地安排调度"),
        cause_of(mined, "保证活动及时开展", "活动人员场地安排调度"),
    }
    assert len(scheduling) == 1
    upkeep = {cause_of(mined, n, "幸福里") for n in ("为幸福里的正常运维提供保障", "为幸福里的持续正常运维提供保障")}
    assert len(upkeep) == 1
    rich = {
        cause_of(mined, "服务群众工作有实效", "服务群众项目"),
        cause_of(mined, "加大府城文化宣传力度，增加项目开展次数", "活动项目需要进一步丰富完善"),
        cause_of(mined, "保证活动高质量开展", "活动项目需更加丰富"),
    }
    assert len(rich) == 1 and rich != scheduling
    functions = {cause_of(mined, "提升党群阵地的服务力", "新建党群阵地"), cause_of(mined, "协助维护社会稳定", "居委会")}
    assert not functions & (scheduling | upkeep)
    assert len(by_indicator(mined, "加大府城文化宣传力度，增加项目开展次数").cause_ids) == 2
    assert len(by_indicator(mined, "保证活动高质量开展").cause_ids) == 2


def test_sample_labels_are_short_recognisable_and_stable(sample: LoadResult, mined: CauseResult) -> None:
    labels = {c.id: c.label for c in mined.causes}
    assert labels[cause_of(mined, "开展小型文化活动", "小型文化活动")] == "场地人员安排调度"
    assert all(2 <= len(c.label) <= 10 for c in mined.causes)
    again = mine_causes(sample.forms)
    assert [c.to_dict() for c in again.causes] == [c.to_dict() for c in mined.causes]
    assert [r.to_dict() for r in again.reasons] == [r.to_dict() for r in mined.reasons]
    reordered = mine_causes(list(reversed(sample.forms)))  # input order does not rename causes
    assert {(c.id, c.label) for c in reordered.causes} == {(c.id, c.label) for c in mined.causes}


def test_mined_labels_come_from_the_clusters_own_words(sample: LoadResult) -> None:
    mined = mine_causes(sample.forms, taxonomy_weight=0.0, label_from_taxonomy=False)
    labels = {c.id: c.label for c in mined.causes}
    assert "安排调度" in labels[cause_of(mined, "开展小型文化活动", "小型文化活动")]
    assert labels[cause_of(mined, "服务群众工作有实效", "服务群众项目")] == "活动项目不够丰富"
    assert "运维" in labels[cause_of(mined, "为幸福里的正常运维提供保障", "幸福里")]
    assert all("幸福里" not in label for label in labels.values())  # no place names in labels


def test_vague_and_boilerplate_flags(mined: CauseResult) -> None:
    assert by_indicator(mined, "服务群众工作有实效").vague  # only a measure: 偏差原因分析不充分
    assert by_indicator(mined, "保证活动及时开展").vague
    assert not by_indicator(mined, "开展小型文化活动").vague
    assert not by_indicator(mined, "提升党群阵地的服务力").vague
    a, b = by_indicator(mined, "为幸福里的正常运维提供保障"), by_indicator(mined, "为幸福里的持续正常运维提供保障")
    assert a.boilerplate == [b.source] and b.boilerplate == [a.source] and a.boilerplate_count == 1
    assert by_indicator(mined, "开展小型文化活动").boilerplate == []


def test_repeated_texts_share_one_clause_list_with_their_causes(mined: CauseResult) -> None:
    a, b = by_indicator(mined, "为幸福里的正常运维提供保障"), by_indicator(mined, "为幸福里的持续正常运维提供保障")
    assert a.text == b.text and a.clauses is b.clauses  # one copy for every place the text appears
    assert a.cause_ids and a.cause_ids == b.cause_ids and a.source != b.source
    others = [r for r in mined.reasons if r.text != a.text]
    assert all(r.clauses is not a.clauses for r in others)


def test_sizes_count_clause_occurrences(mined: CauseResult) -> None:
    units = sum(len(analyse_text(r.text).units) for r in mined.reasons)
    assert sum(c.size for c in mined.causes) == units == 11  # the two 幸福里 texts count twice
    assert [c.size for c in mined.causes] == sorted((c.size for c in mined.causes), reverse=True)


def test_reasons_on_full_score_rows_are_kept(sample: LoadResult) -> None:
    form = sample.forms[0]
    full = replace(form.indicators[0], reason="因场地人员等原因，活动推迟", lost=0.0)
    forms = [replace(form, indicators=[full, *form.indicators[1:]])]
    refs = extract_reasons(forms)
    assert (0, 0) in {(r.form_index, r.indicator_index) for r in refs}
    assert len(refs) == 5 and all(r.text for r in refs)


def labelled() -> list[dict[str, str]]:
    with open(corpora_dir() / "labelled" / "reasons.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_labelled_corpus_is_broad() -> None:
    rows = labelled()
    assert len(rows) >= 150 and len({r["text"] for r in rows}) == len(rows)
    assert len({r["cause"] for r in rows}) >= 15
    assert {"教育", "卫生", "农业", "交通", "文化", "民政", "信息化", "建设"} <= {r["sector"] for r in rows}


def test_clear_groups_do_not_mix() -> None:
    texts = [
        "受疫情影响，线下培训未能开展",
        "因疫情防控需要，体检工作暂停",
        "由于疫情反复，实践活动多次推迟",
        "上级资金下达较晚，补助未能按期发放",
        "由于省级补助资金11月才下达，执行率偏低",
        "专项资金年底才下达，活动未能开展完毕",
    ]
    ids = CauseMiner(random_state=0, taxonomy_weight=0.0).fit_predict(texts)
    assert len(set(ids[:3])) == 1 and len(set(ids[3:])) == 1 and ids[0] != ids[3]


def test_unlisted_causes_surface_with_mined_names() -> None:
    rows = [r for r in labelled() if r["cause"] == "系统对接困难"]
    result = mine_reasons(reasons_from_texts([r["text"] for r in rows], "x.jsonl"))
    top = result.causes[0]
    assert top.category is None and 2 <= len(top.label) <= 10
    assert any(w in top.label for w in ("对接", "接口", "数据", "系统"))


def test_taxonomy_is_editable_data() -> None:
    taxonomy = Taxonomy.from_dict({"version": "test", "categories": [
        {"id": "x", "name": "疫情冲击", "seeds": ["疫情"]},
    ]})
    miner = CauseMiner(taxonomy=taxonomy)
    miner.fit(["受疫情影响，培训暂停", "因疫情防控需要，体检暂停", "因场地人员等原因"])
    names = {c.label for c in miner.causes_}
    assert "疫情冲击" in names
    assert miner.model_ is not None and miner.model_.summary["taxonomy_version"] == "test"


def test_big_inputs_fit_on_a_seeded_subset_and_stay_deterministic() -> None:
    texts = [r["text"] for r in labelled()] * 3
    a = CauseMiner(random_state=1, max_fit=40).fit_predict(texts)
    b = CauseMiner(random_state=1, max_fit=40).fit_predict(list(texts))
    assert a == b and len(a) == len(texts)
    assert a[:180] == a[180:360]  # the same text always gets the same cause
    miner = CauseMiner(random_state=1, max_fit=40).fit(texts)
    assert miner.model_ is not None and miner.model_.summary["fitted_units"] == 40
