"""Where the forms of a run come from: files read here (serial), by local processes, by a Dask
cluster, or a DuckDB workspace. Every route returns the same LoadResult for the same files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .load import LoadResult, load
from .vocab import sample_path


def load_input(
    paths: Sequence[str | Path] | None,
    *,
    jobs: int | None = None,
    scheduler: str | None = None,
    db: str | Path | None = None,
    year: int | None = None,
) -> LoadResult:
    """Load forms for a command. With no paths and no workspace, the bundled sample."""
    if scheduler is not None or db is not None or (jobs is not None and jobs > 1):
        raise NotImplementedError("parallel, cluster and workspace input are being built (issue 5)")
    result = load(list(paths) if paths else [sample_path()])
    if year is not None:
        result.forms = [f for f in result.forms if f.year == year]
    return result
