"""`XlwingsBook`: the `Book` protocol over a workbook open in Excel, and the writes the buttons make.

It hands the core the same Grid the file reader does: merged areas filled with their value, an
Excel Table's header and data body (never its totals row), error cells as CellError (as the file reader
gives them), hidden sheets flagged, dates as datetimes (xlwings' own conversion). It uses only this part
of the xlwings API (tests/fake_xlwings.py implements exactly it, and a test checks nothing else is touched):
  Book: name, fullname, sheets, app            App: status_bar, screen_updating, alert(prompt, title)
  Sheets: iteration, [name], add(name)         Sheet: name, used_range, tables, range(address), clear(),
                                                      visible
  Table: name, range, header_row_range,        Range: options(ndim=2, err_to_str=True).value, value,
         data_body_range                              row, column, color, merge_cells, merge_area,
                                                      add_hyperlink(address, text_to_display)
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.utils.cell import get_column_letter

from addin.model import Grid, Issue
from addin.model.grid import CellError
from addin.workbook.protocol import BookUnreadable

ISSUES_SHEET = "Issues 問題"
HIGHLIGHT = (255, 199, 206)  # Excel's light red
ERROR_TEXTS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"}  # xlwings' err_to_str words
ORIGINAL_FILL = 8  # issues-sheet column (0-based) with the fill a highlighted cell had before


def _values(rng) -> list[list]:
    """Cell values as rows; Excel's error cells (xlwings gives them as text when asked) as CellError, as
    the file reader gives them."""
    rows = rng.options(ndim=2, err_to_str=True).value or []
    return [[CellError(v) if isinstance(v, str) and v in ERROR_TEXTS else v for v in row] for row in rows]


def _fill_merged(rows: list[list], sheet, first_row: int, first_col: int, rng) -> None:
    """A merged block shows one value; every cell under it means that value (as the file reader reads it).
    Only blank cells can lie inside a merged area, and most sheets have none (one call tells)."""
    if rng.merge_cells is False:
        return
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                continue
            area = sheet.range(f"{get_column_letter(first_col + c)}{first_row + r}").merge_area
            top, left = area.row - first_row, area.column - first_col
            if (top, left) != (r, c) and 0 <= top < len(rows) and 0 <= left < len(rows[top]):
                row[c] = rows[top][left]


def _colour_text(rgb) -> str:
    return "" if rgb is None else "#%02x%02x%02x" % tuple(int(v) for v in rgb)


def _colour(text):
    return tuple(int(str(text)[i : i + 2], 16) for i in (1, 3, 5)) if text else None


class XlwingsBook:
    def __init__(self, book, name: str | None = None):
        self.book = book
        self.name = name or book.name

    @property
    def folder(self) -> Path:
        return Path(self.book.fullname).parent

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def table_names(self) -> list[str]:
        return [table.name for sheet in self.book.sheets for table in sheet.tables]

    def read_sheet(self, name: str) -> Grid:
        sheet = self.book.sheets[name]
        rng = sheet.used_range
        rows = _values(rng)
        _fill_merged(rows, sheet, rng.row, rng.column, rng)
        return Grid(self.name, name, rows, rng.row, rng.column, hidden=sheet.visible not in (True, -1))

    def read_table(self, name: str) -> Grid:
        for sheet in self.book.sheets:
            for table in sheet.tables:
                if table.name == name:
                    header = table.header_row_range
                    rows = _values(header)
                    body = table.data_body_range  # None for a Table with no data rows
                    if body is not None:
                        rows += _values(body)
                    _fill_merged(rows, sheet, header.row, header.column, table.range)
                    return Grid(
                        self.name,
                        sheet.name,
                        rows,
                        header.row,
                        header.column,
                        table=name,
                        hidden=sheet.visible not in (True, -1),
                    )
        raise BookUnreadable(self.name, "sheet_missing", name)

    # --- what the buttons write (only into sheets the macro owns, and cell colours) -------------

    def status(self, text: str | None) -> None:
        self.book.app.status_bar = text if text else False

    def screen_updating(self, on: bool) -> None:
        self.book.app.screen_updating = on

    def alert(self, text: str, title: str = "backoffice") -> None:
        self.book.app.alert(text, title=title)

    def owned_sheet(self, title: str):
        """The macro's own sheet, emptied (created at the end when missing)."""
        if title in self.sheet_names():
            sheet = self.book.sheets[title]
            sheet.clear()
            return sheet
        return self.book.sheets.add(title)

    def clear_highlights(self) -> int:
        """Give the cells the previous validation coloured their own fill back (kept on its issues sheet);
        a cell the user has recoloured since is left as it is."""
        if ISSUES_SHEET not in self.sheet_names():
            return 0
        rows = self.book.sheets[ISSUES_SHEET].used_range.options(ndim=2).value or []
        names = self.sheet_names()
        restored = 0
        for row in rows[1:]:
            book, sheet, cell = row[1], row[2], row[3]
            if book != self.name or sheet not in names or not cell or len(row) <= ORIGINAL_FILL:
                continue
            target = self.book.sheets[sheet].range(cell)
            if target.color is not None and tuple(target.color) == HIGHLIGHT:
                target.color = _colour(row[ORIGINAL_FILL])
                restored += 1
        return restored

    def write_issues(self, issues: list[Issue], lang: str = "ja") -> None:
        """The issues sheet: one row per issue, a hyperlink to each cell of this book; those cells coloured,
        their own fill kept in the last column so clear_highlights can give it back."""
        sheet = self.owned_sheet(ISSUES_SHEET)
        header = (
            ["場所", "ブック", "シート", "セル", "項目", "コード", "重要度", "内容", "元の色"]
            if lang != "en"
            else ["Location", "Book", "Sheet", "Cell", "Field", "Code", "Severity", "Message", "Original fill"]
        )
        names = self.sheet_names()
        mine = [i.book == self.name and i.sheet in names and bool(i.cell) for i in issues]
        original: dict[tuple[str, str], str] = {}
        for issue, here in zip(issues, mine, strict=True):
            if here and (issue.sheet, issue.cell) not in original:
                original[(issue.sheet, issue.cell)] = _colour_text(
                    self.book.sheets[issue.sheet].range(issue.cell).color
                )
        rows = [header] + [
            [
                i.location(),
                i.book,
                i.sheet,
                i.cell,
                i.field,
                i.code,
                i.severity.value,
                i.message(lang),
                original.get((i.sheet, i.cell), "") if here else "",
            ]
            for i, here in zip(issues, mine, strict=True)
        ]
        sheet.range("A1").value = rows
        for r, (issue, here) in enumerate(zip(issues, mine, strict=True), start=2):
            if here:
                sheet.range(f"A{r}").add_hyperlink(f"#'{issue.sheet}'!{issue.cell}", text_to_display=issue.location())
                self.book.sheets[issue.sheet].range(issue.cell).color = HIGHLIGHT

    def write_table(self, title: str, header: list[str], rows: list[list]) -> None:
        self.owned_sheet(title).range("A1").value = [header] + rows

    def read_cell(self, sheet: str, address: str):
        return self.book.sheets[sheet].range(address).value
