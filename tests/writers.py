"""Test helper: write parsed forms back out in every supported format, laid out like real exports.

Every writer renders the same `Layout` (8 columns, merged ranges) built from the model, so the
files differ only in how each format expresses cells and merges: xlsx (merged ranges, numbers
with formats, a formula with its cached value, one sheet per form plus a hidden sheet), xls
(all forms one after another on one sheet), docx and html (title lines outside the table,
merged table cells), PDF (a CJK font, ruled table continuing across pages), a GB18030 text dump
(merged cells as empty cells, as pdftotext gives them) and a flat CSV export (one row per indicator).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reason_miner.model import Form

Cell = str | float
TITLE = "财政项目支出绩效自评表"
INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
FUNDS_HEADER = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率(%)", "得分"]
WIDTH = 8


class Rate(float):
    """The 执行率 cell: a percentage (spreadsheets store it as a fraction with a % format)."""


@dataclass
class Layout:
    rows: list[list[Cell]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, r1, c0, c1 inclusive
    title_rows: int = 2  # the title and the year line, written outside the table where a format can
    funds_total_row: int = 0
    first_indicator_row: int = 0
    total_row: int = 0

    def add(self, cells: Sequence[Cell], spans: Sequence[tuple[int, int]] = ()) -> int:
        """Add a row of WIDTH cells; spans are (first_col, last_col) merged within this row."""
        r = len(self.rows)
        row = list(cells) + [""] * (WIDTH - len(cells))
        self.rows.append(row)
        self.merges.extend((r, r, c0, c1) for c0, c1 in spans)
        return r

    def insert(self, at: int, cells: Sequence[Cell]) -> None:
        """Insert a row before row `at`; merges below move down, merges across it grow."""
        self.rows.insert(at, list(cells) + [""] * (WIDTH - len(cells)))
        self.merges = [
            (r0 + (r0 >= at), r1 + (r1 >= at), c0, c1) for r0, r1, c0, c1 in self.merges
        ]
        for name in ("funds_total_row", "first_indicator_row", "total_row"):
            if getattr(self, name) >= at:
                setattr(self, name, getattr(self, name) + 1)

    def covered(self) -> set[tuple[int, int]]:
        """Cells hidden under a merge (all but each range's top-left cell)."""
        out: set[tuple[int, int]] = set()
        for r0, r1, c0, c1 in self.merges:
            out.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0))
        return out


def _num(v: float | None) -> Cell:
    return "-" if v is None else v


def text_of(cell: Cell) -> str:
    """A cell as a person sees it printed: numbers with two decimals."""
    if isinstance(cell, float):
        return f"{cell:.2f}"
    return cell


def form_layout(form: Form) -> Layout:
    lay = Layout()
    f = form.funds
    lay.add([TITLE], [(0, 7)])
    lay.add([f"({form.year} 年度)"], [(0, 7)])
    lay.add(["项目名称", "", form.project or ""], [(0, 1), (2, 7)])
    lay.add(["主管部门", "", form.department or "", "", "实施单位", "", form.unit or ""], [(0, 1), (2, 3), (4, 5), (6, 7)])
    funds_top = lay.add(["项目资金(万元)", "", *FUNDS_HEADER])
    rate = Rate(f.rate) if f.rate is not None else "-"
    lay.funds_total_row = lay.add(
        ["", "年度资金总额:", _num(f.initial), _num(f.adjusted), _num(f.executed), _num(f.weight), rate, _num(f.score)]
    )
    lay.add(["", "其中:当年财政拨款", _num(f.initial), _num(f.adjusted), _num(f.executed), "-", rate, "-"])
    lay.add(["", "上年结转资金", 0.0, 0.0, 0.0, "-", Rate(0.0), "-"])
    last = lay.add(["", "其他资金", 0.0, 0.0, 0.0, "-", Rate(0.0), "-"])
    lay.merges.append((funds_top, last, 0, 0))
    goals_top = lay.add(["年度总体目标", "预期目标", "", "", "实际完成情况"], [(1, 3), (4, 7)])
    r = lay.add(["", form.goals.expected or "", "", "", form.goals.achieved or ""], [(1, 3), (4, 7)])
    lay.merges.append((goals_top, r, 0, 0))
    lay.add(INDICATOR_HEADER)
    lay.first_indicator_row = len(lay.rows)
    for ind in form.indicators:
        lay.add([
            ind.level1 or "", ind.level2 or "", ind.name, ind.target.raw, ind.actual.raw,
            _num(ind.weight), _num(ind.score), ind.reason or "",
        ])
    # level-1 and level-2 cells merged vertically over their runs, as budget systems print them
    for col in (0, 1):
        start = lay.first_indicator_row
        for i in range(lay.first_indicator_row + 1, len(lay.rows) + 1):
            same = i < len(lay.rows) and lay.rows[i][: col + 1] == lay.rows[start][: col + 1]
            if not same:
                if i - 1 > start:
                    lay.merges.append((start, i - 1, col, col))
                start = i
    lay.total_row = lay.add(["总分", "", "", "", "", _num(form.total.weight), _num(form.total.score)], [(0, 4)])
    lay.add(["评分等级", "", form.grade or ""], [(0, 1), (2, 7)])
    return lay


# ---- spreadsheets ------------------------------------------------------------------------------
def write_xlsx(
    forms: Sequence[Form],
    path: Path,
    edit: Callable[[Layout], None] | None = None,
    notes: Sequence[str] = (),
) -> Path:
    """One sheet per form, cells merged as in budget-system exports, plus a hidden helper sheet.
    `edit` may change each form's layout first (bad-input tests insert rows); `notes` adds a
    visible 填报说明 sheet with these lines."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    fmt_num = wb.add_format({"num_format": "0.00", "border": 1})
    fmt_pct = wb.add_format({"num_format": "0.00%", "border": 1})
    fmt_txt = wb.add_format({"text_wrap": True, "border": 1})
    for n, form in enumerate(forms, start=1):
        ws = wb.add_worksheet(f"{n}-{form.project}"[:31])
        lay = form_layout(form)
        if edit is not None:
            edit(lay)
        covered = lay.covered()

        def put(r: int, c: int, cell: Cell, ws=ws) -> None:  # type: ignore[no-untyped-def]
            if isinstance(cell, Rate):
                ws.write_number(r, c, cell / 100, fmt_pct)
            elif isinstance(cell, float):
                ws.write_number(r, c, cell, fmt_num)
            else:
                ws.write_string(r, c, cell, fmt_txt)

        for r0, r1, c0, c1 in lay.merges:
            ws.merge_range(r0, c0, r1, c1, "", fmt_txt)
        for r, row in enumerate(lay.rows):
            for c, cell in enumerate(row):
                if (r, c) not in covered:
                    put(r, c, cell)
        # 总分 as Excel computes it, with the cached value a saved workbook carries
        first, last = lay.first_indicator_row + 1, lay.total_row
        ws.write_formula(
            lay.total_row, 6, f"=H{lay.funds_total_row + 1}+SUM(G{first}:G{last})", fmt_num, form.total.score
        )
    if notes:
        sheet = wb.add_worksheet("填报说明")
        for r, line in enumerate(notes):
            sheet.write_string(r, 0, line)
    hidden = wb.add_worksheet("参数")
    hidden.write_string(0, 0, "内部参数，请勿修改")
    hidden.hide()
    wb.close()
    return path


def write_xls(forms: Sequence[Form], path: Path) -> Path:
    """All forms one after another on one sheet, a blank row between them."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("自评表")
    num = xlwt.easyxf(num_format_str="0.00")
    pct = xlwt.easyxf(num_format_str="0.00%")
    offset = 0
    for form in forms:
        lay = form_layout(form)
        covered = lay.covered()
        starts = {(r0, c0): (r1, c1) for r0, r1, c0, c1 in lay.merges}
        for r, row in enumerate(lay.rows):
            for c, cell in enumerate(row):
                if (r, c) in covered:
                    continue
                style = pct if isinstance(cell, Rate) else num if isinstance(cell, float) else xlwt.Style.default_style
                value = cell / 100 if isinstance(cell, Rate) else cell
                if (r, c) in starts:
                    r1, c1 = starts[(r, c)]
                    ws.write_merge(offset + r, offset + r1, c, c1, value, style)
                else:
                    ws.write(offset + r, c, value, style)
        offset += len(lay.rows) + 1
    book.save(str(path))
    return path


# ---- documents ---------------------------------------------------------------------------------
def write_docx(forms: Sequence[Form], path: Path) -> Path:
    """Title and year as paragraphs, then one table with merged cells; a page break between forms."""
    import docx

    document = docx.Document()
    for n, form in enumerate(forms):
        if n:
            document.add_page_break()
        lay = form_layout(form)
        document.add_heading(text_of(lay.rows[0][0]), level=1)
        document.add_paragraph(text_of(lay.rows[1][0]))
        body = lay.rows[lay.title_rows :]
        table = document.add_table(rows=len(body), cols=WIDTH)
        table.style = "Table Grid"
        off = lay.title_rows
        # table.cell() rebuilds the whole cell list on every call: take the list once before merging
        # (merges do not overlap, so no cell used below is removed by an earlier merge) and once after
        before = table._cells
        for r0, r1, c0, c1 in lay.merges:
            if r0 >= off:
                before[(r0 - off) * WIDTH + c0].merge(before[(r1 - off) * WIDTH + c1])
        covered = lay.covered()
        cells = table._cells
        for r, row in enumerate(body):
            for c, cell in enumerate(row):
                if (r + off, c) not in covered:
                    cells[r * WIDTH + c].text = text_of(cell)
    document.save(str(path))
    return path


def write_html(forms: Sequence[Form], path: Path) -> Path:
    """A page as web-based budget systems publish it: headings, then a table with row/colspans."""
    from html import escape

    out = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8"><title>自评表</title></head><body>']
    for form in forms:
        lay = form_layout(form)
        covered = lay.covered()
        starts = {(r0, c0): (r1, c1) for r0, r1, c0, c1 in lay.merges}
        out.append(f"<h2>{escape(text_of(lay.rows[0][0]))}</h2>")
        out.append(f'<p class="year">{escape(text_of(lay.rows[1][0]))}</p>')
        out.append('<table border="1">')
        for r in range(lay.title_rows, len(lay.rows)):
            tds = []
            for c, cell in enumerate(lay.rows[r]):
                if (r, c) in covered:
                    continue
                r1, c1 = starts.get((r, c), (r, c))
                attrs = (f' rowspan="{r1 - r + 1}"' if r1 > r else "") + (f' colspan="{c1 - c + 1}"' if c1 > c else "")
                tds.append(f"<td{attrs}>{escape(text_of(cell))}</td>")
            out.append("<tr>" + "".join(tds) + "</tr>")
        out.append("</table>")
    out.append("</body></html>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def write_pdf(forms: Sequence[Form], path: Path, scanned_page: bool = False) -> Path:
    """A ruled table in a CJK CID font (STSong-Light, no embedding needed), continuing across pages.
    `scanned_page` appends a page holding only an image, like a scanned signature page."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("cell", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=20, alignment=1)
    center = ParagraphStyle("center", parent=body, fontSize=10, leading=14, alignment=1)
    widths = [52, 60, 170, 120, 120, 36, 36, 168]
    story: list[object] = []
    for n, form in enumerate(forms):
        if n:
            story.append(PageBreak())
        lay = form_layout(form)
        story.append(Paragraph(text_of(lay.rows[0][0]), title))
        story.append(Paragraph(text_of(lay.rows[1][0]), center))
        off = lay.title_rows
        data = [[Paragraph(_xml(text_of(c)), body) for c in row] for row in lay.rows[off:]]
        style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        style += [("SPAN", (c0, r0 - off), (c1, r1 - off)) for r0, r1, c0, c1 in lay.merges if r0 >= off]
        table = Table(data, colWidths=widths)
        table.setStyle(TableStyle(style))
        story.append(table)
    if scanned_page:
        from io import BytesIO

        from PIL import Image as PILImage
        from reportlab.platypus import Image

        png = BytesIO()
        PILImage.new("RGB", (80, 60), "white").save(png, format="PNG")
        story += [PageBreak(), Image(png, width=400, height=300)]
    doc = SimpleDocTemplate(
        str(path), pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm, topMargin=12 * mm, bottomMargin=12 * mm
    )
    doc.build(story)
    return path


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---- text and flat exports ---------------------------------------------------------------------
def write_text(forms: Sequence[Form], path: Path, encoding: str = "gb18030") -> Path:
    """A tab-separated dump like pdftotext gives: merged cells empty, a form feed between forms."""
    lines: list[str] = []
    for n, form in enumerate(forms):
        lay = form_layout(form)
        covered = lay.covered()
        if n:
            lines.append("\f")
        for r, row in enumerate(lay.rows):
            lines.append("\t".join("" if (r, c) in covered else text_of(cell) for c, cell in enumerate(row)).rstrip("\t"))
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


FLAT_HEADER = [
    "年度", "项目名称", "主管部门", "实施单位", "年初预算数", "全年预算数", "全年执行数", "资金分值", "执行率",
    "资金得分", "预期目标", "实际完成情况", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
    "分值", "得分", "偏差原因分析及改进措施", "总分值", "总分", "评分等级",
]


def flat_rows(forms: Sequence[Form]) -> list[list[str]]:
    """A whole year's indicators one row each, form fields repeated, as flat exports list them."""
    rows = [FLAT_HEADER]
    for form in forms:
        f = form.funds
        head = [
            str(form.year or ""), form.project or "", form.department or "", form.unit or "",
            *(text_of(_num(v)) for v in (f.initial, f.adjusted, f.executed, f.weight, f.rate, f.score)),
            form.goals.expected or "", form.goals.achieved or "",
        ]
        tail = [text_of(_num(form.total.weight)), text_of(_num(form.total.score)), form.grade or ""]
        for i in form.indicators:
            rows.append([
                *head, i.level1 or "", i.level2 or "", i.name, i.target.raw, i.actual.raw,
                text_of(_num(i.weight)), text_of(_num(i.score)), i.reason or "", *tail,
            ])
    return rows


def write_flat_csv(forms: Sequence[Form], path: Path, encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(flat_rows(forms))
    return path


def write_flat_xlsx(forms: Sequence[Form], path: Path) -> Path:
    """The flat export as a workbook: numbers stored as numbers, the year as an integer."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("绩效指标")
    for r, row in enumerate(flat_rows(forms)):
        for c, text in enumerate(row):
            number = None if r == 0 else _float(text)
            if number is None:
                ws.write_string(r, c, text)
            else:
                ws.write_number(r, c, number)
    wb.close()
    return path


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


WRITERS = {
    "xlsx": write_xlsx,
    "xls": write_xls,
    "docx": write_docx,
    "html": write_html,
    "pdf": write_pdf,
    "txt": write_text,
    "csv": write_flat_csv,
    "flat.xlsx": write_flat_xlsx,
}
