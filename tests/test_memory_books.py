"""The in-memory books the engine tests use are what the .xlsx path gives: the same grids, the same
validated tables, the same issues at the same cells."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from addin.outputs.master_books import write_book
from addin.services.company import Company
from addin.services.validation import validate_company
from addin.workbook import open_book
from tests.memory_books import memory_book, validated
from tests.payroll_helpers import DAY, person

ROWS = {
    "staff": [
        person(),
        person(
            employee_id="E2", pay_type="時給", base_salary=None, hourly_rate=1234.5, leave_date=dt.date(2025, 6, 20)
        ),
        person(employee_id="E3", birth_date=dt.datetime(1980, 1, 10), standard_monthly_remuneration="三十万"),
    ],
    "attendance": [{"employee_id": "E1", "month": "2025-06", **DAY, "late_night_hours": 1.5}],
    "allowances": [{"employee_id": "E1", "name": "役職手当", "amount": 20000, "taxable": "課税"}],
}


def test_a_memory_book_is_the_written_workbook_read_back(bare_company, tmp_path):
    spec = bare_company.books["staff"]
    for lang in ("ja", "en"):
        path = write_book(tmp_path / f"staff-{lang}.xlsx", spec, ROWS, lang)
        on_disk, in_memory = open_book(path, spec.file), memory_book(spec, ROWS, lang)
        assert in_memory.sheet_names() == on_disk.sheet_names()
        for sheet in on_disk.sheet_names():
            read, held = on_disk.read_sheet(sheet), in_memory.read_sheet(sheet)
            assert (held.rows, held.first_row, held.first_col) == (read.rows, read.first_row, read.first_col), sheet


def test_validation_of_a_memory_book_matches_the_files(bare_company, tmp_path):
    root = tmp_path / "co"
    root.mkdir()
    company = Company(root, bare_company.settings, bare_company.rulebook, bare_company.books)  # its own folder
    write_book(company.book_path("staff"), company.books["staff"], ROWS)
    from_file = validate_company(company, only={"staff"})
    in_memory = validated(bare_company, {"staff": ROWS})
    assert [i.to_record("en") for i in in_memory.issues] == [i.to_record("en") for i in from_file.issues]
    assert any(i.cell == "P4" for i in in_memory.issues)  # 三十万 is not a number: located at its cell
    for key, table in from_file.tables.items():
        held = in_memory.tables[key]
        pd.testing.assert_frame_equal(held.frame, table.frame)
        assert (list(held.rows), held.columns) == (list(table.rows), table.columns)
