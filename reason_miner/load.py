"""Read + interpret for a batch of paths: one bad file never stops the batch, and is reported."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import interning
from .grid import ReadFailure
from .interpret import Interpreter
from .model import Form, ReadError
from .packing import PackedForm, pack_forms, unpack_forms
from .readers import iter_files, read_file

if TYPE_CHECKING:
    from .helper import Helper


@dataclass
class LoadResult:
    forms: list[Form] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    files: int = 0
    # the helper process that works beside the analysis (`load_input(helper=True)`, `helper.Helper`)
    helper: Helper | None = field(default=None, repr=False, compare=False)

    @property
    def failed_files(self) -> list[str]:
        """Files that produced no form at all because of an error."""
        return sorted({e.file for e in self.errors if e.kind == "error"})

    def __reduce__(self) -> tuple[Any, ...]:
        # forms cross process boundaries as plain tuples: see packing.py
        return (_unpacked_result, (pack_forms(self.forms), self.errors, self.files))

    def extend(self, other: LoadResult) -> None:
        self.forms.extend(other.forms)
        self.errors.extend(other.errors)
        self.files += other.files


def _unpacked_result(forms: list[PackedForm], errors: list[ReadError], files: int) -> LoadResult:
    # named anew with each change of the packed layout: a pickle made in the old layout then fails
    # to load (no such function) instead of being read wrong
    return LoadResult(unpack_forms(forms), errors, files)


@dataclass
class PackedResult:
    """A LoadResult with its forms still as tuples: what a worker process returns. It is unpickled
    as a LoadResult, so the forms become objects only once, in the process that uses them."""

    forms: list[PackedForm] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    files: int = 0

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpacked_result, (self.forms, self.errors, self.files))

    def unpack(self) -> LoadResult:
        return _unpacked_result(self.forms, self.errors, self.files)


def keep_year(forms: list[Form], year: int | None) -> list[Form]:
    """The forms of `year` (all of them for None): what a run asked for one year analyses."""
    return forms if year is None else [f for f in forms if f.year == year]


def load_file_packed(path: Path, interpreter: Interpreter | None = None) -> PackedResult:
    """Read and interpret one file; errors are returned, never raised."""
    interp = interpreter or Interpreter()
    result = PackedResult(files=1)
    try:
        grids = read_file(path)
    except ReadFailure as exc:
        result.errors.append(
            ReadError(file=str(path), message=exc.message, page=exc.page, sheet=exc.sheet, line=exc.line)
        )
        return result
    for grid in grids:
        forms, errors = interp.interpret_packed(grid)
        result.forms.extend(forms)
        result.errors.extend(errors)
    interning.trim()
    if not result.forms and not any(e.kind == "error" for e in result.errors):
        for e in result.errors:
            e.kind = "error"  # nothing readable in the file: the file failed
    return result


def load_file(path: Path, interpreter: Interpreter | None = None) -> LoadResult:
    """Read and interpret one file; errors are returned, never raised."""
    return load_file_packed(path, interpreter).unpack()


def load(paths: Iterable[str | Path]) -> LoadResult:
    """Read every file under `paths` (directories recursively), in a stable order."""
    interp = Interpreter()
    result = LoadResult()
    try:
        for path in iter_files(paths):
            result.extend(load_file(path, interp))
    finally:
        interning.release()
    return result
