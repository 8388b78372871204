"""The synthetic corpus generator: deterministic, realistic in shape, and readable by every route."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from reason_miner import load, synth
from reason_miner.model import Form
from reason_miner.vocab import load_json, load_vocab

CONFIG = synth.SynthConfig(seed=7)


@pytest.fixture(scope="module")
def forms() -> list[synth.SynthForm]:
    return list(synth.generate(300, CONFIG))


def _digest(paths: list[Path]) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def assert_same(expected: list[synth.SynthForm], got: list[Form]) -> None:
    """Every generated value comes back from the written file."""
    assert len(got) == len(expected)
    for sf, f in zip(expected, got, strict=True):
        assert (f.project, f.department, f.unit, f.year) == (sf.project, sf.department, sf.unit, sf.year)
        assert (f.funds.initial, f.funds.adjusted, f.funds.executed) == (
            sf.funds_initial,
            sf.funds_adjusted,
            sf.funds_executed,
        )
        assert (f.funds.rate, f.funds.score, f.total.score, f.grade) == (
            sf.funds_rate,
            sf.funds_score,
            sf.total_score,
            sf.grade,
        )
        assert len(f.indicators) == len(sf.rows)
        for r, ind in zip(sf.rows, f.indicators, strict=True):
            assert (ind.level1, ind.level2, ind.name) == (r.level1, r.level2, r.name)
            assert (ind.target.op, ind.target.value, ind.target.unit) == (r.op, r.value, r.unit)
            if r.op is None:
                assert ind.target.text == r.target
            assert (ind.actual.value, ind.actual.status) == (r.actual_value, r.status)
            assert (ind.weight, ind.score, ind.lost) == (r.weight, r.score, r.lost)
            assert ind.reason == (r.reason or None)


def test_deterministic_and_sliceable() -> None:
    a = list(synth.generate(20, CONFIG, start=50))
    b = [synth.generate_form(i, CONFIG) for i in range(50, 70)]
    assert a == b
    assert list(synth.generate(5, synth.SynthConfig(seed=8))) != list(synth.generate(5, CONFIG))


def test_corpus_files_do_not_depend_on_jobs(tmp_path: Path) -> None:
    serial = synth.write_corpus(tmp_path / "a", 120, "text", config=CONFIG, forms_per_file=30)
    parallel = synth.write_corpus(tmp_path / "b", 120, "text", config=CONFIG, forms_per_file=30, jobs=2)
    assert [p.name for p in serial] == [p.name for p in parallel] == [f"synth_{k:05d}.txt" for k in range(4)]
    assert _digest(serial) == _digest(parallel)


def test_shape_is_realistic(forms: list[synth.SynthForm]) -> None:
    rows = [r for f in forms for r in f.rows]
    losing = [r for r in rows if r.score < r.weight]
    assert 0.07 < len(losing) / len(rows) < 0.13  # ~10% of rows lose points
    assert 20 <= len(rows) / len(forms) <= 35  # real tables have about 30 rows
    for f in forms:
        assert sum(r.weight for r in f.rows) == 90
        if not f.anomalies:
            assert f.total_score == round(f.funds_score + sum(r.score for r in f.rows), 2)
    assert len({f.department for f in forms}) >= 10
    assert len({f.unit for f in forms}) >= 20
    assert {f.year for f in forms} == set(synth.DEFAULT_YEARS)
    # the same project recurs over the years
    per_project = Counter((f.unit, f.project) for f in forms)
    assert max(per_project.values()) == len(synth.DEFAULT_YEARS)
    vocab = load_vocab()
    quals = [r for r in rows if r.op is None]
    assert quals and all(r.target in vocab.qualitative_targets for r in quals)  # words the reader knows
    assert {r.op for r in rows} >= {"≥", "≤", "=", None}
    assert any(r.status == "未达成" for r in rows) and any(r.status == "部分达成" for r in rows)


def test_reasons_carry_their_known_causes(forms: list[synth.SynthForm]) -> None:
    grammar = load_json("synth/reasons.json")
    phrases = {c["id"]: c["phrases"] for c in grammar["causes"]}
    assert abs(sum(s["share"] for s in grammar["shapes"]) - 1) < 1e-9
    with_reason = [r for f in forms for r in f.rows if r.reason]
    assert all(r.score < r.weight for r in with_reason)
    caused = [r for r in with_reason if r.causes]
    assert 0.6 < len(caused) / len(with_reason) < 0.95  # some texts are vague: measures only
    for r in caused:
        for cid in r.causes:
            assert any(p in r.reason for p in phrases[cid]), (cid, r.reason)
    seen = Counter(c for r in caused for c in r.causes)
    assert len(seen) >= 15  # a varied grammar, not a handful of causes
    assert any(len(r.causes) == 2 for r in caused)
    truth = synth.truth(300, CONFIG)["causes"]
    assert {c: v["reasons"] for c, v in truth.items()} == dict(seen)


@pytest.mark.parametrize("fmt", ["text", "flat-csv", "flat-tsv", "xlsx", "flat-xlsx"])
def test_every_format_reads_back(tmp_path: Path, forms: list[synth.SynthForm], fmt: str) -> None:
    n = 40 if fmt in ("xlsx", "flat-xlsx") else 120
    per = {"xlsx": 10, "flat-xlsx": 20}.get(fmt, 60)
    paths = synth.write_corpus(tmp_path, n, fmt, config=CONFIG, forms_per_file=per)
    result = load(paths)
    assert result.errors == []
    assert_same(forms[:n], result.forms)


def test_text_dump_has_the_quirks_of_real_extractions(forms: list[synth.SynthForm]) -> None:
    text = "\n".join(line for f in forms for line in synth.text_lines(f, CONFIG))
    assert text.count("财政项目支出绩效自评表") == len(forms)
    assert "一级 指标" in text and "一级指标" in text  # justified labels, spaced or not
    assert "\t\t\t(" in text  # units carried to the next line after a page break
    assert any("," in line.split("\t")[2] for line in text.splitlines() if line.startswith("\t年度资金总额"))
