"""Validate a company: every workbook, every rule, in one pass."""

from __future__ import annotations

from typing import Callable

from addin.model import Severity
from addin.validate import Reporter, Validation, check_across, check_sheet, find_source, finish
from addin.workbook import Book, BookUnreadable, open_book
from addin.services.company import Company

BookOpener = Callable[[str, Company], Book]


def open_company_book(book: str, company: Company) -> Book:
    return open_book(company.book_path(book), company.books[book].file)


def validate_company(company: Company, opener: BookOpener = open_company_book,
                     progress: Callable[[str], None] = lambda _: None, only: set[str] | None = None) -> Validation:
    """Validate every workbook of the company (or `only` those named, e.g. {"staff"} for payroll)."""
    reporter = Reporter()
    tables = {}
    for book_name, book_spec in company.books.items():
        if only is not None and book_name not in only:
            continue
        progress(book_spec.file)
        try:
            book = opener(book_name, company)
        except BookUnreadable as problem:
            reporter.sheet_issue(problem.book, "", problem.code, detail=problem.detail)
            continue
        sheet_names, table_names = book.sheet_names(), book.table_names()
        for sheet_name, spec in book_spec.sheets.items():
            source = find_source(spec, sheet_names, table_names)
            if source is None:
                if not spec.optional:
                    reporter.sheet_issue(book_spec.file, "", "sheet_missing", other=spec.display_name)
                continue
            kind, name = source
            try:
                grid = book.read_table(name) if kind == "table" else book.read_sheet(name)
            except BookUnreadable as problem:
                reporter.sheet_issue(problem.book, name, problem.code, detail=problem.detail)
                continue
            checked = check_sheet(grid, spec, reporter)
            if checked is not None:
                tables[(book_name, sheet_name)] = checked
    check_across(tables, company.books, reporter)
    return finish(tables, reporter)


def worst(validation: Validation) -> Severity | None:
    for level in (Severity.FATAL, Severity.ERROR, Severity.WARNING):
        if validation.issues.count(level):
            return level
    return None
