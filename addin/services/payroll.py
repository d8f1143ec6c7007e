"""Run the month's payroll for a company: validate the staff book, compute, and write the register,
pay slips, the Zengin 給与振込 file and summary.json — all of them, or nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from addin.model import Issue, Severity
from addin.model.issues import exit_code, fatal, in_a_line
from addin.outputs.payroll_books import write_payslip_book, write_register
from addin.outputs.pool import run_jobs
from addin.outputs.payslip import payslip_pdf
from addin.outputs.staging import staged_folder, write_private
from addin.outputs.zengin import Requester, Transfer, ZenginError, read_trailer, zengin_file
from addin.payroll.bonus import BonusPayroll
from addin.payroll.insurance import UnknownPrefecture
from addin.payroll.items import MONTHLY, Layout
from addin.payroll.run import DEDUCTIONS, Payroll, compute_payroll
from addin.payroll.settings import PayrollSettings
from addin.rulebook import RuleNotInForce
from addin.services.company import Company
from addin.services.payroll_settlement import settle_payroll
from addin.services.payroll_close import compare_with_closed, open_history, outputs_hash, who
from addin.state.payroll_history import ClosedPeriod
from addin.services.staff_tables import StaffTables
from addin.services.validation import BookOpener, open_company_book

SUMMARY_FIELDS = MONTHLY.summary_fields(columns=())  # a month without the year-end settlement


@dataclass
class PayrollRun:
    issues: list[Issue] = field(default_factory=list)
    payroll: Payroll | None = None
    folder: Path | None = None
    written: list[Path] = field(default_factory=list)
    closed: ClosedPeriod | None = None  # the month was already closed: compared, not rewritten
    closed_now: int | None = None  # this run closed the month (its close id)

    @property
    def exit_code(self) -> int:
        return exit_code(self.issues)


def requester_of(settings: dict) -> Requester:
    bank = settings.get("bank", {})
    if not bank:  # never a transfer file whose sender, bank, branch and account are zeros
        raise ZenginError(
            "backoffice.toml に [bank]（振込元口座）がありません / [bank] (the paying account) is missing"
        )
    return Requester(
        str(bank.get("requester_code", "0")),
        str(bank.get("requester_name_kana", "")),
        str(bank.get("bank_code", "0")),
        str(bank.get("bank_name_kana", "")),
        str(bank.get("branch_code", "0")),
        str(bank.get("branch_name_kana", "")),
        str(bank.get("account_type", "ordinary")),
        str(bank.get("account_number", "0")),
    )


def transfers_of(payroll: Payroll | BonusPayroll) -> list[Transfer]:
    """One salary (or bonus) transfer per employee with something to pay."""
    return [
        Transfer(
            r["bank_code"],
            r["branch_code"],
            r["account_type"] or "ordinary",
            r["account_number"],
            r["account_holder_kana"],
            int(r["net_pay"]),
            str(r["employee_id"]),
        )
        for r in payroll.employees.to_dict("records")
        if r["net_pay"] > 0
    ]


def employee_lines(employees, layout: Layout = MONTHLY) -> list[dict]:
    """summary.json's employee lines: integer yen and counts as int, codes as text, a blank figure as null."""
    fields = layout.summary_fields(employees.columns)
    kinds = {i.field: i for i in layout.items if i.summary}

    def value(key, v):
        item = kinds[key]
        if item.blank and (v is None or v != v):
            return None
        return int(v) if hasattr(v, "__int__") and item.kind != "text" else v

    return [{k: value(k, v) for k, v in row.items()} for row in employees[fields].to_dict("records")]


def summary_of(payroll: Payroll, zengin_count: int, zengin_total: int) -> dict:
    employees = employee_lines(payroll.employees)
    return {
        "month": f"{payroll.month:%Y-%m}",
        "pay_date": payroll.pay_date.isoformat(),
        "premium_month": f"{payroll.premium_month:%Y-%m}",
        "employees": employees,
        "totals": payroll.totals(),
        "zengin": {"count": zengin_count, "total": zengin_total},
    }


def compute_month(company: Company, month: date) -> tuple[dict[str, int] | None, str]:
    """Net pay by employee for a work month, or (None, why not): what BO_NET_PAY shows. It stops where the
    payroll run stops: any issue of the staff book that is not a warning (StaffTables), any error of the
    computed month (a negative net pay, no bank account, a 年末調整 that did not see this pay)."""
    tables = StaffTables.of(company)
    if not tables.usable:
        return None, tables.why_not()
    settings = PayrollSettings.from_settings(company.settings)
    try:
        payroll = payroll_of(company, tables, month, settings)
    except PAY_SETUP_FAILURES as problem:
        return None, getattr(problem, "message_ja", str(problem))
    # what stops the run stops the cell: a net pay below zero, nowhere to pay it, a stale 年末調整
    settlement = settle_payroll(company, payroll, settings, _locator(tables.staff))
    stopping = [i for i in [*payroll.issues, *settlement] if i.severity is not Severity.WARNING]
    if stopping:
        return None, in_a_line(stopping)
    return dict(zip(payroll.employees["employee_id"], payroll.employees["net_pay"].astype(int), strict=True)), ""


def payroll_of(company: Company, tables: StaffTables, month: date, settings: PayrollSettings) -> Payroll:
    """The work month's payroll from the validated staff book (usable tables only: see StaffTables)."""
    return compute_payroll(tables.staff, tables.attendance, tables.allowances, month, company.rulebook, settings)


#: what stops a pay computation before any employee: no rule in force on the date, bad pay settings
PAY_SETUP_FAILURES = (RuleNotInForce, UnknownPrefecture, ValueError)


def pay_setup_issue(failure: Exception) -> Issue:
    """The fatal issue of a PAY_SETUP_FAILURES: the rules file to extend, or the settings to fix."""
    if isinstance(failure, RuleNotInForce):
        return fatal(failure.parameter.file, "rule_not_in_force", failure.message_ja, failure.message_en)
    ja, en = getattr(failure, "message_ja", str(failure)), getattr(failure, "message_en", str(failure))
    return fatal("backoffice.toml", "bad_settings", f"給与の設定が不正です: {ja}", f"payroll settings: {en}")


def run_payroll(
    company: Company,
    month: date,
    opener: BookOpener = open_company_book,
    progress: Callable[[str], None] = lambda _: None,
    close: bool = False,
    by: str | None = None,
) -> PayrollRun:
    """The month's payroll. A closed month is recomputed and compared with its history, never
    rewritten; `close` records the month in the history after writing its outputs."""
    run = PayrollRun()
    progress("validating staff.xlsx")
    tables = StaffTables.of(company, opener)
    run.issues = tables.stopping()
    if run.issues:
        return run
    try:
        settings = PayrollSettings.from_settings(company.settings)
        progress(f"computing payroll for {month:%Y-%m}")
        payroll = payroll_of(company, tables, month, settings)
    except PAY_SETUP_FAILURES as failure:
        run.issues.append(pay_setup_issue(failure))
        return run
    run.payroll = payroll
    run.issues += payroll.issues
    if run.issues:
        return run
    locate = _locator(tables.staff)
    settlement = settle_payroll(company, payroll, settings, locate)
    try:
        zengin = zengin_file("salary", requester_of(company.settings), payroll.pay_date, transfers_of(payroll))
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
    run.folder = company.paths.payroll(month)
    summary = summary_of(payroll, *read_trailer(zengin))
    with open_history(company.root) as history:
        closed = history.active("month", f"{month:%Y-%m}")
        if closed is not None:
            progress(f"{month:%Y-%m} is closed: comparing with the history")
            run.closed = closed
            # what was closed is what was paid: the comparison says it all, not the settlement's notes
            run.issues += compare_with_closed(
                history, closed, summary["employees"], summary["pay_date"], run.folder, locate
            )
            return run
        run.issues += settlement
        if exit_code(run.issues):
            return run
        progress(f"writing {run.folder}")
        run.written = write_payroll_outputs(
            run.folder, payroll, zengin, company.settings.get("company", {}).get("name", "")
        )
        if close:
            progress(f"closing {month:%Y-%m}")
            run.closed_now = history.record_close(
                "month",
                summary["month"],
                summary["pay_date"],
                outputs_hash(run.folder),
                {k: v for k, v in summary.items() if k != "employees"},
                summary["employees"],
                who(by),
            )
    return run


def _locator(staff_table):
    """The Staff row of an employee, for a located message (blank when no longer on the sheet)."""
    rows = {str(e): i for i, e in enumerate(staff_table.frame["employee_id"])}

    def locate(employee_id: str) -> tuple[str, str, str]:
        position = rows.get(employee_id)
        cell = staff_table.cell("employee_id", position) if position is not None else ""
        return staff_table.book, staff_table.sheet, cell

    return locate


def write_slip(job: tuple) -> Path:
    """One pay slip PDF, owner-only: a job of the process pool (module level, so it pickles)."""
    path, row, company_name, month, paid_on = job
    return write_private(path, payslip_pdf(row, company_name, month, paid_on))


def write_payroll_outputs(folder: Path, payroll: Payroll, zengin: bytes, company_name: str) -> list[Path]:
    """Everything in one staged folder, owner-only (salaries and bank accounts are inside)."""
    count, total = read_trailer(zengin)
    names = []
    with staged_folder(folder, private=True) as tmp:
        title = f"賃金台帳 {payroll.month.year}年{payroll.month.month}月分（支給日 {payroll.pay_date:%Y/%m/%d}）"
        names.append(write_register(tmp / "register.xlsx", payroll.employees, title))
        names.append(
            write_payslip_book(tmp / "payslips.xlsx", payroll.employees, company_name, payroll.month, payroll.pay_date)
        )
        slips = tmp / "payslips"
        slips.mkdir(mode=0o700)
        run_jobs(
            write_slip,
            [
                (slips / f"{row['employee_id']}.pdf", row, company_name, payroll.month, payroll.pay_date)
                for row in payroll.employees.to_dict("records")
            ],
            stage="pay slips",
        )
        names.append(write_private(tmp / f"zengin_{payroll.pay_date:%Y%m%d}.txt", zengin))
        summary = json.dumps(summary_of(payroll, count, total), ensure_ascii=False, indent=1)
        names.append(write_private(tmp / "summary.json", summary.encode("utf-8")))
        for path in names[:2]:
            path.chmod(0o600)
    return [folder / p.name for p in names] + [folder / "payslips"]


__all__ = ["DEDUCTIONS", "PayrollRun", "run_payroll"]
