"""findings.json's writer: the kept rows streamed, chunking that leaves the bytes alone, and no
instance dict left behind on the result's objects (held memory on Python 3.11)."""

from __future__ import annotations

import gc
import io
import json
from dataclasses import asdict, dataclass, fields, is_dataclass, replace
from typing import Any

import orjson
import pytest
from test_reports import build

from reason_miner import advise_targets
from reason_miner.advise_targets import RECORD_KEYS, suggest_targets
from reason_miner.analyze import AnalysisResult
from reason_miner.checks import check_forms
from reason_miner.load import LoadResult
from reason_miner.report import json_out


@pytest.fixture(scope="module")
def result(sample: LoadResult) -> AnalysisResult:
    return build(sample)


def _document(result: AnalysisResult) -> bytes:
    out = io.BytesIO()
    json_out.write_stream(result, out)
    return out.getvalue()


def test_streamed_kept_rows_are_the_rows_not_changed(sample: LoadResult) -> None:
    """`iter_kept` (what findings.json streams) gives `kept_rows`, and the rows `_walk` keeps, for
    any step, with forms without rows among them; to_dict's JSON is the same with and without objects."""
    forms = [sample.forms[0], replace(sample.forms[1], indicators=[]), *sample.forms[1:], replace(sample.forms[2], indicators=[])]
    advice = suggest_targets(forms, check_forms(forms))
    walked = [(fi, ii) for fi, ii, change in advice._walk() if change is None]
    assert walked and len(walked) < len(advice)
    assert advice.kept_rows() == walked
    for step in (1, 2, 7, 1 << 16):
        assert list(advice.iter_kept(step)) == walked
    plain, lazy = advice.to_dict(), advice.to_dict(objects=True)
    assert not isinstance(lazy["kept"], list) and not isinstance(lazy["changed"], list)  # streamed
    assert plain["kept"] == list(lazy["kept"]) and plain["kept_reason"] == lazy["kept_reason"]
    assert [orjson.dumps(r) for r in plain["changed"]] == list(lazy["changed"])  # encoded already
    empty = suggest_targets([], [])
    assert list(empty.iter_kept()) == [] and list(empty.changed.records()) == list(empty.changed.encoded()) == []


def test_changed_records_point_at_their_rows(sample: LoadResult) -> None:
    """targets.changed: each record names its row by form_index/indicator_index, gives the row's name
    and what changes, in `RECORD_KEYS` order, and none of the row's fields `forms` already holds; the
    encoded records (shared changes encoded once) are orjson's bytes of the records, written as they are."""
    forms = sample.forms
    advice = suggest_targets(forms, check_forms(forms))
    records = list(advice.changed.records())
    assert len(records) == len(advice.changed) > 10
    dropped = {"project", "unit", "year", "level1", "level2", "target", "actual", "weight", "score", "lost", "location"}
    for rec, suggestion in zip(records, advice.changed, strict=True):
        assert tuple(rec) == RECORD_KEYS and not dropped & set(rec)
        row = forms[rec["form_index"]].indicators[rec["indicator_index"]]
        assert rec["indicator"] == row.name == suggestion.indicator
        assert (row.target.raw, row.actual.raw, row.lost) == (suggestion.target, suggestion.actual, suggestion.lost)
        assert rec == {k: v for k, v in asdict(suggestion).items() if k not in dropped}
    assert list(advice.changed.encoded()) == [orjson.dumps(r) for r in records]
    out = io.BytesIO()
    json_out._write(out, advice.changed.encoded(), 0)
    assert [json.loads(ln.rstrip(b",")) for ln in out.getvalue().splitlines()[1:-1]] == records
    shared = [r for r in records if r["actions"] == ["quantify"]]
    assert len({orjson.dumps(r["reason"]) for r in shared}) < len(shared)  # rows sharing a change


def test_changed_records_the_same_when_the_tails_are_dropped(sample: LoadResult,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The encoded changes kept while encoding are bounded: emptied when full, the bytes unchanged."""
    advice = suggest_targets(sample.forms, check_forms(sample.forms))
    whole = list(advice.changed.encoded())
    monkeypatch.setattr(advise_targets, "_TAILS", 1)
    assert list(advice.changed.encoded()) == whole


def test_same_bytes_whatever_the_chunk(result: AnalysisResult, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks (several per list, one item, the last one short) change the writes, not the bytes;
    the document parses to the result's to_dict."""
    whole = _document(result)
    for size in (1, 2, 5):
        monkeypatch.setattr(json_out, "_CHUNK", size)
        assert _document(result) == whole
    assert json.loads(whole) == json.loads(json.dumps(result.to_dict(), ensure_ascii=False))


def test_iterators_and_mixed_lists_are_written_as_lists(result: AnalysisResult) -> None:
    """A section given as an iterator is written as the list would be; an empty one as []; a list
    mixing classes (dataclasses and plain values) encodes each item by its own class; bytes are
    JSON already, written as they are."""
    mixed: list[Any] = [result.findings[0], {"a": 1}, result.links[0], (1, 2), "文本", None, b'{"pre":[1]}']
    for value in (mixed, iter(mixed)):
        out = io.BytesIO()
        json_out._write(out, {"x": value, "empty": iter(())}, 0)
        data = json.loads(out.getvalue())
        assert data["empty"] == []
        assert data["x"] == json.loads(json.dumps([result.findings[0].to_dict(), {"a": 1}, result.links[0].to_dict(),
                                                   [1, 2], "文本", None, {"pre": [1]}], ensure_ascii=False))
    lines = out.getvalue().decode().splitlines()
    assert lines[1] == '  "x": [' and len([ln for ln in lines if ln.startswith("    ")]) == len(mixed)


def _has_instance_dict(obj: Any) -> bool:
    """Whether Python made `obj` a `__dict__` of its own (3.11 keeps fields inline until one is
    asked for; once made, the dict lives as long as the object)."""
    names = {f.name for f in fields(obj)}
    return any(type(r) is dict and set(r) == names for r in gc.get_referents(obj))


def test_writing_leaves_no_dict_on_the_results_objects(sample: LoadResult) -> None:
    result = build(sample)
    kept = [*result.findings, *result.causes.causes, *result.causes.reasons, *result.links, *result.systemic,
            *result.plans]
    kept += [c for r in result.causes.reasons for c in r.clauses]
    kept += [x for s in result.systemic for x in (*s.occurrences, *s.signals)]
    assert {type(o).__name__ for o in kept} >= {"Finding", "Cause", "ReasonAnalysis", "Clause", "Link",
                                                "SystemicCause", "Occurrence", "Plan"}
    assert [type(o).__name__ for o in kept if not is_dataclass(o) or _has_instance_dict(o)] == []  # none yet
    _document(result)
    assert [o for o in kept if _has_instance_dict(o)] == []


class _Everything(set[type]):
    def __contains__(self, item: object) -> bool:
        return True


@dataclass
class _ByYear:
    label: str
    by_year: dict[int, float]


def test_keys_not_str_are_written_as_before(result: AnalysisResult, monkeypatch: pytest.MonkeyPatch) -> None:
    """Items are encoded without OPT_NON_STR_KEYS until a dict key needs it: the same bytes as with
    the option on every item, whether the key comes first, mid-chunk or in a list of mixed classes."""
    whole = _document(result)
    monkeypatch.setattr(json_out, "_KEYED", _Everything())  # every class with the option
    assert _document(result) == whole
    monkeypatch.undo()
    monkeypatch.setattr(json_out, "_KEYED", set())
    items: list[Any] = [_ByYear("a", {}), _ByYear("b", {2023: 1.5, 2024: 0.0}), _ByYear("c", {})]
    mixed = [*items, {"k": 1}, {7: "x"}]
    for value, listed in ((items, items), (iter(items), items), (mixed, mixed)):
        out = io.BytesIO()
        json_out._write(out, value, 0)
        expected = [orjson.dumps(asdict(x) if isinstance(x, _ByYear) else x, option=orjson.OPT_NON_STR_KEYS)
                    for x in listed]
        assert [ln.strip().rstrip(b",") for ln in out.getvalue().splitlines()[1:-1]] == expected
    assert _ByYear in json_out._KEYED
