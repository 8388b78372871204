"""A binary file written by a thread of its own.

Copying a large report into the page cache is kernel time on the writing thread: findings.json of
100k forms is ~2.8 GB, and its write calls cost ~4-6 s of the ~20 s it takes to write. The write
calls release the GIL, so a second thread can make them on the other core while this one encodes
the next chunk; `write` only hands the bytes over (a short queue keeps memory to a few chunks).
The thread lives only while its file is written, and nothing forks meanwhile (`analyze` forks its
report writer before findings.json is opened; the child opens its own): no fork copies its locks.
"""

from __future__ import annotations

import queue
import threading
from contextlib import suppress
from pathlib import Path
from types import TracebackType

_BATCH = 1 << 20  # small writes are gathered to about this many bytes before they are handed over
_DEPTH = 4  # batches waiting at most: the encoder is held back, not memory filled, by a slow disk


class BackgroundFile:
    """`open(path, "wb")` whose writes happen in a thread; an error of that thread (disk full) is
    raised by the next `write`, or by `close`, which waits for every byte to be written."""

    def __init__(self, path: str | Path, append: bool = False) -> None:
        self._fh = open(path, "ab" if append else "wb", buffering=_BATCH)  # noqa: SIM115 - closed by close()
        self._queue: queue.Queue[list[bytes] | None] = queue.Queue(maxsize=_DEPTH)
        self._pending: list[bytes] = []
        self._size = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"write {Path(path).name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._error is None:
                try:
                    for data in batch:
                        self._fh.write(data)
                except BaseException as exc:  # kept for the writer; the queue is still drained
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._raise()
        self._pending.append(bytes(data))  # a copy only if it is not bytes already (it may change)
        self._size += len(data)
        if self._size >= _BATCH:
            self._queue.put(self._pending)
            self._pending, self._size = [], 0
        return len(data)

    def close(self) -> None:
        """Waits for the thread to write everything, closes the file, raises the thread's error."""
        if not self._thread.is_alive():
            return
        try:
            if self._pending:
                self._queue.put(self._pending)
                self._pending = []
        finally:
            self._queue.put(None)
            self._thread.join()
            try:
                self._fh.close()
            except BaseException as exc:
                self._error = self._error or exc
        self._raise()

    def __enter__(self) -> BackgroundFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:  # the caller's error is the one raised
            with suppress(Exception):  # a write error after the caller's own
                self.close()
