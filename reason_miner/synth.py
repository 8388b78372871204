"""Realistic synthetic corpora of self-evaluation forms, for benchmarks and tests.

Deterministic for a seed: form `i` of a corpus depends only on (seed, i), so any slice of a corpus
can be generated on its own (in parallel, or again later) and comes out byte-identical.

What a corpus looks like (all word lists live in corpora/synth/*.json, not here):
- projects belong to a unit of a department of a region; each project recurs over the years
  (form i is project i // len(years), year years[i % len(years)]), so years can be compared;
- each form has a funds block (with budget cuts and under-execution at realistic rates), goals,
  and an indicator table of about 27 rows over the usual levels, with directions, units and
  qualitative targets; weights add up to 90 (plus 10 for funds);
- about `lose_rate` (10%) of the rows lose points; their reasons are drawn from a grammar of
  causes, effects and measures, and every drawn cause is recorded (`SynthRow.causes`) as the
  ground truth a miner should recover; some texts are vague (measures only), some are copied
  across rows (boilerplate), projects have "chronic" causes that recur over the years, and a
  budget cut makes 经费保障不足 more likely;
- a few planted anomalies for the checks: wrong directions (≤ on more-is-better counts), reasons
  missing on rows that lost points, 总分 that does not add up (`anomaly_rate`).

Writers: text dumps in the style of the bundled sample (tab-separated, several forms per file,
with the extraction quirks: spaced labels, rows split over a page break, wrapped status cells,
thousands separators), .xlsx workbooks (one form per sheet), and flat exports (one indicator per
row) as CSV, TSV or .xlsx. `write_corpus` writes a whole corpus, in parallel when asked.

Command line: `python -m reason_miner.synth --forms 1000 --format text --out DIR [--seed 0] [--jobs 2]
[--truth truth.json]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .vocab import load_json

Fmt = Literal["text", "xlsx", "flat-csv", "flat-tsv", "flat-xlsx"]
FORMATS: tuple[str, ...] = ("text", "xlsx", "flat-csv", "flat-tsv", "flat-xlsx")
SUFFIX = {"text": ".txt", "xlsx": ".xlsx", "flat-csv": ".csv", "flat-tsv": ".tsv", "flat-xlsx": ".xlsx"}
DEFAULT_YEARS = (2022, 2023, 2024)

# Column headers of the flat export; every one is a name listed in corpora/vocab/form_vocab.json.
FLAT_HEADER = (
    "年度", "主管部门", "实施单位", "项目名称", "年初预算数", "全年预算数", "全年执行数", "执行率", "资金分值",
    "资金得分", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
    "偏差原因分析及改进措施", "总分", "评分等级",
)  # fmt: skip
INDICATOR_HEADER = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)


@dataclass(slots=True)
class SynthRow:
    """One indicator row as written, with the values it was generated from."""

    level1: str
    level2: str
    name: str
    target: str  # cell text, e.g. "≥30.00(场)" or "良好"
    actual: str  # cell text, e.g. "17.00(场)" or "部分达成指标并具有一定效果"
    weight: float
    score: float
    reason: str
    causes: tuple[str, ...] = ()  # ground truth: cause ids drawn for the reason
    op: str | None = None
    value: float | None = None
    unit: str | None = None
    actual_value: float | None = None
    status: str | None = None  # 达成 / 部分达成 / 未达成 for qualitative rows

    @property
    def lost(self) -> float:
        return round(self.weight - self.score, 4)


@dataclass(slots=True)
class SynthForm:
    index: int
    year: int
    project: str
    department: str
    unit: str
    funds_initial: float
    funds_adjusted: float
    funds_executed: float
    funds_rate: float
    funds_score: float
    goals_expected: str
    goals_achieved: str
    rows: list[SynthRow] = field(default_factory=list)
    total_score: float = 0.0
    grade: str = "优"
    funds_weight: float = 10.0
    total_weight: float = 100.0
    carryover: float = 0.0
    anomalies: tuple[str, ...] = ()


@dataclass(frozen=True)
class SynthConfig:
    seed: int = 0
    years: tuple[int, ...] = DEFAULT_YEARS
    lose_rate: float = 0.10  # share of indicator rows that lose points
    anomaly_rate: float = 0.01  # share of forms whose printed 总分 does not add up
    missing_reason_rate: float = 0.04  # share of losing rows left without a reason
    quirk_rate: float = 0.02  # text dumps: rows split over a page break, wrapped cells


@dataclass(frozen=True)
class _Project:
    region: str
    department: str
    unit: str
    theme: str
    name: str
    chronic: tuple[str, ...]


@cache
def _data() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    return load_json("synth/entities.json"), load_json("synth/indicators.json"), load_json("synth/reasons.json")


def _grade(total: float) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def _fmt(v: float, decimals: int = 2) -> str:
    return f"{v:.{decimals}f}"


def _project(seed: int, j: int) -> _Project:
    """Project j of the catalogue: region, department, unit, theme and a name unique per unit."""
    ent, _, reasons = _data()
    rng = random.Random(seed * 7_919 + j * 104_729 + 1)
    regions, depts = ent["regions"], ent["departments"]
    dept = depts[j % len(depts)]
    region = regions[(j // len(depts)) % len(regions)]
    unit_name = dept["units"][(j // (len(depts) * len(regions))) % len(dept["units"])]
    # projects of the same unit: j differs by a multiple of the unit count; number them apart
    n_units = len(depts) * len(regions) * len(dept["units"])
    k = j // n_units
    theme = dept["themes"][k % len(dept["themes"])]
    names = ent["themes"][theme]["projects"]
    base = names[(k // len(dept["themes"])) % len(names)]
    round_ = k // (len(dept["themes"]) * len(names))
    name = base if round_ == 0 else f"{base}（{round_ + 1}期）"
    cause_ids = [c["id"] for c in reasons["causes"]]
    chronic = tuple(rng.sample(cause_ids, rng.choice((1, 1, 2))))
    return _Project(
        region=region,
        department=f"{region}{dept['name']}",
        unit=f"{region}{unit_name}",
        theme=theme,
        name=name,
        chronic=chronic,
    )


def _weights(rng: random.Random, n: int, total: int = 90) -> list[float]:
    q, r = divmod(total, n)
    extra = set(rng.sample(range(n), r))
    return [float(q + 1 if i in extra else q) for i in range(n)]


def _round_value(v: float, decimals: int) -> float:
    return round(v, decimals) if decimals else float(round(v))


class _ReasonGrammar:
    def __init__(self, reasons: dict[str, Any]) -> None:
        self.causes = {c["id"]: c["phrases"] for c in reasons["causes"]}
        self.cause_ids = list(self.causes)
        self.effects = reasons["effects"]
        self.measures = reasons["measures"]
        self.vague = reasons["vague"]
        self.shapes = [s["shape"] for s in reasons["shapes"]]
        self.shares = [s["share"] for s in reasons["shapes"]]

    def cause(self, rng: random.Random, chronic: Sequence[str], funds_cut: bool) -> str:
        roll = rng.random()
        if funds_cut and roll < 0.35:
            return "funds_cut"
        if roll < 0.6:
            return rng.choice(chronic)
        return rng.choice(self.cause_ids)

    def text(
        self, rng: random.Random, obj: str, kind: str, chronic: Sequence[str], funds_cut: bool
    ) -> tuple[str, tuple[str, ...]]:
        shape = rng.choices(self.shapes, self.shares)[0]
        measure = rng.choice(self.measures)
        effect = rng.choice(self.effects[kind]).replace("{object}", obj)
        if shape == "measure_only":
            return rng.choice(self.vague), ()
        if shape == "effect_only":
            return effect, ()
        c1 = self.cause(rng, chronic, funds_cut)
        p1 = rng.choice(self.causes[c1])
        if shape == "cause_effect_measure":
            return f"{p1}，{effect}，{measure}", (c1,)
        if shape == "object_cause_effect_measure":
            lead = p1 if p1.startswith(("因", "由于", "受")) else f"因{p1}"
            return f"{obj}{lead}，{effect}，{measure}", (c1,)
        if shape == "cause_measure":
            return f"{p1}，{measure}", (c1,)
        c2 = rng.choice([c for c in self.cause_ids if c != c1])
        p2 = rng.choice(self.causes[c2])
        return f"{p1}；{p2}，{effect}，{measure}", (c1, c2)


@cache
def _grammar() -> _ReasonGrammar:
    return _ReasonGrammar(_data()[2])


def generate_form(i: int, config: SynthConfig = SynthConfig()) -> SynthForm:
    """Form `i` of the corpus of `config.seed`: depends on nothing else."""
    ent, ind, _ = _data()
    grammar = _grammar()
    years = config.years
    proj = _project(config.seed, i // len(years))
    year = years[i % len(years)]
    rng = random.Random(config.seed * 1_000_003 + i * 7_368_787 + 17)
    objects = ent["themes"][proj.theme]["objects"]

    # funds (万元): cuts, increases and under-execution at realistic rates
    adjusted = round(rng.uniform(20, 3000) if rng.random() < 0.9 else rng.uniform(3000, 20000), 2)
    roll = rng.random()
    initial = (
        round(adjusted / rng.uniform(0.45, 0.95), 2)
        if roll < 0.2
        else (round(adjusted * rng.uniform(0.8, 0.99), 2) if roll < 0.3 else adjusted)
    )
    executed = adjusted if rng.random() < 0.7 else round(adjusted * rng.uniform(0.75, 0.999), 2)
    rate = round(executed / adjusted * 100, 2)
    funds_score = round(10 * min(rate / 100, 1.0), 2)
    funds_cut = initial > 0 and (initial - adjusted) / initial > 0.2
    carryover = round(adjusted * rng.uniform(0.05, 0.3), 2) if rng.random() < 0.1 else 0.0

    # indicator rows
    plan: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for level in ind["levels"]:
        lo, hi = level["count"]
        n = rng.randint(lo, hi)
        for _ in range(n):
            plan.append((level, rng.choice(level["rows"])))
    weights = _weights(rng, len(plan))
    statuses = ind["statuses"]
    rows: list[SynthRow] = []
    boilerplate: str | None = None
    boilerplate_causes: tuple[str, ...] = ()
    copy_reasons = rng.random() < 0.15
    for (level, tpl), w in zip(plan, weights, strict=True):
        obj = rng.choice(objects)
        name = tpl["name"].replace("{object}", obj)
        loses = rng.random() < config.lose_rate
        if tpl["kind"] == "quant":
            row = _quant_row(rng, level, tpl, name, w, loses)
        else:
            target = rng.choice(tpl["targets"])
            if loses:
                status = "部分达成" if rng.random() < 0.8 else "未达成"
                ratio = rng.uniform(0.6, 0.79) if status == "部分达成" else rng.uniform(0.2, 0.55)
                score = min(math.floor(w * ratio * 2) / 2, w - 0.5)
            else:
                status, score = "达成", w
            row = SynthRow(level["level1"], level["level2"], name, target, statuses[status], w, score, "",
                           status=status)  # fmt: skip
        if row.score < row.weight and rng.random() >= config.missing_reason_rate:
            if copy_reasons and boilerplate is not None:
                row.reason, row.causes = boilerplate, boilerplate_causes
            else:
                kind = "quant" if row.op else "qual"
                row.reason, row.causes = grammar.text(rng, obj, kind, proj.chronic, funds_cut)
                if copy_reasons:
                    boilerplate, boilerplate_causes = row.reason, row.causes
        rows.append(row)

    total = round(funds_score + sum(r.score for r in rows), 2)
    anomalies: tuple[str, ...] = ()
    if rng.random() < config.anomaly_rate:
        total = round(total + rng.choice((-2.0, -1.0, 1.0, 2.0)), 2)
        anomalies = ("total_mismatch",)
    theme_obj = objects[0]
    goals = ent["goal_templates"]
    return SynthForm(
        index=i,
        year=year,
        project=proj.name,
        department=proj.department,
        unit=proj.unit,
        funds_initial=initial,
        funds_adjusted=adjusted,
        funds_executed=executed,
        funds_rate=rate,
        funds_score=funds_score,
        goals_expected=rng.choice(goals["expected"]).format(project=proj.name, object=theme_obj),
        goals_achieved=rng.choice(goals["achieved"]).format(project=proj.name, object=theme_obj),
        rows=rows,
        total_score=total,
        grade=_grade(total),
        carryover=carryover,
        anomalies=anomalies,
    )


def _quant_row(
    rng: random.Random, level: dict[str, Any], tpl: dict[str, Any], name: str, w: float, loses: bool
) -> SynthRow:
    decimals = tpl["decimals"]
    unit = rng.choice(tpl["units"])
    lo, hi = tpl["range"]
    target = _round_value(rng.uniform(lo, hi), decimals)
    op = tpl["op"]
    more_is_better = op in ("≥", "=")
    wrong = more_is_better and rng.random() < tpl.get("wrong_direction", 0.0)
    written_op = "≤" if wrong else op
    if loses and target > 0:
        if more_is_better:  # fell short (also on wrong-direction rows, as in real forms)
            actual = _round_value(target * rng.uniform(0.5, 0.95), decimals)
            ratio = actual / target
        else:  # cost or duration overran
            actual = _round_value(target * rng.uniform(1.05, 1.5), decimals)
            ratio = target / actual if actual else 0.0
        score = min(round(w * ratio, 2), round(w - 0.01, 2))
    else:
        if more_is_better and not wrong:
            cap = 100.0 if unit == "%" else target * 1.2
            actual = (
                target
                if op == "=" or rng.random() < 0.5
                else _round_value(rng.uniform(target, max(cap, target)), decimals)
            )
        else:  # ≤: at or under the cap; "to the cent" equality is common in real forms
            actual = target if rng.random() < 0.3 else _round_value(target * rng.uniform(0.6, 1.0), decimals)
        score = w
    shown = max(decimals, 2)
    return SynthRow(
        level["level1"],
        level["level2"],
        name,
        f"{written_op}{_fmt(target, shown)}({unit})",
        f"{_fmt(actual, shown)}({unit})",
        w,
        score,
        "",
        op=written_op,
        value=target,
        unit=unit,
        actual_value=actual,
    )


def generate(n_forms: int, config: SynthConfig = SynthConfig(), start: int = 0) -> Iterator[SynthForm]:
    for i in range(start, start + n_forms):
        yield generate_form(i, config)


# ---- text dumps ---------------------------------------------------------------------------------


def _money(v: float, rng: random.Random) -> str:
    """Amounts of 万元, with thousands separators in part of the forms ("6,881.38")."""
    return f"{v:,.2f}" if v >= 1000 and rng.random() < 0.4 else f"{v:.2f}"


def _spaced(label: str, rng: random.Random, rate: float = 0.5) -> str:
    """Labels spaced by justified alignment in PDF extractions ("一级 指标", "年度 总体 目标")."""
    if rng.random() >= rate or len(label) < 4:
        return label
    cut = len(label) - 2
    return f"{label[:cut]} {label[cut:]}"


def _wrap(text: str, rng: random.Random) -> str:
    """A cell wrapped mid-word: spaces inside the text, as PDF extraction leaves them."""
    if len(text) < 6:
        return text
    a = rng.randint(2, len(text) - 3)
    return f"{text[:a]} {text[a:]}"


def text_lines(form: SynthForm, config: SynthConfig = SynthConfig()) -> list[str]:
    """One form as the lines of a PDF text dump (tab-separated cells, 8 columns)."""
    rng = random.Random(config.seed * 31 + form.index)
    q = config.quirk_rate
    lines = ["", "", "财政项目支出绩效自评表", "", f"({form.year} 年度)", ""]
    lines.append(f"项目名称\t\t{form.project}\t\t\t\t\t")
    lines.append(f"主管部门\t\t{form.department}\t\t实施单位\t\t{form.unit}\t")
    lines.append("项目资金 (万元)\t\t年初预算数\t全年预算数\t全年执行数\t分数\t执行率(%)\t得分")
    fiscal_adj = round(form.funds_adjusted - form.carryover, 2)
    fiscal_exe = round(form.funds_executed - form.carryover, 2) if form.carryover else form.funds_executed
    fiscal_ini = round(form.funds_initial - form.carryover, 2) if form.carryover else form.funds_initial
    m = _money
    lines.append(
        f"\t年度资金总额:\t{m(form.funds_initial, rng)}\t{m(form.funds_adjusted, rng)}\t{m(form.funds_executed, rng)}"
        f"\t{form.funds_weight:.2f}\t{form.funds_rate:.2f}\t{form.funds_score:.2f}"
    )
    fiscal_rate = round(fiscal_exe / fiscal_adj * 100, 2) if fiscal_adj else 0.0
    lines.append(
        f"\t其中: 当年财政拨款\t{m(fiscal_ini, rng)}\t{m(fiscal_adj, rng)}\t{m(fiscal_exe, rng)}\t-\t{fiscal_rate:.2f}\t-"
    )
    c = form.carryover
    lines.append(f"\t上年结转资金\t{c:.2f}\t{c:.2f}\t{c:.2f}\t-\t{100.0 if c else 0.0:.2f}\t-")
    lines.append("\t其他资金\t0.00\t0.00\t0.00\t-\t0.00\t-")
    lines.append(f"{_spaced('年度总体目标', rng)}\t预期目标\t\t\t实际完成情况\t\t\t")
    lines.append(f"\t<p>{form.goals_expected}</p>\t\t\t<p>{form.goals_achieved}</p>\t\t\t")
    lines.append("\t".join((_spaced("一级指标", rng), _spaced("二级指标", rng), *INDICATOR_HEADER[2:])))
    prev1 = prev2 = None
    for r in form.rows:
        l1 = _spaced(r.level1, rng, 0.3) if r.level1 != prev1 else ""
        l2 = _spaced(r.level2, rng, 0.3) if r.level2 != prev2 or l1 else ""
        prev1, prev2 = r.level1, r.level2
        actual = _wrap(r.actual, rng) if r.status and rng.random() < q * 5 else r.actual
        cells = [l1, l2, r.name, r.target, actual, f"{r.weight:.2f}", f"{r.score:.2f}", r.reason]
        if r.op and "(" in r.target and rng.random() < q:
            # a row split over a page break: the units of target and actual go to the next line
            t_head, t_tail = r.target.split("(", 1)
            a_head, a_tail = r.actual.split("(", 1)
            cells[3], cells[4] = t_head, f"{a_head}("
            lines.append("\t".join(cells))
            lines.append("")
            lines.append("\t".join(("", "", "", f"({t_tail}", a_tail, "", "", "")))
        else:
            lines.append("\t".join(cells))
    lines.append(f"总分\t\t\t\t\t{form.total_weight:.2f}\t{form.total_score:.2f}\t")
    lines.append(f"评分等级\t{form.grade}\t\t\t\t\t\t")
    return lines


def write_text(forms: Sequence[SynthForm], path: Path, config: SynthConfig = SynthConfig()) -> None:
    out: list[str] = []
    for f in forms:
        out.extend(text_lines(f, config))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


# ---- flat exports -------------------------------------------------------------------------------


def flat_rows(form: SynthForm) -> Iterator[list[Any]]:
    """One row per indicator, form fields repeated (FLAT_HEADER order)."""
    head: list[Any] = [
        form.year, form.department, form.unit, form.project, form.funds_initial, form.funds_adjusted,
        form.funds_executed, form.funds_rate, form.funds_weight, form.funds_score,
    ]  # fmt: skip
    for r in form.rows:
        yield [*head, r.level1, r.level2, r.name, r.target, r.actual, r.weight, r.score, r.reason,
               form.total_score, form.grade]  # fmt: skip


def _flat_text_cell(v: Any) -> str:
    return f"{v:.2f}" if isinstance(v, float) else str(v)


def write_flat_delimited(forms: Sequence[SynthForm], path: Path, delimiter: str = ",") -> None:
    """CSV (UTF-8 with BOM, as Excel writes it) or TSV."""
    with open(path, "w", encoding="utf-8-sig" if delimiter == "," else "utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        w.writerow(FLAT_HEADER)
        for f in forms:
            w.writerows([_flat_text_cell(v) for v in row] for row in flat_rows(f))


def write_flat_xlsx(forms: Sequence[SynthForm], path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("绩效自评汇总")
    ws.write_row(0, 0, FLAT_HEADER)
    r = 1
    for f in forms:
        for row in flat_rows(f):
            ws.write_row(r, 0, row)
            r += 1
    wb.close()


# ---- workbooks (one form per sheet) -------------------------------------------------------------


def write_xlsx(forms: Sequence[SynthForm], path: Path, config: SynthConfig = SynthConfig()) -> None:
    """One form per sheet, laid out like the budget system's export, with merged header cells."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})  # "=22.00(个)" is text
    for k, f in enumerate(forms, start=1):
        ws = wb.add_worksheet(f"自评表{k}")
        ws.merge_range(0, 0, 0, 7, "财政项目支出绩效自评表")
        ws.merge_range(1, 0, 1, 7, f"({f.year}年度)")
        ws.write(2, 0, "项目名称")
        ws.merge_range(2, 1, 2, 7, f.project)
        ws.write_row(3, 0, ["主管部门", f.department, "", "", "实施单位", f.unit])
        ws.write_row(
            4, 0, ["项目资金(万元)", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率(%)", "得分"]
        )
        ws.write_row(5, 0, ["", "年度资金总额", f.funds_initial, f.funds_adjusted, f.funds_executed,
                            f.funds_weight, f.funds_rate, f.funds_score])  # fmt: skip
        fiscal_adj = round(f.funds_adjusted - f.carryover, 2)
        fiscal_exe = round(f.funds_executed - f.carryover, 2)
        fiscal_ini = round(f.funds_initial - f.carryover, 2)
        fiscal_rate = round(fiscal_exe / fiscal_adj * 100, 2) if fiscal_adj else 0.0
        ws.write_row(6, 0, ["", "其中：当年财政拨款", fiscal_ini, fiscal_adj, fiscal_exe, "-", fiscal_rate, "-"])
        ws.write_row(
            7, 0, ["", "上年结转资金", f.carryover, f.carryover, f.carryover, "-", 100.0 if f.carryover else 0.0, "-"]
        )
        ws.write_row(8, 0, ["", "其他资金", 0.0, 0.0, 0.0, "-", 0.0, "-"])
        ws.merge_range(9, 0, 10, 0, "年度总体目标")
        ws.merge_range(9, 1, 9, 3, "预期目标")
        ws.merge_range(9, 4, 9, 7, "实际完成情况")
        ws.merge_range(10, 1, 10, 3, f.goals_expected)
        ws.merge_range(10, 4, 10, 7, f.goals_achieved)
        ws.write_row(11, 0, INDICATOR_HEADER)
        r = 12
        for row in f.rows:
            ws.write_row(r, 0, [row.level1, row.level2, row.name, row.target, row.actual, row.weight, row.score,
                                row.reason])  # fmt: skip
            r += 1
        ws.write_row(r, 0, ["总分", "", "", "", "", f.total_weight, f.total_score, ""])
        ws.write_row(r + 1, 0, ["评分等级", f.grade])
    wb.close()


# ---- whole corpora ------------------------------------------------------------------------------


def _write_chunk(args: tuple[str, Path, int, int, SynthConfig]) -> Path:
    fmt, path, start, count, config = args
    forms = list(generate(count, config, start))
    if fmt == "text":
        write_text(forms, path, config)
    elif fmt == "xlsx":
        write_xlsx(forms, path, config)
    elif fmt == "flat-csv":
        write_flat_delimited(forms, path, ",")
    elif fmt == "flat-tsv":
        write_flat_delimited(forms, path, "\t")
    elif fmt == "flat-xlsx":
        write_flat_xlsx(forms, path)
    else:
        raise ValueError(f"未知的格式：{fmt}（可选：{'、'.join(FORMATS)}）")
    return path


def default_forms_per_file(fmt: str) -> int:
    return {"text": 100, "xlsx": 10, "flat-csv": 2000, "flat-tsv": 2000, "flat-xlsx": 1000}[fmt]


def write_corpus(
    out_dir: str | Path,
    n_forms: int,
    fmt: str = "text",
    *,
    config: SynthConfig = SynthConfig(),
    forms_per_file: int | None = None,
    jobs: int = 1,
) -> list[Path]:
    """Write forms 0..n_forms-1 of the corpus as files `synth_00000.<suffix>`, ...; returns the paths.

    The files are the same whatever `jobs` is: each file is generated from its own form range.
    """
    if fmt not in FORMATS:
        raise ValueError(f"未知的格式：{fmt}（可选：{'、'.join(FORMATS)}）")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    per = forms_per_file or default_forms_per_file(fmt)
    n_files = max(1, math.ceil(n_forms / per))
    width = max(5, len(str(n_files)))
    tasks = [
        (fmt, out / f"synth_{k:0{width}d}{SUFFIX[fmt]}", k * per, min(per, n_forms - k * per), config)
        for k in range(n_files)
    ]
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(_write_chunk, tasks, chunksize=max(1, len(tasks) // (jobs * 8))))
    return [_write_chunk(t) for t in tasks]


def truth(n_forms: int, config: SynthConfig = SynthConfig()) -> dict[str, Any]:
    """Ground truth of a corpus: per cause id, how many reasons carry it (for judging a miner)."""
    counts: dict[str, int] = {}
    for f in generate(n_forms, config):
        for r in f.rows:
            for c in r.causes:
                counts[c] = counts.get(c, 0) + 1
    labels = {c["id"]: c["label"] for c in _data()[2]["causes"]}
    return {"causes": {c: {"label": labels[c], "reasons": n} for c, n in sorted(counts.items())}}


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m reason_miner.synth", description="生成模拟的绩效自评表语料（确定性，可复现）"
    )
    p.add_argument("--forms", type=int, default=1000, help="自评表数量")
    p.add_argument("--format", default="text", choices=FORMATS, help="输出格式")
    p.add_argument("--out", required=True, help="输出文件夹")
    p.add_argument("--seed", type=int, default=0, help="随机种子")
    p.add_argument("--per-file", type=int, default=None, help="每个文件包含的自评表数量")
    p.add_argument("--jobs", type=int, default=1, help="并行进程数")
    p.add_argument("--truth", default=None, help="把原因真值（每个原因的条数）写到这个 JSON 文件（放在语料文件夹之外）")
    a = p.parse_args(argv)
    config = SynthConfig(seed=a.seed)
    paths = write_corpus(a.out, a.forms, a.format, config=config, forms_per_file=a.per_file, jobs=a.jobs)
    if a.truth:
        Path(a.truth).write_text(
            json.dumps(truth(a.forms, config), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    print(f"已生成 {a.forms} 张自评表，{len(paths)} 个文件：{a.out}")


if __name__ == "__main__":
    main()
