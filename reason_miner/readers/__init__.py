"""Read stage: every supported file becomes a list of grids. One reader module per format."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..grid import Grid, ReadFailure
from .text import read_text

Reader = Callable[[Path], list[Grid]]


def _registry() -> dict[str, Reader]:
    table: dict[str, Reader] = {".txt": read_text, ".md": read_text, ".tsv": read_text}
    try:  # readers for other formats register here as they land
        from .tables import READERS
    except ImportError:
        READERS = {}
    table.update(READERS)
    return table


READERS: dict[str, Reader] = _registry()


def supported_suffixes() -> list[str]:
    return sorted(READERS)


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand directories recursively (sorted, hidden files skipped); files are kept as given."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith((".", "~$")) for part in rel.parts):
                    yield child
        else:
            yield path


def read_file(path: Path) -> list[Grid]:
    """Read one file into grids; ReadFailure with a user-facing message when it cannot be read."""
    if not path.exists():
        raise ReadFailure("文件不存在")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ReadFailure(
            f"不支持的文件格式「{path.suffix or '无扩展名'}」，支持：{'、'.join(supported_suffixes())}"
        )
    try:
        return reader(path)
    except ReadFailure:
        raise
    except Exception as exc:  # a corrupt file must not stop the batch
        raise ReadFailure(f"文件无法读取（可能已损坏或加密）：{type(exc).__name__}: {exc}") from exc
