"""Run the payroll engine on hand-written staff rows: in memory (`payroll_of`, for engine tests) or
through a one-company folder with a real staff.xlsx (`payroll_for`, for the end-to-end ones)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from addin.payroll.run import compute_payroll
from addin.payroll.settings import PayrollSettings
from addin.services.company import load_company
from tests.blank_company import init_copy
from addin.services.validation import validate_company
from addin.outputs.master_books import write_book
from tests.memory_books import validated

PERSON = {
    "employee_id": "E1",
    "name": "試験 太郎",
    "employment_type": "正社員",
    "birth_date": date(1990, 6, 15),
    "hire_date": date(2015, 4, 1),
    "pay_type": "月給",
    "base_salary": 300000,
    "commute_allowance": 0,
    "dependents": 0,
    "tax_column": "甲",
    "standard_monthly_remuneration": 300000,
    "health_insurance": "〇",
    "pension": "〇",
    "employment_insurance": "〇",
    "resident_tax_monthly": 0,
    "bank_code": "0001",
    "branch_code": "001",
    "account_type": "普通",
    "account_number": "1234567",
    "account_holder_kana": "ｼｹﾝ ﾀﾛｳ",
}
DAY = {"work_days": 20, "work_hours": 160}


def company_with(
    root: Path,
    staff: list[dict],
    attendance: list[dict] = (),
    allowances: list[dict] = (),
    settings_text: str | None = None,
):
    init_copy(root)
    if settings_text is not None:
        (root / "backoffice.toml").write_text(settings_text, encoding="utf-8")
    company = load_company(root)
    write_book(
        company.book_path("staff"),
        company.books["staff"],
        {"staff": staff, "attendance": list(attendance), "allowances": list(allowances)},
    )
    return company


def _computed(company, checked, month: date, settings: dict):
    """The month's payroll of a validated staff book that must have no issue, in 東京都 unless `settings` say."""
    assert not list(checked.issues), [i.message_en for i in checked.issues]
    merged = {**company.settings.get("payroll", {}), "prefecture": "東京都", **settings}
    return compute_payroll(
        checked.table("staff", "staff"),
        checked.table("staff", "attendance"),
        checked.table("staff", "allowances"),
        month,
        company.rulebook,
        PayrollSettings.model_validate(merged),
    )


def payroll_for(
    root: Path, staff: list[dict], month: date, attendance: list[dict] = (), allowances: list[dict] = (), **settings
):
    company = company_with(root, staff, attendance, allowances)
    checked = validate_company(company, only={"staff"})
    return _computed(company, checked, month, settings)


def payroll_of(
    company, staff: list[dict], month: date, attendance: list[dict] = (), allowances: list[dict] = (), **settings
):
    """`payroll_for` without the files: the staff book held in memory, validated by the same rules,
    computed with the rulebook and settings of `company` (the shared, read-only `bare_company`)."""
    rows = {"staff": {"staff": staff, "attendance": list(attendance), "allowances": list(allowances)}}
    checked = validated(company, rows)
    return _computed(company, checked, month, settings)


def person(**changes) -> dict:
    return {**PERSON, **changes}


#: two monthly employees: PERSON, and E2 at another salary and grade with no My Number
TWO_STAFF = [
    person(),
    person(
        employee_id="E2",
        name="試験 花子",
        base_salary=250000,
        standard_monthly_remuneration=260000,
        account_number="7654321",
        my_number=None,
    ),
]


def attendance_of(*months: str) -> list[dict]:
    """Full months (DAY) for both of TWO_STAFF."""
    return [{"employee_id": e, "month": m, **DAY} for m in months for e in ("E1", "E2")]


def hourly_grade_case() -> tuple[list[dict], list[dict]]:
    """The worked grade case, (staff, attendance): a part-timer at 1,500/h, paid for 20, 10 and 18 days of
    8 h in March–May 2026 (April–June pay); 定時決定 gives 18級 220,000, the sheet says 200,000."""
    part = person(
        pay_type="時給",
        base_salary=None,
        hourly_rate=1500,
        employment_type="パート",
        standard_monthly_remuneration=200000,
        commute_allowance=0,
    )
    attendance = [
        {"employee_id": "E1", "month": m, "work_days": d, "work_hours": d * 8}
        for m, d in (("2026-03", 20), ("2026-04", 10), ("2026-05", 18))
    ]
    return [part], attendance


def row_of(payroll, employee_id="E1") -> dict:
    frame = payroll.employees
    return frame[frame["employee_id"] == employee_id].iloc[0].to_dict()


def demo_staff_copy(tmp_path: Path, demo_template: Path):
    """A copy of the demo company with its staff book open for editing: (folder, workbook, the Staff sheet,
    its header row as a list)."""
    import shutil

    import openpyxl

    root = tmp_path / "co"
    shutil.copytree(demo_template, root)
    wb = openpyxl.load_workbook(root / "staff.xlsx")
    staff = wb["Staff 従業員"]
    return root, wb, staff, [c.value for c in staff[1]]
