"""The payroll history: a closed month is compared, never rewritten; reopening is recorded; the
history refuses edits; the nightly drift check; the payments of a year for the year-end adjustment."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from datetime import date

import pytest

from addin.cli import main
from addin.services.company import load_company
from addin.services.payroll_close import open_history
from addin.services.payroll_year import closed_month_drift, payments_of_year
from addin.outputs.master_books import write_book
from tests.bonus_helpers import company_with_bonuses
from tests.payroll_helpers import TWO_STAFF, attendance_of

STAFF = TWO_STAFF


def digests(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def closed(tmp_path):
    company = company_with_bonuses(
        tmp_path,
        STAFF,
        [{"employee_id": "E1", "pay_date": date(2025, 12, 10), "amount": 500000}],
        attendance_of("2025-10", "2025-11"),
    )
    assert main(["payroll", str(tmp_path), "--month", "2025-11", "--close", "--by", "経理 山田"]) == 0
    return company


def _edit_salary(company, salary):
    staff = [dict(STAFF[0], base_salary=salary), STAFF[1]]
    write_book(
        company.book_path("staff"),
        company.books["staff"],
        {
            "staff": staff,
            "attendance": attendance_of("2025-10", "2025-11"),
            "bonuses": [{"employee_id": "E1", "pay_date": date(2025, 12, 10), "amount": 500000}],
        },
    )


def test_closed_month_rerun_after_a_salary_edit_names_employee_and_figure_and_writes_nothing(closed, capsys):
    folder = closed.out / "payroll" / "2025-11"
    before = digests(folder)
    capsys.readouterr()
    assert main(["payroll", str(closed.root), "--month", "2025-11"]) == 0  # unchanged masters: matches
    assert "一致" in capsys.readouterr().out
    _edit_salary(closed, 320000)
    assert main(["payroll", str(closed.root), "--month", "2025-11"]) == 1
    out = capsys.readouterr().out
    differing = [line for line in out.splitlines() if "closed_period_differs" in line]
    # E1's gross 300,000 → 320,000 (standard remuneration typed: premiums unchanged) and what follows from it
    assert any("E1 の gross_pay が 300,000 → 320,000" in line for line in differing), out
    assert any("E1 の net_pay" in line for line in differing)
    assert all("E2" not in line for line in differing)
    assert "staff.xlsx!Staff 従業員!A2" in out  # located at E1's row
    assert digests(folder) == before  # byte-identical outputs
    # --close on a closed month compares too
    assert main(["payroll", str(closed.root), "--month", "2025-11", "--close"]) == 1
    assert digests(folder) == before


def test_reopen_needs_a_reason_and_is_recorded_then_the_month_can_be_closed_again(closed, capsys):
    folder = closed.out / "payroll" / "2025-11"
    _edit_salary(closed, 320000)
    assert main(["payroll", str(closed.root), "--month", "2025-11", "--reopen"]) == 2
    assert main(["payroll", str(closed.root), "--month", "2025-12", "--reopen", "--reason", "x"]) == 2  # not closed
    assert (
        main(
            [
                "payroll",
                str(closed.root),
                "--month",
                "2025-11",
                "--reopen",
                "--reason",
                "昇給の反映漏れ",
                "--by",
                "経理 鈴木",
            ]
        )
        == 0
    )
    with open_history(closed.root) as history:
        events = history.events("month", "2025-11")
        assert [(e.action, e.by) for e in events] == [("close", "経理 山田"), ("reopen", "経理 鈴木")]
        assert events[1].reason == "昇給の反映漏れ" and events[1].at >= events[0].at
        assert history.active("month", "2025-11") is None
    assert main(["payroll", str(closed.root), "--month", "2025-11", "--close"]) == 0  # rewritten, closed anew
    with open_history(closed.root) as history:
        again = history.active("month", "2025-11")
        assert again.close_id == 2 and history.lines(again.close_id)["E1"]["gross_pay"] == 320000
        assert history.lines(1)["E1"]["gross_pay"] == 300000  # the first close is kept
    import json

    assert json.loads((folder / "summary.json").read_text("utf-8"))["employees"][0]["gross_pay"] == 320000


def test_history_is_owner_only_and_refuses_edits(closed):
    path = closed.root / ".backoffice" / "state.db"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    db = sqlite3.connect(path)
    for statement in (
        "UPDATE payroll_lines SET figures = '{}'",
        "DELETE FROM payroll_closes",
        "UPDATE payroll_closes SET outputs_hash = 'x'",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="never"):
            db.execute(statement)
    db.close()


def test_changed_outputs_of_a_closed_month_are_reported(closed, capsys):
    slip = closed.out / "payroll" / "2025-11" / "payslips" / "E1.pdf"
    slip.write_bytes(slip.read_bytes() + b"%")
    assert main(["payroll", str(closed.root), "--month", "2025-11"]) == 1
    assert "closed_outputs_changed" in capsys.readouterr().out


def test_nightly_drift_lists_each_changed_figure_of_each_closed_period(closed):
    assert main(["bonus", str(closed.root), "--date", "2025-12-10", "--close"]) == 0
    assert closed_month_drift(load_company(closed.root)) == []
    _edit_salary(closed, 320000)
    drift = closed_month_drift(load_company(closed.root))
    fields = {(d.kind, d.period, d.employee_id, d.field) for d in drift}
    assert ("month", "2025-11", "E1", "gross_pay") in fields
    # the bonus of 2025-12-10 is taxed at the rate of the pay of November (work month 2025-10, not closed)
    assert ("bonus", "2025-12-10", "E1", "previous_month_pay") in fields
    assert not any(d.employee_id == "E2" for d in drift)
    gross = next(d for d in drift if d.field == "gross_pay")
    assert (gross.closed, gross.now) == (300000, 320000) and "E1" in gross.message("ja")


def test_payments_of_a_year_mix_closed_and_computed_periods(closed):
    assert main(["bonus", str(closed.root), "--date", "2025-12-10", "--close"]) == 0
    payments = payments_of_year(load_company(closed.root), 2025)
    e1 = [p for p in payments if p.employee_id == "E1"]
    # paid in 2025: work month 2025-10 (paid 2025-11-25, computed), 2025-11 (paid 2025-12-25, closed),
    # the bonus (closed)
    assert [(p.kind, p.period, p.pay_date, p.closed) for p in e1] == [
        ("salary", "2025-10", date(2025, 11, 25), False),
        ("bonus", "2025-12-10", date(2025, 12, 10), True),
        ("salary", "2025-11", date(2025, 12, 25), True),
    ]
    for p in e1:
        assert p.taxable_amount == p.taxable_pay - p.social_insurance and p.withholding_tax > 0
    salary = e1[0]
    # 300,000: health 14,865 + pension 27,450 + EI 1,650 (5.5 ‰) = 43,965 (R7 東京, premium month 2025-10)
    assert (salary.taxable_pay, salary.social_insurance, salary.taxable_amount) == (300000, 43965, 256035)
