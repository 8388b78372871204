"""findings.json's beginning, through its "forms" section, written by a helper process while
this one analyses.

After loading, the analysis and the reports run on one core and the other idles; the forms section
is the largest part of findings.json (at 100k forms 1.2 GB of JSON, ~5 s of one core) and needs
nothing but the forms. So the reading workers leave each file's result in a spool folder (the
pickle of its packed forms that they used to send through the pipe; this process reads it from
there), and when the analysis starts a helper process reads the spool again and writes, with
json_out's own code, the head of findings.json into the output folder; the report stage renames
it into place and writes the other sections after it: the same bytes as writing it all here.

The helper is forked before the reading starts, while this process is small. A fork made after
loading would share the loaded forms' pages, and every page this process then touched (reference
counts) would be copied (see forked.py): hundreds of MB. Where fork is not the usual way to start a
process, or when files are read in this process, there is no helper and findings.json encodes the
forms itself.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import shutil
import tempfile
import time
import traceback
import weakref
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .forked import ForkedError, fork_available
from .load import keep_year
from .model import Form
from .report.json_out import write_head


def available() -> bool:
    return fork_available()


def spool(result: Any, folder: str) -> str:
    """Write a worker's result into a new file of the spool `folder`; returns its name."""
    fd, name = tempfile.mkstemp(dir=folder, suffix=".pickle")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return name


def unspool(name: str) -> Any:
    """A spooled result, as a pipe would have delivered it (a packed result arrives as a LoadResult)."""
    with open(name, "rb") as fh:
        return pickle.load(fh)


def _spooled_forms(names: Sequence[str], year: int | None) -> Iterator[Form]:
    for name in names:
        yield from keep_year(unspool(name).forms, year)


def _helper(conn: Connection) -> None:
    """The helper's life: wait for the spool's file names, write the head, say how it went."""
    gc.disable()  # acyclic data, as everywhere else
    try:
        names, year, path = conn.recv()
    except EOFError:  # the reading failed or nobody needs the head: nothing to do
        return
    start = time.perf_counter()
    try:
        write_head(_spooled_forms(names, year), path)
        reply: tuple[str, Any] = ("done", time.perf_counter() - start)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        reply = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    conn.send(reply)


def _cleanup(process: Any, conn: Connection, folder: str, head: list[Path]) -> None:
    conn.close()
    if process.is_alive():
        process.terminate()
    process.join()
    shutil.rmtree(folder, ignore_errors=True)
    for path in head:  # not renamed into place: the run failed
        path.unlink(missing_ok=True)


class FormsPart:
    """A helper process (forked now) and the spool folder of a run's reading.

    `FormsPart()` before the reading; the workers `spool` into `folder` and this process reads each
    result back with `unspool`, in file order; `expect(forms, year)` once every file is read says
    what this process made of them; `start(head)` hands the helper the same files, to write the
    head of findings.json into the file `head`; `wait()` waits for it; `close()` ends the helper
    and removes the spool and a head left over (also done when the object is collected, or at exit).
    `matches(forms)`: started, and `forms` still the list it was made from (not replaced, not
    resized); a caller that edits forms in place after loading should `close()` the part first."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="reason-miner-spool-")
        ctx = multiprocessing.get_context("fork")
        self._conn, child_end = ctx.Pipe()
        self._process = ctx.Process(target=_helper, args=(child_end,), daemon=True, name="reason-miner forms")
        self._process.start()
        child_end.close()
        self.names: list[str] = []  # the spooled results read back, in file order
        self._forms: list[Form] | None = None
        self._count = 0
        self._year: int | None = None
        self._heads: list[Path] = []  # the head, once started (a list: shared with the finalizer)
        self._done = False
        self.seconds: float | None = None  # the helper's own time, once done
        self._close = weakref.finalize(self, _cleanup, self._process, self._conn, self.folder, self._heads)

    def unspool(self, name: str) -> Any:
        """A spooled result, read back here (and remembered for the helper)."""
        self.names.append(name)
        return unspool(name)

    def expect(self, forms: list[Form], year: int | None = None) -> None:
        """`forms`: what this process made of the results read back, keeping those of `year`."""
        self._forms, self._count, self._year = forms, len(forms), year

    @property
    def head(self) -> Path | None:
        return self._heads[0] if self._heads else None

    def start(self, head: Path) -> None:
        """Have the helper write findings.json's head into `head` (in the folder of findings.json)."""
        if self._forms is None or self._heads:
            raise RuntimeError("FormsPart.start: not loaded yet, or started already")
        self._heads.append(head)
        self._conn.send((self.names, self._year, str(head)))

    def matches(self, forms: list[Form]) -> bool:
        return bool(self._heads) and forms is self._forms and len(forms) == self._count

    def wait(self) -> Path:
        """The head, once written; the helper's failure is raised (ForkedError)."""
        if not self._heads:
            raise RuntimeError("FormsPart.wait: not started")
        if not self._done:
            try:
                status, value = self._conn.recv()
            except (EOFError, OSError):
                raise ForkedError(
                    f"编码 forms 的辅助进程异常退出（状态 {self._process.exitcode}）/ forms helper died"
                ) from None
            if status != "done":
                raise ForkedError(f"编码 forms 的辅助进程出错 / forms helper failed: {value}")
            self.seconds, self._done = value, True
        return self._heads[0]

    def close(self) -> None:
        self._forms = None
        self._close()
