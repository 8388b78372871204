"""Read stage: every supported file becomes a list of grids. One reader module per format."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..grid import Grid, ReadFailure
from .csvfile import read_csv
from .htmlpage import read_html
from .pdf import read_pdf
from .text import read_text
from .worddoc import read_docx
from .xls import read_xls
from .xlsx import read_xlsx

Reader = Callable[[Path], list[Grid]]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".tsv": read_text,
    ".csv": read_csv,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".xls": read_xls,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
}

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")


def _sniff(path: Path, suffix: str) -> Reader | None:
    """Spreadsheets whose content contradicts their suffix, as budget systems export them:
    HTML, tab-separated text or an .xlsx saved as ".xls", an .xls saved as ".xlsx". Office files
    protected by a password are OLE containers whatever their suffix."""
    if suffix not in (".xls", ".xlsx", ".xlsm", ".docx"):
        return None
    with path.open("rb") as fh:
        head = fh.read(2048)
    if head.startswith(_OLE):
        if _OLE_ENCRYPTED in path.read_bytes():
            raise ReadFailure("文件已加密（设置了打开密码），请先取消密码保护")
        return read_xls if suffix != ".docx" else None
    if suffix == ".xls" and head.startswith(_ZIP):
        return read_xlsx
    if suffix == ".xls" and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return read_html
    if suffix == ".xls" and b"\x00" not in head:  # tab-separated text saved as .xls
        return read_text
    return None


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
    if path.is_dir():
        raise ReadFailure("这是一个文件夹，不是文件")
    if path.stat().st_size == 0:
        raise ReadFailure("文件为空")
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise ReadFailure(
            f"不支持的文件格式「{path.suffix or '无扩展名'}」，支持：{'、'.join(supported_suffixes())}"
        )
    try:
        return (_sniff(path, suffix) or reader)(path)
    except ReadFailure:
        raise
    except Exception as exc:  # a corrupt file must not stop the batch
        raise ReadFailure(f"文件无法读取（可能已损坏或加密）：{type(exc).__name__}: {exc}") from exc
