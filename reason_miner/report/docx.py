"""plan.docx: the draft improvement plan in the usual official layout.

Title (小标宋 二号, centred), numbered sections 一、二、三… (黑体), subsections （一）（二）… (楷体),
items 1. 2. … and body text in 仿宋 三号 with a two-character first-line indent. Core properties
and zip entry times are fixed so that the same input gives the same bytes.

A document for people: the systemic causes' plans are all shown, but per-unit plans, long evidence
lists and long tables stop at `tables.LIMITS` with a line saying how many more there are and that
report.xlsx / findings.json have them all. Paragraphs are put straight before the body's sectPr
(python-docx's add_paragraph searches the whole body each time, which made writing quadratic).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from copy import deepcopy
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .safe import FIXED_TIME, normalise_zip
from .tables import LIMITS, Limits, capped_join, fmt, full_where, head, more_note, summary

if TYPE_CHECKING:
    from ..advise_plan import Plan
    from ..analyze import AnalysisResult

_DIGITS = "零一二三四五六七八九"
_PLACES = "千百十"
BODY_FONT, TITLE_FONT, H1_FONT, H2_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"
BODY_PT, TITLE_PT, TABLE_PT = 16, 22, 10.5
_R, _T = qn("w:r"), qn("w:t")


def _below_10k(n: int, leading: bool) -> str:
    """1…9999 as read aloud: 一千零一, 一百一十; a leading 10…19 is 十…, not 一十…."""
    if leading and 10 <= n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    out, zero = [], False
    for place, unit in zip((1000, 100, 10), _PLACES, strict=True):
        digit, n = divmod(n, place)
        if digit:
            out.append(("零" if zero else "") + _DIGITS[digit] + unit)
            zero = False
        elif out:
            zero = True
    if n:
        out.append(("零" if zero else "") + _DIGITS[n])
    return "".join(out)


def _positive(n: int, leading: bool) -> str:
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            hi, lo = divmod(n, size)
            rest = ("零" if lo < size // 10 else "") + _positive(lo, False) if lo else ""
            return _positive(hi, leading) + unit + rest
    return _below_10k(n, leading)


def chinese_number(n: int) -> str:
    """Any integer in Chinese numerals: 1 → 一, 10 → 十, 12 → 十二, 105 → 一百零五, 110 → 一百一十,
    10001 → 一万零一 (section and subsection numbers of any count)."""
    if n < 0:
        return "负" + chinese_number(-n)
    return _positive(n, True) if n else _DIGITS[0]


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # cannot be stored in XML at all


def _run(p: Paragraph, text: str, font: str, size: float, bold: bool = False) -> None:
    run = p.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _fill(t: BaseOxmlElement, text: str | None) -> None:
    """Put `text` into a template's <w:t>, as python-docx's Run.text would (tabs and line breaks
    become <w:tab>/<w:br> through it; plain text directly, which is much faster)."""
    text = _NOT_XML.sub("", text or "")
    if "\t" in text or "\n" in text or "\r" in text:
        r = t.getparent()
        Run(r, None).text = text  # type: ignore[arg-type]
        return
    t.text = text
    if len(text.strip()) < len(text):
        t.set(qn("xml:space"), "preserve")


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
        # Paragraphs go straight before the body's sectPr and are copies of one formatted template
        # per style: python-docx's add_paragraph and property setters search the body and the
        # element's children each time, which made long documents quadratic and slow.
        self._end = self.doc.element.body.sectPr
        self._templates: dict[tuple[str, float, bool, bool, WD_ALIGN_PARAGRAPH | None], BaseOxmlElement] = {}

    def _template(self, font: str, size: float, bold: bool, indent: bool,
                  align: WD_ALIGN_PARAGRAPH | None) -> BaseOxmlElement:
        key = (font, size, bold, indent, align)
        if key not in self._templates:
            p = Paragraph(OxmlElement("w:p"), self.doc._body)
            fmt_ = p.paragraph_format
            fmt_.line_spacing = Pt(28)
            fmt_.space_after = Pt(0)
            if indent:
                fmt_.first_line_indent = Pt(size * 2)
            if align is not None:
                p.alignment = align
            _run(p, "x", font, size, bold)
            self._templates[key] = p._p
        return self._templates[key]

    def para(self, text: str, *, font: str = BODY_FONT, size: float = BODY_PT, bold: bool = False,
             indent: bool = True, align: WD_ALIGN_PARAGRAPH | None = None) -> None:
        element = deepcopy(self._template(font, size, bold, indent, align))
        _fill(element.find(f"{_R}/{_T}"), text)
        if self._end is not None:
            self._end.addprevious(element)
        else:  # a template without section properties
            self.doc.element.body.append(element)

    def title(self, text: str) -> None:
        self.para(text, font=TITLE_FONT, size=TITLE_PT, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)

    def section(self, text: str) -> None:
        self.h1 += 1
        self.h2 = 0
        self.para(f"{chinese_number(self.h1)}、{text}", font=H1_FONT)

    def subsection(self, text: str) -> None:
        self.h2 += 1
        self.para(f"（{chinese_number(self.h2)}）{text}", font=H2_FONT)

    def items(self, n: int, heading: str, items: Sequence[str], limit: int) -> None:
        self.para(f"{n}.{heading}", bold=True)
        if not items:
            self.para("（无）")
        shown, hidden = head(items, limit)
        for k, text in enumerate(shown, 1):
            self.para(f"（{k}）{text}" if len(items) > 1 else text)
        if hidden:
            self.para(more_note(hidden, "条"))

    def table(self, headers: list[str], rows: list[list[str]]) -> None:
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, h in zip(table.rows[0].cells, headers, strict=True):
            _run(cell.paragraphs[0], h, H1_FONT, TABLE_PT)
        if not rows:
            return
        for cell in table.add_row().cells:
            _run(cell.paragraphs[0], "x", BODY_FONT, TABLE_PT)
        template = table._tbl.tr_lst[-1]
        table._tbl.remove(template)
        for row in rows:
            tr = deepcopy(template)
            for t, value in zip(tr.iter(_T), row, strict=True):
                _fill(t, value)
            table._tbl.append(tr)

    def save(self, path: Path) -> None:
        self.doc.save(str(path))
        normalise_zip(path)


def _plan(d: _Doc, p: Plan, lim: Limits) -> None:
    d.subsection(p.title)
    d.items(1, "问题表现", p.problems, lim.items)
    d.items(2, "原因分析", p.analysis, lim.items)
    d.items(3, "改进措施", [*p.own_measures, *p.standard_measures], lim.items)
    d.items(4, "责任单位", [capped_join(p.responsible, lim.items, "个单位")], lim.items)
    d.items(5, "完成时限", [p.deadline or "＿＿＿＿年＿＿月＿＿日前（由责任单位填写）"], lim.items)
    d.items(6, "应改善的指标", p.indicators, lim.items)


def _overview(r: AnalysisResult) -> str:
    s = dict(summary(r))
    return (
        f"本次共读取{s['读取文件数']}个文件中的{s['自评表数']}张项目支出绩效自评表（{s['年度']}年度），"
        f"共{s['指标数']}项绩效指标，其中{s['扣分指标数']}项扣分，扣分合计{fmt(s['扣分合计（分）'])}分。"
        f"填写偏差原因的指标{s['填写偏差原因的指标数']}项，其中{s['原因分析不充分（只写措施）']}项只写改进措施、未说明具体原因。"
        f"归纳出{s['原因类别数']}类偏差原因，其中系统性问题{s['系统性问题数']}个；"
        f"校验发现错误{s['校验问题：错误']}项、警告{s['校验问题：警告']}项、提示{s['校验问题：提示']}项。"
    )


def build_docx(r: AnalysisResult, lim: Limits = LIMITS) -> _Doc:
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
        _plan(d, p, lim)
    d.section("各单位改进计划")
    unit_plans, hidden = head([p for p in r.plans if p.scope == "unit"], lim.unit_plans)
    for p in unit_plans:
        _plan(d, p, lim)
    if hidden:
        d.para(more_note(hidden, "个单位的改进计划", full_where("改进计划", len(r.plans), lim)))
    d.section("下年度绩效目标调整建议")
    # chosen by their action codes: only the suggestions shown are built
    actions = list(r.targets.changed.actions())
    adjust = [n for n, codes in enumerate(actions) if set(codes) - {"quantify"}]
    quantify = sum(1 for codes in actions if "quantify" in codes)
    d.para(f"共{len(r.targets)}项指标，以下{len(adjust)}项建议调整目标值或方向；另有{quantify}项定性指标建议量化"
           f"（完整可编辑的建议表见 {full_where('下年度目标建议', len(r.targets), lim)}）。"
           "建议仅供参考，由单位结合实际决定。")
    picked, hidden = head(adjust, lim.rows)
    shown = [r.targets.changed[n] for n in picked]
    if shown:
        d.table(
            ["项目", "指标", "本年度指标值", "实际完成值", "建议", "理由"],
            [[t.project or "", t.indicator, t.target, t.actual, t.suggestion, t.reason] for t in shown],
        )
    if hidden:
        d.para(more_note(hidden, "项调整建议", full_where("下年度目标建议", len(r.targets), lim)))
    d.section("需关注的校验问题")
    notable = [f for f in r.findings if f.severity != "info" or f.rule == "budget_cut"]
    if not notable:
        d.para("未发现需关注的校验问题。")
    shown_findings, hidden = head(notable, lim.rows)
    for n, f in enumerate(shown_findings, 1):
        where = f"「{f.project or '未命名项目'}」" + (f"{f.indicator}：" if f.indicator else "：")
        d.para(f"{n}.{where}{f.message}（来源：{f.source.describe()}）")
    if hidden:
        d.para(more_note(hidden, "个校验问题", full_where("校验问题", len(r.findings) + len(r.errors), lim)))
    d.section("说明")
    d.para("本计划由 reason-miner 依据自评表文本自动起草，问题表现均注明来源文件及行号，可逐条核对；"
           "改进措施包括单位自述措施（已去重）和同类原因的标准措施，请责任单位结合实际修改，并填写完成时限。")
    return d


def write_docx(result: AnalysisResult, path: Path, limits: Limits = LIMITS) -> None:
    build_docx(result, limits).save(path)
