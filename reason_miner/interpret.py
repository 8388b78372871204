"""Interpret stage: one interpreter turns any grid into forms, keyed on what cells say.

Two shapes of grid exist: a *form* (header block, funds block, goals, indicator table, 总分) and a
*flat export* (one indicator per row, form fields repeated in named columns). Both are recognised
from their header cells, never from fixed positions. Rows that cannot be understood are reported
as `ReadError(kind="row")` with their location.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Generic, TypeVar

from . import normalize as nz
from .grid import Grid, Row
from .interning import canon_float, canon_str
from .model import Form, Funds, Goals, ReadError, Source, Total
from .packing import INDICATOR_WIDTH, PackedForm, Scores, pack_form, unpack_forms
from .vocab import Vocab, load_vocab

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?")
_WEIGHT_NOTE = re.compile(r"[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]")
_TOTAL_AT_TOP = re.compile(r"项目总得分\s*[:：]?\s*(\d+(?:\.\d+)?)\s*分?")
_NOTE = re.compile(r"[(（][^()（）]*[)）]")
_LABEL_IN_CELL = re.compile(r"^([^:：]{2,12})[:：](.+)$")
_PLACEHOLDER = re.compile(r"^(指标\d*|…+|\.{3,}|\d+)$")
_plain_value = nz.PLAIN_VALUE.fullmatch
INDICATOR_FIELDS = ("level1", "level2", "name", "target", "actual", "unit", "op", "weight", "score", "reason", "measure")


@lru_cache(maxsize=1 << 16)
def _strip_weight_note(text: str) -> str:
    return _WEIGHT_NOTE.sub("", text)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MEMO_LIMIT = 1 << 16


class _Memo(dict[K, V], Generic[K, V]):
    """`fn(key)` per distinct key, for pure functions of cell texts: a batch of forms repeats the
    same targets, actuals, scores and labels thousands of times. Emptied when full."""

    def __init__(self, fn: Callable[[K], V], limit: int = _MEMO_LIMIT) -> None:
        super().__init__()
        self.fn = fn
        self.limit = limit

    def __missing__(self, key: K) -> V:
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.fn(key)
        return value


def _tuple_getter(columns: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells at `columns`, always as a tuple (itemgetter gives a bare cell for one column)."""
    if len(columns) > 1:
        return itemgetter(*columns)
    return lambda cells: tuple(cells[i] for i in columns)


def _canon(text: str | None) -> str | None:
    return canon_str(text, text)


@dataclass(slots=True)
class _RawIndicator:
    """Cell texts by role, before parsing; continuation rows are merged into it.

    A row keeps its texts as a tuple beside its table's shared tuple of roles (a dict per row was a
    tenth of the load time); `cells` builds the dict (the last of a repeated role wins, as in
    dict(zip())) the first time a row is looked at by role, and from then on holds the row's texts.
    """

    roles: tuple[str, ...]
    values: tuple[str, ...]
    level1: str | None
    level2: str | None
    row: Row
    by_role: dict[str, str] | None = None

    @property
    def cells(self) -> dict[str, str]:
        if self.by_role is None:
            self.by_role = dict(zip(self.roles, self.values, strict=True))
        return self.by_role


# what _pack_texts reads of a row, in this order; a role a table lacks reads as "" (parsed like None)
_PACK_FIELDS = ("name", "target", "actual", "weight", "score", "reason", "unit", "op", "measure")
_PACK_PLAIN = 6  # tables without unit, operator or measure columns (most) need only the first six


def _pack_columns(columns: dict[str, int]) -> list[int | None]:
    """The columns of the texts _pack_texts reads (None: the table lacks the role): the first six only
    when the table has no unit, operator or measure column."""
    plain = not any(role in columns for role in _PACK_FIELDS[_PACK_PLAIN:])
    return [columns.get(role) for role in (_PACK_FIELDS[:_PACK_PLAIN] if plain else _PACK_FIELDS)]


def _safe_getter(columns: list[int | None]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells at `columns` as a tuple; "" for a column that is None or beyond the row."""
    return lambda cells: tuple(cells[c] if c is not None and c < len(cells) else "" for c in columns)


@dataclass(frozen=True, slots=True)
class _TablePlan:
    """How `_table_rows` reads the rows under one indicator table header: built once per distinct
    header row (a form's table is read in several runs, split by continued rows)."""

    roles: tuple[str, ...]  # the roles a continuation row may extend (then "name", "target": see `_RawIndicator`)
    role_cols: tuple[int, ...]
    name_col: int | None
    l1_col: int
    w_col: int | None
    s_col: int | None
    # the texts _pack_texts reads after the name and target (4 or 7): in one call when the row is wide enough
    rest: Callable[[list[str]], tuple[str, ...]] | None
    rest_width: int
    rest_safe: Callable[[list[str]], tuple[str, ...]]
    plain: bool  # no unit, operator or measure column

    @classmethod
    def of(cls, cols: dict[str, int]) -> _TablePlan:
        plan = [(role, cols[role]) for role in INDICATOR_FIELDS if role in cols]
        rest_cols = _pack_columns(cols)[2:]
        return cls(
            roles=(*(role for role, _ in plan), "name", "target"),
            role_cols=tuple(c for _, c in plan),
            name_col=cols.get("name"),
            l1_col=cols.get("level1", 0),
            w_col=cols.get("weight"),
            s_col=cols.get("score"),
            rest=itemgetter(*rest_cols) if None not in rest_cols else None,
            rest_width=max((c for c in rest_cols if c is not None), default=-1) + 1,
            rest_safe=_safe_getter(rest_cols),
            plain=len(rest_cols) == _PACK_PLAIN - 2,
        )


def _levels_after(level1: str | None, level2: str | None, kind: str, label: str) -> tuple[str | None, str | None]:
    """The (一级, 二级) labels carried down after a level cell: a new 一级 label clears the 二级 one."""
    if kind == "level1":
        return label, (level2 if label == level1 else None)
    return level1, label


def _looks_cut(raw: _RawIndicator) -> bool:
    """A row split by a page break leaves a bracket open ("52272.73(元")."""
    return any(t.count("(") + t.count("（") > t.count(")") + t.count("）") for t in raw.cells.values())


@dataclass(slots=True)
class _RowView:
    """A row outside the indicator rows, read once per distinct row (titles, headers, funds and
    grade rows repeat from form to form). Shared between rows: never mutate it."""

    cells: list[str]  # label cells ("单位名称：县第一中学") split in two
    keys: list[str]
    nonempty: list[tuple[int, str]]
    first_key: str
    joined: str  # the distinct keys, joined
    n_distinct: int
    is_title: bool
    year: int | None  # the first year the row names
    total: float | None  # 项目总得分 in the row
    is_year_line: bool  # "(2024 年度)"
    names_goal: bool  # a cell is a goals label (年度总体目标)
    roles: dict[str, int]
    label_roles: dict[str, int]
    table_plan: _TablePlan | None  # for an indicator table header


@dataclass
class _FormBuilder:
    source: Source
    form: Form
    # the indicators, packed as they are read (flat: packing.INDICATOR_WIDTH values per row)
    indicators: list[object] = field(default_factory=list)
    last: _RawIndicator | None = None  # the last one's texts: a continuation row may extend them
    columns: dict[str, int] | None = None  # indicator table header: role → column
    plan: _TablePlan | None = None  # how its rows are read (set with `columns`)
    funds_cols: list[str] | None = None  # funds header: roles in order
    funds_label_col: int = 0
    goal_cols: list[str] | None = None
    in_goals: bool = False
    level1: str | None = None
    level2: str | None = None
    after_table: bool = False

    def has_content(self) -> bool:
        f = self.form
        return bool(self.indicators or f.project or f.funds.adjusted is not None)


class Interpreter:
    """Turns grids into forms. Stateless between grids; `vocab` says which words to key on."""

    def __init__(self, vocab: Vocab | None = None) -> None:
        self.vocab = vocab or load_vocab()
        self._statusless_digits = nz.statusless_digits(self.vocab)
        # per distinct cell text(s): the parsed values every row with the same text shares
        # (the memo is the cache: the functions' own caches only cost for texts seen once)
        self._clean: _Memo[str, str] = _Memo(nz.clean.__wrapped__, limit=1 << 17)
        self._key: _Memo[str, str] = _Memo(nz.key.__wrapped__)
        self._funds_kind: _Memo[str, str | None] = _Memo(self._funds_kind_of)
        # an indicator row's target cell: its parts, None for a cell that holds no target
        self._table_targets: _Memo[str, nz.TargetParts | None] = _Memo(self._table_target)
        self._levels: _Memo[str, tuple[str | None, str]] = _Memo(self._level_of)
        self._targets: _Memo[tuple[str, str | None, str | None], nz.TargetParts] = _Memo(self._target_args)
        self._actuals: _Memo[tuple[str, str | None], nz.ActualParts] = _Memo(self._actual_args)
        self._scores: _Memo[tuple[str | None, str | None], Scores] = _Memo(self._score_values)
        self._reasons: _Memo[tuple[str | None, str | None], str | None] = _Memo(self._reason_text)
        # the same, for rows without a unit, operator or measure (most): keyed by one text
        self._targets_of: _Memo[str, nz.TargetParts] = _Memo(self._target_plain)
        self._actuals_of: _Memo[str, nz.ActualParts] = _Memo(self._actual_plain)
        self._reasons_of: _Memo[str | None, str | None] = _Memo(lambda t: self._reason_text((t, None)))
        self._names: _Memo[str, str | None] = _Memo(lambda t: _canon(self._clean[t]))
        self._placeholders: _Memo[str, bool] = _Memo(lambda t: _PLACEHOLDER.match(self._key[t]) is not None)
        # an indicator table's name cell: its shared text, None for a placeholder ("指标1", "…")
        self._table_names: _Memo[str, str | None] = _Memo(lambda t: None if self._placeholders[t] else self._names[t])
        self._roles: _Memo[tuple[str, ...], dict[str, int]] = _Memo(self._header_roles_of)
        self._roles_of_cells: _Memo[str, str | None] = _Memo(self._cell_role_of)
        self._key_roles: _Memo[str, str | None] = _Memo(self._key_role)
        # few rows repeat (titles, headers, year lines) and each view holds a row's texts: a small table
        self._row_views: _Memo[tuple[str, ...], _RowView | None] = _Memo(self._row_view, limit=1 << 12)
        self._flat_level: _Memo[str, str | None] = _Memo(lambda t: _canon(_strip_weight_note(self._key[t]) or None))

    def forget(self) -> None:
        """Drop the per-text caches (they refill as needed): call when a batch is loaded."""
        for memo in vars(self).values():
            if isinstance(memo, _Memo):
                memo.clear()

    # ---- entry point -------------------------------------------------------------------------
    def interpret(self, grid: Grid) -> tuple[list[Form], list[ReadError]]:
        packed, errors = self.interpret_packed(grid)
        return unpack_forms(packed), errors

    def interpret_packed(self, grid: Grid) -> tuple[list[PackedForm], list[ReadError]]:
        """`interpret`, with the forms as plain tuples (packing.py): what a worker process sends."""
        errors: list[ReadError] = []
        flat_header = self._find_flat_header(grid)
        if flat_header is not None:
            builders = self._interpret_flat(grid, flat_header, errors)
        else:
            builders = self._interpret_forms(grid, errors)
        forms = [pack_form(b.form, b.indicators) for b in builders]
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
        return self._roles_of_cells[cell]

    def _cell_role_of(self, cell: str) -> str | None:
        return self._key_role(self._key[cell])

    def _key_role(self, k: str) -> str | None:
        """`_cell_role` of a cell by its key."""
        if "(" not in k and "（" not in k:  # most cells: no note for the patterns below to remove
            return self.vocab.column_of(k)
        k = _strip_weight_note(k)
        return self.vocab.column_of(k) or self.vocab.column_of(_NOTE.sub("", k))

    def _header_roles(self, cells: list[str]) -> dict[str, int]:
        """Role → first column naming it (a shared dict per distinct row: never mutate it)."""
        return self._roles[tuple(cells)]

    def _header_roles_of(self, cells: Sequence[str]) -> dict[str, int]:
        roles: dict[str, int] = {}
        role_of = self._roles_of_cells  # _cell_role, without a call per cell
        for i, cell in enumerate(cells):
            role = role_of[cell]
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

    def _table_target(self, text: str) -> nz.TargetParts | None:
        """The parts of a target cell that nz.looks_like_target accepts (operator + number, or a
        qualitative word), else None: checking a row and packing its target parse the cell once.
        Parsed here, not through `_targets_of`: most target cells are new, and a second memo's miss
        doubled the cost of each (rows packed the long way look here first, to share the tuple)."""
        parts = self._target_plain(text)
        return parts if parts[1] is not None or self._key[text] in self.vocab.qualitative_targets else None

    def _level_kind(self, text: str) -> str | None:
        return self._levels[text][0]

    def _level_of(self, text: str) -> tuple[str | None, str]:
        """(level1 / level2 / None by what the cell says, the level label it gives)."""
        k = _strip_weight_note(self._key[text])
        label = _canon(k) or ""
        if k in self.vocab.level1_names:
            return "level1", label
        if k in self.vocab.level2_names or k.endswith("指标"):
            return "level2", label
        return None, label

    # ---- form-shaped grids -------------------------------------------------------------------
    def _interpret_forms(self, grid: Grid, errors: list[ReadError]) -> list[_FormBuilder]:
        forms: list[_FormBuilder] = []
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

        clean, table_targets, views = self._clean.__getitem__, self._table_targets, self._row_views
        needs_clean = nz.needs_clean
        rows = grid.rows
        at, n_rows = 0, len(rows)
        while at < n_rows:
            row = rows[at]
            at += 1
            cells = (
                row.cells
                if row.clean or (row.clean is None and not needs_clean("\0".join(row.cells)))
                else list(map(clean, row.cells))
            )
            # fast path: inside an indicator table, a row whose target cell holds a target is a row
            # of the table (titles, headers and 总分 rows never do); this is most rows of a batch
            if cur is not None and cur.columns is not None and not cur.after_table:
                t_col = cur.columns.get("target")
                if t_col is not None and t_col < len(cells) and table_targets[cells[t_col]] is not None:
                    at = self._table_rows(grid, at - 1, cur, t_col, errors)
                    continue
            view = views[tuple(cells)]
            if view is None:
                continue
            cells, keys, nonempty, first_key, joined = view.cells, view.keys, view.nonempty, view.first_key, view.joined
            n_distinct = view.n_distinct

            # title: starts a new form
            if view.is_title:
                b = start(row)
                if view.year is not None:
                    b.form.year = view.year
                continue
            if cur is None:
                if n_distinct <= 2 and (view.year is not None or view.total is not None):
                    if view.year is not None and len(joined) <= 40:
                        pending_year = view.year
                    if view.total is not None:
                        pending_total = view.total
                    continue
                b = start(row)
                b.form.year, b.form.total.score = pending_year, pending_total
            assert cur is not None
            b = cur

            # year line under the title: "(2024 年度)"
            if view.is_year_line:
                b.form.year = view.year
                continue
            if view.total is not None and n_distinct <= 2:
                b.form.total.score = view.total
                continue

            roles, label_roles = view.roles, view.label_roles
            # header label/value pairs: 项目名称 / 主管部门 / 实施单位 / 单位名称 / 填报日期
            if label_roles and not self._is_indicator_header(roles) and not b.columns:
                if "project" in label_roles and (b.indicators or b.form.project):
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
            if b.funds_cols is not None and not b.columns and self._funds_row(view, b):
                continue

            # goals
            if view.names_goal or "goals_expected" in roles:
                b.in_goals = True
                b.goal_cols = ["goals_expected", "goals_achieved"]
                texts = [c for i, c in nonempty if keys[i] not in self.vocab.goal_labels and not self.vocab.column_of(keys[i])]
                self._add_goals(b.form.goals, texts)
                continue

            # indicator table header
            if view.table_plan is not None:  # an indicator table header
                b.columns, b.plan = roles, view.table_plan
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

    def _row_view(self, cells: tuple[str, ...]) -> _RowView | None:
        """What a row outside the indicator rows says, whatever the form: None for an empty row."""
        if not any(cells):
            return None
        line = "\t".join(cells)
        split = self._split_label_cells(list(cells)) if ":" in line or "：" in line else list(cells)
        keys = list(map(self._key.__getitem__, split))
        nonempty = [(i, c) for i, c in enumerate(split) if c]
        # a cell merged across columns is repeated by the reader: count and join it once
        distinct = list(dict.fromkeys(filter(None, keys)))
        joined = "".join(distinct)
        m_year, m_total = _YEAR.search(joined), _TOTAL_AT_TOP.search(joined)
        # _header_roles_of, by the keys (the view is kept per distinct row already)
        roles: dict[str, int] = {}
        column_of, key_roles = self.vocab.header_lookup.get, self._key_roles
        for i, k in enumerate(keys):
            role = column_of(k) if "(" not in k and "（" not in k else key_roles[k]
            if role and role not in roles:
                roles[role] = i
        n_distinct = len(distinct)
        return _RowView(
            split,
            keys,
            nonempty,
            keys[nonempty[0][0]],
            joined,
            n_distinct,
            n_distinct <= 2 and any(w in joined for w in self.vocab.title_words),
            int(m_year.group(1)) if m_year else None,
            float(m_total.group(1)) if m_total else None,
            n_distinct == 1 and _YEAR.fullmatch(joined.strip("()（）")) is not None,
            not self.vocab.goal_labels.isdisjoint(keys),
            roles,
            {r: i for r, i in roles.items() if r in ("project", "department", "unit_name")},
            _TablePlan.of(roles) if self._is_indicator_header(roles) else None,
        )

    def _split_label_cells(self, cells: list[str]) -> list[str]:
        """"单位名称：县第一中学" in one cell becomes a label cell and a value cell."""
        out: list[str] = []
        for c in cells:
            m = _LABEL_IN_CELL.match(c) if ":" in c or "：" in c else None  # most cells: no colon to split at
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

    def _funds_row(self, view: _RowView, b: _FormBuilder) -> bool:
        """A row of the funds block; only the 年度资金总额 row feeds the model, others are read and kept out."""
        cells, keys = view.cells, view.keys
        label_idx = None
        kind = None
        for i, _ in view.nonempty:  # an empty cell names no funds row
            kind = self._funds_kind[keys[i]]
            if kind:
                label_idx = i
                break
        if label_idx is None:
            # Hubei layout: the amounts row under "预算数(A) | 执行数(B) | …" has no label of its own
            f = b.form.funds
            if f.adjusted is not None or f.executed is not None:  # read already: the cells are not looked at
                return False
            filled = [c for c in cells if c]
            if not (filled and all(nz.number(c) is not None or nz.key(c) in ("-", "—") for c in filled)):
                return False
            label_idx, kind = -1, "total"
        if kind != "total":  # the other rows are read and kept out
            return True
        values = cells[label_idx + 1 :]
        cols = b.funds_cols or []
        filled = [v for v in values if v]
        if len(filled) == len(cols):
            mapping = dict(zip(cols, filled, strict=True))
        else:  # cells missing: fall back to the header's column positions (trailing ones)
            mapping = dict(zip(cols, values[-len(cols) :], strict=False)) if cols else {}
        f = b.form.funds
        f.initial = nz.number(mapping.get("funds_initial"))
        f.adjusted = nz.number(mapping.get("funds_adjusted"))
        f.executed = nz.number(mapping.get("funds_executed"))
        f.weight = nz.number(mapping.get("weight") or mapping.get("funds_weight")) or f.weight
        f.rate = nz.number(mapping.get("funds_rate"))
        f.score = nz.number(mapping.get("score") or mapping.get("funds_score"))
        return True

    def _funds_kind_of(self, k: str) -> str | None:
        """Which funds row a label cell names (年度资金总额 → total), or None."""
        k2 = k.replace("其中:", "").replace("其中", "")
        for name, words in self.vocab.funds_rows.items():
            if k2 in words or k in words:
                return name
        return None

    @staticmethod
    def _add_goals(goals: Goals, texts: list[str]) -> None:
        # merged cells expanded by a reader repeat the same text: keep each text once
        uniq = list(dict.fromkeys(texts))
        if len(uniq) >= 1:
            goals.expected = uniq[0] if not goals.expected else goals.expected + uniq[0]
        if len(uniq) >= 2:
            goals.achieved = uniq[1] if not goals.achieved else goals.achieved + uniq[1]

    def _table_rows(self, grid: Grid, start: int, b: _FormBuilder, t_col: int, errors: list[ReadError]) -> int:
        """`_indicator_row` for the run of common rows from `start` on whose target stands in the
        header's target column: each goes from its cells straight to its packed values. Returns
        where the run ends (the first row that is not such a row)."""
        plan = b.plan
        assert plan is not None  # set with the table header that brought the reading here
        name_col, l1_col, w_col, s_col = plan.name_col, plan.l1_col, plan.w_col, plan.s_col
        rest, rest_width, rest_safe, plain = plan.rest, plan.rest_width, plan.rest_safe, plan.plain
        file, sheet, out, level1, level2 = grid.file, grid.sheet, b.indicators, b.level1, b.level2
        clean, needs_clean, table_targets = self._clean.__getitem__, nz.needs_clean, self._table_targets
        levels, table_names, pack_texts = self._levels, self._table_names, self._pack_texts
        actuals_of, scores_of, reasons_of = self._actuals_of, self._scores, self._reasons_of
        last_at = -1  # the last row packed, its cells, name and levels (kept for a continuation row)
        last_cells: list[str] = []
        last_name, last_l1, last_l2 = "", level1, level2
        rows = grid.rows
        for at in range(start, len(rows)):
            row = rows[at]
            cells = (
                row.cells
                if row.clean or (row.clean is None and not needs_clean("\0".join(row.cells)))
                else list(map(clean, row.cells))
            )
            n = len(cells)
            target = table_targets[cells[t_col]] if t_col < n else None
            if target is None:
                break
            if name_col is not None and name_col < n and (name := cells[name_col]):
                name_idx: int | None = name_col
            else:
                candidates = [i for i in range(min(t_col, n)) if cells[i]]
                name_idx = candidates[-1] if candidates else None
                name = cells[name_idx] if name_idx is not None else ""
            if name_idx and any(lead := cells[:name_idx]):  # level cells: most are empty (merged cells)
                for i, c in enumerate(lead):
                    if c:
                        kind, label = levels[c]
                        if kind is None:
                            kind = "level1" if i == l1_col else "level2"
                        level1, level2 = _levels_after(level1, level2, kind, label)
            if not name:
                errors.append(self._err(grid, row, "指标行缺少三级指标名称"))
                continue
            shared_name = table_names[name]
            if shared_name is None:  # a placeholder (rarely): only then are the scores looked at
                number = nz.number
                has_scores = (w_col is not None and w_col < n and number(cells[w_col]) is not None) or (
                    s_col is not None and s_col < n and number(cells[s_col]) is not None
                )
                if not has_scores:
                    errors.append(self._err(grid, row, f"模板空行「{name}」（无指标值和分值），已跳过"))
                    continue
                shared_name = self._names[name]
            texts = rest(cells) if rest is not None and n >= rest_width else rest_safe(cells)
            if plain:
                actual, weight, score, reason = texts
                # _pack_plain, inline (most rows of a batch come here)
                out += (
                    level1, level2, shared_name, target, actuals_of[actual], scores_of[(weight, score)],
                    reasons_of[reason], file, row.page, sheet, row.line,
                )  # fmt: skip
            else:
                pack_texts(out, level1, level2, (name, cells[t_col], *texts), row, file, sheet)
            last_at, last_cells, last_name, last_l1, last_l2 = at, cells, name, level1, level2
        else:
            at = len(rows)
        b.level1, b.level2 = level1, level2
        if last_at >= 0:
            # the last row's texts by role, for a continuation row to extend (the name and target found win)
            n = len(last_cells)
            values = (*(last_cells[c] if c < n else "" for c in plan.role_cols), last_name, last_cells[t_col])
            b.last = _RawIndicator(plan.roles, values, last_l1, last_l2, rows[last_at])
        return at

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
            prev_raw = b.last
            if prev_raw is not None and at("name") and not (_looks_cut(prev_raw) or prev_raw.row.page != row.page):
                return f"指标行「{at('name')}」缺少年度指标值、实际完成值和分值，无法识别"
            used: set[int] = set()
            if prev_raw is not None:
                for role in INDICATOR_FIELDS:
                    if role in cols and role not in ("level1", "level2") and at(role):
                        prev_raw.cells[role] = prev_raw.cells.get(role, "") + at(role)
                        used.add(cols[role] + shift)
                if used:  # packed again, with the texts it has now
                    del b.indicators[-INDICATOR_WIDTH:]
                    self._pack_raw(b, prev_raw)
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
        self._pack_raw(b, _RawIndicator((), (), b.level1, b.level2, row, role_cells))
        return None

    @classmethod
    def _set_level(cls, b: _FormBuilder, kind: str, text: str) -> None:
        cls._assign_level(b, kind, _strip_weight_note(nz.key(text)))

    @staticmethod
    def _assign_level(b: _FormBuilder, kind: str, label: str) -> None:
        b.level1, b.level2 = _levels_after(b.level1, b.level2, kind, label)

    # the packed layout (packing.pack_forms): level1, level2, name, the target, actual and scores
    # tuples as the memos hold them (one per distinct text: see packing), reason, Source's fields
    def _pack_plain(
        self, out: list[object], level1: str | None, level2: str | None,
        name: str, target: nz.TargetParts, actual: str, weight: str, score: str, reason: str,
        row: Row, file: str, sheet: str | None,
    ) -> None:  # fmt: skip
        """Append one indicator of a row without unit, operator or measure texts to `out` (its
        target already parsed, by `_targets_of` or `_table_targets`)."""
        out += (
            level1, level2, self._names[name], target, self._actuals_of[actual], self._scores[(weight, score)],
            self._reasons_of[reason], file, row.page, sheet, row.line,
        )  # fmt: skip

    def _pack_texts(
        self, out: list[object], level1: str | None, level2: str | None, texts: tuple[str, ...],
        row: Row, file: str, sheet: str | None,
    ) -> None:  # fmt: skip
        """Append one indicator to `out`; `texts` are the row's texts of _PACK_FIELDS (the first six
        only: no unit, operator or measure)."""
        if len(texts) <= _PACK_PLAIN:
            name, target, actual, weight, score, reason = texts
            # the table rows' tuple when the text is one (pickled once per file), else parsed alike
            parts = self._table_targets[target] or self._targets_of[target]
            self._pack_plain(out, level1, level2, name, parts, actual, weight, score, reason, row, file, sheet)
            return
        name, target, actual, weight, score, reason, unit, op, measure = texts
        out += (
            level1, level2, self._names[name], self._targets[(target, unit, op)], self._actuals[(actual, unit)],
            self._scores[(weight, score)], self._reasons[(reason, measure)], file, row.page, sheet, row.line,
        )  # fmt: skip

    def _pack_raw(self, b: _FormBuilder, raw: _RawIndicator) -> None:
        """Append an indicator known by its texts per role (rows read the long way, continued rows)."""
        texts = tuple(raw.cells.get(role, "") for role in _PACK_FIELDS)
        if not (texts[6] or texts[7] or texts[8]):
            texts = texts[:_PACK_PLAIN]  # parsed alike either way: the shorter memo keys are cheaper
        self._pack_texts(b.indicators, raw.level1, raw.level2, texts, raw.row, b.source.file, b.source.sheet)
        b.last = raw

    # the parts of an indicator, per distinct cell texts (see _Memo); strings and floats shared
    def _target_args(self, cells: tuple[str, str | None, str | None]) -> nz.TargetParts:
        text, unit_cell, op = cells
        raw, t_op, value, unit, qualitative = nz.target_parts(text, nz.clean(unit_cell) or None, op)
        if value is not None and nz.key(op or "") == "定性":
            qualitative = raw
        return _canon(raw) or "", _canon(t_op), canon_float(value), _canon(unit), _canon(qualitative)

    def _actual_args(self, cells: tuple[str, str | None]) -> nz.ActualParts:
        text, unit_cell = cells
        raw, value, unit, status = nz.actual_parts(text, self.vocab, nz.clean(unit_cell) or None)
        return _canon(raw) or "", canon_float(value), _canon(unit), _canon(status)  # type: ignore[return-value]

    @staticmethod
    def _target_plain(text: str) -> nz.TargetParts:
        """`_target_args` of a target with no unit or operator cell beside it. Only the operator and
        unit are shared: they repeat across distinct texts (a worker's pickle then writes each once);
        the tuple itself is the memo's, shared by its rows already (pickled once per file)."""
        plain = _plain_value(text)  # the common cell (most are seen once): its parts are the groups
        if plain is not None:
            op, num, unit = plain.groups()
            if op != "<":  # (a "<" may open a tag `clean` removes: the long way)
                return text, canon_str(op, op), float(num), canon_str(unit, unit), None
        raw, op, value, unit, qualitative = nz.target_parts(text)
        return raw, canon_str(op, op), value, canon_str(unit, unit), qualitative

    def _actual_plain(self, text: str) -> nz.ActualParts:
        """`_actual_args` of an actual value with no unit cell beside it (shared as `_target_plain`
        says; a status is one of the vocabulary's own strings)."""
        if text[:1] in self._statusless_digits:  # the common cell: a number and unit, never a status
            plain = _plain_value(text)
            if plain is not None:
                _, num, unit = plain.groups()
                return text, float(num), canon_str(unit, unit), None
        raw, value, unit, status = nz.actual_parts(text, self.vocab)
        return raw, value, canon_str(unit, unit), status

    @staticmethod
    def _score_values(cells: tuple[str | None, str | None]) -> Scores:
        weight, score = nz.number(cells[0]), nz.number(cells[1])
        lost = round(weight - score, 4) if weight is not None and score is not None else None
        return Scores((canon_float(weight), canon_float(score), canon_float(lost)))

    def _reason_text(self, cells: tuple[str | None, str | None]) -> str | None:
        reason, measure = nz.clean(cells[0]), nz.clean(cells[1])
        if reason and nz.key_in(reason, self.vocab.no_reason):
            reason = ""
        if measure and not nz.key_in(measure, self.vocab.no_reason):
            reason = f"{reason}；{measure}" if reason else measure
        return _canon(reason or None)

    def _finish(self, b: _FormBuilder, grid: Grid, errors: list[ReadError]) -> _FormBuilder:
        """A form is complete: report it now if it has no indicator (its indicators are built by _pack)."""
        form = b.form
        if not b.indicators:
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
        return b

    # ---- flat exports ------------------------------------------------------------------------
    def _interpret_flat(self, grid: Grid, header_idx: int, errors: list[ReadError]) -> list[_FormBuilder]:
        header = grid.rows[header_idx]
        roles = self._header_roles(header.cells)
        forms: dict[tuple[str, ...], _FormBuilder] = {}
        # rows shorter than the header are padded, so that every role's cell is one index away
        width = max(roles.values()) + 1
        padding = [""] * width
        # the texts _pack_texts reads, in one call (every column is in the padded row)
        columns = _pack_columns(roles)
        texts_of = itemgetter(*columns) if None not in columns else _safe_getter(columns)
        plain = len(columns) == _PACK_PLAIN
        # the cells that tell forms apart (a role the header lacks is "" on every row: left out)
        form_key = _tuple_getter([roles[r] for r in ("project", "department", "unit_name", "year") if r in roles])
        name_i, target_i, l1_i, l2_i = roles["name"], roles.get("target"), roles.get("level1"), roles.get("level2")
        clean, needs_clean, level = self._clean.__getitem__, nz.needs_clean, self._flat_level
        pack_texts, targets_of, names, actuals_of = self._pack_texts, self._targets_of, self._names, self._actuals_of
        scores_of, reasons_of = self._scores, self._reasons_of
        file, sheet = grid.file, grid.sheet
        no_level = level[""]
        last_key: tuple[str, ...] | None = None
        last: _FormBuilder | None = None
        for row in grid.rows[header_idx + 1 :]:
            cells = (
                row.cells
                if row.clean or (row.clean is None and not needs_clean("\0".join(row.cells)))
                else list(map(clean, row.cells))
            )
            if not any(cells):
                continue
            if len(cells) < width:
                cells = cells + padding[len(cells) :]
            if not cells[name_i] and (target_i is None or not cells[target_i]):
                errors.append(self._err(grid, row, "该行没有指标名称和指标值，已跳过"))
                continue
            fkey = form_key(cells)
            # a form's rows come one after another: most rows have the last row's key (compared, not hashed)
            b = last if fkey == last_key else forms.get(fkey)
            if b is None:

                def get(role: str, cells: list[str] = cells) -> str:
                    i = roles.get(role)
                    return cells[i] if i is not None else ""

                year_txt = get("year")
                year_m = _YEAR.search(year_txt) or re.fullmatch(r"((?:19|20)\d{2})(?:\.0)?", year_txt)
                src = Source(file=grid.file, page=row.page, sheet=grid.sheet, line=row.line)
                form = Form(
                    source=src,
                    year=int(year_m.group(1)) if year_m else None,
                    project=_canon(get("project") or None),
                    department=_canon(get("department") or None),
                    unit=_canon(get("unit_name") or None),
                    funds=Funds(
                        initial=nz.number(get("funds_initial")),
                        adjusted=nz.number(get("funds_adjusted")),
                        executed=nz.number(get("funds_executed")),
                        weight=nz.number(get("funds_weight")),
                        rate=nz.number(get("funds_rate")),
                        score=nz.number(get("funds_score")),
                    ),
                    goals=Goals(expected=_canon(get("goals_expected") or None), achieved=_canon(get("goals_achieved") or None)),
                    total=Total(weight=nz.number(get("total_weight")), score=nz.number(get("total_score"))),
                    grade=_canon(get("grade") or None),
                )
                b = forms[fkey] = _FormBuilder(source=src, form=form)
            last_key, last = fkey, b
            level1 = level[cells[l1_i]] if l1_i is not None else no_level
            level2 = level[cells[l2_i]] if l2_i is not None else no_level
            if plain:
                name, target, actual, weight, score, reason = texts_of(cells)
                # _pack_plain, inline (every row comes here)
                b.indicators += (
                    level1, level2, names[name], targets_of[target], actuals_of[actual], scores_of[(weight, score)],
                    reasons_of[reason], file, row.page, sheet, row.line,
                )  # fmt: skip
            else:
                pack_texts(b.indicators, level1, level2, texts_of(cells), row, file, sheet)
        return [self._finish(b, grid, errors) for b in forms.values()]


def interpret(grid: Grid, vocab: Vocab | None = None) -> tuple[list[Form], list[ReadError]]:
    """Convenience wrapper: interpret one grid with the bundled vocabulary."""
    return Interpreter(vocab).interpret(grid)
