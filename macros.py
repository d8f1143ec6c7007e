"""Older buttons and docs call `import macros; macros.validate_book()`; the entry points now live in
the package (addin.excel.macros) so an installed wheel has them. This file only forwards."""

from addin.excel.macros import (
    check_settings,
    clear_highlights,
    issue_invoices,
    reconcile_now,
    run_payroll,
    show_stock,
    validate_book,
)

__all__ = [
    "check_settings",
    "clear_highlights",
    "issue_invoices",
    "reconcile_now",
    "run_payroll",
    "show_stock",
    "validate_book",
]
