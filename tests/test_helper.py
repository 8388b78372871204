"""The helper process beside the analysis (text mining, findings.json's head through the forms): the
same bytes as doing it all in one process, on every path through `analyze`, and nothing left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reason_miner import helper, synth
from reason_miner.analyze import AnalyzeConfig, analyze
from reason_miner.forked import ForkedError
from reason_miner.load import LoadResult
from reason_miner.report.json_out import write_json
from reason_miner.sources import load_input

pytestmark = pytest.mark.skipif(not helper.available(), reason="the helper is forked (Linux)")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fp") / "corpus"
    synth.write_corpus(folder / "dumps", 30, "text", config=synth.SynthConfig(seed=21), forms_per_file=5)
    synth.write_corpus(folder / "exports", 10, "flat-csv", config=synth.SynthConfig(seed=22), forms_per_file=5)
    (folder / "dumps" / "broken.txt").write_text("不是自评表\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def expected(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """findings.json written in one process, from forms read serially."""
    out = tmp_path_factory.mktemp("serial")
    loaded = load_input([corpus])
    assert loaded.helper is None
    analyze(loaded, out, config=AnalyzeConfig(parallel=False))
    return (out / "findings.json").read_bytes()


def _left_behind(part: helper.Helper, out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(".")] + (
        [part.folder] if os.path.exists(part.folder) else []
    )


@pytest.mark.parametrize("parallel", [False, True], ids=["in-turn", "forked-reports"])
def test_helper_writes_the_same_findings(corpus: Path, expected: bytes, tmp_path: Path, parallel: bool) -> None:
    loaded = load_input([corpus], jobs=2, helper=True)
    part = loaded.helper
    assert part is not None and len(part.names) == 9  # every file spooled, the broken one too
    result = analyze(loaded, tmp_path, config=AnalyzeConfig(parallel=parallel))
    assert (tmp_path / "findings.json").read_bytes() == expected
    assert set(part.seconds) == {"mine", "head"}  # both were the helper's
    assert result.helper is part and not part.matches(result.forms)  # closed after the run
    assert _left_behind(part, tmp_path) == []
    assert not part._process.is_alive()


def test_second_run_on_the_same_forms_does_without_the_helper(corpus: Path, expected: bytes, tmp_path: Path) -> None:
    loaded = load_input([corpus], jobs=2, helper=True)
    analyze(loaded, tmp_path / "first", config=AnalyzeConfig(parallel=False))
    assert loaded.helper is not None and not loaded.helper.open
    analyze(loaded, tmp_path / "second", config=AnalyzeConfig(parallel=False))
    assert (tmp_path / "first" / "findings.json").read_bytes() == expected
    assert (tmp_path / "second" / "findings.json").read_bytes() == expected


def test_helper_keeps_the_year_asked_for(corpus: Path, tmp_path: Path) -> None:
    serial = load_input([corpus], year=2023)
    analyze(serial, tmp_path / "serial", config=AnalyzeConfig(parallel=False))
    loaded = load_input([corpus], jobs=2, year=2023, helper=True)
    assert loaded.forms and all(f.year == 2023 for f in loaded.forms)
    analyze(loaded, tmp_path / "helper", config=AnalyzeConfig(parallel=False))
    assert loaded.helper is not None and "head" in loaded.helper.seconds
    assert (tmp_path / "helper" / "findings.json").read_bytes() == (tmp_path / "serial" / "findings.json").read_bytes()


def test_forms_changed_after_loading_are_written_here(corpus: Path, tmp_path: Path) -> None:
    """A list that is no longer the one the helper encoded is not taken from it."""
    loaded = load_input([corpus], jobs=2, helper=True)
    part = loaded.helper
    assert part is not None
    loaded.forms = loaded.forms[1:]
    result = analyze(loaded, tmp_path / "helper", config=AnalyzeConfig(parallel=False))
    plain = LoadResult(list(loaded.forms), loaded.errors, loaded.files)
    analyze(plain, tmp_path / "plain", config=AnalyzeConfig(parallel=False))
    assert (tmp_path / "helper" / "findings.json").read_bytes() == (tmp_path / "plain" / "findings.json").read_bytes()
    assert result.summary()["forms"] == 39
    assert _left_behind(part, tmp_path / "helper") == []


def test_findings_elsewhere_are_written_here(corpus: Path, expected: bytes, tmp_path: Path) -> None:
    """findings.json written into another folder than the head's is encoded whole, not renamed across."""
    loaded = load_input([corpus], jobs=2, helper=True)
    result = analyze(loaded, tmp_path / "run", config=AnalyzeConfig(parallel=False))
    other = tmp_path / "other"
    other.mkdir()
    write_json(result, other / "findings.json")
    assert (other / "findings.json").read_bytes() == expected


def test_helper_failure_is_raised_and_cleaned_up(corpus: Path, tmp_path: Path) -> None:
    loaded = load_input([corpus], jobs=2, helper=True)
    part = loaded.helper
    assert part is not None
    os.unlink(part.names[3])  # the spool lost a file: the helper cannot read it back
    with pytest.raises(ForkedError, match=r"helper failed \(head\).*FileNotFoundError"):
        analyze(loaded, tmp_path, config=AnalyzeConfig(parallel=False))
    assert not (tmp_path / "findings.json").exists()
    assert _left_behind(part, tmp_path) == []
    assert not part._process.is_alive()


def test_mining_failure_is_raised_and_cleaned_up(corpus: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise MemoryError("out of memory while clustering")

    monkeypatch.setitem(helper._JOBS, "mine", fail)  # before the helper is forked: it has the same table
    loaded = load_input([corpus], jobs=2, helper=True)
    part = loaded.helper
    assert part is not None
    with pytest.raises(ForkedError, match=r"helper failed \(mine\): MemoryError: out of memory"):
        analyze(loaded, tmp_path, config=AnalyzeConfig(parallel=False))
    assert not (tmp_path / "findings.json").exists()
    assert _left_behind(part, tmp_path) == []
    assert not part._process.is_alive()


def test_saved_model_goes_to_the_helper(corpus: Path, tmp_path: Path) -> None:
    """Causes assigned to a saved model's (as `analyze --model`): the helper gets the model, pickled,
    and the findings are the same."""
    from reason_miner.cause_model import CauseModel
    from reason_miner.clauses import analyse_text
    from reason_miner.mine import CauseMiner, extract_reasons

    serial = load_input([corpus])
    units = [u.text for r in extract_reasons(serial.forms) for u in analyse_text(r.text).units]
    miner = CauseMiner(random_state=3, distance_threshold=0.7).fit(units)
    assert miner.model_ is not None
    folder = miner.model_.save(tmp_path / "model")
    analyze(serial, tmp_path / "serial", model=CauseModel.load(folder), config=AnalyzeConfig(parallel=False))
    loaded = load_input([corpus], jobs=2, helper=True)
    analyze(loaded, tmp_path / "helper", model=CauseModel.load(folder), config=AnalyzeConfig(parallel=False))
    assert loaded.helper is not None and "mine" in loaded.helper.seconds
    found = (tmp_path / "helper" / "findings.json").read_bytes()
    assert found == (tmp_path / "serial" / "findings.json").read_bytes()
    analyze(load_input([corpus]), tmp_path / "default", config=AnalyzeConfig(parallel=False))
    assert found != (tmp_path / "default" / "findings.json").read_bytes()  # the model made a difference


def test_results_that_cannot_be_spooled_are_sent_and_the_forms_written_here(
        corpus: Path, expected: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spool that cannot be written (disk full): the workers send their results as they used to,
    the helper still mines, findings.json encodes the forms itself, and no form is lost."""
    real = helper.spool
    monkeypatch.setattr(helper, "spool", lambda result, folder: real(result, os.path.join(folder, "gone")))
    loaded = load_input([corpus], jobs=2, helper=True)
    part = loaded.helper
    assert part is not None and part.unspooled == 9 and part.names == []
    assert len(loaded.forms) == 40  # every form, though none was spooled
    analyze(loaded, tmp_path, config=AnalyzeConfig(parallel=False))
    assert (tmp_path / "findings.json").read_bytes() == expected
    assert set(part.seconds) == {"mine"}  # no head: a spooled result was missing
    assert _left_behind(part, tmp_path) == []


def test_unused_part_ends_its_helper(corpus: Path) -> None:
    """Loaded for findings.json, never analysed: closing (or dropping) the result ends the helper."""
    loaded = load_input([corpus], jobs=2, helper=True)
    part = loaded.helper
    assert part is not None and part._process.is_alive() and os.path.isdir(part.folder)
    part.close()
    assert not part._process.is_alive() and not os.path.exists(part.folder)


def test_no_helper_where_nothing_is_read_in_other_processes(corpus: Path) -> None:
    assert load_input([corpus], jobs=1, helper=True).helper is None
    one = next((corpus / "dumps").glob("*.txt"))
    assert load_input([one], jobs=2, helper=True).helper is None
    assert load_input([corpus], jobs=2).helper is None  # not asked for


def test_analyze_command_uses_the_helper(corpus: Path, expected: bytes, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from reason_miner.cli import app

    started: list[Path] = []
    start = helper.Helper.start
    def recorded(self: helper.Helper, head: Path) -> None:
        started.append(head)
        start(self, head)

    monkeypatch.setattr(helper.Helper, "start", recorded)
    result = CliRunner().invoke(app, ["analyze", str(corpus), "--out", str(tmp_path), "--jobs", "2"])
    assert result.exit_code == 1, result.output  # the broken file is reported, and fails the run's status
    assert "broken.txt" in result.output
    assert started == [tmp_path / ".findings.json.head"]
    assert (tmp_path / "findings.json").read_bytes() == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["findings.json", "plan.docx", "report.html", "report.md", "report.xlsx"])
