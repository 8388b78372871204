"""`records.record` gives what `dataclasses.asdict` gives, for every dataclass findings.json holds,
and findings.json encodes it to the same bytes as the objects themselves (an indicator row's
location, stored flat, regrouped as its "source")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import orjson
from test_reports import build

from reason_miner.load import LoadResult
from reason_miner.model import Source
from reason_miner.records import record


def test_record_is_asdict_for_every_stage(sample: LoadResult) -> None:
    result = build(sample)
    objects = [*result.forms, *result.findings, *result.causes.causes, *result.causes.reasons, *result.links,
               *result.systemic, *result.plans, *result.targets, *result.errors]
    assert {type(o).__name__ for o in objects} >= {"Form", "Finding", "Cause", "ReasonAnalysis", "Link",
                                                   "SystemicCause", "Plan", "TargetSuggestion"}
    for o in objects:
        expected = asdict(o, dict_factory=_schema)
        assert record(o) == expected
        assert list(record(o)) == list(expected)  # key order too
        native = o if expected == asdict(o) else expected  # orjson itself would show rows' four fields
        assert orjson.dumps(record(o), option=orjson.OPT_NON_STR_KEYS) == orjson.dumps(native, option=orjson.OPT_NON_STR_KEYS)


def _schema(members: list[tuple[str, Any]]) -> dict[str, Any]:
    """asdict's dicts, but an indicator row shows its location as one "source" object, after
    "reason", as the schema has it (`Indicator.FLAT`: the row holds the four fields itself)."""
    d = dict(members)
    if "target" in d and "file" in d:
        d["source"] = {k: d.pop(k) for k in ("file", "page", "sheet", "line")}
    return d


@dataclass
class _Inner:
    n: int


@dataclass(slots=True)
class _Outer:
    one: _Inner
    maybe: _Inner | None
    many: list[_Inner]
    where: Source
    data: dict[str, int] = field(default_factory=dict)


def test_record_converts_nested_optional_and_listed_dataclasses() -> None:
    o = _Outer(_Inner(1), None, [_Inner(2), _Inner(3)], Source("a.pdf", 2, None, 14), {"k": 1})
    assert record(o) == asdict(o) == {"one": {"n": 1}, "maybe": None, "many": [{"n": 2}, {"n": 3}],
                                      "where": {"file": "a.pdf", "page": 2, "sheet": None, "line": 14},
                                      "data": {"k": 1}}
    o.maybe = _Inner(4)
    assert record(o)["maybe"] == {"n": 4}


@dataclass
class _Sub(_Inner):
    extra: int = 0


@dataclass
class _Node:
    n: int
    next: _Node | None = None
    children: list[_Node] = field(default_factory=list)


def test_record_inlines_the_hinted_class_only() -> None:
    """Nested values of the hinted class are written inline; a subclass still gets all its fields,
    and a class holding itself is converted level by level, as asdict does."""
    o = _Outer(_Sub(1, 5), _Sub(2), [_Inner(3), _Sub(4, 9)], Source("a.pdf", None, "表1", 3))
    assert record(o) == asdict(o) and record(o)["many"][1] == {"n": 4, "extra": 9}
    chain = _Node(1, _Node(2, _Node(3)), [_Node(4, None, [_Node(5)])])
    assert record(chain) == asdict(chain) and record(chain)["next"]["next"] == {"n": 3, "next": None, "children": []}
