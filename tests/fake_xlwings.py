"""An in-memory stand-in for exactly the part of xlwings that addin/workbook/live.py uses.

Built from a real .xlsx on disk (values as Excel would hand them over). Any attribute outside that
subset raises, so a test run proves the adapter uses no other xlwings call.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries

ALLOWED = {
    "FakeBook": {"name", "fullname", "sheets", "app"},
    "FakeApp": {"status_bar", "screen_updating", "alert"},
    "FakeSheets": {"add"},
    "FakeSheet": {"name", "used_range", "tables", "range", "clear"},
    "FakeTable": {"name", "range"},
    "FakeRange": {"options", "value", "row", "column", "color", "add_hyperlink"},
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
        self.screen_updating = True

    @property
    def status_bar(self):
        return self._status[-1] if self._status else False

    @status_bar.setter
    def status_bar(self, value):
        self._status.append(value)

    def alert(self, prompt, title=None):
        self._alerts.append((title, prompt))


class FakeRange(Strict):
    def __init__(self, sheet, row, column, rows=1, columns=1, ndim=None):
        for key, value in dict(_sheet=sheet, _row=row, _column=column, _rows=rows, _columns=columns, _ndim=ndim).items():
            object.__setattr__(self, key, value)

    row = property(lambda self: self._row)
    column = property(lambda self: self._column)

    def options(self, ndim=None, **_):
        if ndim != 2 or _:
            raise AttributeError("only options(ndim=2) is in the subset")
        return FakeRange(self._sheet, self._row, self._column, self._rows, self._columns, ndim=2)

    @property
    def value(self):
        """As xlwings gives it: a scalar for one cell, a list for one row or column, else rows."""
        rows = [[self._sheet._cells.get((r, c)) for c in range(self._column, self._column + self._columns)]
                for r in range(self._row, self._row + self._rows)]
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
    def __init__(self, sheet, name, ref):
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_range", FakeRange(sheet, min_row, min_col, max_row - min_row + 1, max_col - min_col + 1))

    name = property(lambda self: self._name)
    range = property(lambda self: self._range)


class FakeSheet(Strict):
    def __init__(self, name):
        for key, value in dict(_name=name, _cells={}, _colors={}, _links={}, _tables=[]).items():
            object.__setattr__(self, key, value)

    name = property(lambda self: self._name)
    tables = property(lambda self: list(self._tables))

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

    def cell(self, address):       # for the tests' own inspection, not part of the subset
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


class FakeBook(Strict):
    def __init__(self, path: Path):
        wb = openpyxl.load_workbook(path, data_only=True)
        sheets = []
        for ws in wb.worksheets:
            sheet = FakeSheet(ws.title)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:   # xlwings hands numbers over as floats
                        value = cell.value
                        sheet._cells[(cell.row, cell.column)] = float(value) if type(value) is int else value
            for name, table in ws.tables.items():
                sheet._tables.append(FakeTable(sheet, name, table.ref))
            sheets.append(sheet)
        object.__setattr__(self, "_path", Path(path))
        object.__setattr__(self, "_sheets", FakeSheets(sheets))
        object.__setattr__(self, "_app", FakeApp())

    name = property(lambda self: self._path.name)
    fullname = property(lambda self: str(self._path))
    sheets = property(lambda self: self._sheets)
    app = property(lambda self: self._app)

    def set(self, sheet: str, address: str, value) -> None:   # the user typing into Excel (test helper)
        self._sheets[sheet].range(address).value = value


__all__ = ["FakeBook", "ALLOWED", "get_column_letter"]
