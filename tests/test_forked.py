"""Report files written in a forked child beside findings.json: the same bytes as in turn, and a
child's failure surfaces in the parent with its message."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_reports import build

from reason_miner.analyze import OUTPUT_FILES, AnalysisResult, write_reports
from reason_miner.forked import Forked, ForkedError, fork_available, fork_fits
from reason_miner.load import LoadResult

pytestmark = pytest.mark.skipif(not fork_available(), reason="fork is used on Linux only")


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork whatever the memory of the machine running the tests."""
    from reason_miner import analyze as analyze_mod
    from reason_miner import forked

    monkeypatch.setattr(forked, "can_fork", lambda: True)
    monkeypatch.setattr(analyze_mod, "can_fork", lambda: True)


def test_forked_returns_the_childs_value_and_sees_the_parents_objects() -> None:
    data = {"rows": list(range(1000))}  # not pickled: the child reads the parent's memory
    assert Forked(lambda: sum(data["rows"])).join() == 499500


def test_forked_raises_the_childs_error() -> None:
    def fail() -> None:
        raise ValueError("第3行无法解析")

    with pytest.raises(ForkedError, match="ValueError: 第3行无法解析"):
        Forked(fail).join()


def test_forked_reports_a_child_that_dies() -> None:
    with pytest.raises(ForkedError, match="child process died"):
        Forked(lambda: os._exit(3)).join()


def test_forked_items_arrive_one_by_one_while_the_child_goes_on(tmp_path: Path) -> None:
    gate = tmp_path / "gate"

    def steps() -> Iterator[int]:
        yield os.getpid()
        while not gate.exists():  # the second item waits for the parent to have the first
            time.sleep(0.01)
        yield 2

    job = Forked(steps, items=True)
    child_pid = job.receive()
    assert child_pid != os.getpid()
    gate.touch()
    assert job.receive() == 2
    assert job.join() is None
    with pytest.raises(ForkedError, match="already joined"):
        job.receive()


def test_forked_items_raise_the_childs_error_where_it_happened() -> None:
    def steps() -> Iterator[int]:
        yield 1
        raise KeyError("第二步出错")

    job = Forked(steps, items=True)
    assert job.receive() == 1
    with pytest.raises(ForkedError, match="KeyError: '第二步出错'"):
        job.receive()
    empty = Forked(lambda: iter(()), items=True)
    with pytest.raises(ForkedError, match="no more items"):
        empty.receive()


def test_parallel_reports_are_byte_identical_to_sequential(sample: LoadResult, tmp_path: Path,
                                                           forking: None) -> None:
    result: AnalysisResult = build(sample)
    write_reports(result, tmp_path / "seq", parallel=False)
    write_reports(result, tmp_path / "par", parallel=True)
    assert set(result.write_seconds) == set(OUTPUT_FILES)
    assert set(result.seconds) == {"link", "systemic", "plans", "targets"}
    for name in OUTPUT_FILES.values():
        assert (tmp_path / "seq" / name).read_bytes() == (tmp_path / "par" / name).read_bytes(), name


def _disk_full(*_: object) -> None:
    """A writer that fails as a full disk would."""
    raise OSError("磁盘已满")


def test_a_failing_report_writer_fails_the_run(sample: LoadResult, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, forking: None) -> None:
    from reason_miner import analyze as analyze_mod

    monkeypatch.setitem(analyze_mod.WRITERS, "docx", _disk_full)  # runs in the child
    with pytest.raises(ForkedError, match="OSError: 磁盘已满"):
        write_reports(build(sample), tmp_path)
    assert (tmp_path / "findings.json").stat().st_size > 0  # the parent's side completed


def test_fork_only_when_memory_allows_twice_the_resident_set(tmp_path: Path) -> None:
    meminfo, status = tmp_path / "meminfo", tmp_path / "status"
    status.write_text("Name:\tpython\nVmRSS:\t 2000000 kB\n", encoding="ascii")
    meminfo.write_text("MemTotal: 8000000 kB\nMemAvailable: 3999999 kB\n", encoding="ascii")
    assert not fork_fits(str(meminfo), str(status))
    meminfo.write_text("MemTotal: 8000000 kB\nMemAvailable: 4000000 kB\n", encoding="ascii")
    assert fork_fits(str(meminfo), str(status))
    assert not fork_fits(str(tmp_path / "missing"), str(status))  # unknown: run in turn


def test_cli_jobs_1_runs_in_turn_with_the_same_bytes(tmp_path: Path, forking: None) -> None:
    from typer.testing import CliRunner

    from reason_miner.cli import app

    runner = CliRunner()
    one = runner.invoke(app, ["analyze", "--out", str(tmp_path / "one"), "--jobs", "1"])
    two = runner.invoke(app, ["analyze", "--out", str(tmp_path / "two"), "--jobs", "3"])  # forks_pay(3)
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert "子进程" not in one.stderr and "[进度] 写出 report.xlsx……" in one.stderr
    assert "[进度] 写出 report.xlsx（子进程" in two.stderr
    for name in OUTPUT_FILES.values():
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_findings_json_section_from_the_child_fails_cleanly(sample: LoadResult, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch, forking: None) -> None:
    from reason_miner.report import json_out

    monkeypatch.setattr(json_out, "write_part", _disk_full)  # sections encoded in the child
    with pytest.raises(ForkedError, match="OSError: 磁盘已满"):
        write_reports(build(sample), tmp_path)
    assert not list(tmp_path.glob(".*.part"))  # no half-written section left behind


def test_analysis_beside_the_mining_gives_the_files_of_the_analysis_in_turn(
        sample: LoadResult, tmp_path: Path, forking: None) -> None:
    """Checks and the target changes are decided in a forked child while this process mines (the
    changes come back pickled): every report is the same as when all runs in turn."""
    from reason_miner.analyze import AnalyzeConfig, analyze

    seq = analyze(sample, tmp_path / "seq", config=AnalyzeConfig(parallel=False))
    par = analyze(sample, tmp_path / "par", config=AnalyzeConfig(parallel=True))
    assert len(par.targets.changed) == len(seq.targets.changed) > 0
    assert {"check", "mine", "targets"} <= set(par.seconds)
    for name in OUTPUT_FILES.values():
        assert (tmp_path / "seq" / name).read_bytes() == (tmp_path / "par" / name).read_bytes(), name


def test_a_failing_check_in_the_analysis_child_fails_the_run(sample: LoadResult, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch, forking: None) -> None:
    from reason_miner import analyze as analyze_mod

    def broken(*_: object, **__: object) -> None:
        raise ValueError("校验规则出错")

    monkeypatch.setattr(analyze_mod, "target_changes", broken)  # the child's second step
    with pytest.raises(ForkedError, match="ValueError: 校验规则出错"):
        analyze_mod.analyze(sample, tmp_path / "out")
    assert not (tmp_path / "out" / "findings.json").exists()
