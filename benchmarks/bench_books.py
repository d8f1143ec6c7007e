"""The books of a demo year: twelve payrolls, two bonuses, a year of invoices and the receipts matched
to them, twelve month-end stock valuations with their vendor payments, journalised, posted and
exported. Prints entries per second, the rerun (which must post nothing), each export, and the time to
read every workbook with python-calamine.

    python benchmarks/bench_books.py [--scale 10] [--keep DIR] [--posting-only]

Prints the read floor first, then each run with its stages and its ratio to the read, the load of the
machine and the peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin.dates import add_months, month_end  # noqa: E402
from addin.services.bonus import run_bonus  # noqa: E402
from addin.services.books import run_books  # noqa: E402
from addin.services.receivables import run_receivables, write_demo_statements  # noqa: E402
from addin.services.company import load_company  # noqa: E402
from addin.services.invoicing import run_invoices  # noqa: E402
from addin.services.payroll import run_payroll  # noqa: E402
from addin.services.setup import make_demo  # noqa: E402
from addin.services.stock import run_stock  # noqa: E402
from addin.outputs.journal_export import FORMATS, export_bytes  # noqa: E402
from addin.books import chart_of  # noqa: E402

MONTHS = [add_months(date(2025, 4, 1), i) for i in range(12)]
YEAR = (date(2025, 4, 1), date(2026, 4, 30))  # March's payroll is paid in April


def prepare(folder: Path, scale: int) -> Path:
    """The company after a year of runs, and a copy of its state.db from before any books run."""
    pristine = folder / ".backoffice" / "state-before-books.db"
    if pristine.exists():
        return pristine
    t = time.perf_counter()
    make_demo(folder, scale)
    company = load_company(folder)
    for month in MONTHS:
        code = run_payroll(company, month).exit_code
        try:
            stock = run_stock(company, month_end(month)).exit_code
        except Exception as crash:  # reported, not hidden: the stock run itself fails on some dates
            stock = f"failed ({type(crash).__name__}: {str(crash)[:60]})"
        print(f"  month {month:%Y-%m}: payroll exit {code}, stock {stock}", flush=True)
    for day in (date(2025, 7, 10), date(2025, 12, 10)):
        print(f"  bonus {day}: exit {run_bonus(company, day).exit_code}", flush=True)
    run_invoices(company, date(2026, 3, 31))
    write_demo_statements(company, date(2026, 3, 31))
    print(f"  receivables: exit {run_receivables(company, date(2026, 3, 31)).exit_code}", flush=True)
    shutil.copy2(folder / ".backoffice" / "state.db", pristine)
    print(f"prepared scale {scale} in {time.perf_counter() - t:.1f} s")
    return pristine


def calamine_read(folder: Path) -> float:
    """The floor: python-calamine reading every sheet of the company's workbooks, nothing else."""
    import python_calamine as calamine

    t = time.perf_counter()
    for name in ("staff.xlsx", "stock.xlsx", "vendors.xlsx", "sales.xlsx"):
        book = calamine.CalamineWorkbook.from_path(str(folder / name))
        for sheet in book.sheet_names:
            book.get_sheet_by_name(sheet).to_python()
    return time.perf_counter() - t


class Stages:
    """Times each stage of a books run from its progress messages (each message starts a stage)."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def __call__(self, message: str) -> None:
        self.marks.append((message.split(" ")[0], time.perf_counter()))

    def report(self, end: float) -> str:
        names = {
            "reading": "read+validate",
            "building": "build",
            "posting": "hash+post",
            "posted": "read back",
            "trial": "trial balance+tax check",
            "writing": "books.xlsx+json",
        }
        ends = [t for _, t in self.marks[1:]] + [end]
        return ", ".join(f"{names.get(m, m)} {e - t:.2f}" for (m, t), e in zip(self.marks, ends, strict=True))


def timed_books(folder: Path, write: bool = False):
    stages = Stages()
    company = load_company(folder)
    t = time.perf_counter()
    run = run_books(company, *YEAR, progress=stages, write=write)
    end = time.perf_counter()
    return run, end - t, stages.report(end)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder")
    parser.add_argument("--posting-only", action="store_true", help="no books.xlsx run and no exports")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-books-"))
    try:
        pristine = prepare(folder, args.scale)
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for leftover in (folder / ".backoffice").glob("state.db*"):
            leftover.unlink()
        shutil.copy2(pristine, folder / ".backoffice" / "state.db")  # no journal yet: time the first posting
        reads = []

        def floor() -> float:
            """A read just before each run, so that each ratio is taken under the same load."""
            reads.append(calamine_read(folder))
            return reads[-1]

        read = floor()
        first, posting, stages = timed_books(folder)
        entries, lines = len(first.journal), sum(len(e.lines) for e in first.journal)
        print(
            f"year {YEAR[0]}..{YEAR[1]}: {entries:,} entries ({lines:,} lines), exit {first.exit_code}, "
            f"issues {len(first.issues)}"
        )
        print(
            f"first run: {posting:.2f} s = {entries / posting:,.0f} entries/s; read {read:.2f} s: {posting / read:.2f}×"
        )
        print(f"  stages (s): {stages}")
        read = floor()
        again, rerun, stages = timed_books(folder)
        print(f"rerun (posts {len(again.posting.added)}): {rerun:.2f} s; read {read:.2f} s: {rerun / read:.2f}×")
        print(f"  stages (s): {stages}")
        if not args.posting_only:
            read = floor()
            _, whole, stages = timed_books(folder, write=True)
            print(f"rerun writing books.xlsx + books.json: {whole:.2f} s; read {read:.2f} s: {whole / read:.2f}×")
            print(f"  stages (s): {stages}")
        chart = chart_of(load_company(folder).rulebook.settings["books"])
        for software in [] if args.posting_only else FORMATS:
            t = time.perf_counter()
            size = len(export_bytes(first.journal, chart, software))
            took = time.perf_counter() - t
            print(f"export {software}: {took:.2f} s ({entries / took:,.0f} entries/s, {size / 1e6:.1f} MB)")
        print(
            f"calamine reads {', '.join(f'{r:.2f}' for r in reads)} s; against the fastest the first run is "
            f"{posting / min(reads):.2f}×, the rerun {rerun / min(reads):.2f}×; peak memory {peak_mb():,.0f} MB; "
            f"load average after: {os.getloadavg()[0]:.1f}"
        )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
