"""Run a function in a forked copy of this process, beside the caller.

Writing the reports is pure Python on one core while a second core idles. A forked child sees the
parent's analysis as it is (copy-on-write, nothing pickled), so one report writer can run in the
child while the parent runs another. Only where fork is the platform's usual way to start a process
(Linux); elsewhere `fork_available()` is False and callers run the function in turn, as they do
when memory is short (`fork_fits`).

The child runs pure-Python stages only: no thread pools (OpenMP, Dask, DuckDB) are used in it,
which is what makes forking a process that may hold such threads safe. It returns its value
(pickled), or its error, through a pipe; it never returns into the caller's code (`os._exit`).
A child may also send several results as it makes them (`items=True`, `receive`), so that the
parent goes on with the first while the child works on the next.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable
from typing import Any, NoReturn


class ForkedError(RuntimeError):
    """The child failed: its error message and traceback."""


def fork_available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _meminfo_kib(field: str, path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def fork_fits(meminfo: str = "/proc/meminfo", status: str = "/proc/self/status") -> bool:
    """Whether a fork may run beside this process without pressing on memory. A fork shares the
    parent's pages only until one side touches them, and CPython touches every object it reads
    (reference counts): over a long write most of the heap ends up copied. So: only when the memory
    available is at least twice this process's resident set."""
    available = _meminfo_kib("MemAvailable", meminfo)
    resident = _meminfo_kib("VmRSS", status)
    return available is not None and resident is not None and available >= 2 * resident


class Forked:
    """`Forked(fn)` starts `fn()` in a child now; `join()` waits and returns its value (or raises).

    `Forked(fn, items=True)`: `fn()` gives an iterable whose items the child sends one by one as it
    makes them; `receive()` returns the next (waiting for it), so the caller can go on with a first
    result while the child still works on the next; `join()` then gives None."""

    def __init__(self, fn: Callable[[], Any], items: bool = False) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run, report through the pipe, leave without running the caller's code
            os.close(read_end)
            _run_child(fn, items, write_end)
        os.close(write_end)
        self._pid = pid
        self._pipe = os.fdopen(read_end, "rb")
        self._reaped = False

    def _reap(self) -> int:
        self._reaped = True
        self._pipe.close()
        return os.waitpid(self._pid, 0)[1]

    def _frame(self) -> dict[str, Any]:
        """The child's next message; its error, or its death before it wrote one, is raised (and
        the child reaped)."""
        if self._reaped:
            raise ForkedError("子进程已结束 / child already joined")
        try:
            payload: dict[str, Any] = pickle.load(self._pipe)
        except (EOFError, pickle.UnpicklingError):
            status = self._reap()
            raise ForkedError(f"子进程异常退出（状态 {status}）/ child process died (status {status})") from None
        if "error" in payload:
            self._reap()
            raise ForkedError(f"{payload['error']}\n{payload['traceback']}")
        return payload

    def receive(self) -> Any:
        """The next item an `items=True` child sent (waiting for it)."""
        payload = self._frame()
        if "item" not in payload:
            self._reap()
            raise ForkedError("子进程没有更多结果 / no more items from the child")
        return payload["item"]

    def join(self) -> Any:
        """The child's value (or its error raised); once only. Items not received are dropped."""
        while "item" in (payload := self._frame()):
            pass
        self._reap()
        return payload["value"]


def _run_child(fn: Callable[[], Any], items: bool, write_end: int) -> NoReturn:
    """The child's whole life: run `fn`, send its items and value (or its error), exit."""
    status = 0
    try:
        with os.fdopen(write_end, "wb") as pipe:
            try:
                value = fn()
                if items:
                    for item in value:
                        pickle.dump({"item": item}, pipe, protocol=pickle.HIGHEST_PROTOCOL)
                        pipe.flush()  # the parent may be waiting for this one
                    value = None
                payload = {"value": value}
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
                status = 1
                payload = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
            pickle.dump(payload, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(status)


def can_fork() -> bool:
    """Whether `beside` runs its two callables side by side here and now."""
    return fork_available() and fork_fits()
