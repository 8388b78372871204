"""Read-only sequences whose items are made when read: a province's millions of rows are kept as
what they are made from, not as the objects the reports read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar, overload

T = TypeVar("T")


class MadeWhenRead(Sequence[T]):
    """A Sequence over `_at(i)` (0 <= i < len): indexing (negative, slices) and bounds, once."""

    __slots__ = ()

    def __len__(self) -> int:
        raise NotImplementedError

    def _at(self, i: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        size = len(self)
        if isinstance(index, slice):
            return [self._at(n) for n in range(*index.indices(size))]
        if not -size <= index < size:
            raise IndexError(index)
        return self._at(index % size)
