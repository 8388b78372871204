"""The Typer application shared by the command modules, and output helpers they all use."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Any

import typer

app = typer.Typer(
    name="reason-miner",
    help="reason-miner：财政项目支出绩效自评表的读取、校验与偏差原因挖掘（离线）。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


FORMAT_OPTION = typer.Option(OutputFormat.table, "--format", "-f", help="输出格式：table（中文表格）或 json")


def emit_json(payload: Any) -> None:
    """Print JSON deterministically (sorted keys would reorder the schema; insertion order is stable)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
    sys.stdout.write("\n")


def echo_errors(errors: list[Any]) -> None:
    """Errors go to stderr in Chinese, one line each, naming file and place."""
    for e in errors:
        prefix = "错误" if e.kind == "error" else "提示"
        typer.echo(f"[{prefix}] {e.describe()}", err=True)


@app.callback()
def _root() -> None:
    """reason-miner：财政项目支出绩效自评表的读取、校验与偏差原因挖掘（离线、确定性）。"""
