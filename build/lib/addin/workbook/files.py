"""Headless adapters over .xlsx files on disk.

python-calamine is the fast path (Rust, reads cached formula values, ignores a wrong `dimension`);
openpyxl serves where calamine cannot parse a file and is kept as an independent second reader.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import python_calamine as calamine

from addin.model import Grid
from addin.workbook.protocol import BookUnreadable

EXCEL_MAX_ROWS = 1_048_576


def _fill_merged(rows: list[list], ranges, first_row0: int, first_col0: int) -> None:
    """A merged block shows one value; every cell under it means that value (a department merged down)."""
    for (r0, c0), (r1, c1) in ranges or []:
        top, left = r0 - first_row0, c0 - first_col0
        if not (0 <= top < len(rows) and 0 <= left < len(rows[top])):
            continue
        value = rows[top][left]
        for r in range(max(top, 0), min(r1 - first_row0, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(max(left, 0), min(c1 - first_col0, len(row) - 1) + 1):
                row[c] = value


class CalamineBook:
    def __init__(self, path: Path, name: str | None = None):
        self.path = Path(path)
        self.name = name or self.path.name
        if not self.path.exists():
            raise BookUnreadable(self.name, "book_missing")
        try:
            self._wb = calamine.CalamineWorkbook.from_path(str(self.path), load_tables=True)
        except calamine.PasswordError:
            raise BookUnreadable(self.name, "book_encrypted") from None
        except (calamine.ZipError, calamine.XmlError, calamine.CalamineError, OSError, ValueError) as exc:
            raise BookUnreadable(self.name, "book_unreadable", _why(self.path, exc)) from None
        self._hidden = {m.name for m in self._wb.sheets_metadata if m.visible != calamine.SheetVisibleEnum.Visible}

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheet_names)

    def table_names(self) -> list[str]:
        try:
            return list(self._wb.table_names)
        except (calamine.TablesNotSupported, calamine.TablesNotLoaded):
            return []

    def read_sheet(self, name: str) -> Grid:
        try:
            sheet = self._wb.get_sheet_by_name(name)
            (row0, col0), (end_row0, _) = sheet.start or (0, 0), sheet.end or (0, 0)
            if sheet.start is not None and end_row0 + 1 >= EXCEL_MAX_ROWS:
                return Grid(self.name, name, [], row0 + 1, col0 + 1, hidden=name in self._hidden,
                            sheet_last_row=end_row0 + 1)
            rows = sheet.to_python(skip_empty_area=True) if sheet.start is not None else []
            _fill_merged(rows, sheet.merged_cell_ranges, row0, col0)
        except calamine.CalamineError as exc:
            raise BookUnreadable(self.name, "book_unreadable", f"{name}: {exc}") from None
        return Grid(self.name, name, rows, row0 + 1, col0 + 1, hidden=name in self._hidden)

    def read_table(self, name: str) -> Grid:
        table = self._wb.get_table_by_name(name)
        (row0, col0) = table.start
        rows = [list(table.columns)] + table.to_python()
        # table.start is the first data row; the header sits one above it
        return Grid(self.name, table.sheet, rows, row0, col0 + 1, table=name, hidden=table.sheet in self._hidden)


def _why(path: Path, exc: Exception) -> str:
    if path.suffix.lower() in (".xlsx", ".xlsm") and not zipfile.is_zipfile(path):
        return "Excelファイル（.xlsx）ではないか、壊れています / not an .xlsx file, or damaged"
    return str(exc)


class OpenpyxlBook:
    """The same protocol over openpyxl; slower, used where calamine cannot parse a file."""

    def __init__(self, path: Path, name: str | None = None):
        import openpyxl

        self.path = Path(path)
        self.name = name or self.path.name
        if not self.path.exists():
            raise BookUnreadable(self.name, "book_missing")
        try:
            # not read-only: Tables and merged ranges are only known to a fully loaded workbook
            self._wb = openpyxl.load_workbook(self.path, data_only=True)
        except Exception as exc:  # openpyxl raises many unrelated types for a damaged file
            raise BookUnreadable(self.name, "book_unreadable", _why(self.path, exc)) from None

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def table_names(self) -> list[str]:
        return [name for ws in self._wb.worksheets for name in ws.tables.keys()]

    def _grid(self, ws, min_row, min_col, max_row, max_col, table="") -> Grid:
        rows = [["" if v is None else v for v in row]
                for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True)]
        merged = [((r.min_row - 1, r.min_col - 1), (r.max_row - 1, r.max_col - 1)) for r in ws.merged_cells.ranges]
        _fill_merged(rows, merged, min_row - 1, min_col - 1)
        return Grid(self.name, ws.title, rows, min_row, min_col, table=table, hidden=ws.sheet_state != "visible")

    def read_sheet(self, name: str) -> Grid:
        ws = self._wb[name]
        if ws.max_row >= EXCEL_MAX_ROWS:
            return Grid(self.name, name, [], 1, 1, sheet_last_row=ws.max_row)
        return self._grid(ws, ws.min_row, ws.min_column, ws.max_row, ws.max_column)

    def read_table(self, name: str) -> Grid:
        from openpyxl.utils.cell import range_boundaries

        for ws in self._wb.worksheets:
            if name in ws.tables:
                min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
                return self._grid(ws, min_row, min_col, max_row, max_col, table=name)
        raise KeyError(name)


def open_book(path: Path, name: str | None = None):
    """The fastest adapter that can read the file."""
    try:
        return CalamineBook(path, name)
    except BookUnreadable as problem:
        if problem.code != "book_unreadable" or not zipfile.is_zipfile(path):
            raise
        return OpenpyxlBook(path, name)
