"""年末調整 for a company and a year: gather the year's pay, read the declarations, adjust everyone,
write the 源泉徴収票, the list, the 給与支払報告書 data and the 法定調書合計表 figures — all or nothing.

The year's pay is every salary and bonus whose PAY date falls in the year: closed periods from the
payroll history, the others computed with the same engines as `backoffice payroll` and `bonus`
(nothing is written for them), and pay from before the product ran the payroll from `PayHistory 支給実績`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from addin.model import Issue, Severity, Table
from addin.model.issues import exit_code, fatal
from addin.outputs.withholding_slip import write_nencho_outputs
from addin.rulebook import RuleNotInForce
from addin.services.company import Company
from addin.services.payroll import PAY_SETUP_FAILURES, pay_setup_issue
from addin.services.payroll_year import payments_of_year
from addin.services.staff_tables import StaffTables
from addin.services.validation import BookOpener, open_company_book, validate_company
from addin.validate import Validation
from addin.yearend import Adjustment, EmployeeYear, Payment, YearRules, adjust
from addin.yearend.declarations import employee_year
from addin.yearend.model import RelativeClass
from addin.yearend.rules import YearRulesError

SHEETS = ("nencho_dependents", "nencho_employee", "nencho_insurance", "nencho_housing")


@dataclass
class NenchoRun:
    year: int
    issues: list[Issue] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)
    people: list[EmployeeYear] = field(default_factory=list)
    details: dict[str, dict] = field(default_factory=dict)  # employee_id → municipality, last pay …
    rules: YearRules | None = None
    folder: Path | None = None
    written: list[Path] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return exit_code(self.issues)


def _issue(
    table: Table, position: int, field_name: str, code: str, ja: str, en: str, severity: Severity = Severity.ERROR
) -> Issue:
    return Issue(table.book, table.sheet, table.cell(field_name, position), field_name, code, severity, ja, en)


def history_payments(checked: Validation, year: int) -> dict[str, list[Payment]]:
    """The `PayHistory 支給実績` sheet: pay of the year made before this product ran the payroll
    (migrated from the previous payroll software)."""
    table = checked.table("staff", "pay_history")
    out: dict[str, list[Payment]] = defaultdict(list)
    if table is None:
        return out
    for row in table.frame.to_dict("records"):
        when = pd.Timestamp(row["pay_date"]).date()
        if when.year == year:
            taxable, social, withheld = (
                _yen_or_zero(row, key) for key in ("taxable_pay", "social_insurance", "withholding_tax")
            )
            out[str(row["employee_id"])].append(Payment(when, taxable, social, withheld, str(row["kind"])))
    return out


def _yen_or_zero(row: dict, key: str) -> int:
    return 0 if pd.isna(row.get(key)) else int(row[key])


def year_payments(
    company: Company, checked: Validation, year: int, progress: Callable[[str], None]
) -> dict[str, list[Payment]]:
    """Every payment of the year by pay date: the `PayHistory 支給実績` sheet for pay made before this
    product ran the payroll, and for the rest what the payroll history closed or the masters give now
    (monthly pay and bonuses, `payments_of_year`). A pay month the sheet holds salaries for, or a
    bonus the sheet holds for that person and date, is taken from the sheet alone: never twice."""
    paid = history_payments(checked, year)
    carried_months = {(p.pay_date.year, p.pay_date.month) for pays in paid.values() for p in pays if p.kind == "salary"}
    carried_bonuses = {(emp, p.pay_date) for emp, pays in paid.items() for p in pays if p.kind != "salary"}
    progress(f"payroll history {year}")
    tables = StaffTables.from_validation(checked)  # its blocking issues stopped the run before (run_nencho)
    for pay in payments_of_year(company, year, tables):
        if pay.kind == "salary" and (pay.pay_date.year, pay.pay_date.month) in carried_months:
            continue
        if pay.kind == "bonus" and (pay.employee_id, pay.pay_date) in carried_bonuses:
            continue
        paid[pay.employee_id].append(
            Payment(pay.pay_date, pay.taxable_pay, pay.social_insurance, pay.withholding_tax, pay.kind)
        )
    return paid


def missing_pay_months(paid: dict[str, list[Payment]], year: int) -> list[Issue]:
    """A year is adjusted on all of its pay: every month from the first salary the company paid in the
    year to December must have its salaries (closed, computed from Attendance, or in PayHistory) —
    else the adjustment would settle a year that is not over, or one with a hole in it."""
    months = {
        p.pay_date.month for pays in paid.values() for p in pays if p.kind == "salary" and p.pay_date.year == year
    }
    if not months:
        return []
    missing = [m for m in range(min(months), 13) if m not in months]
    if not missing:
        return []
    listed = ", ".join(f"{year}-{m:02d}" for m in missing)
    return [
        Issue(
            "staff.xlsx",
            "Attendance 勤怠",
            "",
            "",
            "pay_months_missing",
            Severity.ERROR,
            f"{year}年分の給与がそろっていません（支給月 {listed} の給与が不明）。"
            "勤怠を入力して計算できる状態にするか、支給実績シートに入力してから年末調整してください",
            f"the pay of {year} is incomplete (no salaries known for pay months {listed}): enter their attendance "
            "or their PayHistory rows before the year-end adjustment",
        )
    ]


def _rows_of_year(checked: Validation, sheet: str, year: int) -> tuple[Table | None, pd.DataFrame]:
    table = checked.table("staff", sheet)
    if table is None:
        return None, pd.DataFrame()
    frame = table.frame
    return table, frame[frame["year"] == year]


def declaration_issues(checked: Validation, year: int, paid_ids: set[str]) -> list[Issue]:
    """A person claimed by two employees, a Staff row counting dependants nobody declared,
    declarations for someone not paid in the year."""
    issues = []
    table, rows = _rows_of_year(checked, "nencho_dependents", year)
    if table is not None and not rows.empty:
        same = rows.assign(_who=rows["name"].astype(str).str.replace(r"\s", "", regex=True))
        twice = same[same.duplicated(["_who", "birth_date"], keep=False)]
        for _, group in twice.groupby(["_who", "birth_date"]):
            if group["employee_id"].nunique() > 1:
                first = group.index[0]
                for position in group.index[1:]:
                    p = int(table.frame.index.get_loc(position))
                    issues.append(
                        _issue(
                            table,
                            p,
                            "name",
                            "claimed_twice",
                            f"{rows.at[position, 'name']} は社員 {rows.at[first, 'employee_id']} "
                            "と重複して申告されています（同じ親族を2人の控除対象にはできません）",
                            f"{rows.at[position, 'name']} is also claimed by employee {rows.at[first, 'employee_id']} "
                            "(one relative cannot be claimed twice)",
                        )
                    )
    staff = checked.table("staff", "staff")
    declared = set(rows["employee_id"].astype(str)) if table is not None else set()
    for position, (emp, count, column) in enumerate(
        zip(staff.frame["employee_id"], staff.frame["dependents"], staff.frame["tax_column"], strict=True)
    ):
        if str(emp) in paid_ids and column == "甲" and int(count or 0) > 0 and str(emp) not in declared:
            issues.append(
                _issue(
                    staff,
                    position,
                    "dependents",
                    "dependants_not_declared",
                    f"扶養親族等の数が{int(count)}人ですが、{year}年分の扶養控除等申告書に誰も申告されていません",
                    f"{int(count)} dependants on the Staff sheet but nobody declared for {year}",
                    Severity.WARNING,
                )
            )
    for sheet in SHEETS:
        table, rows = _rows_of_year(checked, sheet, year)
        for position in rows.index if table is not None else []:
            if str(rows.at[position, "employee_id"]) not in paid_ids:
                p = int(table.frame.index.get_loc(position))
                issues.append(
                    _issue(
                        table,
                        p,
                        "employee_id",
                        "not_paid_in_year",
                        f"社員 {rows.at[position, 'employee_id']} には{year}年中の給与支払がありません",
                        f"employee {rows.at[position, 'employee_id']} was not paid in {year}",
                        Severity.WARNING,
                    )
                )
    return issues


def people_of_year(
    checked: Validation, year: int, payments: dict[str, list[Payment]]
) -> tuple[list[EmployeeYear], dict]:
    staff = checked.table("staff", "staff").frame
    sheets = {s: _rows_of_year(checked, s, year)[1] for s in SHEETS}
    by_emp = {
        s: {str(k): g.to_dict("records") for k, g in rows.groupby("employee_id")} if not rows.empty else {}
        for s, rows in sheets.items()
    }
    people, details = [], {}
    for row in staff.to_dict("records"):
        emp = str(row["employee_id"])
        if emp not in payments:
            continue
        own = (by_emp["nencho_employee"].get(emp) or [None])[0]
        housing = (by_emp["nencho_housing"].get(emp) or [None])[0]
        people.append(
            employee_year(
                year,
                row,
                sorted(payments[emp], key=lambda p: p.pay_date),
                by_emp["nencho_dependents"].get(emp, []),
                own,
                by_emp["nencho_insurance"].get(emp, []),
                housing,
            )
        )
        details[emp] = {
            "municipality": (own or {}).get("municipality") or "（未登録）",
            "municipality_code": (own or {}).get("municipality_code") or "",
            "is_director": row.get("employment_type") == "director",
            "department": row.get("department"),
        }
    return people, details


def relative_warnings(checked: Validation, year: int, adjustments: list[Adjustment]) -> list[Issue]:
    """Age classes on 31 December that give no deduction: said at the relative's row."""
    table, rows = _rows_of_year(checked, "nencho_dependents", year)
    if table is None or rows.empty:
        return []
    where = {
        (str(e), str(n)): int(table.frame.index.get_loc(i))
        for i, e, n in zip(rows.index, rows["employee_id"], rows["name"], strict=True)
    }
    issues = []
    for result in adjustments:
        for rel in result.relatives:
            if rel.klass in (RelativeClass.NONE, RelativeClass.SPOUSE_NONE):
                position = where.get((result.employee_id, rel.relative.name))
                if position is not None:
                    issues.append(
                        _issue(
                            table,
                            position,
                            "estimated_income",
                            "no_deduction_for_relative",
                            f"{rel.relative.name}（12月31日現在 {rel.age}歳、所得 {rel.relative.income:,}円）"
                            "は控除の対象になりません",
                            f"{rel.relative.name} (aged {rel.age} on 31 Dec, income {rel.relative.income:,}) gives no "
                            "deduction",
                            Severity.WARNING,
                        )
                    )
    return issues


def compute_nencho(
    company: Company,
    year: int,
    opener: BookOpener = open_company_book,
    progress: Callable[[str], None] = lambda _: None,
) -> NenchoRun:
    """Everything but the files: issues, each employee's year and adjustment."""
    run = NenchoRun(year)
    try:
        rules = YearRules.for_year(company.rulebook, year)
    except RuleNotInForce as missing:
        run.issues.append(
            fatal(
                missing.parameter.file,
                "rule_not_in_force",
                f"{year}年分の年末調整の規則がありません: {missing.message_ja}",
                f"no year-end adjustment rules for {year}: {missing.message_en}",
            )
        )
        return run
    progress("validating staff.xlsx")
    checked = validate_company(company, opener, only={"staff"})
    run.issues = StaffTables.from_validation(checked).stopping()
    if run.issues:
        return run
    try:
        payments = year_payments(company, checked, year, progress)
        run.issues += missing_pay_months(payments, year)
    except PAY_SETUP_FAILURES as failure:
        run.issues.append(pay_setup_issue(failure))
        return run
    run.issues += declaration_issues(checked, year, set(payments))
    run.people, run.details = people_of_year(checked, year, payments)
    try:
        run.adjustments = [adjust(person, rules) for person in run.people]
    except YearRulesError as bad:
        run.issues.append(fatal("rules/yearend.yaml", "bad_rules", str(bad), str(bad)))
        return run
    run.issues += relative_warnings(checked, year, run.adjustments)
    run.rules = rules
    return run


def run_nencho(
    company: Company,
    year: int,
    opener: BookOpener = open_company_book,
    progress: Callable[[str], None] = lambda _: None,
) -> NenchoRun:
    run = compute_nencho(company, year, opener, progress)
    if exit_code(run.issues) or not run.adjustments:
        if not run.adjustments and not run.issues:
            run.issues.append(
                fatal(
                    "staff.xlsx",
                    "nobody_paid",
                    f"{year}年中に給与を支払った従業員がいません",
                    f"nobody was paid in {year}",
                )
            )
        return run
    run.folder = company.paths.nencho(year)
    progress(f"writing {run.folder}")
    run.written = write_nencho_outputs(run.folder, run, company.settings.get("company", {}), progress)
    return run
