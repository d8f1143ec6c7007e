"""年末調整の過不足 in pay: which pay settles a year, what each employee gets back or pays, and the pay
with those two lines added. Pure: the adjustment's results come in as plain records (the service reads
them from the 年末調整 run's summary.json).

The month's own withholding tax is never changed: the settlement is its own line, 年末調整還付 (raises
net pay) or 年末調整徴収 (lowers it), so the year's withheld tax less refunds plus collections is the
year's tax (年調年税額) on the 源泉徴収票.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from addin.payroll.items import MONTHLY, YEAR_END_COLLECTION, YEAR_END_REFUND


@dataclass(frozen=True)
class Due:
    """What one pay settles for one employee."""

    refund: int = 0
    collection: int = 0


def settled_year(work_month: date, pay_date: date, next_pay_date: date, settlement_month: int | None) -> int | None:
    """The year whose 年末調整 this pay settles, or None. By default the last pay of a calendar year
    (the next work month is paid in a later year); `settlement_month` names the work month instead
    (1–12; its pay settles the year of that work month, e.g. 12 paid in January: 翌年1月精算)."""
    if settlement_month is not None:
        return work_month.year if work_month.month == settlement_month else None
    return pay_date.year if next_pay_date.year > pay_date.year else None


def deferred_year(pay_date: date) -> tuple[int, str] | None:
    """(year, record key) of the deferred shortfall half a January or February pay collects."""
    if pay_date.month == 1:
        return pay_date.year - 1, "deferred_january"
    if pay_date.month == 2:
        return pay_date.year - 1, "deferred_february"
    return None


def due_at_settlement(record: dict, defer: bool) -> Due:
    """One employee's line of the 年末調整 summary → what the settling pay carries.

    The refund is the whole 超過額: where the adjustment set part of it against the settling pay's own
    tax (充当, 「省略しない」), this pay still withholds that tax, so refunding the whole excess pays the
    same net. A deferrable 不足額 goes to January and February when the company defers (繰延承認)."""
    if not record.get("adjusted"):
        return Due()
    if defer and record.get("deferrable"):
        return Due(int(record.get("excess") or 0), 0)
    return Due(int(record.get("excess") or 0), int(record.get("collected") or 0))


def with_settlement(employees: pd.DataFrame, due: dict[str, Due]) -> pd.DataFrame:
    """The pay with 年末調整還付 / 年末調整徴収 for each employee (0 for those with nothing due),
    total_deductions and net_pay again from the declaration; every other figure as it was."""
    out = employees.copy()
    ids = out["employee_id"].astype(str)
    out[YEAR_END_REFUND.field] = np.array([due.get(e, Due()).refund for e in ids], dtype=np.int64)
    out[YEAR_END_COLLECTION.field] = np.array([due.get(e, Due()).collection for e in ids], dtype=np.int64)
    out["total_deductions"] = MONTHLY.total_deductions(out)
    out["net_pay"] = out["gross_pay"].to_numpy(dtype=np.int64) - out["total_deductions"].to_numpy(dtype=np.int64)
    return out
