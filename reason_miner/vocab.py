"""Loading the data files in `corpora/` (bundled in the package as `reason_miner._corpora`)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any


def corpora_dir() -> Path:
    """The corpora folder: $REASON_MINER_CORPORA, else the copy installed with the package."""
    env = os.environ.get("REASON_MINER_CORPORA")
    if env:
        return Path(env)
    return Path(str(resources.files("reason_miner._corpora")))


def models_dir() -> Path:
    """The folder of shipped cause models (installed with the package as `reason_miner._models`)."""
    env = os.environ.get("REASON_MINER_MODELS")
    if env:
        return Path(env)
    return Path(str(resources.files("reason_miner._models")))


def sample_path() -> Path:
    """The bundled sample: three 2024 forms as text extracted from a PDF.

    Relative to the working directory when it lies below it, so that reports name the same file
    the same way from any checkout.
    """
    path = corpora_dir() / "samples" / "zhongshan_2024.txt"
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def load_json(relpath: str) -> Any:
    with open(corpora_dir() / relpath, encoding="utf-8") as fh:
        return json.load(fh)


@dataclass(frozen=True)
class Vocab:
    """The words the interpreter keys on (corpora/vocab/form_vocab.json)."""

    columns: dict[str, tuple[str, ...]]
    level1_names: frozenset[str]
    level2_names: frozenset[str]
    title_words: tuple[str, ...]
    qualitative_targets: frozenset[str]
    status_phrases: dict[str, tuple[str, ...]]
    funds_rows: dict[str, tuple[str, ...]]
    goal_labels: frozenset[str]
    no_reason: frozenset[str]
    remark_labels: frozenset[str]
    header_lookup: dict[str, str]  # header cell key → logical column
    status_table: tuple[tuple[str, tuple[str, ...]], ...]  # status phrases, most specific status first

    def column_of(self, label_key: str) -> str | None:
        """Which logical column a header cell (already a `key`) names, or None."""
        return self.header_lookup.get(label_key)

    @cached_property
    def status_pattern(self) -> re.Pattern[str]:
        """Matches the start of a status text; group i+1 is `status_table[i]`. Alternatives are tried in
        order, so the first status (most specific first) with a phrase the text starts with wins."""
        groups = ("|".join(map(re.escape, phrases)) or "(?!)" for _, phrases in self.status_table)
        return re.compile("|".join(f"({g})" for g in groups))


@cache
def load_vocab() -> Vocab:
    d = load_json("vocab/form_vocab.json")
    from .normalize import key

    lookup: dict[str, str] = {}
    for col, names in d["columns"].items():
        for n in names:
            lookup.setdefault(key(n), col)
    statuses = {k: tuple(key(x) for x in v) for k, v in d["status_phrases"].items()}
    return Vocab(
        header_lookup=lookup,
        status_table=tuple((s, statuses[s]) for s in ("未达成", "部分达成", "达成")),
        columns={k: tuple(v) for k, v in d["columns"].items()},
        level1_names=frozenset(key(x) for x in d["level1_names"]),
        level2_names=frozenset(key(x) for x in d["level2_names"]),
        title_words=tuple(d["title_words"]),
        qualitative_targets=frozenset(key(x) for x in d["qualitative_targets"]),
        status_phrases=statuses,
        funds_rows={k: tuple(key(x) for x in v) for k, v in d["funds_rows"].items()},
        goal_labels=frozenset(key(x) for x in d["goal_labels"]),
        no_reason=frozenset(key(x) for x in d["no_reason"]),
        remark_labels=frozenset(key(x) for x in d.get("remark_labels", [])),
    )
