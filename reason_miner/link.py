"""The links table: every reason × cause tied to its indicator, the points it lost and its source.

Points are handled in integer hundredths ("cents") so that the points attributed to the causes of
one reason add up exactly to the points that row lost; the remainder of an uneven split goes to
the causes in clause order (deterministic). A row that lost points without a stated cause (no
reason text, or a vague text with measures only) is linked to UNSTATED_CAUSE_ID so that the
attributed points of all causes add up to the points lost by all forms.

A province's year makes hundreds of thousands of links, so a link stores references (its form, its
indicator row, the reason's analysis, the cause part shared by the links of one cause) and its share
of the points; every other value of the table is read through them when asked for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .model import Form, Indicator, Source
from .results import CauseResult, Clause, ReasonAnalysis

UNSTATED_CAUSE_ID = "unstated"
UNSTATED_LABEL = "未说明原因"


def to_cents(points: float | None) -> int:
    """Points (scores carry at most two decimals) as integer hundredths."""
    return round((points or 0.0) * 100)


def split_cents(total: int, parts: int) -> list[int]:
    """Split `total` into `parts` integer shares that add up exactly; earlier shares take the remainder."""
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def _lost_cents(lost: float | None) -> int:
    """What a row lost, in hundredths; a negative or missing loss is none."""
    return round(lost * 100) if lost and lost > 0 else 0


@dataclass(slots=True)
class CausePart:
    """What every link of one cause of one reason text carries besides the row's own values."""

    cause_id: str
    label: str
    category: str | None
    cause_text: str  # the clause(s) naming this cause
    measures: list[str]  # shared by the links of every reason with this clause list: read-only


@dataclass(slots=True)
class Link:
    """One (reason, cause) pair, or one row that lost points with no stated cause.

    The fields are what a link is made of; the columns of the links table (`to_dict`, the order of
    findings.json) are read through them as attributes: cause_label, category, project, unit,
    department, year, level1, level2, indicator, target, actual, weight, score, lost,
    points_involved, points_attributed, reason, cause_text, measures, vague, boilerplate, source,
    location."""

    reason_index: int | None  # position in CauseResult.reasons; None when the row has no reason text
    cause_id: str
    attributed_cents: int  # this cause's share of what the row lost, in hundredths (shares add up)
    form_index: int
    indicator_index: int
    form: Form
    row: Indicator  # form.indicators[indicator_index]
    analysis: ReasonAnalysis | None  # the reason's analysis; None when the row has no reason text
    part: CausePart  # shared by the links of one cause of one clause list: read-only

    @property
    def cause_label(self) -> str:
        return self.part.label

    @property
    def category(self) -> str | None:
        return self.part.category

    @property
    def project(self) -> str | None:
        return self.form.project

    @property
    def unit(self) -> str | None:
        return self.form.unit

    @property
    def department(self) -> str | None:
        return self.form.department

    @property
    def year(self) -> int | None:
        return self.form.year

    @property
    def level1(self) -> str | None:
        return self.row.level1

    @property
    def level2(self) -> str | None:
        return self.row.level2

    @property
    def indicator(self) -> str:
        return self.row.name

    @property
    def target(self) -> str:
        return self.row.target.raw

    @property
    def actual(self) -> str:
        return self.row.actual.raw

    @property
    def weight(self) -> float | None:
        return self.row.weight

    @property
    def score(self) -> float | None:
        return self.row.score

    @property
    def lost(self) -> float:
        """Points the row lost (分值 − 得分); none when negative or missing."""
        return _lost_cents(self.row.lost) / 100

    @property
    def points_involved(self) -> float:
        """= lost, counted once for each cause of the reason."""
        return _lost_cents(self.row.lost) / 100

    @property
    def points_attributed(self) -> float:
        """This cause's share of `lost`; the shares of one row add up to `lost`."""
        return self.attributed_cents / 100

    @property
    def reason(self) -> str:
        """The whole reason text ("" when none)."""
        return _text_facts(self.analysis, self.row)[0]

    @property
    def cause_text(self) -> str:
        """The clause(s) naming this cause."""
        return self.part.cause_text

    @property
    def measures(self) -> list[str]:
        """The improvement measures of the same text about this cause or general (read-only: shared)."""
        return self.part.measures

    @property
    def vague(self) -> bool:
        return _text_facts(self.analysis, self.row)[1]

    @property
    def boilerplate(self) -> int:
        """How many other places carry the same text."""
        return _text_facts(self.analysis, self.row)[2]

    @property
    def source(self) -> Source:
        return self.row.source

    @property
    def location(self) -> str:
        return self.row.location

    def to_dict(self) -> dict[str, Any]:
        """The link as a row of the links table (findings.json's `links`); the columns' values read
        once each (findings.json makes a row per link)."""
        form, row, part = self.form, self.row, self.part
        lost, cents = _lost_cents(row.lost) / 100, self.attributed_cents
        reason, vague, boilerplate = _text_facts(self.analysis, row)
        return {
            "reason_index": self.reason_index, "cause_id": self.cause_id, "cause_label": part.label,
            "category": part.category, "project": form.project, "unit": form.unit,
            "department": form.department, "year": form.year, "level1": row.level1, "level2": row.level2,
            "indicator": row.name, "target": row.target.raw, "actual": row.actual.raw, "weight": row.weight,
            "score": row.score, "lost": lost, "points_involved": lost,
            "points_attributed": cents / 100, "attributed_cents": cents,
            "reason": reason, "cause_text": part.cause_text, "measures": part.measures, "vague": vague,
            "boilerplate": boilerplate,
            "source": {"file": row.file, "page": row.page, "sheet": row.sheet, "line": row.line},  # record(row.source)
            "form_index": self.form_index, "indicator_index": self.indicator_index,
            "location": row.location,
        }


def _text_facts(a: ReasonAnalysis | None, row: Indicator) -> tuple[str, bool, int]:
    """A link's reason text, whether it is vague and how many other places carry it: a row without
    an analysed text (no reason) is vague and unrepeated."""
    return (row.reason or "", True, 0) if a is None else (a.text, a.vague, a.boilerplate_count)


def _labels(causes: CauseResult) -> dict[str, tuple[str, str | None]]:
    labels = {c.id: (c.label, c.category) for c in causes.causes}
    labels.setdefault(UNSTATED_CAUSE_ID, (UNSTATED_LABEL, None))
    return labels


PartKey = tuple[str, str, tuple[str, ...]]  # cause id, cause text, measures


def _cause_parts(clauses: list[Clause], labels: dict[str, tuple[str, str | None]],
                 known: dict[PartKey, CausePart]) -> list[CausePart]:
    """The causes of one text in clause order (UNSTATED_CAUSE_ID when it names none). Parts with the
    same content are one object, kept in `known`: a province's year has ~100k clause lists but
    only a few thousand distinct parts (a few dozen distinct measure lists)."""
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
        text = "；".join(texts)
        k = (cid, text, tuple(mine))
        part = known.get(k)
        if part is None:
            part = known[k] = CausePart(cid, label, category, text, mine)
        parts.append(part)
    return parts


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
    parts_of: dict[int, list[CausePart]] = {}  # id(clause list) → its parts; the lists live in `causes`
    distinct: dict[PartKey, CausePart] = {}
    unstated = [CausePart(UNSTATED_CAUSE_ID, *labels[UNSTATED_CAUSE_ID], "", [])]
    cents_of: dict[int, int] = {}  # one int object per distinct share: most shares repeat (100, 150, 200…)
    links: list[Link] = []
    add = links.append
    none: dict[int, int] = {}
    for fi, form in enumerate(forms):
        at = by_form.get(fi, none)
        inds = form.indicators
        # most rows have no reason and lost nothing: only rows with either are visited
        rows = [ii for ii, ind in enumerate(inds) if ind.lost]  # (a listcomp reads slots faster than attrgetter)
        if at:
            extra = at.keys() - rows  # rows with a reason that lost nothing
            if extra:
                rows = sorted(rows + [ii for ii in extra if 0 <= ii < len(inds)])
        for ii in rows:
            ind = inds[ii]
            raw = ind.lost
            lost_cents = round(raw * 100) if raw and raw > 0.0 else 0  # _lost_cents, inline: every row
            n = at.get(ii)
            reason: ReasonAnalysis | None
            if n is None:
                if lost_cents <= 0:
                    continue
                parts, reason = unstated, None
            else:
                reason = reasons[n]
                known = parts_of.get(id(reason.clauses))
                if known is None:
                    known = parts_of[id(reason.clauses)] = _cause_parts(reason.clauses, labels, distinct)
                parts = known
            if len(parts) == 1:
                part = parts[0]
                add(Link(n, part.cause_id, cents_of.setdefault(lost_cents, lost_cents), fi, ii, form, ind, reason, part))
                continue
            for part, share in zip(parts, split_cents(lost_cents, len(parts)), strict=True):
                add(Link(n, part.cause_id, cents_of.setdefault(share, share), fi, ii, form, ind, reason, part))
    return links


def total_lost_cents(forms: list[Form]) -> int:
    """Points lost by all indicator rows of all forms, in hundredths."""
    return sum(_lost_cents(lost) for f in forms for i in f.indicators if (lost := i.lost))
