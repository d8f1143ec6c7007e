"""The grade reviews of a year over the payroll history (closed months, else computed from the
masters): 定時決定 and 随時改定 proposals in out/grades/YYYY/, and the nightly finding when the Staff
sheet disagrees with a result in force."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from addin.model import Issue, Severity
from addin.model.issues import exit_code, fatal
from addin.outputs.grade_review import write_grade_review
from addin.outputs.staging import staged_folder, write_private
from addin.payroll.grades import GradeTable, Review, ReviewRules, disagreements, review
from addin.rulebook import RuleNotInForce
from addin.services.company import Company
from addin.services.payroll_close import open_history
from addin.services.payroll_year import computed_months_between
from addin.services.staff_tables import StaffTables

RECORD_FIELDS = ["insurance_wage", "base_days", "fixed_pay", "standard_monthly_remuneration"]


@dataclass
class GradeRun:
    issues: list[Issue] = field(default_factory=list)
    review: Review | None = None
    folder: Path | None = None

    @property
    def exit_code(self) -> int:
        return exit_code(self.issues)


def pay_records(company: Company, tables: StaffTables, first: date, last: date) -> pd.DataFrame:
    """One row per employee and month paid between two dates: closed months from the history (the
    few figures picked out by SQLite), the other months with attendance computed now."""
    columns = ["period", "pay_date", "employee_id", *RECORD_FIELDS]
    with open_history(company.root) as history:
        closed = pd.DataFrame(
            history.figures_between(first.isoformat(), last.isoformat(), "month", RECORD_FIELDS), columns=columns
        )
    computed = [
        pd.DataFrame([[f"{month:%Y-%m}", paid, *(line.get(k) for k in columns[2:])] for line in lines], columns=columns)
        for month, paid, lines in computed_months_between(company, tables, first, last, set(closed["period"]), True)
    ]
    frame = pd.concat([closed, *computed], ignore_index=True) if computed else closed
    frame = frame[frame["insurance_wage"].notna()]  # lines closed before these figures existed cannot be reviewed
    return pd.DataFrame(
        {
            "employee_id": frame["employee_id"].astype(str),
            "pay_month": pd.to_datetime(frame["pay_date"].str[:7] + "-01"),
            "insurance_wage": frame["insurance_wage"].astype("int64"),
            "base_days": frame["base_days"].fillna(0).astype("int64"),
            "fixed_pay": frame["fixed_pay"].fillna(0).astype("int64"),
            "standard": frame["standard_monthly_remuneration"].fillna(0).astype("int64"),
        }
    )


def grade_review(company: Company, tables: StaffTables, year: int, as_of: date) -> Review:
    records = pay_records(company, tables, date(year - 1, 12, 1), min(as_of, date(year, 12, 31)))
    on = date(year, 9, 1)
    grades = company.rulebook.value("social_insurance.standard_monthly_remuneration_grades", on)
    rules = ReviewRules.of(
        company.rulebook.value("grades.base_days_minimum", on),
        company.rulebook.value("grades.zuiji_minimum_grade_change", on),
    )
    return review(records, tables.staff.frame, year, GradeTable.of(grades), rules)


def run_grade_review(
    company: Company, year: int, as_of: date, progress: Callable[[str], None] = lambda _: None
) -> GradeRun:
    run = GradeRun()
    progress("validating staff.xlsx")
    tables = StaffTables.of(company)
    run.issues = tables.stopping()  # grades proposed from a salary read as empty would be wrong grades
    if run.issues:
        return run
    try:
        progress(f"reviewing grades for {year}")
        run.review = grade_review(company, tables, year, as_of)
    except RuleNotInForce as missing:
        run.issues.append(fatal(missing.parameter.file, "rule_not_in_force", missing.message_ja, missing.message_en))
        return run
    run.folder = company.paths.grades(year)
    with staged_folder(run.folder, private=True) as tmp:
        write_grade_review(tmp / "proposal.xlsx", run.review.teiji, run.review.zuiji, year).chmod(0o600)
        data = {
            "year": year,
            "as_of": as_of.isoformat(),
            "teiji": json.loads(run.review.teiji.to_json(orient="records", force_ascii=False)),
            "zuiji": json.loads(run.review.zuiji.to_json(orient="records", force_ascii=False)),
        }
        write_private(tmp / "grades.json", json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    run.issues += grade_findings(run.review, tables, as_of)
    return run


def grade_findings(result: Review, tables: StaffTables, as_of: date) -> list[Issue]:
    """Warnings (for the person and the nightly run) where the Staff sheet's standard monthly
    remuneration disagrees with the 定時決定 / 随時改定 in force on `as_of`."""
    staff = tables.staff
    rows = {str(e): i for i, e in enumerate(staff.frame["employee_id"])}
    return [
        Issue(
            staff.book,
            staff.sheet,
            staff.cell("standard_monthly_remuneration", rows[e]),
            "standard_monthly_remuneration",
            "grade_disagrees",
            Severity.WARNING,
            f"{e}: 標準報酬月額 {sheet if sheet is not None else '空欄'} は {why} の結果 {value:,} と異なります",
            f"{e}: standard monthly remuneration {sheet} differs from the {why} result {value:,}",
        )
        for e, sheet, value, why in disagreements(result, staff.frame, as_of)
        if e in rows
    ]


def nightly_grade_findings(company: Company, as_of: date, opener: Callable | None = None) -> list[Issue]:
    """For the nightly run: the grade findings of the review year in force on `as_of` (算定 of this
    year from September, else last year's), with staff.xlsx read through `opener` (tonight's copy, or
    the book open in Excel when a button runs the night)."""
    tables = StaffTables.of(company, opener).required()  # findings past an unreadable cell would be wrong too
    year = as_of.year if as_of.month >= 9 else as_of.year - 1
    return grade_findings(grade_review(company, tables, year, as_of), tables, as_of)
