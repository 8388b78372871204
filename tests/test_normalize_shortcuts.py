"""Shortcuts in value parsing give what the long way gives: the common value cell parsed without
the caches, `key_in` told apart without NFKC, the status initials looked up by table."""

from __future__ import annotations

import pytest

from reason_miner import normalize as nz
from reason_miner.vocab import load_vocab

VALUES = [
    "≥20239.67(元/次)", "85.00(%)", "12", "=42.00(个)", "<5(a>b)", "<5(个)", ">3", "≤ 50,000.00 (元/片区)",
    "≥95％", "良好", "达成指标", "部分达成指标并具有一定 效果", "", "52272.73(元", "（元）", "≥2(个)&amp;",
]  # fmt: skip


@pytest.mark.parametrize("text", VALUES)
def test_target_and_actual_parts_as_the_long_way(text: str) -> None:
    parts = nz.value_parts(text)
    raw = nz.clean(text)
    expected_target = (raw, parts[0], parts[1], parts[2], None) if parts else (raw, None, None, None, raw or None)
    assert nz.target_parts(text) == expected_target
    vocab = load_vocab()
    status = nz.parse_status(text, vocab)
    expected_actual = (raw, None, None, status) if status else (raw, None, None, None)
    if parts and not status:
        expected_actual = (raw, parts[1], parts[2], None)
    assert nz.actual_parts(text, vocab) == expected_actual


def test_a_tag_opened_by_the_operator_is_still_cleaned() -> None:
    assert nz.target_parts("<5(a>b)") == ("b)", "<", 5.0, "a>b", None)


@pytest.mark.parametrize(
    "text",
    ["无", "无偏差", "无 偏差", " 无偏差：", "不适用", "—", "-", "/", "0", "……", "无偏差差", "无偏差原因",
     "由于政策宣传不到位，群众知晓率不高，需严格落实合同管理", "ｎｏｎｅ", "ＮＡ", "无\u3000偏差", "不\u00a0适用"],
)  # fmt: skip
def test_key_in_agrees_with_the_key(text: str) -> None:
    words = load_vocab().no_reason
    assert nz.key_in(text, words) == (nz.key(text) in words)
    assert nz.key_in(text, words | {nz.key(text)})  # a word as long as the text is still found


def test_status_initials_follow_the_table() -> None:
    table = (("达成", ("达成",)), ("未达成", ("未达成", "未完成")))
    assert nz._status_initials(table) == frozenset("达未")
    assert nz._status_initials((("达成", ("", "达成")),)) is None  # an empty phrase matches anything
    assert nz._status_initials(table) == frozenset("达未")
