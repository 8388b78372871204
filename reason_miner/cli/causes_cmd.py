"""`reason-miner train` and `reason-miner causes`: mine the causes in the 偏差原因 texts.

Inputs are form files (any format `parse` reads) and, optionally, reason lists: `.jsonl` files with
one reason per line, either a JSON string or an object with a "text" field.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import typer

from ..cause_model import CauseModel, ModelError
from ..clauses import analyse_text
from ..mine import CauseMiner, ReasonRef, extract_reasons, mine_reasons, reasons_from_texts
from ..model import ReadError
from ..results import OTHER_CAUSE_ID, CauseResult, ReasonAnalysis
from ..sources import load_input
from ..vocab import corpora_dir, models_dir, sample_path
from ._app import FORMAT_OPTION, OutputFormat, app, echo_errors, emit_json
from .parse_cmd import PATHS_ARG

REASON_LIST_SUFFIX = ".jsonl"
MEMBERS_SHOWN = 12  # reasons listed under each cause in the table
MODEL_OPTION = typer.Option(None, "--model", "-m", help="原因模型文件夹（如 models/default）")
TRAIN_MODEL_OPTION = typer.Option(..., "--model", "-m", help="保存原因模型的文件夹（如 models/2024）")
SEED_OPTION = typer.Option(0, "--random-state", help="随机种子（结果可复现）")


@dataclass
class ReasonInput:
    refs: list[ReasonRef] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    failed: bool = False


def read_reason_list(path: Path) -> tuple[list[str], list[ReadError]]:
    """Texts of a JSONL reason list; a bad line is reported and skipped."""
    texts: list[str] = []
    errors: list[ReadError] = []
    try:
        raw = path.read_bytes()
    except OSError:
        return [], [ReadError(str(path), "无法读取原因清单：文件不存在或无法打开")]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            lines = raw.decode(encoding).splitlines()
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], [ReadError(str(path), "无法识别原因清单的编码（请保存为 UTF-8）")]
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item: Any = json.loads(line)
        except json.JSONDecodeError:
            errors.append(ReadError(str(path), "不是有效的 JSON 行，已跳过", line=n, kind="row"))
            continue
        text = item.get("text") if isinstance(item, dict) else item
        if isinstance(text, str) and text.strip():
            texts.append(text.strip())
        else:
            errors.append(ReadError(str(path), "该行没有原因文本（text），已跳过", line=n, kind="row"))
    return texts, errors


def gather(paths: list[Path] | None, default: list[Path]) -> ReasonInput:
    """Reasons of the form files and reason lists given (or of `default` when none is)."""
    chosen = list(paths or default)
    lists = [p for p in chosen if p.suffix.lower() == REASON_LIST_SUFFIX]
    forms = [p for p in chosen if p.suffix.lower() != REASON_LIST_SUFFIX]
    out = ReasonInput()
    if forms or not lists:
        loaded = load_input(forms or None)
        out.refs.extend(extract_reasons(loaded.forms))
        out.errors.extend(loaded.errors)
        out.failed = bool(loaded.failed_files)
    for p in lists:
        texts, errors = read_reason_list(p)
        out.refs.extend(reasons_from_texts(texts, str(p)))
        out.errors.extend(errors)
        out.failed = out.failed or any(e.kind == "error" for e in errors)
    return out


def load_model_option(model: Path | None) -> CauseModel | None:
    """The cause model named by a --model option (None without one); exit 2 when it cannot be read."""
    if model is None:
        return None
    try:
        return CauseModel.load(resolve_model(model))
    except ModelError as exc:
        typer.echo(f"[错误] {exc}", err=True)
        raise typer.Exit(code=2) from exc


def resolve_model(name: Path) -> Path:
    """A model folder as given, else the shipped model of that name (models/default → default)."""
    if name.exists():
        return name
    shipped = models_dir() / name.name
    return shipped if shipped.exists() else name


def reason_json(r: ReasonAnalysis) -> dict[str, Any]:
    return {
        "project": r.project,
        "unit": r.unit,
        "indicator": r.indicator,
        "lost": r.lost,
        "text": r.text,
        "vague": r.vague,
        "boilerplate": [asdict(s) for s in r.boilerplate],
        "boilerplate_count": r.boilerplate_count,
        "clauses": [{"text": c.text, "role": c.role, "cause_id": c.cause_id, "score": c.score} for c in r.clauses],
        "source": asdict(r.source),
    }


def result_json(result: CauseResult, errors: list[ReadError]) -> dict[str, Any]:
    return {
        "reasons": [reason_json(r) for r in result.reasons],
        "causes": [c.to_dict() for c in result.causes],
        "errors": [e.to_dict() for e in errors],
    }


def print_table(result: CauseResult) -> None:
    """Causes, biggest first, each with the reasons that carry it."""
    carriers: dict[str, list[tuple[ReasonAnalysis, str]]] = {}
    for r in result.reasons:
        for cid in r.cause_ids:
            text = "，".join(c.text for c in r.clauses if c.cause_id == cid)
            carriers.setdefault(cid, []).append((r, text))
    typer.echo(f"共 {len(result.reasons)} 条偏差原因，归纳为 {len(result.causes)} 类原因。")
    for c in result.causes:
        if c.id == OTHER_CAUSE_ID:
            category = "  （与模型中的原因都不相近：新原因，请人工归类或重新训练模型）"
        else:
            category = f"  分类：{c.category}" if c.category else "  （未匹配分类：新发现的原因）"
        typer.echo(f"\n【{c.id}】{c.label}  共 {c.size} 处{category}")
        if c.keywords:
            typer.echo(f"  关键词：{'、'.join(c.keywords)}")
        members = carriers.get(c.id, [])
        for r, text in members[:MEMBERS_SHOWN]:
            where = " / ".join(x for x in (r.project, r.indicator) if x) or r.source.describe()
            typer.echo(f"  - {where}：{text}")
        if len(members) > MEMBERS_SHOWN:
            typer.echo(f"  ……另有 {len(members) - MEMBERS_SHOWN} 条")
    vague = [r for r in result.reasons if r.vague]
    repeated = [r for r in result.reasons if r.boilerplate_count]
    typer.echo(f"\n原因分析不充分（只有改进措施、未说明原因）：{len(vague)} 条")
    for r in vague[:MEMBERS_SHOWN]:
        typer.echo(f"  - {r.source.describe()} {r.indicator}：{r.text}")
    typer.echo(f"套用相同文本的原因：{len(repeated)} 条")
    for r in repeated[:MEMBERS_SHOWN]:
        typer.echo(f"  - {r.source.describe()} {r.indicator}：{r.text}（另见 {r.boilerplate_count} 处）")


@app.command("causes")
def causes_command(
    paths: list[Path] | None = PATHS_ARG,
    model: Path | None = MODEL_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    random_state: int = SEED_OPTION,
) -> None:
    """挖掘偏差原因：拆分原因文本、归纳共性原因；指定 --model 时归入已保存模型的原因类别。"""
    data = gather(paths, [sample_path()])
    result = mine_reasons(data.refs, load_model_option(model), random_state)
    if fmt == OutputFormat.json:
        emit_json(result_json(result, data.errors))
    else:
        print_table(result)
    echo_errors(data.errors)
    if data.failed:
        raise typer.Exit(code=1)


@app.command("train")
def train_command(
    paths: list[Path] | None = PATHS_ARG,
    model: Path = TRAIN_MODEL_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
    random_state: int = SEED_OPTION,
) -> None:
    """训练并保存原因模型（省略路径时使用内置语料：样例自评表和标注原因清单）。"""
    bundled = [sample_path(), corpora_dir() / "labelled" / "reasons.jsonl"]
    data = gather(paths, bundled)
    if not data.refs:
        echo_errors(data.errors)
        typer.echo("没有可用于训练的偏差原因文本。", err=True)
        raise typer.Exit(code=1)
    miner = CauseMiner(random_state)
    miner.fit([u.text for r in data.refs for u in analyse_text(r.text).units])
    assert miner.model_ is not None
    miner.model_.summary["reasons"] = len(data.refs)
    folder = miner.model_.save(model)
    result = mine_reasons(data.refs, miner, random_state)
    if fmt == OutputFormat.json:
        emit_json({"model": str(folder), "summary": miner.model_.summary, **result_json(result, data.errors)})
    else:
        s = miner.model_.summary
        typer.echo(
            f"模型已保存到 {folder}：{s['reasons']} 条原因，{s['distinct_cause_units']} 个不同的原因表述，"
            f"归纳为 {s['causes']} 类（{s['categorised_causes']} 类匹配分类表 {s['taxonomy_version']}）。"
        )
        for c in miner.model_.causes:
            typer.echo(f"  【{c.id}】{c.label}  {c.size} 处  {c.category or '（新发现）'}  例：{c.examples[0]}")
    echo_errors(data.errors)
