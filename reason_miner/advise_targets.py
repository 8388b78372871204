"""Next year's targets (下年度绩效目标建议): one suggestion for every indicator, with its reasons.

Suggestions only, the user decides. Rules (DOMAIN.md "Signals for next year's target setting"):
fix a wrong direction (check `direction_suspect`), replace a cost cap met to the cent by a benchmark
(`cost_at_cap`), quantify a qualitative target, lower or split a target missed by several units or
years, raise a target exceeded by far (tighten a cost cap far above the actual), and flag a budget
cut (`budget_cut`) that makes a missed quantity target unrealistic.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import orjson

from .checks import is_cost_named, is_quantity_named
from .model import Actual, Form, Indicator, Target
from .normalize import key
from .results import Finding
from .views import MadeWhenRead
from .vocab import load_json


@dataclass
class TargetConfig:
    exceed_ratio: float = 1.2  # actual ≥ target × ratio (≥ rows), or cap ≥ actual × ratio (cost caps)
    missed_units: int = 2  # missed in this many units ...
    missed_years: int = 2  # ... or years running → lower or split


@dataclass  # a row of the reports' tables (findings.json writes `ChangedTargets.encoded` instead)
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
# sets, not tuples: a hashed look-up instead of comparing strings, on every row
_AT_MOST = frozenset(("≤", "<"))
_AT_LEAST = frozenset(("≥", ">", "="))
_MISSED_STATUSES = frozenset(("部分达成", "未达成"))
# A row's change: action codes, suggested target, reason, data (or None). The row's own fields are
# read from the form again when the suggestion is built. Rows share equal changes (`ChangedRows`).
Change = tuple[tuple[str, ...], str, str, dict[str, Any] | None]


@cache
def _quantify() -> dict[str, Any]:
    return dict(load_json("measures/target_quantify.json"))


def _fmt_target(op: str, value: float, unit: str | None) -> str:
    return f"{op}{value:.2f}" + (f"({unit})" if unit else "")


def _pct(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")



@dataclass(frozen=True, slots=True)
class ChangedRows:
    """The rows that change something: their row numbers (over all forms' rows, ascending) and, for
    each, the index of its change in `table`. Arrays, and each distinct change kept once: at 100k
    forms over a million rows change, with some ten thousand distinct changes between them."""

    rows: array[int]
    which: array[int]
    table: list[Change]

    def __len__(self) -> int:
        return len(self.rows)

    def at(self, n: int) -> Change | None:
        """The change of row number `n`, or None when the row keeps its target."""
        rows = self.rows
        j = bisect_left(rows, n)
        return self.table[self.which[j]] if j < len(rows) and rows[j] == n else None


def _starts(forms: list[Form]) -> list[int]:
    """Row number of each form's first row (over all forms' rows, in order), then the row count."""
    starts, n = [0], 0
    for form in forms:
        n += len(form.indicators)
        starts.append(n)
    return starts


class _RowFacts(NamedTuple):
    """All a row's change depends on besides its Target and Actual (see `TargetAdvisor.changes`)."""

    missed: bool
    direction_op: str | None  # the direction_suspect finding's suggested operator
    lost: bool  # points lost (said in the direction reason)
    soft_direction: bool  # "≤" on a quantity, not penalised: the same fix, softer reason
    at_cap: bool  # cost_at_cap finding
    far: bool  # the actual exceeds a ≥ target that is no cost, or stays under a cost cap, by far (`exceed_ratio`)
    cost: bool  # `far` below a cost cap: tighten it
    where: str | None  # missed in several units (or years running): where
    cut: Finding | None  # the form's budget cut, when it bears on this row


_MET = _RowFacts(False, None, False, False, False, False, False, None, None)  # met, without findings


class _Decided:
    """The distinct changes decided so far (`table`), and which one each combination of a row's
    target, actual and facts gets (`memo`: index in `table`, -1 for nothing to change)."""

    def __init__(self, advisor: TargetAdvisor) -> None:
        self.advisor = advisor
        self.ratio = advisor.cfg.exceed_ratio
        self.memo: dict[Any, int] = {}
        self.table: list[Change] = []
        self._index: dict[tuple[Any, ...], int] = {}  # change (data as items) -> index in table
        self._texts: dict[Any, Any] = {}  # action codes, suggestions and reasons, kept once each

    def row(self, ind: Indicator, flags: list[Any] | None, missed: bool, where: str | None,
            cut: Finding | None) -> int:
        """The change of a row (index in `table`, -1: none), from its findings (`flags`: first
        direction_suspect, any cost_at_cap), whether it was missed and where else (`where`), and
        the form's budget cut when it bears on the row."""
        t, a = ind.target, ind.actual
        op, value = t.op, t.value
        direction_op, lost, at_cap = None, False, False
        if flags is not None and value is not None:
            if flags[0] is not None:
                direction_op = str(flags[0].data.get("suggested_op") or "≥")
                lost = (ind.lost or 0) > 0
            at_cap = flags[1]
        # (is_quantity_indicator and is_cost_indicator, called with the texts at hand: most rows here)
        soft = (direction_op is None and op in _AT_MOST and value is not None
                and is_quantity_named(ind.level1, ind.level2, ind.name, t.unit or a.unit))
        # exceeded by far (`_by_far`): only then do the actual and the indicator's kind matter; and
        # only a target that is no cost is raised, only a cost cap tightened (far is false otherwise)
        far = cost = False
        if direction_op is None and not soft and value is not None and value > 0.0 and a.value is not None:
            actual, ratio = a.value, self.ratio
            if op in _AT_LEAST:
                far = actual >= value * ratio and not is_cost_named(ind.level1, ind.level2, ind.name)
            elif op in _AT_MOST:
                far = cost = actual > 0.0 and value >= actual * ratio and is_cost_named(ind.level1, ind.level2, ind.name)
        if not (missed or direction_op or soft or at_cap or far or op is None and t.text):
            return -1  # no rule applies
        # the actual matters when its numbers are in the change (and then rows rarely share one)
        own = direction_op or at_cap or far
        memo_key = (id(t), id(a) if own else 0, missed + 2 * lost + 4 * soft + 8 * at_cap + 16 * far + 32 * cost,
                    direction_op, where, id(cut))
        k = self.memo.get(memo_key)
        if k is None:
            facts = _RowFacts(missed, direction_op, lost, soft, at_cap, far, cost, where, cut)
            k = self.decide(memo_key, t, a, facts, look_up=not own)
        return k

    def decide(self, memo_key: Any, t: Target, a: Actual, facts: _RowFacts, look_up: bool = True) -> int:
        """Decide a change, memoise it under `memo_key` and keep it once (`look_up`: among the
        equal ones reached from other keys; not worth it for a change with the actual's numbers)."""
        change = self.advisor.change(t, a, facts)
        k = -1
        if change is not None:
            codes, suggestion, reason, data = change
            texts = self._texts
            codes, suggestion = texts.setdefault(codes, codes), texts.setdefault(suggestion, suggestion)
            if look_up:
                change_key = (codes, suggestion, reason, None if data is None else tuple(data.items()))
                k = self._index.get(change_key, -1)
                if k < 0:
                    k = self._index[change_key] = len(self.table)
                    self.table.append((codes, suggestion, texts.setdefault(reason, reason), data))
            else:
                k = len(self.table)
                self.table.append((codes, suggestion, reason, data))
        self.memo[memo_key] = k
        return k


class TargetAdvisor:
    """What every row should change, from the forms and their findings (`changes`); the rows'
    suggestions are built from it when read (`build`, `keep`)."""

    def __init__(self, forms: list[Form], findings: list[Finding], cfg: TargetConfig) -> None:
        self.forms = forms
        self.findings = findings
        self.cfg = cfg
        self.starts = _starts(forms)  # each form's first row number, then the row count
        # the few distinct action lists, shared by the rows that have them (read-only)
        self.shared: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}

    def _where_missed(self, units: dict[str, set[str]], years: dict[str, set[int]]) -> dict[str, str | None]:
        """Indicator name key -> where it was missed, for the names missed in enough units (or
        years running) to suggest lowering or splitting the target; None for the others."""
        cfg, where = self.cfg, {}
        for name, in_units in units.items():
            n_units, n_years = len(in_units), len(years.get(name, ()))
            where[name] = (f"{n_units}个单位" if n_units >= cfg.missed_units
                           else f"连续{n_years}个年度" if n_years and n_years >= cfg.missed_years else None)
        return where

    def _row_findings(self, starts: list[int]) -> tuple[dict[int, list[Any]], dict[int, Finding]]:
        """The findings target advice reads: row number -> [first direction_suspect, any
        cost_at_cap], and form -> budget_cut."""
        at_rows: dict[int, list[Any]] = {}
        budget_cut: dict[int, Finding] = {}
        for f in self.findings:
            if f.indicator_index is None:
                if f.rule == "budget_cut":
                    budget_cut[f.form_index] = f
            elif f.rule in ("direction_suspect", "cost_at_cap"):
                got = at_rows.setdefault(starts[f.form_index] + f.indicator_index, [None, False])
                if f.rule == "cost_at_cap":
                    got[1] = True
                elif got[0] is None:
                    got[0] = f
        return at_rows, budget_cut

    def changes(self) -> ChangedRows:
        """The rows that change something, with their changes.

        A row's change depends on its Target and Actual (values shared between rows, `interning`)
        and a few facts (`_RowFacts`): it is decided once for each distinct combination. Rows met
        without findings, most of a batch, go through the cheapest tests: those no rule can change
        are passed over, and a qualitative target's change follows from the target alone. Rows
        missed are decided after the walk, once it knows who else missed the same indicator."""
        forms, starts = self.forms, self.starts
        at_rows, budget_cut = self._row_findings(starts)
        decided = _Decided(self)
        memo, decide, row, ratio = decided.memo, decided.decide, decided.row, decided.ratio
        # row number -> index in the table, -1: kept (or missed: decided after the walk) (a list: an
        # array's item assignment parses its argument, several times slower)
        which_all = [-1] * starts[-1]
        units: dict[str, set[str]] = defaultdict(set)  # indicator name key -> units that missed it
        years: dict[str, set[int]] = defaultdict(set)  # ... and years
        missed, missed_in = array("i"), array("i")  # rows missed: row number, form (4 bytes each) ...
        missed_names: list[str] = []  # ... and name key (shared strings)
        for fi, (form, start) in enumerate(zip(forms, starts, strict=False)):
            unit, year = form.unit or "未知单位", form.year
            for n, ind in enumerate(form.indicators, start):
                # (float literals in the tests of every row: a float-float compare is the fast one)
                a, lost = ind.actual, ind.lost
                if (lost is not None and lost > 0.005) or a.status in _MISSED_STATUSES:
                    name = key(ind.name)
                    units[name].add(unit)
                    if year is not None:
                        years[name].add(year)
                    missed.append(n)
                    missed_in.append(fi)
                    missed_names.append(name)
                    continue
                t = ind.target
                op, value = t.op, t.value
                if op is None:  # (no finding flags a row without a number: none is looked up)
                    if t.text:
                        k = memo.get(id(t))
                        which_all[n] = decide(id(t), t, a, _MET) if k is None else k
                    continue
                if value is None:
                    continue  # nothing any rule looks at
                flags = at_rows.get(n)
                if flags is None:
                    actual = a.value
                    if op in _AT_MOST:  # a cap: only a quantity's "≤" or a cap far above the actual matter
                        if (not (value > 0.0 and actual is not None and actual > 0.0 and value >= actual * ratio)
                                and not is_quantity_named(ind.level1, ind.level2, ind.name, t.unit or a.unit)):
                            continue
                    elif actual is None or value <= 0.0 or actual < value * ratio:
                        continue
                which_all[n] = row(ind, flags, False, None, None)
        if missed:
            where = self._where_missed(units, years)
            for n, fi, name in zip(missed, missed_in, missed_names, strict=True):
                ind = forms[fi].indicators[n - starts[fi]]
                cut = budget_cut.get(fi) if "数量" in (ind.level2 or "") else None
                which_all[n] = row(ind, at_rows.get(n), True, where[name], cut)
        del missed, missed_in, missed_names
        every = np.fromiter(which_all, dtype=np.intc, count=len(which_all))
        del which_all
        rows = np.flatnonzero(every >= 0).astype(np.intc)
        return ChangedRows(array("i", rows.tobytes()), array("i", every[rows].tobytes()), decided.table)

    def change(self, t: Target, a: Actual, row: _RowFacts) -> Change | None:
        """What to change in a row, or None when there is nothing to change (see `keep`)."""
        missed, direction_op, lost, soft, at_cap, far, cost, where, cut = row
        actions: list[str] = []
        reasons: list[str] = []
        suggestion: str | None = None
        data: dict[str, Any] = {}
        value = t.value  # (the facts on direction, cost cap and exceeding hold only with a value)

        if direction_op is not None and value is not None:
            actions.append("direction")
            suggestion = _fmt_target(direction_op, value, t.unit)
            reasons.append(
                f"指标方向有误：“{t.op}”用于{'数量' if direction_op == '≥' else '成本'}类指标，实际完成{a.raw}"
                f"{'被扣分' if lost else '却得满分'}，评分实际按“{direction_op}”执行，建议改为“{direction_op}”"
            )
            data["suggested_op"] = direction_op
        elif soft and value is not None:
            # not penalised this year, but "≤" on a count rewards doing less: same fix, softer reason
            actions.append("direction")
            suggestion = _fmt_target("≥", value, t.unit)
            reasons.append(
                f"数量类指标使用“{t.op}”：本年虽未因此扣分，但“{t.op}”意味着完成越少越好，与数量指标的性质不符，"
                "建议改为“≥”（如确为编制或规模上限，可改为“=”）"
            )
            data["suggested_op"] = "≥"

        if at_cap and value is not None:
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

        if far:
            suggestion = suggestion or self._by_far(t, a, cost, actions, reasons)

        if where is not None:
            actions.append("lower_split")
            reasons.append(f"该指标在{where}均未完成，建议按单位实际能力分解目标或适当下调")

        if cut is not None:
            pct = cut.data.get("change_pct")
            actions.append("budget_cut")
            pct_text = f"{_pct(abs(pct))}%" if isinstance(pct, int | float) else "大幅"
            reasons.append(
                f"全年预算较年初调减{pct_text}（{cut.data.get('initial')}→{cut.data.get('adjusted')}万元），"
                "按原预算设定的数量目标难以实现：下年度目标应按实际可得预算测算，或先落实经费保障"
            )
            data["budget_change_pct"] = pct

        if not actions:
            if not missed:
                return None
            actions.append("missed")
            reasons.append("本年度未完成，目标设置无明显问题，建议保持目标并落实改进措施")
        return (tuple(actions), suggestion or t.raw, "；".join(reasons), data or None)

    def keep(self, fi: int, ii: int) -> TargetSuggestion:
        """The suggestion of a row met with nothing to change: it follows from the row alone."""
        return self.build(fi, ii, (_KEEP, self.forms[fi].indicators[ii].target.raw, KEEP_REASON, None))

    def build(self, fi: int, ii: int, change: Change) -> TargetSuggestion:
        form = self.forms[fi]
        ind = form.indicators[ii]
        codes, suggestion, reason, data = change
        shared = action_lists(self.shared, codes)
        # positional, in field order
        return TargetSuggestion(
            form.project, form.unit, form.year, ind.level1, ind.level2, ind.name, ind.target.raw,
            ind.actual.raw, ind.weight, ind.score, ind.lost, shared[0], shared[1], suggestion, reason,
            ind.source.describe(), fi, ii, {} if data is None else dict(data),
        )

    def _by_far(self, t: Target, a: Actual, cost: bool, actions: list[str], reasons: list[str]) -> str | None:
        """Targets exceeded by far: raise a ≥ target; tighten a cost cap far above the actual.
        Returns the suggested target."""
        if t.value is None or a.value is None or t.value <= 0 or "direction" in actions:
            return None
        if t.unit and a.unit and t.unit != a.unit and key(t.unit) != key(a.unit):
            return None
        ratio = self.cfg.exceed_ratio
        if t.op in _AT_LEAST and not cost and a.value >= t.value * ratio:
            actions.append("raise")
            reasons.append(f"实际完成{a.raw}超出目标{t.raw}达{_pct((a.value / t.value - 1) * 100)}%，目标偏低，建议按实际水平提高")
            return _fmt_target("≥" if t.op != "=" else "=", a.value, t.unit)
        if t.op in _AT_MOST and cost and a.value > 0 and t.value >= a.value * ratio:
            actions.append("tighten_cost")
            reasons.append(f"实际成本{a.raw}仅为上限{t.raw}的{_pct(a.value / t.value * 100)}%，上限偏宽松，建议按实际成本收紧")
            return _fmt_target("≤", a.value, t.unit)
        return None


def action_lists(shared: dict[tuple[str, ...], tuple[list[str], list[str]]],
                 codes: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The action codes and their labels as lists, kept once per distinct codes in `shared`
    (read-only: every row with those actions holds them)."""
    lists = shared.get(codes)
    if lists is None:
        labels = _quantify()["actions"]
        lists = shared[codes] = (list(codes), [labels.get(x, x) for x in codes])
    return lists


# findings.json's record of a changed row (`targets.changed`): where the row is, its name, and the
# change; the row's other fields are in forms[form_index].indicators[indicator_index]
RECORD_KEYS = ("form_index", "indicator_index", "indicator", "actions", "action_labels", "suggestion", "reason",
               "data")
_TAILS = 1 << 12  # encoded changes kept at once while the records are encoded (~2 MB at most)
_STEP = 1 << 16  # rows located at once (as lists of ints: a few MB)


def _locate(first: np.ndarray[Any, Any], rows: np.ndarray[Any, Any]) -> tuple[list[int], list[int]]:
    """(form index, row index) of ascending row numbers, given each form's first row number
    (`first`): searched all at once, as plain ints (a form without rows is passed over)."""
    fi = np.searchsorted(first, rows, side="right") - 1
    return fi.tolist(), (rows - first[fi]).tolist()


class _Rows(MadeWhenRead[TargetSuggestion]):
    """Suggestions built when read from the advisor and the changed rows (no reference back to the
    `TargetAdvice`: no cycle keeps a run's advice alive)."""

    def __init__(self, advisor: TargetAdvisor, starts: list[int], changed: ChangedRows, size: int) -> None:
        self._advisor = advisor
        self._starts = starts  # row number of each form's first row ...
        self._first = np.asarray(starts)  # ... as an array, to locate many rows at once (`_locate`)
        self._changed = changed
        self._size = size

    def _build(self, n: int, change: Change | None) -> TargetSuggestion:
        """The suggestion of row number `n`, with its change (None: kept)."""
        fi = bisect_right(self._starts, n) - 1
        ii = n - self._starts[fi]
        return self._advisor.keep(fi, ii) if change is None else self._advisor.build(fi, ii, change)

    def _at(self, i: int) -> TargetSuggestion:
        raise NotImplementedError

    def __len__(self) -> int:
        return self._size


class ChangedTargets(_Rows):
    """The suggestions that change something, in row order, built when read."""

    def _at(self, i: int) -> TargetSuggestion:
        changed = self._changed
        return self._build(changed.rows[i], changed.table[changed.which[i]])

    def _positions(self) -> Iterator[tuple[int, int, int]]:
        """(form index, row index, index of the change in the table) of each, in order."""
        rows, which = self._changed.rows, self._changed.which
        step = _STEP
        for lo in range(0, len(rows), step):
            fi, ii = _locate(self._first, np.frombuffer(rows, dtype=np.intc, count=min(step, len(rows) - lo),
                                                         offset=lo * rows.itemsize))
            yield from zip(fi, ii, which[lo:lo + step], strict=True)

    def __iter__(self) -> Iterator[TargetSuggestion]:
        build, table = self._advisor.build, self._changed.table
        for fi, ii, k in self._positions():
            yield build(fi, ii, table[k])

    def _change_record(self, k: int) -> dict[str, Any]:
        """The keys of a record that come from its change (table[k]), shared by the rows with it."""
        codes, suggestion, reason, data = self._changed.table[k]
        actions, labels = action_lists(self._advisor.shared, codes)
        return {"actions": list(actions), "action_labels": list(labels), "suggestion": suggestion, "reason": reason,
                "data": {} if data is None else dict(data)}

    def records(self) -> Iterator[dict[str, Any]]:
        """Each as findings.json's record (`RECORD_KEYS`), without building the suggestion."""
        forms = self._advisor.forms
        for fi, ii, k in self._positions():
            yield {"form_index": fi, "indicator_index": ii, "indicator": forms[fi].indicators[ii].name,
                   **self._change_record(k)}

    def encoded(self) -> Iterator[bytes]:
        """`records` as orjson encodes them, made from pieces: the part from the change (most of
        the record) encoded once for the rows that share it, while the iteration lasts (a bounded
        number at a time), the form's part once per form and the indicator name's once per name."""
        forms, dumps = self._advisor.forms, orjson.dumps
        tails: dict[int, bytes] = {}
        names: dict[str, bytes] = {}  # name -> its JSON between the row index and the tail
        last, head = -1, b""  # the form of the rows at hand, its part of their records ...
        rows: list[Indicator] = []  # ... and its rows
        for fi, ii, k in self._positions():
            tail = tails.get(k)
            if tail is None:
                if len(tails) >= _TAILS:
                    tails.clear()
                tail = tails[k] = dumps(self._change_record(k), option=orjson.OPT_NON_STR_KEYS)[1:]
            if fi != last:  # rows of a form come together
                last, rows = fi, forms[fi].indicators
                head = b'{"form_index":%d,"indicator_index":' % fi
            name = rows[ii].name
            middle = names.get(name)
            if middle is None:
                if len(names) >= _TAILS:
                    names.clear()
                middle = names[name] = b',"indicator":%b,' % dumps(name)
            yield b"".join((head, b"%d" % ii, middle, tail))

    def actions(self) -> Iterator[tuple[str, ...]]:
        """The action codes of each, without building the suggestions."""
        table = self._changed.table
        return (table[k][0] for k in self._changed.which)


class TargetAdvice(_Rows):
    """The suggestions for every indicator row, in form and row order, built when read.

    Only what a changed row changes is kept (`ChangedRows`: row numbers in an array, each distinct
    change once); a row's own fields come from its form, and the rows with nothing to change, about
    half of a batch, follow from the row alone: a province's millions of suggestions then cost
    little memory. `changed` lists the ones that change something.
    """

    def __init__(self, advisor: TargetAdvisor, changed: ChangedRows | None = None) -> None:
        """`changed`: `advisor.changes()` when already decided (in another process: `target_changes`)."""
        starts, size = advisor.starts[:-1], advisor.starts[-1]
        if changed is None:
            changed = advisor.changes()
        super().__init__(advisor, starts, changed, size)
        self.changed = ChangedTargets(advisor, starts, changed, len(changed))

    def _at(self, i: int) -> TargetSuggestion:
        return self._build(i, self._changed.at(i))

    def _walk(self) -> Iterator[tuple[int, int, Change | None]]:
        """(form index, row index, change or None) of every row, in order."""
        changed = self._changed
        rows, which, table = changed.rows, changed.which, changed.table
        j, m, n = 0, len(rows), 0
        next_changed = rows[0] if m else -1
        for fi, form in enumerate(self._advisor.forms):
            for ii in range(len(form.indicators)):
                if n == next_changed:
                    yield fi, ii, table[which[j]]
                    j += 1
                    next_changed = rows[j] if j < m else -1
                else:
                    yield fi, ii, None
                n += 1

    def kept_rows(self) -> list[tuple[int, int]]:
        """(form index, row index) of every row with nothing to change, in order: their suggestion is
        this year's target with `KEEP_REASON` (findings.json lists them so, not row by row)."""
        return list(self.iter_kept())

    def iter_kept(self, step: int = 1 << 16) -> Iterator[tuple[int, int]]:
        """`kept_rows`, one at a time: worked out `step` rows at a time from the changed rows'
        numbers, never held whole (over a million pairs at 100k forms, ~130 MB as a list)."""
        changed = np.frombuffer(self._changed.rows, dtype=np.intc)
        for lo in range(0, self._size, step):
            hi = min(lo + step, self._size)
            kept = np.ones(hi - lo, dtype=bool)
            a, b = np.searchsorted(changed, (lo, hi))
            kept[changed[a:b] - lo] = False
            yield from zip(*_locate(self._first, np.flatnonzero(kept) + lo), strict=True)

    def to_dict(self, *, objects: bool = False) -> dict[str, Any]:
        """findings.json's `targets`: the rows that change something, each pointing at its row in
        `forms` and giving what changes (`RECORD_KEYS`), then the rows kept as they are by position:
        a province's millions of identical "维持" records would be most of the file. `objects`: for
        findings.json's writer, the records as their JSON bytes, made and the kept rows worked out
        while they are written."""
        return {
            "changed": self.changed.encoded() if objects else list(self.changed.records()),
            "kept": self.iter_kept() if objects else self.kept_rows(),
            "kept_reason": KEEP_REASON,
        }

    def __iter__(self) -> Iterator[TargetSuggestion]:
        advisor = self._advisor
        for fi, ii, change in self._walk():
            yield advisor.keep(fi, ii) if change is None else advisor.build(fi, ii, change)


def target_changes(forms: list[Form], findings: list[Finding], config: TargetConfig | None = None) -> ChangedRows:
    """What every row should change (the costly part of `suggest_targets`): plain arrays and tuples,
    cheap to pickle, so it can be decided in another process that shares the forms (`forked`)."""
    return TargetAdvisor(forms, findings, config or TargetConfig()).changes()


def suggest_targets(
    forms: list[Form], findings: list[Finding], config: TargetConfig | None = None,
    changed: ChangedRows | None = None,
) -> TargetAdvice:
    """One suggestion per indicator row, in form and row order; `changed`: `target_changes` of the
    same forms, findings and config, when already decided."""
    return TargetAdvice(TargetAdvisor(forms, findings, config or TargetConfig()), changed)

