"""Python's cyclic garbage collector paused around work that makes many objects none of which is
in a cycle (a process's set-up, a report's rows): its passes over them find nothing to free."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """The collector off for the block (left as it is when it is off already); with `freeze`, what
    the block made is then moved out of every later pass (`gc.freeze()`), for objects that live to
    the process's end."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        gc.enable()
