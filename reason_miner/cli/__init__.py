"""Command-line interface: a thin layer over the library. Each command lives in its own module."""

from __future__ import annotations

from ._app import app
from . import parse_cmd  # noqa: F401  (registers parse, check)
from . import check_cmd  # noqa: F401

__all__ = ["app", "main"]


def main() -> None:
    app()
from . import ingest_cmd  # noqa: F401
from . import analyze_cmd  # noqa: F401
from . import causes_cmd  # noqa: F401
