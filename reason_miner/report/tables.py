"""The tables every report shows, built once from an AnalysisResult so that all formats agree.

Cells are str, int, float or None; `Column.kind` says how to show them. Sheet names and headers
are the Chinese names users see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Literal, TypeVar

from ..checks import rule_label, severity_label
from ..link import Link, to_cents

if TYPE_CHECKING:
    from ..advise_targets import TargetSuggestion
    from ..analyze import AnalysisResult

Cell = str | int | float | None
Kind = Literal["text", "num", "int", "long"]  # long: wrapped free text
T = TypeVar("T")

FULL_LISTS = "report.xlsx 和 findings.json"  # where everything a document leaves out is complete


@dataclass(frozen=True)
class Limits:
    """How much of the long lists the reports show. Whatever is left out is counted in a note
    naming where it is complete: findings.json always holds everything, report.xlsx every table of
    up to `xlsx_rows` rows (a province's millions of indicator rows would take minutes to write
    and no one scrolls them in Excel; the longer tables keep their first rows, the target
    suggestions that change something first)."""

    items: int = 20  # entries of one evidence list (problems, indicators, quotes, units…)
    unit_plans: int = 30  # per-unit plans (the systemic causes' plans are always all shown)
    rows: int = 300  # rows of one table in plan.docx / report.md
    html_rows: int = 1000  # rows of one table embedded in report.html
    html_plans: int = 200  # per-unit plans in report.html
    xlsx_rows: int = 10_000  # rows of one table in report.xlsx
    cell_items: int = 100  # entries of a list shown in one table cell (units of a systemic cause…)


LIMITS = Limits()


def head(items: Sequence[T], limit: int) -> tuple[list[T], int]:
    """The first `limit` items and how many were left out."""
    return list(items[:limit]), max(0, len(items) - limit)


def more_note(hidden: int, unit: str = "项", where: str = FULL_LISTS) -> str:
    """The line that replaces `hidden` left-out entries."""
    return f"……另有{hidden}{unit}未列出，完整内容见 {where}。"


def full_where(sheet: str, size: int, lim: Limits = LIMITS) -> str:
    """Where a table of `size` rows shown on `sheet` is complete."""
    return f"report.xlsx “{sheet}”工作表和 findings.json" if size <= lim.xlsx_rows else "findings.json"


def full_place(table: Table, lim: Limits = LIMITS) -> str:
    """Where a table is complete: its report.xlsx sheet (when it fits there) and findings.json."""
    sheet = "概览" if table.key in ("overview", "forms", "pareto") else table.title
    return full_where(sheet, table.size, lim)


def capped_join(items: list[str], limit: int, unit: str = "个") -> str:
    """`a、b、c` for short lists, `a、b…等N个` beyond `limit`."""
    shown, hidden = head(items, limit)
    return "、".join(shown) + (f"等{len(items)}{unit}" if hidden else "")


@dataclass
class Column:
    header: str
    kind: Kind = "text"


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    total: int | None = None  # rows of the whole table when only the first were built

    @property
    def size(self) -> int:
        """Rows of the whole table."""
        return len(self.rows) if self.total is None else self.total


def numbered(items: Sequence[str], limit: int | None = None) -> str:
    """Items as `1. …` lines in one cell; past `limit`, a last line counting the rest."""
    shown, hidden = head(items, len(items) if limit is None else limit)
    lines = [f"{n}. {t}" for n, t in enumerate(shown, 1)]
    return "\n".join(lines + ([more_note(hidden, "条", "findings.json")] if hidden else []))


def in_cell(items: list[str]) -> str:
    """A list joined with 、 in one cell, capped at `LIMITS.cell_items` (a systemic cause of a
    province's batch spans thousands of units; an Excel cell holds at most 32,767 characters)."""
    return capped_join(items, LIMITS.cell_items)


def yes(flag: bool) -> str:
    return "是" if flag else "否"


def points(cents: int) -> float:
    return cents / 100


@dataclass
class CausePoints:
    cause_id: str
    label: str
    category: str | None
    attributed_cents: int
    involved_cents: int
    rows: int


def cause_points(links: list[Link]) -> list[CausePoints]:
    """Points per cause, most attributed first (the Pareto order)."""
    acc: dict[str, CausePoints] = {}
    for lk in links:
        cp = acc.setdefault(lk.cause_id, CausePoints(lk.cause_id, lk.cause_label, lk.category, 0, 0, 0))
        cp.attributed_cents += lk.attributed_cents
        cp.involved_cents += to_cents(lk.points_involved)
        cp.rows += 1
    return sorted(acc.values(), key=lambda c: (-c.attributed_cents, -c.involved_cents, c.label, c.cause_id))


def heat(r: AnalysisResult, by: Literal["unit", "project"]) -> tuple[list[str], list[str], list[list[float]]]:
    """Cause × unit (or project) matrix of attributed points: (cause labels, column names, values).
    Rows of zeros with the links' sums put in: a province's matrix has millions of cells (causes ×
    projects), nearly all empty."""
    links, cps = r.links, r.points_by_cause
    causes = [c.label for c in cps]
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for lk in links:
        cells[(lk.cause_id, (lk.unit if by == "unit" else lk.project) or "未知")] += lk.attributed_cents
    cols = sorted({col for _, col in cells})
    at = {col: i for i, col in enumerate(cols)}
    ids = {c.label: c.cause_id for c in cps}  # a row shows its label's (last) cause
    rows_of: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(causes):
        rows_of[ids[label]].append(i)
    values = [[points(0)] * len(cols) for _ in causes]
    for (cause_id, col), cents in cells.items():
        for i in rows_of.get(cause_id, ()):
            values[i][at[col]] = points(cents)
    return causes, cols, values


def summary(r: AnalysisResult) -> list[tuple[str, Cell]]:
    rows, lost_rows = r.row_counts
    sev: dict[str, int] = defaultdict(int)
    for f in r.findings:
        sev[f.severity] += 1
    years = sorted({f.year for f in r.forms if f.year is not None})
    return [
        ("读取文件数", r.files_read),
        ("自评表数", len(r.forms)),
        ("年度", "、".join(str(y) for y in years) or "未知"),
        ("实施单位数", len({f.unit for f in r.forms if f.unit})),
        ("指标数", rows),
        ("扣分指标数", lost_rows),
        ("扣分合计（分）", points(r.lost_cents)),
        ("归因扣分合计（分）", points(sum(lk.attributed_cents for lk in r.links))),
        ("填写偏差原因的指标数", len(r.causes.reasons)),
        ("原因分析不充分（只写措施）", sum(1 for x in r.causes.reasons if x.vague)),
        ("原因类别数", len(r.points_by_cause)),
        ("系统性问题数", sum(1 for s in r.systemic if s.systemic)),
        ("校验问题：错误", sev["error"]),
        ("校验问题：警告", sev["warning"]),
        ("校验问题：提示", sev["info"]),
        ("下年度目标建议调整的指标数", len(r.targets.changed)),
        ("读取错误/提示", len(r.errors)),
    ]


def overview_table(r: AnalysisResult) -> Table:
    return Table("overview", "概览", [Column("项目"), Column("数值", "num")], [list(x) for x in summary(r)])


def forms_table(r: AnalysisResult, limit: int | None = None) -> Table:
    t = Table(
        "forms",
        "自评表",
        [Column("项目名称"), Column("实施单位"), Column("主管部门"), Column("年度", "int"), Column("年初预算(万元)", "num"),
         Column("全年预算(万元)", "num"), Column("预算变化(%)", "num"), Column("总分", "num"), Column("等级"),
         Column("扣分", "num"), Column("来源")],
    )
    t.total = len(r.forms)
    for f in r.forms[:limit]:
        fu = f.funds
        change = round((fu.adjusted - fu.initial) / fu.initial * 100, 1) if fu.initial and fu.adjusted is not None else None
        t.rows.append([f.project, f.unit, f.department, f.year, fu.initial, fu.adjusted, change, f.total.score, f.grade,
                       points(sum(to_cents(i.lost) for i in f.indicators if (i.lost or 0) > 0)), f.source.describe()])
    return t


def pareto_table(r: AnalysisResult) -> Table:
    t = Table("pareto", "按原因归因扣分", [Column("原因"), Column("归因扣分", "num"), Column("涉及扣分", "num"),
                                       Column("关联条数", "int"), Column("累计占比(%)", "num")])
    cps = r.points_by_cause
    total = sum(c.attributed_cents for c in cps) or 1
    run = 0
    for c in cps:
        run += c.attributed_cents
        t.rows.append([c.label, points(c.attributed_cents), points(c.involved_cents), c.rows, round(run / total * 100, 1)])
    return t


def systemic_table(r: AnalysisResult) -> Table:
    t = Table(
        "systemic",
        "系统性问题",
        [Column("排名", "int"), Column("原因"), Column("类别"), Column("系统性"), Column("单位数", "int"),
         Column("项目数", "int"), Column("指标数", "int"), Column("涉及扣分", "num"), Column("归因扣分", "num"),
         Column("指标类型"), Column("出现的项目", "long"), Column("出现的单位", "long"), Column("年度"),
         Column("年度变化", "long"), Column("校验信号", "long"), Column("典型原文", "long"), Column("判定说明", "long")],
    )
    for s in r.systemic:
        t.rows.append([
            s.rank, s.label, s.category, yes(s.systemic), len(s.units), len(s.projects), s.indicators,
            s.points_involved, s.points_attributed, "、".join(s.kinds), in_cell(s.projects), in_cell(s.units),
            "、".join(str(y) for y in s.years), s.movement, numbered([x.message for x in s.signals], LIMITS.cell_items),
            numbered(s.quotes, LIMITS.cell_items), s.why,
        ])
    return t


def causes_table(r: AnalysisResult) -> Table:
    t = Table(
        "causes",
        "原因聚类",
        [Column("原因编号"), Column("原因"), Column("类别"), Column("关键词", "long"), Column("子句数", "int"),
         Column("关联指标数", "int"), Column("涉及扣分", "num"), Column("归因扣分", "num"), Column("示例", "long")],
    )
    cps = r.points_by_cause
    pts = {c.cause_id: c for c in cps}
    for c in r.causes.causes:
        cp = pts.get(c.id)
        t.rows.append([c.id, c.label, c.category, "、".join(c.keywords), c.size, cp.rows if cp else 0,
                       points(cp.involved_cents) if cp else 0.0, points(cp.attributed_cents) if cp else 0.0,
                       numbered(c.examples)])
    known = {c.id for c in r.causes.causes}
    for cp in cps:
        if cp.cause_id not in known:  # rows that lost points with no stated cause
            t.rows.append([cp.cause_id, cp.label, cp.category, "", 0, cp.rows, points(cp.involved_cents),
                           points(cp.attributed_cents), ""])
    return t


def links_table(r: AnalysisResult, limit: int | None = None) -> Table:
    t = Table(
        "links",
        "指标明细",
        [Column("项目名称"), Column("实施单位"), Column("主管部门"), Column("年度", "int"), Column("一级指标"),
         Column("二级指标"), Column("三级指标", "long"), Column("年度指标值"), Column("实际完成值"), Column("分值", "num"),
         Column("得分", "num"), Column("扣分", "num"), Column("原因"), Column("涉及扣分", "num"), Column("归因扣分", "num"),
         Column("原因子句", "long"), Column("偏差原因原文", "long"), Column("改进措施", "long"), Column("原因不充分"),
         Column("重复文本处数", "int"), Column("相关校验", "long"), Column("来源文件"), Column("页", "int"), Column("行", "int")],
    )
    related: dict[tuple[int, int], list[str]] = defaultdict(list)
    for f in r.findings:
        if f.indicator_index is not None:
            related[(f.form_index, f.indicator_index)].append(f"{rule_label(f.rule)}：{f.message}")
    for s in r.systemic:
        for sig in s.signals:
            for ii, ind in enumerate(r.forms[sig.form_index].indicators):
                if ind.name in sig.indicators:
                    related[(sig.form_index, ii)].append(f"{rule_label(sig.rule)}：{sig.message}")
    t.total = len(r.links)
    for lk in r.links[:limit]:
        t.rows.append([
            lk.project, lk.unit, lk.department, lk.year, lk.level1, lk.level2, lk.indicator, lk.target, lk.actual,
            lk.weight, lk.score, lk.lost, lk.cause_label, lk.points_involved, lk.points_attributed, lk.cause_text,
            lk.reason, "；".join(lk.measures), yes(lk.vague), lk.boilerplate,
            numbered(related.get((lk.form_index, lk.indicator_index), [])), lk.row.file, lk.row.page,
            lk.row.line,
        ])
    return t


def plans_table(r: AnalysisResult, limit: int | None = None) -> Table:
    t = Table(
        "plans",
        "改进计划",
        [Column("类型"), Column("标题", "long"), Column("问题表现", "long"), Column("原因分析", "long"),
         Column("改进措施（单位自述）", "long"), Column("改进措施（标准措施）", "long"), Column("责任单位", "long"),
         Column("完成时限"), Column("应改善的指标", "long")],
    )
    t.total = len(r.plans)
    for p in r.plans[:limit]:
        t.rows.append([
            "系统性原因" if p.scope == "cause" else "单位", p.title, numbered(p.problems, LIMITS.cell_items),
            numbered(p.analysis, LIMITS.cell_items), numbered(p.own_measures, LIMITS.cell_items),
            numbered(p.standard_measures, LIMITS.cell_items), in_cell(p.responsible), p.deadline,
            numbered(p.indicators, LIMITS.cell_items),
        ])
    return t


TARGET_EDIT_HEADER = "下年度指标值（建议，可修改）"


def targets_table(r: AnalysisResult, limit: int | None = None, targets: Sequence[TargetSuggestion] | None = None) -> Table:
    """The suggestions (or the given ones), the first `limit` of them. When all of a run's
    suggestions do not fit, the ones that change something come first, then the "维持" ones."""
    total = len(r.targets if targets is None else targets)
    if targets is None and limit is not None and total > limit:
        shown = r.targets.changed[:limit]
        keep = (s for s in r.targets if s.actions == ["keep"])
        targets = shown + list(islice(keep, limit - len(shown)))
    elif targets is None:
        targets = r.targets
    t = Table(
        "targets",
        "下年度目标建议",
        [Column("项目名称"), Column("实施单位"), Column("年度", "int"), Column("一级指标"), Column("二级指标"),
         Column("三级指标", "long"), Column("本年度指标值"), Column("实际完成值"), Column("分值", "num"),
         Column("得分", "num"), Column("建议类型"), Column(TARGET_EDIT_HEADER), Column("理由", "long"), Column("来源")],
    )
    t.total = total
    for s in targets[:limit]:
        t.rows.append([s.project, s.unit, s.year, s.level1, s.level2, s.indicator, s.target, s.actual, s.weight,
                       s.score, "、".join(s.action_labels), s.suggestion, s.reason, s.location])
    return t


def checks_table(r: AnalysisResult, limit: int | None = None) -> Table:
    t = Table(
        "checks",
        "校验问题",
        [Column("级别"), Column("规则"), Column("项目名称"), Column("实施单位"), Column("指标", "long"),
         Column("说明", "long"), Column("来源")],
    )
    t.total = len(r.findings) + len(r.errors)
    for f in r.findings[:limit]:
        t.rows.append([severity_label(f.severity), rule_label(f.rule), f.project, f.unit, f.indicator, f.message,
                       f.source.describe()])
    for e in r.errors[:None if limit is None else max(0, limit - len(r.findings))]:
        t.rows.append(["错误" if e.kind == "error" else "提示", "读取", None, None, None, e.message, e.describe()])
    return t


TABLES: dict[str, Callable[[AnalysisResult, int | None], Table]] = {  # by key, in the order the sheets show them
    "overview": lambda r, _: overview_table(r),
    "forms": forms_table,
    "pareto": lambda r, _: pareto_table(r),
    "systemic": lambda r, _: systemic_table(r),
    "causes": lambda r, _: causes_table(r),
    "links": links_table,
    "plans": plans_table,
    "targets": targets_table,
    "checks": checks_table,
}


def build_tables(r: AnalysisResult, limit: int | None = None, keys: Collection[str] = tuple(TABLES)) -> dict[str, Table]:
    """The tables named by `keys` (every table by default), in the order the sheets appear; with
    `limit`, the long ones (forms, links, plans, targets, checks) hold only their first rows, and
    `Table.size` says how many the whole table has. A report asks only for the ones it shows: the
    plans table alone costs more than the others together."""
    return {key: build(r, limit) for key, build in TABLES.items() if key in keys}


def fmt(cell: Cell) -> str:
    """A cell as text: numbers with at most two decimals and no trailing zeros."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        s = f"{cell:.2f}".rstrip("0").rstrip(".")
        return "0" if s == "-0" else s
    return str(cell)


def pick(table: Table, headers: list[str]) -> Table:
    """The same table with only the named columns, in that order."""
    idx = [next(i for i, c in enumerate(table.columns) if c.header == h) for h in headers]
    return Table(table.key, table.title, [table.columns[i] for i in idx], [[row[i] for i in idx] for row in table.rows],
                 table.total)
