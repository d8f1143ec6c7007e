"""Master workbooks held in memory: engine tests get located, validated `Table`s from rows of dicts
without writing and re-reading an .xlsx (four workbooks and two rulebook loads per test before).

`MemoryBook` lays the rows out exactly as `write_book` does (its sheet titles, its header row in the
company's language, data from row 2) and holds each value as the file reader hands it back (numbers
as float, dates as date, empty cells as ""), so the validation, its cell references and the engines
see what they would see from the file; tests/test_memory_books.py holds the two paths equal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from addin.model import Grid
from addin.outputs.master_books import header_text, sheet_title
from addin.services.company import Company
from addin.services.validation import BookOpener, validate_company
from addin.validate import Validation
from addin.validate.schema import BookSpec
from addin.workbook import BookUnreadable


def as_read_back(value: Any) -> Any:
    """A value as the .xlsx reader returns it after `write_book` wrote it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)  # a spreadsheet number is a double
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value
    return str(value)


class MemoryBook:
    """The `Book` protocol over sheets of rows already in memory (no Excel Tables)."""

    def __init__(self, name: str, sheets: dict[str, list[list[Any]]]):
        self.name = name
        self._sheets = sheets

    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def table_names(self) -> list[str]:
        return []

    def read_sheet(self, name: str) -> Grid:
        if name not in self._sheets:
            raise BookUnreadable(self.name, "sheet_missing", name)
        return Grid(self.name, name, [list(row) for row in self._sheets[name]])

    def read_table(self, name: str) -> Grid:
        raise BookUnreadable(self.name, "sheet_missing", name)


def memory_book(spec: BookSpec, rows_by_sheet: dict[str, Iterable[dict]], lang: str = "ja") -> MemoryBook:
    """What `write_book(path, spec, rows_by_sheet, lang)` would write, read back, without the file."""
    sheets = {}
    for key, sheet in spec.sheets.items():
        columns = list(sheet.columns.values())
        grid = [[header_text(column, lang) for column in columns]]
        grid += [[as_read_back(record.get(column.name)) for column in columns] for record in rows_by_sheet.get(key, [])]
        sheets[sheet_title(sheet)] = grid
    return MemoryBook(spec.file, sheets)


def memory_opener(rows_by_book: dict[str, dict[str, Iterable[dict]]], lang: str = "ja") -> BookOpener:
    """An opener for `validate_company` that serves each book from `rows_by_book` (book -> sheet -> dicts)."""
    rows_by_book = {
        book: {sheet: list(rows) for sheet, rows in sheets.items()} for book, sheets in rows_by_book.items()
    }

    def opener(book: str, company: Company) -> MemoryBook:
        return memory_book(company.books[book], rows_by_book.get(book, {}), lang)

    return opener


def validated(company: Company, rows_by_book: dict[str, dict[str, Iterable[dict]]], lang: str = "ja") -> Validation:
    """The validation of the books named in `rows_by_book`, each held in memory: located `Table`s and issues."""
    return validate_company(company, opener=memory_opener(rows_by_book, lang), only=set(rows_by_book))
