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
from itertools import compress
from operator import attrgetter
from typing import Any

from .model import Form, Source
from .results import CauseResult, Clause

UNSTATED_CAUSE_ID = "unstated"
UNSTATED_LABEL = "未说明原因"
_LOST = attrgetter("lost")


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
    # the improvement measures of the same text that are about this cause or general; one list shared
    # by the links of a text's cause, so read-only
    measures: list[str]
    vague: bool
    boilerplate: int  # how many other places carry the same text
    source: Source
    form_index: int
    indicator_index: int

    # not cached on the instance: an attribute added after __init__ takes the instance off Python
    # 3.11's fast attribute path, which cost systemic and plans more than describing again saved
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


@dataclass(slots=True)
class _CausePart:
    """What every link of one cause of one reason text carries besides the row's own values."""

    cause_id: str
    label: str
    category: str | None
    cause_text: str  # the clause(s) naming this cause
    measures: list[str]  # shared by the links of every reason with this clause list: read-only


def _cause_parts(clauses: list[Clause], labels: dict[str, tuple[str, str | None]]) -> list[_CausePart]:
    """The causes of one text in clause order (UNSTATED_CAUSE_ID when it names none)."""
    named: dict[str, list[str]] = {}  # cause id → the texts of its clauses
    measures: list[tuple[str, str | None]] = []
    for c in clauses:
        if c.cause_id:
            named.setdefault(c.cause_id, []).append(c.text)
        if c.role == "measure":
            measures.append((c.text, c.cause_id))
    parts = []
    for cid, texts in (named or {UNSTATED_CAUSE_ID: []}).items():
        label, category = labels.get(cid, (cid, None))
        # a measure tied to another cause of the same text belongs to that cause's link
        mine = [t for t, tied in measures if tied is None or tied == cid]
        parts.append(_CausePart(cid, label, category, "；".join(texts), mine))
    return parts


def _lost_cents(lost: float | None) -> int:
    """What a row lost, in hundredths; a negative or missing loss is none."""
    return round(lost * 100) if lost and lost > 0 else 0


def link_causes(forms: list[Form], causes: CauseResult) -> list[Link]:
    """Every indicator row with a reason or lost points, once per cause, in form and row order.

    A reason without a stated cause links to UNSTATED_CAUSE_ID; so does a row that lost points with
    no reason. The cause parts of a reason are worked out once per clause list: the miner gives the
    reasons sharing a text one list, and a province's year repeats its texts about four times."""
    by_form: dict[int, dict[int, int]] = defaultdict(dict)
    for ri, r in enumerate(causes.reasons):
        by_form[r.form_index][r.indicator_index] = ri
    reasons = causes.reasons
    labels = _labels(causes)
    parts_of: dict[int, list[_CausePart]] = {}  # id(clause list) → its parts; the lists live in `causes`
    unstated = [_CausePart(UNSTATED_CAUSE_ID, *labels[UNSTATED_CAUSE_ID], "", [])]
    links: list[Link] = []
    add = links.append
    none: dict[int, int] = {}
    for fi, form in enumerate(forms):
        at = by_form.get(fi, none)
        inds = form.indicators
        # most rows have no reason and lost nothing: only rows with either are visited
        rows = list(compress(range(len(inds)), map(_LOST, inds)))
        if at:
            extra = at.keys() - rows  # rows with a reason that lost nothing
            if extra:
                rows = sorted(rows + [ii for ii in extra if 0 <= ii < len(inds)])
        project, unit, department, year = form.project, form.unit, form.department, form.year
        for ii in rows:
            ind = inds[ii]
            raw = ind.lost
            lost_cents = round(raw * 100) if raw and raw > 0 else 0  # _lost_cents, inline: every row
            n = at.get(ii)
            if n is None:
                if lost_cents <= 0:
                    continue
                parts = unstated
                text, vague, boilerplate = ind.reason or "", True, 0
            else:
                reason = reasons[n]
                known = parts_of.get(id(reason.clauses))
                if known is None:
                    known = parts_of[id(reason.clauses)] = _cause_parts(reason.clauses, labels)
                parts = known
                text, vague, boilerplate = reason.text, reason.vague, reason.boilerplate_count
            shares = [lost_cents] if len(parts) == 1 else split_cents(lost_cents, len(parts))
            lost = lost_cents / 100
            for part, share in zip(parts, shares, strict=True):
                # positional, in field order: a province's year makes hundreds of thousands of links,
                # and matching 27 keywords costs as much as the rest of the call
                add(Link(
                    n, part.cause_id, part.label, part.category,  # reason_index, cause_id, cause_label, category
                    project, unit, department, year,
                    ind.level1, ind.level2, ind.name, ind.target.raw, ind.actual.raw, ind.weight, ind.score,
                    lost, lost, share / 100, share,  # lost, points_involved, points_attributed, attributed_cents
                    text, part.cause_text, part.measures, vague, boilerplate,  # reason … boilerplate
                    ind.source, fi, ii,  # source, form_index, indicator_index
                ))
    return links


def total_lost_cents(forms: list[Form]) -> int:
    """Points lost by all indicator rows of all forms, in hundredths."""
    return sum(_lost_cents(lost) for f in forms for i in f.indicators if (lost := i.lost))
