"""The five report files: structure, agreement of numbers, determinism, safety, and the HTML in a
real headless browser (Debian's chromium; skipped with a reason when it is not installed)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import weakref
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from docx import Document
from test_link import hand_causes

from reason_miner import LoadResult, load, synth
from reason_miner.analyze import OUTPUT_FILES, AnalysisResult, analyze, assemble, write_reports
from reason_miner.checks import check_forms
from reason_miner.gcpause import gc_paused
from reason_miner.report import json_out, markdown, xlsx, xlsx_fast
from reason_miner.report.docx import chinese_number
from reason_miner.report.safe import FIXED_TIME, excel_text, html_text, md_text
from reason_miner.report.tables import LIMITS, TARGET_EDIT_HEADER, in_cell, numbered
from reason_miner.report.xlsx import SHEETS, display_width

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def build(sample: LoadResult) -> AnalysisResult:
    return assemble(sample, check_forms(sample.forms), hand_causes(sample.forms))


@pytest.fixture(scope="module")
def reports(sample: LoadResult, tmp_path_factory: pytest.TempPathFactory) -> tuple[AnalysisResult, Path]:
    out = tmp_path_factory.mktemp("reports")
    result = build(sample)
    write_reports(result, out)
    return result, out


# ------------------------------------------------------------------ browser helper (used by test_analyze_cli too)


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("未安装 chromium，无法在无头浏览器中检查 HTML 报告（Debian: apt-get install -y chromium）")
    return exe


def browse(html: Path, tmp: Path) -> tuple[str, list[dict[str, Any]]]:
    """Load a page in headless chromium: (DOM after its scripts ran, the page's own network requests)."""
    netlog = tmp / "netlog.json"
    profile = tmp / "profile"
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
           f"--log-net-log={netlog}", "--dump-dom", html.resolve().as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=True).stdout
    log = json.loads(netlog.read_text(encoding="utf-8"))
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    requests = [
        e["params"] for e in log["events"]
        if names.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in (e.get("params") or {})
    ]
    # the browser's own housekeeping has no initiating origin; anything the page asked for has one
    page = [r for r in requests if r.get("initiator") != "not an origin" and not r["url"].startswith("file:")]
    return dom, page


# ------------------------------------------------------------------ tests


def test_five_files(reports: tuple[AnalysisResult, Path]) -> None:
    result, out = reports
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES.values())
    assert set(result.outputs) == set(OUTPUT_FILES)


def test_xlsx_sheets_charts_frozen_widths(reports: tuple[AnalysisResult, Path]) -> None:
    _, out = reports
    wb = openpyxl.load_workbook(out / "report.xlsx")
    assert wb.sheetnames == SHEETS
    for name in SHEETS[1:]:
        assert wb[name].freeze_panes == "A2", name
    with zipfile.ZipFile(out / "report.xlsx") as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 3
        pareto = z.read(charts[0]).decode("utf-8")
        assert "<c:barChart>" in pareto and "<c:lineChart>" in pareto  # bars + cumulative line
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode("utf-8")
        assert "drawing" in rels
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode("utf-8") for n in sheets)  # no formula anywhere
    links = wb["指标明细"]
    head = [c.value for c in links[1]]
    unit_col = openpyxl.utils.get_column_letter(head.index("实施单位") + 1)
    assert links.column_dimensions[unit_col].width >= display_width("上海市松江区中山街道社区党群服务中心") - 10
    targets = wb["下年度目标建议"]
    assert TARGET_EDIT_HEADER in [c.value for c in targets[1]] and targets.max_row == 69
    assert [c.comment.text for c in targets[1] if c.comment] == ["建议值，仅供参考：请按实际情况修改后作为下年度绩效目标表使用。"]


def _column(ws: Any, header: str) -> list[Any]:
    head = [c.value for c in ws[1]]
    i = head.index(header)
    return [row[i] for row in ws.iter_rows(min_row=2, values_only=True)]


def test_numbers_agree_across_reports(reports: tuple[AnalysisResult, Path]) -> None:
    result, out = reports
    wb = openpyxl.load_workbook(out / "report.xlsx")
    overview = {r[0]: r[1] for r in wb["概览"].iter_rows(min_row=2, max_row=18, max_col=2, values_only=True)}
    assert overview["扣分合计（分）"] == 13.5 and overview["归因扣分合计（分）"] == 13.5
    assert round(sum(_column(wb["指标明细"], "归因扣分")), 2) == 13.5
    assert round(sum(v for v in _column(wb["原因聚类"], "归因扣分")), 2) == 13.5
    sched = [r for r in wb["系统性问题"].iter_rows(min_row=2, values_only=True) if r[1] == "场地人员安排调度"][0]
    assert sched[3] == "是" and sched[8] == 6.0
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert {"forms", "checks", "causes", "links", "systemic", "plans", "targets"} <= set(data)
    assert data["summary"]["points_lost"] == 13.5 and data["summary"]["points_attributed"] == 13.5
    assert sum(lk["attributed_cents"] for lk in data["links"]) == 1350
    assert len(data["targets"]["changed"]) + len(data["targets"]["kept"]) == 68
    assert len(data["checks"]) == len(result.findings)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| 扣分合计（分） | 13.5 |" in md and "| 归因扣分合计（分） | 13.5 |" in md
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<b>13.5</b><span>扣分合计（分）</span>" in html
    doc = Document(str(out / "plan.docx"))
    assert any("扣分合计13.5分" in p.text for p in doc.paragraphs)


def test_docx_official_layout(reports: tuple[AnalysisResult, Path]) -> None:
    _, out = reports
    doc = Document(str(out / "plan.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "绩效改进计划（草案）"
    sections = [t for t in texts if re.match(r"^[一二三四五六七八九十]+、", t)]
    assert sections == ["一、总体情况", "二、系统性问题及改进计划", "三、各单位改进计划", "四、下年度绩效目标调整建议",
                        "五、需关注的校验问题", "六、说明"]
    assert "（一）关于“场地人员安排调度”问题的改进计划" in texts
    assert texts.count("5.完成时限") >= 2 and "1.问题表现" in texts
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["项目", "指标", "本年度指标值", "实际完成值", "建议", "理由"]
    assert any(r.cells[1].text == "开展小型文化活动" and r.cells[4].text == "≥30.00(场)" for r in table.rows)
    assert doc.core_properties.created == FIXED_TIME


def test_same_input_same_bytes(sample: LoadResult, reports: tuple[AnalysisResult, Path], tmp_path: Path) -> None:
    _, first = reports
    write_reports(build(sample), tmp_path)
    for name in OUTPUT_FILES.values():
        assert (tmp_path / name).read_bytes() == (first / name).read_bytes(), name
    with zipfile.ZipFile(tmp_path / "plan.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_html_self_contained(reports: tuple[AnalysisResult, Path]) -> None:
    _, out = reports
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.I)
    assert re.search(r"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';", html)
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=", html)
    assert html.count("<script") == 2  # the chart data (JSON) and the page script


def test_html_renders_and_draws_offline(reports: tuple[AnalysisResult, Path], tmp_path: Path) -> None:
    result, out = reports
    dom, page_requests = browse(out / "report.html", tmp_path)
    assert page_requests == []
    assert 'data-ready="1"' in dom  # the page script ran under its CSP
    drawn = dict(re.findall(r'<div class="chart" id="([\w-]+)"><svg[^>]*data-drawn="(\d+)"', dom))
    causes = len({lk.cause_id for lk in result.links})
    assert drawn == {"pareto": str(causes), "heat-unit": str(causes), "heat-project": str(causes * 3)}
    pareto = dom[dom.index('id="pareto"'):dom.index('id="heat-unit"')]
    assert pareto.count('class="bar"') == causes and 'class="cumulative"' in pareto
    assert dom.count('<tr data-item="">') >= len(result.links) + len(result.targets)


def test_safety_helpers() -> None:
    assert excel_text("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert [excel_text(s)[0] for s in ("+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)", "\tx", "\rx")] == ["'"] * 5
    assert excel_text("需进一步完善") == "需进一步完善"
    assert html_text('<script>"x"</script>') == "&lt;script&gt;&quot;x&quot;&lt;/script&gt;"
    assert md_text("<b>a|b</b>\nc") == "&lt;b&gt;a\\|b&lt;/b&gt;<br>c"


def test_findings_json_is_the_plain_dump_one_record_per_line(reports: tuple[AnalysisResult, Path]) -> None:
    """Streamed findings.json: the same document as one json.dumps of the result, laid out with
    every list item (form, check, link, target…) compact on a line of its own."""
    result, out = reports
    text = (out / "findings.json").read_text(encoding="utf-8")
    expected = result.to_dict()
    assert json.loads(text) == json.loads(json.dumps(expected, ensure_ascii=False))
    lines = text.splitlines()
    for key, pad in (("forms", "  "), ("checks", "  "), ("links", "  "), ("changed", "    "), ("kept", "    ")):
        start = lines.index(f'{pad}"{key}": [')
        records = expected["targets"][key] if key in ("changed", "kept") else expected[key]
        items = lines[start + 1:start + 1 + len(records)]
        assert [json.loads(x.strip().rstrip(",")) for x in items] == json.loads(json.dumps(records))
        assert lines[start + 1 + len(records)] in (f"{pad}],", f"{pad}]")
    assert '  "summary": {' in lines and '    "forms": 3,' in lines  # the headline numbers stay indented


def test_chinese_number_any_size() -> None:
    cases = {1: "一", 10: "十", 12: "十二", 21: "二十一", 99: "九十九", 100: "一百", 101: "一百零一", 110: "一百一十",
             119: "一百一十九", 250: "二百五十", 1001: "一千零一", 1010: "一千零一十", 10001: "一万零一",
             100010: "十万零一十", 123456789: "一亿二千三百四十五万六千七百八十九", 100000001: "一亿零一"}
    assert {n: chinese_number(n) for n in cases} == cases


def _cells(path: Path) -> dict[str, list[list[tuple[Any, ...]]]]:
    """Every sheet's cells as (value, type, number format, bold, italic, wrap, border, comment), and
    its widths, frozen panes and filter."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        rows = [[(c.value, c.data_type, c.number_format, c.font.b, c.font.i, c.alignment.wrap_text, c.border.left.style,
                  c.comment and c.comment.text) for c in row] for row in ws.iter_rows()]
        widths = sorted((k, d.width) for k, d in ws.column_dimensions.items())
        out[ws.title] = [*rows, [(ws.freeze_panes, ws.auto_filter.ref, *widths)]]
    return out


def test_xlsx_streamed_past_shared_cells_same_content(reports: tuple[AnalysisResult, Path], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook of more than SHARED_CELLS cells is streamed (constant_memory, strings inline)
    instead of holding its cells for a shared strings table: the same sheets and cells either way."""
    result, out = reports
    monkeypatch.setattr(xlsx, "SHARED_CELLS", 0)
    xlsx.write_xlsx(result, tmp_path / "report.xlsx")
    with zipfile.ZipFile(out / "report.xlsx") as shared, zipfile.ZipFile(tmp_path / "report.xlsx") as streamed:
        assert "xl/sharedStrings.xml" in shared.namelist() and "xl/sharedStrings.xml" not in streamed.namelist()
        assert 'r="A2" s="2" t="inlineStr"' in streamed.read("xl/worksheets/sheet1.xml").decode("utf-8")
    cells = _cells(tmp_path / "report.xlsx")
    assert list(cells) == SHEETS and len(cells["下年度目标建议"]) == 1 + 68 + 1  # header, targets, sheet facts
    assert cells == _cells(out / "report.xlsx")


def test_xlsx_workbook_freed_with_the_collector_paused(reports: tuple[AnalysisResult, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """analyze() writes the reports with the cyclic collector paused: the workbook, its cells and
    shared strings go when write_xlsx returns, not when the collector next runs."""
    result, _ = reports
    books: list[weakref.ref[xlsxwriter.Workbook]] = []

    class Recorded(xlsx_fast.FastWorkbook):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            books.append(weakref.ref(self))

    monkeypatch.setattr(xlsx, "workbook_class", lambda: Recorded)
    with gc_paused():
        xlsx.write_xlsx(result, tmp_path / "report.xlsx")
        assert len(books) == 1 and books[0]() is None


@pytest.mark.parametrize("shared_cells", [0, xlsx.SHARED_CELLS], ids=["streamed", "shared-strings"])
def test_xlsx_continuation_sheets(reports: tuple[AnalysisResult, Path], tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch, shared_cells: int) -> None:
    """A table longer than a worksheet goes on 名称(2), 名称(3)…, header repeated, no row lost."""
    result, _ = reports
    monkeypatch.setattr(xlsx, "MAX_ROWS", 31)  # 30 rows of data per sheet; the sample has 68 targets
    monkeypatch.setattr(xlsx, "SHARED_CELLS", shared_cells)
    xlsx.write_xlsx(result, tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx")
    parts = ["下年度目标建议", "下年度目标建议(2)", "下年度目标建议(3)"]
    assert [n for n in wb.sheetnames if n.startswith("下年度目标建议")] == parts
    heads = [[c.value for c in wb[n][1]] for n in parts]
    assert heads[0] == heads[1] == heads[2] and TARGET_EDIT_HEADER in heads[0]
    assert [wb[n].max_row - 1 for n in parts] == [30, 30, 8]
    rows = [r for n in parts for r in wb[n].iter_rows(min_row=2, values_only=True)]
    assert [r[5] for r in rows] == [t.indicator for t in result.targets]
    assert all(wb[n].freeze_panes == "A2" for n in parts)
    assert all(any(c.comment for c in wb[n][1]) for n in parts)


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> tuple[AnalysisResult, Path]:
    """~400 synthetic forms: enough for every cap of the human-facing reports to apply."""
    folder = tmp_path_factory.mktemp("large")
    synth.write_corpus(folder / "in", 400, "text", config=synth.SynthConfig(seed=3), forms_per_file=50)
    result = analyze(load([folder / "in"]), folder / "out")
    return result, folder / "out"


def test_large_reports_cap_and_say_so(large: tuple[AnalysisResult, Path]) -> None:
    result, out = large
    unit_plans = [p for p in result.plans if p.scope == "unit"]
    cause_plans = [p for p in result.plans if p.scope == "cause"]
    changed = [t for t in result.targets if set(t.actions) - {"keep", "quantify"}]
    assert len(unit_plans) > LIMITS.unit_plans and len(changed) > LIMITS.rows and len(result.links) > LIMITS.html_rows

    texts = [p.text for p in Document(str(out / "plan.docx")).paragraphs]
    assert all(any(t.endswith(p.title) for t in texts) for p in cause_plans)
    assert sum(1 for t in texts if t == "1.问题表现") == len(cause_plans) + LIMITS.unit_plans  # systemic in full
    hidden_units = len(unit_plans) - LIMITS.unit_plans
    assert f"……另有{hidden_units}个单位的改进计划未列出，完整内容见 report.xlsx “改进计划”工作表和 findings.json。" in texts
    assert f"……另有{len(changed) - LIMITS.rows}项调整建议未列出" in "".join(texts)
    assert len(Document(str(out / "plan.docx")).tables[0].rows) == LIMITS.rows + 1

    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"……另有{len(result.links) - LIMITS.rows}行未列出，完整内容见 report.xlsx “指标明细”工作表和 findings.json。" in md
    assert f"……另有{hidden_units}个单位的改进计划未列出" in md

    html = (out / "report.html").read_text(encoding="utf-8")
    links = html[html.index('id="tbl-links"'):html.index('<section id="plans"')]
    assert links.count("<tr data-item>") == LIMITS.html_rows
    assert f"仅显示前{LIMITS.html_rows}行，……另有{len(result.links) - LIMITS.html_rows}行未列出" in links
    assert html.count("<details data-item><summary>[单位]") == min(len(unit_plans), LIMITS.html_plans)
    targets = html[html.index('id="tbl-targets"'):html.index('<section id="checks"')]
    assert len(result.targets.changed) > LIMITS.html_rows and "<td>维持</td>" not in targets  # changed ones first
    assert targets.count("<tr data-item>") == LIMITS.html_rows
    chart = json.loads(re.search(r'id="chart-data">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    assert len(chart["pareto"]) == len({lk.cause_id for lk in result.links})  # charts stay complete

    wb = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    assert sum(1 for _ in wb["指标明细"].iter_rows(min_row=2)) == len(result.links)  # nothing cut in the workbook
    assert len(result.targets) > LIMITS.xlsx_rows  # capped, with a line saying so
    assert sum(1 for _ in wb["下年度目标建议"].iter_rows(min_row=2)) == LIMITS.xlsx_rows + 1
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert list(data) == ["forms", "checks", "causes", "links", "systemic", "plans", "targets", "errors", "summary"]
    assert len(data["links"]) == len(result.links) and len(data["plans"]) == len(result.plans)


def test_xlsx_caps_long_tables_and_says_where_the_rest_is(large: tuple[AnalysisResult, Path], tmp_path: Path) -> None:
    """Past `xlsx_rows`, a table keeps its first rows (target suggestions that change something
    first) and ends with a line counting the rest, which findings.json holds; the documents for
    people then point at findings.json alone."""
    result, _ = large
    lim = replace(LIMITS, xlsx_rows=500)
    xlsx.write_xlsx(result, tmp_path / "report.xlsx", lim)
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)
    rows = list(wb["下年度目标建议"].iter_rows(min_row=2, values_only=True))
    acting = [t for t in result.targets if t.actions != ["keep"]]
    assert len(acting) > 500 and len(rows) == 501
    assert [r[5] for r in rows[:500]] == [t.indicator for t in acting[:500]]
    assert all(r[10] != "维持" for r in rows[:500])
    assert rows[500][0] == f"……另有{len(result.targets) - 500}行未列出，完整内容见 findings.json。"
    links = list(wb["指标明细"].iter_rows(min_row=2, values_only=True))
    assert len(result.links) > 500 and len(links) == 501
    assert links[-1][0] == f"……另有{len(result.links) - 500}行未列出，完整内容见 findings.json。"
    assert [r[6] for r in links[:500]] == [lk.indicator for lk in result.links[:500]]

    render = markdown.render_markdown(result, lim)
    assert f"……另有{len(result.links) - LIMITS.rows}行未列出，完整内容见 findings.json。" in render
    assert "report.xlsx “指标明细”" not in render


@pytest.mark.parametrize("n", [1, 1023, 1024, 1025, 2048])
def test_findings_json_lists_across_write_chunks(n: int) -> None:
    """Lists are written in chunks: every size, on a chunk boundary or not, gives one item per line."""
    buf = io.BytesIO()
    json_out._write(buf, {"a": list(range(n)), "b": {"c": []}}, 0)
    assert json.loads(buf.getvalue()) == {"a": list(range(n)), "b": {"c": []}}
    lines = buf.getvalue().decode().splitlines()
    assert lines[2:2 + n] == [f"    {i}," for i in range(n - 1)] + [f"    {n - 1}"] and lines[2 + n] == "  ],"


def test_lists_in_one_cell_are_capped_and_say_so() -> None:
    """A systemic cause of a province spans thousands of units: a cell shows the first
    `cell_items` and counts the rest (Excel cuts a cell at 32,767 characters without a word)."""
    units = [f"单位{n}" for n in range(LIMITS.cell_items + 150)]
    assert in_cell(units) == "、".join(units[:LIMITS.cell_items]) + f"等{len(units)}个"
    assert in_cell(units[:3]) == "单位0、单位1、单位2"
    lines = numbered(units, LIMITS.cell_items).split("\n")
    assert lines[0] == "1. 单位0" and len(lines) == LIMITS.cell_items + 1
    assert lines[-1] == "……另有150条未列出，完整内容见 findings.json。"
    assert numbered(units[:2], LIMITS.cell_items) == "1. 单位0\n2. 单位1"
