"""Command-line interface: a thin layer over the library. Each command lives in its own module."""

from __future__ import annotations

from ._app import app
from . import parse_cmd  # noqa: F401  (registers parse, check)

__all__ = ["app", "main"]


def main() -> None:
    app()
