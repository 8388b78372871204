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
_objects: dict[tuple[Any, ...], Any] = {}  # (class, fields) → the shared immutable value

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


def canon_object(cls: Callable[..., T], fields: tuple[Any, ...]) -> T:
    """The shared `cls(*fields)` of an immutable value class (Target, Actual): millions of rows hold
    some tens of thousands of distinct values. Never shared with a zero float among its fields
    (0.0 == -0.0 would merge them)."""
    key = (cls, fields)
    obj = _objects.get(key)
    if obj is None:
        # its fields as they come: a value met for the first time rarely shares its parts (its raw
        # text and number are what make it new), and sharing them cost half the unpacking
        obj = cls(*fields)
        if 0.0 not in fields:
            _objects[key] = obj
    return obj


def trim() -> None:
    """Empty any table that grew past its bound (call between files: cheap)."""
    for table in (_strings, _floats, _ints, _objects):
        if len(table) > _LIMIT:
            table.clear()


def release() -> None:
    """Forget every shared copy (the objects already handed out stay shared)."""
    _strings.clear()
    _floats.clear()
    _ints.clear()
    _objects.clear()
