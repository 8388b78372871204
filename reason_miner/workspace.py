"""The workspace: an embedded DuckDB file that remembers every form it has read.

Tables (one row per ...):
- `files`  (file read): path as given, sha256 of its content, size, forms, errors;
- `forms`  (form): path, seq (position in its file), year, project, department, unit, indicators,
  points_lost, total_score, grade, and `data`: the whole form as JSON (`Form.to_dict`);
- `errors` (read error): path, seq, kind, message, page, sheet, line;
- view `indicators` (indicator row): the indicator tables flattened out of `forms.data`, with their
  form's year/project/unit, so that SQL and Parquet users need no JSON.

Ingest rules: a file whose path and content hash are already stored is skipped without reading it;
a changed file has its old forms and errors replaced. Files are written in batches, each batch one
transaction holding whole files only: an interrupted ingest leaves every file either fully stored
or not at all, and the next ingest picks up the missing ones (no duplicates, nothing lost).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from . import interning
from .gcpause import gc_paused
from .load import LoadResult
from .model import Form, ReadError, form_from_dict
from .records import record

DEFAULT_WORKSPACE = Path("reason-miner.duckdb")
BATCH_FORMS = 5000  # forms per transaction (whole files only)
BATCH_FILES = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path VARCHAR PRIMARY KEY, sha256 VARCHAR NOT NULL, size BIGINT, forms INTEGER, errors INTEGER);
CREATE TABLE IF NOT EXISTS forms (
    path VARCHAR NOT NULL, seq INTEGER NOT NULL, year INTEGER, project VARCHAR, department VARCHAR,
    unit VARCHAR, indicators INTEGER, points_lost DOUBLE, total_score DOUBLE, grade VARCHAR, data JSON);
CREATE TABLE IF NOT EXISTS errors (
    path VARCHAR NOT NULL, seq INTEGER NOT NULL, kind VARCHAR, message VARCHAR, page INTEGER,
    sheet VARCHAR, line INTEGER);
CREATE OR REPLACE VIEW indicators AS
SELECT path, seq AS form_seq, idx - 1 AS seq, year, project, department, unit,
    i.level1, i.level2, i.name,
    i.target.raw AS target_raw, i.target.op AS target_op, i.target.value AS target_value,
    i.target.unit AS target_unit, i.target.text AS target_text,
    i.actual.raw AS actual_raw, i.actual.value AS actual_value, i.actual.unit AS actual_unit,
    i.actual.status AS actual_status,
    i.weight, i.score, i.lost, i.reason,
    i.source.page AS page, i.source.sheet AS sheet, i.source.line AS line
FROM (
    SELECT path, seq, year, project, department, unit,
        unnest(inds) AS i, generate_subscripts(inds, 1) AS idx
    FROM (SELECT *, from_json(data -> 'indicators', '[{
        "level1": "VARCHAR", "level2": "VARCHAR", "name": "VARCHAR",
        "target": {"raw": "VARCHAR", "op": "VARCHAR", "value": "DOUBLE", "unit": "VARCHAR", "text": "VARCHAR"},
        "actual": {"raw": "VARCHAR", "value": "DOUBLE", "unit": "VARCHAR", "status": "VARCHAR"},
        "weight": "DOUBLE", "score": "DOUBLE", "lost": "DOUBLE", "reason": "VARCHAR",
        "source": {"file": "VARCHAR", "page": "INTEGER", "sheet": "VARCHAR", "line": "INTEGER"}}]') AS inds
        FROM forms)
);
"""

_FORMS_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("seq", pa.int32()),
        ("year", pa.int32()),
        ("project", pa.string()),
        ("department", pa.string()),
        ("unit", pa.string()),
        ("indicators", pa.int32()),
        ("points_lost", pa.float64()),
        ("total_score", pa.float64()),
        ("grade", pa.string()),
        ("data", pa.string()),
    ]
)
_ERRORS_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("seq", pa.int32()),
        ("kind", pa.string()),
        ("message", pa.string()),
        ("page", pa.int32()),
        ("sheet", pa.string()),
        ("line", pa.int32()),
    ]
)
_FILES_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("sha256", pa.string()),
        ("size", pa.int64()),
        ("forms", pa.int32()),
        ("errors", pa.int32()),
    ]
)


@dataclass
class IngestReport:
    files: int = 0  # files found under the paths
    skipped: int = 0  # same path and content hash already stored
    added: int = 0  # new files stored
    replaced: int = 0  # changed files whose old forms were replaced
    forms: int = 0  # forms stored by this run
    errors: int = 0  # read errors stored by this run
    failed_files: int = 0  # files that gave no form at all


def connect(db: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and create when needed) a workspace; never downloads an extension (offline tool)."""
    path = Path(db)
    if read_only and not path.exists():
        raise FileNotFoundError(f"工作区不存在：{path}（请先运行 reason-miner ingest）")
    con = duckdb.connect(str(path), read_only=read_only, config={"autoinstall_known_extensions": False})
    if not read_only:
        con.execute(_SCHEMA)
    return con


def file_hash(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def form_json(form: Form) -> str:
    """`json.dumps(form.to_dict())`, several times faster (`record` builds the dicts)."""
    return json.dumps(record(form), ensure_ascii=False)


@dataclass
class FileRows:
    """One file read and turned into workspace rows (the unit of work sent to worker processes:
    JSON strings travel between processes far more cheaply than the form objects)."""

    forms: list[tuple[Any, ...]]  # _FORMS_SCHEMA without path
    errors: list[tuple[Any, ...]]  # _ERRORS_SCHEMA without path
    failed: bool


def file_rows(path: str) -> FileRows:
    from .sources import load_one

    result = load_one(path)
    forms = [
        (seq, f.year, f.project, f.department, f.unit, len(f.indicators), f.points_lost, f.total.score, f.grade,
         form_json(f))
        for seq, f in enumerate(result.forms)
    ]  # fmt: skip
    errors = [(seq, e.kind, e.message, e.page, e.sheet, e.line) for seq, e in enumerate(result.errors)]
    return FileRows(forms, errors, bool(result.failed_files))


def _columns(schema: pa.Schema, rows: list[tuple[Any, ...]]) -> pa.Table:
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in schema.names]
    return pa.Table.from_arrays([pa.array(c, type=schema.field(i).type) for i, c in enumerate(cols)], schema=schema)


def _write_batch(con: duckdb.DuckDBPyConnection, batch: list[tuple[str, str, int, FileRows]]) -> None:
    """Store whole files in one transaction, replacing what was stored for the same paths."""
    form_rows = [(path, *row) for path, _, _, rows in batch for row in rows.forms]
    error_rows = [(path, *row) for path, _, _, rows in batch for row in rows.errors]
    file_rows_ = [(path, digest, size, len(rows.forms), len(rows.errors)) for path, digest, size, rows in batch]
    views = {
        "batch_forms": _columns(_FORMS_SCHEMA, form_rows),
        "batch_errors": _columns(_ERRORS_SCHEMA, error_rows),
        "batch_files": _columns(_FILES_SCHEMA, file_rows_),
    }
    for name, table in views.items():
        con.register(name, table)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            _replace_rows(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        for name in views:
            con.unregister(name)


def _replace_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Inside the batch's transaction: old rows of its files out, new rows in (batch_* registered)."""
    con.execute("DELETE FROM forms WHERE path IN (SELECT path FROM batch_files)")
    con.execute("DELETE FROM errors WHERE path IN (SELECT path FROM batch_files)")
    con.execute("INSERT INTO forms SELECT * FROM batch_forms")
    con.execute("INSERT INTO errors SELECT * FROM batch_errors")
    con.execute("INSERT OR REPLACE INTO files SELECT * FROM batch_files")


def ingest(
    paths: Sequence[str | Path],
    db: str | Path = DEFAULT_WORKSPACE,
    *,
    jobs: int | None = None,
    scheduler: Any = None,
    on_file: Callable[[str, str], None] | None = None,
) -> IngestReport:
    """Read new and changed files under `paths` into the workspace `db` (created when missing).

    `on_file(path, status)` is called per file with status skipped/added/replaced (progress).
    """
    from .sources import file_list, iter_dask, iter_parallel

    report = IngestReport()
    files = file_list(paths)
    report.files = len(files)
    with connect(db) as con:
        stored = dict(con.execute("SELECT path, sha256 FROM files").fetchall())
        todo: list[tuple[str, str, int]] = []
        for f in files:
            p = Path(f)
            digest = file_hash(p) if p.is_file() else ""
            if digest and stored.get(f) == digest:
                report.skipped += 1
                if on_file:
                    on_file(f, "skipped")
                continue
            todo.append((f, digest, p.stat().st_size if digest else 0))
        names = [t[0] for t in todo]
        results: Iterator[FileRows] = (
            iter_dask(names, scheduler, jobs, file_rows)
            if scheduler is not None
            else iter_parallel(names, jobs or 1, file_rows)
        )
        batch: list[tuple[str, str, int, FileRows]] = []
        batch_forms = 0
        for (f, digest, size), rows in zip(todo, results, strict=True):
            status = "replaced" if f in stored else "added"
            setattr(report, status, getattr(report, status) + 1)
            report.forms += len(rows.forms)
            report.errors += len(rows.errors)
            report.failed_files += rows.failed
            batch.append((f, digest, size, rows))
            batch_forms += len(rows.forms)
            if on_file:
                on_file(f, status)
            if batch_forms >= BATCH_FORMS or len(batch) >= BATCH_FILES:
                _write_batch(con, batch)
                batch, batch_forms = [], 0
        if batch:
            _write_batch(con, batch)
    return report


READ_CHUNK = 2000  # forms decoded per fetch: the JSON texts of a whole year never sit in memory at once


def _path_order(paths: list[str]) -> pa.Table:
    """Rank files as `iter_files` orders a folder (by path components), so every route agrees."""
    ordered = sorted(set(paths), key=lambda s: Path(s).parts)
    return pa.table({"path": pa.array(ordered, pa.string()), "rank": pa.array(range(len(ordered)), pa.int64())})


def _shared(form: dict[str, Any]) -> dict[str, Any]:
    """The decoded form with one string object per distinct text (`interning`) in the fields that
    repeat on every row (file, levels, units, statuses, targets, copied reasons): forms read back
    from the workspace then take about as much memory as forms read from the files."""
    share = interning.canon_str
    for ind in form.get("indicators", ()):
        for k in ("level1", "level2", "name", "reason"):
            if ind.get(k):
                ind[k] = share(ind[k], ind[k])
        for part, keys in (("target", ("raw", "op", "unit", "text")), ("actual", ("raw", "unit", "status"))):
            d = ind.get(part) or {}
            for k in keys:
                if d.get(k):
                    d[k] = share(d[k], d[k])
        src = ind.get("source") or {}
        if src.get("file"):
            src["file"] = share(src["file"], src["file"])
    return form


def read_workspace(db: str | Path, *, year: int | None = None) -> LoadResult:
    """Forms and errors stored in the workspace, in file order then form order."""

    where, params = ("WHERE year = ?", [year]) if year is not None else ("", [])
    forms: list[Form] = []
    with connect(db, read_only=True) as con:
        paths = [r[0] for r in con.execute("SELECT path FROM files").fetchall()]
        con.register("path_rank", _path_order(paths))
        cursor = con.execute(f"SELECT data FROM forms JOIN path_rank USING (path) {where} ORDER BY rank, seq", params)
        with gc_paused():
            try:
                while chunk := cursor.fetchmany(READ_CHUNK):
                    forms.extend(form_from_dict(_shared(orjson.loads(data))) for (data,) in chunk)
            finally:
                interning.release()
        errors = con.execute(
            "SELECT path, kind, message, page, sheet, line FROM errors JOIN path_rank USING (path) ORDER BY rank, seq"
        ).fetchall()
    return LoadResult(
        forms=forms,
        errors=[
            ReadError(file=path, message=msg, page=page, sheet=sheet, line=line, kind=kind)
            for path, kind, msg, page, sheet, line in errors
        ],
        files=len(paths),
    )


EXPORT_TABLES = ("files", "forms", "indicators", "errors")


def export_parquet(db: str | Path, out_dir: str | Path) -> list[Path]:
    """Write files/forms/indicators/errors as Parquet files in `out_dir`, rows in a stable order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    order = {"files": "path", "forms": "path, seq", "indicators": "path, form_seq, seq", "errors": "path, seq"}
    written = []
    with connect(db, read_only=True) as con:
        for table in EXPORT_TABLES:
            target = out / f"{table}.parquet"
            target_sql = str(target).replace("'", "''")
            con.execute(f"COPY (SELECT * FROM {table} ORDER BY {order[table]}) TO '{target_sql}' (FORMAT PARQUET)")
            written.append(target)
    return written


def summary(db: str | Path) -> dict[str, Any]:
    """Counts per year, for the ingest command's closing line."""
    with connect(db, read_only=True) as con:
        files = con.execute("SELECT count(*) FROM files").fetchone()
        years = con.execute("SELECT year, count(*) FROM forms GROUP BY year ORDER BY year NULLS LAST").fetchall()
    return {"files": files[0] if files else 0, "years": [(y, n) for y, n in years]}
