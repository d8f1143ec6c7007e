"""The month end: validate every book, then the month's payroll, the invoices of every billing period
closed by the month's last day and the stock on that day. One sequence, used by `backoffice demo` and
anything else that closes a month; the command line only prints what it returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from addin.dates import month_end
from addin.outputs.issues import write_issues_workbook
from addin.services.company import Company
from addin.services.invoicing import InvoiceRun, run_invoices
from addin.services.payroll import PayrollRun, run_payroll
from addin.services.stock import StockRun, run_stock
from addin.services.validation import CheckedOnce, open_company_book, validate_company
from addin.validate import Validation


@dataclass
class MonthEnd:
    month: date
    validation: Validation
    payroll: PayrollRun | None = None  # None: the books did not validate, nothing else ran
    invoices: InvoiceRun | None = None
    stock: StockRun | None = None

    @property
    def exit_code(self) -> int:
        if self.payroll is None or self.invoices is None or self.stock is None:
            return self.validation.issues.exit_code()
        return max(self.payroll.exit_code, self.invoices.exit_code, self.stock.exit_code)


def run_month_end(company: Company, month: date, progress: Callable[[str], None] = lambda _: None) -> MonthEnd:
    """Validation first (its report written whatever it finds); a book with errors stops the month end
    before any money is computed. Each book is read once: payroll, invoices and stock work on what the
    validation read (a book saved meanwhile waits for the next run, not half of this one)."""
    books = CheckedOnce(open_company_book)
    checked = validate_company(company, books, progress=lambda book: progress(f"validating {book}"))
    write_issues_workbook(company.paths.validation_report, list(checked.issues), company.lang)
    if checked.issues.exit_code():
        return MonthEnd(month, checked)
    last_day = month_end(month)
    return MonthEnd(
        month,
        checked,
        run_payroll(company, month, progress=progress, opener=books),
        run_invoices(company, last_day, progress=progress, opener=books),
        run_stock(company, last_day, progress=progress, opener=books),
    )
