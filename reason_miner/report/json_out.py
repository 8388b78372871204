"""findings.json: every stage of the analysis, machine-readable (keys forms, checks, causes,
links, systemic, plans, targets, plus errors and summary).

Written incrementally: each top-level key and each list item is encoded on its own by orjson
(dataclasses through `records.record`, which orjson encodes faster than the objects; an item given
as bytes is JSON already encoded, e.g. the target records, and is written as it is) and written
straight to the file, a chunk of items at a time, so memory stays at one chunk rather than a copy
of the whole result plus one huge string; lists may come as iterators (the target rows kept are
worked out while written). Layout: the top levels indented by two spaces, every list item compact
on a line of its own (one form, one check, one target per line), so the file stays readable, greps
and diffs by record, and is about half the size of a fully indented dump (a province's run has
millions of records).

What writing still leaves held: CPython keeps the UTF-8 form of every non-ASCII str orjson encodes
(PyUnicode_AsUTF8AndSize caches it in the str), ~3 bytes per Chinese character of each distinct
text, for as long as the text lives (~25 MB at 10k forms, most of it plan and message texts)."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from ..advise_plan import Plan
from ..link import Link
from ..records import converter
from ..systemic import SystemicCause
from .background_file import BackgroundFile

if TYPE_CHECKING:
    from ..analyze import AnalysisResult
    from .tables import Limits

_OPTIONS = orjson.OPT_NON_STR_KEYS  # int keys become strings, as in json
_CHUNK = 256  # list items encoded per write (a chunk of forms is ~3 MB of JSON)


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


class Output(Protocol):
    """Where the document goes: a binary file, or a `BackgroundFile`."""

    def write(self, data: bytes, /) -> int: ...


_dumps = partial(orjson.dumps, option=_OPTIONS)
Convert = Callable[[Any], Any]
_CONVERTS: dict[type, Convert | None] = {}  # per class, worked out once


def _convert(cls: type) -> Convert | None:
    """What items of class `cls` are turned into before orjson encodes them: links, systemic causes and
    plans into their `to_dict` (they hold references and make some columns when read), other
    dataclasses into their `record`; None: encoded as they are. Never is a dataclass given
    to orjson itself: it would read the instance's `__dict__`, which on Python 3.11 gives every
    instance a dict of its own that then stays as long as the instance does."""
    convert = _CONVERTS.get(cls, ...)
    if convert is ...:
        convert = _CONVERTS[cls] = (cls.to_dict if issubclass(cls, Link | SystemicCause | Plan)
                                    else converter(cls) if dataclasses.is_dataclass(cls) else None)
    return convert


def _encode(value: Any) -> bytes:
    """One item."""
    if type(value) is bytes:  # already JSON (orjson encodes no bytes: nothing else is taken for it)
        return value
    convert = _convert(type(value))
    value = value if convert is None else convert(value)
    try:
        return orjson.dumps(value)
    except TypeError:  # a dict key not a str (see `_encode_all`)
        return _dumps(value)


# Classes whose items were met with a dict key that is not a str: encoded with OPT_NON_STR_KEYS.
_KEYED: set[type] = set()


def _encode_all(items: list[Any]) -> Iterable[bytes]:
    """Items in turn: those of one class (a list's usual case) without a look-up each. Without
    OPT_NON_STR_KEYS until a dict key needs it: the option sends every dict through orjson's slower
    path (about twice as slow per dict) and gives the same bytes when every key is a str; a chunk
    that meets such a key is converted (conversions only read) and encoded again with it, as are its
    class's later items."""
    classes = set(map(type, items))
    if len(classes) > 1:
        return map(_encode, items)
    cls = classes.pop()
    if cls is bytes:  # already JSON
        return items
    convert = _convert(cls)
    if cls not in _KEYED:
        try:
            return list(map(orjson.dumps, items if convert is None else map(convert, items)))
        except TypeError:  # orjson.JSONEncodeError: a key not a str (or a value orjson cannot encode)
            _KEYED.add(cls)
    return list(map(_dumps, items if convert is None else map(convert, items)))


def _write(out: Output, value: Any, depth: int) -> None:
    """`value` at nesting `depth`, its opening bracket already positioned: mappings of the top
    levels are streamed member by member, lists (and iterators) item by item, each item on a line."""
    pad = b"\n" + b"  " * (depth + 1)
    if isinstance(value, Mapping) and value:
        out.write(b"{")
        for n, (key, item) in enumerate(value.items()):
            out.write((b"," if n else b"") + pad + orjson.dumps(key) + b": ")
            _write(out, item, depth + 1)
        out.write(b"\n" + b"  " * depth + b"}")
    elif isinstance(value, Iterator) or isinstance(value, Sequence) and not isinstance(value, str):
        items = iter(value)
        chunk = list(islice(items, _CHUNK))
        if not chunk:
            out.write(b"[]")
            return
        out.write(b"[" + pad)
        sep = b"," + pad
        while True:  # one write per chunk, not per item
            out.write(sep.join(_encode_all(chunk)))
            chunk = list(islice(items, _CHUNK))
            if not chunk:
                break
            out.write(sep)
        out.write(b"\n" + b"  " * depth + b"]")
    else:
        out.write(_encode(value))


def write_part(result: AnalysisResult, key: str, path: Path) -> None:
    """One top-level section, exactly as `write_stream` writes it, into `path` (for `parts`)."""
    with BackgroundFile(path) as fh:
        _write(fh, SECTIONS[key](result), 1)


def _member(out: Output, n: int, key: str) -> None:
    """The start of the document's `n`th member (0-based), up to its value."""
    out.write((b"," if n else b"") + b"\n  " + orjson.dumps(key) + b": ")


FIRST = next(iter(SECTIONS))  # "forms": the section a head holds (see `write_head`)


def write_head(forms: Iterable[Any], path: str | Path) -> None:
    """The document's beginning, through its first section (the forms): written by a helper process
    beside the analysis (`helper`); `write_json` then writes the rest after it."""
    with BackgroundFile(path) as fh:
        fh.write(b"{")
        _member(fh, 0, FIRST)
        _write(fh, forms, 1)


def write_stream(result: AnalysisResult, out: Output, parts: Mapping[str, Part] | None = None,
                 after_head: bool = False) -> None:
    """The document, section by section; the sections in `parts` are copied from their files.
    `after_head`: `out` already holds the beginning through the first section (`write_head`)."""
    if not after_head:
        out.write(b"{")
    for n, (key, section) in enumerate(SECTIONS.items()):
        if after_head and n == 0:
            continue
        _member(out, n, key)
        part = parts.get(key) if parts else None
        if part is None:
            _write(out, section(result), 1)
        else:
            with open(part(), "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
    out.write(b"\n}\n")


def write_json(result: AnalysisResult, path: Path, limits: Limits | None = None,
               parts: Mapping[str, Part] | None = None) -> None:
    """findings.json is always complete: `limits` (taken for a uniform writer signature) is unused.
    Its beginning through the forms is the head a helper process wrote beside the analysis, when
    there is one for the result's forms in this folder (`AnalysisResult.helper`): renamed into
    place and written on, not copied (1.2 GB at 100k forms)."""
    own = result.helper
    if own is not None and own.matches(result.forms) and own.head is not None and own.head.parent == path.parent:
        os.replace(own.wait(), path)
        with BackgroundFile(path, append=True) as fh:
            write_stream(result, fh, parts, after_head=True)
        return
    with BackgroundFile(path) as fh:  # the write calls on the other core, beside the encoding
        write_stream(result, fh, parts)
