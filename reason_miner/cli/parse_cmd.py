"""`reason-miner parse`: read forms and print the model."""

from __future__ import annotations

from pathlib import Path

import typer

from ..load import LoadResult, load
from ..vocab import sample_path
from ._app import FORMAT_OPTION, OutputFormat, app, echo_errors, emit_json

PATHS_ARG = typer.Argument(None, help="自评表文件或文件夹（可多个）；省略时使用内置样例")


def load_paths(paths: list[Path] | None) -> LoadResult:
    return load(paths or [sample_path()])


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


@app.command("parse")
def parse_command(paths: list[Path] | None = PATHS_ARG, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """读取自评表（txt/xlsx/xls/docx/pdf/html/csv），输出统一的表单模型。"""
    result = load_paths(paths)
    if fmt == OutputFormat.json:
        emit_json({"forms": [f.to_dict() for f in result.forms], "errors": [e.to_dict() for e in result.errors]})
    else:
        for f in result.forms:
            typer.echo(f"\n【{f.project or '未命名项目'}】{f.year or ''}年度  实施单位：{f.unit or '-'}  主管部门：{f.department or '-'}")
            typer.echo(f"  来源：{f.source.describe()}")
            typer.echo(
                f"  资金（万元）：年初 {_fmt(f.funds.initial)} / 全年 {_fmt(f.funds.adjusted)} / 执行 {_fmt(f.funds.executed)}"
                f"  执行率 {_fmt(f.funds.rate)}%  得分 {_fmt(f.funds.score)}/{_fmt(f.funds.weight)}"
            )
            typer.echo(f"  总分 {_fmt(f.total.score)}/{_fmt(f.total.weight)}  等级 {f.grade or '-'}  扣分合计 {f.points_lost:g}")
            for label, text in f.remarks.items():
                typer.echo(f"  {label}：{text}")
            typer.echo("  一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因")
            for i in f.indicators:
                typer.echo(
                    f"  {i.level1 or ''} | {i.level2 or ''} | {i.name} | {i.target.raw} | {i.actual.raw} | "
                    f"{_fmt(i.weight)} | {_fmt(i.score)} | {i.reason or ''}"
                )
        typer.echo(f"\n共读取 {result.files} 个文件，{len(result.forms)} 张自评表，"
                   f"{sum(len(f.indicators) for f in result.forms)} 条指标。")
    echo_errors(result.errors)
    if result.failed_files:
        raise typer.Exit(code=1)
