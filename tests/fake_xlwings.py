"""An in-memory stand-in for exactly the part of xlwings that addin/workbook/live.py and the buttons use.

Built from a real .xlsx on disk, with values as xlwings 0.37 hands them over on Windows
(_xlwindows.clean_value_data): numbers as floats, blanks and error cells as None (error cells as
"#N/A"-style text with err_to_str=True), dates as datetime, a time of day as datetime(1899, 12, 30, …);
Excel Tables with header, data body and totals row; merged areas; hidden sheets (Visible -1/0/2).
Any attribute outside that subset raises, so a test run proves the adapter uses no other xlwings call.
"""

from __future__ import annotations

import functools

import re
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

ALLOWED = {
    "FakeBook": {"name", "fullname", "sheets", "app"},
    "FakeApp": {"status_bar", "screen_updating", "alert", "books"},
    "FakeSheets": {"add"},
    "FakeSheet": {"name", "used_range", "tables", "range", "clear", "visible"},
    "FakeTable": {"name", "range", "header_row_range", "data_body_range"},
    "FakeRange": {"options", "value", "row", "column", "color", "add_hyperlink", "merge_cells", "merge_area"},
}


class Strict:
    """Refuses attributes outside the subset (reads and writes)."""

    def __getattr__(self, name):
        raise AttributeError(f"xlwings call outside the adapter's subset: {type(self).__name__}.{name}")

    def __setattr__(self, name, value):
        if not name.startswith("_") and name not in ALLOWED[type(self).__name__]:
            raise AttributeError(f"xlwings call outside the adapter's subset: {type(self).__name__}.{name} = …")
        object.__setattr__(self, name, value)


class FakeApp(Strict):
    def __init__(self):
        object.__setattr__(self, "_alerts", [])
        object.__setattr__(self, "_status", [])
        object.__setattr__(self, "_books", [])
        self.screen_updating = True

    books = property(lambda self: list(self._books))  # every book open in this Excel

    @property
    def status_bar(self):
        return self._status[-1] if self._status else False

    @status_bar.setter
    def status_bar(self, value):
        self._status.append(value)

    def alert(self, prompt, title=None):
        self._alerts.append((title, prompt))


class ExcelErrorCell(str):
    """What COM hands over for an error cell; xlwings turns it into None (or its text with err_to_str)."""


class FakeRange(Strict):
    def __init__(self, sheet, row, column, rows=1, columns=1, ndim=None, err_to_str=False):
        for key, value in dict(
            _sheet=sheet, _row=row, _column=column, _rows=rows, _columns=columns, _ndim=ndim, _err_to_str=err_to_str
        ).items():
            object.__setattr__(self, key, value)

    row = property(lambda self: self._row)
    column = property(lambda self: self._column)

    def options(self, ndim=None, err_to_str=False, **_):
        if ndim != 2 or _:
            raise AttributeError("only options(ndim=2[, err_to_str]) is in the subset")
        return FakeRange(self._sheet, self._row, self._column, self._rows, self._columns, ndim=2, err_to_str=err_to_str)

    def _cell(self, r, c):
        value = self._sheet._cells.get((r, c))
        if isinstance(value, ExcelErrorCell):
            return str(value) if self._err_to_str else None
        return value

    @property
    def merge_cells(self):
        """Excel's MergeCells: True when all of the range is merged, False when none, None (Null) when mixed."""
        inside = [
            bool(self._sheet._merged_at(r, c))
            for r in range(self._row, self._row + self._rows)
            for c in range(self._column, self._column + self._columns)
        ]
        return True if all(inside) else False if not any(inside) else None

    @property
    def merge_area(self):
        area = self._sheet._merged_at(self._row, self._column)
        if not area:
            return FakeRange(self._sheet, self._row, self._column)
        (r0, c0), (r1, c1) = area
        return FakeRange(self._sheet, r0, c0, r1 - r0 + 1, c1 - c0 + 1)

    @property
    def value(self):
        """As xlwings gives it: a scalar for one cell, a list for one row or column, else rows."""
        rows = [
            [self._cell(r, c) for c in range(self._column, self._column + self._columns)]
            for r in range(self._row, self._row + self._rows)
        ]
        if self._ndim == 2:
            return rows
        if self._rows == 1 and self._columns == 1:
            return rows[0][0]
        if self._rows == 1:
            return rows[0]
        if self._columns == 1:
            return [r[0] for r in rows]
        return rows

    @value.setter
    def value(self, data):
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [[data]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self._sheet._cells[(self._row + i, self._column + j)] = v

    @property
    def color(self):
        return self._sheet._colors.get((self._row, self._column))

    @color.setter
    def color(self, rgb):
        for r in range(self._row, self._row + self._rows):
            for c in range(self._column, self._column + self._columns):
                if rgb is None:
                    self._sheet._colors.pop((r, c), None)
                else:
                    self._sheet._colors[(r, c)] = rgb

    def add_hyperlink(self, address, text_to_display=None, screen_tip=None):
        self._sheet._links[(self._row, self._column)] = address
        self._sheet._cells[(self._row, self._column)] = text_to_display or address


class FakeTable(Strict):
    def __init__(self, sheet, name, ref, header_rows=1, totals_rows=0):
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        width = max_col - min_col + 1
        body_rows = max_row - min_row + 1 - header_rows - totals_rows
        for key, value in dict(
            _name=name,
            _range=FakeRange(sheet, min_row, min_col, max_row - min_row + 1, width),
            _header=FakeRange(sheet, min_row, min_col, 1, width) if header_rows else None,
            _body=FakeRange(sheet, min_row + header_rows, min_col, body_rows, width) if body_rows > 0 else None,
        ).items():
            object.__setattr__(self, key, value)

    name = property(lambda self: self._name)
    range = property(lambda self: self._range)
    header_row_range = property(lambda self: self._header)
    data_body_range = property(lambda self: self._body)  # xlwings: None for a Table without data rows


class FakeSheet(Strict):
    def __init__(self, name, visible=-1):
        for key, value in dict(
            _name=name, _cells={}, _colors={}, _links={}, _tables=[], _merged=[], _visible=visible
        ).items():
            object.__setattr__(self, key, value)

    name = property(lambda self: self._name)
    tables = property(lambda self: list(self._tables))
    visible = property(lambda self: self._visible)  # Windows: xlSheetVisible -1, hidden 0, very hidden 2

    def _merged_at(self, row, col):
        for (r0, c0), (r1, c1) in self._merged:
            if r0 <= row <= r1 and c0 <= col <= c1:
                return (r0, c0), (r1, c1)
        return None

    @property
    def used_range(self):
        filled = [k for k, v in self._cells.items() if v is not None]
        if not filled:
            return FakeRange(self, 1, 1)
        rows = [r for r, _ in filled]
        cols = [c for _, c in filled]
        return FakeRange(self, min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1)

    def range(self, address):
        match = re.fullmatch(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", address)
        row, col = int(match[2]), column_index_from_string(match[1])
        if match[3]:
            return FakeRange(self, row, col, int(match[4]) - row + 1, column_index_from_string(match[3]) - col + 1)
        return FakeRange(self, row, col)

    def clear(self):
        self._cells.clear()
        self._colors.clear()
        self._links.clear()

    def cell(self, address):  # for the tests' own inspection, not part of the subset
        return self._cells.get((int(address[1:]) if address[1:].isdigit() else 0, column_index_from_string(address[0])))


class FakeSheets(Strict):
    def __init__(self, sheets):
        object.__setattr__(self, "_sheets", sheets)

    def __iter__(self):
        return iter(self._sheets)

    def __len__(self):
        return len(self._sheets)

    def __getitem__(self, name):
        for sheet in self._sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)

    def add(self, name, after=None, before=None):
        sheet = FakeSheet(name)
        self._sheets.append(sheet)
        return sheet


def _book_contents(path: Path) -> list[tuple]:
    """What Excel would show of a saved book, per sheet: (title, visibility, cells, merged areas, Tables).
    Read once per version of the file (openpyxl takes a tenth of a second a book); each fake book gets
    its own copies of the cells, so what a test types into one never shows in another."""
    st = path.stat()
    return _read_contents(str(path), st.st_mtime_ns, st.st_size, st.st_ino)


@functools.lru_cache(maxsize=64)
def _read_contents(path: str, _mtime_ns: int, _size: int, _inode: int) -> list[tuple]:
    wb = openpyxl.load_workbook(path, data_only=True)
    contents = []
    for ws in wb.worksheets:
        cells = {
            (cell.row, cell.column): _as_xlwings(cell)
            for row in ws.iter_rows()
            for cell in row
            if cell.value is not None
        }
        merged = [((a.min_row, a.min_col), (a.max_row, a.max_col)) for a in ws.merged_cells.ranges]
        tables = [  # (tables.items() gives (name, ref) pairs)
            (t.displayName, t.ref, 0 if t.headerRowCount == 0 else 1, int(t.totalsRowCount or 0))
            for t in ws.tables.values()
        ]
        state = {"visible": -1, "hidden": 0, "veryHidden": 2}[ws.sheet_state]
        contents.append((ws.title, state, cells, merged, tables))
    return contents


class FakeBook(Strict):
    def __init__(self, path: Path, app: FakeApp | None = None):
        """`app`: the Excel that already holds other open books (a new one when None)."""
        sheets = []
        for title, state, cells, merged, tables in _book_contents(Path(path)):
            sheet = FakeSheet(title, state)
            sheet._cells.update(cells)
            sheet._merged.extend(merged)
            sheet._tables.extend(FakeTable(sheet, *table) for table in tables)
            sheets.append(sheet)
        object.__setattr__(self, "_path", Path(path))
        object.__setattr__(self, "_sheets", FakeSheets(sheets))
        object.__setattr__(self, "_app", app or FakeApp())
        self._app._books.append(self)

    name = property(lambda self: self._path.name)
    fullname = property(lambda self: str(self._path))
    sheets = property(lambda self: self._sheets)
    app = property(lambda self: self._app)

    def set(self, sheet: str, address: str, value) -> None:  # the user typing into Excel (test helper)
        self._sheets[sheet].range(address).value = value


def _as_xlwings(cell):
    """A cell value the way xlwings gives it on Windows."""
    value = cell.value
    if cell.data_type == "e":
        return ExcelErrorCell(value)
    if type(value) is int:
        return float(value)  # COM hands every number over as a double
    if isinstance(value, time):
        return datetime.combine(date(1899, 12, 30), value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


__all__ = ["FakeBook", "ALLOWED", "get_column_letter"]
