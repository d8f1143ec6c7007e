"""Entry points for the Excel buttons (xlwings RunPython: `import macros; macros.validate_book()`).

Each is one line of glue: the work is in addin.excel.buttons, on the workbook that called it.
"""

import xlwings as xw

from addin.excel import buttons


def validate_book():
    buttons.validate_book(xw.Book.caller())


def run_payroll():
    buttons.run_payroll_month(xw.Book.caller())


def issue_invoices():
    buttons.issue_invoices(xw.Book.caller())


def show_stock():
    buttons.show_stock(xw.Book.caller())


def reconcile_now():
    buttons.reconcile_now(xw.Book.caller())
