"""The form model every stage shares: one self-evaluation form, its funds, indicators and sources.

Plain dataclasses so that `to_dict` gives the JSON schema documented in the README.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, ClassVar, Literal, TypeVar

from .interning import canon_object
from .records import record

Status = Literal["达成", "部分达成", "未达成"]
V = TypeVar("V")


@dataclass(slots=True)
class Source:
    """Where something came from: file, and page (PDF), sheet (workbook) and line/row (1-based)."""

    file: str
    page: int | None = None
    sheet: str | None = None
    line: int | None = None

    def describe(self) -> str:
        """Human-readable location, e.g. `a.pdf 第2页 第14行`."""
        return describe_location(self.file, self.page, self.sheet, self.line)


def describe_location(file: str, page: int | None, sheet: str | None, line: int | None) -> str:
    """`Source.describe` of these fields, for the holders of the four fields that build no Source
    (rows, findings)."""
    parts = [file]
    if sheet:
        parts.append(f"工作表「{sheet}」")
    if page is not None:
        parts.append(f"第{page}页")
    if line is not None:
        parts.append(f"第{line}行")
    return " ".join(parts)


@dataclass(slots=True, frozen=True)  # a value: rows with the same one share it (`interning`)
class Target:
    raw: str
    op: str | None = None  # one of ≥ ≤ = > <, None for qualitative targets
    value: float | None = None
    unit: str | None = None
    text: str | None = None  # qualitative target (良好, 及时, ...)


@dataclass(slots=True, frozen=True)  # a value: rows with the same one share it (`interning`)
class Actual:
    raw: str
    value: float | None = None
    unit: str | None = None
    status: Status | None = None


@dataclass(slots=True)
class Indicator:
    """One row of a form's indicator table.

    Its location is kept as four fields of the row, file/page/sheet/line, not as a Source object of
    its own (64 bytes a row, a fifth of what a province's ~3 million rows take); `source` builds
    the Source when asked. `to_dict` and findings.json (`records`) still show it as one member,
    "source": {"file", "page", "sheet", "line"}, after "reason" (FLAT)."""

    level1: str | None
    level2: str | None
    name: str
    target: Target
    actual: Actual
    weight: float | None
    score: float | None
    lost: float | None
    reason: str | None
    file: str
    page: int | None = None
    sheet: str | None = None
    line: int | None = None
    # members written as one object of the class's fields, which the row holds itself (`records`)
    FLAT: ClassVar[dict[str, type]] = {"source": Source}

    @property
    def source(self) -> Source:
        return Source(self.file, self.page, self.sheet, self.line)

    @source.setter
    def source(self, source: Source) -> None:
        self.file, self.page, self.sheet, self.line = source.file, source.page, source.sheet, source.line

    @property
    def location(self) -> str:
        """`source.describe()`, without building the Source (reports make one per link)."""
        return describe_location(self.file, self.page, self.sheet, self.line)


@dataclass(slots=True)
class Funds:
    initial: float | None = None
    adjusted: float | None = None
    executed: float | None = None
    weight: float | None = None
    rate: float | None = None
    score: float | None = None


@dataclass(slots=True)
class Goals:
    expected: str | None = None
    achieved: str | None = None


@dataclass(slots=True)
class Total:
    weight: float | None = None
    score: float | None = None


@dataclass(slots=True)
class Form:
    source: Source
    year: int | None = None
    project: str | None = None
    department: str | None = None
    unit: str | None = None
    funds: Funds = field(default_factory=Funds)
    goals: Goals = field(default_factory=Goals)
    indicators: list[Indicator] = field(default_factory=list)
    total: Total = field(default_factory=Total)
    grade: str | None = None
    # form-level texts some templates add after the grid: 评价结论, 存在问题, 改进措施 …
    remarks: dict[str, str] = field(default_factory=dict)

    @property
    def points_lost(self) -> float:
        return round(sum(i.lost for i in self.indicators if i.lost), 4)

    def to_dict(self) -> dict[str, Any]:
        """The form as the JSON schema has it: `asdict`, with each row's location as its "source"."""
        return record(self) | {"remarks": dict(self.remarks)}  # a copy, as asdict gives


@dataclass(slots=True)
class ReadError:
    """A file, or a place in it, that could not be read. Never dropped: always reported."""

    file: str
    message: str
    page: int | None = None
    sheet: str | None = None
    line: int | None = None
    kind: str = "error"  # "error": the file failed; "row": one row was not understood

    def describe(self) -> str:
        return f"{describe_location(self.file, self.page, self.sheet, self.line)}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _value(cls: type[V], data: dict[str, Any]) -> V:
    """`cls(**data)` for Target and Actual, shared with the rows that have the same value."""
    fields_ = _FIELDS.get(cls)
    if fields_ is None:
        fields_ = _FIELDS[cls] = tuple((f.name, f.default) for f in fields(cls))  # type: ignore[arg-type]
    if any(name not in data and default is MISSING for name, default in fields_) or len(data) > len(fields_):
        return cls(**data)  # the same error as before for a malformed value
    return canon_object(cls, tuple(data.get(name, default) for name, default in fields_))


_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {}


def form_from_dict(data: dict[str, Any]) -> Form:
    """Inverse of `Form.to_dict` (used by the workspace and by round-trip tests)."""
    inds = [
        Indicator(
            i["level1"], i["level2"], i["name"], _value(Target, i["target"]), _value(Actual, i["actual"]),
            i["weight"], i["score"], i["lost"], i["reason"], **i["source"],
        )
        for i in data.get("indicators", [])
    ]
    return Form(
        source=Source(**data["source"]),
        year=data.get("year"),
        project=data.get("project"),
        department=data.get("department"),
        unit=data.get("unit"),
        funds=Funds(**data.get("funds", {})),
        goals=Goals(**data.get("goals", {})),
        indicators=inds,
        total=Total(**data.get("total", {})),
        grade=data.get("grade"),
        remarks=dict(data.get("remarks") or {}),
    )
