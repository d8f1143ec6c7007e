"""Shared fixtures: real .xlsx files on disk, written by openpyxl or xlsxwriter, never mocks."""

from __future__ import annotations

import gc
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


# The files that take longest, longest first (summed `--durations=0`, 2026-11-30). `--dist loadfile` hands each
# worker a whole file as it frees up, in collection order (`--no-loadscope-reorder`): a long file handed out last
# leaves the other core idle at the end, so the long ones go first and the short ones fill the gaps.
SLOWEST_FILES = (
    "test_reconcile.py",
    "test_real_workbooks.py",
    "test_books_end_to_end.py",
    "test_safety.py",
    "test_demo_end_to_end.py",
    "test_receivables_end_to_end.py",
    "test_excel.py",
    "test_excel_live.py",
    "test_fuzz_settings_cli.py",
    "test_packaging.py",
    "test_nightly_checks.py",
    "test_permissions.py",
    "test_nightly_adoption.py",
    "test_bad_files.py",
    "test_invoicing.py",
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


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's tests keep their order
