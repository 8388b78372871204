"""Pause Python's cyclic garbage collector while a batch builds millions of objects.

The stages build acyclic data (forms, rows, findings, suggestions) that reference counting frees;
the cyclic collector only rescans them: at 10k forms its generation-2 passes were a third of the
target-advice time, and they grow with the batch. Pausing it is safe (cycles, if any, are
collected once it is back on) and makes time grow linearly with the input.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Collector off inside the block, back to its previous state after (nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
