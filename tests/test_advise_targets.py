"""Target advice kept compactly: rows sharing a Target/Actual object, the changed-rows arrays, edge cases."""

from __future__ import annotations

import copy
from dataclasses import replace

from reason_miner import LoadResult
from reason_miner.advise_targets import TargetSuggestion, suggest_targets
from reason_miner.checks import check_forms
from reason_miner.model import Form, Indicator, Source


def _unshared(forms: list[Form]) -> list[Form]:
    """The same forms with every row holding its own Target and Actual objects."""
    return [replace(f, indicators=[replace(i, target=copy.copy(i.target), actual=copy.copy(i.actual))
                                   for i in f.indicators]) for f in forms]


def _edit(form: Form, **rows: dict[str, object]) -> Form:
    """A copy of `form` whose rows (by name) get the given fields; Target/Actual objects stay shared."""
    return replace(form, indicators=[replace(i, **rows.get(i.name, {})) for i in form.indicators])  # type: ignore[arg-type]


def _by_name(targets: list[TargetSuggestion], unit: str, name: str) -> TargetSuggestion:
    return next(t for t in targets if t.unit == unit and t.indicator == name)


def test_rows_sharing_a_target_get_what_their_own_row_says(sample: LoadResult) -> None:
    """Advice is decided once per distinct target/actual and row facts: rows holding the same
    Target and Actual objects but missed or not, cost or quantity, get their own suggestions,
    exactly as when no object is shared."""
    missed = {"lost": 2.0, "score": 4.0}
    a = _edit(sample.forms[1], 市民群众的参与度高=missed)
    quantity = {"level1": "产出指标", "level2": "数量指标"}
    b = _edit(replace(a, unit="另一个街道文体中心"), 开展小型文化活动={"lost": 0.0, "score": 6.0},
              基层文化活动7项活动成本=quantity, **{"全民健身理念，购买健身器材，打在硬件完善室内的健身点(室内2个点位)": quantity})
    forms = [a, b, sample.forms[2]]
    assert a.indicators[0].target is b.indicators[0].target  # shared, as interning shares them
    shared = list(suggest_targets(forms, check_forms(forms)))
    alone = list(suggest_targets(_unshared(forms), check_forms(forms)))
    assert [t.to_dict() for t in shared] == [t.to_dict() for t in alone]

    unit_a, unit_b = a.unit or "", "另一个街道文体中心"
    small_a, small_b = (_by_name(shared, u, "开展小型文化活动") for u in (unit_a, unit_b))
    assert small_a.actions == ["direction", "budget_cut"] and small_b.actions == ["direction"]
    assert "本年虽未因此扣分" in small_b.reason and "51.8%" in small_a.reason
    cap_a, cap_b = (_by_name(shared, u, "基层文化活动7项活动成本") for u in (unit_a, unit_b))
    assert cap_a.actions == ["cost_benchmark"] and cap_b.actions == ["keep"]
    gym = "全民健身理念，购买健身器材，打在硬件完善室内的健身点(室内2个点位)"
    assert _by_name(shared, unit_a, gym).actions == ["tighten_cost"] and _by_name(shared, unit_b, gym).actions == ["keep"]
    # one "良好" object: missed in two units (split), met elsewhere (quantify only)
    crowd = [t for t in shared if t.indicator == "市民群众的参与度高"]
    assert [t.actions for t in crowd] == [["quantify", "lower_split"]] * 2 and "2个单位" in crowd[0].reason
    good = [t for t in shared if t.target == "良好" and t.indicator != "市民群众的参与度高"]
    assert good and all(t.actions == ["quantify"] for t in good)


def test_changed_rows_are_arrays_over_distinct_changes(sample: LoadResult) -> None:
    """Rows ascend, each points at a change kept once, and every other row is kept."""
    forms = [replace(f, unit=f"{f.unit}{n}") for n in range(3) for f in sample.forms]
    advice = suggest_targets(forms, check_forms(forms))
    changed = advice._changed  # noqa: SLF001 - the compact form is what this test is about
    rows = list(changed.rows)
    assert rows == sorted(set(rows)) and len(rows) == len(advice.changed)
    assert len(changed.table) < len(rows) and all(0 <= k < len(changed.table) for k in changed.which)
    kept = set(range(len(advice))) - set(rows)
    assert [n for n in range(len(advice)) if changed.at(n) is None] == sorted(kept)
    assert len(advice.kept_rows()) == len(kept)
    assert list(advice.changed.actions()) == [changed.table[k][0] for k in changed.which]
    # the sample three times over (other units): each copy's rows get the same changes, kept once
    third = len(rows) // 3
    copies = [[changed.table[k] for k in changed.which[n * third:(n + 1) * third]] for n in range(3)]
    assert len(rows) == 3 * third and copies[0] == copies[1] == copies[2]
    assert len(changed.table) < 2 * len(set(changed.which[:third]))


def test_no_forms_and_forms_without_rows(sample: LoadResult) -> None:
    empty = suggest_targets([], [])
    assert len(empty) == 0 and list(empty) == [] and empty.kept_rows() == []
    assert empty.to_dict() == {"changed": [], "kept": [], "kept_reason": empty.to_dict()["kept_reason"]}
    assert list(empty.changed.actions()) == []
    blank = Form(Source("空表.txt"))
    forms = [blank, sample.forms[2], blank, blank, sample.forms[1], blank]
    advice = suggest_targets(forms, check_forms(forms))
    rows = list(advice)
    assert [(t.form_index, t.indicator_index) for t in rows] == [
        (fi, ii) for fi, f in enumerate(forms) for ii in range(len(f.indicators))]
    assert [advice[i] for i in range(len(advice))] == rows and advice.changed[:] == list(advice.changed)
    assert {t.form_index for t in advice.changed} == {1, 4}


def test_a_missed_row_before_the_others_still_counts_them(sample: LoadResult) -> None:
    """Missed rows are decided once every row is seen: the first unit's row counts the later ones."""
    a = sample.forms[1]
    forms = [a, *(replace(a, unit=f"第{n}个单位", indicators=[replace(i) for i in a.indicators]) for n in range(2, 4))]
    advice = suggest_targets(forms, check_forms(forms))
    first = next(t for t in advice if t.indicator == "开展小型文化活动")
    assert first.form_index == 0 and "lower_split" in first.actions and "3个单位" in first.reason
    assert isinstance(forms[0].indicators[0], Indicator)
