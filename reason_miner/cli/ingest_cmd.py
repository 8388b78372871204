"""`reason-miner ingest` (files → workspace) and `reason-miner export` (workspace → Parquet)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from ..sources import default_jobs
from ..workspace import DEFAULT_WORKSPACE, export_parquet, ingest, summary
from ._app import app

DB_OPTION = typer.Option(DEFAULT_WORKSPACE, "--db", help="工作区文件（DuckDB），默认 ./reason-miner.duckdb")
JOBS_OPTION = typer.Option(None, "--jobs", "-j", help="本机并行进程数，默认使用全部 CPU 核")
SCHEDULER_OPTION = typer.Option(
    None, "--scheduler", help="Dask 调度器地址（如 tcp://10.0.0.5:8786），或 local 表示本机 LocalCluster"
)


@app.command("ingest")
def ingest_command(
    paths: list[Path] = typer.Argument(..., help="自评表文件或文件夹（可多个）"),  # noqa: B008
    db: Path = DB_OPTION,
    jobs: int | None = JOBS_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="逐个文件显示处理结果"),  # noqa: FBT001
) -> None:
    """将自评表读入工作区：已读过且内容未变的文件跳过，内容有变的文件替换旧记录。"""
    labels = {"skipped": "跳过（未变化）", "added": "新增", "replaced": "替换（内容已变）"}

    def on_file(path: str, status: str) -> None:
        if verbose:
            typer.echo(f"  {labels[status]}：{path}", err=True)

    start = time.perf_counter()
    report = ingest(paths, db, jobs=jobs or default_jobs(), scheduler=scheduler, on_file=on_file)
    seconds = time.perf_counter() - start
    typer.echo(
        f"工作区 {db}：共 {report.files} 个文件，新增 {report.added}，替换 {report.replaced}，"
        f"跳过 {report.skipped}；本次写入 {report.forms} 张自评表、{report.errors} 条读取错误，用时 {seconds:.1f} 秒。"
    )
    s = summary(db)
    by_year = "，".join(f"{y if y is not None else '未知年度'}年 {n} 张" for y, n in s["years"])
    typer.echo(f"工作区现有 {s['files']} 个文件：{by_year or '无自评表'}。")
    if report.failed_files:
        typer.echo(
            f"[提示] {report.failed_files} 个文件未能读出任何自评表，详见 reason-miner export 导出的 errors.parquet",
            err=True,
        )


@app.command("export")
def export_command(
    db: Path = DB_OPTION,
    out: Path = typer.Option(..., "--out", "-o", help="输出文件夹（写出 Parquet 文件）"),  # noqa: B008
) -> None:
    """将工作区导出为 Parquet（files / forms / indicators / errors 四张表），供其他工具使用。"""
    if not db.exists():
        typer.echo(f"[错误] 工作区不存在：{db}（请先运行 reason-miner ingest）", err=True)
        raise typer.Exit(code=1)
    for path in export_parquet(db, out):
        typer.echo(f"已写出 {path}")
