"""`reason-miner analyze` end to end on the sample (real checks and miner), option pass-through,
and a crafted form whose texts attack every report format."""

from __future__ import annotations

import copy
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from test_reports import FORMULA_START, browse
from typer.testing import CliRunner

from reason_miner import LoadResult, load
from reason_miner.analyze import OUTPUT_FILES, analyze
from reason_miner.checks import check_forms
from reason_miner.cli import analyze_cmd, app
from reason_miner.mine import mine_causes
from reason_miner.sources import load_input

runner = CliRunner()

SCRIPT = "<script>document.body.setAttribute('data-pwned','1')</script>因场地人员等原因未达标"
IMG = "<img src=x onerror=document.body.setAttribute('data-pwned','2')//因场地人员等原因未达标"
HYPERLINK = '=HYPERLINK("//evil.example/x","点击")因时间人员等因素安排调度不够合理'
CMD_PROJECT = "+cmd|' /C calc'!A0"
AT_UNIT = "@SUM(1+1)服务中心"


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    out = tmp_path_factory.mktemp("analyze")
    result = runner.invoke(app, ["analyze", "--out", str(out)])
    return result, out


def test_cli_writes_five_files_and_summary(sample_run: tuple[Any, Path]) -> None:
    result, out = sample_run
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES.values())
    assert "扣分合计 13.5 分" in result.stdout and "系统性问题" in result.stdout
    for name in OUTPUT_FILES.values():
        assert str(out / name) in result.stdout
    assert "[进度] 挖掘偏差原因" in result.stderr and "[进度] 写出 report.html" in result.stderr


def test_sample_findings(sample_run: tuple[Any, Path]) -> None:
    _, out = sample_run
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert data["summary"]["points_lost"] == 13.5
    # attributed points per cause add up to the points lost
    per_cause: dict[str, int] = {}
    for lk in data["links"]:
        per_cause[lk["cause_id"]] = per_cause.get(lk["cause_id"], 0) + lk["attributed_cents"]
    assert sum(per_cause.values()) == 1350
    assert round(sum(s["points_attributed"] for s in data["systemic"]), 2) == 13.5
    sched = next(s for s in data["systemic"] if "调度" in s["label"])
    assert sched["systemic"] and {"文体事务管理", "社区自治管理"} <= set(sched["projects"])
    small = next(t for t in data["targets"]["changed"] if t["indicator"] == "开展小型文化活动")
    assert "direction" in small["actions"] and small["suggestion"] == "≥30.00(场)"
    caps = [t for t in data["targets"]["changed"] if "cost_benchmark" in t["actions"]]
    rows = [data["forms"][t["form_index"]]["indicators"][t["indicator_index"]] for t in caps]  # the record's row
    assert [r["name"] for r in rows] == [t["indicator"] for t in caps] and not {"target", "actual"} & set(caps[0])
    assert len(caps) == 7 and all(
        r["target"]["raw"].lstrip("≤").split("(")[0].strip() == r["actual"]["raw"].split("(")[0] for r in rows)
    signals = [sig for s in data["systemic"] for sig in s["signals"] if sig["rule"] == "budget_cut"]
    assert [(x["project"], x["data"]["change_pct"], x["indicators"]) for x in signals] == [
        ("文体事务管理", -51.8, ["开展小型文化活动", "加大府城文化宣传力度，增加项目开展次数"])]
    assert "budget_cut" in small["actions"]
    plans = [p for p in data["plans"] if p["scope"] == "cause"]
    assert any("调度" in p["title"] for p in plans)


def test_numbers_agree_with_parse_check_causes(sample_run: tuple[Any, Path], sample: LoadResult) -> None:
    _, out = sample_run
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    parsed = json.loads(runner.invoke(app, ["parse", "--format", "json"]).stdout)
    assert data["forms"] == parsed["forms"]
    assert data["checks"] == [f.to_dict() for f in check_forms(sample.forms)]
    mined = mine_causes(sample.forms)
    assert data["causes"]["causes"] == [c.to_dict() for c in mined.causes]
    assert len(data["causes"]["reasons"]) == len(mined.reasons) == 9
    wb = openpyxl.load_workbook(out / "report.xlsx")
    overview = {r[0]: r[1] for r in wb["概览"].iter_rows(min_row=2, max_row=18, max_col=2, values_only=True)}
    assert overview["扣分合计（分）"] == overview["归因扣分合计（分）"] == 13.5
    assert overview["系统性问题数"] == data["summary"]["systemic"]


def test_options_pass_through(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample: LoadResult) -> None:
    seen: dict[str, Any] = {}

    def fake_load_input(paths: Any, **kwargs: Any) -> LoadResult:
        seen.update(kwargs, paths=paths)
        return sample

    monkeypatch.setattr(analyze_cmd, "load_input", fake_load_input)
    result = runner.invoke(app, ["analyze", "--out", str(tmp_path), "--jobs", "4", "--scheduler", "tcp://h:8786",
                                 "--db", str(tmp_path / "w.duckdb"), "--year", "2024", "--min-projects", "4"])
    assert result.exit_code == 0, result.output
    assert (seen["jobs"], seen["scheduler"], seen["db"], seen["year"]) == (4, "tcp://h:8786", tmp_path / "w.duckdb", 2024)
    assert seen["helper"] is True  # findings.json is written: its head by a helper, where files are read apart
    assert not seen["paths"]
    assert "系统性问题 0 个" in result.stdout  # 3 projects, 1 unit: nothing reaches 4 projects


def test_low_memory_reads_in_parallel_and_analyses_in_this_process(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample: LoadResult) -> None:
    """--low-memory keeps the reading workers but runs analysis and reports in turn (no fork);
    without it, three jobs allow the forked side-by-side analysis (two: the second core is the
    helper's that writes findings.json's head)."""
    seen: dict[str, Any] = {}

    def fake_analyze(loaded: LoadResult, out: Path, **kwargs: Any) -> Any:
        seen["parallel"] = kwargs["config"].parallel
        return analyze(loaded, out, **kwargs)

    monkeypatch.setattr(analyze_cmd, "load_input", lambda paths, **kw: seen.update(jobs=kw["jobs"]) or sample)
    monkeypatch.setattr(analyze_cmd, "analyze", fake_analyze)
    low = runner.invoke(app, ["analyze", "--out", str(tmp_path / "low"), "--jobs", "3", "--low-memory"])
    assert low.exit_code == 0, low.output
    assert seen == {"jobs": 3, "parallel": False}
    two = runner.invoke(app, ["analyze", "--out", str(tmp_path / "two"), "--jobs", "2"])
    assert two.exit_code == 0, two.output
    assert seen == {"jobs": 2, "parallel": False}
    both = runner.invoke(app, ["analyze", "--out", str(tmp_path / "both"), "--jobs", "3"])
    assert both.exit_code == 0, both.output
    assert seen == {"jobs": 3, "parallel": True}
    for name in OUTPUT_FILES.values():
        assert (tmp_path / "low" / name).read_bytes() == (tmp_path / "both" / name).read_bytes(), name


def test_xlsx_rows_option_caps_the_workbook_not_findings(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", "--out", str(tmp_path), "--xlsx-rows", "10"])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)["下年度目标建议"].values)
    targets = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))["targets"]
    assert len(targets["changed"]) + len(targets["kept"]) == 68 and len(rows) == 1 + 10 + 1
    assert rows[-1][0] == "……另有58行未列出，完整内容见 findings.json。"
    changed = [t["indicator"] for t in targets["changed"]]
    assert [r[5] for r in rows[1:11]] == changed[:10] and len(changed) >= 10


def test_no_forms_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("这不是自评表\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(empty), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "没有可分析的自评表" in result.stderr


def _crafted_file(sample_file: Path, tmp: Path) -> Path:
    text = sample_file.read_text(encoding="utf-8")
    form = "财政项目支出绩效自评表" + text.split("财政项目支出绩效自评表")[2]
    form = form.replace("小型文化活动因场地人员等原因，开展次数未达标，需加强活动前期准备安排工作", IMG)
    form = form.replace("府城文化推广活动因时间人员等因素，安排调度不够合理，活动项目需要进一步丰富完善", HYPERLINK)
    form = form.replace("文体事务管理", CMD_PROJECT).replace("上海市松江区中山街道社区党群服务中心", AT_UNIT)
    path = tmp / "crafted.txt"
    path.write_text(form, encoding="utf-8")
    return path


def _assert_inert(out: Path, tmp: Path, texts: list[str]) -> None:
    # Excel: no formula, no cell starting like one
    wb = openpyxl.load_workbook(out / "report.xlsx")
    seen: set[str] = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                if isinstance(c.value, str):
                    assert not c.value.startswith(FORMULA_START), (ws.title, c.coordinate, c.value)
                    seen.update(t for t in texts if t in c.value)
    assert seen == set(texts)  # the texts are there, shown as text
    with zipfile.ZipFile(out / "report.xlsx") as z:
        assert not any("<f>" in z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/"))
    # HTML: escaped, and nothing ran in a real browser
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<script") == 2 and "<img" not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html
    dom, requests = browse(out / "report.html", tmp)
    assert requests == [] and 'data-ready="1"' in dom
    assert not re.search(r"<body[^>]*data-pwned", dom)
    # Markdown: no raw tag
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "<script" not in md and "<img" not in md and "&lt;" in md
    # Word: plain text runs (the XML escapes them); JSON: the data itself, unchanged
    doc = Document(str(out / "plan.docx"))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert any(t in body for t in texts)
    with zipfile.ZipFile(out / "plan.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
        assert "<script" not in xml and "<img" not in xml
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    reasons = {r["text"] for r in data["causes"]["reasons"]}
    assert any(t in r for t in texts for r in reasons)


def test_crafted_form_is_inert_via_cli(sample_file: Path, tmp_path: Path) -> None:
    path = _crafted_file(sample_file, tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyze", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    _assert_inert(out, tmp_path, [IMG.split("//")[0], HYPERLINK, CMD_PROJECT, AT_UNIT])


def test_script_tags_are_inert_via_analyze(sample_file: Path, tmp_path: Path) -> None:
    """Readers strip complete tags; a form that still carries one (any reader, any future one) is safe."""
    loaded = load([_crafted_file(sample_file, tmp_path)])
    form = copy.deepcopy(loaded.forms[0])
    ind = next(i for i in form.indicators if i.lost)
    ind.reason = SCRIPT
    result = analyze(LoadResult([form], [], 1), tmp_path / "out")
    assert any(r.text == SCRIPT for r in result.causes.reasons)
    _assert_inert(tmp_path / "out", tmp_path, [SCRIPT, HYPERLINK, CMD_PROJECT, AT_UNIT])


def test_cli_analyze_with_a_saved_model_uses_its_causes(tmp_path: Path) -> None:
    """A new year's forms land in last year's causes: analyze --model assigns to the saved model."""
    out = tmp_path / "with-model"
    result = runner.invoke(app, ["analyze", "--model", "default", "--out", str(out)])
    assert result.exit_code == 0, result.output
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    from reason_miner.cause_model import CauseModel
    from reason_miner.vocab import models_dir

    saved = {c.label for c in CauseModel.load(models_dir() / "default").causes}
    mined = {c["label"] for c in findings["causes"]["causes"] if c["size"]}
    assert mined and mined <= saved | {"其他/新原因"}
    bad = runner.invoke(app, ["analyze", "--model", str(tmp_path / "missing"), "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "无法读取原因模型" in bad.output


def test_long_reads_report_progress_by_tenths(sample_file: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(20):
        (tmp_path / f"form_{n:02d}.txt").write_bytes(sample_file.read_bytes())
    calls: list[tuple[int, int]] = []
    loaded = load_input([tmp_path], jobs=1, progress=lambda done, total: calls.append((done, total)))
    assert len(loaded.forms) == 60 and calls == [(n, 20) for n in range(1, 21)]
    for done, total in calls:
        analyze_cmd._files_read(done, total)
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"[进度] 已读取 {2 * k}/20 个文件（{k * 10}%）" for k in range(1, 11)]
    analyze_cmd._files_read(3, 3)  # a short read says nothing
    assert capsys.readouterr().err == ""
