"""Round trip: the three sample forms, written from the parsed model in every other format, read
back as the same model (sources aside), with meaningful sources for each format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from writers import WRITERS, write_text, write_xlsx

from reason_miner import LoadResult, load
from reason_miner.readers import read_file


def _without_source(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_source(v) for k, v in data.items() if k != "source"}
    if isinstance(data, list):
        return [_without_source(v) for v in data]
    return data


@pytest.fixture(scope="module")
def written(sample: LoadResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    return {ext: writer(sample.forms, folder / f"forms.{ext}") for ext, writer in WRITERS.items()}


@pytest.fixture(scope="module")
def loaded(written: dict[str, Path]) -> dict[str, LoadResult]:
    return {ext: load([path]) for ext, path in written.items()}


@pytest.mark.parametrize("ext", sorted(WRITERS))
def test_round_trip_same_model(ext: str, sample: LoadResult, loaded: dict[str, LoadResult]) -> None:
    result = loaded[ext]
    assert [e.describe() for e in result.errors] == []
    assert len(result.forms) == 3
    for want, got in zip(sample.forms, result.forms, strict=True):
        assert _without_source(got.to_dict()) == _without_source(want.to_dict())
    assert [f.points_lost for f in result.forms] == [3.5, 4.0, 6.0]


def test_xlsx_one_sheet_per_form_hidden_sheet_skipped(loaded: dict[str, LoadResult], written: dict[str, Path]) -> None:
    import openpyxl

    forms = loaded["xlsx"].forms
    assert [f.source.sheet for f in forms] == ["1-党群综合服务", "2-文体事务管理", "3-社区自治管理"]
    ind = next(i for i in forms[0].indicators if i.name == "22个居民区党组织服务群众工作活动成本")
    assert (ind.source.sheet, ind.source.line) == ("1-党群综合服务", 15)  # row 15 of the sheet
    ws = openpyxl.load_workbook(written["xlsx"])["1-党群综合服务"]
    # 总分 is a formula in the file; the reader took its cached value; 执行率 is stored as a fraction
    assert str(ws["G44"].value).startswith("=") and forms[0].total.score == 96.5
    assert ws["G6"].value == 1 and ws["G6"].number_format == "0.00%" and forms[0].funds.rate == 100.0
    assert any(str(r) == "A13:A17" for r in ws.merged_cells.ranges)  # level-1 merged vertically


def test_xls_forms_stacked_on_one_sheet(loaded: dict[str, LoadResult]) -> None:
    forms = loaded["xls"].forms
    assert {f.source.sheet for f in forms} == {"自评表"}
    assert [f.source.line for f in forms] == [1, 47, 86]


def test_pdf_table_continues_across_pages(loaded: dict[str, LoadResult]) -> None:
    forms = loaded["pdf"].forms
    assert [f.source.page for f in forms] == [1, 3, 5]
    for f in forms:  # every form's indicator table starts on one page and ends on the next
        pages = [i.source.page or 0 for i in f.indicators]
        assert pages == sorted(pages) and pages[0] + 1 == pages[-1]
    assert all(i.source.line for f in forms for i in f.indicators)


def test_docx_and_html_locations(loaded: dict[str, LoadResult]) -> None:
    for ext in ("docx", "html"):
        lines = [i.source.line or 0 for f in loaded[ext].forms for i in f.indicators]
        assert all(lines) and lines == sorted(lines) and len(set(lines)) == len(lines)
    assert loaded["html"].forms[0].source.line is not None


def test_text_form_feeds_start_pages_and_lines_are_an_editors(loaded: dict[str, LoadResult], written: dict[str, Path]) -> None:
    """pdftotext's form feed starts a page; line numbers count line ends only, so each row's
    location points at the line an editor shows (a form feed or \\u2028 inside is no line end)."""
    forms = loaded["txt"].forms
    assert [f.source.page for f in forms] == [1, 2, 3]
    lines = written["txt"].read_bytes().decode("gb18030").split("\n")
    for ind in (i for f in forms for i in f.indicators):
        assert ind.name in lines[ind.source.line - 1].replace("\f", "")
    odd = written["txt"].with_name("odd_breaks.txt")
    odd.write_text(written["txt"].read_text(encoding="gb18030").replace("项目名称", "项目\u2028名称", 1), encoding="utf-8")
    moved = load([odd]).forms
    assert [i.source.line for i in moved[-1].indicators] == [i.source.line for i in forms[-1].indicators]


def test_gb18030_text_is_not_utf8(written: dict[str, Path]) -> None:
    data = written["txt"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_flat_exports_one_form_per_project(loaded: dict[str, LoadResult]) -> None:
    for ext in ("csv", "flat.xlsx"):
        forms = loaded[ext].forms
        assert [f.source.line for f in forms] == [2, 33, 57]
        assert [len(f.indicators) for f in forms] == [31, 24, 13]


def test_xls_suffix_holding_html_or_xlsx(sample: LoadResult, written: dict[str, Path], tmp_path: Path) -> None:
    """Budget systems often save an HTML table, tab-separated text or an .xlsx workbook under an .xls name."""
    html_as_xls = tmp_path / "网页导出.xls"
    html_as_xls.write_bytes(written["html"].read_bytes())
    xlsx_as_xls = write_xlsx(sample.forms, tmp_path / "新版导出.xls")
    text_as_xls = write_text(sample.forms, tmp_path / "文本导出.xls")
    for path in (html_as_xls, xlsx_as_xls, text_as_xls):
        result = load([path])
        assert not result.errors and [len(f.indicators) for f in result.forms] == [31, 24, 13]


def test_merged_cells_expanded_by_readers(written: dict[str, Path]) -> None:
    """Every covered cell carries the merged value, in every format that merges cells."""
    for ext in ("xlsx", "xls", "docx", "html", "pdf"):
        grid = read_file(written[ext])[0]
        project_row = next(r for r in grid.rows if r.cells[0] == "项目名称")
        assert project_row.cells == ["项目名称", "项目名称"] + ["党群综合服务"] * 6, ext


def test_gbk_html_and_csv(sample: LoadResult, written: dict[str, Path], tmp_path: Path) -> None:
    """Pages declaring GB2312 and flat exports saved as GBK by Excel read the same."""
    from writers import write_flat_csv

    page = written["html"].read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gb2312"')
    html_gbk = tmp_path / "gbk.html"
    html_gbk.write_bytes(page.encode("gbk"))
    csv_gbk = write_flat_csv(sample.forms, tmp_path / "gbk.csv", encoding="gbk")
    for path in (html_gbk, csv_gbk):
        result = load([path])
        assert not result.errors
        assert [_without_source(f.to_dict()) for f in result.forms] == [
            _without_source(f.to_dict()) for f in sample.forms
        ]


def test_html_form_inside_layout_table(sample: LoadResult, written: dict[str, Path], tmp_path: Path) -> None:
    """Old government pages put the whole page in a layout table; the form table sits in its cell."""
    page = written["html"].read_text(encoding="utf-8")
    body = page[page.index("<body>") + 6 : page.index("</body>")]
    wrapped = tmp_path / "layout.htm"
    wrapped.write_text(
        f'<html><body><table width="100%"><tr><td>首页 &gt; 绩效公开</td></tr><tr><td>{body}</td></tr></table></body></html>',
        encoding="utf-8",
    )
    result = load([wrapped])
    assert [_without_source(f.to_dict()) for f in result.forms] == [_without_source(f.to_dict()) for f in sample.forms]
    assert [(e.line, e.kind) for e in result.errors] == [(1, "row")]  # the breadcrumb line is reported


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [(698, "0.00", "698.00"), (1, "0.00%", "100.00%"), (0.955, "0%", "95.5%"), (504.924, "0.00", "504.924"),
     (6881.38, "#,##0.00", "6881.38"), (3.0, "General", "3"), (2.5, None, "2.5")],
)
def test_spreadsheet_numbers_shown_as_formatted_never_rounded(value: float, number_format: str | None, text: str) -> None:
    from reason_miner.readers.layout import format_number

    assert format_number(value, number_format) == text
