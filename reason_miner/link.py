"""The links table: every reason × cause tied to its indicator, the points it lost and its source.

Points are handled in integer hundredths ("cents") so that the points attributed to the causes of
one reason add up exactly to the points that row lost; the remainder of an uneven split goes to
the causes in clause order (deterministic). A row that lost points without a stated cause (no
reason text, or a vague text with measures only) is linked to UNSTATED_CAUSE_ID so that the
attributed points of all causes add up to the points lost by all forms.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from .model import Form, Indicator, Source
from .results import CauseResult, ReasonAnalysis

UNSTATED_CAUSE_ID = "unstated"
UNSTATED_LABEL = "未说明原因"


def to_cents(points: float | None) -> int:
    """Points (scores carry at most two decimals) as integer hundredths."""
    return round((points or 0.0) * 100)


def split_cents(total: int, parts: int) -> list[int]:
    """Split `total` into `parts` integer shares that add up exactly; earlier shares take the remainder."""
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


@dataclass
class Link:
    """One (reason, cause) pair, or one row that lost points with no stated cause."""

    reason_index: int | None  # position in CauseResult.reasons; None when the row has no reason text
    cause_id: str
    cause_label: str
    category: str | None
    project: str | None
    unit: str | None
    department: str | None
    year: int | None
    level1: str | None
    level2: str | None
    indicator: str
    target: str
    actual: str
    weight: float | None
    score: float | None
    lost: float  # points the row lost (分值 − 得分)
    points_involved: float  # = lost, counted once for each cause of the reason
    points_attributed: float  # this cause's share of `lost`; shares of one row add up to `lost`
    attributed_cents: int  # the same share in hundredths, for exact sums
    reason: str  # the whole reason text ("" when none)
    cause_text: str  # the clause(s) naming this cause
    measures: list[str]  # the improvement measures of the same text that are about this cause or general
    vague: bool
    boilerplate: int  # how many other places carry the same text
    source: Source
    form_index: int
    indicator_index: int

    @property
    def location(self) -> str:
        return self.source.describe()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["location"] = self.location
        return d


def _labels(causes: CauseResult) -> dict[str, tuple[str, str | None]]:
    labels = {c.id: (c.label, c.category) for c in causes.causes}
    labels.setdefault(UNSTATED_CAUSE_ID, (UNSTATED_LABEL, None))
    return labels


def _row_links(
    form: Form,
    ind: Indicator,
    fi: int,
    ii: int,
    reason: ReasonAnalysis | None,
    reason_index: int | None,
    labels: dict[str, tuple[str, str | None]],
) -> list[Link]:
    lost_cents = max(to_cents(ind.lost), 0)
    cause_ids = reason.cause_ids if reason else []
    if not cause_ids:
        if lost_cents == 0 and reason is None:
            return []
        cause_ids = [UNSTATED_CAUSE_ID]
    shares = split_cents(lost_cents, len(cause_ids))
    links = []
    for cid, share in zip(cause_ids, shares, strict=True):
        label, category = labels.get(cid, (cid, None))
        # a measure tied to another cause of the same text belongs to that cause's link
        measures = [c.text for c in reason.clauses if c.role == "measure" and c.cause_id in (None, cid)] if reason else []
        cause_text = "；".join(c.text for c in reason.clauses if c.cause_id == cid) if reason else ""
        links.append(
            Link(
                reason_index=reason_index,
                cause_id=cid,
                cause_label=label,
                category=category,
                project=form.project,
                unit=form.unit,
                department=form.department,
                year=form.year,
                level1=ind.level1,
                level2=ind.level2,
                indicator=ind.name,
                target=ind.target.raw,
                actual=ind.actual.raw,
                weight=ind.weight,
                score=ind.score,
                lost=lost_cents / 100,
                points_involved=lost_cents / 100,
                points_attributed=share / 100,
                attributed_cents=share,
                reason=reason.text if reason else (ind.reason or ""),
                cause_text=cause_text,
                measures=measures,
                vague=reason.vague if reason else True,
                boilerplate=reason.boilerplate_count if reason else 0,
                source=ind.source,
                form_index=fi,
                indicator_index=ii,
            )
        )
    return links


def link_causes(forms: list[Form], causes: CauseResult) -> list[Link]:
    """Every indicator row with a reason or lost points, once per cause, in form and row order."""
    by_form: dict[int, dict[int, tuple[int, ReasonAnalysis]]] = defaultdict(dict)
    for n, r in enumerate(causes.reasons):
        by_form[r.form_index][r.indicator_index] = (n, r)
    labels = _labels(causes)
    links: list[Link] = []
    none: dict[int, tuple[int, ReasonAnalysis]] = {}
    for fi, form in enumerate(forms):
        reasons = by_form.get(fi, none)
        inds = form.indicators
        # most rows have no reason and lost nothing: only rows with either are visited
        rows = [ii for ii, ind in enumerate(inds) if ind.lost]
        if reasons:
            rows = sorted(set(rows).union(ii for ii in reasons if 0 <= ii < len(inds)))
        for ii in rows:
            ind = inds[ii]
            found = reasons.get(ii)
            if found is None:
                if not ind.lost or ind.lost < 0 or to_cents(ind.lost) <= 0:
                    continue
                links.extend(_row_links(form, ind, fi, ii, None, None, labels))
            else:
                links.extend(_row_links(form, ind, fi, ii, found[1], found[0], labels))
    return links


def total_lost_cents(forms: list[Form]) -> int:
    """Points lost by all indicator rows of all forms, in hundredths."""
    return sum(max(to_cents(i.lost), 0) for f in forms for i in f.indicators)
