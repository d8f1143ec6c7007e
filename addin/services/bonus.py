"""Pay the bonuses of a pay date: the Bonuses 賞与 sheet, the previous month's pay and the earlier
bonuses of the fiscal year from the history (or computed), then register, slips, Zengin 賞与振込 and
summary.json — all or nothing — and, with `close`, the history."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from addin.model import Issue
from addin.model.issues import exit_code, fatal
from addin.outputs.payroll_books import write_payslip_book, write_register
from addin.outputs.payslip import bonus_slip_lines, payslip_pdf
from addin.outputs.staging import staged_folder, write_private
from addin.outputs.zengin import ZenginError, read_trailer, zengin_file
from addin.payroll.bonus import BonusPayroll, compute_bonus, fiscal_year_start
from addin.payroll.items import BONUS
from addin.payroll.settings import PayrollSettings
from addin.services.company import Company
from addin.services.payroll import (
    PAY_SETUP_FAILURES,
    employee_lines,
    pay_setup_issue,
    requester_of,
    transfers_of,
)
from addin.services.payroll_close import compare_with_closed, open_history, outputs_hash, who
from addin.services.payroll_year import previous_month_pay
from addin.services.staff_tables import StaffTables
from addin.services.validation import BookOpener, open_company_book
from addin.state.payroll_history import ClosedPeriod, PayrollHistory


@dataclass
class BonusRun:
    issues: list[Issue] = field(default_factory=list)
    bonus: BonusPayroll | None = None
    folder: Path | None = None
    written: list[Path] = field(default_factory=list)
    closed: ClosedPeriod | None = None
    closed_now: int | None = None

    @property
    def exit_code(self) -> int:
        return exit_code(self.issues)


def bonus_dates(tables: StaffTables, first: date, last: date) -> list[date]:
    if tables.bonuses is None:
        return []
    days = pd.to_datetime(tables.bonuses.frame["pay_date"]).dropna().dt.date.unique()
    return sorted(d for d in days if first <= d <= last)


def _lines(bonus: BonusPayroll) -> list[dict]:
    return employee_lines(bonus.employees.astype({"previous_month_pay": object}), BONUS)


def compute_bonus_of(company: Company, tables: StaffTables, history: PayrollHistory, pay_date: date) -> BonusPayroll:
    """The bonus of a pay date with the caps already used by the fiscal year's earlier bonuses (closed
    ones as closed, the others computed in pay-date order) and the previous month's pay."""
    health_fy: dict[str, int] = {}
    pension_month: dict[str, int] = {}
    start = fiscal_year_start(pay_date)
    closed = {c.period: c for c in history.closed_periods("bonus")}
    earlier = sorted(
        {d for d in bonus_dates(tables, start, pay_date) if d < pay_date}
        | {date.fromisoformat(p) for p in closed if start <= date.fromisoformat(p) < pay_date}
    )
    settings = PayrollSettings.from_settings(company.settings)
    for day in earlier:
        if day.isoformat() in closed:
            lines = list(history.lines(closed[day.isoformat()].close_id).values())
        else:
            lines = _lines(
                compute_bonus(
                    tables.staff,
                    tables.bonuses,
                    day,
                    company.rulebook,
                    settings,
                    previous_month_pay(company, tables, history, day),
                    health_fy,
                    pension_month if day.month == pay_date.month else {},
                )
            )
        for line in lines:
            e = str(line["employee_id"])
            health_fy[e] = health_fy.get(e, 0) + int(line["health_standard_bonus"])
            if (day.year, day.month) == (pay_date.year, pay_date.month):
                pension_month[e] = pension_month.get(e, 0) + int(line["pension_standard_bonus"])
    return compute_bonus(
        tables.staff,
        tables.bonuses,
        pay_date,
        company.rulebook,
        settings,
        previous_month_pay(company, tables, history, pay_date),
        health_fy,
        pension_month,
    )


def bonus_lines(company: Company, tables: StaffTables, history: PayrollHistory, pay_date: date) -> list[dict]:
    return _lines(compute_bonus_of(company, tables, history, pay_date))


def computed_bonuses(
    company: Company, tables: StaffTables, history: PayrollHistory, first: date, last: date, skip: set[str]
) -> list[tuple[date, list[dict]]]:
    """The bonuses of the sheet paid between two dates that are not closed, computed now."""
    return [
        (day, bonus_lines(company, tables, history, day))
        for day in bonus_dates(tables, first, last)
        if day.isoformat() not in skip
    ]


def run_bonus(
    company: Company,
    pay_date: date,
    opener: BookOpener = open_company_book,
    progress: Callable[[str], None] = lambda _: None,
    close: bool = False,
    by: str | None = None,
) -> BonusRun:
    run = BonusRun()
    progress("validating staff.xlsx")
    tables = StaffTables.of(company, opener)
    run.issues = tables.stopping()
    if run.issues:
        return run
    period = pay_date.isoformat()
    with open_history(company.root) as history:
        try:
            progress(f"computing the bonus of {period}")
            bonus = compute_bonus_of(company, tables, history, pay_date)
        except PAY_SETUP_FAILURES as failure:
            run.issues.append(pay_setup_issue(failure))
            return run
        run.bonus = bonus
        run.issues += bonus.issues
        if run.exit_code:  # warnings (a 4th bonus in the year) do not stop the run
            return run
        try:
            zengin = zengin_file("bonus", requester_of(company.settings), pay_date, transfers_of(bonus))
        except ZenginError as bad:
            run.issues.append(
                fatal(
                    "backoffice.toml",
                    "zengin_invalid",
                    f"振込データを作れません: {bad}",
                    f"cannot build the transfer file: {bad}",
                )
            )
            return run
        run.folder = company.paths.bonus(period)
        summary = bonus_summary(bonus, *read_trailer(zengin))
        closed = history.active("bonus", period)
        if closed is not None:
            run.closed = closed
            run.issues += compare_with_closed(
                history, closed, summary["employees"], period, run.folder, _locator(tables.bonuses, pay_date)
            )
            return run
        progress(f"writing {run.folder}")
        run.written = write_bonus_outputs(
            run.folder, bonus, zengin, summary, company.settings.get("company", {}).get("name", "")
        )
        if close:
            run.closed_now = history.record_close(
                "bonus",
                period,
                period,
                outputs_hash(run.folder),
                {k: v for k, v in summary.items() if k != "employees"},
                summary["employees"],
                who(by),
            )
    return run


def _locator(bonuses, pay_date: date):
    """The Bonuses row of an employee's bonus on the date, for a located message."""
    frame = bonuses.frame
    rows = {
        str(e): i
        for i, (e, d) in enumerate(zip(frame["employee_id"], frame["pay_date"], strict=True))
        if d == pd.Timestamp(pay_date)
    }

    def locate(employee_id: str) -> tuple[str, str, str]:
        position = rows.get(employee_id)
        return bonuses.book, bonuses.sheet, bonuses.cell("amount", position) if position is not None else ""

    return locate


def bonus_summary(bonus: BonusPayroll, zengin_count: int, zengin_total: int) -> dict:
    return {
        "kind": "bonus",
        "pay_date": bonus.pay_date.isoformat(),
        "employees": _lines(bonus),
        "totals": bonus.totals(),
        "zengin": {"count": zengin_count, "total": zengin_total},
    }


def write_bonus_outputs(
    folder: Path, bonus: BonusPayroll, zengin: bytes, summary: dict, company_name: str
) -> list[Path]:
    """Register, slips (PDF and workbook), Zengin 賞与振込 and summary.json in one staged, owner-only folder."""
    paid = bonus.pay_date
    title = f"賞与明細書　{paid.year}年{paid.month}月{paid.day}日支給"
    names = []
    with staged_folder(folder, private=True) as tmp:
        names.append(
            write_register(
                tmp / "register.xlsx", bonus.employees, f"賞与台帳 支給日 {paid:%Y/%m/%d}", BONUS, "賞与台帳"
            )
        )
        names.append(
            write_payslip_book(
                tmp / "payslips.xlsx", bonus.employees, company_name, paid, paid, title, bonus_slip_lines
            )
        )
        slips = tmp / "payslips"
        slips.mkdir(mode=0o700)
        for row in bonus.employees.to_dict("records"):
            write_private(
                slips / f"{row['employee_id']}.pdf", payslip_pdf(row, company_name, paid, paid, title, bonus_slip_lines)
            )
        names.append(write_private(tmp / f"zengin_{paid:%Y%m%d}.txt", zengin))
        names.append(
            write_private(tmp / "summary.json", json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8"))
        )
        for path in names[:2]:
            path.chmod(0o600)
    return [folder / p.name for p in names] + [folder / "payslips"]
