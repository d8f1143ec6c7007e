"""The payroll year over the history: what was paid when (closed periods, else computed now), the
payments of a calendar year for the year-end adjustment, and the nightly check that a master edit has
not changed a closed period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from addin.dates import add_months, month_end
from addin.payroll.settings import PayrollSettings
from addin.payroll.year import Payment, differences, payment_of
from addin.services.company import Company
from addin.services.payroll import employee_lines, payroll_of
from addin.services.payroll_close import open_history
from addin.services.payroll_settlement import settle_payroll
from addin.services.staff_tables import StaffTables
from addin.state.payroll_history import PayrollHistory


def computed_month(company: Company, tables: StaffTables, month: date) -> tuple[str, list[dict]]:
    """(pay date, employee lines) of a work month computed from the masters as they are now."""
    settings = PayrollSettings.from_settings(company.settings)
    payroll = payroll_of(company, tables, month, settings)
    settle_payroll(company, payroll, settings)  # the year-end settlement as the paying run adds it
    return payroll.pay_date.isoformat(), employee_lines(payroll.employees)


def months_with_attendance(tables: StaffTables) -> set[str]:
    if tables.attendance is None:
        return set()
    return {f"{m:%Y-%m}" for m in pd.to_datetime(tables.attendance.frame["month"].dropna().unique())}


def monthly_pay_between(
    company: Company,
    tables: StaffTables,
    history: PayrollHistory,
    first: date,
    last: date,
    only_with_attendance: bool = False,
    fields: list[str] | None = None,
) -> list[tuple[str, str, str, dict, bool]]:
    """(work month, pay date, employee id, line, closed) of every monthly pay paid first ≤ date ≤ last:
    from the closed history, and computed for the work months not closed (with `only_with_attendance`,
    only months the Attendance sheet covers: months before the company used the product are unknown).
    With `fields`, closed lines hold only those figures (read without decoding whole lines)."""
    out, closed_months = [], set()
    if fields is None:
        for kind, period, paid, line in history.paid_between(first.isoformat(), last.isoformat()):
            if kind == "month":
                closed_months.add(period)
                out.append((period, paid, str(line["employee_id"]), line, True))
    else:
        for period, paid, employee, *values in history.figures_between(
            first.isoformat(), last.isoformat(), "month", fields
        ):
            closed_months.add(period)
            out.append(
                (period, paid, employee, {"employee_id": employee, **dict(zip(fields, values, strict=True))}, True)
            )
    for month, paid, lines in computed_months_between(
        company, tables, first, last, closed_months, only_with_attendance
    ):
        out += [(f"{month:%Y-%m}", paid, str(line["employee_id"]), line, False) for line in lines]
    return out


def computed_months_between(
    company: Company, tables: StaffTables, first: date, last: date, closed_months: set[str], only_with_attendance: bool
) -> list[tuple[date, str, list[dict]]]:
    """(work month, pay date, lines) of the work months not closed whose pay date falls between two dates."""
    settings = PayrollSettings.from_settings(company.settings)
    attended = months_with_attendance(tables) if only_with_attendance else set()
    out = []
    month = add_months(first.replace(day=1), -settings.pay_months_later)
    while month <= add_months(last.replace(day=1), -settings.pay_months_later):
        known = not only_with_attendance or f"{month:%Y-%m}" in attended
        if f"{month:%Y-%m}" not in closed_months and known:
            paid, lines = computed_month(company, tables, month)
            if first.isoformat() <= paid <= last.isoformat():
                out.append((month, paid, lines))
        month = add_months(month, 1)
    return out


def previous_month_pay(
    company: Company, tables: StaffTables, history: PayrollHistory, pay_date: date
) -> dict[str, int]:
    """前月中の普通給与 − その社会保険料等, by employee: the pay paid in the month before a bonus."""
    first = add_months(pay_date.replace(day=1), -1)
    pay: dict[str, int] = {}
    for _, _, employee, line, _ in monthly_pay_between(company, tables, history, first, month_end(first)):
        if int(line.get("gross_pay", 0)) > 0:
            pay[employee] = pay.get(employee, 0) + int(line["taxable_amount"])
    return pay


def payments_of_year(company: Company, year: int, tables: StaffTables | None = None) -> list[Payment]:
    """Every payment of the calendar year (pay date in the year), monthly pay and bonuses, per employee,
    ordered by pay date: closed periods from the history, the rest computed from the masters now."""
    from addin.services.bonus import computed_bonuses

    tables = tables or StaffTables.of(company).required()
    first, last = date(year, 1, 1), date(year, 12, 31)
    with open_history(company.root) as history:
        payments = [
            payment_of("month", period, paid, line, closed)
            for period, paid, _, line, closed in monthly_pay_between(company, tables, history, first, last, True)
        ]
        closed_bonus = set()
        for kind, period, paid, line in history.paid_between(first.isoformat(), last.isoformat()):
            if kind == "bonus":
                closed_bonus.add(period)
                payments.append(payment_of("bonus", period, paid, line, True))
        for day, lines in computed_bonuses(company, tables, history, first, last, skip=closed_bonus):
            payments += [payment_of("bonus", day.isoformat(), day, line, False) for line in lines]
    return sorted(payments, key=lambda p: (p.pay_date, p.kind, p.employee_id))


@dataclass(frozen=True)
class Drift:
    """A figure of a closed period that the masters, as they are now, would change."""

    kind: str  # 'month' / 'bonus'
    period: str
    employee_id: str
    field: str
    closed: object
    now: object

    def message(self, lang: str = "ja") -> str:
        if lang == "en":
            return f"closed {self.kind} {self.period}: {self.employee_id} {self.field} {self.closed} → {self.now}"
        label = "給与" if self.kind == "month" else "賞与"
        return f"確定済みの{label} {self.period}: {self.employee_id} の {self.field} {self.closed} → {self.now}"


def closed_month_drift(company: Company, opener=None) -> list[Drift]:
    """For the nightly run: every closed month and bonus recomputed from the masters as they are
    now, and each employee figure that would differ from what was closed and paid."""
    from addin.services.bonus import bonus_lines

    tables = StaffTables.of(company, opener).required()  # a drift past an unreadable cell would be wrong too
    drift = []
    with open_history(company.root) as history:
        for closed in history.closed_periods():
            if closed.kind == "month":
                _, lines = computed_month(company, tables, date.fromisoformat(closed.period + "-01"))
            else:
                lines = bonus_lines(company, tables, history, date.fromisoformat(closed.period))
            drift += [
                Drift(closed.kind, closed.period, d.employee_id, d.field, d.closed, d.now)
                for d in differences(history.lines(closed.close_id), lines)
            ]
    return drift
