"""The books (帳簿): chart of accounts, journal entries from every run, ledger balances and the
trial balance. Pure: data in, entries and figures out; the service reads files, outputs write them."""

from addin.books.chart import Account, BooksConfigError, Chart, TaxCategory, chart_of
from addin.books.journal import Entry, Line, Source, UnbalancedEntry, reversal_of

__all__ = [
    "Account",
    "BooksConfigError",
    "Chart",
    "Entry",
    "Line",
    "Source",
    "TaxCategory",
    "UnbalancedEntry",
    "chart_of",
    "reversal_of",
]
