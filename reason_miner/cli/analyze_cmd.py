"""`reason-miner analyze`: the main job — check, mine, link, rank, advise, and write the reports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from ..analyze import AnalyzeConfig, analyze, forks_pay
from ..report.tables import LIMITS
from ..sources import default_jobs, load_input
from ..systemic import SystemicConfig
from ._app import app, echo_errors
from .causes_cmd import load_model_option
from .parse_cmd import PATHS_ARG

OUT_OPTION = typer.Option(Path("reason-miner-report"), "--out", "-o", help="报告输出文件夹（不存在时自动创建）")
JOBS_OPTION = typer.Option(None, "--jobs", "-j",
                           help="并行读取的进程数，默认使用全部 CPU 核；大于 1 时，findings.json 的 forms 部分由辅助进程"
                                "与分析同时写出；大于 2 且内存充足时，分析与报告也分两个进程进行")
SCHEDULER_OPTION = typer.Option(None, "--scheduler", help="Dask 集群调度器地址（分布式读取）")
DB_OPTION = typer.Option(None, "--db", help="DuckDB 工作库：从库中读取已导入的自评表")
YEAR_OPTION = typer.Option(None, "--year", help="只分析该年度的自评表")
MODEL_OPTION = typer.Option(
    None, "--model", "-m", help="原因模型文件夹（如 models/default）：把原因归入已保存模型的原因类别，便于跨年度对比"
)
XLSX_ROWS_OPTION = typer.Option(
    LIMITS.xlsx_rows, "--xlsx-rows", min=1,
    help="report.xlsx 每张表最多写入的行数（超出部分完整保存在 findings.json；下年度目标建议优先保留需调整的指标）",
)
LOW_MEMORY_OPTION = typer.Option(
    False, "--low-memory",
    help="低内存：即使 --jobs 大于 2，分析与报告也在本进程依次进行，不分叉并行"
         "（10 万张表在 2 核机器上依次进行约 53–54 秒、峰值约 1.8 GB；分叉并行约 57 秒、2.9 GB，见 bench/README.md）",
)
MIN_UNITS_OPTION = typer.Option(2, "--min-units", min=1, help="原因在至少多少个单位出现时判为系统性问题")
MIN_PROJECTS_OPTION = typer.Option(2, "--min-projects", min=1, help="原因在至少多少个项目出现时判为系统性问题")

LABELS = {
    "xlsx": "Excel 报告",
    "html": "网页报告",
    "docx": "改进计划（Word）",
    "md": "Markdown 报告",
    "json": "机器可读结果",
}


def _progress(message: str) -> None:
    typer.echo(f"[进度] {message}", err=True)


def _files_read(done: int, total: int) -> None:
    """A line at every tenth of a long read (a province's batch reads for a minute or more)."""
    if total >= 20 and done * 10 // total != (done - 1) * 10 // total:
        _progress(f"已读取 {done}/{total} 个文件（{done * 100 // total}%）")


@app.command("analyze")
def analyze_command(
    paths: list[Path] | None = PATHS_ARG,
    out: Path = OUT_OPTION,
    jobs: int | None = JOBS_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
    db: Path | None = DB_OPTION,
    year: int | None = YEAR_OPTION,
    min_units: int = MIN_UNITS_OPTION,
    min_projects: int = MIN_PROJECTS_OPTION,
    model: Path | None = MODEL_OPTION,
    xlsx_rows: int = XLSX_ROWS_OPTION,
    low_memory: bool = LOW_MEMORY_OPTION,
) -> None:
    """分析自评表并生成报告：report.xlsx、report.html、plan.docx、report.md、findings.json。"""
    cause_model = load_model_option(model)  # before reading: a wrong --model fails at once
    _progress("读取自评表……")
    loaded = load_input(paths, jobs=jobs or default_jobs(), scheduler=scheduler, db=db, year=year,
                        progress=_files_read, helper=True)
    echo_errors(loaded.errors)
    if not loaded.forms:
        typer.echo("没有可分析的自评表（请检查文件路径或上面的错误信息）。", err=True)
        raise typer.Exit(code=1)
    config = AnalyzeConfig(systemic=SystemicConfig(min_units=min_units, min_projects=min_projects),
                           limits=replace(LIMITS, xlsx_rows=xlsx_rows),
                           parallel=forks_pay(jobs or default_jobs()) and not low_memory)
    result = analyze(loaded, out, model=cause_model, config=config, progress=_progress)
    systemic = [s for s in result.systemic if s.systemic]
    typer.echo(
        f"分析完成：{result.files_read} 个文件，{len(result.forms)} 张自评表，"
        f"{result.row_counts[0]} 项指标，扣分合计 {result.lost_cents / 100:g} 分；"
        f"系统性问题 {len(systemic)} 个"
        + (f"（{'、'.join(s.label for s in systemic[:5])}）" if systemic else "")
        + f"；校验问题 {len(result.findings)} 项；"
        f"下年度目标建议调整 {len(result.targets.changed)} 项。"
    )
    for kind, path in result.outputs.items():
        typer.echo(f"  {LABELS[kind]}：{path}")
    if loaded.failed_files:
        raise typer.Exit(code=1)
