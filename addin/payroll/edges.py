"""The legal edges of the monthly run that are not plain arithmetic of pay: 乙欄 with a 従たる給与の
扶養控除等申告書, a leaver's resident tax (一括徴収), and the 支払基礎日数 the grade reviews count."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

from addin.dates import month_end
from addin.payroll.gross import HUNDREDTHS, days_employed, hundredths, yen


def secondary_dependents(staff: pd.DataFrame, otsu: np.ndarray) -> np.ndarray:
    """扶養親族等 declared on a 従たる給与についての扶養控除等申告書, counted for 乙欄 rows only."""
    if "secondary_dependents" not in staff:
        return np.zeros(len(staff), dtype=np.int64)
    return np.where(otsu, yen(staff["secondary_dependents"]), 0)


def installments_left_after(pay_month: date) -> int:
    """Special-collection installments of the resident-tax year (June pay … May pay) still to come
    after the pay of `pay_month` (地方税法321条の5: 6月から翌年5月まで)."""
    return 5 - pay_month.month if pay_month.month <= 5 else 17 - pay_month.month


def resident_tax_on_leaving(
    staff: pd.DataFrame,
    month: date,
    paid_on: date,
    resident: np.ndarray,
    monthly: np.ndarray,
    available: np.ndarray,
    mandatory_months: tuple[int, ...] = (1, 2, 3, 4),
) -> dict[str, np.ndarray]:
    """A leaver's resident tax in the last pay (the work month holding the leave date).

    Leaving 1/1–4/30: the rest of the year's installments (through May) are collected in one sum from
    this pay, mandatory when the pay covers them (地方税法321条の5第2項ただし書). Leaving 6/1–12/31: in one
    sum only when the employee asked (`resident_tax_lump_sum`); otherwise the remaining months and
    amount are listed for the municipality (特別徴収に係る給与所得者異動届出書 → 普通徴収)."""
    leave = staff["leave_date"]
    first, last = pd.Timestamp(month), pd.Timestamp(month_end(month))
    leaving = (leave.notna() & (leave >= first) & (leave <= last)).to_numpy() & (monthly > 0)
    months_left = installments_left_after(paid_on.replace(day=1))
    remaining = monthly * months_left
    asked = (
        staff["resident_tax_lump_sum"].fillna(False).astype(bool).to_numpy()
        if "resident_tax_lump_sum" in staff
        else np.zeros(len(staff), dtype=bool)
    )
    leave_month = leave.dt.month.fillna(0).to_numpy()
    mandatory = np.isin(leave_month, list(mandatory_months))
    lump = leaving & (remaining > 0) & (mandatory | asked) & (resident + remaining <= available)
    listed = leaving & ~lump
    return {
        "resident_tax": np.where(lump, resident + remaining, resident),
        "lump_sum": lump.astype(np.int64),
        "remaining": np.where(listed, remaining, 0),
        "remaining_months": np.where(listed & (remaining > 0), months_left, 0),
    }


def payment_base_days(
    staff: pd.DataFrame, attendance: pd.DataFrame, month: date, is_hourly: np.ndarray, absence: np.ndarray, settings
) -> np.ndarray:
    """支払基礎日数 of the pay: for a monthly salary the calendar days of the pay period employed, or
    所定日数 − 欠勤日数 when absence was deducted; for hourly pay the days worked (FACTS_YEAR.md B1)."""
    days, _ = days_employed(staff["hire_date"], staff["leave_date"], month)
    scheduled = Fraction(settings.scheduled_days_per_month)
    absent = hundredths(attendance["unpaid_absence_days"])
    after_absence = (scheduled.numerator * HUNDREDTHS - absent * scheduled.denominator) // (
        scheduled.denominator * HUNDREDTHS
    )
    worked = hundredths(attendance["work_days"]) // HUNDREDTHS
    monthly = np.where(absence > 0, np.minimum(after_absence, days), days)
    return np.where(is_hourly, worked, monthly).astype(np.int64)
