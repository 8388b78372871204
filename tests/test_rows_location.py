"""An indicator row keeps its location (file, page, sheet, line) as four fields of its own, with no
Source object per row, and every way out of the model still shows it as one "source" member after
"reason": to_dict, form_from_dict, packing, findings.json."""

from __future__ import annotations

import copy
import gc
import io
import pickle
from dataclasses import dataclass, field, replace

import orjson
from test_reports import build

from reason_miner.load import LoadResult
from reason_miner.model import Actual, Form, Indicator, Source, Target, form_from_dict
from reason_miner.packing import pack_forms, unpack_forms
from reason_miner.records import record
from reason_miner.report import json_out

ROW_KEYS = ["level1", "level2", "name", "target", "actual", "weight", "score", "lost", "reason", "source"]
SOURCE_KEYS = ["file", "page", "sheet", "line"]


def _workbook_form() -> Form:
    """A form from a workbook sheet and a PDF page: rows whose locations have a sheet and a page."""
    rows = [
        Indicator("产出指标", "数量指标", "举办活动场次", Target("≥12场", "≥", 12.0, "场"), Actual("10场", 10.0, "场"),
                  10.0, 8.0, 2.0, "因场地调整，部分活动取消", "自评表.xlsx", None, "1-党群综合服务", 15),
        Indicator("效益指标", "社会效益指标", "群众满意度", Target("≥90%", "≥", 90.0, "%"), Actual("95%", 95.0, "%"),
                  10.0, 10.0, 0.0, None, "自评表.pdf", 3, None, 41),
    ]
    return Form(Source("自评表.xlsx", None, "1-党群综合服务", 2), 2024, "党群服务项目", indicators=rows)


def _locations(forms: list[Form]) -> list[tuple[object, ...]]:
    return [(i.file, i.page, i.sheet, i.line) for f in forms for i in f.indicators]


def test_a_row_holds_no_source_object(sample: LoadResult) -> None:
    rows = [i for f in sample.forms for i in f.indicators]
    assert rows and all(i.file.endswith("zhongshan_2024.txt") and i.line for i in rows)
    for row in rows:
        assert not any(isinstance(o, Source) for o in gc.get_referents(row))
        assert row.source == Source(row.file, row.page, row.sheet, row.line)
    assert rows[0].source.describe() == f"{rows[0].file} 第{rows[0].page}页 第{rows[0].line}行"


def test_the_source_can_be_set_and_survives_copies() -> None:
    row = _workbook_form().indicators[0]
    row.source = Source("b.pdf", 2, None, 14)
    assert (row.file, row.page, row.sheet, row.line) == ("b.pdf", 2, None, 14)
    for other in (copy.deepcopy(row), pickle.loads(pickle.dumps(row)), replace(row, name="另一指标")):
        assert other.source == Source("b.pdf", 2, None, 14)
    assert replace(row, line=15).source.line == 15


def test_to_dict_shows_the_source_where_the_schema_has_it() -> None:
    form = _workbook_form()
    d = form.to_dict()
    assert [list(r) for r in d["indicators"]] == [ROW_KEYS, ROW_KEYS]
    assert [r["source"] for r in d["indicators"]] == [
        {"file": "自评表.xlsx", "page": None, "sheet": "1-党群综合服务", "line": 15},
        {"file": "自评表.pdf", "page": 3, "sheet": None, "line": 41},
    ]
    assert d["indicators"][0]["target"] == {"raw": "≥12场", "op": "≥", "value": 12.0, "unit": "场", "text": None}
    assert d["source"] == {"file": "自评表.xlsx", "page": None, "sheet": "1-党群综合服务", "line": 2}
    back = form_from_dict(orjson.loads(orjson.dumps(d)))
    assert back == form and _locations([back]) == _locations([form])
    d["remarks"]["评价结论"] = "良好"  # a copy, as asdict gave
    assert form.remarks == {}


def test_packing_keeps_every_location(sample: LoadResult) -> None:
    forms = [*sample.forms, _workbook_form()]
    back = unpack_forms(pack_forms(forms))
    assert back == forms
    assert _locations(back) == _locations(forms)
    assert _locations(back)[-2:] == [("自评表.xlsx", None, "1-党群综合服务", 15), ("自评表.pdf", 3, None, 41)]


def test_findings_json_rows_keep_their_shape(sample: LoadResult) -> None:
    result = build(sample)
    result.forms = [*result.forms, _workbook_form()]
    out = io.BytesIO()
    json_out.write_stream(result, out)
    forms = orjson.loads(out.getvalue())["forms"]
    assert len(forms) == len(result.forms)
    for form, written in zip(result.forms, forms, strict=True):
        assert [list(r) for r in written["indicators"]] == [ROW_KEYS] * len(form.indicators)
        assert [list(r["source"]) for r in written["indicators"]] == [SOURCE_KEYS] * len(form.indicators)
        assert [tuple(r["source"].values()) for r in written["indicators"]] == _locations([form])
        assert written == form.to_dict()


@dataclass
class _Where:
    file: str
    line: int | None = None


@dataclass
class _Flat:
    """A class storing a member flat, as Indicator does: its fields in the middle of the others."""

    name: str
    file: str
    line: int | None
    note: str = ""
    tags: list[str] = field(default_factory=list)
    FLAT = {"where": _Where}


def test_record_writes_a_flat_member_as_one_object_in_place() -> None:
    d = record(_Flat("a", "b.txt", 3, "n", ["t"]))
    assert d == {"name": "a", "where": {"file": "b.txt", "line": 3}, "note": "n", "tags": ["t"]}
    assert list(d) == ["name", "where", "note", "tags"]
    assert {"where": _Where} == _Flat.FLAT  # the class's own mapping is left as it was
