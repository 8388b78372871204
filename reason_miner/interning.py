"""One shared copy of each value that repeats across millions of indicator rows.

Indicator names, levels, units, statuses, target/actual texts, weights, scores and line numbers
repeat a great deal between forms; a batch of 100k forms holds ~3 million rows, so keeping one
object per distinct value instead of one per row halves the memory the loaded forms take.

The tables are process-wide and bounded (emptied when full); `release()` empties them once a
batch is loaded, so they never keep objects alive after the forms are dropped. Only exact
equality is used: -0.0 is never merged with 0.0 (they print differently).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_LIMIT = 1 << 18  # entries per table before it is emptied (a few tens of MB at most)

_strings: dict[Any, Any] = {}  # str → the same str (None → None)
_floats: dict[float, float] = {}
_ints: dict[int | None, int | None] = {}

# bound methods, for hot loops: `canon_str(s, s)` returns the shared copy of s (None stays None)
canon_str = _strings.setdefault
canon_int = _ints.setdefault
canon_nonzero_float = _floats.setdefault  # never with a zero: 0.0 == -0.0
_ZERO = 0.0


def canon_float(value: float | None) -> float | None:
    """The shared copy of a float; zeros are shared by sign, None stays None."""
    if value:
        return canon_nonzero_float(value, value)
    if value is None or math.copysign(1.0, value) < 0:
        return value
    return _ZERO


class _Values(dict[tuple[Any, ...], Any]):
    """fields → the shared `cls(*fields)` of an immutable value class (Target, Actual): millions of
    rows hold some tens of thousands of distinct values. `table[fields]` is one dict lookup when the
    value is known. A value with a zero float among its fields is never kept (0.0 == -0.0 would
    merge it with the other sign): each lookup makes a new one."""

    __slots__ = ("cls",)

    def __init__(self, cls: Callable[..., Any]) -> None:
        super().__init__()
        self.cls = cls

    def __missing__(self, fields: tuple[Any, ...]) -> Any:
        # its fields as they come: a value met for the first time rarely shares its parts (its raw
        # text and number are what make it new), and sharing them cost half the unpacking
        obj = self.cls(*fields)
        if 0.0 not in fields:
            self[fields] = obj
        return obj


_values: dict[Callable[..., Any], _Values] = {}


def values_of(cls: Callable[..., T]) -> dict[tuple[Any, ...], T]:
    """The table of shared values of `cls`: `values_of(cls)[fields]` is the shared `cls(*fields)`."""
    table = _values.get(cls)
    if table is None:
        table = _values[cls] = _Values(cls)
    return table


def canon_object(cls: Callable[..., T], fields: tuple[Any, ...]) -> T:
    """The shared `cls(*fields)` of an immutable value class (see `values_of`)."""
    return values_of(cls)[fields]


def canon_floats(*values: float | None) -> tuple[float | None, ...]:
    """The shared copies of some floats (see `canon_float`), as a tuple."""
    return tuple(map(canon_float, values))


def trim() -> None:
    """Empty any table that grew past its bound (call between files: cheap)."""
    for table in (_strings, _floats, _ints, *_values.values()):
        if len(table) > _LIMIT:
            table.clear()


def release() -> None:
    """Forget every shared copy (the objects already handed out stay shared)."""
    _strings.clear()
    _floats.clear()
    _ints.clear()
    for table in _values.values():
        table.clear()
