"""A helper process that works beside the analysis, on the second core, from compact inputs.

After loading, the analysis and the reports run on one core and the other idles. Two pieces of the
work need nothing but compact inputs, so a helper does them meanwhile:

- mining each distinct reason text (clause analysis, segmentation, clustering: `mine.mine_texts`)
  from the texts and their counts, while this process runs the checks;
- findings.json's beginning through its "forms" section (at 100k forms 1.2 GB of JSON, ~5 s of one
  core), from the forms as read: the reading workers leave each file's result in a spool folder
  (the pickle of its packed forms they used to send through the pipe; this process reads it from
  there), the helper reads the spool again and writes the head into the output folder, and the
  report stage renames it into place and writes the other sections after it.
Both with the same code as in this process: the same bytes.

The helper is forked before the reading starts, while this process is small. A fork made after
loading would share the loaded forms' pages, and every page this process then touched (reference
counts) would be copied (see forked.py): hundreds of MB. Where fork is not the usual way to start a
process, or when files are read in this process, there is no helper and everything runs here.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import shutil
import tempfile
import time
import traceback
import weakref
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .forked import Forked, ForkedError, fork_available
from .load import keep_year
from .mine import MinedTexts, ModelLike, mine_texts
from .model import Form
from .report.json_out import write_head
from .segment import tokenizer


def available() -> bool:
    return fork_available()


def spool(result: Any, folder: str) -> Any:
    """Write a worker's result into a new file of the spool `folder` and return its name; or, when
    that fails (disk full), the result itself, to be sent as it is: the run goes on without the head."""
    name = None
    try:
        fd, name = tempfile.mkstemp(dir=folder, suffix=".pickle")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)
        return result
    return name


def unspool(name: str) -> Any:
    """A spooled result, as a pipe would have delivered it (a packed result arrives as a LoadResult)."""
    with open(name, "rb") as fh:
        return pickle.load(fh)


def _spooled_forms(names: Sequence[str], year: int | None) -> Iterator[Form]:
    for name in names:
        yield from keep_year(unspool(name).forms, year)


def _head(names: Sequence[str], year: int | None, path: str) -> None:
    write_head(_spooled_forms(names, year), path)


def _mine_when_asked(inbox: Connection, outbox: Connection) -> MinedTexts:
    """The miner's life (a fork of the helper): load the word dictionary while the files are read,
    then mine the texts it is sent (or end when the helper does: its end of the pipe closes)."""
    outbox.close()  # the helper's end, inherited: held here, it would keep `recv` from ever failing
    tokenizer()
    counts, model = inbox.recv()
    return mine_texts(counts, model)


class _Miner:
    """`mine_texts` in a fork of the helper, started with it and ended after mining: the word
    dictionary (loaded meanwhile, off the analysis's path) and the caches of mining (~150 MB) would
    otherwise stay with the helper while it writes the head, which overlaps the report stage, where
    a run's memory peaks."""

    def __init__(self) -> None:
        inbox, self._outbox = multiprocessing.Pipe(duplex=False)
        self._job = Forked(partial(_mine_when_asked, inbox, self._outbox))
        inbox.close()

    def __call__(self, counts: dict[str, int], model: ModelLike) -> MinedTexts:
        self._outbox.send((counts, model))
        mined: MinedTexts = self._job.join()
        return mined


# (the miner is looked up when the job runs: it is made when the helper starts)
_JOBS: dict[str, Callable[..., Any]] = {"mine": lambda *args: _miner(*args), "head": _head}
_LAST = "head"  # the helper ends after it
_miner: _Miner  # the helper's miner (set when the helper starts)


def _serve(conn: Connection) -> None:
    """The helper's life: run the jobs it is sent, in turn, replying to each; end after the head."""
    global _miner
    gc.disable()  # acyclic data, as everywhere else
    _miner = _Miner()
    while True:
        try:
            name, args = conn.recv()
        except EOFError:  # the reading failed or nobody needs the rest: nothing to do
            return
        start = time.perf_counter()
        try:
            reply: tuple[str, Any, float] = ("done", _JOBS[name](*args), time.perf_counter() - start)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            reply = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}", 0.0)
        conn.send(reply)
        if name == _LAST:
            return


def _cleanup(process: Any, conn: Connection, folder: str, head: list[Path]) -> None:
    conn.close()
    if process.is_alive():
        process.terminate()
    process.join()
    shutil.rmtree(folder, ignore_errors=True)
    for path in head:  # not renamed into place: the run failed
        path.unlink(missing_ok=True)


class Helper:
    """The helper process (forked now) and the spool folder of a run's reading.

    `Helper()` before the reading; the workers `spool` into `folder` and this process reads each
    result back with `unspool`, in file order; `expect(forms, year)` once every file is read says
    what this process made of them. Then, in this order: `mine(counts, model)` and `mined()` for
    the text mining; `start(head)` to have the head of findings.json written into the file `head`,
    and `wait()` for it. `close()` ends the helper and removes the spool and a head left over (also
    done when the object is collected, or at exit). `matches(forms)`: the head is started, and
    `forms` is still the list it was made from (not replaced, not resized); a caller that edits
    forms in place after loading should `close()` the helper first."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="reason-miner-spool-")
        ctx = multiprocessing.get_context("fork")
        self._conn, child_end = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child_end,), daemon=True, name="reason-miner helper")
        self._process.start()
        child_end.close()
        self.names: list[str] = []  # the spooled results read back, in file order
        self.unspooled = 0  # results the workers could not spool (disk full): the head needs them all
        self._forms: list[Form] | None = None
        self._count = 0
        self._year: int | None = None
        self._sent: list[str] = []  # jobs sent, in order
        self._replies: dict[str, Any] = {}
        self._heads: list[Path] = []  # the head, once started (a list: shared with the finalizer)
        self.seconds: dict[str, float] = {}  # each job's own time, once done
        self._close = weakref.finalize(self, _cleanup, self._process, self._conn, self.folder, self._heads)

    def unspool(self, item: Any) -> Any:
        """A worker's result: read back from the spool file `item` (remembered for the helper), or
        `item` itself when the worker could not spool it (then there is no head: see `start`)."""
        if not isinstance(item, str):
            self.unspooled += 1
            return item
        self.names.append(item)
        return unspool(item)

    def expect(self, forms: list[Form], year: int | None = None) -> None:
        """`forms`: what this process made of the results read back, keeping those of `year`."""
        self._forms, self._count, self._year = forms, len(forms), year

    def _send(self, name: str, *args: Any) -> None:
        if _LAST in self._sent or name in self._sent:
            raise RuntimeError(f"Helper: {name} after the head, or twice")
        self._sent.append(name)
        self._conn.send((name, args))

    def _result(self, name: str) -> Any:
        """The reply to job `name` (replies come in the order the jobs were sent); its failure raised."""
        if name not in self._sent:
            raise RuntimeError(f"Helper: {name} was not sent")
        while name not in self._replies:
            waiting = self._sent[len(self._replies)]
            try:
                self._replies[waiting] = self._conn.recv()
            except (EOFError, OSError):
                raise ForkedError(
                    f"辅助进程异常退出（状态 {self._process.exitcode}）/ helper process died ({waiting})"
                ) from None
        status, value, seconds = self._replies[name]
        if status != "done":
            raise ForkedError(f"辅助进程出错 / helper failed ({name}): {value}")
        self.seconds[name] = seconds
        return value

    def mine(self, counts: dict[str, int], model: ModelLike = None) -> None:
        """Have the helper mine the distinct reason texts `counts` (text: reasons), as `mine_texts`."""
        self._send("mine", counts, model)

    def mined(self) -> MinedTexts:
        mined: MinedTexts = self._result("mine")
        return mined

    @property
    def head(self) -> Path | None:
        return self._heads[0] if self._heads else None

    def start(self, head: Path) -> None:
        """Have the helper write findings.json's head into `head` (in the folder of findings.json);
        nothing when a result is missing from the spool (findings.json then encodes the forms itself)."""
        if self._forms is None:
            raise RuntimeError("Helper.start: nothing loaded yet")
        if self.unspooled:
            return
        self._send(_LAST, self.names, self._year, str(head))
        self._heads.append(head)

    def matches(self, forms: list[Form]) -> bool:
        return bool(self._heads) and forms is self._forms and len(forms) == self._count

    def wait(self) -> Path:
        """The head, once written; the helper's failure is raised (ForkedError)."""
        self._result(_LAST)
        return self._heads[0]

    @property
    def open(self) -> bool:
        """Not closed yet: it can still be sent work."""
        return self._close.alive

    def close(self) -> None:
        self._forms = None
        self._close()
