"""Gross pay: base (日割り for a hire or leave mid-month), 欠勤控除, allowances, overtime premiums,
commuting allowance (non-taxable up to its legal limit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

from addin.money import floor_yen, half_up_yen, rate, scaled
from addin.dates import month_end

HUNDREDTHS = 100  # hours and days are carried as integer hundredths (15.25 h → 1525)


def hundredths(values: pd.Series) -> np.ndarray:
    """Decimal hours/days → exact integer hundredths (blank = 0). A finer value is refused, never cut: the
    Attendance schema (`decimals: 2`) reports it at its cell before any pay is computed."""
    return scaled(values, HUNDREDTHS)  # None and NaN are empty: 0


def yen(values: pd.Series) -> np.ndarray:
    return pd.array(values, dtype="Int64").fillna(0).to_numpy(dtype=np.int64)


def days_employed(hire: pd.Series, leave: pd.Series, month: date) -> tuple[np.ndarray, int]:
    """Calendar days employed in the month, and the month's length (日割り by calendar days)."""
    first, last = pd.Timestamp(month), pd.Timestamp(month_end(month))
    start = hire.where(hire > first, first)
    end = leave.where(leave.notna() & (leave < last), last)
    days = (end - start).dt.days.to_numpy() + 1
    return np.clip(days, 0, None).astype(np.int64), last.day


@dataclass(frozen=True)
class AllowanceSums:
    """Per employee, the month's allowances split the ways the law looks at them."""

    taxable: np.ndarray  # income tax (所得税法9条: the non-taxable ones are marked so)
    nontaxable: np.ndarray
    overtime_base: np.ndarray  # taxable ones counted in the overtime base (労基則21条 excludes the rest)
    expense: np.ndarray  # 実費弁償 (出張日当 …): not 報酬 / 賃金 for social and employment insurance
    recurring: np.ndarray  # paid every month (no month given) and wages: 固定的賃金 for the grade reviews


def insurance_wage_flags(current: pd.DataFrame, defaults: dict[str, str]) -> pd.Series:
    """Whether each allowance is 報酬/賃金 for social and employment insurance: the row's own answer,
    else the default for its name in rules, else yes (健保法3条5項: all paid for labour is 報酬)."""
    by_name = current["name"].map(lambda n: defaults.get(str(n)) != "expense")
    if "insurance_wage" not in current:
        return by_name.astype(bool)
    return current["insurance_wage"].where(current["insurance_wage"].notna(), by_name).astype(bool)


def allowance_sums(
    allowances: pd.DataFrame | None,
    ids: pd.Series,
    month: date,
    excluded: set[str],
    defaults: dict[str, str] | None = None,
) -> AllowanceSums:
    zero = np.zeros(len(ids), dtype=np.int64)
    if allowances is None or allowances.empty:
        return AllowanceSums(zero, zero.copy(), zero.copy(), zero.copy(), zero.copy())
    current = allowances[allowances["month"].isna() | (allowances["month"] == pd.Timestamp(month))]
    amount = pd.Series(yen(current["amount"]), index=current.index)
    taxable = current["taxable"].fillna(True).astype(bool)
    in_base = taxable & ~current["name"].isin(excluded)
    wage = insurance_wage_flags(current, defaults or {})

    def per_employee(mask):
        sums = amount[mask].groupby(current.loc[mask, "employee_id"]).sum()
        return ids.map(sums).fillna(0).to_numpy(dtype=np.int64)

    return AllowanceSums(
        per_employee(taxable),
        per_employee(~taxable),
        per_employee(in_base),
        per_employee(~wage),
        per_employee(wage & current["month"].isna()),
    )


def premium(
    hourly_numerator: np.ndarray, hourly_denominator: int, hours_x100: np.ndarray, multiplier: Fraction
) -> np.ndarray:
    """hourly base × multiplier × hours, 50銭以上切上げ for the month's total (昭和63.3.14 基発150号)."""
    numerator = hourly_numerator * multiplier.numerator * hours_x100
    return half_up_yen(numerator, hourly_denominator * multiplier.denominator * HUNDREDTHS)


def overtime_pay(
    base_for_overtime: np.ndarray,
    hourly: np.ndarray,
    is_hourly: np.ndarray,
    scheduled_hours: Fraction,
    attendance: pd.DataFrame,
    premiums: dict,
) -> dict[str, np.ndarray]:
    """割増賃金 by kind. The hourly base of a monthly salary is (base + counted allowances) ÷
    月平均所定労働時間 (労基則19条); for hourly pay it is the hourly rate."""
    den = scheduled_hours.numerator
    num = np.where(is_hourly, hourly * den, base_for_overtime * scheduled_hours.denominator)
    overtime = hundredths(attendance["overtime_hours"])
    over60 = hundredths(attendance["overtime_over60_hours"])
    up_to_60 = np.maximum(overtime - over60, 0)
    one = Fraction(1)
    # 時間外 up to and above 60 h are one kind of premium: their month's total is rounded once
    # (昭和63.3.14 基発150号: 各々の割増賃金の総額), not each part
    up, above = one + rate(premiums["overtime"]), one + rate(premiums["overtime_over60"])
    common = up.denominator * above.denominator
    overtime_hours = up_to_60 * (up.numerator * above.denominator) + over60 * (above.numerator * up.denominator)
    return {
        "overtime_pay": premium(num, den, overtime_hours, Fraction(1, common)),
        "holiday_pay": premium(num, den, hundredths(attendance["holiday_hours"]), one + rate(premiums["holiday"])),
        "late_night_pay": premium(num, den, hundredths(attendance["late_night_hours"]), rate(premiums["late_night"])),
    }


def base_pay(staff: pd.DataFrame, attendance: pd.DataFrame, month: date, scheduled_days: Fraction):
    """(base pay after 日割り, 欠勤控除) for every employee."""
    is_hourly = (staff["pay_type"] == "hourly").to_numpy()
    salary = yen(staff["base_salary"])
    days, month_days = days_employed(staff["hire_date"], staff["leave_date"], month)
    monthly = floor_yen(salary * days, month_days)  # 日割り: 1円未満切り捨て
    hours = hundredths(attendance["work_hours"])
    hourly_pay = half_up_yen(yen(staff["hourly_rate"]) * hours, HUNDREDTHS)
    absence = hundredths(attendance["unpaid_absence_days"])
    deduction = floor_yen(
        salary * absence * scheduled_days.denominator, scheduled_days.numerator * HUNDREDTHS
    )  # 欠勤控除: 1円未満切り捨て (in the employee's favour)
    return np.where(is_hourly, hourly_pay, monthly), np.where(is_hourly, 0, np.minimum(deduction, monthly))
