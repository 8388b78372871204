"""Checks on interpreted forms: arithmetic that does not add up, scores outside what the finance
ministry's rules allow, and signals for next year's target setting (see DOMAIN.md).

Every rule reports deviations and never "fixes" the form. A rule is skipped when its inputs are
absent (templates without score columns, qualitative targets, units that differ), so a missing
value never produces a finding. Words and standard measures live in corpora/checks/check_rules.json;
thresholds and tolerances are `CheckConfig` defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, NamedTuple

from .model import Form, Indicator
from .normalize import key, key_in
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

# sets, not tuples: a hashed look-up instead of comparing strings one by one, on every row
_POSITIVE = frozenset(("≥", ">"))
_REVERSE = frozenset(("≤", "<"))
_DIRECTED = _POSITIVE | _REVERSE
_TEXT_CACHE = 1 << 16  # distinct indicator names / reason texts kept per memoised classifier


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


@lru_cache(maxsize=_TEXT_CACHE)  # the same weights, scores and shares recur in messages
def _n(v: float) -> str:
    """A score or ratio as a finance officer writes it: at most 2 decimals, no trailing zeros."""
    s = f"{round(v, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _money(v: float) -> str:
    return f"{v:.2f}"


_ROUNDED: dict[float, float] = {}  # value -> rounded to the cent: sums and shares recur from form to form


def _r(v: float) -> float:
    """A float rounded to the cent. `round(v, 2)` goes through a decimal string (~0.6 µs, four times a
    form): memoised per value, but not for zeros (0.0 == -0.0) nor other types (5 == 5.0)."""
    if type(v) is not float or not v:
        return round(v, 2)
    got = _ROUNDED.get(v)
    if got is None:
        if len(_ROUNDED) >= _TEXT_CACHE:
            _ROUNDED.clear()
        got = _ROUNDED[v] = round(v, 2)
    return got


def _with_unit(v: float, unit: str | None) -> str:
    return f"{_n(v)}{unit or ''}"


# ---------------------------------------------------------------- indicator classification


def is_cost_indicator(ind: Indicator) -> bool:
    """Cost indicator: 一级/二级指标 names a cost (the name only when both levels are absent)."""
    return is_cost_named(ind.level1, ind.level2, ind.name)


def is_quantity_indicator(ind: Indicator) -> bool:
    """Quantity indicator (more is better): a count unit, or a quantity verb with no money/time/rate unit."""
    return is_quantity_named(ind.level1, ind.level2, ind.name, ind.target.unit or ind.actual.unit)


# The classifiers depend on the texts only, and the same level/name/unit texts recur on every form
# of a template: memoised on those texts (hot loops call these directly, with the texts at hand).
@lru_cache(maxsize=_TEXT_CACHE)
def is_cost_named(level1: str | None, level2: str | None, name: str) -> bool:
    """`is_cost_indicator` of a row with these levels and name."""
    w = _words()
    levels = [x for x in (level1, level2) if x]
    texts = levels or [name]
    return any(word in t for t in texts for word in w.cost_level_words)


@lru_cache(maxsize=_TEXT_CACHE)
def is_quantity_named(level1: str | None, level2: str | None, name: str, unit_text: str | None) -> bool:
    """`is_quantity_indicator` of a row with these levels and name, and this target (else actual) unit."""
    if is_cost_named(level1, level2, name):
        return False
    w = _words()
    unit = key(unit_text)
    if unit in w.quantity_units:
        return True
    if unit and any(x in unit for x in w.non_quantity_unit_words):
        return False
    if any(x in name for x in w.non_quantity_name_words):
        return False
    return any(x in name for x in w.quantity_name_words)


@lru_cache(maxsize=_TEXT_CACHE)
def _is_reason_text(text: str | None) -> bool:
    """Whether a row's 偏差原因 text states something (not empty, not a "无" of the vocabulary)."""
    # key_in tells most reason texts apart without their key (NFKC is slow)
    return text is not None and bool(text.strip()) and not key_in(text, load_vocab().no_reason)


@lru_cache(maxsize=256)
def _stated_grade(grade: str) -> str | None:
    """The grade a 评分等级 text names (aliases such as 优 / 优秀), or None when it names none."""
    k = key(grade)
    return next((g for g, _, aliases in _words().grades if k in aliases), None)


def _column_sums(rows: list[Indicator]) -> tuple[float | None, float | None]:
    """(Σ 分值, Σ 得分) of a form's rows, each added in row order as `sum` does; None when the form has
    no rows or a row has no value in that column. (Plain loops: faster than `sum` over a listcomp.)"""
    if not rows:
        return None, None
    weights: Any = 0
    scores: Any = 0
    try:
        for ind in rows:
            weights += ind.weight
    except TypeError:  # a None in the column (cheaper than looking for one first)
        weights = None
    try:
        for ind in rows:
            scores += ind.score
    except TypeError:
        scores = None
    return weights, scores


@lru_cache(maxsize=4096)
def _grade_for(score: float) -> str:
    """The grade a total score earns; the lowest grade takes every score below the others."""
    return next(g for g, low, _ in _words().grades if score >= low - 1e-9 or low <= 0)


class _Numeric(NamedTuple):
    """A row whose target and actual are comparable numbers with the same unit."""

    op: str
    target: float
    actual: float
    unit: str | None
    met: bool  # `_meets(op, target, actual)`


def _same_unit(target_unit: str | None, actual_unit: str | None) -> bool:
    """Whether target and actual are comparable: same unit, or one of them has none (元 vs 万元 are not)."""
    if target_unit and actual_unit and target_unit != actual_unit:
        return key(target_unit) == key(actual_unit)
    return True


def _meets(op: str, target: float, actual: float) -> bool:
    """Whether the actual satisfies the stated direction (equality at the bound counts as met)."""
    eps = 1e-9 * max(1.0, abs(target))
    if op in _POSITIVE:
        return actual >= target - eps
    if op in _REVERSE:
        return actual <= target + eps
    return abs(actual - target) <= eps


def _completion(n: _Numeric) -> float | None:
    """Share of the target reached for a missed target (0..1), or None when it cannot be computed."""
    if n.op in _REVERSE:
        return n.target / n.actual if n.actual > 0.0 and n.target >= 0.0 else None
    if n.actual < n.target and n.target > 0.0:
        return max(n.actual, 0.0) / n.target
    return None  # "=" exceeded: practice varies, no bound


def _band_miss(status: str, w: float, s: float, tol: float) -> tuple[float, float, bool] | None:
    """The band (min %, max %, max inclusive) of a status when 得分 s of 分值 w falls outside it, else None
    (also None when the status has no band or the weight is not positive)."""
    band = _words().bands.get(status)
    if band is None or w <= 0.0:
        return None
    low_pct, high_pct, high_incl = band
    low, high = w * low_pct / 100, w * high_pct / 100
    inside = s >= low - tol and (s <= high + tol if high_incl else s < high - tol)
    return None if inside else band


class _QuietRows:
    """Picks the rows of a form the row rules must see; the others are quiet: no row rule can fire.

    Most rows (~90% of a batch) have full marks (得分 == 分值) and no reason. On such a row only these
    can still fire: a negative score (score_range), a status whose band excludes full marks
    (qualitative_band), a numeric target missed (direction_suspect, quantitative_score) or a cap met
    to the cent on a cost row (cost_at_cap); a few fields of the row and its shared Target/Actual
    settle that. One instance serves a whole batch: the band answer is memoised per (status, score),
    as a few statuses and weights recur everywhere.
    """

    def __init__(self, config: CheckConfig) -> None:
        self.tol = config.score_tolerance
        self.cap_margin = max(config.cap_tolerance, 0.0)
        self._band_ok: dict[tuple[str, float], bool] = {}

    def to_check(self, indicators: list[Indicator]) -> list[tuple[int, Indicator]]:
        """(position, row) of every row that is not quiet, in order."""
        tol, margin, band_ok = self.tol, self.cap_margin, self._band_ok
        below = -tol  # (not `-tol` in the loop: a float made per row)
        positive, reverse = _POSITIVE, _REVERSE
        rows = []
        for i, ind in enumerate(indicators):
            s = ind.score
            if s != ind.weight or s is None or ind.reason or s < below:
                rows.append((i, ind))  # points lost or over, no score, a reason, or a negative score
                continue
            a = ind.actual
            status = a.status
            if status:
                ok = band_ok.get((status, s))
                if ok is None:
                    ok = band_ok[(status, s)] = _band_miss(status, s, s, tol) is None
                if not ok:
                    rows.append((i, ind))
                    continue
            t = ind.target
            op, tv, av = t.op, t.value, a.value
            if op is None or tv is None or av is None or (t.unit != a.unit and not _same_unit(t.unit, a.unit)):
                continue  # no comparable numbers: no numeric rule applies
            # the plain comparisons settle almost every row; a row at its bound goes to `_meets`
            if op in positive:
                quiet = av >= tv or _meets(op, tv, av)
            elif op in reverse:  # met with a margin (so not at the cap), or met by a row that is no cost
                quiet = tv - av > margin or (av <= tv and not is_cost_indicator(ind))
            else:
                quiet = av == tv or _meets(op, tv, av)
            if not quiet:
                rows.append((i, ind))
        return rows


# ---------------------------------------------------------------- the checker

class _FormChecker:
    """Runs every rule on one form; each rule method returns its finding or None.

    The row rules see the current row through `mk`; `row` skips a rule without calling it when the
    inputs that rule needs are absent (most rows fire no rule, so the skipped calls are most of the time).
    """

    form: Form  # the form being checked (`run`) and its position
    index: int

    def __init__(self, config: CheckConfig, quiet_rows: _QuietRows) -> None:
        self.cfg = config
        self.quiet_rows = quiet_rows
        self._ind: Indicator | None = None  # the row `mk` builds findings on
        self._idx: int | None = None

    def finding(
        self,
        rule: str,
        severity: Severity,
        message: str,
        data: dict[str, Any],
        ind: Indicator | None = None,
        ind_index: int | None = None,
    ) -> Finding:
        form = self.form
        return Finding(rule, severity, form.project, form.unit, ind.name if ind else None, message,
                       ind.source if ind else form.source, self.index, ind_index, data)

    def mk(self, rule: str, severity: Severity, message: str, data: dict[str, Any]) -> Finding:
        """A finding on the current row."""
        return self.finding(rule, severity, message, data, self._ind, self._idx)

    def run(self, form: Form, form_index: int, out: list[Finding]) -> None:
        """Append the findings of a form: form-level rules first, then row by row."""
        self.form, self.index = form, form_index
        weights, scores = _column_sums(form.indicators)
        total = self.computed_total(scores)  # the total and the grade rules both need it
        for found in (self.total_mismatch(total), self.weights_sum(weights), self.grade_mismatch(total),
                      self.funds_rate(), self.funds_score(), self.budget_cut()):
            if found is not None:
                out.append(found)
        row = self.row
        for i, ind in self.quiet_rows.to_check(self.form.indicators):
            row(i, ind, out)

    # ------------------------------------------------------------ form-level rules

    def computed_total(self, scores: float | None) -> float | None:
        """Funds 得分 + Σ 得分 (`scores`), or None when a score column is absent (no total to compare)."""
        funds = self.form.funds
        if funds.weight is not None and funds.score is None:
            return None
        return None if scores is None else _r(scores + (funds.score or 0.0))

    def total_mismatch(self, calc: float | None) -> Finding | None:
        stated = self.form.total.score
        if stated is None or calc is None or abs(stated - calc) <= self.cfg.total_tolerance:
            return None
        funds = self.form.funds.score or 0.0
        rows = _r(calc - funds)
        return self.finding(
            "total_mismatch",
            "error",
            f"总分填报为{_n(stated)}分，但资金得分{_n(funds)}分加各指标得分合计{_n(rows)}分应为{_n(calc)}分"
            f"（填报值{'多' if stated > calc else '少'}{_n(abs(stated - calc))}分）",
            {"stated": stated, "funds_score": funds, "indicator_sum": rows, "expected": calc,
             "difference": _r(stated - calc)},
        )

    def weights_sum(self, weights: float | None) -> Finding | None:
        """Σ 分值 (`weights`) with the funds 分值 against the full score and the stated 总分值."""
        if weights is None:
            return None
        rows = _r(weights)
        funds = self.form.funds.weight
        stated = self.form.total.weight
        expected = self.cfg.total_weight
        tol = self.cfg.score_tolerance
        if funds is None:
            # template without a scored funds block (or funds weight not printed): only an excess is certain
            if rows <= expected + tol and (stated is None or rows <= stated + tol):
                return None
            total = rows
        else:
            total = _r(rows + funds)
            if abs(total - expected) <= tol and (stated is None or abs(stated - total) <= tol):
                return None
        parts = f"指标分值合计{_n(rows)}" if funds is None else f"资金分值{_n(funds)}加指标分值合计{_n(rows)}"
        msg = f"分值合计为{_n(total)}（{parts}），应为{_n(expected)}"
        if stated is not None and abs(stated - total) > tol:
            msg += f"；表中总分值填报为{_n(stated)}"
        return self.finding(
            "weights_sum",
            "error",
            msg,
            {"funds_weight": funds, "indicator_weight": rows, "sum": total, "expected": expected,
             "stated": stated},
        )

    def grade_mismatch(self, calc: float | None) -> Finding | None:
        grade = self.form.grade
        score = self.form.total.score if self.form.total.score is not None else calc
        if not grade or score is None:
            return None
        stated = _stated_grade(grade)
        if stated is None:
            return None
        expected = _grade_for(score)
        if stated == expected:
            return None
        bands, upper = [], 0.0
        for g, low, _ in _words().grades:
            bands.append(f"{g}≥{_n(low)}" if low > 0 else f"{g}<{_n(upper)}")
            upper = low
        scale = "，".join(bands)
        return self.finding(
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

    def funds_rate(self) -> Finding | None:
        f = self.form.funds
        if f.rate is None or f.executed is None or not f.adjusted:
            return None
        calc = f.executed / f.adjusted * 100
        if abs(calc - f.rate) <= self.cfg.funds_rate_tolerance:
            return None
        return self.finding(
            "funds_rate",
            "error",
            f"执行率填报为{_n(f.rate)}%，但全年执行数{_money(f.executed)}÷全年预算数{_money(f.adjusted)}"
            f"应为{_n(calc)}%",
            {"stated": f.rate, "expected": _r(calc), "executed": f.executed, "adjusted": f.adjusted},
        )

    def funds_score(self) -> Finding | None:
        f = self.form.funds
        rate = self._rate()
        if f.weight is None or f.score is None or rate is None:
            return None
        capped = 0.0 if rate < 0.0 else 100.0 if rate > 100.0 else rate  # min(max(rate, 0), 100), inline
        expected = _r(f.weight * capped / 100)
        if abs(f.score - expected) <= self.cfg.funds_score_tolerance:
            return None
        return self.finding(
            "funds_score",
            "warning",
            f"资金得分填报为{_n(f.score)}分，但按分值{_n(f.weight)}×执行率{_n(rate)}%"
            f"（超过100%按100%计）应得{_n(expected)}分",
            {"stated": f.score, "expected": expected, "weight": f.weight, "rate": _r(rate)},
        )

    def budget_cut(self) -> Finding | None:
        f = self.form.funds
        if f.initial is None or f.adjusted is None or f.initial <= 0.0:
            return None
        change = (f.adjusted - f.initial) / f.initial * 100
        if change >= -self.cfg.budget_cut_pct:
            return None
        lost_rows = [i for i in self.form.indicators if i.lost and i.lost > self.cfg.score_tolerance]
        lost = _r(sum(i.lost or 0.0 for i in lost_rows))
        msg = f"全年预算数较年初预算数减少{abs(change):.1f}%（{_money(f.initial)}→{_money(f.adjusted)}万元）"
        if lost_rows:
            msg += f"；同期{len(lost_rows)}项指标共扣{_n(lost)}分，请核实经费调减是否为指标未完成的实际原因"
        return self.finding(
            "budget_cut",
            "info",
            msg,
            {"initial": f.initial, "adjusted": f.adjusted, "change_pct": round(change, 1),
             "threshold_pct": self.cfg.budget_cut_pct, "rows_lost": len(lost_rows), "points_lost": lost},
        )

    # ------------------------------------------------------------ row rules

    def row(self, idx: int, ind: Indicator, out: list[Finding]) -> None:
        """Append the findings of one row, in ROW_RULES order."""
        w, s = ind.weight, ind.score
        t, a = ind.target, ind.actual
        op, tv, av = t.op, t.value, a.value
        status = a.status
        tol = self.cfg.score_tolerance
        # most rows meet their target with full marks: then neither the direction nor the proportional
        # score can be wrong, and only a cap (≤/<) is still checked, so the numbers are not even packed
        full = w is not None and s is not None and s >= w - tol
        met = False
        num: _Numeric | None = None
        if op is not None and tv is not None and av is not None and (t.unit == a.unit or _same_unit(t.unit, a.unit)):
            met = _meets(op, tv, av)
            if not (met and full) or op in _REVERSE:
                num = _Numeric(op, tv, av, t.unit or a.unit, met)
        if s is None and num is None:
            return  # no rule has an input on this row
        self._ind, self._idx = ind, idx
        found: Finding | None
        if s is not None:
            direction = None
            if num is not None and w is not None and met != full and num.op in _DIRECTED:
                direction = self.direction_suspect(ind, num)
            if s < -tol or (w is not None and s > w + tol):
                found = self.score_range(ind)
                if found is not None:
                    out.append(found)
            if status and w is not None:
                found = self.qualitative_band(ind)
                if found is not None:
                    out.append(found)
            if direction is None:  # a wrong direction explains the score; do not report it twice
                if num is not None and w is not None and not status and not (met and full):
                    found = self.quantitative_score(ind, num)
                    if found is not None:
                        out.append(found)
            else:
                out.append(direction)
        if num is not None and num.op in _REVERSE and abs(num.actual - num.target) <= self.cfg.cap_tolerance:
            found = self.cost_at_cap(ind, num)
            if found is not None:
                out.append(found)
        if w is not None and s is not None:
            if w - s > tol and not _is_reason_text(ind.reason):  # most rows that lost points say why
                found = self.missing_reason(ind)
                if found is not None:
                    out.append(found)
            if ind.reason and s >= w - tol:
                found = self.reason_on_full_score(ind)
                if found is not None:
                    out.append(found)

    def score_range(self, ind: Indicator) -> Finding | None:
        w, s = ind.weight, ind.score
        if s is not None and s < -self.cfg.score_tolerance:
            return self.mk("score_range", "error", f"得分为负数（{_n(s)}分）", {"score": s, "weight": w})
        elif w is not None and s is not None and s > w + self.cfg.score_tolerance:
            return self.mk("score_range", "error", f"得分{_n(s)}分超过分值{_n(w)}分", {"score": s, "weight": w})
        return None

    def qualitative_band(self, ind: Indicator) -> Finding | None:
        status, w, s = ind.actual.status, ind.weight, ind.score
        if w is None or s is None:
            return None
        band = _band_miss(status or "", w, s, self.cfg.score_tolerance)
        if band is None:
            return None
        low_pct, high_pct, high_incl = band
        low, high = w * low_pct / 100, w * high_pct / 100
        upper = f"{_n(high_pct)}%" if high_incl else f"不足{_n(high_pct)}%"
        return self.mk(
            "qualitative_band",
            "warning",
            f"实际完成情况为「{status}」，按评分标准得分应为分值的{_n(low_pct)}%至{upper}"
            f"（{_n(low)}–{_n(high)}分），表中得{_n(s)}分（{_n(s / w * 100)}%）",
            {"status": status, "expected_min": _r(low), "expected_max": _r(high), "max_inclusive": high_incl,
             "score": s, "weight": w, "score_pct": _r(s / w * 100)},
        )

    def quantitative_score(self, ind: Indicator, num: _Numeric | None) -> Finding | None:
        w, s = ind.weight, ind.score
        if num is None or w is None or s is None or ind.actual.status:
            return None
        tol = self.cfg.score_tolerance
        if num.met:
            if s >= w - tol:
                return None
            return self.mk(
                "quantitative_score",
                "warning",
                f"实际完成值{_with_unit(num.actual, num.unit)}已达到年度指标值{ind.target.raw}，应得满分{_n(w)}分，表中得{_n(s)}分",
                {"expected_min": w, "expected_max": w, "score": s, "weight": w, "met": True},
            )
        share = _completion(num)
        if share is None:
            return None
        high = w * min(share, 1.0)
        if s <= high + self.cfg.quantitative_slack + tol:
            return None
        return self.mk(
            "quantitative_score",
            "warning",
            f"实际完成值{_with_unit(num.actual, num.unit)}未达到年度指标值{ind.target.raw}（完成{_n(share * 100)}%），"
            f"按完成比例得分应不超过约{_n(high)}分，表中得{_n(s)}分",
            {"expected_min": 0.0, "expected_max": _r(high), "completion_pct": _r(share * 100), "score": s,
             "weight": w, "met": False},
        )

    def direction_suspect(self, ind: Indicator, num: _Numeric | None) -> Finding | None:
        """The scoring follows the opposite direction, and the kind of indicator agrees with the scoring:
        a quantity row with ≤/< penalised for a shortfall (or given full marks above its "cap"), or a
        cost row with ≥/> penalised for spending more (or given full marks below its "floor")."""
        w, s = ind.weight, ind.score
        if num is None or w is None or s is None or num.op not in _DIRECTED:
            return None
        if num.op in _REVERSE and is_quantity_indicator(ind):
            kind, suggested = "数量类", "≥"
        elif num.op in _POSITIVE and is_cost_indicator(ind):
            kind, suggested = "成本类", "≤"
        else:
            return None
        tol = self.cfg.score_tolerance
        met, full = num.met, s >= w - tol
        strict = abs(num.actual - num.target) > 1e-9 * max(1.0, abs(num.target))
        actual = _with_unit(num.actual, num.unit) if met != full else ""  # only a message needs it
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
        data = {"op": num.op, "target": num.target, "actual": num.actual, "unit": num.unit, "score": s,
                "weight": w, "suggested_op": suggested}
        return self.mk("direction_suspect", "warning", msg, data)

    def cost_at_cap(self, ind: Indicator, num: _Numeric | None) -> Finding | None:
        if num is None or num.op not in _REVERSE or not is_cost_indicator(ind):
            return None
        if abs(num.actual - num.target) > self.cfg.cap_tolerance:
            return None
        return self.mk(
            "cost_at_cap",
            "info",
            f"成本指标实际完成值与上限完全相同（{_money(num.actual)}{num.unit or ''}）：指标值可能由预算数÷数量"
            f"倒推得出，而非成本标准；建议下年度参照历史成本或定额标准设定",
            {"cap": num.target, "actual": num.actual, "unit": num.unit},
        )

    def missing_reason(self, ind: Indicator) -> Finding | None:
        w, s = ind.weight, ind.score
        if w is None or s is None or w - s <= self.cfg.score_tolerance or _is_reason_text(ind.reason):
            return None
        return self.mk(
            "missing_reason",
            "warning",
            f"该指标扣{_n(w - s)}分（得分{_n(s)}/分值{_n(w)}），但未填写偏差原因分析及改进措施",
            {"lost": _r(w - s), "score": s, "weight": w},
        )

    def reason_on_full_score(self, ind: Indicator) -> Finding | None:
        w, s = ind.weight, ind.score
        if w is None or s is None or s < w - self.cfg.score_tolerance or not _is_reason_text(ind.reason):
            return None
        text = ind.reason or ""
        words = [x for x in _words().missed_words if x in text]
        if not words:
            return None
        return self.mk(
            "reason_on_full_score",
            "warning",
            f"该指标得满分{_n(w)}分，但偏差原因写有「{'、'.join(words)}」，与满分矛盾：「{text}」",
            {"words": words, "score": s, "weight": w},
        )


def check_forms(forms: list[Form], *, config: CheckConfig | None = None) -> list[Finding]:
    """Run every rule on every form. Order: form, then row (form-level findings first), then rule."""
    cfg = config or CheckConfig()
    findings: list[Finding] = []
    run = _FormChecker(cfg, _QuietRows(cfg)).run
    for i, form in enumerate(forms):
        run(form, i, findings)
    return findings  # in that order as made: forms in turn, form rules first, then rows in turn
