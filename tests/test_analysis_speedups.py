"""The shortcuts of the analysis stages give what the plain computations give: rounding memoised per
value, the form's column sums in one pass, each cause part's measures read once per plan."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_advise_plan import recurring_batch

from reason_miner import LoadResult
from reason_miner import checks as checks_module
from reason_miner.advise_plan import _rows, _Texts, dedupe_measures, load_catalogue


@pytest.mark.parametrize("value", [0.125, 2.675, 96.499999, 1e-9, -0.001, -12.345, 0.0, -0.0, 5, 100.005])
def test_rounding_memo_is_round_to_the_cent(value: float) -> None:
    """Same value, sign and type as `round(v, 2)`, also when asked again (the memo answers then)."""
    for _ in range(2):
        got = checks_module._r(value)
        assert got == round(value, 2) and type(got) is type(round(value, 2))
        assert str(got) == str(round(value, 2))  # -0.0 stays -0.0, 0.0 stays 0.0
    assert str(checks_module._r(0.0)) == "0.0" and str(checks_module._r(-0.0)) == "-0.0"


def test_column_sums_add_as_sum_does(sample: LoadResult) -> None:
    form = max(sample.forms, key=lambda f: len(f.indicators))
    rows = form.indicators
    assert checks_module._column_sums(rows) == (sum(i.weight for i in rows if i.weight is not None),
                                                sum(i.score for i in rows if i.score is not None))
    assert all(i.weight is not None and i.score is not None for i in rows)
    weights, scores = checks_module._column_sums([replace(rows[0], score=None), *rows[1:]])
    assert weights == sum(i.weight for i in rows if i.weight is not None) and scores is None
    assert checks_module._column_sums([]) == (None, None)


def test_reason_text_of_no_text_is_none() -> None:
    assert not checks_module._is_reason_text(None) and not checks_module._is_reason_text("")
    assert checks_module._is_reason_text("因场地调整活动推迟")


def test_plan_measures_read_each_part_once_as_every_row(sample: LoadResult) -> None:
    """A unit plan's own measures are those of all its rows' measures de-duplicated in row order."""
    _, links, _, plans = recurring_batch(sample, 3)
    rows = _rows(links)
    every_row = dedupe_measures([m for lk in rows.values() for m in lk.part.measures], load_catalogue())
    assert every_row and _Texts(load_catalogue()).measures_of(rows) == every_row
    unit_links = [lk for lk in links if lk.form.unit == plans[-1].responsible[0]]
    assert plans[-1].own_measures == dedupe_measures(
        [m for lk in _rows(unit_links).values() for m in lk.part.measures], load_catalogue())
