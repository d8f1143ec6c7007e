"""Edges the type checker found in the pure engines: each was a silent wrong value before."""

from __future__ import annotations

from decimal import Decimal

import pytest

from addin.receivables.statement import StatementError
from addin.receivables.zengin import parse_zengin
from addin.yearend.declarations import relative_of


def test_a_zengin_file_of_only_an_end_record_is_refused_not_an_empty_statement():
    # before: parse_zengin returned None and the import failed later without a location
    with pytest.raises(StatementError) as raised:
        parse_zengin(b"9" + b" " * 199 + b"\r\n")
    assert raised.value.code == "no_header"


def test_a_relative_without_a_birth_date_is_refused_with_the_name():
    with pytest.raises(ValueError, match="山田 花子"):
        relative_of({"name": "山田 花子", "relationship": "child", "birth_date": None})


def test_hours_finer_than_hundredths_are_reported_at_the_cell_not_cut(tmp_path):
    # before: 10.333 overtime hours were cut to 10.33 without a word (int(v * 100))
    from datetime import date

    from addin.services.payroll import run_payroll
    from addin.services.validation import validate_company
    from tests.payroll_helpers import DAY, company_with, person

    company = company_with(
        tmp_path,
        [person()],
        [{"employee_id": "E1", "month": date(2025, 4, 1), **DAY, "overtime_hours": 10.333}],
    )
    issues = [i for i in validate_company(company, only={"staff"}).issues if i.code == "too_many_decimals"]
    assert [(i.sheet, i.field, i.value) for i in issues] == [("Attendance 勤怠", "overtime_hours", "10.333")]
    assert "小数点以下 2 桁" in issues[0].message_ja
    assert issues[0].cell == "E2"  # employee, month, days, hours, overtime
    run = run_payroll(company, date(2025, 4, 1))  # an error in the book: no pay computed from it
    assert run.exit_code == 1 and run.payroll is None and run.folder is None


def test_hundredths_refuse_what_they_cannot_keep():
    import pandas as pd

    from addin.payroll.gross import hundredths

    assert hundredths(pd.Series([Decimal("7.29"), None, 3])).tolist() == [729, 0, 300]
    with pytest.raises(ValueError, match="more decimals"):
        hundredths(pd.Series([Decimal("7.295")]))
