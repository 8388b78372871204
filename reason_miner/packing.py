"""Forms as plain tuples, to cross process boundaries cheaply (local workers, Dask).

Pickling the dataclasses themselves runs Python code for every object (slots dataclasses pickle
through `__getstate__`/`__setstate__`); plain tuples of str/float/int pickle in C, about 10 times
faster, and the pickle is half the size. Unpacking rebuilds the same dataclasses, with repeated
values shared through `interning` (pickle itself shares objects only within one file's result).

An indicator's target, actual and (weight, score, lost) go as one tuple each: the interpreter hands
out one tuple per distinct cell text, so pickle writes each distinct one once per file (its memo) and
the receiver looks each row's up by the tuple it already has, instead of rebuilding it from spread
values in every row.
"""

from __future__ import annotations

from typing import Any

from .interning import canon_floats, canon_int, canon_str, trim, values_of
from .model import Actual, Form, Funds, Goals, Indicator, Source, Target, Total

PackedForm = tuple[Any, ...]
# an indicator is INDICATOR_WIDTH values in a row of its form's one flat list: a tuple per
# indicator was a container the cyclic collector scanned, pickled and unpickled one by one:
# level1, level2, name, target (Target's fields), actual (Actual's fields), scores (weight, score,
# lost as `Scores`), reason, Source's fields
INDICATOR_WIDTH = 11


class Scores(tuple[float | None, float | None, float | None]):
    """An indicator's (weight, score, lost), shared by the rows with the same score texts. Unpickled
    as the receiver's shared floats (`interning.canon_floats`): once per distinct tuple in a file, not
    three times per row; a plain tuple after that."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return canon_floats, tuple(self)


def pack_form(f: Form, indicators: list[Any]) -> PackedForm:
    """A form as a tuple, around its indicators already packed (flat, INDICATOR_WIDTH values each)."""
    s, fu, g, t = f.source, f.funds, f.goals, f.total
    return (
        s.file, s.page, s.sheet, s.line,
        f.year, f.project, f.department, f.unit,
        fu.initial, fu.adjusted, fu.executed, fu.weight, fu.rate, fu.score,
        g.expected, g.achieved, t.weight, t.score, f.grade, f.remarks, indicators,
    )  # fmt: skip


def pack_forms(forms: list[Form]) -> list[PackedForm]:
    packed = []
    for f in forms:
        indicators: list[Any] = []
        for i in f.indicators:
            t, a = i.target, i.actual
            indicators += (
                i.level1, i.level2, i.name,
                (t.raw, t.op, t.value, t.unit, t.text), (a.raw, a.value, a.unit, a.status),
                Scores((i.weight, i.score, i.lost)), i.reason, i.file, i.page, i.sheet, i.line,
            )  # fmt: skip
        packed.append(pack_form(f, indicators))
    return packed


def unpack_forms(packed: list[PackedForm]) -> list[Form]:
    # Shared across files: the values that repeat between files. Levels, units, operators,
    # statuses and file names are already shared within a file by pickle and have few distinct
    # values, so they are left as they come; the scores come shared (`Scores`).
    trim()
    S, N, T, A = canon_str, canon_int, values_of(Target), values_of(Actual)
    forms: list[Form] = []
    for (
        sf, sp, ss, sl, year, project, department, unit,
        fi, fa, fe, fw, fr, fs, ge, ga, tw, ts, grade, remarks, inds,
    ) in packed:  # fmt: skip
        indicators = [
            Indicator(
                l1, l2, S(name, name), T[target], A[actual], weight, score, lost,
                S(reason, reason), file, page, sheet, N(line, line),
            )
            for (
                l1, l2, name, target, actual, (weight, score, lost), reason, file, page, sheet, line,
            ) in zip(*[iter(inds)] * INDICATOR_WIDTH, strict=True)
        ]  # fmt: skip
        forms.append(
            Form(
                Source(sf, sp, ss, sl),
                year, S(project, project), S(department, department), S(unit, unit),
                Funds(fi, fa, fe, fw, fr, fs),
                Goals(S(ge, ge), S(ga, ga)),
                indicators,
                Total(tw, ts),
                grade,
                remarks,
            )
        )  # fmt: skip
    return forms
