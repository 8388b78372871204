"""plan.docx: the draft improvement plan in the usual official layout.

Title (小标宋 二号, centred), numbered sections 一、二、三… (黑体), subsections （一）（二）… (楷体),
items 1. 2. … and body text in 仿宋 三号 with a two-character first-line indent. Core properties
and zip entry times are fixed so that the same input gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from .safe import FIXED_TIME, normalise_zip
from .tables import fmt, summary

if TYPE_CHECKING:
    from ..advise_plan import Plan
    from ..analyze import AnalysisResult

_DIGITS = "零一二三四五六七八九"
BODY_FONT, TITLE_FONT, H1_FONT, H2_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"
BODY_PT, TITLE_PT, TABLE_PT = 16, 22, 10.5


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (section numbers up to 99)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _run(p: Paragraph, text: str, font: str, size: float, bold: bool = False) -> None:
    run = p.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


class _Doc:
    def __init__(self) -> None:
        self.doc: DocumentObject = Document()
        props = self.doc.core_properties
        props.title = "绩效改进计划（草案）"
        props.author = "reason-miner"
        props.last_modified_by = "reason-miner"
        props.created = props.modified = props.last_printed = FIXED_TIME
        props.revision = 1
        self.h1 = 0
        self.h2 = 0

    def para(self, text: str, *, font: str = BODY_FONT, size: float = BODY_PT, bold: bool = False,
             indent: bool = True, align: WD_ALIGN_PARAGRAPH | None = None) -> Paragraph:
        p = self.doc.add_paragraph()
        fmt_ = p.paragraph_format
        fmt_.line_spacing = Pt(28)
        fmt_.space_after = Pt(0)
        if indent:
            fmt_.first_line_indent = Pt(size * 2)
        if align is not None:
            p.alignment = align
        _run(p, text, font, size, bold)
        return p

    def title(self, text: str) -> None:
        self.para(text, font=TITLE_FONT, size=TITLE_PT, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)

    def section(self, text: str) -> None:
        self.h1 += 1
        self.h2 = 0
        self.para(f"{chinese_number(self.h1)}、{text}", font=H1_FONT)

    def subsection(self, text: str) -> None:
        self.h2 += 1
        self.para(f"（{chinese_number(self.h2)}）{text}", font=H2_FONT)

    def items(self, n: int, heading: str, items: list[str]) -> None:
        self.para(f"{n}.{heading}", bold=True)
        if not items:
            self.para("（无）")
        for k, text in enumerate(items, 1):
            self.para(f"（{k}）{text}" if len(items) > 1 else text)

    def table(self, headers: list[str], rows: list[list[str]]) -> None:
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, h in zip(table.rows[0].cells, headers, strict=True):
            _run(cell.paragraphs[0], h, H1_FONT, TABLE_PT)
        for row in rows:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                _run(cell.paragraphs[0], value, BODY_FONT, TABLE_PT)

    def save(self, path: Path) -> None:
        self.doc.save(str(path))
        normalise_zip(path)


def _plan(d: _Doc, p: Plan) -> None:
    d.subsection(p.title)
    d.items(1, "问题表现", p.problems)
    d.items(2, "原因分析", p.analysis)
    d.items(3, "改进措施", [*p.own_measures, *p.standard_measures])
    d.items(4, "责任单位", ["、".join(p.responsible)])
    d.items(5, "完成时限", [p.deadline or "＿＿＿＿年＿＿月＿＿日前（由责任单位填写）"])
    d.items(6, "应改善的指标", p.indicators)


def _overview(r: AnalysisResult) -> str:
    s = dict(summary(r))
    return (
        f"本次共读取{s['读取文件数']}个文件中的{s['自评表数']}张项目支出绩效自评表（{s['年度']}年度），"
        f"共{s['指标数']}项绩效指标，其中{s['扣分指标数']}项扣分，扣分合计{fmt(s['扣分合计（分）'])}分。"
        f"填写偏差原因的指标{s['填写偏差原因的指标数']}项，其中{s['原因分析不充分（只写措施）']}项只写改进措施、未说明具体原因。"
        f"归纳出{s['原因类别数']}类偏差原因，其中系统性问题{s['系统性问题数']}个；"
        f"校验发现错误{s['校验问题：错误']}项、警告{s['校验问题：警告']}项、提示{s['校验问题：提示']}项。"
    )


def build_docx(r: AnalysisResult) -> _Doc:
    d = _Doc()
    d.title("绩效改进计划（草案）")
    d.para("——基于项目支出绩效自评表偏差原因分析", font=H2_FONT, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    d.section("总体情况")
    d.para(_overview(r))
    d.section("系统性问题及改进计划")
    cause_plans = [p for p in r.plans if p.scope == "cause"]
    if not cause_plans:
        d.para("未发现在两个及以上单位或项目中重复出现的原因。")
    for p in cause_plans:
        _plan(d, p)
    d.section("各单位改进计划")
    for p in r.plans:
        if p.scope == "unit":
            _plan(d, p)
    d.section("下年度绩效目标调整建议")
    changed = [t for t in r.targets if set(t.actions) - {"keep", "quantify"}]
    quantify = sum(1 for t in r.targets if "quantify" in t.actions)
    d.para(f"共{len(r.targets)}项指标，以下{len(changed)}项建议调整目标值或方向；另有{quantify}项定性指标建议量化"
           "（完整可编辑的建议表见 report.xlsx “下年度目标建议”工作表）。建议仅供参考，由单位结合实际决定。")
    if changed:
        d.table(
            ["项目", "指标", "本年度指标值", "实际完成值", "建议", "理由"],
            [[t.project or "", t.indicator, t.target, t.actual, t.suggestion, t.reason] for t in changed],
        )
    d.section("需关注的校验问题")
    notable = [f for f in r.findings if f.severity != "info" or f.rule == "budget_cut"]
    if not notable:
        d.para("未发现需关注的校验问题。")
    for n, f in enumerate(notable, 1):
        where = f"「{f.project or '未命名项目'}」" + (f"{f.indicator}：" if f.indicator else "：")
        d.para(f"{n}.{where}{f.message}（来源：{f.source.describe()}）")
    d.section("说明")
    d.para("本计划由 reason-miner 依据自评表文本自动起草，问题表现均注明来源文件及行号，可逐条核对；"
           "改进措施包括单位自述措施（已去重）和同类原因的标准措施，请责任单位结合实际修改，并填写完成时限。")
    return d


def write_docx(result: AnalysisResult, path: Path) -> None:
    build_docx(result).save(path)
