"""Payroll line items declared once (addin/payroll/items.py): the lists every output reads, and the
change story — a new deduction is one `Item` plus the line computing its column, and the register,
the slip (PDF and sheet), summary.json and the totals follow with no other edit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import openpyxl
import pytest
from pypdf import PdfReader

from addin.outputs.payroll_books import write_payslip_book, write_register
from addin.outputs.payslip import bonus_slip_lines, lines_for, payslip_pdf
from addin.payroll import bonus as bonus_engine
from addin.payroll import run as engine
from addin.payroll.items import BONUS, MONTHLY, Group, Item, Layout
from addin.payroll.run import Payroll
from addin.services.payroll import SUMMARY_FIELDS, employee_lines
from tests.payroll_helpers import payroll_of, person

SOCIAL = ["health_insurance", "nursing_insurance", "child_support_levy", "pension", "employment_insurance"]


def test_the_engines_lists_come_from_the_declaration():
    assert engine.SOCIAL == bonus_engine.SOCIAL == SOCIAL
    assert engine.DEDUCTIONS == SOCIAL + ["withholding_tax", "resident_tax"]  # the year-end lines only when settled
    assert MONTHLY.fields(Group.DEDUCTION) == engine.DEDUCTIONS + ["year_end_refund", "year_end_collection"]
    assert [i.field for i in BONUS.deductions()] == SOCIAL + ["withholding_tax"]
    # summary.json keeps the field names (and order) DESIGN.md lists
    assert SUMMARY_FIELDS[:14] == [
        "employee_id",
        "gross_pay",
        "taxable_amount",
        "dependents",
        "tax_column",
        "withholding_tax",
        *SOCIAL,
        "resident_tax",
        "total_deductions",
        "net_pay",
    ]
    assert MONTHLY.summary_fields()[-2:] == ["year_end_refund", "year_end_collection"]
    labels = {i.field: (i.ja, i.slip_label) for i in MONTHLY.items}
    assert labels["child_support_levy"] == ("支援金", "子ども・子育て支援金")
    assert labels["year_end_refund"] == ("年末調整還付", "年末調整還付")


def test_a_layout_refuses_a_field_twice_or_an_unknown_summary_key():
    twice = MONTHLY.items + (MONTHLY.items[-1],)
    for items, order in ((twice, MONTHLY.summary_order), (MONTHLY.items, MONTHLY.summary_order + ("savings",))):
        with pytest.raises(ValueError, match="broken"):
            Layout("broken", items, MONTHLY.slip_blocks, order)


# the change story: 財形貯蓄 (an after-tax deduction) added by one declaration and its computation
SAVINGS = Item(
    "savings", "財形貯蓄", "employee savings plan", Group.DEDUCTION, slip="控除", register=True, summary=True
)


def _with_savings() -> Layout:
    items = list(MONTHLY.items)
    items.insert(items.index(next(i for i in items if i.field == "resident_tax")) + 1, SAVINGS)  # the declaration
    return replace(MONTHLY, items=tuple(items))


def test_adding_a_deduction_touches_the_declaration_and_its_computation(bare_company, tmp_path):
    payroll = payroll_of(bare_company, [person()], date(2025, 11, 1))
    layout = _with_savings()
    frame = payroll.employees.copy()
    frame["savings"] = 10_000  # its computation
    frame["total_deductions"] = layout.total_deductions(frame)
    frame["net_pay"] = frame["gross_pay"] - frame["total_deductions"]
    before = payroll.employees.iloc[0]
    after = frame.iloc[0]
    assert after["total_deductions"] == before["total_deductions"] + 10_000
    assert after["net_pay"] == before["net_pay"] - 10_000
    assert layout.pre_tax == SOCIAL  # after tax: the withholding is unchanged
    assert layout.totals(frame)["savings"] == 10_000
    line = employee_lines(frame, layout)[0]
    assert line["savings"] == 10_000 and list(line)[:3] == ["employee_id", "gross_pay", "taxable_amount"]
    register = write_register(tmp_path / "register.xlsx", frame, "台帳", layout)
    head = list(openpyxl.load_workbook(register, read_only=True)["賃金台帳"].iter_rows(values_only=True))[2]
    assert head[head.index("住民税") + 1] == "財形貯蓄"
    lines = lines_for(layout)
    assert ("財形貯蓄", "10,000") in lines(frame.iloc[0].to_dict())["控除"]
    book = write_payslip_book(tmp_path / "slips.xlsx", frame, "社", payroll.month, payroll.pay_date, lines=lines)
    cells = [c for r in openpyxl.load_workbook(book, read_only=True)["E1"].iter_rows(values_only=True) for c in r]
    assert "財形貯蓄" in cells
    pdf = payslip_pdf(frame.iloc[0].to_dict(), "社", payroll.month, payroll.pay_date, lines=lines)
    (tmp_path / "E1.pdf").write_bytes(pdf)
    assert "財形貯蓄" in PdfReader(tmp_path / "E1.pdf").pages[0].extract_text()
    # the month as it stands carries none of it
    assert "savings" not in Payroll(payroll.month, payroll.pay_date, payroll.premium_month, payroll.employees).totals()


def test_the_bonus_slip_reads_the_bonus_layout():
    row = {
        "standard_bonus": 500_000,
        "health_standard_bonus": 500_000,
        "pension_standard_bonus": 500_000,
        "previous_month_pay": None,
        "withholding_rate": "1/6",
        "bonus_amount": 500_400,
        "nontaxable_amount": 0,
        **{k: 1_000 for k in SOCIAL},
        "withholding_tax": 20_000,
        "total_deductions": 25_000,
    }
    lines = bonus_slip_lines(row)
    assert list(lines) == ["算定基礎", "支給", "控除"]
    assert lines["算定基礎"] == [
        ("標準賞与額", "500,000"),
        ("健保の対象額", "500,000"),
        ("厚年の対象額", "500,000"),
        ("前月の社保控除後給与", ""),
        ("算出率", "1/6"),
    ]
    assert lines["支給"] == [("賞与", "500,400"), ("総支給額", "500,400")]
    assert lines["控除"][-2:] == [("所得税", "20,000"), ("控除合計", "25,000")]
