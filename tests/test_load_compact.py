"""Compact loading: forms cross process boundaries as tuples, repeated values are shared, and
nothing of what is loaded changes (equality, types, the sign of zero)."""

from __future__ import annotations

import copy
import pickle
import shutil
from dataclasses import replace
from pathlib import Path

from reason_miner import LoadResult, interning
from reason_miner import normalize as nz
from reason_miner.model import Form
from reason_miner.sources import load_input
from reason_miner.vocab import load_vocab


def _types(forms: list[Form]) -> list[tuple[type, ...]]:
    """The type of every scalar of every indicator, so that 3 never comes back as 3.0."""
    return [
        tuple(type(v) for v in (i.weight, i.score, i.lost, i.target.value, i.actual.value, i.source.line, i.source.page))
        for f in forms
        for i in f.indicators
    ]


def test_pickled_result_is_equal(sample: LoadResult) -> None:
    back = pickle.loads(pickle.dumps(sample))
    assert isinstance(back, LoadResult)
    assert back == sample
    assert [f.to_dict() for f in back.forms] == [f.to_dict() for f in sample.forms]
    assert _types(back.forms) == _types(sample.forms)
    assert copy.deepcopy(sample) == sample


def test_zero_keeps_its_sign(sample: LoadResult) -> None:
    result = copy.deepcopy(sample)
    ind = result.forms[0].indicators[0]
    ind.weight, ind.score, ind.lost = 3.0, 3.0, 0.0
    other = result.forms[0].indicators[1]
    other.lost, other.target = -0.0, replace(other.target, value=-0.0)
    back = pickle.loads(pickle.dumps(result)).forms[0]
    assert str(back.indicators[0].lost) == "0.0"
    assert str(back.indicators[1].lost) == "-0.0" and str(back.indicators[1].target.value) == "-0.0"
    assert interning.canon_float(-0.0) is not interning.canon_float(0.0)
    assert interning.canon_float(None) is None


def test_repeated_values_are_shared_across_files(sample: LoadResult) -> None:
    blob = pickle.dumps(sample)
    first, second = pickle.loads(blob), pickle.loads(blob)  # two files' results, as workers send them
    a, b = first.forms[0].indicators[0], second.forms[0].indicators[0]
    assert a == b
    assert a.name is b.name and a.target.raw is b.target.raw and a.actual.raw is b.actual.raw
    assert a.weight is b.weight and a.source.line is b.source.line
    assert a.target is b.target and a.actual is b.actual  # one value object for all rows that have it
    interning.release()


def test_targets_and_actuals_are_shared_values(sample: LoadResult, tmp_path: Path) -> None:
    import dataclasses

    import pytest

    from reason_miner.model import form_from_dict

    with pytest.raises(dataclasses.FrozenInstanceError):
        sample.forms[0].indicators[0].target.value = 1.0  # type: ignore[misc]
    again = form_from_dict(sample.forms[0].to_dict())  # as the workspace reads a form back
    once_more = form_from_dict(sample.forms[0].to_dict())
    assert again == sample.forms[0]
    assert all(x.target is y.target and x.actual is y.actual for x, y in zip(again.indicators, once_more.indicators, strict=True))
    zero = replace(sample.forms[0].indicators[0].target, value=0.0)
    negative = replace(zero, value=-0.0)
    assert interning.canon_object(type(zero), (zero.raw, zero.op, 0.0, zero.unit, zero.text)) is not (
        interning.canon_object(type(zero), (zero.raw, zero.op, -0.0, zero.unit, zero.text)))
    assert str(interning.canon_object(type(negative), (zero.raw, zero.op, -0.0, zero.unit, zero.text)).value) == "-0.0"
    interning.release()


def test_processes_and_serial_give_the_same_forms(tmp_path: Path, sample_file: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        shutil.copy(sample_file, tmp_path / name)
    serial = load_input([tmp_path], jobs=1)
    parallel = load_input([tmp_path], jobs=2)
    assert len(serial.forms) == 9 and serial.files == 3
    assert parallel == serial
    assert [f.to_dict() for f in parallel.forms] == [f.to_dict() for f in serial.forms]
    # shared across files, as the parent re-shares what pickle copied per file
    names = {id(f.indicators[0].name) for f in parallel.forms if f.project == parallel.forms[0].project}
    assert len(names) == 1


def test_clean_needs_nothing_when_no_character_calls_for_it() -> None:
    clean_texts = ["", "培训班单位成本", "≤20239.67(元/次)", "3.00", "达成指标", "由于政策宣传不到位，群众知晓率不高"]
    for text in clean_texts:
        assert not nz.needs_clean(text) and nz.clean(text) == text
    for text in ["一级 指标", "<p>目标</p>", "Ａ＆Ｂ", "a&amp;b", "x\u3000y", " 3.00", "\t"]:
        assert nz.needs_clean(text) and nz.clean(text) != text


def test_status_takes_the_most_specific_phrase() -> None:
    vocab = load_vocab()
    assert nz.parse_status("部分达成指标并具有一定效果", vocab) == "部分达成"
    assert nz.parse_status("未达成年度指标", vocab) == "未达成"
    assert nz.parse_status("达成 指标", vocab) == "达成"
    assert nz.parse_status("52272.73(元/年)", vocab) is None
    assert nz.parse_status("", vocab) is None


def test_a_worker_sends_each_distinct_value_once_per_file(sample_file: Path) -> None:
    from reason_miner.interpret import Interpreter
    from reason_miner.load import load_file, load_file_packed
    from reason_miner.packing import INDICATOR_WIDTH, Scores

    packed = load_file_packed(sample_file, Interpreter())
    rows = [inds[i : i + INDICATOR_WIDTH] for *_, inds in packed.forms for i in range(0, len(inds), INDICATOR_WIDTH)]
    # one tuple object per distinct target, actual and scores: pickle's memo writes each once
    for column in (3, 4, 5):
        values = [row[column] for row in rows]
        assert len({id(v) for v in values}) == len(set(values)) < len(values)
    back = pickle.loads(pickle.dumps(packed))
    assert isinstance(back, LoadResult)
    assert [f.to_dict() for f in back.forms] == [f.to_dict() for f in load_file(sample_file).forms]
    again = pickle.loads(pickle.dumps(packed))  # another file's result, as the parent receives it
    for x, y in zip(back.forms[0].indicators, again.forms[0].indicators, strict=True):
        assert x.target is y.target and x.actual is y.actual and x.weight is y.weight and x.lost is y.lost
    # the scores come back as the receiver's shared floats, each zero with its sign
    weights = pickle.loads(pickle.dumps([Scores((3.0, 3.0, 0.0)), Scores((-0.0, 0.0, -0.0))]))
    assert [list(map(str, w)) for w in weights] == [["3.0", "3.0", "0.0"], ["-0.0", "0.0", "-0.0"]]
    assert weights[0][0] is interning.canon_float(3.0) and weights[1][1] is weights[0][2]
    interning.release()
