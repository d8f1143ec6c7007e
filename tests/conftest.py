"""Shared fixtures: real .xlsx files on disk, written by openpyxl or xlsxwriter, never mocks."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from addin.services.company import load_company
from addin.services.setup import init_company, make_demo

ROOT = Path(__file__).resolve().parents[1]


def write_sheet(path: Path, title: str, rows: list[list], start_row: int = 1, start_col: int = 1, extra=None) -> Path:
    """A one-sheet workbook with `rows` placed at (start_row, start_col)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.cell(row=start_row + r, column=start_col + c, value=value)
    if extra:
        extra(wb, ws)
    wb.save(path)
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A clean demo company, generated once per test session."""
    root = tmp_path_factory.mktemp("demo-clean")
    make_demo(root)
    return root


@pytest.fixture(scope="session")
def month_end_demo(tmp_path_factory) -> tuple[Path, int, str, list[str]]:
    """What `backoffice demo` makes: the demo books and their month end (March payroll, the year's invoices,
    stock, payments, money in), once per worker, as (folder, exit code, what it printed, the books it opened,
    in order). Never changed by a test: copy it first."""
    from addin.cli import main
    from addin.services import validation

    root = tmp_path_factory.mktemp("month-end") / "co"
    printed, opened, plain = io.StringIO(), [], validation.open_book

    def counting(path, name, *args, **kwargs):  # every book a company opener opens
        opened.append(Path(path).stem)
        return plain(path, name, *args, **kwargs)

    validation.open_book = counting
    try:
        with contextlib.redirect_stdout(printed):
            code = main(["demo", str(root)])
    finally:
        validation.open_book = plain
    return root, code, printed.getvalue(), opened


@pytest.fixture(scope="session")
def invoiced_demo(demo_template, tmp_path_factory) -> Path:
    """The demo with its year's invoices issued (through 2026-03-31), once per worker: where the books and the
    money-in tests start. Never changed by a test: copy it first."""
    from datetime import date

    from addin.services.invoicing import run_invoices

    root = tmp_path_factory.mktemp("invoiced") / "co"
    shutil.copytree(demo_template, root)
    assert run_invoices(load_company(root), date(2026, 3, 31)).exit_code == 0
    return root


@pytest.fixture(scope="session")
def bare_company(tmp_path_factory):
    """A freshly initialised company (settings and rules only), loaded once per session: engine tests
    read its rulebook, schemas and settings, and never write to it (their books live in memory)."""
    root = tmp_path_factory.mktemp("bare")
    init_company(root)
    return load_company(root)


@pytest.fixture(scope="session")
def demo_with_errors(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo-errors")
    demo, _ = make_demo(root, with_errors=True)
    return root, demo


@pytest.fixture
def demo_copy(demo_template, tmp_path) -> Path:
    """A private copy of the clean demo company that a test may change."""
    target = tmp_path / "company"
    shutil.copytree(demo_template, target)
    return target


@pytest.fixture
def company_of():
    return load_company


# The files that take longest, longest first (summed `--durations=0`, 2026-11-30; a file of SAME_WORKER counts
# with its partner). Each worker is handed a whole file as it frees up (`--dist loadfile`, with the scheduler
# below), in collection order (`--no-loadscope-reorder`): a long file handed out last leaves the other core idle
# at the end, so the long ones go first and the short ones fill the gaps.
SLOWEST_FILES = (
    "test_reconcile.py",
    "test_books_end_to_end.py",
    "test_real_workbooks.py",
    "test_packaging.py",
    "test_safety.py",
    "test_excel.py",
    "test_fuzz_settings_cli.py",
    "test_excel_live.py",
    "test_permissions.py",
    "test_bad_files.py",
    "test_nightly_checks.py",
    "test_payroll_settlement.py",
    "test_reader_recalc.py",
    "test_bonus.py",
    "test_invoicing.py",
    "test_pool.py",
    "test_nencho_end_to_end.py",
    "test_excel_udfs_xlwings.py",
)


#: memory-backed folder for the tests' companies, when the machine has one with room to spare
MEMORY_TEMP = Path("/dev/shm")
MEMORY_TEMP_ROOM = 2 * 1024**3


def pytest_configure(config):
    _collect_garbage_less_often()
    _temp_folders_in_memory(config)


def _collect_garbage_less_often() -> None:
    """The tests build and drop millions of small objects (openpyxl cells, frames): a young generation of
    100,000 instead of 700 lets the collector walk the long-lived ones (modules, session companies) far less
    often. 7 % of the suite's CPU, and nothing a test can see: reference counting still frees at once."""
    gc.set_threshold(100_000, 50, 100)


def _temp_folders_in_memory(config) -> None:
    """Tests' folders in memory (tmpfs) where the machine offers it: every output the product writes is
    flushed to disk (fsync, syncfs), which on a real disk cost the suite a third of its time and proves
    nothing a test can observe. pytest's own `PYTEST_DEBUG_TEMPROOT` moves its numbered folders there (it
    keeps the last three runs, as under /tmp); `--basetemp` or that variable set by hand still win."""
    if config.option.basetemp or "PYTEST_DEBUG_TEMPROOT" in os.environ or not MEMORY_TEMP.is_dir():
        return
    stats = os.statvfs(MEMORY_TEMP)
    if os.access(MEMORY_TEMP, os.W_OK) and stats.f_bavail * stats.f_frsize >= MEMORY_TEMP_ROOM:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(MEMORY_TEMP)


#: files that share a session fixture too costly to build on both workers go to one worker together
#: (`backoffice demo`'s month end, `month_end_demo`: the nightly tests and the demo command's own test; the
#: year's invoices, `invoiced_demo`: the books and money in)
SAME_WORKER = {
    "test_demo_end_to_end.py": "test_reconcile.py",
    "test_receivables_end_to_end.py": "test_books_end_to_end.py",
}


def pytest_xdist_make_scheduler(config, log):
    """xdist's `loadfile`, with the files of SAME_WORKER handed out as one."""
    from xdist.scheduler import LoadFileScheduling

    class SharedFixtureFiles(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)  # the file: tests/test_x.py
            folder, _, name = scope.rpartition("/")
            return f"{folder}/{SAME_WORKER[name]}" if name in SAME_WORKER else scope

    return SharedFixtureFiles(config, log)


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(SAME_WORKER.get(item.path.name, item.path.name), len(rank)))  # stable
