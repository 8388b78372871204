"""The load worker's shortcuts read what the long way reads: the text reader finds exactly the lines
`normalize.clean` acts on, rows marked dirty are cleaned unchecked (cleaning a clean cell changes
nothing), and a table's target cells parse as the long way parses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from reason_miner import normalize as nz
from reason_miner.grid import Grid, Row
from reason_miner.interpret import Interpreter
from reason_miner.readers.text import _clean_lines, read_text


@pytest.mark.parametrize(
    "text",
    [
        "a b\nclean\n\nx\u3000y\nend",  # dirty first line, ideographic space, no final line end
        "clean\n<p>tag</p>\n&amp; and  two spaces\nclean\n",  # two dirty lines in a row, several per line
        "\n\n\nlast line dirty ",  # empty lines before, dirty last character
        "ＡＢＣ\ttab only\t\nno\tdirt",  # full-width letters; tabs alone are not dirty
        "",
    ],
)
def test_clean_lines_marks_exactly_the_lines_clean_acts_on(text: str) -> None:
    lines = text.split("\n")
    assert _clean_lines(text, lines) == [nz.needs_clean_in_text(line) is None for line in lines]


def _forms(rows: list[Row]) -> tuple[list[str], list[str]]:
    forms, errors = Interpreter().interpret(Grid("t.txt", rows))
    return [repr(f) for f in forms], [repr(e) for e in errors]


def test_rows_marked_dirty_read_as_rows_checked_one_by_one(sample_file: Path) -> None:
    (grid,) = read_text(sample_file)
    assert any(r.clean is False for r in grid.rows) and any(r.clean for r in grid.rows)
    as_read = _forms(grid.rows)
    # not known (the interpreter checks each row), and all marked dirty (cleaned unchecked)
    unknown = _forms([Row(list(r.cells), r.line, r.page) for r in grid.rows])
    dirty = _forms([Row(list(r.cells), r.line, r.page, False) for r in grid.rows])
    assert as_read[0] and as_read == unknown == dirty


def test_table_targets_parse_as_the_long_way() -> None:
    it = Interpreter()
    for text in ("≥20239.67(元/次)", "=12.00(月)", "≤50(万元)", "≥ 90 (%)", "良好", "达成指标", "说明文字", "<5(天)"):
        parts = it._table_targets[text]
        assert parts is None or parts == it._targets_of[text] == it._target_args((text, None, None))
        assert (parts is not None) == nz.looks_like_target(text, it.vocab), text
