"""What each button of the バックオフィス ribbon runs (addin_src/BackofficeRibbon.bas calls these through
xlwings' RunPython: `import addin.excel.macros as bo; bo.validate_book()`).

Each is one line of glue onto addin.excel.buttons, on the workbook that was active when the button
was pressed. They live inside the package so an installed wheel has them.
"""

import xlwings as xw

from addin.excel import buttons


def validate_book():
    buttons.validate_book(xw.Book.caller())


def run_payroll(month=""):
    buttons.run_payroll_month(xw.Book.caller(), month)


def issue_invoices():
    buttons.issue_invoices(xw.Book.caller())


def show_stock():
    buttons.show_stock(xw.Book.caller())


def run_nencho(year=""):
    buttons.run_nencho_year(xw.Book.caller(), year)


def run_books(first="", last="", export=""):
    buttons.run_books_period(xw.Book.caller(), first, last, export)


def match_receipts():
    buttons.match_receipts(xw.Book.caller())


def reconcile_now():
    buttons.reconcile_now(xw.Book.caller())


def clear_highlights():
    buttons.clear_highlights(xw.Book.caller())


def check_settings():
    buttons.check_settings(xw.Book.caller())
