"""The cyclic garbage collector, paused while a run builds many objects and no reference cycles.

A 200,000-row sheet becomes 200,000 lists; a books run makes ~10⁵ entries and lines. None of them is
in a cycle, yet every 700 new containers start a collection, and each older-generation collection
walks all that is alive: a fifth of a sheet's read, half of a books run. Reference counting still
frees everything at once; the collector resumes when the last paused run ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Runs in several threads (the readers of a validation) share one pause, counted: when the last
    one leaves, the collector is as it was when the first one came (off, if someone had turned it off)."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
