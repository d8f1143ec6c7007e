"""The month's payroll: from typed Staff / Allowances / Attendance tables to each employee's slip.

Pure: no files, no Excel. Every figure is integer yen computed on numpy int64 arrays with named
roundings, so 10,000 employees take well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from addin.model import Issue, Severity, Table
from addin.money import rate
from addin.dates import add_months, month_end, pay_date as pay_date_of
from addin.payroll.edges import payment_base_days, resident_tax_on_leaving, secondary_dependents
from addin.payroll.gross import allowance_sums, base_pay, overtime_pay, yen
from addin.payroll.items import MONTHLY, Group
from addin.payroll.insurance import InsuranceRates, grade_of, insured_in, pension_base, premiums
from addin.payroll.settings import PayrollSettings
from addin.payroll.withholding import withholding_tax
from addin.rulebook import Rulebook

# the engine's lists, read from the declaration of the pay run's lines (addin/payroll/items.py)
DEDUCTIONS = MONTHLY.fields(Group.DEDUCTION, columns=())  # this month's own deductions
EARNINGS = MONTHLY.fields(Group.PAYMENT, Group.NON_TAXABLE)
EMPLOYER = MONTHLY.fields(Group.EMPLOYER)
SOCIAL = MONTHLY.pre_tax  # 社会保険料等, deducted before tax

ATTENDANCE_COLUMNS = [
    "work_days",
    "work_hours",
    "overtime_hours",
    "overtime_over60_hours",
    "late_night_hours",
    "holiday_hours",
    "unpaid_absence_days",
]


@dataclass
class Payroll:
    month: date  # the work month (attendance, 締め)
    pay_date: date
    premium_month: date  # the month whose social-insurance premiums this pay collects
    employees: pd.DataFrame  # one row per employee paid, every figure integer yen
    issues: list[Issue] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return MONTHLY.totals(self.employees)


def _issue(table: Table, position: int, field_name: str, code: str, ja: str, en: str, severity=Severity.ERROR) -> Issue:
    return Issue(table.book, table.sheet, table.cell(field_name, position), field_name, code, severity, ja, en)


def active_in(staff: pd.DataFrame, month: date) -> pd.Series:
    first, last = pd.Timestamp(month), pd.Timestamp(month_end(month))
    return (staff["hire_date"] <= last) & (staff["leave_date"].isna() | (staff["leave_date"] >= first))


def _attendance_for(staff: pd.DataFrame, attendance: pd.DataFrame, month: date) -> tuple[pd.DataFrame, np.ndarray]:
    this_month = attendance[attendance["month"] == pd.Timestamp(month)].drop_duplicates("employee_id")
    joined = staff[["employee_id"]].merge(this_month, on="employee_id", how="left")
    present = joined["work_hours"].notna().to_numpy()
    return joined, present


def compute_payroll(
    staff_table: Table,
    attendance_table: Table,
    allowances_table: Table | None,
    month: date,
    rules: Rulebook,
    settings: PayrollSettings,
) -> Payroll:
    month = month.replace(day=1)
    paid_on = pay_date_of(month, settings.pay_day, settings.pay_months_later, settings.pay_day_holiday)
    pay_month = paid_on.replace(day=1)
    premium_month = add_months(pay_month, -1) if settings.premium_collection == "next_month" else pay_month

    everyone = staff_table.frame
    active = active_in(everyone, month).to_numpy()
    positions = np.flatnonzero(active)
    staff = everyone.iloc[positions].reset_index(drop=True)
    attendance, present = _attendance_for(staff, attendance_table.frame, month)
    issues = _check_inputs(staff_table, positions, staff, present, month)
    for column in ATTENDANCE_COLUMNS:
        attendance[column] = attendance[column].where(attendance[column].notna(), None)
    is_hourly = (staff["pay_type"] == "hourly").to_numpy()
    excluded = set(rules.value("payroll.overtime_base_excluded_allowances", paid_on))
    allowances = allowances_table.frame if allowances_table is not None else None
    sums = allowance_sums(
        allowances, staff["employee_id"], month, excluded, rules.value("payroll.allowance_insurance_default", paid_on)
    )
    taxable_allow, nontaxable_allow = sums.taxable, sums.nontaxable

    director = (staff["employment_type"] == "director").to_numpy()
    base, absence = base_pay(staff, attendance, month, rate(settings.scheduled_days_per_month))
    # a director's pay is 定期同額給与 (法人税法34条1項1号): no 欠勤控除 unless the company chooses it
    absence = np.where(director & (not settings.director_absence_deduction), 0, absence)
    overtime = overtime_pay(
        yen(staff["base_salary"]) + sums.overtime_base,
        yen(staff["hourly_rate"]),
        is_hourly,
        rate(settings.scheduled_hours_per_month),
        attendance,
        rules.value("payroll.overtime_premium", paid_on),
    )
    # directors are not workers under the Labour Standards Act: no overtime premiums (労基法9条, 41条)
    overtime = {kind: np.where(director, 0, pay) for kind, pay in overtime.items()}
    commute = yen(staff["commute_allowance"])
    commute_free = np.minimum(commute, int(rules.value("payroll.commute_nontaxable_limit", paid_on)))
    gross = base - absence + taxable_allow + nontaxable_allow + commute + sum(overtime.values())
    taxable_gross = gross - nontaxable_allow - commute_free

    grades = rules.value("social_insurance.standard_monthly_remuneration_grades", premium_month)
    rates = InsuranceRates.on(rules, settings, premium_month, paid_on)
    given = pd.array(staff["standard_monthly_remuneration"], dtype="Int64")
    # 報酬 / 賃金 for social and employment insurance: everything paid for labour, taxable or not
    # (通勤手当 included), except expense reimbursements such as 出張日当 (健保法3条5項, 雇保法4条4項)
    wage_allowances = taxable_allow + nontaxable_allow - sums.expense
    monthly_pay = np.where(is_hourly, base, yen(staff["base_salary"])) + wage_allowances + commute
    health_base = np.where(pd.isna(given), grade_of(monthly_pay, grades), given.fillna(0).to_numpy(dtype=np.int64))
    insured = insured_in(staff, premium_month)
    insurance_wage = gross - sums.expense
    ei_base = insurance_wage
    shares = premiums(
        health_base,
        pension_base(health_base, grades, rates.pension_cap),
        ei_base,
        staff["employment_insurance"].fillna(False).astype(bool).to_numpy(),
        insured,
        rates,
    )

    social = sum(shares[k] for k in SOCIAL)
    taxable_amount = np.maximum(taxable_gross - social, 0)
    otsu = (staff["tax_column"] == "乙").to_numpy()
    tax = withholding_tax(
        rules,
        paid_on,
        taxable_amount,
        yen(staff["dependents"]),
        otsu,
        settings.withholding_method == "computer",
        secondary_dependents(staff, otsu),
    )
    june = yen(staff["resident_tax_june"])
    resident = np.where((paid_on.month == 6) & (june > 0), june, yen(staff["resident_tax_monthly"]))
    leavers = resident_tax_on_leaving(
        staff,
        month,
        paid_on,
        resident,
        yen(staff["resident_tax_monthly"]),
        gross - social - tax,
        tuple(rules.value("resident_tax.mandatory_lump_sum_leave_months", paid_on)),
    )
    resident = leavers["resident_tax"]

    result = pd.DataFrame(
        {
            "employee_id": staff["employee_id"],
            "name": staff["name"],
            "department": staff["department"],
            "pay_type": staff["pay_type"],
            "tax_column": staff["tax_column"],
            "dependents": yen(staff["dependents"]),
            "standard_monthly_remuneration": np.where(insured["health"] | insured["pension"], health_base, 0),
            "base_pay": base,
            "absence_deduction": absence,
            "taxable_allowances": taxable_allow,
            "nontaxable_allowances": nontaxable_allow,
            **overtime,
            "commute_allowance": commute,
            "gross_pay": gross,
            **shares,
            "withholding_tax": tax,
            "resident_tax": resident,
            "resident_tax_lump_sum": leavers["lump_sum"],
            "resident_tax_remaining": leavers["remaining"],
            "resident_tax_remaining_months": leavers["remaining_months"],
            "taxable_pay": taxable_gross,
            "social_insurance": social,
            "fixed_pay": np.where(is_hourly, yen(staff["hourly_rate"]), yen(staff["base_salary"]))
            + sums.recurring
            + commute,
            "insurance_wage": insurance_wage,
            "base_days": payment_base_days(staff, attendance, month, is_hourly, absence, settings),
        }
    )
    result["taxable_amount"] = taxable_amount
    result["total_deductions"] = MONTHLY.total_deductions(result)
    result["net_pay"] = result["gross_pay"] - result["total_deductions"]
    for column in ATTENDANCE_COLUMNS:
        result[column] = attendance[column].to_numpy()
    for column in ["bank_code", "branch_code", "account_type", "account_number", "account_holder_kana"]:
        result[column] = staff[column].to_numpy()
    result["source_row"] = staff_table.rows[positions]
    # an hourly employee with no attendance has no pay yet: no_attendance is the cause, reported once
    negative = (result["net_pay"].to_numpy() < 0) & ~(is_hourly & ~present)
    issues += [
        _issue(
            staff_table,
            int(p),
            "base_salary",
            "negative_net_pay",
            "差引支給額がマイナスになります",
            "net pay would be negative",
        )
        for p in positions[negative]
    ]
    return Payroll(month, paid_on, premium_month, result, issues)


def _check_inputs(
    staff_table: Table, positions: np.ndarray, staff: pd.DataFrame, present: np.ndarray, month: date
) -> list[Issue]:
    """What stops a payroll: nowhere to pay the money, or no hours for hourly pay (`present`: has attendance)."""
    issues = []
    no_bank = staff[["bank_code", "branch_code", "account_number"]].isna().any(axis=1).to_numpy()
    for p in positions[no_bank]:
        issues.append(
            _issue(
                staff_table,
                int(p),
                "bank_code",
                "no_bank_account",
                "振込先の口座が登録されていません（銀行コード・支店コード・口座番号）",
                "no bank account to pay into (bank, branch, account number)",
            )
        )
    hourly = (staff["pay_type"] == "hourly").to_numpy()
    for p in positions[hourly & ~present]:
        issues.append(
            _issue(
                staff_table,
                int(p),
                "employee_id",
                "no_attendance",
                f"時給の従業員に {month:%Y-%m} の勤怠がありません",
                f"hourly employee has no attendance for {month:%Y-%m}",
            )
        )
    return issues
