"""Checks on interpreted forms: arithmetic that does not add up, scores outside what the finance
ministry's rules allow, and signals for next year's target setting (see DOMAIN.md).

Every rule reports deviations and never "fixes" the form. A rule is skipped when its inputs are
absent (templates without score columns, qualitative targets, units that differ), so a missing
value never produces a finding. Words and standard measures live in corpora/checks/check_rules.json;
thresholds and tolerances are `CheckConfig` defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from .model import Form, Indicator
from .normalize import key
from .results import Finding, Severity
from .vocab import load_json, load_vocab

# Order of the rules inside one form / one row; findings are sorted by form, row, then this order.
FORM_RULES = ("total_mismatch", "weights_sum", "grade_mismatch", "funds_rate", "funds_score", "budget_cut")
ROW_RULES = (
    "score_range",
    "qualitative_band",
    "quantitative_score",
    "direction_suspect",
    "cost_at_cap",
    "missing_reason",
    "reason_on_full_score",
)
RULES = FORM_RULES + ROW_RULES

_POSITIVE = ("≥", ">")
_REVERSE = ("≤", "<")


@dataclass(frozen=True)
class CheckConfig:
    """Thresholds and tolerances. Scores and amounts are printed with 2 decimals, hence the defaults."""

    budget_cut_pct: float = 20.0  # report 全年预算数 more than this % below 年初预算数
    total_weight: float = 100.0  # 分值 of the whole form (funds + indicators)
    score_tolerance: float = 0.005  # one row's 得分 against a bound (half the 0.01 printing step)
    total_tolerance: float = 0.05  # 总分 against funds 得分 + Σ 得分 (rows may be rounded one by one)
    funds_score_tolerance: float = 0.05  # funds 得分 against 分值 × 执行率
    funds_rate_tolerance: float = 0.5  # 执行率 (percentage points) against 执行数 ÷ 预算数
    quantitative_slack: float = 0.5  # points above the proportional score still accepted (half-point scoring)
    cap_tolerance: float = 0.005  # actual "equals" a cost cap to the cent


@dataclass(frozen=True)
class _Words:
    rule_labels: dict[str, str]
    severity_labels: dict[str, str]
    grades: tuple[tuple[str, float, frozenset[str]], ...]  # (grade, inclusive minimum, alias keys)
    bands: dict[str, tuple[float, float, bool]]  # status → (min %, max %, max inclusive)
    missed_words: tuple[str, ...]
    cost_level_words: tuple[str, ...]
    quantity_units: frozenset[str]
    quantity_name_words: tuple[str, ...]
    non_quantity_unit_words: tuple[str, ...]
    non_quantity_name_words: tuple[str, ...]


@cache
def _words() -> _Words:
    d = load_json("checks/check_rules.json")
    return _Words(
        rule_labels=dict(d["rule_labels"]),
        severity_labels=dict(d["severity_labels"]),
        grades=tuple(
            (g["grade"], float(g["min"]), frozenset(key(a) for a in g["aliases"]))
            for g in sorted(d["grades"], key=lambda g: -g["min"])
        ),
        bands={s: (float(b["min"]), float(b["max"]), bool(b["max_inclusive"])) for s, b in d["qualitative_bands"].items()},
        missed_words=tuple(d["missed_words"]),
        cost_level_words=tuple(d["cost_level_words"]),
        quantity_units=frozenset(key(u) for u in d["quantity_units"]),
        quantity_name_words=tuple(d["quantity_name_words"]),
        non_quantity_unit_words=tuple(d["non_quantity_unit_words"]),
        non_quantity_name_words=tuple(d["non_quantity_name_words"]),
    )


def rule_label(rule: str) -> str:
    """Chinese name of a rule id (for tables and reports)."""
    return _words().rule_labels.get(rule, rule)


def severity_label(severity: str) -> str:
    return _words().severity_labels.get(severity, severity)


# ---------------------------------------------------------------- formatting helpers


def _n(v: float) -> str:
    """A score or ratio as a finance officer writes it: at most 2 decimals, no trailing zeros."""
    s = f"{round(v, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _money(v: float) -> str:
    return f"{v:.2f}"


def _r(v: float) -> float:
    return round(v, 2)


def _with_unit(v: float, unit: str | None) -> str:
    return f"{_n(v)}{unit or ''}"


# ---------------------------------------------------------------- indicator classification


def is_cost_indicator(ind: Indicator) -> bool:
    """Cost indicator: 一级/二级指标 names a cost (the name only when both levels are absent)."""
    w = _words()
    levels = [x for x in (ind.level1, ind.level2) if x]
    texts = levels or [ind.name]
    return any(word in t for t in texts for word in w.cost_level_words)


def is_quantity_indicator(ind: Indicator) -> bool:
    """Quantity indicator (more is better): a count unit, or a quantity verb with no money/time/rate unit."""
    if is_cost_indicator(ind):
        return False
    w = _words()
    unit = key(ind.target.unit or ind.actual.unit)
    if unit in w.quantity_units:
        return True
    if unit and any(x in unit for x in w.non_quantity_unit_words):
        return False
    if any(x in ind.name for x in w.non_quantity_name_words):
        return False
    return any(x in ind.name for x in w.quantity_name_words)


def _has_reason(ind: Indicator) -> bool:
    return bool(ind.reason and ind.reason.strip() and key(ind.reason) not in load_vocab().no_reason)


@dataclass(frozen=True)
class _Numeric:
    """A row whose target and actual are comparable numbers with the same unit."""

    op: str
    target: float
    actual: float
    unit: str | None


def _numeric(ind: Indicator) -> _Numeric | None:
    t, a = ind.target, ind.actual
    if t.op is None or t.value is None or a.value is None:
        return None
    if t.unit and a.unit and key(t.unit) != key(a.unit):
        return None  # different units (元 vs 万元, % vs 个): not comparable
    return _Numeric(t.op, t.value, a.value, t.unit or a.unit)


def _meets(n: _Numeric) -> bool:
    """Whether the actual satisfies the stated direction (equality at the bound counts as met)."""
    eps = 1e-9 * max(1.0, abs(n.target))
    if n.op in _POSITIVE:
        return n.actual >= n.target - eps
    if n.op in _REVERSE:
        return n.actual <= n.target + eps
    return abs(n.actual - n.target) <= eps


def _completion(n: _Numeric) -> float | None:
    """Share of the target reached for a missed target (0..1), or None when it cannot be computed."""
    if n.op in _REVERSE:
        return n.target / n.actual if n.actual > 0 and n.target >= 0 else None
    if n.actual < n.target and n.target > 0:
        return max(n.actual, 0.0) / n.target
    return None  # "=" exceeded: practice varies, no bound


# ---------------------------------------------------------------- the checker

_Maker = Callable[[str, Severity, str, dict[str, Any]], Finding]  # builds a finding on the current row


class _FormChecker:
    """Runs every rule on one form; each rule method yields findings."""

    def __init__(self, form: Form, form_index: int, config: CheckConfig) -> None:
        self.form = form
        self.index = form_index
        self.cfg = config

    def finding(
        self,
        rule: str,
        severity: Severity,
        message: str,
        data: dict[str, Any],
        ind: Indicator | None = None,
        ind_index: int | None = None,
    ) -> Finding:
        return Finding(
            rule=rule,
            severity=severity,
            project=self.form.project,
            unit=self.form.unit,
            indicator=ind.name if ind else None,
            message=message,
            source=ind.source if ind else self.form.source,
            form_index=self.index,
            indicator_index=ind_index,
            data=data,
        )

    def run(self) -> Iterator[Finding]:
        for rule in (self.total_mismatch, self.weights_sum, self.grade_mismatch, self.funds_rate,
                     self.funds_score, self.budget_cut):
            yield from rule()
        for i, ind in enumerate(self.form.indicators):
            yield from self.row(i, ind)

    # ------------------------------------------------------------ form-level rules

    def _indicator_scores(self) -> list[float] | None:
        scores = [i.score for i in self.form.indicators]
        if not scores or any(s is None for s in scores):
            return None
        return [s for s in scores if s is not None]

    def computed_total(self) -> float | None:
        scores = self._indicator_scores()
        funds = self.form.funds
        if scores is None or (funds.weight is not None and funds.score is None):
            return None  # a score column is absent: no total to compare
        return _r(sum(scores) + (funds.score or 0.0))

    def total_mismatch(self) -> Iterator[Finding]:
        stated = self.form.total.score
        calc = self.computed_total()
        if stated is None or calc is None or abs(stated - calc) <= self.cfg.total_tolerance:
            return
        funds = self.form.funds.score or 0.0
        rows = _r(calc - funds)
        yield self.finding(
            "total_mismatch",
            "error",
            f"总分填报为{_n(stated)}分，但资金得分{_n(funds)}分加各指标得分合计{_n(rows)}分应为{_n(calc)}分"
            f"（填报值{'多' if stated > calc else '少'}{_n(abs(stated - calc))}分）",
            {"stated": stated, "funds_score": funds, "indicator_sum": rows, "expected": calc,
             "difference": _r(stated - calc)},
        )

    def weights_sum(self) -> Iterator[Finding]:
        weights = [i.weight for i in self.form.indicators]
        if not weights or any(w is None for w in weights):
            return
        rows = _r(sum(w for w in weights if w is not None))
        funds = self.form.funds.weight
        stated = self.form.total.weight
        expected = self.cfg.total_weight
        tol = self.cfg.score_tolerance
        if funds is None:
            # template without a scored funds block (or funds weight not printed): only an excess is certain
            if rows <= expected + tol and (stated is None or rows <= stated + tol):
                return
            total = rows
        else:
            total = _r(rows + funds)
            if abs(total - expected) <= tol and (stated is None or abs(stated - total) <= tol):
                return
        parts = f"指标分值合计{_n(rows)}" if funds is None else f"资金分值{_n(funds)}加指标分值合计{_n(rows)}"
        msg = f"分值合计为{_n(total)}（{parts}），应为{_n(expected)}"
        if stated is not None and abs(stated - total) > tol:
            msg += f"；表中总分值填报为{_n(stated)}"
        yield self.finding(
            "weights_sum",
            "error",
            msg,
            {"funds_weight": funds, "indicator_weight": rows, "sum": total, "expected": expected,
             "stated": stated},
        )

    def grade_mismatch(self) -> Iterator[Finding]:
        grade = self.form.grade
        score = self.form.total.score if self.form.total.score is not None else self.computed_total()
        if not grade or score is None:
            return
        grades = _words().grades
        stated = next((g for g, _, aliases in grades if key(grade) in aliases), None)
        expected = next(g for g, low, _ in grades if score >= low - 1e-9 or low <= 0)
        if stated is None or stated == expected:
            return
        bands, upper = [], 0.0
        for g, low, _ in grades:
            bands.append(f"{g}≥{_n(low)}" if low > 0 else f"{g}<{_n(upper)}")
            upper = low
        scale = "，".join(bands)
        yield self.finding(
            "grade_mismatch",
            "error",
            f"评分等级填报为「{grade}」，但总分{_n(score)}分对应「{expected}」（{scale}）",
            {"stated": grade, "expected": expected, "score": score},
        )

    def _rate(self) -> float | None:
        """执行率 in percent: as printed, else 全年执行数 ÷ 全年预算数."""
        f = self.form.funds
        if f.rate is not None:
            return f.rate
        if f.executed is not None and f.adjusted:
            return f.executed / f.adjusted * 100
        return None

    def funds_rate(self) -> Iterator[Finding]:
        f = self.form.funds
        if f.rate is None or f.executed is None or not f.adjusted:
            return
        calc = f.executed / f.adjusted * 100
        if abs(calc - f.rate) <= self.cfg.funds_rate_tolerance:
            return
        yield self.finding(
            "funds_rate",
            "error",
            f"执行率填报为{_n(f.rate)}%，但全年执行数{_money(f.executed)}÷全年预算数{_money(f.adjusted)}"
            f"应为{_n(calc)}%",
            {"stated": f.rate, "expected": _r(calc), "executed": f.executed, "adjusted": f.adjusted},
        )

    def funds_score(self) -> Iterator[Finding]:
        f = self.form.funds
        rate = self._rate()
        if f.weight is None or f.score is None or rate is None:
            return
        expected = _r(f.weight * min(max(rate, 0.0), 100.0) / 100)
        if abs(f.score - expected) <= self.cfg.funds_score_tolerance:
            return
        yield self.finding(
            "funds_score",
            "warning",
            f"资金得分填报为{_n(f.score)}分，但按分值{_n(f.weight)}×执行率{_n(rate)}%"
            f"（超过100%按100%计）应得{_n(expected)}分",
            {"stated": f.score, "expected": expected, "weight": f.weight, "rate": _r(rate)},
        )

    def budget_cut(self) -> Iterator[Finding]:
        f = self.form.funds
        if f.initial is None or f.adjusted is None or f.initial <= 0:
            return
        change = (f.adjusted - f.initial) / f.initial * 100
        if change >= -self.cfg.budget_cut_pct:
            return
        lost_rows = [i for i in self.form.indicators if i.lost and i.lost > self.cfg.score_tolerance]
        lost = _r(sum(i.lost or 0.0 for i in lost_rows))
        msg = f"全年预算数较年初预算数减少{abs(change):.1f}%（{_money(f.initial)}→{_money(f.adjusted)}万元）"
        if lost_rows:
            msg += f"；同期{len(lost_rows)}项指标共扣{_n(lost)}分，请核实经费调减是否为指标未完成的实际原因"
        yield self.finding(
            "budget_cut",
            "info",
            msg,
            {"initial": f.initial, "adjusted": f.adjusted, "change_pct": round(change, 1),
             "threshold_pct": self.cfg.budget_cut_pct, "rows_lost": len(lost_rows), "points_lost": lost},
        )

    # ------------------------------------------------------------ row rules

    def row(self, idx: int, ind: Indicator) -> Iterator[Finding]:
        def mk(rule: str, severity: Severity, message: str, data: dict[str, Any]) -> Finding:
            return self.finding(rule, severity, message, data, ind, idx)

        num = _numeric(ind)
        direction = self.direction_suspect(ind, num, mk)
        yield from self.score_range(ind, mk)
        yield from self.qualitative_band(ind, mk)
        if direction is None:  # a wrong direction explains the score; do not report it twice
            yield from self.quantitative_score(ind, num, mk)
        else:
            yield direction
        yield from self.cost_at_cap(ind, num, mk)
        yield from self.missing_reason(ind, mk)
        yield from self.reason_on_full_score(ind, mk)

    def score_range(self, ind: Indicator, mk: _Maker) -> Iterator[Finding]:
        w, s = ind.weight, ind.score
        if s is not None and s < -self.cfg.score_tolerance:
            yield mk("score_range", "error", f"得分为负数（{_n(s)}分）", {"score": s, "weight": w})
        elif w is not None and s is not None and s > w + self.cfg.score_tolerance:
            yield mk("score_range", "error", f"得分{_n(s)}分超过分值{_n(w)}分", {"score": s, "weight": w})

    def qualitative_band(self, ind: Indicator, mk: _Maker) -> Iterator[Finding]:
        status, w, s = ind.actual.status, ind.weight, ind.score
        band = _words().bands.get(status or "")
        if band is None or w is None or s is None or w <= 0:
            return
        low_pct, high_pct, high_incl = band
        low, high = w * low_pct / 100, w * high_pct / 100
        tol = self.cfg.score_tolerance
        inside = s >= low - tol and (s <= high + tol if high_incl else s < high - tol)
        if inside:
            return
        upper = f"{_n(high_pct)}%" if high_incl else f"不足{_n(high_pct)}%"
        yield mk(
            "qualitative_band",
            "warning",
            f"实际完成情况为「{status}」，按评分标准得分应为分值的{_n(low_pct)}%至{upper}"
            f"（{_n(low)}–{_n(high)}分），表中得{_n(s)}分（{_n(s / w * 100)}%）",
            {"status": status, "expected_min": _r(low), "expected_max": _r(high), "max_inclusive": high_incl,
             "score": s, "weight": w, "score_pct": _r(s / w * 100)},
        )

    def quantitative_score(self, ind: Indicator, num: _Numeric | None, mk: _Maker) -> Iterator[Finding]:
        w, s = ind.weight, ind.score
        if num is None or w is None or s is None or ind.actual.status:
            return
        tol = self.cfg.score_tolerance
        actual = _with_unit(num.actual, num.unit)
        if _meets(num):
            if s >= w - tol:
                return
            yield mk(
                "quantitative_score",
                "warning",
                f"实际完成值{actual}已达到年度指标值{ind.target.raw}，应得满分{_n(w)}分，表中得{_n(s)}分",
                {"expected_min": w, "expected_max": w, "score": s, "weight": w, "met": True},
            )
            return
        share = _completion(num)
        if share is None:
            return
        high = w * min(share, 1.0)
        if s <= high + self.cfg.quantitative_slack + tol:
            return
        yield mk(
            "quantitative_score",
            "warning",
            f"实际完成值{actual}未达到年度指标值{ind.target.raw}（完成{_n(share * 100)}%），"
            f"按完成比例得分应不超过约{_n(high)}分，表中得{_n(s)}分",
            {"expected_min": 0.0, "expected_max": _r(high), "completion_pct": _r(share * 100), "score": s,
             "weight": w, "met": False},
        )

    def direction_suspect(self, ind: Indicator, num: _Numeric | None, mk: _Maker) -> Finding | None:
        """The scoring follows the opposite direction, and the kind of indicator agrees with the scoring:
        a quantity row with ≤/< penalised for a shortfall (or given full marks above its "cap"), or a
        cost row with ≥/> penalised for spending more (or given full marks below its "floor")."""
        w, s = ind.weight, ind.score
        if num is None or w is None or s is None or num.op not in _POSITIVE + _REVERSE:
            return None
        if num.op in _REVERSE and is_quantity_indicator(ind):
            kind, suggested = "数量类", "≥"
        elif num.op in _POSITIVE and is_cost_indicator(ind):
            kind, suggested = "成本类", "≤"
        else:
            return None
        tol = self.cfg.score_tolerance
        met, full = _meets(num), s >= w - tol
        actual = _with_unit(num.actual, num.unit)
        data = {"op": num.op, "target": num.target, "actual": num.actual, "unit": num.unit, "score": s,
                "weight": w, "suggested_op": suggested}
        strict = abs(num.actual - num.target) > 1e-9 * max(1.0, abs(num.target))
        if met and strict and not full:  # at the bound both directions are met: not a direction problem
            side = "低于" if num.op in _REVERSE else "高于"
            what = "上限" if num.op in _REVERSE else "下限"
            msg = (f"{kind}指标使用“{num.op}”（{ind.target.raw}），实际{actual}{side}该{what}、按“{num.op}”已达标，"
                   f"却被扣{_n(w - s)}分：评分实际按“{suggested}”执行，指标方向应为“{suggested}”，"
                   f"建议下年度改为“{suggested}{_n(num.target)}”")
        elif not met and full:
            msg = (f"{kind}指标使用“{num.op}”（{ind.target.raw}），实际{actual}按“{num.op}”未达标却得满分"
                   f"{_n(w)}分：评分实际按“{suggested}”执行，指标方向应为“{suggested}”")
        else:
            return None
        return mk("direction_suspect", "warning", msg, data)

    def cost_at_cap(self, ind: Indicator, num: _Numeric | None, mk: _Maker) -> Iterator[Finding]:
        if num is None or num.op not in _REVERSE or not is_cost_indicator(ind):
            return
        if abs(num.actual - num.target) > self.cfg.cap_tolerance:
            return
        yield mk(
            "cost_at_cap",
            "info",
            f"成本指标实际完成值与上限完全相同（{_money(num.actual)}{num.unit or ''}）：指标值可能由预算数÷数量"
            f"倒推得出，而非成本标准；建议下年度参照历史成本或定额标准设定",
            {"cap": num.target, "actual": num.actual, "unit": num.unit},
        )

    def missing_reason(self, ind: Indicator, mk: _Maker) -> Iterator[Finding]:
        w, s = ind.weight, ind.score
        if w is None or s is None or w - s <= self.cfg.score_tolerance or _has_reason(ind):
            return
        yield mk(
            "missing_reason",
            "warning",
            f"该指标扣{_n(w - s)}分（得分{_n(s)}/分值{_n(w)}），但未填写偏差原因分析及改进措施",
            {"lost": _r(w - s), "score": s, "weight": w},
        )

    def reason_on_full_score(self, ind: Indicator, mk: _Maker) -> Iterator[Finding]:
        w, s = ind.weight, ind.score
        if w is None or s is None or s < w - self.cfg.score_tolerance or not _has_reason(ind):
            return
        text = ind.reason or ""
        words = [x for x in _words().missed_words if x in text]
        if not words:
            return
        yield mk(
            "reason_on_full_score",
            "warning",
            f"该指标得满分{_n(w)}分，但偏差原因写有「{'、'.join(words)}」，与满分矛盾：「{text}」",
            {"words": words, "score": s, "weight": w},
        )


def _order(f: Finding) -> tuple[int, int, int]:
    return (f.form_index, -1 if f.indicator_index is None else f.indicator_index, RULES.index(f.rule))


def check_forms(forms: list[Form], *, config: CheckConfig | None = None) -> list[Finding]:
    """Run every rule on every form. Order: form, then row (form-level findings first), then rule."""
    cfg = config or CheckConfig()
    findings = [f for i, form in enumerate(forms) for f in _FormChecker(form, i, cfg).run()]
    return sorted(findings, key=_order)
