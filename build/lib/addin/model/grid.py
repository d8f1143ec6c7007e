"""A Grid is what a workbook adapter hands the core: the cell values of one sheet or Excel Table
as rows of Python values, and where the first of them sits in the sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Grid:
    book: str                 # file name as people know it, e.g. "staff.xlsx"
    sheet: str                # sheet name (for an Excel Table: the sheet that holds it)
    rows: list[list[Any]]     # values; empty cells are "" or None
    first_row: int = 1        # 1-based Excel row of rows[0]
    first_col: int = 1        # 1-based Excel column of rows[i][0]
    table: str = ""           # Excel Table (ListObject) name when read from one
    hidden: bool = False
    sheet_last_row: int = 0   # last used row of the whole sheet when known (1-based), 0 = unknown

    @property
    def last_row(self) -> int:
        return max(self.first_row + len(self.rows) - 1, self.sheet_last_row)


@dataclass(frozen=True)
class ErrorValue:
    """An Excel error cell (#N/A, #DIV/0! …) as a value: never blank, never a number."""
    code: str

    def __str__(self) -> str:
        return self.code
