"""Real workbooks (issue #11, reader items of #12): the demo staff book rewritten the way offices and
tools write it. Each gives the plain demo's payroll figures, or a refusal naming the cell — never a
silent difference."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.table import Table as ExcelTable
from stdnum.jp import in_ as my_number

from addin.cli import main
from addin.workbook.recalc import soffice
from tests.reader_corpus import (
    ATTENDANCE,
    STAFF,
    cells_of,
    edit,
    error_cell,
    figures,
    figures_within_room,
    payroll_book,
    replace_cells,
    write_ods,
)


@pytest.fixture(scope="module")
def plain(demo_template):
    rows, blocking, _ = figures(demo_template)
    assert blocking == [] and len(rows) > 40
    assert sum(r["commute_allowance"] for r in rows) > 0 and sum(r["overtime_pay"] for r in rows) > 0
    return rows


@pytest.fixture(scope="module")
def payroll_company(demo_template, tmp_path_factory):
    """The demo company with the staff book a month's payroll reads (reader_corpus.payroll_book)."""
    root = tmp_path_factory.mktemp("payroll-books") / "co"
    shutil.copytree(demo_template, root)
    payroll_book(demo_template / "staff.xlsx", root / "staff.xlsx")
    return root


@pytest.fixture
def staff(payroll_company, tmp_path):
    """A private copy of that book, in a company of its own, for a test to rewrite."""
    return shutil.copytree(payroll_company, tmp_path / "company") / "staff.xlsx"


def test_the_payroll_book_pays_as_the_whole_demo_book(payroll_company, plain):
    assert figures(payroll_company) == (plain, [], [])


def codes(issues):
    return {(i.sheet, i.cell, i.code) for i in issues}


# --- every column accounted for -----------------------------------------------------------------


def test_units_and_notes_in_brackets_are_the_same_column(staff, plain):
    def rename(wb):
        ws, att = wb[STAFF], wb[ATTENDANCE]
        ws["M1"], ws["T1"], ws["K1"] = "通勤手当（月額）", "住民税(円)", "基本給 [円]"
        att["E1"], att["D1"] = "時間外労働時間【h】", "勤務時間（時間）"

    rows, blocking, issues = figures(edit(staff, rename))
    assert blocking == [] and rows == plain
    assert not [i for i in issues if i.code.startswith("unknown")]


@pytest.mark.parametrize(
    "sheet,cell,title", [(STAFF, "M1", "通勤費"), (STAFF, "T1", "住民税（特徴）額"), (ATTENDANCE, "E1", "残業")]
)
def test_an_unknown_money_header_stops_payroll_at_its_cell(staff, sheet, cell, title):
    rows, blocking, _ = figures(edit(staff, lambda wb: wb[sheet].__setitem__(cell, title)))
    assert rows is None
    unknown = [i for i in blocking if i.code == "unknown_money_column"]
    assert [(i.sheet, i.cell) for i in unknown] == [(sheet, cell)]
    assert "ignore_columns" in unknown[0].message_ja and "aliases" in unknown[0].message_en


def test_the_unknown_header_names_its_closest_column(staff):
    _, blocking, _ = figures(edit(staff, lambda wb: wb[STAFF].__setitem__("M1", "通勤費")))
    issue = next(i for i in blocking if i.code == "unknown_money_column")
    assert issue.field == "commute_allowance" and "通勤手当" in issue.message_ja


def test_an_unknown_plain_header_is_a_warning_and_pays_the_same(staff, plain):
    def add(wb):
        wb[STAFF]["AK1"] = "備考"
        wb[STAFF]["AK2"] = "メモ"

    rows, blocking, issues = figures(edit(staff, add))
    assert rows == plain and ("Staff 従業員", "AK1", "unknown_column") in codes(issues)


def test_a_money_column_the_company_ignores_in_its_rules(staff, plain):
    edit(staff, lambda wb: (wb[STAFF].__setitem__("AK1", "社内積立金"), wb[STAFF].__setitem__("AK2", 5000)))
    assert figures(staff)[0] is None
    rules = staff.parent / "rules"
    rules.mkdir()
    (rules / "staff.yaml").write_text(
        "workbooks:\n  staff:\n    sheets:\n      staff:\n        ignore_columns: [社内積立金]\n", encoding="utf-8"
    )
    rows, blocking, issues = figures(staff)
    assert rows == plain and not [i for i in issues if i.cell == "AK1"]


def test_two_columns_for_one_field_are_an_issue(staff):
    def dup(wb):
        wb[STAFF]["AK1"] = "従業員番号"
        wb[STAFF]["AK2"] = "X1"

    _, blocking, _ = figures(edit(staff, dup))
    assert ("Staff 従業員", "AK1", "duplicate_column") in codes(blocking)


# --- error cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell,value",
    [("M3", "#N/A"), ("K2", "#REF!"), ("M4", "#SPILL!"), ("T5", "#CALC!"), ("K6", "#BUSY!"), ("P7", "#GETTING_DATA")],
)
def test_an_error_value_in_a_used_column_is_located(staff, cell, value):
    # the demo fills these cells already (replace_cells asserts it): no openpyxl round trip needed first
    rows, blocking, _ = figures(replace_cells(staff, STAFF, {cell: error_cell(cell, value)}))
    assert rows is None
    assert [(i.cell, i.code, i.value) for i in blocking if i.code == "error_value"] == [(cell, "error_value", value)]
    assert not [i for i in blocking if i.cell == cell and i.code in ("required", "required_when")]


def test_excel_365_errors_in_an_unused_column_say_nothing(staff, plain):
    edit(staff, lambda wb: [wb[STAFF].__setitem__(f"AM{r}", 1) for r in (2, 3)])
    replace_cells(staff, STAFF, {"AM2": error_cell("AM2", "#SPILL!"), "AM3": error_cell("AM3", "#FIELD!")})
    rows, blocking, issues = figures(staff)
    assert rows == plain and not [i for i in issues if i.cell.startswith("AM")]


def test_nan_and_infinity_are_not_empty(staff):
    replace_cells(staff, STAFF, {"I3": '<c r="I3"><v>NaN</v></c>', "K4": '<c r="K4"><v>inf</v></c>'})
    _, blocking, _ = figures(staff)
    assert {("Staff 従業員", "I3", "error_value"), ("Staff 従業員", "K4", "error_value")} <= codes(blocking)


# --- formulas without a saved result ------------------------------------------------------------


def test_a_formula_never_calculated_stops_payroll_with_exit_2(staff, capsys):
    edit(staff, lambda wb: [wb[ATTENDANCE].__setitem__(f"E{r}", "=10+5") for r in (2, 3, 4)])
    rows, blocking, _ = figures(staff)
    assert rows is None
    fatal = [i for i in blocking if i.code == "formula_not_cached"]
    assert [(i.sheet, i.cell, i.field, i.value) for i in fatal] == [(ATTENDANCE, "E2", "overtime_hours", "3")]
    assert "--recalculate" in fatal[0].message_en and fatal[0].severity.value == "fatal"
    assert main(["payroll", str(staff.parent), "--month", "2026-03"]) == 2
    assert "--recalculate" in capsys.readouterr().out


def test_xlsxwriters_placeholder_zero_is_not_a_result(staff, tmp_path):
    frames = pd.read_excel(staff, sheet_name=None, engine="openpyxl")
    with pd.ExcelWriter(staff, engine="xlsxwriter") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False)
        writer.sheets[ATTENDANCE].write_formula("E2", "=10+5")  # saved as 0 until Excel opens it
    _, blocking, _ = figures(staff)
    assert ("Attendance 勤怠", "E2", "formula_not_cached") in codes(blocking)


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_recalculate_reads_the_formulas_result(staff, capsys):
    value = openpyxl.load_workbook(staff)[ATTENDANCE]["E2"].value
    edit(staff, lambda wb: wb[ATTENDANCE].__setitem__("E2", f"={value}+0"))
    before = staff.read_bytes()
    assert main(["validate", str(staff.parent)]) == 2
    assert main(["validate", str(staff.parent), "--recalculate"]) == 0
    assert staff.read_bytes() == before


# --- header and data rows -------------------------------------------------------------------------


def test_title_and_group_rows_above_the_header(staff, plain):
    def titles(wb):
        ws = wb[STAFF]
        ws.insert_rows(1, 2)
        ws["A1"] = "2026年3月 社員名簿（株式会社デモ）"
        ws["A2"], ws["J2"] = "基本情報", "給与"
        ws.merge_cells("A2:H2")
        ws.merge_cells("J2:P2")

    rows, blocking, _ = figures(edit(staff, titles))
    assert blocking == [] and rows == plain


def test_no_header_names_the_rows_tried(staff):
    def scramble(wb):
        ws = wb[ATTENDANCE]
        for cell in ws[1]:
            cell.value = f"列{cell.column}"

    _, blocking, _ = figures(edit(staff, scramble))
    issue = next(i for i in blocking if i.sheet == ATTENDANCE)
    assert issue.code == "header_not_found" and "1–30" in issue.message_en
    assert issue.cell == "A1" and "row 1: '列1" in issue.message_en


def test_a_table_with_its_default_name_is_used(staff, plain):
    def table(wb):
        ws = wb[STAFF]
        ws.title = "名簿"
        ws.insert_rows(1, 3)
        ws["A1"] = "社員名簿"
        ws.add_table(ExcelTable(displayName="Table1", ref="A4:Z54"))

    rows, blocking, _ = figures(edit(staff, table))
    assert blocking == [] and rows == plain


def test_two_sheets_that_could_be_staff(staff):
    def copy(wb):
        wb.copy_worksheet(wb[STAFF]).title = "従業員"

    _, blocking, _ = figures(edit(staff, copy))
    assert [(i.code, i.severity.value) for i in blocking] == [("sheet_ambiguous", "fatal")]
    assert "従業員" in blocking[0].message_en and "Staff 従業員" in blocking[0].message_en


@pytest.mark.parametrize("label", ["合計", "小計", "Total", "計", None])
def test_a_totals_row_ends_the_data(staff, plain, label):
    def totals(wb):
        ws = wb[STAFF]
        if label:
            ws["A53"] = label
        for col in "KLMT":
            ws[f"{col}53"] = f"=SUM({col}2:{col}51)"
        ws["B55"] = "※ 通勤手当は月額"
        ws["AK56"] = "作成: 総務部"  # under a column no schema knows

    rows, blocking, issues = figures(edit(staff, totals))
    assert blocking == [] and rows == plain
    notes = [i for i in issues if i.code == "notes_ignored"]
    assert [(i.cell, i.value) for i in notes] == [("B55", "2")]


# --- codes, dates, writers ------------------------------------------------------------------------


def test_my_number_typed_as_a_number_is_padded_and_said(staff, plain):
    body = "01234567890"
    number = body + my_number.calc_check_digit(body)
    edit(staff, lambda wb: wb[STAFF].__setitem__("I4", int(number)))
    rows, blocking, issues = figures(staff)
    assert rows == plain
    assert ("Staff 従業員", "I4", "code_padded") in codes(issues)
    padded = next(i for i in issues if i.code == "code_padded")
    assert number not in padded.message_ja  # personal data stays masked


def test_wareki_and_1904_dates(staff, plain):
    def wareki(wb):
        ws = wb[STAFF]
        for row in ws.iter_rows(min_row=2, min_col=6, max_col=7):
            for cell in row:
                day = cell.value.date() if isinstance(cell.value, datetime) else cell.value
                era, start = (
                    ("令和", 2018)
                    if day >= date(2019, 5, 1)
                    else ("平成", 1988)
                    if day >= date(1989, 1, 8)
                    else ("昭和", 1925)
                )
                cell.value = f"{era}{day.year - start}年{day.month}月{day.day}日"

    assert figures(edit(staff, wareki))[0] == plain
    wb = openpyxl.load_workbook(staff)
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.save(staff)
    assert figures(staff)[0] == plain


@pytest.mark.parametrize("typed", [datetime(9999, 12, 31), "9999/12/31", 2958465, "2300-01-01", "1600-01-01"])
def test_a_far_date_is_refused_at_its_cell_not_read_as_another_century(staff, typed):
    """9999/12/31 is how many offices write "no end"; a nanosecond timestamp cannot hold it, and it used to
    wrap silently to 1816-03-29: a leave date before the hire date, a person dropped from the payroll."""
    rows, blocking, _ = figures(edit(staff, lambda wb: wb[STAFF].__setitem__("H4", typed)))
    assert rows is None
    assert [(i.sheet, i.cell, i.code) for i in blocking] == [(STAFF, "H4", "date_out_of_range")]
    assert "空欄" in blocking[0].message_ja and "open-ended" in blocking[0].message_en


@pytest.mark.parametrize("typed", [1e25, "99999999999999999999", -(2**63) - 1])
def test_a_number_too_large_for_a_yen_column_is_refused_at_its_cell(staff, typed):
    """It used to stop the whole validation with an unlocated "a number is out of range"."""
    rows, blocking, _ = figures(edit(staff, lambda wb: wb[STAFF].__setitem__("K3", typed)))
    assert rows is None
    assert [(i.sheet, i.cell, i.code) for i in blocking] == [(STAFF, "K3", "number_out_of_range")]


def test_a_pandas_round_trip_with_shared_strings(staff, plain):
    """The demo is an inline-string book (as Google Sheets and openpyxl write); pandas writes shared strings."""

    def parts(path):
        with zipfile.ZipFile(path) as zf:
            return zf.namelist(), zf.read("xl/worksheets/sheet1.xml")

    names, sheet = parts(staff)
    assert b't="inlineStr"' in sheet and "xl/sharedStrings.xml" not in names
    frames = pd.read_excel(staff, sheet_name=None, dtype=object, engine="openpyxl")
    with pd.ExcelWriter(staff, engine="xlsxwriter") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    assert "xl/sharedStrings.xml" in parts(staff)[0]
    rows, blocking, _ = figures(staff)
    assert blocking == [] and rows == plain


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_a_book_saved_by_libreoffice(staff, plain, tmp_path):
    profile = f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"  # its own: tests run side by side
    subprocess.run(
        [soffice(), profile, "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(staff)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    shutil.copyfile(tmp_path / "staff.xlsx", staff)
    assert figures(staff)[0] == plain


# --- formats and files ----------------------------------------------------------------------------


def test_a_book_kept_as_xlsm_is_found_and_named(staff, plain, capsys):
    staff.rename(staff.with_suffix(".xlsm"))
    assert figures(staff.parent)[0] == plain
    shutil.copyfile(staff.with_suffix(".xlsm"), staff)
    assert main(["validate", str(staff.parent), "--format", "json"]) == 2
    issues = json.loads(capsys.readouterr().out)["issues"]
    assert [(i["code"], i["book"]) for i in issues] == [("book_ambiguous", "staff.xlsx")]
    assert "staff.xlsm" in issues[0]["message_en"] and "staff.xlsx" in issues[0]["message_en"]


def test_an_ods_book_is_found_by_stem_and_warns_that_errors_are_unseen(staff, plain):
    write_ods(staff, staff.with_suffix(".ods"))
    staff.unlink()
    rows, blocking, issues = figures(staff.parent)
    assert blocking == [] and rows == plain
    import python_calamine
    from addin.services.company import load_company

    known = {name for sheet in load_company(staff.parent).books["staff"].sheets.values() for name in sheet.names}
    every_sheet = [
        s for s in python_calamine.CalamineWorkbook.from_path(str(staff.with_suffix(".ods"))).sheet_names if s in known
    ]  # the data sheets, not the Control sheet of the buttons
    assert {STAFF, "Allowances 手当", ATTENDANCE} <= set(every_sheet)
    assert {(i.book, i.sheet, i.code) for i in issues} == {("staff.ods", s, "errors_unseen") for s in every_sheet}
    (staff.parent / "staff.ods").rename(staff)  # an .ods saved under the name staff.xlsx
    assert figures(staff.parent)[0] == plain


def test_an_ods_renamed_xlsx_and_other_formats_get_a_located_message(staff, capsys):
    staff.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # an OLE header, no workbook inside
    assert main(["validate", str(staff.parent), "--format", "json"]) == 2
    out = capsys.readouterr()
    issues = json.loads(out.out)["issues"]
    assert [(i["book"], i["code"]) for i in issues] == [("staff.xlsx", "book_unreadable")]
    assert "damaged" in issues[0]["message_en"] and "Traceback" not in out.err


def test_a_native_panic_is_a_located_exit_2(staff, monkeypatch, capsys):
    """calamine panics: openpyxl reads the book instead; both fail: a located exit 2."""
    import openpyxl as openpyxl_module
    import addin.workbook.files as files

    class Panic(BaseException):  # what pyo3 raises for a Rust panic: not an Exception
        pass

    class Exploding:
        @staticmethod
        def from_path(*_):
            raise Panic("called `Option::unwrap()` on a `None` value")

        from_filelike = from_path

    monkeypatch.setattr(files.calamine, "CalamineWorkbook", Exploding)
    assert main(["validate", str(staff.parent), "--format", "json"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(openpyxl_module, "load_workbook", Exploding.from_path)
    assert main(["validate", str(staff.parent), "--format", "json"]) == 2
    issues = json.loads(capsys.readouterr().out)["issues"]
    assert ("staff.xlsx", "book_unreadable") in {(i["book"], i["code"]) for i in issues}


def test_a_fifo_does_not_hang(demo_copy):
    (demo_copy / "staff.xlsx").unlink()
    os.mkfifo(demo_copy / "staff.xlsx")
    done = subprocess.run(
        [sys.executable, "-m", "addin.cli.main", "validate", str(demo_copy)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "staff.xlsx" in done.stdout and "regular file" in done.stdout


def test_stray_far_cells_cost_little_and_are_reported(staff, plain):
    """A value at XFD100000 and a space in row 1,048,576: read under an address-space limit (READER_ROOM)
    (the whole rectangle would need tens of gigabytes), same figures, the value reported."""

    def stray(wb):
        wb[ATTENDANCE].cell(row=100_000, column=16_384, value="メモ")
        wb[STAFF].cell(row=1_048_576, column=1, value=" ")

    edit(staff, stray)
    rows, issues = figures_within_room(staff.parent)
    assert rows == plain
    assert [i[:4] for i in issues] == [(ATTENDANCE, "XFD100000", "outside_data", "warning")]


def test_a_sheet_reaching_the_last_row_is_still_refused(staff):
    edit(staff, lambda wb: wb[ATTENDANCE].cell(row=1_048_576, column=1, value="E00001"))
    _, blocking, _ = figures(staff)
    assert ("Attendance 勤怠", "A1048576", "sheet_full") in codes(blocking)


def test_every_issue_of_the_corpus_names_a_cell_or_a_book(staff):
    edit(staff, lambda wb: (wb[STAFF].__setitem__("M1", "通勤費"), wb[ATTENDANCE].__setitem__("E2", "=1+1")))
    _, blocking, _ = figures(staff)
    assert blocking and all(i.book == "staff.xlsx" and i.sheet and i.cell for i in blocking)
    assert cells_of(blocking) >= {"Staff 従業員!M1", "Attendance 勤怠!E2"}


@pytest.mark.parametrize(
    "case,expected",
    [
        ("malformed_ref", ("Staff 従業員", "", "book_unreadable", "fatal")),
        ("XFD1048575", ("Attendance 勤怠", "XFD1048575", "outside_data", "warning")),
        ("table_to_the_last_cell", None),
    ],
)
def test_hostile_extents_cost_little(demo_copy, plain, case, expected):
    """Each used to abort every command; now read under an address-space limit (READER_ROOM): the same
    figures with the stray cell reported, or a located refusal."""
    rows, issues = figures_within_room(demo_copy, case)
    if expected is None or expected[3] == "warning":
        assert rows == plain
    assert [tuple(i[:4]) for i in issues] == ([expected] if expected else [])
    if case == "malformed_ref":
        assert "ZZZZZ2" in issues[0][4]


def test_infinity_in_a_date_or_money_cell_is_located(staff):
    replace_cells(staff, STAFF, {"F3": '<c r="F3"><v>-inf</v></c>', "K5": '<c r="K5"><v>1e309</v></c>'})
    _, blocking, _ = figures(staff)
    assert {("Staff 従業員", "F3", "error_value"), ("Staff 従業員", "K5", "error_value")} <= codes(blocking)


def test_furigana_runs_are_not_part_of_the_name(staff, plain):
    from addin.services.company import load_company
    from addin.services.validation import validate_company

    name = openpyxl.load_workbook(staff)[STAFF]["B2"].value
    replace_cells(
        staff,
        STAFF,
        {
            "B2": f'<c r="B2" t="inlineStr"><is><t>{name}</t><rPh sb="0" eb="1"><t>ハヤシ</t></rPh>'
            f'<phoneticPr fontId="1"/></is></c>'
        },
    )
    assert figures(staff)[0] == plain
    typed = validate_company(load_company(staff.parent), only={"staff"}).table("staff", "staff")
    assert typed.frame["name"].iloc[0] == name


def test_a_running_sum_in_a_data_row_is_data(staff, plain):
    """A row holding its employee's number is data, even with a SUM of the rows above in it."""
    edit(staff, lambda wb: wb[STAFF].__setitem__("AK5", "=SUM(K2:K4)"))
    rows, _, issues = figures(staff)
    assert rows == plain and not [i for i in issues if i.code == "notes_ignored"]
