"""Contracts between stages after interpretation: check findings and mined causes.

Producers: `reason_miner.checks` (Finding), `reason_miner.mine` (ReasonAnalysis, Cause, CauseResult).
Consumers: link / advise / report. `to_dict` gives the JSON documented in the README.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .model import Source

Severity = Literal["error", "warning", "info"]
Role = Literal["cause", "effect", "measure"]
OTHER_CAUSE_ID = "other"  # 其他/新原因: reasons a saved model cannot place


@dataclass
class Finding:
    """One check result on one form (indicator None) or one indicator row."""

    rule: str  # e.g. total_mismatch, direction_suspect, budget_cut
    severity: Severity
    project: str | None
    unit: str | None
    indicator: str | None
    message: str  # Chinese, for a finance officer
    source: Source
    form_index: int  # position of the form in the list given to the checks
    indicator_index: int | None = None  # position in form.indicators
    data: dict[str, Any] = field(default_factory=dict)  # the numbers behind the message (e.g. {"change_pct": -51.8})

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return d


@dataclass
class Clause:
    text: str
    role: Role
    cause_id: str | None = None  # set on cause clauses (and on the whole-text fallback)
    score: float | None = None  # cosine similarity of the clause's cause unit to its cause


@dataclass
class ReasonAnalysis:
    """One reason text of one indicator row, split into clauses with their roles and causes."""

    project: str | None
    unit: str | None
    indicator: str
    lost: float | None
    text: str
    vague: bool  # measures only, no stated cause (审计: 偏差原因分析不充分)
    boilerplate: list[Source]  # the other places the same text appears (empty when unique)
    clauses: list[Clause]
    source: Source
    form_index: int
    indicator_index: int
    boilerplate_count: int = 0  # how many other places carry the same text (boilerplate lists at most 20)

    @property
    def cause_ids(self) -> list[str]:
        """Distinct causes of this reason, in clause order."""
        return list(dict.fromkeys(c.cause_id for c in self.clauses if c.cause_id))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Cause:
    id: str  # stable within a model, e.g. "c01"; OTHER_CAUSE_ID for 其他/新原因
    label: str  # short Chinese phrase, 2-10 characters
    category: str | None  # taxonomy category when matched
    keywords: list[str]
    size: int  # number of clauses assigned
    examples: list[str]  # representative texts

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CauseResult:
    reasons: list[ReasonAnalysis]
    causes: list[Cause]

    def cause(self, cause_id: str) -> Cause:
        return next(c for c in self.causes if c.id == cause_id)
