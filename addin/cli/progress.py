"""Progress for long work: a line per stage, and for a stage that counts documents a bar (done of
total, rate, time left) when attached to a terminal or plain log lines when not (never garbled)."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Callable, Iterator

#: a count stage logs a line at most this often when not on a terminal (a bar redraws instead)
LOG_EVERY_SECONDS = 10.0


class Progress:
    def __init__(self, stream=sys.stderr, pause: Callable[[str], None] | None = None, bars: bool | None = None):
        """`pause(stage)` runs after each stage line is out (tests inject one to hold a run still at a
        stage); `bars` defaults to whether `stream` is a terminal."""
        self.stream = stream
        self.started = time.perf_counter()
        self.pause = pause
        self.bars = bars if bars is not None else bool(getattr(stream, "isatty", lambda: False)())

    def __call__(self, stage: str) -> None:
        print(f"[{self._elapsed():6.1f}s] {stage}", file=self.stream, flush=True)
        if self.pause is not None:
            self.pause(stage)

    def _elapsed(self) -> float:
        return time.perf_counter() - self.started

    @contextlib.contextmanager
    def steps(self, stage: str, total: int) -> Iterator[Callable[[int], None]]:
        """Yield `advance(n)`; a bar on a terminal, else a line at the start, every LOG_EVERY_SECONDS and at the end."""
        self(f"{stage}: {total}")
        started = time.perf_counter()
        if self.bars and total:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: the document pool forks while a bar is up
            with tqdm(total=total, desc=stage, unit="doc", file=self.stream, leave=False, dynamic_ncols=True) as bar:
                yield bar.update
        else:
            state = {"done": 0, "logged": started}

            def advance(n: int) -> None:
                state["done"] += n
                now = time.perf_counter()
                if now - state["logged"] >= LOG_EVERY_SECONDS and state["done"] < total:
                    state["logged"] = now
                    rate = state["done"] / (now - started)
                    left = (total - state["done"]) / rate if rate else 0
                    print(
                        f"[{self._elapsed():6.1f}s] {stage}: {state['done']}/{total} "
                        f"({rate:,.0f}/s, {left:,.0f}s left)",
                        file=self.stream,
                        flush=True,
                    )

            yield advance
        seconds = time.perf_counter() - started
        if total:
            print(
                f"[{self._elapsed():6.1f}s] {stage}: {total} in {seconds:.1f}s ({total / max(seconds, 1e-9):,.0f}/s)",
                file=self.stream,
                flush=True,
            )
