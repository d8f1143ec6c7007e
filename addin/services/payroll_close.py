"""Closing a payroll period (確定) and comparing a rerun with what was closed.

A closed period's outputs are never rewritten: a rerun recomputes, compares every employee's line of
summary.json with the history and reports each figure that would now differ (exit 1)."""

from __future__ import annotations

import getpass
import hashlib
import os
from pathlib import Path

from addin.model import Issue, Severity
from addin.payroll.year import Difference, differences
from addin.services.company import CompanyPaths
from addin.state.payroll_history import ClosedPeriod, PayrollHistory

KIND_JA = {"month": "給与", "bonus": "賞与"}


def open_history(root: Path) -> PayrollHistory:
    """The payroll history: beside the other records, in the company's one state database."""
    return PayrollHistory(CompanyPaths(Path(root)).db)


def who(by: str | None = None) -> str:
    """Who closes or reopens: given, else the operating-system user."""
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USERNAME") or "unknown"


def outputs_hash(folder: Path) -> str:
    """sha256 over every file of an output folder: its relative name and its bytes' digest."""
    total = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        total.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
        total.update(hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


def _figure(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "—" if value is None else str(value)


def difference_issue(
    kind: str, period: str, d: Difference, where: tuple[str, str, str] = ("staff.xlsx", "", "")
) -> Issue:
    label = KIND_JA[kind]
    if d.field == "employee":
        missing = "ありません" if d.closed is None else "いましたが、再計算では支給されません"
        ja = f"確定済みの{label} {period} に {d.employee_id} が{missing}"
        en = f"closed {kind} {period}: {d.employee_id} " + (
            "was not paid then" if d.closed is None else "is no longer paid"
        )
    else:
        change = f"{_figure(d.closed)} → {_figure(d.now)}"
        ja = f"確定済みの{label} {period}: {d.employee_id} の {d.field} が {change} に変わります"
        en = f"closed {kind} {period}: {d.employee_id} {d.field} would change {_figure(d.closed)} → {_figure(d.now)}"
    return Issue(
        where[0],
        where[1],
        where[2],
        d.field if d.field != "employee" else "employee_id",
        "closed_period_differs",
        Severity.ERROR,
        ja,
        en,
        d.employee_id,
    )


def compare_with_closed(
    history: PayrollHistory,
    closed: ClosedPeriod,
    employees: list[dict],
    pay_date: str,
    folder: Path | None,
    locate=lambda employee_id: ("staff.xlsx", "", ""),
) -> list[Issue]:
    """Issues for every figure that differs from the closed record, plus tampered outputs."""
    found = differences(history.lines(closed.close_id), employees)
    issues = [difference_issue(closed.kind, closed.period, d, locate(d.employee_id)) for d in found]
    if pay_date != closed.pay_date:
        issues.append(
            Issue(
                "backoffice.toml",
                "",
                "",
                "pay_date",
                "closed_period_differs",
                Severity.ERROR,
                f"確定済みの{KIND_JA[closed.kind]} {closed.period}: 支給日が {closed.pay_date} → {pay_date} "
                "に変わります",
                f"closed {closed.kind} {closed.period}: pay date would change {closed.pay_date} → {pay_date}",
            )
        )
    if folder is not None and (not folder.exists() or outputs_hash(folder) != closed.outputs_hash):
        issues.append(
            Issue(
                str(folder),
                "",
                "",
                "",
                "closed_outputs_changed",
                Severity.ERROR,
                f"確定済みの{KIND_JA[closed.kind]} {closed.period} の"
                "出力ファイルが確定時と異なります（変更または削除）",
                f"the outputs of closed {closed.kind} {closed.period} differ from those closed (changed or removed)",
            )
        )
    return issues


def reopen(root: Path, kind: str, period: str, reason: str, by: str | None = None) -> ClosedPeriod:
    with open_history(root) as history:
        return history.reopen(kind, period, reason, who(by))
