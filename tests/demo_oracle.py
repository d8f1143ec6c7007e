"""The test oracle of the demo's planted errors: where validation must report each one.

The demo plants the errors (addin/demo); comparing them with what validation reports is the tests' job.
"""

from __future__ import annotations

from addin.demo import DemoCompany
from addin.outputs.master_books import cell_of
from addin.services.company import Company


def planted_cells(company: Company, demo: DemoCompany) -> set[tuple[str, str, str, str]]:
    """(book file, sheet, cell, code) of each planted error, as validation must report them."""
    found = set()
    for error in demo.planted:
        book = company.books[error.book]
        sheet, cell = cell_of(book, error.sheet, error.field, error.index)
        found.add((book.file, sheet, cell, error.code))
    return found
