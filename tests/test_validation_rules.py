"""Every column and row rule, each over a real one-sheet .xlsx file read back from disk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from addin.rulebook import load_rulebook
from addin.validate import Reporter, build_schemas, check_sheet
from addin.validate.checks import value_check
from addin.validate.schema import ColumnSpec
from addin.workbook import CalamineBook
from tests.conftest import write_sheet

BOOKS = build_schemas(load_rulebook().schemas)

GOOD_STAFF = {
    "employee_id": "E0001",
    "name": "山田 太郎",
    "name_kana": "ヤマダ タロウ",
    "department": "総務部",
    "employment_type": "正社員",
    "birth_date": date(1980, 5, 1),
    "hire_date": date(2010, 4, 1),
    "leave_date": None,
    "my_number": "621498320257",
    "pay_type": "月給",
    "base_salary": 300000,
    "hourly_rate": None,
    "commute_allowance": 10000,
    "dependents": 1,
    "tax_column": "甲",
    "standard_monthly_remuneration": 320000,
    "health_insurance": "〇",
    "pension": "〇",
    "employment_insurance": "〇",
    "resident_tax_monthly": 12000,
    "resident_tax_june": 12500,
    "bank_code": "0001",
    "branch_code": "123",
    "account_type": "普通",
    "account_number": "1234567",
    "account_holder_kana": "ﾔﾏﾀﾞ ﾀﾛｳ",
}


def run_sheet(tmp_path, book, sheet, records, lang="ja"):
    spec = BOOKS[book].sheets[sheet]
    fields = list(spec.columns)
    header = [spec.columns[f].label_en if lang == "en" else spec.columns[f].label_ja for f in fields]
    rows = [header] + [[r.get(f) for f in fields] for r in records]
    path = write_sheet(tmp_path / f"{book}.xlsx", spec.display_name, rows)
    grid = CalamineBook(path).read_sheet(spec.display_name)
    reporter = Reporter()
    checked = check_sheet(grid, spec, reporter)
    return checked, reporter.summarise()


def codes(issues):
    return [(i.cell, i.code) for i in issues]


def staff_issues(tmp_path, **changes):
    _, issues = run_sheet(
        tmp_path, "staff", "staff", [GOOD_STAFF, {**GOOD_STAFF, "employee_id": "E0002", "my_number": "", **changes}]
    )
    return codes(issues)


def test_a_good_row_has_no_issue(tmp_path):
    checked, issues = run_sheet(tmp_path, "staff", "staff", [GOOD_STAFF])
    assert issues == []
    typed = checked[0].frame.iloc[0]
    assert typed["base_salary"] == 300000 and typed["tax_column"] == "甲" and typed["pay_type"] == "monthly"
    assert typed["health_insurance"] is True or typed["health_insurance"] == True  # noqa: E712


def col(field, row=3):
    spec = BOOKS["staff"].sheets["staff"]
    from addin.model import column_letter

    return f"{column_letter(list(spec.columns).index(field) + 1)}{row}"


@pytest.mark.parametrize(
    "changes, field, code",
    [
        ({"name": None}, "name", "required"),
        ({"employee_id": "E_0001"}, "employee_id", "bad_pattern"),
        ({"employee_id": "E0001"}, "employee_id", "duplicate"),
        ({"my_number": "621498320258"}, "my_number", "my_number_check_digit"),
        ({"my_number": "62149832025"}, "my_number", "my_number_format"),
        ({"my_number": "621498320257"}, "my_number", "duplicate"),
        ({"tax_column": "丙"}, "tax_column", "not_in_enum"),
        ({"dependents": -1}, "dependents", "below_min"),
        ({"dependents": 21}, "dependents", "above_max"),
        ({"dependents": "two"}, "dependents", "not_a_number"),
        ({"dependents": 1.5}, "dependents", "not_an_integer"),
        ({"base_salary": "30万"}, "base_salary", "not_a_number"),
        ({"birth_date": "令和8年13月1日"}, "birth_date", "not_a_date"),
        ({"bank_code": "12345"}, "bank_code", "bad_pattern"),
        ({"branch_code": "12A"}, "branch_code", "bad_pattern"),
        ({"account_number": "12345678"}, "account_number", "bad_pattern"),
        ({"account_holder_kana": "山田太郎"}, "account_holder_kana", "zengin_kana"),
        ({"account_holder_kana": "ﾔﾏﾀﾞ" * 10}, "account_holder_kana", "too_long"),
        ({"health_insurance": "maybe"}, "health_insurance", "not_a_boolean"),
        ({"leave_date": date(2009, 1, 1)}, "leave_date", "date_order"),
        ({"hire_date": date(1990, 1, 1)}, "hire_date", "min_years_between"),
        ({"base_salary": None}, "base_salary", "required_when"),
        ({"pay_type": "時給"}, "hourly_rate", "required_when"),
        ({"account_type": None}, "account_type", "all_or_none"),
    ],
)
def test_each_staff_rule_points_at_its_cell(tmp_path, changes, field, code):
    assert staff_issues(tmp_path, **changes) == [(col(field), code)]


def test_bank_codes_typed_as_numbers_keep_their_zeros(tmp_path):
    assert staff_issues(tmp_path, bank_code=5, branch_code=1, account_number=123) == []


def test_messages_are_bilingual_and_personal_data_masked(tmp_path):
    _, issues = run_sheet(tmp_path, "staff", "staff", [{**GOOD_STAFF, "my_number": "621498320258"}])
    (issue,) = issues
    assert issue.message_ja == "マイナンバーのチェックデジットが不正です"
    assert issue.message_en == "My Number check digit is wrong"
    assert "621498320258" not in issue.value and issue.value.endswith("58")
    assert issue.location() == f"staff.xlsx!Staff 従業員!{col('my_number', 2)}"


def test_required_when_names_the_choice_as_people_type_it(tmp_path):
    # the rule says `when: {pay_type: monthly}`; the person typed 月給, so ja shows 月給, en the English word
    _, issues = run_sheet(tmp_path, "staff", "staff", [{**GOOD_STAFF, "base_salary": None}])
    (issue,) = issues
    assert issue.message_ja == "給与形態が月給のため基本給が必要です"
    assert issue.message_en == "base salary is required because pay type is monthly"
    _, (hourly,) = run_sheet(tmp_path, "staff", "staff", [{**GOOD_STAFF, "pay_type": "時給"}])
    assert "給与形態が時給のため" in hourly.message_ja and "monthly" not in hourly.message_ja + hourly.message_en


def test_english_headers_are_recognised(tmp_path):
    checked, issues = run_sheet(tmp_path, "staff", "staff", [GOOD_STAFF], lang="en")
    assert issues == [] and checked[0].frame.loc[0, "employee_id"] == "E0001"


def test_registration_number_check_digit(tmp_path):
    vendor = {"vendor_id": "V1", "name": "株式会社テスト", "registration_number": "T7000012050002"}
    _, ok = run_sheet(tmp_path, "vendors", "vendors", [vendor])
    assert ok == []
    _, bad = run_sheet(tmp_path, "vendors", "vendors", [{**vendor, "registration_number": "T2835678256246"}])
    assert codes(bad) == [("C2", "registration_number_check_digit")]
    _, short = run_sheet(tmp_path, "vendors", "vendors", [{**vendor, "registration_number": "7000012050002"}])
    assert codes(short) == [("C2", "registration_number_format")]


def test_postal_code_with_or_without_hyphen(tmp_path):
    base = {"customer_id": "C1", "name": "株式会社A", "closing_day": "末"}
    _, good = run_sheet(
        tmp_path,
        "sales",
        "customers",
        [{**base, "postal_code": "100-0005"}, {**base, "customer_id": "C2", "postal_code": "1000005"}],
    )
    assert good == []
    _, bad = run_sheet(tmp_path, "sales", "customers", [{**base, "postal_code": "100-05"}])
    assert codes(bad) == [("D2", "bad_pattern")]


def test_movement_rules(tmp_path):
    good = {"date": "R7.4.1", "sku": "A1", "kind": "入庫", "qty": 10, "unit_cost": "¥120.5"}
    checked, issues = run_sheet(
        tmp_path,
        "stock",
        "movements",
        [
            good,
            {**good, "kind": "出庫", "qty": -3, "unit_cost": None},  # an issue must be positive
            {**good, "unit_cost": None},  # a receipt needs its cost
            {**good, "kind": "調整", "qty": -2, "unit_cost": None},  # an adjustment may be negative
        ],
    )
    assert codes(issues) == [("D3", "not_positive"), ("E4", "required_when")]
    assert str(checked[0].frame.loc[0, "unit_cost"]) == "120.5"


def test_attendance_duplicate_month_and_overtime_split(tmp_path):
    row = {
        "employee_id": "E1",
        "month": "2025/4",
        "work_days": 20,
        "work_hours": 160,
        "overtime_hours": 70,
        "overtime_over60_hours": 10,
    }
    _, issues = run_sheet(
        tmp_path,
        "staff",
        "attendance",
        [row, {**row, "month": "令和7年4月"}, {**row, "month": "2025-05", "overtime_over60_hours": 80}],
    )
    assert codes(issues) == [("B3", "duplicate_key"), ("F4", "not_greater")]


def test_same_po_must_keep_one_vendor(tmp_path):
    line = {"po_no": "PO1", "date": "2025/4/1", "vendor_id": "V1", "sku": "A", "qty": 1, "unit_cost": 10}
    _, issues = run_sheet(tmp_path, "vendors", "purchase_orders", [line, {**line, "sku": "B", "vendor_id": "V2"}])
    assert codes(issues) == [("C3", "inconsistent_in_key")]


def test_many_identical_mistakes_are_summarised(tmp_path, monkeypatch):
    import addin.validate.report as report

    monkeypatch.setattr(report, "ISSUES_PER_KIND", 5)
    rows = [{"date": "bad", "sku": "A", "kind": "入庫", "qty": 1, "unit_cost": 1} for _ in range(12)]
    _, issues = run_sheet(tmp_path, "stock", "movements", rows)
    assert [i.code for i in issues].count("not_a_date") == 5
    assert issues[-1].code == "too_many" and "7" in issues[-1].message_en


@pytest.mark.parametrize(
    "kind, value, code",
    [
        ("decimal", Decimal("-0.01"), "below_min"),
        ("decimal", Decimal("0"), None),
        ("decimal", Decimal("999.99"), None),
        ("decimal", Decimal("1000"), "above_max"),
        ("decimal", Decimal("1.234"), "too_many_decimals"),
        ("decimal", Decimal("1.230"), None),  # a trailing zero is not a digit kept
        ("yen", -1, "below_min"),
        ("yen", 999, None),
        ("yen", 1000, "above_max"),
        ("integer", 0, None),
    ],
)
def test_a_number_column_is_judged_by_its_bounds_and_decimals(kind, value, code):
    """A number column with only bounds (and decimals) to check takes a judge of its own, without the
    text and date questions; the verdicts are the ones the schema states."""
    decimal = kind == "decimal"
    spec = ColumnSpec(name="price", kind=kind, min=0, max=999.99 if decimal else 999, decimals=2 if decimal else None)
    judge = value_check(spec)
    assert judge is not None and judge(value) == code
