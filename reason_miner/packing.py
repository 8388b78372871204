"""Forms as plain tuples, to cross process boundaries cheaply (local workers, Dask).

Pickling the dataclasses themselves runs Python code for every object (slots dataclasses pickle
through `__getstate__`/`__setstate__`); plain tuples of str/float/int pickle in C, about 10 times
faster, and the pickle is half the size. Unpacking rebuilds the same dataclasses, with repeated
values shared through `interning` (pickle itself shares strings only within one file's result).
"""

from __future__ import annotations

from typing import Any

from .interning import canon_float, canon_int, canon_nonzero_float, canon_object, canon_str, trim
from .model import Actual, Form, Funds, Goals, Indicator, Source, Target, Total

PackedForm = tuple[Any, ...]
# an indicator is INDICATOR_WIDTH values in a row of its form's one flat list: a tuple per
# indicator was a container the cyclic collector scanned, pickled and unpickled one by one
INDICATOR_WIDTH = 20


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
            indicators += (
                i.level1, i.level2, i.name,
                i.target.raw, i.target.op, i.target.value, i.target.unit, i.target.text,
                i.actual.raw, i.actual.value, i.actual.unit, i.actual.status,
                i.weight, i.score, i.lost, i.reason,
                i.source.file, i.source.page, i.source.sheet, i.source.line,
            )  # fmt: skip
        packed.append(pack_form(f, indicators))
    return packed


def unpack_forms(packed: list[PackedForm]) -> list[Form]:
    # Shared across files: the values that repeat between files. Levels, units, operators,
    # statuses and file names are already shared within a file by pickle and have few distinct
    # values, so they are left as they come. Floats and ints are never shared by pickle.
    trim()
    S, N, F, V = canon_str, canon_int, canon_nonzero_float, canon_object
    forms: list[Form] = []
    for (
        sf, sp, ss, sl, year, project, department, unit,
        fi, fa, fe, fw, fr, fs, ge, ga, tw, ts, grade, remarks, inds,
    ) in packed:  # fmt: skip
        indicators = [
            Indicator(
                l1, l2, S(name, name),
                V(Target, (traw, op, tval, tunit, ttext)),
                V(Actual, (araw, aval, aunit, status)),
                F(weight, weight) if weight else canon_float(weight),
                F(score, score) if score else canon_float(score),
                F(lost, lost) if lost else canon_float(lost),
                S(reason, reason),
                Source(file, page, sheet, N(line, line)),
            )
            for (
                l1, l2, name, traw, op, tval, tunit, ttext, araw, aval, aunit, status,
                weight, score, lost, reason, file, page, sheet, line,
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
