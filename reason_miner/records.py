"""Dataclass instances as plain dicts, fast: one converter generated per class.

orjson encodes a slotted dataclass field by field through attribute lookups, about 2.3 times
slower than building a dict of the same fields in Python and encoding that (measured on 10k forms:
1.84 s vs 0.79 s for the indicator rows). The converter of a class is generated from its fields,
as `dataclasses` generates `__init__`, so the dataclass stays the one definition of the schema;
`record(x)` gives what `dataclasses.asdict(x)` gives for the model's types (same keys, same order)
and findings.json keeps its bytes, but for members a class stores flat: `Indicator.FLAT` names
"source", whose fields (file, page, sheet, line) the row holds itself; the record shows them as one
"source" object, where the schema has it (asdict would show four members).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from typing import Any

Converter = Callable[[Any], dict[str, Any]]


class _Converters(dict[type, Converter]):
    """Class -> its converter, generated the first time the class is met."""

    def __missing__(self, cls: type) -> Converter:
        convert = self[cls] = _generate(cls)
        return convert


_CONVERTERS = _Converters()


def record(obj: Any) -> dict[str, Any]:
    """`obj` (a dataclass instance) as a dict; nested dataclasses, and lists of them, converted too."""
    return _CONVERTERS[type(obj)](obj)


def converter(cls: type) -> Converter:
    """The function `record` applies to instances of `cls` (for callers converting many)."""
    return _CONVERTERS[cls]


def _holds_dataclass(hint: Any) -> tuple[str | None, type | None]:
    """("one", class) for a dataclass field, optional or not, ("list", class) for a list of them,
    else (None, None); the class is None for a union of several dataclasses."""
    if dataclasses.is_dataclass(hint):
        return "one", typing.cast(type, hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list and args and dataclasses.is_dataclass(args[0]):
        return "list", typing.cast(type, args[0])
    if args and any(dataclasses.is_dataclass(a) for a in args) and all(
        dataclasses.is_dataclass(a) or a is type(None) for a in args
    ):
        classes = [a for a in args if a is not type(None)]
        return "one", classes[0] if len(classes) == 1 else None  # X | None
    return None, None


class _Code:
    """The generated code of one converter: nested dataclasses of the hinted class written inline
    (no call per indicator row and per row's target, actual and source: a quarter of the forms'
    time at 10k forms), each behind a check of the value's exact class, so that a subclass or an
    unexpected value still goes through its own class's converter, as `record` would."""

    def __init__(self) -> None:
        self.names = 0  # temporaries v1, v2, ... (a comprehension's walrus binds in the function)
        self.classes: dict[str, type] = {}  # the name each class inlined is checked against

    def temp(self) -> str:
        self.names += 1
        return f"v{self.names}"

    def fields(self, cls: type, obj: str, inlining: tuple[type, ...]) -> str:
        """A dict display of `obj`'s fields (`obj`: a name or a simple expression)."""
        hints = typing.get_type_hints(cls)
        items = []
        # a member stored flat (`cls.FLAT`: key -> class): its class's fields are fields of `cls`,
        # written as one object under the key, where the first of them is
        flat: dict[str, type] = dict(getattr(cls, "FLAT", {}))
        held = {f.name: key for key, c in flat.items() for f in dataclasses.fields(c)}  # type: ignore[arg-type]
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            key = held.get(f.name)
            if key is not None:
                if key in flat:
                    items.append(f"{key!r}: {self.fields(flat.pop(key), obj, inlining)}")
                continue
            value = f"{obj}.{f.name}"
            kind, inner = _holds_dataclass(hints.get(f.name))
            v = self.temp() if kind else ""
            if kind and inner is None:  # one of several classes: the value's own converter
                value = f"(None if ({v} := {value}) is None else convert[type({v})]({v}))"
            elif kind == "one" and inner is not None:
                value = f"({self.one(inner, v, inlining)} if type({v} := {value}) is {self.name(inner)} " \
                        f"else None if {v} is None else convert[type({v})]({v}))"
            elif kind == "list" and inner is not None:
                value = f"[{self.one(inner, v, inlining)} if type({v}) is {self.name(inner)} " \
                        f"else convert[type({v})]({v}) for {v} in {value}]"
            items.append(f"{f.name!r}: {value}")
        return "{" + ", ".join(items) + "}"

    def one(self, cls: type, obj: str, inlining: tuple[type, ...]) -> str:
        """`obj` (known to be exactly a `cls`) as a dict: inline, or through its converter when
        `cls` is already being inlined (a class that holds itself)."""
        if cls in inlining:
            return f"convert[{self.name(cls)}]({obj})"
        return self.fields(cls, obj, (*inlining, cls))

    def name(self, cls: type) -> str:
        """The name the generated code knows `cls` by."""
        known = next((name for name, c in self.classes.items() if c is cls), None)
        if known is None:
            known = f"C{len(self.classes)}"
            self.classes[known] = cls
        return known


def _generate(cls: type) -> Converter:
    code = _Code()
    source = "def converter(o):\n    return " + code.fields(cls, "o", (cls,)) + "\n"
    namespace: dict[str, Any] = {"convert": _CONVERTERS, **code.classes}
    exec(compile(source, f"<record {cls.__qualname__}>", "exec"), namespace)  # noqa: S102 - code from field names
    return typing.cast(Converter, namespace["converter"])
