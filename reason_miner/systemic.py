"""Systemic problems: causes ranked by how widely they recur and what they cost.

A cause is systemic when it recurs in at least `min_units` units or `min_projects` projects
(configurable). Form-level check signals that point at a cause the text does not state (a large
年初→全年 budget cut next to missed quantity targets suggests funding) are attached to the
matching cause, or listed as an implied cause of their own when no text names it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from .advise_plan import MeasureCatalogue, load_catalogue
from .link import UNSTATED_CAUSE_ID, Link, to_cents
from .model import Form
from .results import OTHER_CAUSE_ID, Cause, CauseResult, Finding

IMPLIED_PREFIX = "implied:"


@dataclass
class SystemicConfig:
    min_units: int = 2
    min_projects: int = 2
    max_quotes: int = 5


@dataclass
class Occurrence:
    project: str | None
    unit: str | None
    year: int | None
    indicator: str
    kind: str
    lost: float
    points_attributed: float
    quote: str
    location: str


@dataclass
class Signal:
    """A form-level check result suggesting a cause the reason texts do not state."""

    rule: str
    category: str
    project: str | None
    unit: str | None
    year: int | None
    message: str
    indicators: list[str]  # the missed rows it explains
    lost: float  # points lost by those rows
    stated: bool  # whether the texts of those rows already name this category
    location: str
    form_index: int
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class SystemicCause:
    rank: int
    cause_id: str
    label: str
    category: str | None
    systemic: bool
    implied: bool  # only suggested by check signals, not stated in any text
    units: list[str]
    projects: list[str]
    indicators: int
    years: list[int]
    reasons: int
    points_involved: float
    points_attributed: float
    kinds: list[str]  # indicator kinds hit, e.g. 产出/数量
    quotes: list[str]
    occurrences: list[Occurrence]
    by_year: dict[int, float]  # points attributed per year
    movement: str  # year-over-year wording when several years are loaded
    signals: list[Signal]
    why: str  # why it is (not) systemic

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def indicator_kind(level1: str | None, level2: str | None) -> str:
    """`产出指标`, `数量指标` → `产出/数量` (the short form finance officers use)."""
    parts = [(p or "").removesuffix("指标") for p in (level1, level2)]
    return "/".join(p for p in parts if p) or "未分类"


def _movement(by_year: dict[int, float]) -> str:
    if len(by_year) < 2:
        return ""
    years = sorted(by_year)
    steps = [f"{y}年 {by_year[y]:g}分" for y in years]
    delta = by_year[years[-1]] - by_year[years[-2]]
    trend = "上升" if delta > 0 else "下降" if delta < 0 else "持平"
    return " → ".join(steps) + f"（较上年{trend}{abs(delta):g}分）"


def _funding_signals(forms: list[Form], findings: list[Finding], links: list[Link], catalogue: MeasureCatalogue) -> list[Signal]:
    """Budget cuts next to missed quantity rows of the same form."""
    category = catalogue.signal_category("budget_cut")
    stated_rows = {
        (lk.form_index, lk.indicator_index)
        for lk in links
        if catalogue.match(lk.cause_label, lk.category, []) == category
    }
    signals = []
    for f in sorted((f for f in findings if f.rule == "budget_cut"), key=lambda f: f.form_index):
        form = forms[f.form_index]
        missed = [
            (ii, ind)
            for ii, ind in enumerate(form.indicators)
            if "数量" in (ind.level2 or "") and (ind.lost or 0) > 0
        ]
        if not missed:
            continue
        pct = f.data.get("change_pct")
        names = [ind.name for _, ind in missed]
        lost = sum(to_cents(ind.lost) for _, ind in missed) / 100
        cut = f"调减{abs(pct):.1f}%" if isinstance(pct, int | float) else "大幅调减"
        message = (
            f"「{form.project or '未命名项目'}」全年预算较年初{cut}（{f.data.get('initial')}→{f.data.get('adjusted')}万元），同期数量指标"
            + "、".join(f"「{n}」" for n in names)
            + f"未完成（扣{lost:g}分）：{category}可能是文本未说明的原因"
        )
        signals.append(
            Signal(
                rule=f.rule,
                category=category,
                project=form.project,
                unit=form.unit,
                year=form.year,
                message=message,
                indicators=names,
                lost=lost,
                stated=all((f.form_index, ii) in stated_rows for ii, _ in missed),
                location=f.source.describe(),
                form_index=f.form_index,
                data=dict(f.data),
            )
        )
    return signals


def _entry(cause_id: str, label: str, category: str | None, group: list[Link], cfg: SystemicConfig) -> SystemicCause:
    units = sorted({lk.unit or "未知单位" for lk in group})
    projects = sorted({lk.project or "未命名项目" for lk in group})
    years = sorted({lk.year for lk in group if lk.year is not None})
    by_year: dict[int, int] = defaultdict(int)
    for lk in group:
        if lk.year is not None:
            by_year[lk.year] += lk.attributed_cents
    quotes = list(dict.fromkeys(lk.reason for lk in group if lk.reason))
    grab_bag = cause_id == OTHER_CAUSE_ID
    systemic = not grab_bag and (len(units) >= cfg.min_units or len(projects) >= cfg.min_projects)
    if grab_bag:
        why = "“其他/新原因”为未归类原因的集合，不判定为系统性问题"
    elif systemic:
        why = f"出现在{len(units)}个单位、{len(projects)}个项目（阈值：≥{cfg.min_units}个单位或≥{cfg.min_projects}个项目）"
    else:
        why = f"仅出现在{len(units)}个单位、{len(projects)}个项目，未达系统性阈值"
    return SystemicCause(
        rank=0,
        cause_id=cause_id,
        label=label,
        category=category,
        systemic=systemic,
        implied=False,
        units=units,
        projects=projects,
        indicators=len({(lk.form_index, lk.indicator_index) for lk in group}),
        years=years,
        reasons=len({(lk.form_index, lk.indicator_index) for lk in group if lk.reason}),
        points_involved=sum(to_cents(lk.points_involved) for lk in group) / 100,
        points_attributed=sum(lk.attributed_cents for lk in group) / 100,
        kinds=sorted({indicator_kind(lk.level1, lk.level2) for lk in group}),
        quotes=quotes[: cfg.max_quotes],
        occurrences=[
            Occurrence(
                project=lk.project,
                unit=lk.unit,
                year=lk.year,
                indicator=lk.indicator,
                kind=indicator_kind(lk.level1, lk.level2),
                lost=lk.lost,
                points_attributed=lk.points_attributed,
                quote=lk.cause_text or lk.reason,
                location=lk.location,
            )
            for lk in group
        ],
        by_year={y: c / 100 for y, c in sorted(by_year.items())},
        movement=_movement({y: c / 100 for y, c in by_year.items()}),
        signals=[],
        why=why,
    )


def _implied(category: str, signals: list[Signal], cfg: SystemicConfig) -> SystemicCause:
    units = sorted({s.unit or "未知单位" for s in signals})
    projects = sorted({s.project or "未命名项目" for s in signals})
    systemic = len(units) >= cfg.min_units or len(projects) >= cfg.min_projects
    return SystemicCause(
        rank=0,
        cause_id=IMPLIED_PREFIX + category,
        label=f"{category}（文本未说明）",
        category=category,
        systemic=systemic,
        implied=True,
        units=units,
        projects=projects,
        indicators=sum(len(s.indicators) for s in signals),
        years=sorted({s.year for s in signals if s.year is not None}),
        reasons=0,
        points_involved=sum(to_cents(s.lost) for s in signals) / 100,
        points_attributed=0.0,
        kinds=["产出/数量"],
        quotes=[],
        occurrences=[],
        by_year={},
        movement="",
        signals=signals,
        why="由校验信号推断（预算大幅调减且数量指标未完成），偏差原因文本未提及；点数不计入归因合计",
    )


def rank_systemic(
    forms: list[Form],
    links: list[Link],
    causes: CauseResult,
    findings: list[Finding],
    config: SystemicConfig | None = None,
    catalogue: MeasureCatalogue | None = None,
) -> list[SystemicCause]:
    """All linked causes: systemic first, then by units, points attributed, projects; implied causes from signals."""
    cfg = config or SystemicConfig()
    cat = catalogue or load_catalogue()
    groups: dict[str, list[Link]] = defaultdict(list)
    for lk in links:
        groups[lk.cause_id].append(lk)
    known: dict[str, Cause] = {c.id: c for c in causes.causes}
    entries = []
    for cid, group in groups.items():
        c = known.get(cid)
        entries.append(_entry(cid, group[0].cause_label, c.category if c else group[0].category, group, cfg))

    signals = _funding_signals(forms, findings, links, cat)
    unmatched: dict[str, list[Signal]] = defaultdict(list)
    for s in signals:
        target = next((e for e in entries if cat.match(e.label, e.category, []) == s.category and s.stated), None)
        if target is not None:
            target.signals.append(s)
        else:
            unmatched[s.category].append(s)
    entries.extend(_implied(category, sigs, cfg) for category, sigs in sorted(unmatched.items()))

    entries.sort(
        key=lambda e: (
            not e.systemic,
            e.cause_id in (OTHER_CAUSE_ID, UNSTATED_CAUSE_ID),
            -len(e.units),  # recurring across units is the strongest systemic sign, then what it costs
            -e.points_attributed,
            -len(e.projects),
            -e.points_involved,
            e.label,
            e.cause_id,
        )
    )
    for n, e in enumerate(entries, 1):
        e.rank = n
    return entries
