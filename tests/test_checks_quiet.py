"""The full-marks shortcut of `check_forms`: rows it dismisses unread must be rows no rule fires on.

Every test compares the checks with the shortcut against the same checks with every row run through
all the rules, on rows built at the edges the shortcut decides on (bounds, caps, tolerances, units).
"""

from __future__ import annotations

import copy
import itertools
from collections import Counter

import pytest

from reason_miner import LoadResult
from reason_miner import checks as checks_module
from reason_miner.checks import ROW_RULES, CheckConfig, check_forms
from reason_miner.model import Actual, Form, Indicator, Status, Target

# (level1, level2, name, unit): a cost row, a quantity row, and a rate row that is neither
KINDS = (
    ("成本指标", "经济成本指标", "活动经费成本", "元"),
    ("产出指标", "数量指标", "开展文化活动", "场"),
    ("效益指标", "社会效益指标", "群众满意度", "%"),
)
OPS = ("≥", ">", "≤", "<", "=")
# actual as target + delta: met or missed by a clear margin, at the cap to the cent, just outside it
DELTAS = (0.0, 0.004, -0.004, 0.01, -0.01, 1.0, -1.0)
SCORES = ((5.0, 5.0), (5.0, 4.0), (5.0, 5.2), (5.0, 4.999), (0.0, 0.0), (-1.0, -1.0), (5.0, 1.0))
REASONS = (None, "", "因场地调整，活动未完成")  # only rows without a reason are dismissed unread
STATUSES: tuple[Status | None, ...] = ("达成", "部分达成", "未达成", None)
STATUS_SCORES = ((3.0, 3.0), (3.0, 2.4), (3.0, 2.0), (3.0, 1.0), (7.5, 7.5), (0.5, 0.5), (0.0, 0.0), (-2.0, -2.0))


def _row(n: int, kind: tuple[str, str, str, str], target: Target, actual: Actual, weight: float | None,
         score: float | None, reason: str | None) -> Indicator:
    level1, level2, name, _ = kind
    lost = None if weight is None or score is None else round(weight - score, 4)
    return Indicator(level1, level2, f"{name}{n}", target, actual, weight, score, lost, reason, "grid.txt", line=n)


def _grid_rows() -> list[Indicator]:
    rows: list[Indicator] = []
    for kind, op, delta, (w, s), reason in itertools.product(KINDS, OPS, DELTAS, SCORES, REASONS):
        unit, tv = kind[3], 10.0
        for actual_unit in (unit, None, "万元"):
            av = tv + delta
            target = Target(f"{op}{tv:g}{unit}", op, tv, unit)
            actual = Actual(f"{av:g}{actual_unit or ''}", av, actual_unit)
            rows.append(_row(len(rows), kind, target, actual, w, s, reason))
    # within `_meets`' relative epsilon of a large target: met although the plain comparison says not
    for op, delta in itertools.product(OPS, (1e-3, -1e-3, 8e-3, -8e-3)):
        tv = 1e7
        av = tv + delta
        for w, s in SCORES[:2]:
            rows.append(_row(len(rows), KINDS[0], Target(f"{op}{tv:g}", op, tv), Actual(str(av), av), w, s, None))
    for status, (w, s), reason in itertools.product(STATUSES, STATUS_SCORES, REASONS):
        target = Target("良好", text="良好")
        rows.append(_row(len(rows), KINDS[2], target, Actual(status or "良好", status=status), w, s, reason))
    # a status beside comparable numbers, and rows without a score or weight column
    for status, (weight, score) in itertools.product(STATUSES, ((5.0, 5.0), (5.0, 3.5), (None, None), (None, 5.0))):
        rows.append(_row(len(rows), KINDS[1], Target("≥10场", "≥", 10.0, "场"), Actual("8场", 8.0, "场", status),
                         weight, score, None))
    return rows


def _forms(sample: LoadResult, rows: list[Indicator], size: int = 40) -> list[Form]:
    template = copy.deepcopy(sample.forms[0])
    forms = []
    for start in range(0, len(rows), size):
        form = copy.copy(template)
        form.indicators = rows[start:start + size]
        forms.append(form)
    return forms


@pytest.fixture(scope="module")
def grid(sample: LoadResult) -> list[Form]:
    return _forms(sample, _grid_rows())


def _every_row_through_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks_module._QuietRows, "to_check", lambda self, rows: list(enumerate(rows)))


@pytest.mark.parametrize(
    "config",
    [CheckConfig(), CheckConfig(score_tolerance=0.1, cap_tolerance=0.01), CheckConfig(cap_tolerance=-1.0)],
    ids=["default", "wide-tolerances", "negative-cap-tolerance"],
)
def test_shortcut_changes_no_finding(grid: list[Form], monkeypatch: pytest.MonkeyPatch, config: CheckConfig) -> None:
    fast = check_forms(grid, config=config)
    with monkeypatch.context() as m:
        _every_row_through_the_rules(m)
        full = check_forms(grid, config=config)
    assert fast == full  # same findings, same order, same messages and data
    # the grid reaches every row rule (no cap can be met with a negative tolerance), so a row the
    # shortcut wrongly dismissed would show
    fired = Counter(f.rule for f in full)
    expected = [r for r in ROW_RULES if r != "cost_at_cap" or config.cap_tolerance >= 0]
    assert all(fired[rule] > 0 for rule in expected), fired


def test_shortcut_dismisses_most_full_mark_rows(sample: LoadResult) -> None:
    rows = [r for r in _grid_rows() if r.score == r.weight and r.score is not None and not r.reason]
    to_check = {id(r) for _, r in checks_module._QuietRows(CheckConfig()).to_check(rows)}
    quiet = [r for r in rows if id(r) not in to_check]
    assert len(quiet) > len(rows) // 3  # the grid is mostly edges; real batches are ~90% quiet
    # and none of them fires a row rule
    assert all(f.indicator_index is None for f in check_forms(_forms(sample, quiet)))


def test_quiet_cases() -> None:
    rows = checks_module._QuietRows(CheckConfig())

    def quiet(op: str | None, tv: float | None, av: float | None, s: float = 5.0, status: Status | None = None,
              units: tuple[str | None, str | None] = ("元", "元"), kind: tuple[str, str, str, str] = KINDS[0],
              reason: str | None = None, weight: float | None = None) -> bool:
        target, actual = Target("x", op, tv, units[0]), Actual("y", av, units[1], status)
        row = _row(0, kind, target, actual, s if weight is None else weight, s, reason)
        return not rows.to_check([row])

    assert quiet("≥", 10.0, 12.0) and quiet(">", 10.0, 10.0) and quiet("=", 10.0, 10.0)
    assert not quiet("≥", 10.0, 9.0)  # missed with full marks: direction or scoring problem
    assert quiet("≤", 10.0, 8.0)
    assert not quiet("≤", 10.0, 10.0) and not quiet("<", 10.0, 9.996)  # at the cap to the cent
    assert quiet("≤", 10.0, 10.0, kind=KINDS[1])  # ... of a quantity row: not a cost cap
    assert not quiet("≤", 10.0, 11.0) and not quiet("=", 10.0, 11.0)
    assert quiet("≥", 10.0, 9.0, units=("元", "万元"))  # not comparable: no numeric rule
    assert quiet("≥", 10.0, 9.0, units=("元", None)) is False  # one unit missing: still comparable
    assert quiet(None, None, None, status="达成") and quiet(None, None, None, status=None)
    assert not quiet(None, None, None, status="部分达成")  # full marks lie above 60%–<80%
    assert quiet(None, None, None, s=0.0, status="部分达成")  # no positive weight: no band
    assert not quiet(None, None, None, s=-1.0)  # a negative score
    assert not quiet("≥", 10.0, 12.0, reason="超额完成")  # a reason on a full score is read
    assert not quiet("≥", 10.0, 12.0, s=4.0, weight=5.0)  # points lost


def test_form_totals_skip_absent_columns(sample: LoadResult) -> None:
    form = copy.deepcopy(next(f for f in sample.forms if f.project == "党群综合服务"))
    form.total.score = 1.0
    form.total.weight = 1.0
    assert {f.rule for f in check_forms([form])} >= {"total_mismatch", "weights_sum"}
    no_rows = copy.copy(form)
    no_rows.indicators = []
    assert not {f.rule for f in check_forms([no_rows])} & {"total_mismatch", "weights_sum"}
    form.indicators[3].score = None
    form.indicators[5].weight = None
    assert not {f.rule for f in check_forms([form])} & {"total_mismatch", "weights_sum"}


def test_reason_text_shortcut_agrees_with_the_vocabulary() -> None:
    from reason_miner.normalize import key
    from reason_miner.vocab import load_vocab

    no_reason = load_vocab().no_reason
    texts = [*no_reason, " 无 ", "无偏差：", "不 适 用", "——", "/", "", "  ", "无无无无无无无", "不适用不适用不适用",
             "因场地调整活动推迟", "受疫情影响", "经费调减，部分活动未开展。", "预算调整", "ａｂｃ", "无。"]
    for text in texts:
        assert checks_module._is_reason_text(text) == bool(text.strip() and key(text) not in no_reason), text
    assert not checks_module._is_reason_text("不 适 用") and checks_module._is_reason_text("因场地调整活动推迟")
