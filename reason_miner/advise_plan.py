"""Draft improvement plans (改进计划/整改方案): one per systemic cause and one per unit.

Each plan has 问题表现 (evidence with its location), 原因分析, 改进措施 (the units' own measures,
de-duplicated, plus the standard measures of the cause's category from corpora/measures),
责任单位, 完成时限 (left blank for the user) and the indicators it should move.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import InitVar, dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from .link import Link, to_cents
from .normalize import key
from .records import record
from .views import MadeWhenRead
from .vocab import load_json

if TYPE_CHECKING:
    from .systemic import Signal, SystemicCause

_PUNCT = re.compile(r"[\s，。、；：,.;:！？!?“”\"'（）()]")


@dataclass(frozen=True)
class MeasureCategory:
    name: str
    match: tuple[str, ...]
    measures: tuple[str, ...]


@dataclass(frozen=True)
class MeasureCatalogue:
    """corpora/measures/standard_measures.json: standard measures per cause category."""

    categories: tuple[MeasureCategory, ...]
    signals: dict[str, str] = field(default_factory=dict)
    filler: tuple[str, ...] = ()  # words that make no measure on their own

    def substantive(self, measure: str) -> bool:
        """Whether a measure says more than filler ("有待进一步完善" does not)."""
        return bool(self.measure_key(measure))

    def measure_key(self, measure: str) -> str:
        """What a measure is compared by (normalised, without punctuation), or "" when it is filler."""
        k = rest = _PUNCT.sub("", key(measure))
        for w in self.filler:
            rest = rest.replace(w, "")
        return k if rest else ""

    def match(self, label: str, category: str | None, keywords: list[str]) -> str | None:
        """The catalogue category of a cause: its own category when listed, else the most keyword hits."""
        names = {c.name for c in self.categories}
        if category in names:
            return category
        text = " ".join([label, category or "", *keywords])
        best, hits = None, 0
        for c in self.categories:
            n = sum(1 for w in c.match if w in text)
            if n > hits:
                best, hits = c.name, n
        return best

    def measures(self, name: str | None) -> list[str]:
        return next((list(c.measures) for c in self.categories if c.name == name), [])

    def signal_category(self, rule: str) -> str:
        return self.signals.get(rule, "经费保障")


@cache
def load_catalogue() -> MeasureCatalogue:
    d = load_json("measures/standard_measures.json")
    return MeasureCatalogue(
        categories=tuple(
            MeasureCategory(c["name"], tuple(c["match"]), tuple(c["measures"])) for c in d["categories"]
        ),
        signals=dict(d.get("signals", {})),
        filler=tuple(sorted(d.get("filler_words", []), key=len, reverse=True)),
    )


T = TypeVar("T")


class Lines(MadeWhenRead[str], Generic[T]):
    """Text lines made from `items` by `render` when read, then the `extra` lines as they are.

    A plan's 问题表现 and indicators are one line per row, and every row is in two plans (its
    cause's and its unit's): held as text, a province's plans keep ~190 MB; the rows they are made
    from are in memory anyway. Reports read the first few lines of most plans; findings.json reads
    each line once."""

    __slots__ = ("_items", "_render", "_extra")

    def __init__(self, items: list[T], render: Callable[[T], str], extra: list[str] | None = None) -> None:
        self._items, self._render, self._extra = items, render, extra or []

    def __len__(self) -> int:
        return len(self._items) + len(self._extra)

    def _at(self, i: int) -> str:
        n = len(self._items)
        return self._render(self._items[i]) if i < n else self._extra[i - n]

    def __iter__(self) -> Iterator[str]:
        yield from map(self._render, self._items)
        yield from self._extra

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared by content, like a list

    def __repr__(self) -> str:
        return f"Lines({list(self)!r})"


_NO_LINES: Lines[Any] = Lines([], str)


@dataclass
class Plan:
    """One plan. Its `problems` (问题表现, each with its location) and `indicators` (those the plan
    should move) are `Lines` made from the linked rows when read: `to_dict` writes them as lists in
    their place (after `cause_ids` and after `responsible`)."""

    scope: Literal["cause", "unit"]
    title: str
    cause_ids: list[str]
    analysis: list[str]  # 原因分析
    own_measures: list[str]  # what the units wrote, de-duplicated
    standard_measures: list[str]  # from corpora/measures for the cause category
    responsible: list[str]  # 责任单位
    deadline: str = ""  # 完成时限: for the user to fill
    problem_lines: InitVar[Lines[Any] | None] = None
    indicator_lines: InitVar[Lines[Any] | None] = None

    def __post_init__(self, problem_lines: Lines[Any] | None, indicator_lines: Lines[Any] | None) -> None:
        self._problems = problem_lines or _NO_LINES  # not fields: see the class docstring
        self._indicators = indicator_lines or _NO_LINES

    @property
    def problems(self) -> Lines[Any]:
        return self._problems

    @property
    def indicators(self) -> Lines[Any]:
        return self._indicators

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for k, v in record(self).items():
            if k == "analysis":
                d["problems"] = list(self._problems)
            elif k == "deadline":
                d["indicators"] = list(self._indicators)
            d[k] = v
        return d


def dedupe_measures(texts: list[str], catalogue: MeasureCatalogue | None = None,
                    keys: dict[str, str] | None = None) -> list[str]:
    """Distinct, substantive measures in first-seen order; texts differing only in punctuation count
    once, a measure contained in a longer one is dropped, and pure filler is left out. `keys` keeps
    each text's `measure_key` across calls (a batch's plans repeat the same measures many times)."""
    cat = catalogue or load_catalogue()
    memo = {} if keys is None else keys
    seen: dict[str, str] = {}
    for t in texts:
        k = memo.get(t)
        if k is None:
            k = memo[t] = cat.measure_key(t)
        if k and k not in seen:
            seen[k] = t.strip("，。；;, ")
    # keys hold no whitespace, so a key found more than once in the joined keys is part of another one
    joined = "\n".join(seen)
    return [text for k, text in seen.items() if joined.count(k) == 1]


def _problem(lk: Link) -> str:
    """A row's 问题表现 line (the same for every link of the row). Made twice per row when findings.json
    is written (its cause's plan, its unit's plan), so the link's properties are read inline."""
    row, a = lk.row, lk.analysis
    reason = a.text if a is not None else row.reason  # lk.reason
    quote = f"原文：“{reason}”" if reason else "未填写偏差原因"
    lost = row.lost
    lost = round(lost * 100) / 100 if lost and lost > 0.0 else 0.0  # lk.lost
    return (
        f"「{lk.form.project or '未命名项目'}」{row.name}（目标{row.target.raw}，完成{row.actual.raw}，扣{lost:g}分）："
        f"{quote}（来源：{row.location}）"
    )


def _indicator_line(lk: Link) -> str:
    return f"{lk.form.project or '未命名项目'}：{lk.row.name}"


Row = tuple[int, int]  # (form_index, indicator_index)


@dataclass
class _Texts:
    """What the plans of one batch repeat, worked out once: each measure text's comparison key and
    each cause's standard measures (unit plans name the same few dozen causes)."""

    catalogue: MeasureCatalogue
    measure_keys: dict[str, str] = field(default_factory=dict)
    standard: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)

    def measures_of(self, rows: dict[Row, Link]) -> list[str]:
        # each cause part once, in first-seen order: a part seen again adds no measure not seen
        # already, and rows share a few thousand parts
        parts = {id(lk.part): lk.part for lk in rows.values()}
        return dedupe_measures([m for part in parts.values() for m in part.measures], self.catalogue,
                               self.measure_keys)

    def standard_of(self, label: str, category: str | None) -> list[str]:
        """The standard measures of a cause's catalogue category."""
        found = self.standard.get((label, category))
        if found is None:
            cat = self.catalogue
            found = self.standard[(label, category)] = cat.measures(cat.match(label, category, []))
        return found


def _lines(rows: dict[Row, Link], problems: list[str] | None = None,
           indicators: list[str] | None = None) -> tuple[Lines[Link], Lines[Link]]:
    """The rows' 问题表现 lines and their distinct indicator lines (made when read), each followed by
    the given extra lines."""
    firsts: dict[str, Link] = {}  # indicator line → the first row with it
    for lk in rows.values():
        firsts.setdefault(_indicator_line(lk), lk)
    extra = [line for line in dict.fromkeys(indicators or []) if line not in firsts]
    return (Lines(list(rows.values()), _problem, problems),
            Lines(list(firsts.values()), _indicator_line, extra))


def _rows(links: list[Link]) -> dict[Row, Link]:
    """One link per indicator row (a reason with several causes appears once: its last link)."""
    return {(lk.form_index, lk.indicator_index): lk for lk in links}


def _signal_lines(signals: list[Signal]) -> list[str]:
    return [f"校验信号：{s.message}（来源：{s.location}）" for s in signals]


def _cause_plan(entry: SystemicCause, links: list[Link], texts: _Texts) -> Plan:
    rows = _rows(links)
    analysis = [
        f"“{entry.label}”出现在{len(entry.units)}个单位、{len(entry.projects)}个项目的{entry.indicators}项指标，"
        f"涉及扣分{entry.points_involved:g}分，归因扣分{entry.points_attributed:g}分；"
        f"影响的指标类型：{'、'.join(entry.kinds)}。"
    ]
    if entry.movement:
        analysis.append(f"年度变化：{entry.movement}。")
    vague = sum(1 for lk in rows.values() if lk.vague)
    if vague:
        analysis.append(f"其中{vague}条原因只写了措施、未说明具体原因（偏差原因分析不充分）。")
    analysis.extend(_signal_lines(entry.signals))
    if entry.implied:
        analysis.append(entry.why + "。")
    implied = entry.signals if entry.implied else []
    problems, indicators = _lines(
        rows,
        [f"「{s.project}」{'、'.join(s.indicators)}未完成（扣{s.lost:g}分）" for s in implied],
        [f"{s.project}：{n}" for s in implied for n in s.indicators],
    )
    return Plan(
        scope="cause",
        title=f"关于“{entry.label}”问题的改进计划",
        cause_ids=[entry.cause_id],
        analysis=analysis,
        own_measures=texts.measures_of(rows),
        standard_measures=list(texts.standard_of(entry.label, entry.category)),
        responsible=entry.units,
        problem_lines=problems,
        indicator_lines=indicators,
    )


def _unit_plan(unit: str, links: list[Link], signals: list[Signal], texts: _Texts) -> Plan:
    by_cause: dict[str, list[Link]] = {}
    cents: dict[str, int] = {}  # points attributed to each cause, in hundredths
    for lk in links:
        cid = lk.cause_id
        group = by_cause.get(cid)
        if group is None:
            by_cause[cid] = [lk]
            cents[cid] = lk.attributed_cents
        else:
            group.append(lk)
            cents[cid] += lk.attributed_cents
    order = sorted(by_cause, key=lambda c: (-cents[c], by_cause[c][0].part.label))
    analysis = []
    standard: list[str] = []
    for cid in order:
        part = by_cause[cid][0].part
        count = len({(lk.form_index, lk.indicator_index) for lk in by_cause[cid]})
        analysis.append(f"{part.label}：涉及{count}项指标，归因扣分{cents[cid] / 100:g}分。")
        standard += texts.standard_of(part.label, part.category)
    analysis.extend(_signal_lines(signals))
    for s in signals:
        standard += texts.catalogue.measures(s.category)
    rows = _rows(links)
    lost = sum(to_cents(lk.lost) for lk in rows.values())
    problems, indicators = _lines(rows)
    return Plan(
        scope="unit",
        title=f"{unit}改进计划（共{len(rows)}项指标扣分或说明偏差，扣{lost / 100:g}分）",
        cause_ids=order,
        analysis=analysis,
        own_measures=texts.measures_of(rows),
        standard_measures=list(dict.fromkeys(standard)),
        responsible=[unit],
        problem_lines=problems,
        indicator_lines=indicators,
    )


def draft_plans(
    links: list[Link], systemic: list[SystemicCause], catalogue: MeasureCatalogue | None = None
) -> list[Plan]:
    """Plans for every systemic cause (in rank order), then for every unit with linked rows."""
    cat = catalogue or load_catalogue()
    by_cause: dict[str, list[Link]] = defaultdict(list)
    by_unit: dict[str, list[Link]] = defaultdict(list)
    for lk in links:
        by_cause[lk.cause_id].append(lk)
        by_unit[lk.form.unit or "未知单位"].append(lk)
    texts = _Texts(cat)
    plans = [_cause_plan(e, by_cause.get(e.cause_id, []), texts) for e in systemic if e.systemic]
    signals_by_unit: dict[str, list[Signal]] = defaultdict(list)
    for e in systemic:
        for s in e.signals:
            signals_by_unit[s.unit or "未知单位"].append(s)
    for unit in sorted(by_unit):
        signals = sorted(signals_by_unit.get(unit, []), key=lambda s: s.form_index)
        plans.append(_unit_plan(unit, by_unit[unit], signals, texts))
    return plans
