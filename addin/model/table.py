"""A Table is a sheet's data in canonical columns, each value remembering its cell."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def column_letter(index: int) -> str:
    """1 → A, 27 → AA: Excel's column names."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Table:
    book: str
    sheet: str
    frame: pd.DataFrame  # canonical column names; raw or normalised values
    rows: np.ndarray  # Excel row number of each frame row
    columns: dict[str, int]  # canonical field -> 1-based Excel column
    table: str = ""  # Excel Table name, when the data came from one
    extra_columns: list[str] = field(default_factory=list)  # headers no schema knows
    #: raw columns factorised as they were located, name -> (codes, distinct values; -1 an empty cell):
    #: normalising and the blank checks reuse them rather than hash 200,000 cells again. A new frame
    #: (`with_frame`) has none.
    distinct: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.frame)

    def cell(self, field_name: str, position: int) -> str:
        """A1 reference of the value at frame position `position` in column `field_name`."""
        col = self.columns.get(field_name)
        row = int(self.rows[position])
        return f"{column_letter(col)}{row}" if col else f"{row}:{row}"

    def without(self, excel_rows: set[int]) -> "Table":
        """The table without the rows at these Excel rows (positions renumbered, each row keeps its cell)."""
        if not excel_rows:
            return self
        keep = ~np.isin(self.rows, sorted(excel_rows))
        frame = self.frame[keep].reset_index(drop=True)
        return Table(self.book, self.sheet, frame, self.rows[keep], self.columns, self.table, self.extra_columns)

    def with_frame(self, frame: pd.DataFrame) -> "Table":
        return Table(self.book, self.sheet, frame, self.rows, self.columns, self.table, self.extra_columns)
