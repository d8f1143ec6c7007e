"""The payroll year, pure: each payment of a calendar year per employee, and how a recomputed
period differs from what was closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from addin.payroll.items import MONTHLY


@dataclass(frozen=True)
class Payment:
    """One payment to one employee, as the year-end adjustment (年末調整) and 源泉徴収票 need it.

    taxable_pay      支払金額 for the 源泉徴収票: pay or bonus less its non-taxable part (通勤手当 …)
    social_insurance 社会保険料等 deducted from it (健保・介護・支援金・厚年・雇用保険)
    taxable_amount   taxable_pay − social_insurance (what withholding was computed on)
    withholding_tax  源泉所得税 withheld
    closed           True when it comes from the closed history, False when computed now
    """

    employee_id: str
    kind: str  # 'salary' / 'bonus'
    period: str  # work month YYYY-MM, or the bonus pay date
    pay_date: date
    gross_pay: int
    taxable_pay: int
    social_insurance: int
    taxable_amount: int
    withholding_tax: int
    dependents: int
    tax_column: str
    closed: bool


SOCIAL = tuple(MONTHLY.pre_tax)  # 社会保険料等, for lines closed before they carried social_insurance


def payment_of(kind: str, period: str, pay_date: str | date, line: dict, closed: bool) -> Payment:
    """A summary.json line (monthly or bonus) as a Payment."""
    social = int(line.get("social_insurance", sum(int(line.get(k, 0)) for k in SOCIAL)))
    taxable_amount = int(line["taxable_amount"])
    gross = int(line.get("gross_pay", line.get("bonus_amount", 0)))
    return Payment(
        str(line["employee_id"]),
        "bonus" if kind == "bonus" else "salary",
        period,
        pay_date if isinstance(pay_date, date) else date.fromisoformat(pay_date),
        gross,
        int(line.get("taxable_pay", taxable_amount + social)),
        social,
        taxable_amount,
        int(line["withholding_tax"]),
        int(line.get("dependents", 0)),
        str(line.get("tax_column", "")),
        closed,
    )


@dataclass(frozen=True)
class Difference:
    employee_id: str
    field: str
    closed: object  # the closed figure (None: the employee was not in the closed period)
    now: object  # the recomputed figure (None: the employee is no longer paid)


def differences(closed: dict[str, dict], now: Iterable[dict]) -> list[Difference]:
    """Every employee and figure whose recomputed value differs from the closed one. Figures that the
    closed record does not hold (fields added by a later version) are not compared."""
    out, seen = [], set()
    for line in now:
        employee = str(line["employee_id"])
        seen.add(employee)
        before = closed.get(employee)
        if before is None:
            out.append(Difference(employee, "employee", None, employee))
            continue
        out += [
            Difference(employee, key, before[key], line[key])
            for key in line
            if key in before and before[key] != line[key]
        ]
    out += [Difference(employee, "employee", employee, None) for employee in sorted(set(closed) - seen)]
    return out
