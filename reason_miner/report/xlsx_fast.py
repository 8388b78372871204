"""xlsxwriter, faster where report.xlsx spends its time, to the same bytes.

xlsxwriter (3.3) spends most of a large workbook's CPU in Python calls per cell: on writing (bounds
and dimension checks, a string length check, the shared strings lookup) and on closing (an attribute
list, escaping calls and an XML writer call per cell, several regular expressions per shared
string). For the cells report.xlsx's tables hold (shared strings, numbers and blanks, each with a
format) the subclasses here store and write them with one step each, and leave anything else to
xlsxwriter. They override private methods: tests/test_report_speed_xlsx.py writes the same workbook
through them and through plain xlsxwriter and compares the files byte for byte; `workbook_class`
hands them out only for the xlsxwriter versions that test has passed on (plain xlsxwriter otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellBlankTuple, CellNumberTuple, CellStringTuple, Worksheet

# xlsxwriter major.minor versions whose private methods these subclasses were checked against
TESTED_VERSIONS = frozenset({"3.3"})
INF = float("inf")
LONG_TEXT = 32_767 // 2  # longer texts may need xlsxwriter's truncation to Excel's 32,767 UTF-16 units
CHUNK = 512  # shared strings checked at once for the characters that need xlsxwriter's escaping
# what xlsxwriter rewrites as _xHHHH_ (control characters, non-characters, and that form itself)
_NEEDS_CONTROL_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


class FastSheet(Worksheet):
    """A worksheet that stores whole table rows at once (`put_rows`) and writes its cell data by
    one f-string per cell."""

    def put_rows(self, first_row: int, rows: Sequence[Sequence[Any]], fmts: list[Format],
                 text: Callable[[str], str], shown: Callable[[Any], str]) -> bool:
        """Store `rows` (str, None, int/float or other values, each column with its format) from
        row `first_row`, as xlsxwriter's writers would: a text as `text(value)` ("" as a blank), a
        value of another type as the text `shown(value)`. Returns False, storing nothing, where
        they must go one by one (constant_memory mode, rows past the sheet's end)."""
        last_row = first_row + len(rows) - 1
        if not rows or self.constant_memory or last_row >= self.xls_rowmax or len(fmts) > self.xls_colmax:
            return False
        # Full rows need no checks per cell: their corners set the sheet's dimensions. A text seen
        # before in the column reuses its cell; its count in the shared strings still goes up.
        self._check_dimensions(first_row, 0)
        self._check_dimensions(last_row, len(fmts) - 1)
        table, index = self.table, self.str_table._get_shared_string_index
        blanks = [CellBlankTuple(f) for f in fmts]
        seen: list[dict[str, CellStringTuple]] = [{} for _ in fmts]
        repeats = 0
        for r, row in enumerate(rows, first_row):
            cells = table[r]
            for c, value in enumerate(row):
                kind = value.__class__
                if kind is str:  # the commonest first
                    if not value:
                        cells[c] = blanks[c]
                    elif value in seen[c]:
                        cells[c] = seen[c][value]
                        repeats += 1
                    elif len(value) <= LONG_TEXT:
                        cells[c] = seen[c][value] = CellStringTuple(index(text(value)), fmts[c])
                    else:
                        self._write_string(r, c, text(value), fmts[c])
                elif value is None:
                    cells[c] = blanks[c]
                elif (kind is float or kind is int) and -INF < value < INF:
                    cells[c] = CellNumberTuple(value, fmts[c])
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    self._write_number(r, c, value, fmts[c])  # xlsxwriter's rule for NaN and infinities
                else:
                    self._write_string(r, c, text(shown(value)), fmts[c])
        self.str_table.count += repeats
        return True

    def _write_rows(self) -> None:
        if self.row_info or self.excel_version != 2007 or self.default_row_height != self.original_row_height:
            super()._write_rows()  # <row> attributes this loop does not write
            return
        self.row_spans = self._spans()
        write, table, spans, xf, names = self.fh.write, self.table, self.row_spans, _XfIndex(), _COL_NAMES
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row_num)
            span = spans.get(row_num // 16)
            if not cells:
                if row_num in self.comments:
                    self._write_empty_row(row_num, span, None)
                continue
            r = str(row_num + 1)
            parts = [f'<row r="{r}" spans="{span}">' if span else f'<row r="{r}">']
            for col, cell in sorted(cells.items()):
                kind, fmt = cell.__class__, cell[-1]
                if fmt is None:
                    pass
                elif kind is CellStringTuple:
                    parts.append(f'<c r="{names[col]}{r}" s="{xf[fmt]}" t="s"><v>{cell[0]}</v></c>')
                    continue
                elif kind is CellNumberTuple:
                    parts.append(f'<c r="{names[col]}{r}" s="{xf[fmt]}"><v>{cell[0]:.16G}</v></c>')
                    continue
                elif kind is CellBlankTuple:
                    parts.append(f'<c r="{names[col]}{r}" s="{xf[fmt]}"/>')
                    continue
                write("".join(parts))  # xlsxwriter writes the other cells
                parts.clear()
                self._write_cell(row_num, col, cell)
            parts.append("</row>")
            write("".join(parts))

    def _spans(self) -> dict[int, str]:
        """The <row> spans attribute of each block of 16 rows: its first and last used columns
        (cells and comments), 1-based, as xlsxwriter's _calculate_spans gives them."""
        lo: dict[int, int] = {}
        hi: dict[int, int] = {}
        for rows in (self.table, self.comments):
            for row_num, cells in rows.items():
                if cells:
                    block = row_num // 16
                    first, last = min(cells), max(cells)
                    if block not in lo or first < lo[block]:
                        lo[block] = first
                    if block not in hi or last > hi[block]:
                        hi[block] = last
        return {block: f"{lo[block] + 1}:{hi[block] + 1}" for block in lo}


class _XfIndex(dict[Format, int]):
    """Format -> its XF index, each format asked once (in the order xlsxwriter would first ask)."""

    def __missing__(self, fmt: Format) -> int:
        self[fmt] = index = fmt._get_xf_index()
        return index


class _ColNames(dict[int, str]):
    """Column number -> its letters (A, B, …, AA…)."""

    def __missing__(self, col: int) -> str:
        self[col] = name = xl_col_to_name(col)
        return name


_COL_NAMES = _ColNames()


class _SharedStrings(SharedStrings):
    """The shared strings, written by one f-string each where a chunk of them has nothing for
    xlsxwriter's control character escaping (form text hardly ever has)."""

    def _write_sst_strings(self) -> None:
        strings, write = self.string_table.string_array, self.fh.write
        for start in range(0, len(strings), CHUNK):
            chunk = strings[start:start + CHUNK]
            if _NEEDS_CONTROL_ESCAPE.search("".join(chunk)):
                for s in chunk:
                    self._write_si(s)
                continue
            out: list[str] = []
            for s in chunk:
                if s.startswith("<r>") and s.endswith("</r>"):  # a rich string: xlsxwriter's
                    write("".join(out))
                    out.clear()
                    self._write_si(s)
                    continue
                if "&" in s or "<" in s or ">" in s:
                    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                if s and (s[0].isspace() or s[-1].isspace()):  # xlsxwriter's ^\s and \s$
                    out.append(f'<si><t xml:space="preserve">{s}</t></si>')
                else:
                    out.append(f"<si><t>{s}</t></si>")
            write("".join(out))


class _Packager(Packager):
    def _write_shared_strings_file(self) -> None:
        table = self.workbook.str_table
        if not table.count:
            return
        sst = _SharedStrings()
        sst.string_table = table
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class FastWorkbook(xlsxwriter.Workbook):
    """A workbook of FastSheets that writes its shared strings the faster way."""

    worksheet_class = FastSheet

    def _get_packager(self) -> Packager:
        return _Packager()


def workbook_class(version: str = xlsxwriter.__version__) -> type[xlsxwriter.Workbook]:
    """FastWorkbook for a tested xlsxwriter version, else xlsxwriter's own Workbook (same bytes,
    slower): a newer xlsxwriter may change the private methods overridden here."""
    return FastWorkbook if ".".join(version.split(".")[:2]) in TESTED_VERSIONS else xlsxwriter.Workbook
