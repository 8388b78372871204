"""Segmentation: the domain words of real reason texts stay whole; usable from worker processes."""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor

from reason_miner import segment

SAMPLE_REASONS = [
    "幸福里活动场所逐渐增多，其运维工作需进一步完善",
    "新建党群阵地功能尚不成熟，有待进一步完善",
    "府城文化推广活动因时间人员等因素，安排调度不够合理，活动项目需要进一步丰富完善",
]


def test_domain_words_stay_whole() -> None:
    toks = segment.tokens(SAMPLE_REASONS[0])
    assert "幸福里" in toks and "运维" in toks
    assert "党群阵地" in segment.tokens(SAMPLE_REASONS[1])
    assert "两新" in segment.tokens("两新党组织书记工作经费未及时发放")
    assert "招投标" in segment.tokens("因招投标流程较长")


def test_content_words_drop_markers_and_punctuation() -> None:
    words = segment.content_words(SAMPLE_REASONS[2])
    assert "，" not in words and "因" not in words and "进一步" not in words and "等" not in words
    assert {"时间", "人员", "安排", "调度", "丰富"} <= set(words)
    assert segment.content_words("2024年完成率95%") == ("完成率",)


def test_each_distinct_text_is_segmented_once() -> None:
    segment.tokens.cache_clear()
    got = segment.segment_many(SAMPLE_REASONS * 50)
    assert list(got) == SAMPLE_REASONS
    assert segment.tokens.cache_info().misses == 3


def test_lexicon_comes_from_corpora() -> None:
    lex = segment.load_lexicon()
    assert "幸福里" in lex.proper_nouns and "运维" not in lex.proper_nouns
    assert "进一步" in lex.stopwords
    assert len(lex.digest) == 16


def _segment_in_worker(text: str) -> tuple[int, tuple[str, ...]]:
    return os.getpid(), segment.tokens(text)


def test_workers_segment_like_the_parent() -> None:
    expected = [segment.tokens(t) for t in SAMPLE_REASONS]
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
        results = list(pool.map(_segment_in_worker, SAMPLE_REASONS))
    assert [r[1] for r in results] == expected
    assert all(pid != os.getpid() for pid, _ in results)
    with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as pool:  # a forked child builds its own
        assert list(pool.map(_segment_in_worker, SAMPLE_REASONS[:1]))[0][1] == expected[0]


def test_dictionary_cache_is_private_and_keyed_by_content() -> None:
    tk = segment.tokenizer()
    assert tk.tmp_dir and "reason_miner_jieba" in tk.tmp_dir
    assert tk.cache_file.startswith("jieba-") and tk.cache_file.endswith(".cache")
    assert os.path.exists(os.path.join(tk.tmp_dir, tk.cache_file))
