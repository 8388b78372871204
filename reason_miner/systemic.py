"""Systemic problems: causes ranked by how widely they recur and what they cost.

A cause is systemic when it recurs in at least `min_units` units or `min_projects` projects
(configurable). Form-level check signals that point at a cause the text does not state (a large
年初→全年 budget cut next to missed quantity targets suggests funding) are attached to the
matching cause, or listed as an implied cause of their own when no text names it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import InitVar, dataclass, field
from functools import lru_cache
from typing import Any

from .advise_plan import MeasureCatalogue, load_catalogue
from .link import UNSTATED_CAUSE_ID, Link, to_cents
from .model import Form
from .records import record
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
    """One cause with where it recurs. Its `occurrences` (one per link: a common cause of a
    province's year has tens of thousands) are built from its links when asked for, not held."""

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
    by_year: dict[int, float]  # points attributed per year
    movement: str  # year-over-year wording when several years are loaded
    signals: list[Signal]
    why: str  # why it is (not) systemic
    links: InitVar[list[Link] | None] = None  # the cause's links, in link order

    def __post_init__(self, links: list[Link] | None) -> None:
        self._links = links or []  # not a field: `to_dict` writes the occurrences instead

    @property
    def occurrences(self) -> list[Occurrence]:
        """Where the cause occurs: one entry per link."""
        return [Occurrence(**d) for d in self._occurrence_records()]

    def _occurrence_records(self) -> Iterator[dict[str, Any]]:
        """The occurrences as findings.json has them, made one at a time (the link's properties read
        inline: one record per link)."""
        kind = indicator_kind
        for lk in self._links:
            form, row = lk.form, lk.row
            yield {
                "project": form.project, "unit": form.unit, "year": form.year, "indicator": row.name,
                "kind": kind(row.level1, row.level2), "lost": lk.lost,
                "points_attributed": lk.attributed_cents / 100, "quote": lk.part.cause_text or lk.reason,
                "location": row.location,
            }

    def to_dict(self) -> dict[str, Any]:
        """The fields with the occurrences after `quotes` (findings.json's `systemic` entries)."""
        d: dict[str, Any] = {}
        for k, v in record(self).items():
            if k == "by_year":
                d["occurrences"] = list(self._occurrence_records())
            d[k] = v
        return d


@lru_cache(maxsize=4096)  # a handful of level pairs recur on every link
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
    budget_cuts = sorted((f for f in findings if f.rule == "budget_cut"), key=lambda f: f.form_index)
    if not budget_cuts:
        return []
    matches: dict[tuple[str, str | None], bool] = {}  # (label, category) → names the signal's category
    stated_rows = set()
    cut_forms = {f.form_index for f in budget_cuts}
    for lk in links:
        if lk.form_index not in cut_forms:
            continue  # only the rows of a form with a cut are asked about
        part = lk.part
        label = (part.label, part.category)
        hit = matches.get(label)
        if hit is None:
            hit = matches[label] = catalogue.match(part.label, part.category, []) == category
        if hit:
            stated_rows.add((lk.form_index, lk.indicator_index))
    signals = []
    for f in budget_cuts:
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
    # one pass over the group (a common cause has a link on every tenth row of a province's year),
    # reading the link's form and row directly (its columns are properties over them); the values
    # that repeat on many links (form, level pair) are collected first and looked at once each
    forms: dict[int, Form] = {}  # id → form
    levels: set[tuple[str | None, str | None]] = set()
    rows: set[tuple[int, int]] = set()
    reason_rows: set[tuple[int, int]] = set()
    by_year: dict[int, int] = defaultdict(int)
    all_quotes: dict[str, None] = {}
    involved = attributed = 0
    for lk in group:
        form, ind, a = lk.form, lk.row, lk.analysis
        row = (lk.form_index, lk.indicator_index)
        forms[id(form)] = form
        levels.add((ind.level1, ind.level2))
        rows.add(row)
        cents = lk.attributed_cents
        year = form.year
        if year is not None:
            by_year[year] += cents
        text = a.text if a is not None else ind.reason  # lk.reason, inline: this loop sees every link
        if text:
            reason_rows.add(row)
            all_quotes[text] = None
        lost = ind.lost
        if lost and lost > 0.0:  # the row's loss, counted once for each of its causes
            involved += round(lost * 100)
        attributed += cents
    units = sorted({f.unit or "未知单位" for f in forms.values()})
    projects = sorted({f.project or "未命名项目" for f in forms.values()})
    kinds = {indicator_kind(l1, l2) for l1, l2 in levels}
    years = sorted(by_year)
    quotes = list(all_quotes)
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
        indicators=len(rows),
        years=years,
        reasons=len(reason_rows),
        points_involved=involved / 100,
        points_attributed=attributed / 100,
        kinds=sorted(kinds),
        quotes=quotes[: cfg.max_quotes],
        by_year={y: c / 100 for y, c in sorted(by_year.items())},
        movement=_movement({y: c / 100 for y, c in by_year.items()}),
        signals=[],
        why=why,
        links=group,
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
    entry_categories = [cat.match(e.label, e.category, []) for e in entries] if signals else []
    for s in signals:
        target = (
            next((e for e, c in zip(entries, entry_categories, strict=True) if c == s.category), None)
            if s.stated
            else None
        )
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
