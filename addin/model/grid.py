"""A Grid is what a workbook adapter hands the core: the cell values of one sheet or Excel Table
as rows of Python values, and where the first of them sits in the sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CellError:
    """A cell that holds no usable value: an Excel error (#N/A, #REF!, #SPILL! …) or a number that is
    not finite. Never read as empty, never as a value: the validation reports it with its cell."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class UncachedFormula(CellError):
    """A formula whose result was never saved (a book written by a program, not opened in Excel)."""

    text: str = "="


UNCACHED = UncachedFormula()


@dataclass(frozen=True)
class OutsideCell:
    """A value far outside the sheet's data (a stray cell in column XFD, a note in row 1,048,576)."""

    row: int  # 1-based Excel row
    col: int  # 1-based Excel column
    value: str


@dataclass
class Grid:
    book: str  # file name as people know it, e.g. "staff.xlsx"
    sheet: str  # sheet name (for an Excel Table: the sheet that holds it)
    rows: list[list[Any]]  # values; empty cells are "" or None; CellError for error cells
    first_row: int = 1  # 1-based Excel row of rows[0]
    first_col: int = 1  # 1-based Excel column of rows[i][0]
    table: str = ""  # Excel Table (ListObject) name when read from one
    hidden: bool = False
    sheet_last_row: int = 0  # last used row of the whole sheet when known (1-based), 0 = unknown
    outside: list[OutsideCell] = field(default_factory=list)  # values left out of `rows`
    sum_rows: set[int] = field(default_factory=set)  # Excel rows holding a SUM/SUBTOTAL formula
    marked: bool = False  # some cells are CellError markers (errors, formulas without a result)
    errors_unseen: bool = False  # the format's reader shows an error cell as empty (.xls, .xlsb, .ods)

    @property
    def last_row(self) -> int:
        return max(self.first_row + len(self.rows) - 1, self.sheet_last_row)
