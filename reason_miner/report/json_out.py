"""findings.json: every stage of the analysis, machine-readable (keys forms, checks, causes,
links, systemic, plans, targets, plus errors and summary).

Written incrementally: each top-level key and each list item is encoded on its own by orjson
(dataclasses through `records.record`, which orjson encodes faster than the objects) and written
straight to the file, so memory stays at one item
rather than a copy of the whole result plus one huge string. Layout: the top levels indented by two
spaces, every list item compact on a line of its own (one form, one check, one target per line), so
the file stays readable, greps and diffs by record, and is about half the size of a fully indented
dump (a province's run has millions of records).
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from ..link import Link
from ..records import record

if TYPE_CHECKING:
    from ..analyze import AnalysisResult
    from .tables import Limits

_OPTIONS = orjson.OPT_NON_STR_KEYS  # int keys become strings, as in json
_CHUNK = 1024  # list items encoded per write


# The document's top level, in key order: each section's value, from the result, when it is written
# (lists hold the result's own objects, encoded lazily).
SECTIONS: dict[str, Callable[[AnalysisResult], Any]] = {
    "forms": lambda r: r.forms,
    "checks": lambda r: r.findings,
    "causes": lambda r: {"causes": r.causes.causes, "reasons": r.causes.reasons},
    "links": lambda r: r.links,
    "systemic": lambda r: r.systemic,
    "plans": lambda r: r.plans,
    "targets": lambda r: r.targets.to_dict(objects=True),
    "errors": lambda r: r.errors,
    "summary": lambda r: r.summary(),
}
# A section encoded elsewhere (another process): called when its turn comes, it returns the file that
# holds the section's bytes (waiting for them if need be), which are copied in as they are.
Part = Callable[[], Path]


def _encode(value: Any) -> bytes:
    """One item: slotted dataclasses as their `record` (a link with its `location`, as
    `Link.to_dict` has it), anything else as orjson encodes it (it reads an instance dict fast)."""
    if isinstance(value, Link):
        rec = record(value)
        rec["location"] = value.location
        return orjson.dumps(rec, option=_OPTIONS)
    if not hasattr(value, "__dict__") and dataclasses.is_dataclass(value):
        return orjson.dumps(record(value), option=_OPTIONS)
    return orjson.dumps(value, option=_OPTIONS)


def _write(out: IO[bytes], value: Any, depth: int) -> None:
    """`value` at nesting `depth`, its opening bracket already positioned: mappings of the top
    levels are streamed member by member, lists item by item (each item on one line)."""
    pad = b"\n" + b"  " * (depth + 1)
    if isinstance(value, Mapping) and value:
        out.write(b"{")
        for n, (key, item) in enumerate(value.items()):
            out.write((b"," if n else b"") + pad + orjson.dumps(key) + b": ")
            _write(out, item, depth + 1)
        out.write(b"\n" + b"  " * depth + b"}")
    elif isinstance(value, Sequence) and not isinstance(value, str) and value:
        out.write(b"[" + pad)
        items = iter(value)
        sep = b"," + pad
        first = True
        while chunk := list(islice(items, _CHUNK)):  # one write per chunk, not per item
            out.write((b"" if first else sep) + sep.join(map(_encode, chunk)))
            first = False
        out.write(b"\n" + b"  " * depth + b"]")
    else:
        out.write(_encode(value))


def write_part(result: AnalysisResult, key: str, path: Path) -> None:
    """One top-level section, exactly as `write_stream` writes it, into `path` (for `parts`)."""
    with open(path, "wb", buffering=1 << 20) as fh:
        _write(fh, SECTIONS[key](result), 1)


def write_stream(result: AnalysisResult, out: IO[bytes], parts: Mapping[str, Part] | None = None) -> None:
    """The document, section by section; the sections in `parts` are copied from their files."""
    out.write(b"{")
    for n, (key, section) in enumerate(SECTIONS.items()):
        out.write((b"," if n else b"") + b"\n  " + orjson.dumps(key) + b": ")
        part = parts.get(key) if parts else None
        if part is None:
            _write(out, section(result), 1)
        else:
            with open(part(), "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
    out.write(b"\n}\n")


def write_json(result: AnalysisResult, path: Path, limits: Limits | None = None,
               parts: Mapping[str, Part] | None = None) -> None:
    """findings.json is always complete: `limits` (taken for a uniform writer signature) is unused."""
    with open(path, "wb", buffering=1 << 20) as fh:
        write_stream(result, fh, parts)
