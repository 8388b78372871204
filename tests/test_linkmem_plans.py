"""Systemic causes and plans keep their links, not text made from them: occurrences, 问题表现 and
indicator lines are made when read, and `to_dict` (findings.json) writes them in their place."""

from __future__ import annotations

from dataclasses import asdict, fields

import pytest
from test_advise_plan import recurring_batch

from reason_miner import LoadResult
from reason_miner.advise_plan import Lines, Plan
from reason_miner.link import Link
from reason_miner.model import Form
from reason_miner.systemic import Occurrence, SystemicCause, indicator_kind

SYSTEMIC_KEYS = [
    "rank", "cause_id", "label", "category", "systemic", "implied", "units", "projects", "indicators", "years",
    "reasons", "points_involved", "points_attributed", "kinds", "quotes", "occurrences", "by_year", "movement",
    "signals", "why",
]
PLAN_KEYS = ["scope", "title", "cause_ids", "problems", "analysis", "own_measures", "standard_measures",
             "responsible", "indicators", "deadline"]


def _batch(sample: LoadResult) -> tuple[list[Form], list[Link], list[SystemicCause], list[Plan]]:
    return recurring_batch(sample, 3)


def test_occurrences_are_made_from_the_causes_links(sample: LoadResult) -> None:
    _, links, ranked, _ = _batch(sample)
    for e in ranked:
        mine = [lk for lk in links if lk.cause_id == e.cause_id]
        assert e.occurrences == [
            Occurrence(lk.project, lk.unit, lk.year, lk.indicator, indicator_kind(lk.level1, lk.level2), lk.lost,
                       lk.points_attributed, lk.cause_text or lk.reason, lk.location)
            for lk in mine
        ]
        d = e.to_dict()
        assert list(d) == SYSTEMIC_KEYS
        assert d["occurrences"] == [asdict(o) for o in e.occurrences]
        assert [list(o) for o in d["occurrences"]] == [[f.name for f in fields(Occurrence)]] * len(mine)
        assert {k: v for k, v in d.items() if k != "occurrences"} == asdict(e)  # the rest: the fields
    assert any(e.implied for e in ranked) and all(e.occurrences == [] for e in ranked if e.implied)


def test_plan_lines_are_made_when_read_and_written_in_place(sample: LoadResult) -> None:
    _, links, _, plans = _batch(sample)
    assert {p.scope for p in plans} == {"cause", "unit"}
    for p in plans:
        assert isinstance(p.problems, Lines) and isinstance(p.indicators, Lines)
        d = p.to_dict()
        assert list(d) == PLAN_KEYS
        assert d["problems"] == list(p.problems) and d["indicators"] == list(p.indicators)
        assert len(d["indicators"]) == len(set(d["indicators"]))  # distinct
        assert {k: v for k, v in d.items() if k not in ("problems", "indicators")} == asdict(p)
    unit = next(p for p in plans if p.scope == "unit")
    rows = {(lk.form_index, lk.indicator_index): lk for lk in links if lk.unit == unit.responsible[0]}
    assert len(unit.problems) == len(rows)
    for line, lk in zip(unit.problems, rows.values(), strict=True):
        assert line.startswith(f"「{lk.project}」{lk.indicator}（目标{lk.target}，完成{lk.actual}，扣{lk.lost:g}分）：")
        assert line.endswith(f"（来源：{lk.location}）") and (lk.reason in line if lk.reason else "未填写偏差原因" in line)


def test_implied_plan_lines_follow_the_rows() -> None:
    """An implied cause's plan has no rows: its lines are the signals' own."""
    lines: Lines[str] = Lines([], str, ["「A」x、y未完成（扣2分）"])
    assert list(lines) == ["「A」x、y未完成（扣2分）"] and len(lines) == 1 and lines[0] == lines[-1]


def test_lines_read_like_the_list_they_stand_for() -> None:
    made: list[int] = []

    def render(n: int) -> str:
        made.append(n)
        return f"第{n}行"

    lines = Lines([1, 2, 3], render, ["附注"])
    full = ["第1行", "第2行", "第3行", "附注"]
    assert len(lines) == 4 and bool(lines) and not Lines([], render)
    assert made == []  # nothing is made until read
    assert lines[:2] == full[:2] and made == [1, 2]  # a slice makes only its lines
    assert lines[0] == "第1行" and lines[-1] == "附注" and lines[-2] == "第3行" and lines[1:] == full[1:]
    assert lines[::2] == full[::2] and lines[10:] == []
    with pytest.raises(IndexError):
        lines[4]
    with pytest.raises(IndexError):
        lines[-5]
    assert list(lines) == full and lines == full and full == lines and lines == Lines([1, 2, 3], render, ["附注"])
    assert lines != full[:3] and lines != "第1行第2行第3行附注" and "第2行" in lines and "第9行" not in lines
    assert lines.index("附注") == 3 and lines.count("第1行") == 1
