"""Bad input: each case gets one clear Chinese error naming the file and the place; the rest of the
batch is still read; rows that cannot be understood are reported with their location."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner
from writers import INDICATOR_HEADER, Layout, write_flat_csv, write_pdf, write_xlsx

from reason_miner import LoadResult, load
from reason_miner.cli import app


def _only_error(result: LoadResult, path: Path) -> str:
    assert result.forms == []
    assert len(result.errors) == 1
    err = result.errors[0]
    assert err.file == str(path) and err.kind == "error"
    assert str(path) in err.describe()
    return err.message


def _cjk_pdf(path: Path, lines: list[str], **canvas_args: object) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), **canvas_args)  # type: ignore[arg-type]
    c.setFont("STSong-Light", 12)
    for n, text in enumerate(lines):
        c.drawString(60, 780 - 20 * n, text)
    c.save()
    return path


def test_truncated_xlsx(sample: LoadResult, tmp_path: Path) -> None:
    good = write_xlsx(sample.forms, tmp_path / "good.xlsx")
    bad = tmp_path / "截断.xlsx"
    bad.write_bytes(good.read_bytes()[:3000])
    assert "不是有效的 Excel 工作簿" in _only_error(load([bad]), bad)


def test_zip_garbage_docx(tmp_path: Path) -> None:
    bad = tmp_path / "损坏.docx"
    bad.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    assert "不是有效的 Word 文档" in _only_error(load([bad]), bad)


def test_corrupt_pdf(tmp_path: Path) -> None:
    bad = tmp_path / "损坏.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 200)
    assert _only_error(load([bad]), bad) == "不是有效的 PDF 文件（文件已损坏或不完整）"


def test_encrypted_pdf(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = _cjk_pdf(tmp_path / "加密.pdf", ["财政项目支出绩效自评表"], encrypt=StandardEncryption("123456", "owner"))
    assert "PDF 已加密" in _only_error(load([path]), path)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".docx", ".pdf", ".html", ".csv", ".txt"])
def test_empty_file(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"空{suffix}"
    path.write_bytes(b"")
    assert _only_error(load([path]), path) == "文件为空"


def test_image_only_pdf(tmp_path: Path) -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    path = tmp_path / "扫描件.pdf"
    c = canvas.Canvas(str(path))
    c.drawImage(ImageReader(Image.new("RGB", (60, 40), "white")), 50, 500, width=300, height=200)
    c.showPage()
    c.save()
    assert "没有文本层" in _only_error(load([path]), path)


def test_scanned_page_among_text_pages(sample: LoadResult, tmp_path: Path) -> None:
    path = write_pdf(sample.forms[:1], tmp_path / "带盖章页.pdf", scanned_page=True)
    result = load([path])
    assert [len(f.indicators) for f in result.forms] == [31] and result.failed_files == []
    assert [(e.page, e.kind) for e in result.errors] == [(3, "row")]
    assert "没有文本层" in result.errors[0].describe() and "第3页" in result.errors[0].describe()


def test_cid_glyphs_in_pdf(tmp_path: Path) -> None:
    """A font without a Unicode map: pdfplumber gives "(cid:NNN)"; made by breaking the CMap names."""
    path = _cjk_pdf(tmp_path / "无映射.pdf", ["财政项目支出绩效自评表", "项目名称 党群综合服务"])
    data = path.read_bytes()
    assert b"/UniGB-UCS2-H" in data and b"(GB1)" in data
    path.write_bytes(data.replace(b"/UniGB-UCS2-H", b"/Identity-H  ").replace(b"(GB1)", b"(XX1)"))
    result = load([path])
    message = _only_error(result, path)
    assert "(cid:" in message and "Unicode" in message
    assert (result.errors[0].page, result.errors[0].line) == (1, 1)


def test_cid_glyphs_in_text_dump(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text("财政项目支出绩效自评表\n项目名称\t(cid:3105)(cid:2201)\n", encoding="utf-8")
    result = load([path])
    assert "(cid:3105)" in _only_error(result, path)
    assert result.errors[0].line == 2


@pytest.mark.parametrize("name", ["汇报.pptx", "旧版.doc", "无扩展名"])
def test_unknown_format(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0 something")
    message = _only_error(load([path]), path)
    assert message.startswith("不支持的文件格式") and ".xlsx" in message


def test_table_without_recognisable_header(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_text("姓名,年龄,科室\n张三,35,财务科\n李四,41,办公室\n", encoding="utf-8")
    result = load([path])
    assert "未找到可识别的绩效自评表" in _only_error(result, path)
    assert result.errors[0].line == 1


def test_gbk_text_file(sample_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(sample_file.read_text(encoding="utf-8").encode("gbk"))
    result = load([path])
    assert result.errors == []
    assert [f.project for f in result.forms] == ["党群综合服务", "文体事务管理", "社区自治管理"]
    assert [f.points_lost for f in result.forms] == [3.5, 4.0, 6.0]


def test_directory_mixing_good_and_bad_files(sample: LoadResult, sample_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "批量"
    (folder / "子目录").mkdir(parents=True)
    write_xlsx(sample.forms, folder / "a_好.xlsx")
    shutil.copy(sample_file, folder / "子目录" / "b_好.txt")
    (folder / "c_空.pdf").write_bytes(b"")
    (folder / "d_坏.xlsx").write_bytes(b"not a workbook")
    (folder / "e_说明.pptx").write_bytes(b"x")

    result = load([folder])
    assert result.files == 5 and len(result.forms) == 6
    assert result.failed_files == sorted(str(folder / n) for n in ("c_空.pdf", "d_坏.xlsx", "e_说明.pptx"))

    cli = CliRunner().invoke(app, ["parse", str(folder), "--format", "json"])
    assert cli.exit_code == 1
    payload = json.loads(cli.stdout)
    assert len(payload["forms"]) == 6
    assert {Path(e["file"]).name for e in payload["errors"]} == {"c_空.pdf", "d_坏.xlsx", "e_说明.pptx"}
    assert "c_空.pdf" in cli.stderr and "文件为空" in cli.stderr


def test_rows_not_understood_are_reported_with_location(sample: LoadResult, tmp_path: Path) -> None:
    def edit(lay: Layout) -> None:
        lay.insert(4, ["填表人：张三", "", "", "", "联系电话：12345678"])
        # an indicator row whose values were never filled in, inside the 产出指标 block
        lay.insert(lay.first_indicator_row + 8, ["产出指标", "数量指标", "新增服务点位（未填写）"])

    path = write_xlsx(sample.forms[:1], tmp_path / "多余行.xlsx", edit=edit)
    result = load([path])
    assert [len(f.indicators) for f in result.forms] == [31]
    assert result.forms[0].points_lost == 3.5
    rows = [(e.sheet, e.line, e.kind) for e in result.errors]
    assert rows == [("1-党群综合服务", 5, "row"), ("1-党群综合服务", 22, "row")]
    assert "填表人：张三" in result.errors[0].message
    assert "新增服务点位(未填写)" in result.errors[1].message
    assert "工作表「1-党群综合服务」 第22行" in result.errors[1].describe()
    assert INDICATOR_HEADER[2] == "三级指标"  # the inserted row sits under the indicator header


def test_flat_row_without_indicator_is_reported(sample: LoadResult, tmp_path: Path) -> None:
    path = write_flat_csv(sample.forms, tmp_path / "flat.csv")
    with path.open("a", encoding="utf-8") as fh:
        fh.write("2024,党群综合服务,,,,,,,,,,,备注：以上数据由系统导出\n")
    result = load([path])
    assert [len(f.indicators) for f in result.forms] == [31, 24, 13]
    assert [(e.line, e.kind) for e in result.errors] == [(70, "row")]


def test_notes_sheet_beside_forms_is_reported_not_failed(sample: LoadResult, tmp_path: Path) -> None:
    path = write_xlsx(sample.forms, tmp_path / "带说明.xlsx", notes=["填报说明", "1. 金额单位为万元"])
    result = load([path])
    assert len(result.forms) == 3 and result.failed_files == []
    assert [(e.sheet, e.line, e.kind) for e in result.errors] == [("填报说明", 1, "row")]


def test_password_protected_office_file(tmp_path: Path) -> None:
    """Excel/Word save a password-protected .xlsx/.docx as an OLE container with an EncryptionInfo
    stream (made here by hand: no library at hand writes one)."""
    path = tmp_path / "有密码.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(64))
    assert "文件已加密" in _only_error(load([path]), path)
