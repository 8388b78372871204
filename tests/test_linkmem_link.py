"""Links store references, not copies: every column is read through the link's form, row, reason
analysis and cause part, and findings.json's `links` rows (`to_dict`) keep their keys, order and
values."""

from __future__ import annotations

import copy

from test_link import hand_causes

from reason_miner import LoadResult
from reason_miner.link import UNSTATED_CAUSE_ID, Link, link_causes
from reason_miner.model import Form
from reason_miner.records import record

# findings.json's `links` columns, in order
COLUMNS = [
    "reason_index", "cause_id", "cause_label", "category", "project", "unit", "department", "year", "level1",
    "level2", "indicator", "target", "actual", "weight", "score", "lost", "points_involved", "points_attributed",
    "attributed_cents", "reason", "cause_text", "measures", "vague", "boilerplate", "source", "form_index",
    "indicator_index", "location",
]


def _years(sample: LoadResult, years: tuple[int, ...] = (2023, 2024)) -> list[Form]:
    forms = []
    for year in years:
        for f in copy.deepcopy(sample.forms):
            f.year = year
            forms.append(f)
    return forms


def test_every_column_reads_through_the_links_references(sample: LoadResult) -> None:
    causes = hand_causes(sample.forms)
    links = link_causes(sample.forms, causes)
    assert links and all(not hasattr(lk, "__dict__") for lk in links)  # slotted: no instance dict
    for lk in links:
        form, row = sample.forms[lk.form_index], sample.forms[lk.form_index].indicators[lk.indicator_index]
        assert lk.form is form and lk.row is row
        reason = None if lk.reason_index is None else causes.reasons[lk.reason_index]
        assert lk.analysis is reason
        d = lk.to_dict()
        assert list(d) == COLUMNS
        lost = round(row.lost * 100) / 100 if row.lost and row.lost > 0 else 0.0
        assert d == {
            "reason_index": lk.reason_index, "cause_id": lk.cause_id, "cause_label": lk.part.label,
            "category": lk.part.category, "project": form.project, "unit": form.unit,
            "department": form.department, "year": form.year, "level1": row.level1, "level2": row.level2,
            "indicator": row.name, "target": row.target.raw, "actual": row.actual.raw, "weight": row.weight,
            "score": row.score, "lost": lost, "points_involved": lost,
            "points_attributed": lk.attributed_cents / 100, "attributed_cents": lk.attributed_cents,
            "reason": reason.text if reason else row.reason or "", "cause_text": lk.part.cause_text,
            "measures": lk.part.measures, "vague": reason.vague if reason else True,
            "boilerplate": reason.boilerplate_count if reason else 0, "source": record(row.source),
            "form_index": lk.form_index, "indicator_index": lk.indicator_index, "location": row.source.describe(),
        }
        # the attributes the report writers read are the same values
        assert {k: getattr(lk, k) for k in COLUMNS if k != "source"} == {k: v for k, v in d.items() if k != "source"}
        assert lk.source == row.source  # the row's location (a Source built when asked)


def test_a_row_without_reason_text_links_as_unstated(sample: LoadResult) -> None:
    forms = copy.deepcopy(sample.forms)
    causes = hand_causes(forms)
    drop = causes.reasons[0]
    causes.reasons.pop(0)  # the row keeps its loss but no longer has an analysed reason
    links = [lk for lk in link_causes(forms, causes)
             if (lk.form_index, lk.indicator_index) == (drop.form_index, drop.indicator_index)]
    assert [(lk.cause_id, lk.reason_index, lk.analysis, lk.vague, lk.boilerplate) for lk in links] == [
        (UNSTATED_CAUSE_ID, None, None, True, 0)]
    assert links[0].reason == (forms[drop.form_index].indicators[drop.indicator_index].reason or "")


def test_parts_with_the_same_content_are_one_object(sample: LoadResult) -> None:
    """Each year's reasons have clause lists of their own, yet their links share one part per cause
    text: a province's ~100k clause lists hold a few thousand distinct parts."""
    forms = _years(sample)
    links = link_causes(forms, hand_causes(forms))
    by_content: dict[tuple[str, str, tuple[str, ...]], set[int]] = {}
    for lk in links:
        by_content.setdefault((lk.cause_id, lk.cause_text, tuple(lk.measures)), set()).add(id(lk.part))
    assert all(len(ids) == 1 for ids in by_content.values())
    assert len({id(lk.part) for lk in links}) == len(by_content) < len(links)
    # a year's link reads its own row, not that of the other year sharing the part
    assert {lk.year for lk in links} == {2023, 2024}


def test_shares_of_a_row_add_up_and_equal_shares_are_one_int(sample: LoadResult) -> None:
    forms = _years(sample, (2022, 2023, 2024))
    for f in forms:
        for ind in f.indicators:
            if ind.lost and ind.lost > 0:
                ind.lost = 6.01  # shares beyond CPython's cached small ints: 601, or 301 + 300
    links = link_causes(forms, hand_causes(forms))
    rows: dict[tuple[int, int], list[Link]] = {}
    for lk in links:
        rows.setdefault((lk.form_index, lk.indicator_index), []).append(lk)
    for group in rows.values():
        assert sum(lk.attributed_cents for lk in group) == round(group[0].lost * 100)
    big = [lk.attributed_cents for lk in links if lk.attributed_cents > 256]
    assert big and len({id(c) for c in big}) == len(set(big))
