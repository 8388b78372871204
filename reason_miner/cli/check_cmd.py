"""`reason-miner check`: run the checks on forms and print the findings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from ..checks import RULES, CheckConfig, check_forms, rule_label, severity_label
from ..model import Form
from ..results import Finding
from ..sources import load_input
from ._app import FORMAT_OPTION, OutputFormat, app, echo_errors, emit_json
from .parse_cmd import PATHS_ARG

BUDGET_CUT_OPTION = typer.Option(
    CheckConfig.budget_cut_pct, "--budget-cut", min=0.0, help="全年预算数低于年初预算数超过该百分比时提示（默认20）"
)


def _print_table(forms: list[Form], findings: list[Finding]) -> None:
    by_form: dict[int, list[Finding]] = {}
    for f in findings:
        by_form.setdefault(f.form_index, []).append(f)
    for idx, form in enumerate(forms):
        typer.echo(f"\n【{form.project or '未命名项目'}】{form.year or ''}年度  实施单位：{form.unit or '-'}")
        typer.echo(f"  来源：{form.source.describe()}")
        rows = by_form.get(idx, [])
        if not rows:
            typer.echo("  未发现问题")
        for f in rows:
            where = f"指标「{f.indicator}」" if f.indicator else "全表"
            line = f" 第{f.source.line}行" if f.indicator and f.source.line is not None else ""
            typer.echo(f"  [{severity_label(f.severity)}] {rule_label(f.rule)}（{f.rule}） {where}{line}：{f.message}")
    counts = Counter(f.rule for f in findings)
    severities = Counter(f.severity for f in findings)
    typer.echo(
        f"\n共检查 {len(forms)} 张自评表，发现 {len(findings)} 项："
        + "，".join(f"{severity_label(s)} {severities[s]}" for s in ("error", "warning", "info"))
    )
    for rule in RULES:
        if counts[rule]:
            typer.echo(f"  {rule_label(rule)}（{rule}）：{counts[rule]}")


@app.command("check")
def check_command(
    paths: list[Path] | None = PATHS_ARG,
    fmt: OutputFormat = FORMAT_OPTION,
    budget_cut: float = BUDGET_CUT_OPTION,
) -> None:
    """校验自评表：总分、分值、等级、评分档次、扣分原因、指标方向、成本上限、预算调减等。"""
    result = load_input(paths)
    findings = check_forms(result.forms, config=CheckConfig(budget_cut_pct=budget_cut))
    if fmt == OutputFormat.json:
        emit_json({"findings": [f.to_dict() for f in findings], "errors": [e.to_dict() for e in result.errors]})
    else:
        _print_table(result.forms, findings)
    echo_errors(result.errors)
    if result.failed_files:
        raise typer.Exit(code=1)
