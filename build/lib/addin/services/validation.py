"""Validate a company: every workbook, every rule, in one pass."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from addin.validate import Reporter, Validation, check_across, check_sheet, find_source, finish
from addin.validate.schema import BookSpec
from addin.workbook import Book, BookUnreadable, open_book
from addin.services.company import Company

BookOpener = Callable[[str, Company], Book]
#: how many workbooks are read at once from files (python-calamine releases the GIL while it parses)
FILE_READERS = min(4, os.cpu_count() or 1)


def open_company_book(book: str, company: Company) -> Book:
    return open_book(company.book_path(book), company.books[book].file)


def _read_book(book_name: str, spec: BookSpec, company: Company, opener: BookOpener) -> list[tuple]:
    """Everything the validation needs from one workbook: ("grid", sheet, grid) or ("issue", kwargs)."""
    try:
        book = opener(book_name, company)
    except BookUnreadable as problem:
        return [("issue", dict(book=problem.book, sheet="", code=problem.code, detail=problem.detail))]
    out = []
    sheet_names, table_names = book.sheet_names(), book.table_names()
    for sheet_name, sheet in spec.sheets.items():
        source = find_source(sheet, sheet_names, table_names)
        if source is None:
            if not sheet.optional:
                out.append(("issue", dict(book=spec.file, sheet="", code="sheet_missing", other=sheet.display_name)))
            continue
        kind, name = source
        try:
            out.append(("grid", sheet_name, book.read_table(name) if kind == "table" else book.read_sheet(name)))
        except BookUnreadable as problem:
            out.append(("issue", dict(book=problem.book, sheet=name, code=problem.code, detail=problem.detail)))
    return out


def validate_company(company: Company, opener: BookOpener = open_company_book,
                     progress: Callable[[str], None] = lambda _: None, only: set[str] | None = None,
                     readers: int | None = None) -> Validation:
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
        for (book_name, spec), events in zip(wanted, results):
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


__all__ = ["BookOpener", "FILE_READERS", "open_company_book", "validate_company"]
