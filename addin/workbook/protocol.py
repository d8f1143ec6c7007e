"""The `Book` protocol: everything the core needs from a workbook, and nothing else."""

from __future__ import annotations

from typing import Protocol

from addin.model import Grid


class BookUnreadable(Exception):
    """The workbook cannot be used at all; `code` is an issue code of validate.messages."""

    def __init__(self, book: str, code: str, detail: str = ""):
        super().__init__(f"{book}: {code} {detail}".strip())
        self.book, self.code, self.detail = book, code, detail


class Book(Protocol):
    name: str  # the workbook's file name, as issues show it

    def sheet_names(self) -> list[str]: ...

    def table_names(self) -> list[str]: ...

    def read_sheet(self, name: str) -> Grid: ...

    def read_table(self, name: str) -> Grid: ...
