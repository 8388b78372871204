"""The shortcuts of the mining stage give what the plain routes give."""

from __future__ import annotations

import marshal

import jieba
import pytest

from reason_miner.clauses import split_clauses
from reason_miner.mine import _text_key
from reason_miner.normalize import key
from reason_miner.segment import _load_cached

PLAIN_KEY = key.__wrapped__


@pytest.mark.parametrize(
    "text",
    [
        "受资金审批流程影响，拨付进度滞后；需加强人员培训",
        "受资金审批流程影响,拨付进度滞后;需加强人员培训",  # half-width: the same key as above
        "原因：（1）场地不足！（2）人员不够？",
        "全角　空格 与 ＡＢＣ１２３，以及结尾冒号：",
        "组合字符，\u0301在逗号后；カ\u3099",  # a combining mark after replaced punctuation
        "",
        "：",
    ],
)
def test_text_key_is_normalize_key(text: str) -> None:
    assert _text_key(text) == PLAIN_KEY(text)


def test_text_key_groups_width_variants() -> None:
    assert _text_key("进度滞后，需加强") == _text_key("进度滞后,需加强") == _text_key("进度 滞后，需加强")


def test_split_keeps_list_numbers_and_enumerations() -> None:
    assert split_clauses("1、场地不足；2、人员、经费不够，需加强") == ["场地不足", "人员、经费不够", "需加强"]
    assert split_clauses("（1）场地不足（2）人员不够") == ["场地不足", "人员不够"]


def _tokenizer_at(folder: str) -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    tk.tmp_dir, tk.cache_file = folder, "prefix.cache"
    return tk


def test_cached_prefix_dictionary_is_loaded(tmp_path) -> None:
    freq = {"场地": 5, "场": 0, "人员": 7, "人": 0}
    (tmp_path / "prefix.cache").write_bytes(marshal.dumps((freq, 12)))
    tk = _tokenizer_at(str(tmp_path))
    assert _load_cached(tk)
    assert tk.initialized
    assert (tk.FREQ, tk.total) == (freq, 12)
    assert list(tk.cut("场地人员", HMM=False)) == ["场地", "人员"]


@pytest.mark.parametrize("content", [None, b"", b"not marshal data", marshal.dumps(["a", 1])])
def test_missing_or_bad_cache_is_refused(tmp_path, content: bytes | None) -> None:
    if content is not None:
        (tmp_path / "prefix.cache").write_bytes(content)
    tk = _tokenizer_at(str(tmp_path))
    assert not _load_cached(tk)
    assert not tk.initialized  # left for jieba's own initialize to build
