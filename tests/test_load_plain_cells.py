"""The interpreter's shortcuts for common value cells give what the general parsers give."""

from __future__ import annotations

import pytest

from reason_miner import normalize as nz
from reason_miner.interpret import Interpreter
from reason_miner.vocab import load_vocab

# cells as the forms hold them: plain amounts, operators, units, statuses, and near misses
CELLS = [
    "≤20239.67(元/次)",
    "≥95.00(%)",
    "=5.00(个)",
    "<5(个)",
    ">0",
    "20239.67(元/次)",
    "52272.73",
    "0.00",
    "007",
    "1,234.50",
    "12(",
    "12()",
    "3.5 (万元)",
    "３５(人)",
    "达成",
    "部分达成指标并具有一定效果",
    "稳定",
    "",
    "-",
]


@pytest.mark.parametrize("text", CELLS)
def test_target_shortcut_matches_target_parts(text: str) -> None:
    assert Interpreter._target_plain(text) == nz.target_parts(text)


@pytest.mark.parametrize("text", CELLS)
def test_actual_shortcut_matches_actual_parts(text: str) -> None:
    interp = Interpreter()
    assert interp._actual_plain(text) == nz.actual_parts(text, load_vocab())


def test_no_status_starts_with_a_shortcut_digit() -> None:
    vocab = load_vocab()
    digits = nz.statusless_digits(vocab)
    assert digits  # the shortcut is in use with the bundled vocabulary
    phrases = [p for _, ps in vocab.status_table for p in ps]
    assert not [p for p in phrases if p[:1] in digits]


@pytest.mark.parametrize(
    ("text", "value"),
    [("2423.94", 2423.94), ("100", 100.0), ("007", 7.0), ("2,423.94", 2423.94), ("95%", 95.0), ("-", None), ("", None), ("1.", None)],
)
def test_number_of_plain_and_other_cells(text: str, value: float | None) -> None:
    assert nz.number(text) == value
