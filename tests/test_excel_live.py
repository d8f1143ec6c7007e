"""Live reader = file reader: one corpus of books (merged cells, an Excel Table with a totals row, error
cells, a hidden sheet, dates and times, an .xlsm) read through the live adapter (on the fake that
mirrors xlwings) and through the file reader gives the same tables and the same issues; and the
writes the buttons make give the user's own fills back."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from addin.model.grid import CellError
from addin.services.company import load_company
from addin.services.validation import validate_company
from addin.workbook.files import CalamineBook
from addin.workbook.live import HIGHLIGHT, XlwingsBook
from tests.fake_xlwings import FakeBook


def _live_opener(company):
    def opener(book, company_):
        path = company_.book_path(book)
        return XlwingsBook(FakeBook(path), company_.books[book].file)

    return opener


def _issues(validation):
    return sorted((i.book, i.sheet, i.cell, i.field, i.code) for i in validation.issues)


def _header(ws) -> list:
    return [c.value for c in ws[1]]


@pytest.fixture
def corpus(demo_template, tmp_path):
    """The demo company's staff book as people really keep it."""
    root = tmp_path / "co"
    shutil.copytree(demo_template, root)
    path = root / "staff.xlsx"
    wb = openpyxl.load_workbook(path)
    staff = wb["Staff 従業員"]
    dept = _header(staff).index("部署") + 1 if "部署" in _header(staff) else 4
    staff.cell(3, dept).value = staff.cell(2, dept).value
    staff.cell(3, dept).value = None  # merged down: one value shows
    staff.merge_cells(start_row=2, start_column=dept, end_row=3, end_column=dept)
    attendance = wb["Attendance 勤怠"]
    last, width = attendance.max_row, attendance.max_column
    attendance.cell(last + 1, 1).value = "合計"  # a Table's totals row
    attendance.cell(
        last + 1, width
    ).value = (
        f"=SUBTOTAL(109,{openpyxl.utils.get_column_letter(width)}2:{openpyxl.utils.get_column_letter(width)}{last})"
    )
    table = Table(displayName="Attendance", ref=f"A1:{openpyxl.utils.get_column_letter(width)}{last + 1}")
    table.totalsRowCount = 1
    attendance.add_table(table)
    memo = wb.create_sheet("Memo")
    memo.append(["メモ", dt.datetime(2026, 1, 5, 9, 30), dt.time(18, 0)])
    memo.sheet_state = "hidden"
    wb.save(path)
    return root


def test_live_and_file_readers_give_the_same_tables_and_issues(corpus):
    company = load_company(corpus)
    by_file = validate_company(company, only={"staff"})
    live = validate_company(company, _live_opener(company), only={"staff"})
    assert _issues(live) == _issues(by_file)
    assert not [
        i
        for i in _issues(live)
        if i[2].endswith(str(openpyxl.load_workbook(corpus / "staff.xlsx")["Attendance 勤怠"].max_row))
    ]  # totals row not data
    for key, table in by_file.tables.items():
        assert table.frame.equals(live.tables[key].frame), key


def test_grids_agree_on_merges_totals_hidden_sheets_and_dates(corpus, tmp_path):
    xlsm = tmp_path / "staff.xlsm"
    shutil.copyfile(corpus / "staff.xlsx", xlsm)  # an .xlsm reads the same
    for path in (corpus / "staff.xlsx", xlsm):
        file, live = CalamineBook(path), XlwingsBook(FakeBook(path))
        assert live.sheet_names() == file.sheet_names() and live.table_names() == file.table_names() == ["Attendance"]
        staff_file, staff_live = file.read_sheet("Staff 従業員"), live.read_sheet("Staff 従業員")
        dept = staff_file.rows[0].index("部署") if "部署" in staff_file.rows[0] else 3
        assert staff_live.rows[2][dept] == staff_file.rows[2][dept] == staff_file.rows[1][dept]  # merge filled
        table_file, table_live = file.read_table("Attendance"), live.read_table("Attendance")
        assert len(table_live.rows) == len(table_file.rows) and table_live.rows[-1][0] != "合計"
        assert (table_live.first_row, table_live.first_col) == (table_file.first_row, table_file.first_col)
        memo_file, memo_live = file.read_sheet("Memo"), live.read_sheet("Memo")
        assert memo_live.hidden and memo_file.hidden and not staff_live.hidden
        assert memo_live.rows[0][1] == dt.datetime(2026, 1, 5, 9, 30)
        assert memo_live.rows[0][2] == dt.datetime(1899, 12, 30, 18, 0)  # a time of day, as xlwings gives it


def test_an_error_cell_is_an_error_in_the_live_reader(corpus):
    path = corpus / "staff.xlsx"
    wb = openpyxl.load_workbook(path)
    staff = wb["Staff 従業員"]
    column = _header(staff).index("扶養親族等の数") + 1 if "扶養親族等の数" in _header(staff) else 10
    staff.cell(2, column).value = "#N/A"  # openpyxl stores it as an error cell
    wb.save(path)
    grid = XlwingsBook(FakeBook(path)).read_sheet("Staff 従業員")
    assert grid.rows[1][column - 1] == CellError("#N/A")
    company = load_company(corpus)
    live = validate_company(company, _live_opener(company), only={"staff"})
    letter = openpyxl.utils.get_column_letter(column)
    assert [i for i in live.issues if i.cell == f"{letter}2"], "an #N/A input is not read as blank"


def test_an_error_cell_gives_the_same_issue_in_both_readers(corpus):
    test_an_error_cell_is_an_error_in_the_live_reader(corpus)
    company = load_company(corpus)
    assert _issues(validate_company(company, only={"staff"})) == _issues(
        validate_company(company, _live_opener(company), only={"staff"})
    )


def test_clearing_highlights_gives_the_users_fills_back(demo_with_errors, tmp_path):
    from addin.excel import buttons

    root = tmp_path / "co"
    shutil.copytree(demo_with_errors[0], root)
    book = FakeBook(root / "staff.xlsx")
    buttons.validate_book(book)
    marked = {(s.name, k) for s in book.sheets if s.name != "Issues 問題" for k in s._colors}
    assert marked
    sheet_name, (row, col) = sorted(marked)[0]
    sheet = book.sheets[sheet_name]
    sheet._colors[(row, col)] = HIGHLIGHT
    issues = book.sheets["Issues 問題"]
    yellow = (255, 255, 0)
    # the user had filled that cell yellow before validating: validate again from a yellow cell
    for r, c in list(sheet._colors):
        sheet._colors.pop((r, c))
    sheet._colors[(row, col)] = yellow
    buttons.validate_book(book)
    assert sheet._colors[(row, col)] == HIGHLIGHT
    assert "#ffff00" in [r[8] for r in issues.used_range.options(ndim=2).value[1:]]
    message = buttons.clear_highlights(book)
    assert "解除しました" in message
    assert sheet._colors.get((row, col)) == yellow  # the user's fill, not "no fill"
    assert not any(v == HIGHLIGHT for s in book.sheets for v in s._colors.values())


def test_every_button_turns_screen_updating_off_while_it_writes_and_back_on(demo_template, tmp_path):
    from addin.excel import buttons

    root = tmp_path / "co"
    shutil.copytree(demo_template, root)
    book = FakeBook(root / "staff.xlsx")
    seen = []
    app_type = type(book.app)
    original = app_type.__setattr__

    def record(self, name, value):
        if name == "screen_updating":
            seen.append(value)
        original(self, name, value)

    app_type.__setattr__ = record
    try:
        buttons.validate_book(book)
    finally:
        app_type.__setattr__ = original
    assert seen == [False, True]


def test_reconcile_button_reconciles_the_open_books_as_they_are_in_excel(demo_template, tmp_path, monkeypatch):
    """Pressed in staff.xlsx with sales.xlsx open in the same Excel (both with Excel's own `~$` owner
    file) and vendors.xlsx open on another PC: the open books' unsaved content is what is reconciled,
    neither is copied nor waited on, and the book locked elsewhere is reported at once."""
    import json

    from addin.excel import buttons
    from addin.reconcile import run

    root = tmp_path / "co"
    shutil.copytree(demo_template, root)
    for name in ("staff.xlsx", "sales.xlsx", "vendors.xlsx"):
        (root / f"~${name}").write_bytes(b"owner")
    staff = FakeBook(root / "staff.xlsx")
    FakeBook(root / "sales.xlsx", app=staff.app)
    saved = staff.sheets["Staff 従業員"].range("I2").value
    bad = saved[:-1] + str((int(saved[-1]) + 1) % 10)  # a My Number whose check digit is wrong
    staff.set("Staff 従業員", "I2", bad)  # typed in Excel, not saved
    copied = []
    real_copy = run.consistent_copy
    monkeypatch.setattr(
        run, "consistent_copy", lambda source, *a, **k: copied.append(source.name) or real_copy(source, *a, **k)
    )
    monkeypatch.setattr("time.sleep", lambda seconds: (_ for _ in ()).throw(AssertionError(f"waited {seconds}s")))

    message = buttons.reconcile_now(staff)

    assert message.startswith("照合結果") and "Traceback" not in message
    assert "staff.xlsx" in message.splitlines()[-2] and "sales.xlsx" in message.splitlines()[-2]
    assert sorted(copied) == ["stock.xlsx", "vendors.xlsx"]  # the open books are read in Excel, not copied
    assert openpyxl.load_workbook(root / "staff.xlsx")["Staff 従業員"]["I2"].value == saved  # file unchanged
    report = json.loads(next((root / "out" / "reconcile").glob("*/report.json")).read_text(encoding="utf-8"))
    copies = {book: c["status"] for book, c in report["copies"].items()}
    assert copies == {"staff.xlsx": "live", "sales.xlsx": "live", "stock.xlsx": "ok", "vendors.xlsx": "skipped: locked"}
    validation = next(c for c in report["checks"] if c["name"] == "validation")
    assert ("staff.xlsx", "Staff 従業員", "I2") in {(f["book"], f["sheet"], f["cell"]) for f in validation["findings"]}
    shipped = next(c for c in report["checks"] if c["name"] == "shipped_not_invoiced")
    assert shipped["status"] == "findings"  # sales.xlsx (open in Excel) was read and checked, not skipped


def test_a_button_reads_the_companys_other_books_open_in_the_same_excel(demo_template, tmp_path):
    """Validate pressed in sales.xlsx while staff.xlsx is open in the same Excel with an unsaved edit:
    the edit is seen (the open book is read, not its saved file)."""
    from addin.excel import buttons

    root = tmp_path / "co"
    shutil.copytree(demo_template, root)
    sales = FakeBook(root / "sales.xlsx")
    staff = FakeBook(root / "staff.xlsx", app=sales.app)
    saved = staff.sheets["Staff 従業員"].range("I2").value
    staff.set("Staff 従業員", "I2", saved[:-1] + str((int(saved[-1]) + 1) % 10))

    message = buttons.validate_book(sales)

    assert "staff.xlsx!Staff 従業員!I2" in message
    assert openpyxl.load_workbook(root / "staff.xlsx")["Staff 従業員"]["I2"].value == saved
