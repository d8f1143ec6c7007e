"""Validate a company: every workbook, every rule, in one pass."""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from addin.validate import Reporter, Validation, check_across, check_sheet, finish
from addin.validate.headers import alias_map, find_sources, header_score
from addin.validate.schema import BookSpec, SheetSpec
from addin.workbook import Book, BookUnreadable, open_book
from addin.workbook.files import check_regular_file, passes_through
from addin.workbook.recalc import recalculated_copy
from addin.services.company import Company

BookOpener = Callable[[str, Company], Book]
#: how many workbooks are read at once from files (python-calamine releases the GIL while it parses)
FILE_READERS = min(4, os.cpu_count() or 1)


def open_company_book(book: str, company: Company) -> Book:
    path = company.book_path(book)
    return open_book(path, path.name)


@contextmanager
def recalculating_opener(company: Company) -> Iterator[BookOpener]:
    """An opener reading each book through a copy LibreOffice recalculated (`--recalculate`); the
    copies live in the company's private scratch folder and are gone when the block ends."""
    scratch = company.paths.tmp
    scratch.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix="recalc-", dir=scratch) as folder:

        def opener(book: str, company_: Company) -> Book:
            path = company_.book_path(book)
            check_regular_file(path, path.name)
            return open_book(recalculated_copy(path, Path(folder), path.name), path.name, recalculated=True)

        yield opener


def _choose_source(book: Book, sheet: SheetSpec, sheet_names: list[str], table_names: list[str]):
    """("table"|"sheet", name), None when nothing fits, or ("ambiguous", "a, b")."""
    found = find_sources(sheet, sheet_names, table_names)
    tables = [s for s in found if s[0] == "table"]
    sheets = [s for s in found if s[0] == "sheet"]
    for candidates in (tables, sheets):
        if len(candidates) > 1:
            return "ambiguous", ", ".join(name for _, name in candidates)
    if tables:
        return tables[0]
    aliases = alias_map(sheet)
    required = sum(1 for c in sheet.columns.values() if c.required)
    fitting = []  # Tables of any name (Table1, テーブル1) whose header names the sheet's columns
    for name in table_names:
        grid = book.read_table(name)
        if sheets and grid.sheet != sheets[0][1]:
            continue
        score = header_score(grid.rows[0], aliases) if grid.rows else 0
        if score >= max(required, 1):
            fitting.append((score, name))
    if len(fitting) > 1 and not sheets:
        return "ambiguous", ", ".join(name for _, name in fitting)
    if fitting:
        return "table", max(fitting)[1]
    return sheets[0] if sheets else None


def _read_book(book_name: str, spec: BookSpec, company: Company, opener: BookOpener) -> list[tuple]:
    """Everything the validation needs from one workbook: ("grid", sheet, grid) or ("issue", kwargs)."""
    try:
        book = opener(book_name, company)
        sheet_names, table_names = book.sheet_names(), book.table_names()
    except BookUnreadable as problem:
        return [("issue", dict(book=problem.book, sheet="", code=problem.code, detail=problem.detail))]
    except BaseException as exc:  # noqa: BLE001
        if passes_through(exc):
            raise
        return [
            ("issue", dict(book=spec.file, sheet="", code="book_unreadable", detail=f"{type(exc).__name__}: {exc}"))
        ]
    out = []
    for sheet_name, sheet in spec.sheets.items():
        name = sheet.display_name
        try:
            source = _choose_source(book, sheet, sheet_names, table_names)
            if source is None:
                if not sheet.optional:
                    out.append(("issue", dict(book=book.name, sheet="", code="sheet_missing", other=name)))
                continue
            kind, name = source
            if kind == "ambiguous":
                out.append(
                    (
                        "issue",
                        dict(book=book.name, sheet="", code="sheet_ambiguous", other=sheet.display_name, detail=name),
                    )
                )
                continue
            out.append(("grid", sheet_name, book.read_table(name) if kind == "table" else book.read_sheet(name)))
        except BookUnreadable as problem:
            out.append(("issue", dict(book=problem.book, sheet=name, code=problem.code, detail=problem.detail)))
        except BaseException as exc:  # noqa: BLE001
            if passes_through(exc):
                raise
            out.append(
                (
                    "issue",
                    dict(book=book.name, sheet=name, code="book_unreadable", detail=f"{type(exc).__name__}: {exc}"),
                )
            )
    return out


def validate_company(
    company: Company,
    opener: BookOpener = open_company_book,
    progress: Callable[[str], None] = lambda _: None,
    only: set[str] | None = None,
    readers: int | None = None,
) -> Validation:
    """Validate every workbook of the company (or `only` those named, e.g. {"staff"} for payroll).

    Files are read by several threads while the main thread validates what has arrived; a live
    Excel book (another opener) is read by the calling thread alone.
    """
    readers = readers or (FILE_READERS if opener is open_company_book else 1)
    wanted = [(name, spec) for name, spec in company.books.items() if only is None or name in only]
    reporter = Reporter()
    tables = {}

    def read(item):
        return _read_book(item[0], item[1], company, opener)

    with ThreadPoolExecutor(max_workers=readers) as pool:
        results = pool.map(read, wanted) if readers > 1 else map(read, wanted)
        for (book_name, spec), events in zip(wanted, results, strict=True):
            progress(spec.file)
            for event in events:
                if event[0] == "issue":
                    reporter.sheet_issue(**event[1])
                    continue
                _, sheet_name, grid = event
                checked = check_sheet(grid, spec.sheets[sheet_name], reporter)
                if checked is not None:
                    tables[(book_name, sheet_name)] = checked
    check_across(tables, company.books, reporter)
    return finish(tables, reporter)


__all__ = ["BookOpener", "FILE_READERS", "open_company_book", "recalculating_opener", "validate_company"]
