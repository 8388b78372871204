"""Saved cause models: plain files, same answers in a fresh process, new texts placed or sent to 其他/新原因."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from reason_miner import LoadResult
from reason_miner.cause_model import CauseModel, ModelError
from reason_miner.clauses import analyse_text
from reason_miner.cli import app
from reason_miner.mine import CauseMiner, extract_reasons, mine_causes, mine_reasons, reasons_from_texts
from reason_miner.results import OTHER_CAUSE_ID
from reason_miner.segment import load_lexicon
from reason_miner.vocab import corpora_dir, models_dir

PROBES = [
    "因场地和人员时间冲突，活动未能如期开展",  # scheduling
    "幸福里活动场所逐渐增多，其运维工作需进一步完善",  # a training text
    "系统界面配色与字体风格需统一调整",  # unrelated to every sample cause
]


@pytest.fixture(scope="module")
def sample_model(sample: LoadResult, tmp_path_factory: pytest.TempPathFactory) -> tuple[CauseMiner, Path]:
    units = [u.text for r in extract_reasons(sample.forms) for u in analyse_text(r.text).units]
    miner = CauseMiner(random_state=0).fit(units)
    assert miner.model_ is not None
    return miner, miner.model_.save(tmp_path_factory.mktemp("model") / "sample")


def test_model_files_are_plain_json_and_npy(sample_model: tuple[CauseMiner, Path]) -> None:
    _, folder = sample_model
    assert sorted(p.name for p in folder.iterdir()) == [
        "centroids.npy", "char_idf.npy", "model.json", "vocab.json", "word_idf.npy",
    ]
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    assert meta["taxonomy"]["version"] == meta["summary"]["taxonomy_version"]
    assert meta["summary"]["causes"] == len(meta["causes"]) == 4
    assert {c["label"] for c in meta["causes"]} >= {"场地人员安排调度", "运维跟不上"}
    centroids = np.load(folder / "centroids.npy", allow_pickle=False)
    assert centroids.shape[0] == 4 and np.allclose(np.linalg.norm(centroids, axis=1), 1.0)


def test_a_fresh_process_assigns_the_same_causes(sample_model: tuple[CauseMiner, Path], sample: LoadResult) -> None:
    miner, folder = sample_model
    texts = [r.text for r in extract_reasons(sample.forms)] + PROBES
    here = mine_reasons(reasons_from_texts(texts, "t"), miner)
    code = (
        "import json,sys\n"
        "from reason_miner.mine import mine_reasons, reasons_from_texts\n"
        "texts = json.loads(sys.stdin.read())\n"
        f"r = mine_reasons(reasons_from_texts(texts, 't'), {str(folder)!r})\n"
        "print(json.dumps([[c.cause_id, c.score] for a in r.reasons for c in a.clauses]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [[c.cause_id, c.score] for a in here.reasons for c in a.clauses]


def test_new_texts_land_in_known_causes_or_other(sample_model: tuple[CauseMiner, Path]) -> None:
    _, folder = sample_model
    model = CauseModel.load(folder)
    result = mine_reasons(reasons_from_texts(PROBES, "new.jsonl"), model)
    labels = {c.id: c.label for c in result.causes}
    near, known, unrelated = result.reasons
    assert labels[near.cause_ids[0]] == "场地人员安排调度"
    assert labels[known.cause_ids[0]] == "运维跟不上"
    assert unrelated.cause_ids == [OTHER_CAUSE_ID] and labels[OTHER_CAUSE_ID] == "其他/新原因"
    assert all(c.score is not None and 0 <= c.score <= 1.000001 for a in result.reasons for c in a.clauses if c.cause_id)


def test_broken_model_folder_is_a_clear_error(tmp_path: Path, sample_model: tuple[CauseMiner, Path]) -> None:
    with pytest.raises(ModelError, match="无法读取原因模型"):
        CauseModel.load(tmp_path / "none")
    _, folder = sample_model
    bad = tmp_path / "bad"
    bad.mkdir()
    for p in folder.iterdir():
        (bad / p.name).write_bytes(p.read_bytes())
    np.save(bad / "centroids.npy", np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ModelError):
        CauseModel.load(bad)  # an object array would need pickle: refused


def test_shipped_default_model_is_current_and_places_the_sample(sample: LoadResult) -> None:
    model = CauseModel.load(models_dir() / "default")
    tax = json.loads((corpora_dir() / "taxonomy.json").read_text(encoding="utf-8"))
    assert model.summary["taxonomy_version"] == tax["version"]
    assert model.summary["lexicon"] == load_lexicon().digest  # retrain after editing corpora/segment
    assert model.summary["reasons"] >= 150
    result = mine_causes(sample.forms, model=model)
    labels = {c.id: c.label for c in result.causes}
    first = {r.indicator: labels[r.cause_ids[0]] for r in result.reasons}
    assert first["开展小型文化活动"] == "场地人员安排调度"
    assert first["为幸福里的正常运维提供保障"] == "运维跟不上"
    assert first["服务群众工作有实效"] == "活动内容不够丰富"


runner = CliRunner()


def test_causes_command_json_schema() -> None:
    res = runner.invoke(app, ["causes", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"reasons", "causes", "errors"}
    r = data["reasons"][0]
    assert {"project", "unit", "indicator", "lost", "text", "vague", "boilerplate", "clauses", "source"} <= set(r)
    assert {"text", "role", "cause_id"} <= set(r["clauses"][0])
    assert {"id", "label", "category", "keywords", "size", "examples"} <= set(data["causes"][0])
    assert len(data["reasons"]) == 9


def test_train_then_causes_with_model(tmp_path: Path, sample_file: Path) -> None:
    reasons = tmp_path / "reasons.jsonl"
    reasons.write_text('{"text": "受疫情影响，培训暂停"}\n"由于疫情反复，活动推迟"\nnot json\n', encoding="utf-8")
    res = runner.invoke(app, ["train", str(sample_file), str(reasons), "--model", str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    assert "模型已保存" in res.stdout and "第3行" in res.stderr
    res = runner.invoke(app, ["causes", str(sample_file), "--model", str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    assert "【c01】场地人员安排调度" in res.stdout and "原因分析不充分" in res.stdout
    res = runner.invoke(app, ["causes", "--model", str(tmp_path / "missing")])
    assert res.exit_code == 2 and "无法读取原因模型" in res.stderr


def test_bad_reason_lists_and_empty_input_do_not_crash(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes('"由于资金下达较晚，项目延期"\n'.encode("gb18030"))
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"\xff\xfe\x00\x81\n")
    res = runner.invoke(app, ["causes", str(gbk), str(broken), str(tmp_path / "missing.jsonl"), "--format", "json"])
    data = json.loads(res.stdout)
    assert res.exit_code == 1  # some files failed; the readable one is still mined
    assert [r["text"] for r in data["reasons"]] == ["由于资金下达较晚，项目延期"]
    assert {e["file"].split("/")[-1] for e in data["errors"]} == {"broken.jsonl", "missing.jsonl"}
    assert all("原因清单" in e["message"] for e in data["errors"])
    empty = CauseMiner().fit([])
    assert empty.causes_ == [] and empty.predict(["受疫情影响"]) == [OTHER_CAUSE_ID]
