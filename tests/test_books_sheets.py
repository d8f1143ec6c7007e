"""The books read and check only the sheets whose rows they use: staff (directors), vendors and bills.
A problem elsewhere in staff.xlsx or vendors.xlsx is the business of the run that reads that sheet."""

from __future__ import annotations

import shutil

import openpyxl

from addin.services.books import BOOKS_SHEETS, validate_books_sheets
from addin.services.company import load_company
from addin.services.validation import validate_company


def _without_sheet(root, book: str, title_start: str) -> None:
    path = root / book
    workbook = openpyxl.load_workbook(path)
    (sheet,) = [ws for ws in workbook.worksheets if ws.title.startswith(title_start)]
    workbook.remove(sheet)
    workbook.save(path)


def test_the_books_check_their_sheets_exactly_as_a_full_validation_does(demo_template):
    company = load_company(demo_template)
    full, books = validate_company(company, only=set(BOOKS_SHEETS)), validate_books_sheets(company)
    assert set(books.tables) == {(book, sheet) for book, sheets in BOOKS_SHEETS.items() for sheet in sheets}
    for key in books.tables:
        assert books.table(*key).frame.equals(full.table(*key).frame)
    assert list(full.issues) == list(books.issues) == []  # the clean demo


def test_a_sheet_the_books_do_not_read_does_not_stop_them_but_a_missing_bills_sheet_does(demo_template, tmp_path):
    root = tmp_path / "company"
    shutil.copytree(demo_template, root)
    _without_sheet(root, "vendors.xlsx", "Purchase")
    company = load_company(root)
    assert "sheet_missing" in {i.code for i in validate_company(company, only={"vendors"}).issues}
    assert list(validate_books_sheets(company).issues) == []

    _without_sheet(root, "vendors.xlsx", "Bills")
    missing = validate_books_sheets(load_company(root)).issues
    assert [(i.code, i.book) for i in missing] == [("sheet_missing", "vendors.xlsx")]
