"""findings.json's links and occurrences made faster: a link's `to_dict` reads each column once
(the same values, in the same order, as its properties); a row describes its location without a Source."""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest
from test_reports import build

from reason_miner.analyze import AnalysisResult
from reason_miner.load import LoadResult
from reason_miner.records import record


@pytest.fixture(scope="module")
def result(sample: LoadResult) -> AnalysisResult:
    return build(sample)


_PROPERTIES = ("reason_index", "cause_id", "cause_label", "category", "project", "unit", "department", "year",
               "level1", "level2", "indicator", "target", "actual", "weight", "score", "lost",
               "points_involved", "points_attributed", "attributed_cents", "reason", "cause_text", "measures",
               "vague", "boilerplate", "source", "form_index", "indicator_index", "location")


def test_link_columns_are_its_properties(result: AnalysisResult) -> None:
    """Every column of every link (rows with and without a reason text, several causes per row) is
    the link's property of that name, in the documented order."""
    first = result.links[0]
    no_text = [replace(first, reason_index=None, analysis=None),  # a row that lost points, no reason
               replace(first, reason_index=None, analysis=None, row=replace(first.row, reason=None, lost=None))]
    for lk in [*result.links, *no_text]:
        d = lk.to_dict()
        assert list(d) == list(_PROPERTIES)
        want = {k: getattr(lk, k) for k in _PROPERTIES}
        want["source"] = record(lk.source)
        assert d == want
        assert orjson.dumps(d) == orjson.dumps(want)
    assert [lk.to_dict()["vague"] for lk in no_text] == [True, True]
    assert no_text[1].to_dict()["reason"] == "" and no_text[1].to_dict()["lost"] == 0.0


def test_location_of_a_row_is_its_source_described(result: AnalysisResult) -> None:
    rows = [ind for f in result.forms for ind in f.indicators]
    variants = [replace(rows[0], sheet="表1", page=3, line=None), replace(rows[0], page=None, line=None)]
    for row in [*rows, *variants]:
        assert row.location == row.source.describe()
    assert variants[0].location.endswith("工作表「表1」 第3页")

