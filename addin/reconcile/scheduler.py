"""`backoffice reconcile --at HH:MM`: a long-running process on the `schedule` package that runs the
night's reconciliation on weekdays (or every day), skipping Japanese holidays.

The clock and the sleep are injected, so tests drive whole weeks without sleeping.
"""

from __future__ import annotations

import datetime as _datetime
import time
import types
from contextlib import contextmanager
from datetime import date, datetime
from typing import Callable

import jpholiday
import schedule


def is_run_day(day: date, days: str = "weekdays") -> bool:
    if days == "daily":
        return True
    return day.weekday() < 5 and not jpholiday.is_holiday(day)


@contextmanager
def clocked(clock: Callable[[], datetime] | None):
    """Let `schedule` read the injected clock instead of the machine's (its only source of time)."""
    if clock is None:
        yield
        return

    class Clocked(_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return clock()

    shim = types.ModuleType("datetime")
    shim.__dict__.update(_datetime.__dict__)
    shim.datetime = Clocked
    original = schedule.datetime
    schedule.datetime = shim
    try:
        yield
    finally:
        schedule.datetime = original


class NightlyScheduler:
    def __init__(
        self,
        at: str,
        job: Callable[[date], object],
        days: str = "weekdays",
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.at, self.job, self.days = at, job, days
        self.clock = clock or datetime.now
        self.sleep = sleep
        self.runs: list[date] = []
        self.scheduler = schedule.Scheduler()

    def _tick(self) -> None:
        today = self.clock().date()
        if is_run_day(today, self.days):
            self.runs.append(today)
            self.job(today)

    def serve(self, keep_going: Callable[[], bool] = lambda: True, longest_nap: float = 60.0) -> None:
        """Run pending jobs and nap until the next one, while `keep_going()`."""
        with clocked(self.clock if self.clock is not datetime.now else None):
            self.scheduler.every().day.at(self.at).do(self._tick)
            while keep_going():
                self.scheduler.run_pending()
                idle = self.scheduler.idle_seconds
                self.sleep(max(0.0, min(idle if idle is not None else longest_nap, longest_nap)))
            self.scheduler.clear()
