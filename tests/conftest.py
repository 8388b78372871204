from __future__ import annotations

from pathlib import Path

import pytest

from reason_miner import LoadResult, load
from reason_miner.vocab import sample_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sample_file() -> Path:
    return sample_path()


@pytest.fixture(scope="session")
def sample(sample_file: Path) -> LoadResult:
    return load([sample_file])
