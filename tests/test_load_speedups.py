"""The shortcuts of fast loading read exactly what the long way reads: rows a reader marks clean
need no cleaning, the CSV line splitter reads what the csv module reads, and interpretation gives
the same forms whether or not rows are marked clean and however often a row repeats."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from reason_miner import normalize as nz
from reason_miner import synth
from reason_miner.grid import Grid, ReadFailure, Row
from reason_miner.interpret import Interpreter
from reason_miner.readers.csvfile import _dialect, _read_records, read_csv
from reason_miner.readers.text import read_text


def _rows(grid: Grid) -> list[tuple[list[str], int, int | None, bool]]:
    return [(r.cells, r.line, r.page, r.clean) for r in grid.rows]


def _unmarked(grid: Grid) -> Grid:
    """The same grid with no row marked clean: the interpreter checks every row itself."""
    return Grid(grid.file, [Row(list(r.cells), r.line, r.page) for r in grid.rows], grid.sheet, grid.skipped)


def _interpreted(grid: Grid, interpreter: Interpreter | None = None) -> tuple[list[str], list[str]]:
    forms, errors = (interpreter or Interpreter()).interpret(grid)
    return [repr(f) for f in forms], [repr(e) for e in errors]


def test_text_rows_marked_clean_need_no_cleaning(tmp_path: Path) -> None:
    lines = [
        "项目名称\t\t乡村 道路维护",  # a space
        "目标\t<p>完成道路维护</p>",  # a tag
        "单位\t县交通局&amp;公路段",  # an entity
        "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值",
        "\t\t维护里程\t≥１２０(公里)\t125(公里)",  # full-width digits
        "\t\t群众满意度\u3000\t≥90(%)\t95(%)",  # ideographic space
        "\f\t\t按时完工率\t=100(%)\t100(%)",  # a page break before the row
        "\t\t维护成本\t≤50(万元)\t48(万元)",
        "| 总分 | 100 |",  # spaces around the cells: marked dirty, though split_line strips them
    ]
    path = tmp_path / "a.txt"
    path.write_bytes("\r\n".join(lines).encode("utf-8") + b"\r\n")
    (grid,) = read_text(path)
    assert [r.line for r in grid.rows] == list(range(1, 10))
    assert [r.page for r in grid.rows] == [1] * 6 + [2] * 3
    assert [r.clean for r in grid.rows] == [False, False, False, True, False, False, False, True, False]
    assert all(not any(nz.needs_clean(c) for c in row.cells) for row in grid.rows if row.clean)


@pytest.mark.parametrize(
    "text",
    [
        "年度,项目名称,三级指标\r\n2024,道路维护,维护里程,,\r\n\r\n2024,道路维护,群众满意度\r\n",  # CRLF, blank line, trailing cells
        "年度;项目名称;三级指标\r2024;道路维护;维护里程\r2024;道路维护;\r",  # lone CR, semicolons
        "年度\t项目名称\t三级指标\n2024\t道路维护\t维护里程\n",  # tabs
        '年度,项目名称,原因\n2024,道路维护,"因雨停工，\n延期"\n2024,"道路,维护",无\n',  # quoted cells: csv reads them
        "年度,项目名称,三级指标\n2024,乡村 道路,维护里程\n",  # a space: the file is not clean
    ],
)
def test_csv_lines_read_as_csv_reads_them(tmp_path: Path, text: str) -> None:
    path = tmp_path / "flat.csv"
    path.write_bytes(text.encode("utf-8"))
    (grid,) = read_csv(path)
    expected: list[Row] = []
    _read_records(csv.reader(io.StringIO(text, newline=""), _dialect(text)), expected, file_clean=False)
    assert [(r.cells, r.line) for r in grid.rows] == [(r.cells, r.line) for r in expected]
    for row in grid.rows:
        assert not row.clean or not any(nz.needs_clean(c) for c in row.cells)


def test_csv_field_over_the_limit_is_still_reported(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("年度,项目名称\n2024," + "长" * 200 + "\n", encoding="utf-8")
    old = csv.field_size_limit(100)
    try:
        with pytest.raises(ReadFailure):
            read_csv(path)
    finally:
        csv.field_size_limit(old)


@pytest.fixture(scope="module")
def synth_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    forms = list(synth.generate(12))
    folder = tmp_path_factory.mktemp("synth")
    files = {"text": folder / "forms.txt", "csv": folder / "flat.csv", "tsv": folder / "flat.tsv"}
    synth.write_text(forms, files["text"])
    synth.write_flat_delimited(forms, files["csv"])
    synth.write_flat_delimited(forms, files["tsv"], delimiter="\t")
    return files


@pytest.mark.parametrize("kind", ["text", "csv", "tsv"])
def test_forms_do_not_depend_on_rows_marked_clean(synth_files: dict[str, Path], kind: str) -> None:
    path = synth_files[kind]
    (grid,) = read_text(path) if kind != "csv" else read_csv(path)
    assert any(r.clean for r in grid.rows)
    forms, errors = _interpreted(grid)
    assert len(forms) == 12
    assert (forms, errors) == _interpreted(_unmarked(grid))


def test_repeated_rows_read_alike(synth_files: dict[str, Path]) -> None:
    """Rows outside the indicator rows are read once per distinct row and shared: a second pass
    through a warm interpreter, and a file holding the same forms twice, read like the first."""
    (grid,) = read_text(synth_files["text"])
    warm = Interpreter()
    first = _interpreted(grid, warm)
    assert _interpreted(grid, warm) == first == _interpreted(grid)
    twice = Grid(grid.file, grid.rows + grid.rows)
    forms, _ = warm.interpret(twice)
    assert [f.project for f in forms] == [f.project for f in warm.interpret(grid)[0]] * 2
    assert forms[0] == forms[12] and forms[0].indicators == forms[12].indicators


def test_flat_export_with_unit_and_direction_columns_and_no_levels(tmp_path: Path) -> None:
    """A table with 计量单位/指标方向 columns takes the slower way through packing; forms are still
    told apart by the columns the export has (here no 主管部门)."""
    path = tmp_path / "flat.csv"
    path.write_text(
        "年度,实施单位,项目名称,三级指标,指标方向,年度指标值,计量单位,实际完成值,分值,得分\n"
        "2024,县交通局,道路维护,维护里程,≥,120,公里,125,10,10\n"
        "2024,县交通局,道路维护,维护成本,≤,50,万元,48,10,10\n"
        "2024,县水利局,河道清淤,清淤长度,≥,30,公里,20,10,6\n",
        encoding="utf-8",
    )
    (grid,) = read_csv(path)
    forms, errors = Interpreter().interpret(grid)
    assert not errors
    assert [(f.unit, f.project, f.department, len(f.indicators)) for f in forms] == [
        ("县交通局", "道路维护", None, 2),
        ("县水利局", "河道清淤", None, 1),
    ]
    mileage, cost = forms[0].indicators
    assert (mileage.target.op, mileage.target.value, mileage.target.unit) == ("≥", 120.0, "公里")
    assert mileage.actual.unit == "公里"
    assert (cost.target.op, cost.level1, cost.level2) == ("≤", None, None)
    assert forms[1].indicators[0].lost == 4.0


def test_the_file_scan_finds_what_clean_acts_on() -> None:
    """`needs_clean_in_text` (one scan of a whole file) and `needs_clean` (one cell) agree on every
    character but the tabs and line ends that separate cells; no whitespace lies above U+3000."""
    for cp in range(0x3100):
        c = chr(cp)
        if c not in "\t\n\r":
            assert bool(nz.needs_clean_in_text(c)) == bool(nz.needs_clean(c)), hex(cp)
    assert not any(chr(cp).isspace() for cp in range(0x3001, 0x110000))
    assert nz.clean("\t") == "" and nz.needs_clean_in_text("\t\n\r") is None
