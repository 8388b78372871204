"""Every route to the forms gives the same result: serial, local processes, Dask, the workspace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reason_miner import synth, workspace
from reason_miner.analyze import analyze
from reason_miner.load import LoadResult
from reason_miner.sources import load_input

CONFIG = synth.SynthConfig(seed=11)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dist") / "corpus"
    synth.write_corpus(folder / "dumps", 24, "text", config=CONFIG, forms_per_file=6)
    synth.write_corpus(folder / "exports", 12, "flat-csv", config=synth.SynthConfig(seed=12), forms_per_file=6)
    (folder / "dumps" / "empty.txt").write_text("", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def routes(corpus: Path, client: object, tmp_path_factory: pytest.TempPathFactory) -> dict[str, LoadResult]:
    db = tmp_path_factory.mktemp("ws") / "ws.duckdb"
    workspace.ingest([corpus], db, jobs=2)
    address = client.scheduler.address  # type: ignore[attr-defined]
    return {
        "serial": load_input([corpus]),
        "processes": load_input([corpus], jobs=2),
        "dask": load_input([corpus], scheduler=address),
        "workspace": load_input(None, db=db),
    }


def _dicts(r: LoadResult) -> tuple[list[dict], list[dict], int]:
    return [f.to_dict() for f in r.forms], [e.to_dict() for e in r.errors], r.files


def test_every_route_loads_the_same_forms(routes: dict[str, LoadResult]) -> None:
    serial = _dicts(routes["serial"])
    assert len(serial[0]) == 36 and len(serial[1]) == 1  # the empty file is reported, not dropped
    for name, result in routes.items():
        assert _dicts(result) == serial, name


def test_ingest_through_dask(corpus: Path, client: object, tmp_path: Path) -> None:
    db = tmp_path / "dask.duckdb"
    report = workspace.ingest([corpus], db, scheduler=client)
    assert (report.added, report.forms) == (7, 36)
    assert _dicts(load_input(None, db=db)) == _dicts(load_input([corpus]))


def test_year_filter_is_the_same_on_every_route(corpus: Path, routes: dict[str, LoadResult], tmp_path: Path) -> None:
    db = tmp_path / "ws.duckdb"
    workspace.ingest([corpus], db, jobs=1)
    expected = [f.to_dict() for f in routes["serial"].forms if f.year == 2023]
    assert expected
    assert [f.to_dict() for f in load_input([corpus], year=2023).forms] == expected
    assert [f.to_dict() for f in load_input([corpus], year=2023, jobs=2).forms] == expected
    assert [f.to_dict() for f in load_input(None, db=db, year=2023).forms] == expected


def test_findings_are_identical_across_routes(routes: dict[str, LoadResult], tmp_path: Path) -> None:
    outputs = {}
    for name, result in routes.items():
        analyze(result, tmp_path / name)
        outputs[name] = (tmp_path / name / "findings.json").read_bytes()
    assert len(set(outputs.values())) == 1
    assert b'"checks"' in outputs["serial"]
