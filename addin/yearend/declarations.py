"""From the declaration sheets' rows (canonical column names, typed values) to an EmployeeYear.

Pure: the service reads the sheets, this turns one employee's rows into the engine's input, so the
tests and the command share one path from "a person's sheets" to the adjustment.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

import pandas as pd

from addin.yearend.model import EmployeeYear, HousingCredit, Payment, Premiums, PreviousEmployer, Relative, Status

PREMIUM_KINDS = (
    "life_general_new",
    "life_general_old",
    "life_medical",
    "life_pension_new",
    "life_pension_old",
    "earthquake",
    "old_long_term",
    "social_insurance",
    "small_business",
)


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (list, tuple)) and bool(pd.isna(value)))


def _yen(value: Any) -> int:
    return 0 if _missing(value) else int(value)


def _day(value: Any) -> date | None:
    if _missing(value):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


def _birth_date(relative: dict) -> date:
    # required by the Dependents schema: a blank one is refused by validation before this runs
    day = _day(relative.get("birth_date"))
    if day is None:
        raise ValueError(f"{_text(relative.get('name'), '?')}: 生年月日がありません / birth date missing")
    return day


def _flag(value: Any) -> bool:
    return False if _missing(value) else bool(value)


def _text(value: Any, default: str = "") -> str:
    return default if _missing(value) or value == "" else str(value)


def relative_of(row: dict) -> Relative:
    return Relative(
        name=_text(row.get("name")),
        relationship=_text(row.get("relationship"), "other"),
        birth_date=_birth_date(row),
        income=_yen(row.get("estimated_income")),
        lives_together=_flag(row.get("living_together")),
        disability=_text(row.get("disability"), "none"),
        non_resident=_flag(row.get("non_resident")),
    )


def premiums_of(rows: Iterable[dict]) -> Premiums:
    sums = dict.fromkeys(PREMIUM_KINDS, 0)
    for row in rows:
        sums[row["kind"]] += _yen(row.get("amount"))
    return Premiums(**sums)


def employee_year(
    year: int,
    staff: dict,
    payments: list[Payment],
    relatives: Iterable[dict] = (),
    own: dict | None = None,
    insurance: Iterable[dict] = (),
    housing: dict | None = None,
) -> EmployeeYear:
    """One employee's year: the Staff row, the year's payments and the declaration rows of that year."""
    own = own or {}
    previous = None
    if _yen(own.get("previous_pay")):
        previous = PreviousEmployer(
            _text(own.get("previous_employer")),
            _yen(own.get("previous_pay")),
            _yen(own.get("previous_social_insurance")),
            _yen(own.get("previous_tax")),
            _day(own.get("previous_leave_date")),
        )
    status = Status(
        widow=_flag(own.get("widow")),
        single_parent=_flag(own.get("single_parent")),
        working_student=_flag(own.get("working_student")),
        disability=_text(own.get("disability"), "none"),
        other_income=_yen(own.get("other_income")),
    )
    credit = None
    if housing and _yen(housing.get("credit_amount")):
        credit = HousingCredit(
            _yen(housing.get("credit_amount")), _day(housing.get("move_in_date")), _yen(housing.get("balance")) or None
        )
    return EmployeeYear(
        employee_id=str(staff["employee_id"]),
        name=_text(staff.get("name")),
        year=year,
        tax_column=_text(staff.get("tax_column"), "甲"),
        birth_date=_day(staff.get("birth_date")),
        employment_type=_text(staff.get("employment_type"), "regular"),
        hire_date=_day(staff.get("hire_date")),
        leave_date=_day(staff.get("leave_date")),
        leave_reason=_text(own.get("leave_reason")),
        non_resident=_flag(own.get("non_resident")),
        payments=list(payments),
        previous=previous,
        relatives=[relative_of(r) for r in relatives],
        premiums=premiums_of(insurance),
        status=status,
        housing=credit,
        last_pay_tax=None if _missing(own.get("last_pay_tax")) else _yen(own.get("last_pay_tax")),
    )
