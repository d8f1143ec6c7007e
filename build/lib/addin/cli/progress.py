"""Progress for long work: a line per stage on a terminal and in logs alike (plain, never garbled)."""

from __future__ import annotations

import os
import sys
import time


class Progress:
    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.started = time.perf_counter()

    def __call__(self, stage: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:6.1f}s] {stage}", file=self.stream, flush=True)
        # fault-injection seam for the crash tests: hold still at a named stage so a kill lands there
        pause_at = os.environ.get("BACKOFFICE_PAUSE_AT")
        if pause_at and pause_at in stage:
            time.sleep(float(os.environ.get("BACKOFFICE_PAUSE_SECONDS", "30")))
