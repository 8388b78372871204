"""report.md: the whole analysis as Markdown (summary, systemic problems, plans, targets, checks).

The systemic problems are shown in full; long tables, per-unit plans and evidence lists stop at
`tables.LIMITS`, with a line saying how many more there are and where they are complete."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .safe import md_text
from .tables import (
    LIMITS,
    TARGET_EDIT_HEADER,
    Limits,
    Table,
    build_tables,
    capped_join,
    fmt,
    full_place,
    full_where,
    head,
    more_note,
    pick,
    targets_table,
)

if TYPE_CHECKING:
    from ..advise_plan import Plan
    from ..analyze import AnalysisResult


def md_table(table: Table, limit: int | None = None, lim: Limits = LIMITS) -> list[str]:
    """The table (its first `limit` rows, then a note on the rest)."""
    if not table.rows:
        return ["（无）", ""]
    header = "| " + " | ".join(md_text(c.header) for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if c.kind in ("num", "int") else "---" for c in table.columns) + "|"
    rows = table.rows if limit is None else table.rows[:limit]
    hidden = table.size - len(rows)
    body = ["| " + " | ".join(md_text(fmt(v)) for v in row) + " |" for row in rows]
    note = ["", more_note(hidden, "行", full_place(table, lim))] if hidden else []
    return [header, rule, *body, *note, ""]


def _items(title: str, items: Sequence[str], limit: int) -> list[str]:
    shown, hidden = head(items, limit)
    lines = [f"**{title}**", ""]
    lines += [f"{n}. {md_text(t)}" for n, t in enumerate(shown, 1)] or ["（无）"]
    if hidden:
        lines += ["", more_note(hidden, "条")]
    return [*lines, ""]


def _plan(n: int, p: Plan, lim: Limits) -> list[str]:
    return [
        f"### {n}. {md_text(p.title)}",
        "",
        *_items("问题表现", p.problems, lim.items),
        *_items("原因分析", p.analysis, lim.items),
        *_items("改进措施（单位自述，已去重）", p.own_measures, lim.items),
        *_items("改进措施（标准措施）", p.standard_measures, lim.items),
        f"**责任单位**：{md_text(capped_join(p.responsible, lim.items, '个单位'))}",
        "",
        "**完成时限**：＿＿＿＿（由单位填写）",
        "",
        *_items("应改善的指标", p.indicators, lim.items),
    ]


def render_markdown(r: AnalysisResult, lim: Limits = LIMITS) -> str:
    t = build_tables(r, lim.rows, ("overview", "forms", "systemic", "pareto", "checks", "links"))
    systemic = [s for s in r.systemic if s.systemic]
    lines = ["# 绩效自评偏差原因分析报告", "", "## 一、概览", "", *md_table(t["overview"]),
             *md_table(t["forms"], lim.rows, lim)]
    lines += ["## 二、系统性问题", ""]
    for s in systemic:
        lines += [
            f"### 第{s.rank}位：{md_text(s.label)}",
            "",
            f"- 出现范围：{len(s.units)}个单位、{len(s.projects)}个项目（{md_text(capped_join(s.projects, lim.items))}），"
            f"{s.indicators}项指标",
            f"- 扣分：涉及{fmt(s.points_involved)}分，归因{fmt(s.points_attributed)}分；指标类型：{md_text('、'.join(s.kinds))}",
            *([f"- 年度变化：{md_text(s.movement)}"] if s.movement else []),
            *[f"- 原文：“{md_text(q)}”" for q in s.quotes],
            *_bullets("校验信号：", [x.message for x in s.signals], lim.items),
            "",
        ]
    if not systemic:
        lines += ["未发现达到阈值的系统性问题。", ""]
    signals = [x.message for e in r.systemic if not e.systemic for x in e.signals]
    if signals:
        lines += ["校验信号（文本未说明的可能原因）：", "", *_bullets("", signals, lim.rows), ""]
    lines += ["全部原因排名：", "", *md_table(pick(t["systemic"], ["排名", "原因", "系统性", "单位数", "项目数", "指标数",
                                                              "涉及扣分", "归因扣分", "指标类型", "校验信号", "判定说明"]))]
    lines += ["## 三、原因聚类（按归因扣分排序）", "", *md_table(t["pareto"])]
    lines += ["## 四、改进计划（草案）", ""]
    unit_plans = [p for p in r.plans if p.scope != "cause"]
    shown_units, hidden = head(unit_plans, lim.unit_plans)
    plans = [p for p in r.plans if p.scope == "cause"] + shown_units
    for n, p in enumerate(plans, 1):
        lines += _plan(n, p, lim)
    if hidden:
        lines += [more_note(hidden, "个单位的改进计划", full_where("改进计划", len(r.plans), lim)), ""]
    changed = targets_table(r, lim.rows, r.targets.changed)
    lines += ["## 五、下年度目标建议", "",
              f"共{len(r.targets)}项指标，其中{changed.size}项建议调整（完整可编辑表见 {full_where('下年度目标建议', len(r.targets), lim)}）。", ""]
    lines += md_table(pick(changed, ["项目名称", "三级指标", "本年度指标值", "实际完成值", "得分", "建议类型", TARGET_EDIT_HEADER,
                                     "理由"]), lim.rows, lim)
    lines += ["## 六、校验问题", "", *md_table(t["checks"], lim.rows, lim)]
    lines += ["## 七、指标明细（原因关联表）", "", *md_table(pick(t["links"], [
        "项目名称", "三级指标", "扣分", "原因", "涉及扣分", "归因扣分", "偏差原因原文", "来源文件", "行"]), lim.rows, lim)]
    return "\n".join(lines).rstrip() + "\n"


def _bullets(prefix: str, items: list[str], limit: int) -> list[str]:
    shown, hidden = head(items, limit)
    return [f"- {prefix}{md_text(x)}" for x in shown] + ([f"- {more_note(hidden, '条')}"] if hidden else [])


def write_markdown(result: AnalysisResult, path: Path, limits: Limits = LIMITS) -> None:
    path.write_text(render_markdown(result, limits), encoding="utf-8")
