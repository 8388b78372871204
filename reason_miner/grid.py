"""The common currency of the read stage: every format becomes grids of rows of cell texts.

A reader never interprets: it only says what each cell holds and where it stands. Merged cells
are either expanded (every covered cell carries the value, as workbooks and HTML give them) or
left empty (as text dumps give them); the interpreter copes with both.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Row:
    cells: list[str]
    line: int  # 1-based line (text) or row (sheet, table) number in the source
    page: int | None = None
    # what the reader knows of `normalize.clean` on the cells (readers that scan the whole file at once
    # find it far cheaper than the interpreter's check per row): True it changes none (not cleaned),
    # False it may change some (cleaned unchecked), None not known (the interpreter checks the row)
    clean: bool | None = None


@dataclass
class Grid:
    file: str
    rows: list[Row] = field(default_factory=list)
    sheet: str | None = None
    # parts of the file a reader had to skip (e.g. a scanned page inside a text PDF): reported, never dropped
    skipped: list[ReadFailure] = field(default_factory=list)


class ReadFailure(Exception):
    """A whole file (or one sheet/page of it) cannot be read; the message is for the user."""

    def __init__(
        self, message: str, *, page: int | None = None, sheet: str | None = None, line: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.page = page
        self.sheet = sheet
        self.line = line
