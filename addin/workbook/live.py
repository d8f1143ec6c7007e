"""`XlwingsBook`: the `Book` protocol over a workbook open in Excel, and the writes the buttons make.

It uses only this part of the xlwings API (tests/fake_xlwings.py implements exactly it, and a
test checks nothing else is touched):
  Book: name, fullname, sheets, app            App: status_bar, screen_updating, alert(prompt, title)
  Sheets: iteration, [name], add(name)         Sheet: name, used_range, tables, range(address), clear()
  Table: name, range                           Range: options(ndim=2).value, value, row, column,
                                                      color, add_hyperlink(address, text_to_display)
"""

from __future__ import annotations

from pathlib import Path

from addin.model import Grid, Issue
from addin.workbook.protocol import BookUnreadable

ISSUES_SHEET = "Issues 問題"
HIGHLIGHT = (255, 199, 206)     # Excel's light red


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
        rng = self.book.sheets[name].used_range
        rows = rng.options(ndim=2).value or []
        return Grid(self.name, name, [list(r) for r in rows], rng.row, rng.column)

    def read_table(self, name: str) -> Grid:
        for sheet in self.book.sheets:
            for table in sheet.tables:
                if table.name == name:
                    rng = table.range
                    return Grid(self.name, sheet.name, [list(r) for r in rng.options(ndim=2).value], rng.row,
                                rng.column, table=name)
        raise BookUnreadable(self.name, "sheet_missing", name)

    # --- what the buttons write (only into sheets the macro owns, and cell colours) -------------

    def status(self, text: str | None) -> None:
        self.book.app.status_bar = text if text else False

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
        """Uncolour the cells the previous validation coloured (listed on its issues sheet)."""
        if ISSUES_SHEET not in self.sheet_names():
            return 0
        rows = self.book.sheets[ISSUES_SHEET].used_range.options(ndim=2).value or []
        cleared = 0
        for row in rows[1:]:
            book, sheet, cell = row[1], row[2], row[3]
            if book == self.name and sheet in self.sheet_names() and cell:
                self.book.sheets[sheet].range(cell).color = None
                cleared += 1
        return cleared

    def write_issues(self, issues: list[Issue], lang: str = "ja") -> None:
        """The issues sheet: one row per issue, a hyperlink to each cell of this book; those cells coloured."""
        sheet = self.owned_sheet(ISSUES_SHEET)
        header = ["場所", "ブック", "シート", "セル", "項目", "コード", "重要度", "内容"] if lang != "en" else \
            ["Location", "Book", "Sheet", "Cell", "Field", "Code", "Severity", "Message"]
        rows = [header] + [[i.location(), i.book, i.sheet, i.cell, i.field, i.code, i.severity.value, i.message(lang)]
                           for i in issues]
        sheet.range("A1").value = rows
        names = self.sheet_names()
        for r, issue in enumerate(issues, start=2):
            if issue.book == self.name and issue.sheet in names and issue.cell:
                sheet.range(f"A{r}").add_hyperlink(f"#'{issue.sheet}'!{issue.cell}", text_to_display=issue.location())
                self.book.sheets[issue.sheet].range(issue.cell).color = HIGHLIGHT

    def write_table(self, title: str, header: list[str], rows: list[list]) -> None:
        self.owned_sheet(title).range("A1").value = [header] + rows

    def read_cell(self, sheet: str, address: str):
        return self.book.sheets[sheet].range(address).value
