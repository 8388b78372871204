"""Interpret stage: one interpreter turns any grid into forms, keyed on what cells say.

Two shapes of grid exist: a *form* (header block, funds block, goals, indicator table, 总分) and a
*flat export* (one indicator per row, form fields repeated in named columns). Both are recognised
from their header cells, never from fixed positions. Rows that cannot be understood are reported
as `ReadError(kind="row")` with their location.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import normalize as nz
from .grid import Grid, Row
from .model import Form, Funds, Goals, Indicator, ReadError, Source, Total
from .vocab import Vocab, load_vocab

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_WEIGHT_NOTE = re.compile(r"[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]")
_TOTAL_AT_TOP = re.compile(r"项目总得分\s*[:：]?\s*(\d+(?:\.\d+)?)\s*分?")
_NOTE = re.compile(r"[(（][^()（）]*[)）]")
_LABEL_IN_CELL = re.compile(r"^([^:：]{2,12})[:：](.+)$")
_PLACEHOLDER = re.compile(r"^(指标\d*|…+|\.{3,}|\d+)$")
INDICATOR_FIELDS = ("level1", "level2", "name", "target", "actual", "unit", "op", "weight", "score", "reason", "measure")


@lru_cache(maxsize=1 << 16)
def _strip_weight_note(text: str) -> str:
    return _WEIGHT_NOTE.sub("", text)


@dataclass
class _RawIndicator:
    """Cell texts by role, before parsing; continuation rows are merged into it."""

    cells: dict[str, str]
    level1: str | None
    level2: str | None
    row: Row


def _looks_cut(raw: _RawIndicator) -> bool:
    """A row split by a page break leaves a bracket open ("52272.73(元")."""
    return any(t.count("(") + t.count("（") > t.count(")") + t.count("）") for t in raw.cells.values())


@dataclass
class _FormBuilder:
    source: Source
    form: Form
    raw: list[_RawIndicator] = field(default_factory=list)
    columns: dict[str, int] | None = None  # indicator table header: role → column
    funds_cols: list[str] | None = None  # funds header: roles in order
    funds_label_col: int = 0
    goal_cols: list[str] | None = None
    in_goals: bool = False
    level1: str | None = None
    level2: str | None = None
    after_table: bool = False

    def has_content(self) -> bool:
        f = self.form
        return bool(self.raw or f.project or f.funds.adjusted is not None)


class Interpreter:
    """Turns grids into forms. Stateless between grids; `vocab` says which words to key on."""

    def __init__(self, vocab: Vocab | None = None) -> None:
        self.vocab = vocab or load_vocab()

    # ---- entry point -------------------------------------------------------------------------
    def interpret(self, grid: Grid) -> tuple[list[Form], list[ReadError]]:
        errors: list[ReadError] = []
        flat_header = self._find_flat_header(grid)
        if flat_header is not None:
            forms = self._interpret_flat(grid, flat_header, errors)
        else:
            forms = self._interpret_forms(grid, errors)
        if not forms:
            # nothing form-like at all: one error for the grid, not one per row; kind "row" so that a
            # notes sheet beside form sheets does not fail the workbook (load fails a file with no form)
            first = grid.rows[0] if grid.rows else None
            errors = [
                ReadError(
                    file=grid.file,
                    sheet=grid.sheet,
                    page=first.page if first else None,
                    line=first.line if first else None,
                    message="未找到可识别的绩效自评表（缺少「项目名称」或「一级指标/三级指标/年度指标值」等表头）",
                    kind="row",
                )
            ]
        errors.extend(
            ReadError(file=grid.file, sheet=s.sheet or grid.sheet, page=s.page, line=s.line, message=s.message, kind="row")
            for s in grid.skipped
        )
        return forms, errors

    # ---- helpers -----------------------------------------------------------------------------
    def _err(self, grid: Grid, row: Row, message: str, kind: str = "row") -> ReadError:
        return ReadError(file=grid.file, sheet=grid.sheet, page=row.page, line=row.line, message=message, kind=kind)

    def _cell_role(self, cell: str) -> str | None:
        """The logical column a header cell names; notes in brackets ("得分(20分*执行率)") are ignored."""
        k = _strip_weight_note(nz.key(cell))
        return self.vocab.column_of(k) or self.vocab.column_of(_NOTE.sub("", k))

    def _header_roles(self, cells: list[str]) -> dict[str, int]:
        roles: dict[str, int] = {}
        for i, cell in enumerate(cells):
            role = self._cell_role(cell)
            if role and role not in roles:
                roles[role] = i
        return roles

    def _is_indicator_header(self, roles: dict[str, int]) -> bool:
        return ("target" in roles or "actual" in roles) and ("name" in roles or "level1" in roles)

    def _find_flat_header(self, grid: Grid) -> int | None:
        for idx, row in enumerate(grid.rows[:30]):
            roles = self._header_roles(row.cells)
            if "project" in roles and self._is_indicator_header(roles) and "name" in roles:
                return idx
        return None

    def _level_kind(self, text: str) -> str | None:
        k = _strip_weight_note(nz.key(text))
        if k in self.vocab.level1_names:
            return "level1"
        if k in self.vocab.level2_names or k.endswith("指标"):
            return "level2"
        return None

    # ---- form-shaped grids -------------------------------------------------------------------
    def _interpret_forms(self, grid: Grid, errors: list[ReadError]) -> list[Form]:
        forms: list[Form] = []
        cur: _FormBuilder | None = None
        pending_year: int | None = None
        pending_total: float | None = None

        def start(row: Row) -> _FormBuilder:
            nonlocal cur
            if cur is not None and cur.has_content():
                forms.append(self._finish(cur, grid, errors))
            src = Source(file=grid.file, page=row.page, sheet=grid.sheet, line=row.line)
            cur = _FormBuilder(source=src, form=Form(source=src))
            return cur

        for row in grid.rows:
            cells = [nz.clean(c) for c in row.cells]
            # fast path: inside an indicator table, a row whose target cell holds a target is a row
            # of the table (titles, headers and 总分 rows never do); this is most rows of a batch
            if cur is not None and cur.columns is not None and not cur.after_table:
                t_col = cur.columns.get("target")
                if t_col is not None and t_col < len(cells) and nz.looks_like_target(cells[t_col], self.vocab):
                    err = self._indicator_row(row, cells, cur)
                    if err:
                        errors.append(self._err(grid, row, err))
                    continue
            if any(":" in c or "：" in c for c in cells):
                cells = self._split_label_cells(cells)
            keys = [nz.key(c) for c in cells]
            nonempty = [(i, c) for i, c in enumerate(cells) if c]
            if not nonempty:
                continue
            first_key = keys[nonempty[0][0]]
            # a cell merged across columns is repeated by the reader: count and join it once
            distinct = list(dict.fromkeys(k for k in keys if k))
            joined = "".join(distinct)

            # title: starts a new form
            if len(distinct) <= 2 and any(w in joined for w in self.vocab.title_words):
                b = start(row)
                m = _YEAR.search(joined)
                if m:
                    b.form.year = int(m.group(1))
                continue
            if cur is None:
                m_total = _TOTAL_AT_TOP.search(joined)
                m_year = _YEAR.search(joined)
                if len(distinct) <= 2 and (m_year or m_total):
                    if m_year and len(joined) <= 40:
                        pending_year = int(m_year.group(1))
                    if m_total:
                        pending_total = float(m_total.group(1))
                    continue
                b = start(row)
                b.form.year, b.form.total.score = pending_year, pending_total
            assert cur is not None
            b = cur

            # year line under the title: "(2024 年度)"
            if len(distinct) == 1 and _YEAR.fullmatch(joined.strip("()（）")):
                b.form.year = int(_YEAR.search(joined).group(1))  # type: ignore[union-attr]
                continue
            m_total = _TOTAL_AT_TOP.search(joined)
            if m_total and len(distinct) <= 2:
                b.form.total.score = float(m_total.group(1))
                continue

            roles = self._header_roles(cells)
            # header label/value pairs: 项目名称 / 主管部门 / 实施单位 / 单位名称 / 填报日期
            label_roles = {r: i for r, i in roles.items() if r in ("project", "department", "unit_name")}
            if label_roles and not self._is_indicator_header(roles) and not b.columns:
                if "project" in label_roles and (b.raw or b.form.project):
                    b = start(row)
                self._read_labels(cells, label_roles, b.form)
                continue
            if label_roles and b.after_table and "project" in label_roles:
                b = start(row)
                self._read_labels(cells, label_roles, b.form)
                continue

            # funds header and rows
            if "funds_adjusted" in roles or "funds_initial" in roles:
                order = sorted((i, r) for r, i in roles.items() if r.startswith("funds_") or r in ("weight", "score"))
                b.funds_cols = [r for _, r in order]
                b.funds_label_col = nonempty[0][0]
                m = re.search(r"[(（](\d+(?:\.\d+)?)分[)）]", joined)
                if m:
                    b.form.funds.weight = float(m.group(1))
                continue
            if b.funds_cols is not None and not b.columns and self._funds_row(cells, keys, b):
                continue

            # goals
            if any(k in self.vocab.goal_labels for k in keys) or "goals_expected" in roles:
                b.in_goals = True
                b.goal_cols = ["goals_expected", "goals_achieved"]
                texts = [c for i, c in nonempty if keys[i] not in self.vocab.goal_labels and not self.vocab.column_of(keys[i])]
                self._add_goals(b.form.goals, texts)
                continue

            # indicator table header
            if self._is_indicator_header(roles):
                b.columns = roles
                b.in_goals = False
                b.after_table = False
                continue

            # totals and grade
            if first_key.startswith(("总分", "合计")) and b.columns is not None:
                nums = [n for n in (nz.number(c) for _, c in nonempty[1:]) if n is not None]
                if len(nums) >= 2:
                    b.form.total.weight, b.form.total.score = nums[-2], nums[-1]
                elif nums:
                    b.form.total.score = nums[0]
                grade = [c for _, c in nonempty[1:] if nz.key(c) in ("优", "良", "中", "差")]
                if grade:
                    b.form.grade = nz.key(grade[0])
                b.after_table = True
                continue
            if first_key.startswith(("评分等级", "自评等级", "等级")):
                rest = [c for i, c in nonempty if keys[i] != first_key]
                b.form.grade = nz.key(rest[0]) if rest else None
                b.after_table = True
                continue

            # form-level texts after the grid (Sichuan template): 评价结论 / 存在问题 / 改进措施
            if first_key in self.vocab.remark_labels:
                text = "；".join(dict.fromkeys(c for i, c in nonempty if keys[i] != first_key))
                if text:
                    old_text = b.form.remarks.get(first_key)
                    b.form.remarks[first_key] = f"{old_text}；{text}" if old_text else text
                b.after_table = b.columns is not None
                continue

            if b.in_goals and b.columns is None:
                texts = [c for i, c in nonempty if keys[i] not in self.vocab.goal_labels]
                self._add_goals(b.form.goals, texts)
                continue

            if b.columns is not None and not b.after_table:
                err = self._indicator_row(row, cells, b)
                if err:
                    errors.append(self._err(grid, row, err))
                continue

            # a caption or partial header ("年度绩效目标(80分) | 年初目标值(A) | 实际完成值(B) | 得分"): nothing to read
            if all(self._cell_role(c) or _strip_weight_note(keys[i]) in self.vocab.goal_labels for i, c in nonempty):
                continue
            errors.append(self._err(grid, row, f"未能识别的行，已跳过：{' | '.join(c for _, c in nonempty)[:80]}"))

        if cur is not None and cur.has_content():
            forms.append(self._finish(cur, grid, errors))
        return forms

    def _split_label_cells(self, cells: list[str]) -> list[str]:
        """"单位名称：县第一中学" in one cell becomes a label cell and a value cell."""
        out: list[str] = []
        for c in cells:
            m = _LABEL_IN_CELL.match(c)
            if m and self._cell_role(m.group(1)) in ("project", "department", "unit_name"):
                out.extend((m.group(1).strip(), m.group(2).strip()))
            else:
                out.append(c)
        return out

    def _read_labels(self, cells: list[str], label_roles: dict[str, int], form: Form) -> None:
        label_cols = set(label_roles.values())
        for role, col in label_roles.items():
            value = next(
                (c for j, c in enumerate(cells[col + 1 :], start=col + 1) if c and j not in label_cols and c != cells[col]),
                None,
            )
            if value is None:
                continue
            if role == "project":
                form.project = value
            elif role == "department":
                form.department = value
            else:
                form.unit = value

    def _funds_row(self, cells: list[str], keys: list[str], b: _FormBuilder) -> bool:
        """A row of the funds block; only the 年度资金总额 row feeds the model, others are read and kept out."""
        label_idx = None
        kind = None
        for i, k in enumerate(keys):
            k2 = k.replace("其中:", "").replace("其中", "")
            for name, words in self.vocab.funds_rows.items():
                if k2 in words or k in words:
                    label_idx, kind = i, name
                    break
            if kind:
                break
        if label_idx is None:
            # Hubei layout: the amounts row under "预算数(A) | 执行数(B) | …" has no label of its own
            filled = [c for c in cells if c]
            f = b.form.funds
            numeric = all(nz.number(c) is not None or nz.key(c) in ("-", "—") for c in filled)
            if not (filled and numeric and f.adjusted is None and f.executed is None):
                return False
            label_idx, kind = -1, "total"
        values = cells[label_idx + 1 :]
        cols = b.funds_cols or []
        filled = [v for v in values if v]
        if len(filled) == len(cols):
            mapping = dict(zip(cols, filled, strict=True))
        else:  # cells missing: fall back to the header's column positions (trailing ones)
            mapping = dict(zip(cols, values[-len(cols) :], strict=False)) if cols else {}
        if kind == "total":
            f = b.form.funds
            f.initial = nz.number(mapping.get("funds_initial"))
            f.adjusted = nz.number(mapping.get("funds_adjusted"))
            f.executed = nz.number(mapping.get("funds_executed"))
            f.weight = nz.number(mapping.get("weight") or mapping.get("funds_weight")) or f.weight
            f.rate = nz.number(mapping.get("funds_rate"))
            f.score = nz.number(mapping.get("score") or mapping.get("funds_score"))
        return True

    @staticmethod
    def _add_goals(goals: Goals, texts: list[str]) -> None:
        # merged cells expanded by a reader repeat the same text: keep each text once
        uniq = list(dict.fromkeys(texts))
        if len(uniq) >= 1:
            goals.expected = uniq[0] if not goals.expected else goals.expected + uniq[0]
        if len(uniq) >= 2:
            goals.achieved = uniq[1] if not goals.achieved else goals.achieved + uniq[1]

    def _indicator_row(self, row: Row, cells: list[str], b: _FormBuilder) -> str | None:
        cols = b.columns or {}
        v = self.vocab
        t_col = cols.get("target")
        # where is the target in this row? first by the header, else by content (shifted rows)
        t_idx = None
        if t_col is not None and t_col < len(cells) and nz.looks_like_target(cells[t_col], v):
            t_idx = t_col
        else:
            for i, c in enumerate(cells):
                if nz.looks_like_target(c, v):
                    t_idx = i
                    break
        shift = (t_idx - t_col) if (t_idx is not None and t_col is not None) else 0

        def at(role: str) -> str:
            c = cols.get(role)
            if c is None:
                return ""
            j = c + shift
            return cells[j] if 0 <= j < len(cells) else ""

        weight_txt, score_txt = at("weight"), at("score")
        has_scores = nz.number(weight_txt) is not None or nz.number(score_txt) is not None
        if t_idx is None and not has_scores:
            # no target and no scores: a row continued from the previous one (page break, wrap);
            # a new name is only glued on when the previous row was visibly cut, else it is reported
            prev_raw = b.raw[-1] if b.raw else None
            if prev_raw is not None and at("name") and not (_looks_cut(prev_raw) or prev_raw.row.page != row.page):
                return f"指标行「{at('name')}」缺少年度指标值、实际完成值和分值，无法识别"
            used: set[int] = set()
            if b.raw:
                prev = b.raw[-1]
                for role in INDICATOR_FIELDS:
                    if role in cols and role not in ("level1", "level2") and at(role):
                        prev.cells[role] = prev.cells.get(role, "") + at(role)
                        used.add(cols[role] + shift)
            rest = [c for i, c in enumerate(cells) if c and i not in used]
            kinds = [self._level_kind(c) for c in rest]
            if rest and all(kinds):  # a merged level cell on a row of its own
                for kind, c in zip(kinds, rest, strict=True):
                    self._set_level(b, str(kind), c)
                return None
            if rest:
                return f"未能识别的行，已跳过：{' | '.join(rest)[:80]}"
            return None

        # cells before the name: level names, classified by what they say
        name_col = cols.get("name")
        name_idx = (name_col + shift) if name_col is not None else None
        before_target = t_idx if t_idx is not None else (cols.get("target", len(cells)) + shift)
        if name_idx is None or not (0 <= name_idx < len(cells)) or not cells[name_idx]:
            candidates = [i for i in range(min(before_target, len(cells))) if cells[i]]
            name_idx = candidates[-1] if candidates else None
        name = cells[name_idx] if name_idx is not None else ""
        for i in range(name_idx if name_idx is not None else 0):
            if cells[i]:
                kind = self._level_kind(cells[i])
                if kind is None:
                    kind = "level1" if i == cols.get("level1", 0) + min(shift, 0) else "level2"
                self._set_level(b, kind, cells[i])
        if _PLACEHOLDER.match(nz.key(name)) and not has_scores:
            return f"模板空行「{name}」（无指标值和分值），已跳过"
        if not name:
            return "指标行缺少三级指标名称"
        role_cells = {role: at(role) for role in INDICATOR_FIELDS if role in cols}
        role_cells["name"] = name
        if t_idx is not None:
            role_cells["target"] = cells[t_idx]
        b.raw.append(_RawIndicator(cells=role_cells, level1=b.level1, level2=b.level2, row=row))
        return None

    @staticmethod
    def _set_level(b: _FormBuilder, kind: str, text: str) -> None:
        label = _strip_weight_note(nz.key(text))
        if kind == "level1":
            if label != b.level1:
                b.level2 = None
            b.level1 = label
        else:
            b.level2 = label

    def _build_indicator(self, raw: _RawIndicator, grid: Grid) -> Indicator:
        c = raw.cells
        unit = nz.clean(c.get("unit")) or None
        target = nz.parse_target(c.get("target", ""), unit=unit, op=c.get("op"))
        if nz.key(c.get("op", "")) == "定性" and target.value is not None:
            target.text = target.raw
        actual = nz.parse_actual(c.get("actual", ""), self.vocab, unit=unit)
        weight = nz.number(c.get("weight"))
        score = nz.number(c.get("score"))
        lost = round(weight - score, 4) if weight is not None and score is not None else None
        reason = nz.clean(c.get("reason"))
        measure = nz.clean(c.get("measure"))
        if reason and nz.key(reason) in self.vocab.no_reason:
            reason = ""
        if measure and nz.key(measure) not in self.vocab.no_reason:
            reason = f"{reason}；{measure}" if reason else measure
        return Indicator(
            level1=raw.level1,
            level2=raw.level2,
            name=nz.clean(c.get("name")),
            target=target,
            actual=actual,
            weight=weight,
            score=score,
            lost=lost,
            reason=reason or None,
            source=Source(file=grid.file, page=raw.row.page, sheet=grid.sheet, line=raw.row.line),
        )

    def _finish(self, b: _FormBuilder, grid: Grid, errors: list[ReadError]) -> Form:
        form = b.form
        form.indicators = [self._build_indicator(r, grid) for r in b.raw]
        if not form.indicators:
            errors.append(
                ReadError(
                    file=grid.file,
                    sheet=grid.sheet,
                    page=form.source.page,
                    line=form.source.line,
                    message=f"表「{form.project or '未命名项目'}」没有可识别的绩效指标表",
                    kind="row",
                )
            )
        return form

    # ---- flat exports ------------------------------------------------------------------------
    def _interpret_flat(self, grid: Grid, header_idx: int, errors: list[ReadError]) -> list[Form]:
        header = grid.rows[header_idx]
        roles = self._header_roles(header.cells)
        forms: dict[tuple[str, ...], _FormBuilder] = {}
        for row in grid.rows[header_idx + 1 :]:
            cells = [nz.clean(c) for c in row.cells]
            if not any(cells):
                continue

            def get(role: str, cells: list[str] = cells) -> str:
                i = roles.get(role)
                return cells[i] if i is not None and i < len(cells) else ""

            if not get("name") and not get("target"):
                errors.append(self._err(grid, row, "该行没有指标名称和指标值，已跳过"))
                continue
            year_txt = get("year")
            year_m = _YEAR.search(year_txt) or re.fullmatch(r"((?:19|20)\d{2})(?:\.0)?", year_txt)
            fkey = (get("project"), get("department"), get("unit_name"), year_txt)
            b = forms.get(fkey)
            if b is None:
                src = Source(file=grid.file, page=row.page, sheet=grid.sheet, line=row.line)
                form = Form(
                    source=src,
                    year=int(year_m.group(1)) if year_m else None,
                    project=get("project") or None,
                    department=get("department") or None,
                    unit=get("unit_name") or None,
                    funds=Funds(
                        initial=nz.number(get("funds_initial")),
                        adjusted=nz.number(get("funds_adjusted")),
                        executed=nz.number(get("funds_executed")),
                        weight=nz.number(get("funds_weight")),
                        rate=nz.number(get("funds_rate")),
                        score=nz.number(get("funds_score")),
                    ),
                    goals=Goals(expected=get("goals_expected") or None, achieved=get("goals_achieved") or None),
                    total=Total(weight=nz.number(get("total_weight")), score=nz.number(get("total_score"))),
                    grade=get("grade") or None,
                )
                b = forms[fkey] = _FormBuilder(source=src, form=form)
            cellmap = {role: get(role) for role in INDICATOR_FIELDS if role in roles}
            level1 = _strip_weight_note(nz.key(get("level1"))) or None
            level2 = _strip_weight_note(nz.key(get("level2"))) or None
            b.raw.append(_RawIndicator(cells=cellmap, level1=level1, level2=level2, row=row))
        return [self._finish(b, grid, errors) for b in forms.values()]


def interpret(grid: Grid, vocab: Vocab | None = None) -> tuple[list[Form], list[ReadError]]:
    """Convenience wrapper: interpret one grid with the bundled vocabulary."""
    return Interpreter(vocab).interpret(grid)
