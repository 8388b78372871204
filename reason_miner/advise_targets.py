"""Next year's targets (下年度绩效目标建议): one suggestion for every indicator, with its reasons.

Suggestions only, the user decides. Rules (DOMAIN.md "Signals for next year's target setting"):
fix a wrong direction (check `direction_suspect`), replace a cost cap met to the cent by a benchmark
(`cost_at_cap`), quantify a qualitative target, lower or split a target missed by several units or
years, raise a target exceeded by far (tighten a cost cap far above the actual), and flag a budget
cut (`budget_cut`) that makes a missed quantity target unrealistic.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any, overload

from .checks import is_cost_indicator, is_quantity_indicator
from .model import Form, Indicator
from .normalize import key
from .results import Finding
from .vocab import load_json


@dataclass
class TargetConfig:
    exceed_ratio: float = 1.2  # actual ≥ target × ratio (≥ rows), or cap ≥ actual × ratio (cost caps)
    missed_units: int = 2  # missed in this many units ...
    missed_years: int = 2  # ... or years running → lower or split


@dataclass  # not slotted: orjson writes instance dicts ~3x faster than slots, and only changed rows are kept
class TargetSuggestion:
    project: str | None
    unit: str | None
    year: int | None
    level1: str | None
    level2: str | None
    indicator: str
    target: str  # this year's 年度指标值
    actual: str
    weight: float | None
    score: float | None
    lost: float | None
    actions: list[str]  # codes: direction, cost_benchmark, quantify, lower_split, raise, tighten_cost, budget_cut, missed, keep
    action_labels: list[str]
    suggestion: str  # suggested 下年度指标值 (editable)
    reason: str
    location: str
    form_index: int
    indicator_index: int
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


KEEP_REASON = "本年度已完成，建议维持（可结合下年度预算适度提高）"
_KEEP = ("keep",)
# A row's change, as kept for the whole run: action codes, suggested target, reason, data (or None).
# The row's own fields are read from the form again when the suggestion is built.
Change = tuple[tuple[str, ...], str, str, dict[str, Any] | None]
_NO_FINDINGS: dict[str, Finding] = {}  # read-only: the findings of a row without any


@cache
def _quantify() -> dict[str, Any]:
    return dict(load_json("measures/target_quantify.json"))


def _fmt_target(op: str, value: float, unit: str | None) -> str:
    return f"{op}{value:.2f}" + (f"({unit})" if unit else "")


def _pct(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _is_missed(ind: Indicator) -> bool:
    return (ind.lost or 0) > 0.005 or ind.actual.status in ("部分达成", "未达成")


class TargetAdvisor:
    """What every row should change, from the forms and their findings (`changes`); the rows'
    suggestions are built from it when read (`build`, `keep`)."""

    def __init__(self, forms: list[Form], findings: list[Finding], cfg: TargetConfig) -> None:
        self.forms = forms
        self.cfg = cfg
        # the few distinct action lists, shared by the rows that have them (read-only)
        self.shared: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}
        self.texts: dict[str, str] = {}
        self.row_findings: dict[tuple[int, int], dict[str, Finding]] = defaultdict(dict)
        self.budget_cut: dict[int, Finding] = {}
        for f in findings:
            if f.indicator_index is not None:
                self.row_findings[(f.form_index, f.indicator_index)].setdefault(f.rule, f)
            elif f.rule == "budget_cut":
                self.budget_cut[f.form_index] = f
        # who missed the same indicator (by name): units and years
        # (sets, built once: rebuilding them per row made advice quadratic on large batches)
        self.missed_units: dict[str, set[str]] = defaultdict(set)
        self.missed_years: dict[str, set[int]] = defaultdict(set)
        for form in forms:
            for ind in form.indicators:
                if _is_missed(ind):
                    name = key(ind.name)
                    self.missed_units[name].add(form.unit or "未知单位")
                    if form.year is not None:
                        self.missed_years[name].add(form.year)

    def changes(self) -> dict[int, Change]:
        """Row number (over all forms' rows, in order) -> change, for the rows that change something."""
        changes: dict[int, Change] = {}
        n = 0
        change = self.change
        for fi, form in enumerate(self.forms):
            for ii in range(len(form.indicators)):
                c = change(fi, ii)
                if c is not None:
                    changes[n] = c
                n += 1
        return changes

    def _may_change(self, ind: Indicator) -> bool:
        """False for a row met, without findings, that no rule below can change: most rows of a
        batch, answered without building anything."""
        t, a = ind.target, ind.actual
        if t.op is None:
            return bool(t.text)  # quantify
        if t.value is None:
            return False
        if t.op in ("≤", "<"):
            return True  # direction (a quantity) or tighten (a cost): decided below
        return a.value is not None and t.value > 0 and a.value >= t.value * self.cfg.exceed_ratio  # raise

    def change(self, fi: int, ii: int) -> Change | None:
        """What to change in a row, or None when there is nothing to change (see `keep`)."""
        ind = self.forms[fi].indicators[ii]
        missed = _is_missed(ind)
        found = self.row_findings.get((fi, ii))
        if found is None:
            if not missed and not self._may_change(ind):
                return None
            found = _NO_FINDINGS
        t, a = ind.target, ind.actual
        actions: list[str] = []
        reasons: list[str] = []
        suggestion: str | None = None
        data: dict[str, Any] = {}

        direction = found.get("direction_suspect")
        if direction is not None and t.value is not None:
            op = str(direction.data.get("suggested_op") or "≥")
            actions.append("direction")
            suggestion = _fmt_target(op, t.value, t.unit)
            reasons.append(
                f"指标方向有误：“{t.op}”用于{'数量' if op == '≥' else '成本'}类指标，实际完成{a.raw}"
                f"{'被扣分' if (ind.lost or 0) > 0 else '却得满分'}，评分实际按“{op}”执行，建议改为“{op}”"
            )
            data["suggested_op"] = op
        elif t.op in ("≤", "<") and t.value is not None and is_quantity_indicator(ind):
            # not penalised this year, but "≤" on a count rewards doing less: same fix, softer reason
            actions.append("direction")
            suggestion = _fmt_target("≥", t.value, t.unit)
            reasons.append(
                f"数量类指标使用“{t.op}”：本年虽未因此扣分，但“{t.op}”意味着完成越少越好，与数量指标的性质不符，"
                "建议改为“≥”（如确为编制或规模上限，可改为“=”）"
            )
            data["suggested_op"] = "≥"

        cap = found.get("cost_at_cap")
        if cap is not None and t.value is not None:
            actions.append("cost_benchmark")
            suggestion = suggestion or f"≤[参照标准成本]({t.unit or ''})"
            reasons.append(
                f"实际成本{a.raw}与上限{t.raw}分毫不差，上限应是预算÷数量倒推而来，不是成本标准；"
                "建议参照同类项目历史单价、定额标准或市场询价设定成本基准"
            )

        if t.op is None and t.text:
            quantify = _quantify()
            actions.append("quantify")
            hint = quantify["words"].get(key(t.text), quantify["default"])
            suggestion = suggestion or hint
            reasons.append(f"定性目标“{t.text}”难以客观评分，建议量化为：{hint}")

        self._by_far(ind, actions, reasons, data)
        if "raise" in actions or "tighten_cost" in actions:
            suggestion = suggestion or data.pop("suggested")
        data.pop("suggested", None)

        if missed:
            name = key(ind.name)
            n_units = len(self.missed_units.get(name, ()))
            n_years = len(self.missed_years.get(name, ()))
        else:
            n_units = n_years = 0
        if n_units >= self.cfg.missed_units or (n_years and n_years >= self.cfg.missed_years):
            actions.append("lower_split")
            where = f"{n_units}个单位" if n_units >= self.cfg.missed_units else f"连续{n_years}个年度"
            reasons.append(f"该指标在{where}均未完成，建议按单位实际能力分解目标或适当下调")

        cut = self.budget_cut.get(fi)
        if cut is not None and missed and "数量" in (ind.level2 or ""):
            pct = cut.data.get("change_pct")
            actions.append("budget_cut")
            pct_text = f"{_pct(abs(pct))}%" if isinstance(pct, int | float) else "大幅"
            reasons.append(
                f"全年预算较年初调减{pct_text}（{cut.data.get('initial')}→{cut.data.get('adjusted')}万元），"
                "按原预算设定的数量目标难以实现：下年度目标应按实际可得预算测算，或先落实经费保障"
            )
            data["budget_change_pct"] = pct

        if not actions:
            if missed:
                actions.append("missed")
                reasons.append("本年度未完成，目标设置无明显问题，建议保持目标并落实改进措施")
            else:
                return None
        texts = self.texts  # the same reasons and suggestions recur across rows: kept once each
        suggestion = suggestion or t.raw
        reason = "；".join(reasons)
        return (tuple(actions), texts.setdefault(suggestion, suggestion), texts.setdefault(reason, reason), data or None)

    def keep(self, fi: int, ii: int) -> TargetSuggestion:
        """The suggestion of a row met with nothing to change: it follows from the row alone."""
        return self.build(fi, ii, (_KEEP, self.forms[fi].indicators[ii].target.raw, KEEP_REASON, None))

    def build(self, fi: int, ii: int, change: Change) -> TargetSuggestion:
        form = self.forms[fi]
        ind = form.indicators[ii]
        codes, suggestion, reason, data = change
        shared = self.shared.get(codes)
        if shared is None:
            labels = _quantify()["actions"]
            shared = self.shared[codes] = (list(codes), [labels.get(x, x) for x in codes])
        # positional, in field order: millions of these are built while findings.json is written
        return TargetSuggestion(
            form.project, form.unit, form.year, ind.level1, ind.level2, ind.name, ind.target.raw,
            ind.actual.raw, ind.weight, ind.score, ind.lost, shared[0], shared[1], suggestion, reason,
            ind.source.describe(), fi, ii, {} if data is None else dict(data),
        )

    def _by_far(self, ind: Indicator, actions: list[str], reasons: list[str], data: dict[str, Any]) -> None:
        """Targets exceeded by far: raise a ≥ target; tighten a cost cap far above the actual."""
        t, a = ind.target, ind.actual
        if t.value is None or a.value is None or t.value <= 0 or "direction" in actions:
            return
        if t.unit and a.unit and key(t.unit) != key(a.unit):
            return
        ratio = self.cfg.exceed_ratio
        is_cost = is_cost_indicator(ind)
        if t.op in ("≥", ">", "=") and not is_cost and a.value >= t.value * ratio:
            actions.append("raise")
            data["suggested"] = _fmt_target("≥" if t.op != "=" else "=", a.value, t.unit)
            reasons.append(f"实际完成{a.raw}超出目标{t.raw}达{_pct((a.value / t.value - 1) * 100)}%，目标偏低，建议按实际水平提高")
        elif t.op in ("≤", "<") and is_cost and a.value > 0 and t.value >= a.value * ratio:
            actions.append("tighten_cost")
            data["suggested"] = _fmt_target("≤", a.value, t.unit)
            reasons.append(f"实际成本{a.raw}仅为上限{t.raw}的{_pct(a.value / t.value * 100)}%，上限偏宽松，建议按实际成本收紧")


class _Rows(Sequence[TargetSuggestion]):
    """Suggestions built when read from the advisor and the changes (no reference back to the
    `TargetAdvice`: no cycle keeps a run's advice alive)."""

    def __init__(self, advisor: TargetAdvisor, starts: list[int], changes: dict[int, Change],
                 rows: list[int] | None, size: int) -> None:
        self._advisor = advisor
        self._starts = starts  # row number of each form's first row
        self._changes = changes  # row number -> change, for the changed rows
        self._rows = rows  # the row numbers listed, or None for every row
        self._size = size

    def _row(self, n: int) -> TargetSuggestion:
        fi = bisect_right(self._starts, n) - 1
        change = self._changes.get(n)
        ii = n - self._starts[fi]
        return self._advisor.keep(fi, ii) if change is None else self._advisor.build(fi, ii, change)

    def _at(self, i: int) -> TargetSuggestion:
        return self._row(i if self._rows is None else self._rows[i])

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, i: int) -> TargetSuggestion: ...
    @overload
    def __getitem__(self, i: slice) -> list[TargetSuggestion]: ...
    def __getitem__(self, i: int | slice) -> TargetSuggestion | list[TargetSuggestion]:
        if isinstance(i, slice):
            return [self._at(n) for n in range(*i.indices(self._size))]
        if not -self._size <= i < self._size:
            raise IndexError(i)
        return self._at(i % self._size)


class ChangedTargets(_Rows):
    """The suggestions that change something, in row order, built when read."""

    def __iter__(self) -> Iterator[TargetSuggestion]:
        # rows ascend: walk the forms alongside instead of searching each row's form
        build, starts, changes = self._advisor.build, self._starts, self._changes
        fi, last = 0, len(starts) - 1
        for n in self._rows or ():
            while fi < last and starts[fi + 1] <= n:
                fi += 1
            yield build(fi, n - starts[fi], changes[n])

    def actions(self) -> Iterator[tuple[str, ...]]:
        """The action codes of each, without building the suggestions."""
        return (change[0] for change in self._changes.values())


class TargetAdvice(_Rows):
    """The suggestions for every indicator row, in form and row order, built when read.

    Only what a changed row changes is kept (`Change`: shared action codes, reason and suggestion
    texts); a row's own fields come from its form, and the rows with nothing to change, about half
    of a batch, follow from the row alone: a province's millions of suggestions then cost little
    memory. `changed` lists the ones that change something.
    """

    def __init__(self, advisor: TargetAdvisor) -> None:
        starts: list[int] = []
        n = 0
        for form in advisor.forms:
            starts.append(n)
            n += len(form.indicators)
        changes = advisor.changes()
        super().__init__(advisor, starts, changes, None, n)
        self.changed = ChangedTargets(advisor, starts, changes, list(changes), len(changes))

    def kept_rows(self) -> list[tuple[int, int]]:
        """(form index, row index) of every row with nothing to change, in order: their suggestion is
        this year's target with `KEEP_REASON` (findings.json lists them so, not row by row)."""
        changes, rows, n = self._changes, [], 0
        for fi, form in enumerate(self._advisor.forms):
            for ii in range(len(form.indicators)):
                if n not in changes:
                    rows.append((fi, ii))
                n += 1
        return rows

    def to_dict(self, *, objects: bool = False) -> dict[str, Any]:
        """findings.json's `targets`: the suggestions that change something in full, then the rows
        kept as they are by position: a province's millions of identical "维持" records would be most
        of the file. `objects` leaves the suggestions to be built while they are written."""
        return {
            "changed": self.changed if objects else [t.to_dict() for t in self.changed],
            "kept": self.kept_rows(),
            "kept_reason": KEEP_REASON,
        }

    def __iter__(self) -> Iterator[TargetSuggestion]:
        advisor, changes, n = self._advisor, self._changes, 0
        for fi, form in enumerate(advisor.forms):
            for ii in range(len(form.indicators)):
                change = changes.get(n)
                yield advisor.keep(fi, ii) if change is None else advisor.build(fi, ii, change)
                n += 1


def suggest_targets(
    forms: list[Form], findings: list[Finding], config: TargetConfig | None = None
) -> TargetAdvice:
    """One suggestion per indicator row, in form and row order."""
    return TargetAdvice(TargetAdvisor(forms, findings, config or TargetConfig()))

