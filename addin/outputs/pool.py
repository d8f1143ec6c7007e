"""Documents on every core: a batch of independent jobs run by a process pool, results in job order.

Each job is a picklable value and `work` a module-level function of one job that writes its own file
(atomically, as every writer here does) and returns something picklable (its path). A document is a
pure function of its job, so which process writes it changes nothing: the same files, byte for byte,
as a one-process run; the caller gets the results in the order of the jobs, whatever order they
finished in. A failing job stops the batch and its exception reaches the caller.

Small batches run in this process: starting workers costs more than a few dozen documents.

What a worker costs on top of its documents is kept small: the workers are forked after the batch is
known, so they inherit the jobs (and the parsed fonts and template) and are sent only index ranges, never
the jobs themselves; the files of a chunk are flushed to disk together (`atomic.flushed_together`: one
syncfs per chunk instead of one fsync per file); the interpreter's objects are frozen before the fork so
the workers' garbage collector does not copy the parent's memory page by page.

    written = run_jobs(write_one_payslip, jobs, progress=progress, stage="pay slips")
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import math
import multiprocessing
import os
import sys
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from typing import Callable, Iterator, Sequence, TypeVar

from addin.outputs.atomic import flushed_together

Job = TypeVar("Job")
Result = TypeVar("Result")

#: below this many jobs the pool is skipped (a worker's start-up is worth ~20–50 one-page documents)
MIN_POOLED = 64
#: chunks per worker: enough to balance uneven documents, few enough to keep the pickling cheap
CHUNKS_PER_WORKER = 4


def cores() -> int:
    """The cores this process may use (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


#: a pool needs fork: spawn re-imports the caller's __main__, which inside Excel is xlwings' COM server
POOL_AVAILABLE = "fork" in multiprocessing.get_all_start_methods() and sys.platform.startswith("linux")


def workers_for(count: int, workers: int | None = None, min_pooled: int = MIN_POOLED) -> int:
    """How many processes a batch of `count` jobs deserves: 1 (no pool) for a small batch or where
    the platform cannot fork."""
    wanted = workers if workers is not None else cores()
    if wanted <= 1 or count < min_pooled or not POOL_AVAILABLE:
        return 1
    return max(1, min(wanted, count // max(min_pooled // 2, 1)))


def _context():
    # fork starts a worker in milliseconds with the fonts and template already parsed
    return multiprocessing.get_context("fork")


#: the batches being run, by number: a forked worker finds its work and jobs here (copied at the fork)
_BATCHES: dict[int, tuple[Callable, Sequence]] = {}
_batch_numbers = itertools.count()


def _run_chunk(batch: int, start: int, stop: int) -> list:
    """Jobs start..stop of a batch, in a worker; their files appear when all of them are on disk."""
    work, jobs = _BATCHES[batch]
    with flushed_together():
        return [work(job) for job in jobs[start:stop]]


def _chunks(count: int, pieces: int) -> list[tuple[int, int]]:
    size = max(1, math.ceil(count / pieces))
    return [(i, min(i + size, count)) for i in range(0, count, size)]


@contextlib.contextmanager
def counting(progress: Callable[[str], None] | None, stage: str, total: int) -> Iterator[Callable[[int], None]]:
    """A callable that counts finished documents: a bar when the reporter draws them (`steps`), else
    the stage is logged once."""
    steps = getattr(progress, "steps", None)
    if steps is not None:
        with steps(stage, total) as advance:
            yield advance
        return
    if progress is not None:
        progress(f"{stage}: {total}")
    yield lambda n: None


def run_jobs(
    work: Callable[[Job], Result],
    jobs: Sequence[Job],
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    stage: str = "documents",
    min_pooled: int | None = None,
) -> list[Result]:
    """`[work(job) for job in jobs]`, on up to `workers` processes (default: every core)."""
    jobs = list(jobs)
    processes = workers_for(len(jobs), workers, MIN_POOLED if min_pooled is None else min_pooled)
    with counting(progress, stage, len(jobs)) as advance:
        if processes == 1:
            results = []
            with flushed_together():
                for job in jobs:
                    results.append(work(job))
                    advance(1)
            return results
        return _pooled(work, jobs, processes, advance)


def _pooled(work: Callable[[Job], Result], jobs: list[Job], processes: int, advance) -> list[Result]:
    batch = next(_batch_numbers)
    _BATCHES[batch] = (work, jobs)
    chunks = _chunks(len(jobs), processes * CHUNKS_PER_WORKER)
    gc.freeze()  # the workers' collector leaves the inherited objects (and their pages) alone
    try:
        with ProcessPoolExecutor(processes, mp_context=_context()) as pool:  # forked at the first submit
            futures = [pool.submit(_run_chunk, batch, start, stop) for start, stop in chunks]
            sizes = {future: stop - start for future, (start, stop) in zip(futures, chunks, strict=True)}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in done:
                    if future.exception() is not None:
                        pool.shutdown(wait=True, cancel_futures=True)
                        raise future.exception()
                    advance(sizes[future])
    finally:
        gc.unfreeze()
        del _BATCHES[batch]
    return [result for future in futures for result in future.result()]


__all__ = ["MIN_POOLED", "cores", "counting", "run_jobs", "workers_for"]
