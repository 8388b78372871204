"""findings.json: every stage of the analysis, machine-readable (keys forms, checks, causes,
links, systemic, plans, targets, plus errors and summary)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..analyze import AnalysisResult


def write_json(result: AnalysisResult, path: Path) -> None:
    text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
