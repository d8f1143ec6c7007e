"""The books engine on in-memory data: each source's entry worked by hand, balances, reversals,
the trial balance and the posted-journal store."""

from __future__ import annotations

import os
import sqlite3
from datetime import date

import pytest

from addin.books import Entry, Source, UnbalancedEntry, chart_of, reversal_of
from addin.books.journal import credit, debit, make_entry
from addin.books.ledger import balance_of, tax_on_books, trial_balance
from addin.books.sources import (
    BooksSettings,
    VendorFacts,
    bill_entries,
    invoice_entries,
    payment_entries,
    payroll_entries,
    stock_entries,
)
from addin.rulebook import RuleNotInForce, load_rulebook
from addin.state.journal import JournalStore

RULES = load_rulebook()
CHART = chart_of(RULES.settings["books"])
EXCLUSIVE, INCLUSIVE = BooksSettings(), BooksSettings(tax_accounting="inclusive")


def lines_of(entry: Entry) -> set[tuple]:
    return {(ln.side, ln.account, ln.sub, ln.amount, ln.tax) for ln in entry.lines}


# ── payroll ──────────────────────────────────────────────────────────────────────────────────────

PAYSLIP = {
    "employee_id": "E0001",
    "gross_pay": 312_000,
    "withholding_tax": 7_070,
    "health_insurance": 15_000,
    "nursing_insurance": 0,
    "child_support_levy": 0,
    "pension": 27_450,
    "employment_insurance": 1_716,
    "resident_tax": 12_300,
    "total_deductions": 63_536,
    "net_pay": 248_464,
}


def test_payroll_month_for_one_employee_worked_by_hand():
    summary = {
        "month": "2026-03",
        "pay_date": "2026-04-24",
        "employees": [PAYSLIP],
        "totals": {
            "gross_pay": 312_000,
            "employer_health_insurance": 15_000,
            "employer_pension": 27_450,
            "employer_child_contribution": 1_129,
            "employer_employment_insurance": 2_964,
        },
    }
    staff, employer = payroll_entries(summary, set(), EXCLUSIVE, "out/payroll/2026-03/summary.json")
    assert staff.date == date(2026, 4, 24) and staff.entry_id == "payroll:2026-03:E0001"
    # 312,000 = 7,070 + 12,300 + (15,000 + 27,450) + 1,716 + 248,464
    assert lines_of(staff) == {
        ("debit", "salaries", "", 312_000, "out_of_scope"),
        ("credit", "withholdings", "income_tax", 7_070, "out_of_scope"),
        ("credit", "withholdings", "resident_tax", 12_300, "out_of_scope"),
        ("credit", "withholdings", "social_insurance", 15_000, "out_of_scope"),
        ("credit", "withholdings", "social_insurance", 27_450, "out_of_scope"),
        ("credit", "withholdings", "employment_insurance", 1_716, "out_of_scope"),
        ("credit", "bank", "", 248_464, "out_of_scope"),
    }
    assert all(ln.party == "E0001" for ln in staff.lines)
    assert staff.source.document == "out/payroll/2026-03/summary.json"
    # 15,000 + 27,450 + 1,129 + 2,964 = 46,543 (法定福利費 / 未払費用)
    assert lines_of(employer) == {
        ("debit", "welfare", "", 46_543, "out_of_scope"),
        ("credit", "accrued_expenses", "", 46_543, "out_of_scope"),
    }


def test_the_year_end_settlement_in_the_december_pay_moves_income_tax_held():
    """年末調整 in the last pay: a refund is paid out of 預り金（源泉所得税）, a collection adds to it;
    the pay's own withholding is untouched (the same payslip, 1,200 refunded or 3,000 collected)."""
    refund = {**PAYSLIP, "year_end_refund": 1_200, "total_deductions": 63_536 - 1_200, "net_pay": 248_464 + 1_200}
    [staff] = payroll_entries(
        {"month": "2025-11", "pay_date": "2025-12-25", "employees": [refund], "totals": {}}, set(), EXCLUSIVE, "x"
    )
    assert ("debit", "withholdings", "income_tax", 1_200, "out_of_scope") in lines_of(staff)
    assert ("credit", "bank", "", 249_664, "out_of_scope") in lines_of(staff)
    assert not [ln for ln in staff.lines if ln.sub == "other_deductions"]
    collect = {**PAYSLIP, "year_end_collection": 3_000, "total_deductions": 63_536 + 3_000, "net_pay": 248_464 - 3_000}
    [staff] = payroll_entries(
        {"month": "2025-11", "pay_date": "2025-12-25", "employees": [collect], "totals": {}}, set(), EXCLUSIVE, "x"
    )
    income_tax = sorted(ln.amount for ln in staff.lines if ln.sub == "income_tax" and ln.side == "credit")
    assert income_tax == [3_000, 7_070] and not [ln for ln in staff.lines if ln.sub == "other_deductions"]


def test_directors_pay_and_net_pay_accrued_by_setting():
    summary = {"month": "2026-03", "pay_date": "2026-04-24", "employees": [PAYSLIP], "totals": {}}
    [entry] = payroll_entries(summary, {"E0001"}, BooksSettings(net_pay="accrued"), "x")
    assert ("debit", "directors_pay", "", 312_000, "out_of_scope") in lines_of(entry)
    assert ("credit", "accrued", "", 248_464, "out_of_scope") in lines_of(entry)


def test_a_payslip_whose_figures_do_not_add_up_is_refused():
    wrong = dict(PAYSLIP, net_pay=248_465, total_deductions=63_536)
    with pytest.raises(UnbalancedEntry):
        payroll_entries({"month": "2026-03", "pay_date": "2026-04-24", "employees": [wrong]}, set(), EXCLUSIVE, "x")


# ── invoices and credit notes ────────────────────────────────────────────────────────────────────

INVOICE = {
    "kind": "invoice",
    "invoice_no": "INV-000007",
    "issue_date": "2026-03-31",
    "customer": {"customer_id": "C001", "name": "株式会社桜商事"},
    "by_rate": {"10": {"subtotal": 123_456, "tax": 12_345}, "8": {"subtotal": 54_321, "tax": 4_345}},
    "total": 194_467,
}


def test_invoice_with_both_rates_worked_by_hand():
    [entry] = invoice_entries([INVOICE], EXCLUSIVE)
    # 123,456 + 12,345 + 54,321 + 4,345 = 194,467
    assert lines_of(entry) == {
        ("debit", "accounts_receivable", "株式会社桜商事", 194_467, "out_of_scope"),
        ("credit", "sales", "", 123_456, "sales_10"),
        ("credit", "output_tax", "", 12_345, "sales_10"),
        ("credit", "sales", "", 54_321, "sales_8"),
        ("credit", "output_tax", "", 4_345, "sales_8"),
    }
    assert entry.entry_id == "invoice:INV-000007" and entry.date == date(2026, 3, 31)


def test_invoice_under_tax_inclusive_accounting_has_no_tax_lines():
    [entry] = invoice_entries([INVOICE], INCLUSIVE)
    assert lines_of(entry) == {
        ("debit", "accounts_receivable", "株式会社桜商事", 194_467, "out_of_scope"),
        ("credit", "sales", "", 135_801, "sales_10"),
        ("credit", "sales", "", 58_666, "sales_8"),
    }
    assert {ln.tax_amount for ln in entry.lines if ln.account == "sales"} == {12_345, 4_345}


def test_credit_note_books_the_other_way_round():
    note = dict(
        INVOICE,
        kind="credit_note",
        invoice_no="INV-000009",
        issue_date="2026-04-08",
        total=-194_467,
        by_rate={"10": {"subtotal": -123_456, "tax": -12_345}, "8": {"subtotal": -54_321, "tax": -4_345}},
    )
    [entry] = invoice_entries([note], EXCLUSIVE)
    assert entry.entry_id == "credit_note:INV-000009" and entry.source.kind == "credit_note"
    assert lines_of(entry) == {
        ("credit", "accounts_receivable", "株式会社桜商事", 194_467, "out_of_scope"),
        ("debit", "sales", "", 123_456, "sales_10"),
        ("debit", "output_tax", "", 12_345, "sales_10"),
        ("debit", "sales", "", 54_321, "sales_8"),
        ("debit", "output_tax", "", 4_345, "sales_8"),
    }
    both = invoice_entries([INVOICE], EXCLUSIVE) + [entry]
    assert all(row.closing == 0 for row in trial_balance(both, CHART, date(2026, 1, 1), date(2026, 12, 31)))


# ── bills ────────────────────────────────────────────────────────────────────────────────────────


def bill(day: date, amount=100_000, tax=10_000, rate="10", vendor="V9", fee=False) -> dict:
    return {
        "bill_no": f"B-{day:%m%d}",
        "vendor_id": vendor,
        "bill_date": day,
        "amount_excl_tax": amount,
        "tax_rate": rate,
        "tax": tax,
        "is_fee": fee,
        "cell": "vendors.xlsx!Bills 仕入請求!A5",
    }


UNREGISTERED = {"V9": VendorFacts("山田商店", registered=False)}


@pytest.mark.parametrize(
    "day, creditable, category",
    [
        (date(2025, 4, 30), 8_000, "purchase_10_80"),
        (date(2026, 9, 30), 8_000, "purchase_10_80"),  # the last day of the 80 % period
        (date(2026, 10, 1), 5_000, "purchase_10_50"),  # the first day of the 50 % period
        (date(2029, 9, 30), 5_000, "purchase_10_50"),
        (date(2029, 10, 1), 0, "purchase_10_0"),
    ],
)
def test_bill_from_an_unregistered_supplier_by_transitional_period(day, creditable, category):
    [entry] = bill_entries([bill(day)], UNREGISTERED, CHART, RULES, EXCLUSIVE, "vendors.xlsx")
    # the tax not creditable is part of the cost: 100,000 + (10,000 − creditable)
    expected = {
        ("debit", "purchases", "", 110_000 - creditable, category),
        ("debit", "input_tax", "", creditable, category),
        ("credit", "accounts_payable", "山田商店", 110_000, "out_of_scope"),
    }
    assert lines_of(entry) == {line for line in expected if line[3]}
    assert entry.lines[0].cell == "vendors.xlsx!Bills 仕入請求!A5"


def test_unregistered_reduced_rate_credit_is_rounded_down():
    [entry] = bill_entries([bill(date(2026, 9, 30), 97_213, 7_777, "8")], UNREGISTERED, CHART, RULES, EXCLUSIVE, "x")
    # 7,777 × 80 % = 6,221.6 → 6,221 (1円未満切捨て); cost 97,213 + 1,556
    assert ("debit", "input_tax", "", 6_221, "purchase_8_80") in lines_of(entry)
    assert ("debit", "purchases", "", 98_769, "purchase_8_80") in lines_of(entry)


def test_registered_supplier_fee_bill_goes_to_professional_fees_in_full():
    vendors = {"V2": VendorFacts("佐藤デザイン事務所", registered=True, individual=True)}
    [entry] = bill_entries([bill(date(2026, 3, 10), vendor="V2", fee=True)], vendors, CHART, RULES, EXCLUSIVE, "x")
    assert lines_of(entry) == {
        ("debit", "professional_fees", "", 100_000, "purchase_10"),
        ("debit", "input_tax", "", 10_000, "purchase_10"),
        ("credit", "accounts_payable", "佐藤デザイン事務所", 110_000, "out_of_scope"),
    }


def test_a_bill_before_any_credit_rule_is_a_clear_error():
    with pytest.raises(RuleNotInForce, match="consumption_tax.unregistered_credit_ratio"):
        bill_entries([bill(date(2023, 9, 30))], UNREGISTERED, CHART, RULES, EXCLUSIVE, "x")


# ── vendor payments ──────────────────────────────────────────────────────────────────────────────

PAYMENT = {"vendor_id": "V2", "bills": "B-1, B-2", "amount": 110_000, "withholding": 10_210, "fee": 0, "net": 99_790}


def test_vendor_payment_with_withholding_and_a_fee_the_company_bears():
    [entry] = payment_entries(
        date(2026, 4, 30), [PAYMENT], {"V2": "佐藤デザイン事務所"}, {"V2": 660}, RULES, EXCLUSIVE, "p"
    )
    # 660 yen fee, tax inside 660 × 10/110 = 60
    assert lines_of(entry) == {
        ("debit", "accounts_payable", "佐藤デザイン事務所", 110_000, "out_of_scope"),
        ("credit", "withholdings", "income_tax", 10_210, "out_of_scope"),
        ("credit", "bank", "", 99_790, "out_of_scope"),
        ("debit", "bank_fees", "", 600, "purchase_10"),
        ("debit", "input_tax", "", 60, "purchase_10"),
        ("credit", "bank", "", 660, "out_of_scope"),
    }


def test_vendor_payment_with_a_fee_the_vendor_bears():
    row = dict(PAYMENT, fee=660, net=99_130)
    [entry] = payment_entries(date(2026, 4, 30), [row], {}, {}, RULES, EXCLUSIVE, "p")
    # the bank takes 99,130 + 660 from the account; the vendor's claim of 110,000 is settled in full
    assert lines_of(entry) == {
        ("debit", "accounts_payable", "V2", 110_000, "out_of_scope"),
        ("credit", "withholdings", "income_tax", 10_210, "out_of_scope"),
        ("credit", "bank", "", 99_790, "out_of_scope"),
    }


# ── stock ────────────────────────────────────────────────────────────────────────────────────────


def test_month_end_stock_and_its_reversal():
    closing, opening = stock_entries(date(2026, 3, 31), 1_234_567, "out/stock/2026-03-31/stock.json")
    assert (closing.date, opening.date) == (date(2026, 3, 31), date(2026, 4, 1))
    assert lines_of(closing) == {
        ("debit", "inventory", "", 1_234_567, "out_of_scope"),
        ("credit", "closing_inventory", "", 1_234_567, "out_of_scope"),
    }
    assert lines_of(opening) == {
        ("debit", "opening_inventory", "", 1_234_567, "out_of_scope"),
        ("credit", "inventory", "", 1_234_567, "out_of_scope"),
    }
    both = [closing, opening]
    assert balance_of(both, CHART, "inventory", date(2026, 3, 31)) == 1_234_567
    assert balance_of(both, CHART, "inventory", date(2026, 4, 1)) == 0
    assert stock_entries(date(2026, 3, 31), 0, "x") == []


# ── entries, reversals, trial balance ────────────────────────────────────────────────────────────


def test_an_unbalanced_entry_is_refused():
    with pytest.raises(UnbalancedEntry):
        make_entry("x", date(2026, 1, 1), "x", Source("test", "t", "d"), [debit("bank", 100), credit("sales", 99)])


def test_reversal_cancels_every_line():
    [entry] = invoice_entries([INVOICE], EXCLUSIVE)
    undo = reversal_of(entry, "invoice:INV-000007~reversed", "source changed")
    assert undo.reverses == entry.entry_id and undo.balanced
    assert all(row.closing == 0 for row in trial_balance([entry, undo], CHART, date(2026, 1, 1), date(2026, 12, 31)))


def test_trial_balance_opening_movements_and_closing():
    march = invoice_entries([INVOICE], EXCLUSIVE)
    april = invoice_entries([dict(INVOICE, invoice_no="INV-000008", issue_date="2026-04-15")], EXCLUSIVE)
    rows = {r.account: r for r in trial_balance(march + april, CHART, date(2026, 4, 1), date(2026, 4, 30))}
    receivable = rows["accounts_receivable"]
    assert (receivable.opening, receivable.debit, receivable.credit, receivable.closing) == (
        194_467,
        194_467,
        0,
        388_934,
    )
    assert (rows["sales"].opening, rows["sales"].credit, rows["sales"].closing) == (177_777, 177_777, 355_554)
    assert sum(r.debit for r in rows.values()) == sum(r.credit for r in rows.values())


def test_tax_on_the_books_by_month_in_both_accounting_methods():
    for settings in (EXCLUSIVE, INCLUSIVE):
        entries = invoice_entries([INVOICE], settings) + bill_entries(
            [bill(date(2026, 3, 5))], UNREGISTERED, CHART, RULES, settings, "x"
        )
        books = tax_on_books(entries, date(2026, 3, 1), date(2026, 3, 31), settings.exclusive)
        assert books["2026-03"]["output_tax"] == 16_690
        assert books["2026-03"]["input_tax"] == (8_000 if settings.exclusive else 10_000)


# ── the journal store: append-only ───────────────────────────────────────────────────────────────


def test_posting_twice_adds_nothing_and_a_change_is_reversed_then_reposted(tmp_path):
    store = JournalStore(tmp_path / ".backoffice" / "state.db")
    first = invoice_entries([INVOICE], EXCLUSIVE) + stock_entries(date(2026, 3, 31), 500, "s")
    assert len(store.post(first, "run 1").added) == 3
    again = store.post(first, "run 2")
    assert (again.added, again.reversed, again.unchanged) == ([], [], 3)
    changed = stock_entries(date(2026, 3, 31), 600, "s")
    posting = store.post(changed, "run 3")
    assert [e.entry_id for e in posting.reversed] == ["stock:2026-03-31~reversed", "stock-reversal:2026-03-31~reversed"]
    assert [e.entry_id for e in posting.added] == ["stock:2026-03-31#2", "stock-reversal:2026-03-31#2"]
    everything = store.entries()
    assert len(everything) == 7 and all(e.balanced for e in everything)
    assert balance_of(everything, CHART, "inventory", date(2026, 3, 31)) == 600
    assert store.post(changed, "run 4").unchanged == 2
    assert oct(os.stat(tmp_path / ".backoffice" / "state.db").st_mode & 0o777) == "0o600"
    store.close()


def test_posted_entries_cannot_be_changed_or_deleted(tmp_path):
    path = tmp_path / "state.db"
    store = JournalStore(path)
    store.post(invoice_entries([INVOICE], EXCLUSIVE), "run")
    store.close()
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):
        db.execute("UPDATE journal_entries SET content = '{}'")
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        db.execute("DELETE FROM journal_entries")
    db.close()


def test_company_chart_override_renames_an_account(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "my_chart.yaml").write_text(
        "books:\n  accounts:\n    salaries: {name: 給料手当, code: '7410'}\n", encoding="utf-8"
    )
    chart = chart_of(load_rulebook(tmp_path).settings["books"])
    assert (chart.account("salaries").name, chart.account("salaries").code) == ("給料手当", "7410")
    assert chart.account("salaries").normal == "debit"  # the rest of the product's definition stays
    assert chart.account("bank").name == "普通預金"
