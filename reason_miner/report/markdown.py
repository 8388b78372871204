"""report.md: the whole analysis as Markdown (summary, systemic problems, plans, targets, checks)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .safe import md_text
from .tables import TARGET_EDIT_HEADER, Table, build_tables, fmt, pick

if TYPE_CHECKING:
    from ..advise_plan import Plan
    from ..analyze import AnalysisResult


def md_table(table: Table) -> list[str]:
    if not table.rows:
        return ["（无）", ""]
    head = "| " + " | ".join(md_text(c.header) for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if c.kind in ("num", "int") else "---" for c in table.columns) + "|"
    body = ["| " + " | ".join(md_text(fmt(v)) for v in row) + " |" for row in table.rows]
    return [head, rule, *body, ""]


def _items(title: str, items: list[str]) -> list[str]:
    lines = [f"**{title}**", ""]
    lines += [f"{n}. {md_text(t)}" for n, t in enumerate(items, 1)] or ["（无）"]
    return [*lines, ""]


def _plan(n: int, p: Plan) -> list[str]:
    return [
        f"### {n}. {md_text(p.title)}",
        "",
        *_items("问题表现", p.problems),
        *_items("原因分析", p.analysis),
        *_items("改进措施（单位自述，已去重）", p.own_measures),
        *_items("改进措施（标准措施）", p.standard_measures),
        f"**责任单位**：{md_text('、'.join(p.responsible))}",
        "",
        "**完成时限**：＿＿＿＿（由单位填写）",
        "",
        *_items("应改善的指标", p.indicators),
    ]


def render_markdown(r: AnalysisResult) -> str:
    t = build_tables(r)
    systemic = [s for s in r.systemic if s.systemic]
    lines = ["# 绩效自评偏差原因分析报告", "", "## 一、概览", "", *md_table(t["overview"]), *md_table(t["forms"])]
    lines += ["## 二、系统性问题", ""]
    for s in systemic:
        lines += [
            f"### 第{s.rank}位：{md_text(s.label)}",
            "",
            f"- 出现范围：{len(s.units)}个单位、{len(s.projects)}个项目（{md_text('、'.join(s.projects))}），{s.indicators}项指标",
            f"- 扣分：涉及{fmt(s.points_involved)}分，归因{fmt(s.points_attributed)}分；指标类型：{md_text('、'.join(s.kinds))}",
            *([f"- 年度变化：{md_text(s.movement)}"] if s.movement else []),
            *[f"- 原文：“{md_text(q)}”" for q in s.quotes],
            *[f"- 校验信号：{md_text(x.message)}" for x in s.signals],
            "",
        ]
    if not systemic:
        lines += ["未发现达到阈值的系统性问题。", ""]
    signals = [x for e in r.systemic if not e.systemic for x in e.signals]
    if signals:
        lines += ["校验信号（文本未说明的可能原因）：", "", *[f"- {md_text(x.message)}" for x in signals], ""]
    lines += ["全部原因排名：", "", *md_table(pick(t["systemic"], ["排名", "原因", "系统性", "单位数", "项目数", "指标数",
                                                              "涉及扣分", "归因扣分", "指标类型", "校验信号", "判定说明"]))]
    lines += ["## 三、原因聚类（按归因扣分排序）", "", *md_table(t["pareto"])]
    lines += ["## 四、改进计划（草案）", ""]
    for n, p in enumerate(r.plans, 1):
        lines += _plan(n, p)
    changed = Table("targets", "", t["targets"].columns, [row for row, s in zip(t["targets"].rows, r.targets, strict=True)
                                                         if s.actions != ["keep"]])
    lines += ["## 五、下年度目标建议", "", f"共{len(r.targets)}项指标，其中{len(changed.rows)}项建议调整（完整可编辑表见 report.xlsx）。", ""]
    lines += md_table(pick(changed, ["项目名称", "三级指标", "本年度指标值", "实际完成值", "得分", "建议类型", TARGET_EDIT_HEADER, "理由"]))
    lines += ["## 六、校验问题", "", *md_table(t["checks"])]
    lines += ["## 七、指标明细（原因关联表）", "", *md_table(pick(t["links"], [
        "项目名称", "三级指标", "扣分", "原因", "涉及扣分", "归因扣分", "偏差原因原文", "来源文件", "行"]))]
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(result: AnalysisResult, path: Path) -> None:
    path.write_text(render_markdown(result), encoding="utf-8")
