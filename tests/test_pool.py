"""The document pool: results in job order whichever process ran them, failures reach the caller, small
batches stay in-process, and a pooled invoice run writes the very bytes a one-process run writes."""

from __future__ import annotations

import io
import multiprocessing
import os
import shutil
import sys
import time

import pytest

from addin.cli.progress import Progress
from addin.outputs import pool
from addin.outputs.pool import run_jobs, workers_for
from tests.test_invoicing import company, invoice, order


pooled = pytest.mark.skipif(not pool.POOL_AVAILABLE, reason="the document pool needs fork (Linux)")


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


#: the pids of the first two processes that took a job; set before the pool forks, shared with it
_STARTED = None


def _square_and_pid_once_two_started(n: int) -> tuple[int, int]:
    """A job that waits (up to 10 s) until two processes have taken jobs: on a busy machine the
    first process could otherwise run the whole batch before the second is scheduled at all."""
    pid = os.getpid()
    with _STARTED.get_lock():
        if pid not in _STARTED[:] and 0 in _STARTED[:]:
            _STARTED[_STARTED[:].index(0)] = pid
    deadline = time.monotonic() + 10
    while 0 in _STARTED[:] and time.monotonic() < deadline:
        time.sleep(0.001)
    return n * n, pid


def _fails_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("job 7 is bad")
    return n


@pooled
def test_results_come_back_in_job_order_from_several_processes(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "_STARTED", multiprocessing.get_context("fork").Array("i", 2))
    results = run_jobs(_square_and_pid_once_two_started, range(200), workers=2, min_pooled=2)
    assert [square for square, _ in results] == [n * n for n in range(200)]
    assert os.getpid() not in {pid for _, pid in results} and len({pid for _, pid in results}) == 2


def test_a_small_batch_runs_in_this_process():
    assert workers_for(10, workers=8) == 1 and workers_for(1000, workers=1) == 1
    assert workers_for(1000, workers=2) == (2 if pool.POOL_AVAILABLE else 1)
    assert {pid for _, pid in run_jobs(_square_and_pid, range(10), workers=2)} == {os.getpid()}


@pooled
def test_a_failing_job_stops_the_batch_with_its_own_error():
    with pytest.raises(ValueError, match="job 7 is bad"):
        run_jobs(_fails_on_seven, range(100), workers=2, min_pooled=2)


@pooled
def test_progress_counts_every_document_as_plain_lines_off_a_terminal():
    stream = io.StringIO()
    run_jobs(_square_and_pid, range(100), workers=2, min_pooled=2, progress=Progress(stream), stage="documents")
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("documents: 100") and "documents: 100 in" in lines[-1]
    assert "\r" not in stream.getvalue()  # no bar redraws in a log


def _documents(root):
    folder = root / "out" / "invoices"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name.startswith("INV-")}


@pooled
def test_pooled_and_one_process_runs_write_byte_identical_documents(tmp_path, monkeypatch):
    orders = [
        order(
            f"S{i}",
            "C1" if i % 2 else "C2",
            "P10" if i % 3 else "F08",
            i % 5 + 1,
            100 + i,
            "10%" if i % 3 else "8%",
            f"2025-0{1 + i % 4}-{10 + i % 15}",
        )
        for i in range(24)
    ]
    root = company(tmp_path / "co", orders)
    monkeypatch.setattr(pool, "MIN_POOLED", 10**9)  # one process
    assert invoice(root, "2025-04-30")[0] == 0
    alone = _documents(root)
    assert len(alone) >= 12 and {name[-4:] for name in alone} == {".pdf", "xlsx"}
    shutil.rmtree(root / "out" / "invoices")
    chosen = []
    monkeypatch.setattr(pool, "MIN_POOLED", 2)
    monkeypatch.setattr(pool, "cores", lambda: 2)
    real = pool.workers_for
    monkeypatch.setattr(pool, "workers_for", lambda *a: chosen.append(real(*a)) or chosen[-1])
    assert invoice(root, "2025-04-30")[0] == 0  # nothing new: the documents are rewritten
    assert chosen == [2]  # ... by two processes
    pooled = _documents(root)
    assert sorted(pooled) == sorted(alone)
    assert [name for name in alone if alone[name] != pooled[name]] == []
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in (root / "out" / "invoices").glob("INV-*"))


def test_a_terminal_gets_a_bar_that_leaves_a_summary_line():
    stream = io.StringIO()
    run_jobs(_square_and_pid, range(10), workers=1, progress=Progress(stream, bars=True), stage="pay slips")
    text = stream.getvalue()
    assert "\rpay slips:   0%" in text and "0/10" in text  # tqdm's bar, redrawn in place
    assert text.rstrip().splitlines()[-1].split("] ", 1)[1].startswith("pay slips: 10 in")


@pooled
def test_pay_slips_from_the_pool_are_the_one_process_bytes(demo_template, tmp_path, monkeypatch):
    from addin.cli import main

    root = tmp_path / "co"
    shutil.copytree(demo_template, root)

    def slips() -> dict[str, bytes]:
        folder = root / "out" / "payroll" / "2025-06" / "payslips"
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

    monkeypatch.setattr(pool, "MIN_POOLED", 10**9)
    assert main(["payroll", str(root), "--month", "2025-06"]) == 0
    alone = slips()
    shutil.rmtree(root / "out" / "payroll" / "2025-06")
    monkeypatch.setattr(pool, "MIN_POOLED", 2)
    monkeypatch.setattr(pool, "cores", lambda: 2)
    assert main(["payroll", str(root), "--month", "2025-06"]) == 0
    assert len(alone) >= 40 and slips() == alone
    assert all(
        oct(p.stat().st_mode & 0o777) == "0o600" for p in (root / "out" / "payroll" / "2025-06" / "payslips").iterdir()
    )


@pooled
def test_withholding_slips_from_the_pool_are_the_one_process_bytes(demo_template, tmp_path, monkeypatch):
    from addin.cli import main

    root = tmp_path / "co"
    shutil.copytree(demo_template, root)
    folder = root / "out" / "nencho" / "2025"

    def documents() -> dict[str, bytes]:
        return {
            f"{kind}/{p.name}": p.read_bytes()
            for kind in ("slips", "statements")
            for p in sorted((folder / kind).iterdir())
        }

    monkeypatch.setattr(pool, "MIN_POOLED", 10**9)
    assert main(["nencho", str(root), "--year", "2025"]) == 0
    alone = documents()
    shutil.rmtree(folder)
    chosen = []
    monkeypatch.setattr(pool, "MIN_POOLED", 2)
    monkeypatch.setattr(pool, "cores", lambda: 2)
    real = pool.workers_for
    monkeypatch.setattr(pool, "workers_for", lambda *a: chosen.append(real(*a)) or chosen[-1])
    assert main(["nencho", str(root), "--year", "2025"]) == 0
    assert chosen == [2]  # 源泉徴収票 and 年末調整計算書 written by two processes
    pooled = documents()
    assert len(alone) == 100 and sorted(pooled) == sorted(alone)  # 50 staff: a slip and a statement each
    assert [name for name in alone if alone[name] != pooled[name]] == []
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in folder.glob("*/*.pdf"))
    assert not list(folder.parent.glob(".*"))  # no staging folder left behind
