"""Run a function in a forked copy of this process, beside the caller.

Writing the reports is pure Python on one core while a second core idles. A forked child sees the
parent's analysis as it is (copy-on-write, nothing pickled), so one report writer can run in the
child while the parent runs another. Only where fork is the platform's usual way to start a process
(Linux); elsewhere `fork_available()` is False and callers run the function in turn, as they do
when memory is short (`fork_fits`).

The child runs pure-Python stages only: no thread pools (OpenMP, Dask, DuckDB) are used in it,
which is what makes forking a process that may hold such threads safe. It returns its value
(pickled), or its error, through a pipe; it never returns into the caller's code (`os._exit`).
`beside(a, b)` runs `a` in a child while `b` runs here, or both in turn where forking is not
available or memory is short.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

T = TypeVar("T")
U = TypeVar("U")


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
    """`Forked(fn)` starts `fn()` in a child now; `join()` waits and returns its value (or raises)."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run, report through the pipe, leave without running the caller's code
            status = 0
            try:
                os.close(read_end)
                payload = {"value": fn()}
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
                status = 1
                payload = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
            try:
                with os.fdopen(write_end, "wb") as pipe:
                    pickle.dump(payload, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid = pid
        self._read_end = read_end
        self._joined = False

    def join(self) -> Any:
        """The child's value (or its error raised); once only."""
        if self._joined:
            raise ForkedError("子进程已结束 / child already joined")
        self._joined = True
        with os.fdopen(self._read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        if not data:
            raise ForkedError(f"子进程异常退出（状态 {status}）/ child process died (status {status})")
        payload = pickle.loads(data)
        if "error" in payload:
            raise ForkedError(f"{payload['error']}\n{payload['traceback']}")
        return payload["value"]


def can_fork() -> bool:
    """Whether `beside` runs its two callables side by side here and now."""
    return fork_available() and fork_fits()


def beside(child: Callable[[], T], here: Callable[[], U], parallel: bool = True) -> tuple[T, U]:
    """`(child(), here())`, with `child` run in a forked copy of this process while `here` runs
    in this one when `parallel` and the platform and memory allow (`fork_available`, `fork_fits`);
    otherwise in turn, `child` first. An error on this side is raised after the child is reaped."""
    if not (parallel and can_fork()):
        first = child()
        return first, here()
    job = Forked(child)
    try:
        mine = here()
    except BaseException:
        with suppress(Exception):
            job.join()
        raise
    return job.join(), mine
