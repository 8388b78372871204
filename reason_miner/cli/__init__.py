"""Command-line interface: a thin layer over the library. Each command lives in its own module;
importing it registers it on the shared Typer app, in the order `--help` lists them."""

from __future__ import annotations

# isort: off
from ._app import app
from . import parse_cmd  # noqa: F401
from . import check_cmd  # noqa: F401
from . import causes_cmd  # noqa: F401
from . import analyze_cmd  # noqa: F401
from . import ingest_cmd  # noqa: F401

# isort: on

__all__ = ["app", "main"]


def main() -> None:
    app()
