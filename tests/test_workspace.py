"""The DuckDB workspace: ingest skips what it has, replaces what changed, survives a crash."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from reason_miner import load, synth, workspace
from reason_miner.cli import app
from reason_miner.sources import load_input

CONFIG = synth.SynthConfig(seed=3)


def _corpus(root: Path) -> Path:
    folder = root / "corpus"
    synth.write_corpus(folder, 90, "text", config=CONFIG, forms_per_file=15)
    synth.write_corpus(folder / "flat", 30, "flat-csv", config=synth.SynthConfig(seed=4), forms_per_file=30)
    (folder / "broken.txt").write_text("这不是自评表\n", encoding="utf-8")
    return folder


def _dicts(result: object) -> tuple[list[dict], list[dict], int]:
    return (
        [f.to_dict() for f in result.forms],  # type: ignore[attr-defined]
        [e.to_dict() for e in result.errors],  # type: ignore[attr-defined]
        result.files,  # type: ignore[attr-defined]
    )


def _counts(db: Path) -> tuple[int, int, int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM forms), "
            "(SELECT count(DISTINCT (path, seq)) FROM forms), (SELECT count(*) FROM errors)"
        ).fetchone()
    assert row is not None
    return row


def test_ingest_then_read_back_equals_reading_the_files(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    db = tmp_path / "ws.duckdb"
    first = workspace.ingest([folder], db)
    assert (first.files, first.added, first.skipped, first.forms) == (8, 8, 0, 120)
    assert first.failed_files == 1  # broken.txt: stored as an error, not a crash
    direct = load([folder])
    assert _dicts(workspace.read_workspace(db)) == _dicts(direct)
    assert _dicts(load_input(None, db=db)) == _dicts(direct)
    only_2023 = load_input(None, db=db, year=2023)
    assert [f.to_dict() for f in only_2023.forms] == [f.to_dict() for f in direct.forms if f.year == 2023]
    assert 0 < len(only_2023.forms) < len(direct.forms)


def test_reingest_adds_nothing_and_changed_file_replaces_its_forms(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    db = tmp_path / "ws.duckdb"
    workspace.ingest([folder], db)
    before = _counts(db)
    again = workspace.ingest([folder], db)
    assert (again.skipped, again.added, again.replaced, again.forms) == (8, 0, 0, 0)
    assert _counts(db) == before
    # a file whose content changed: fewer forms now; the old ones must go
    changed = folder / "synth_00001.txt"
    changed.write_text(
        "\n".join(line for f in synth.generate(5, CONFIG, start=15) for line in synth.text_lines(f, CONFIG)) + "\n",
        encoding="utf-8",
    )
    third = workspace.ingest([folder], db)
    assert (third.replaced, third.skipped, third.forms) == (1, 7, 5)
    files, forms, distinct, _ = _counts(db)
    assert (files, forms, distinct) == (before[0], before[1] - 10, before[1] - 10)
    assert _dicts(workspace.read_workspace(db)) == _dicts(load([folder]))


def test_interrupted_ingest_resumes_without_duplicates_or_losses(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    db = tmp_path / "ws.duckdb"
    # a process that dies (no cleanup, no rollback) in the middle of writing its third batch
    crash = textwrap.dedent(
        f"""
        import os
        from reason_miner import workspace
        workspace.BATCH_FILES = 1
        calls = 0
        real = workspace._replace_rows
        def dying(con):
            global calls
            calls += 1
            real(con)
            if calls == 3:  # the third file's rows are written, its transaction is not committed
                os._exit(7)
        workspace._replace_rows = dying
        workspace.ingest([{str(folder)!r}], {str(db)!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 7, proc.stderr
    files, forms, distinct, _ = _counts(db)
    assert (files, forms, distinct) == (2, 30, 30)  # two whole files stored, nothing of the third
    resumed = workspace.ingest([folder], db)
    assert (resumed.skipped, resumed.added) == (2, 6)
    files, forms, distinct, _ = _counts(db)
    assert (files, forms, distinct) == (8, 120, 120)
    assert _dicts(workspace.read_workspace(db)) == _dicts(load([folder]))


def test_failed_transaction_keeps_whole_files_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _corpus(tmp_path)
    db = tmp_path / "ws.duckdb"
    monkeypatch.setattr(workspace, "BATCH_FILES", 3)
    real = workspace._replace_rows
    calls = {"n": 0}

    def failing(con: object) -> None:
        calls["n"] += 1
        real(con)  # type: ignore[arg-type]
        if calls["n"] == 2:  # the second batch of three files is written, not committed
            raise KeyboardInterrupt

    monkeypatch.setattr(workspace, "_replace_rows", failing)
    with pytest.raises(KeyboardInterrupt):
        workspace.ingest([folder], db)
    assert _counts(db)[:3] == (3, 45, 45)
    monkeypatch.setattr(workspace, "_replace_rows", real)
    assert workspace.ingest([folder], db).added == 5
    assert _counts(db)[:3] == (8, 120, 120)


def test_export_parquet(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    db = tmp_path / "ws.duckdb"
    workspace.ingest([folder], db)
    paths = workspace.export_parquet(db, tmp_path / "pq")
    assert [p.name for p in paths] == ["files.parquet", "forms.parquet", "indicators.parquet", "errors.parquet"]
    direct = load([folder])
    inds = pq.read_table(tmp_path / "pq" / "indicators.parquet").to_pylist()
    expected = [
        (f.project, i.name, i.target.op, i.target.value, i.lost, i.reason) for f in direct.forms for i in f.indicators
    ]
    assert [
        (r["project"], r["name"], r["target_op"], r["target_value"], r["lost"], r["reason"]) for r in inds
    ] == expected
    assert pq.read_table(tmp_path / "pq" / "forms.parquet").num_rows == len(direct.forms)
    errors = pq.read_table(tmp_path / "pq" / "errors.parquet").to_pylist()
    assert [e["path"] for e in errors] == [str(folder / "broken.txt")]


def test_cli_ingest_and_export(tmp_path: Path) -> None:
    folder = _corpus(tmp_path)
    db = tmp_path / "cli.duckdb"
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--jobs", "1"])
    assert first.exit_code == 0, first.output
    assert "新增 8" in first.output and "本次写入 120 张自评表" in first.output
    assert "2022年 40 张" in first.output
    second = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--jobs", "1"])
    assert "跳过 8" in second.output and "本次写入 0 张自评表" in second.output
    out = runner.invoke(app, ["export", "--db", str(db), "--out", str(tmp_path / "pq")])
    assert out.exit_code == 0 and (tmp_path / "pq" / "indicators.parquet").exists()
    missing = runner.invoke(app, ["export", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x")])
    assert missing.exit_code == 1 and "工作区不存在" in missing.output


def test_form_json_is_the_json_of_to_dict(sample: object) -> None:
    import json

    for form in sample.forms:  # type: ignore[attr-defined]
        assert workspace.form_json(form) == json.dumps(form.to_dict(), ensure_ascii=False)
