"""Bonus payroll and applied receipts in the journal, worked by hand on in-memory data; the receipt
entries through the journal store (posted once, never edited)."""

from __future__ import annotations

from datetime import date

from addin.books import Entry, chart_of
from addin.books.ledger import trial_balance
from addin.books.sources import BooksSettings, bonus_entries, payroll_entries, receipt_entries
from addin.receivables.aging import Receipt
from addin.receivables.journal import receipt_journal
from addin.receivables.matching import Allocation
from addin.rulebook import load_rulebook
from addin.state.journal import JournalStore

RULES = load_rulebook()
CHART = chart_of(RULES.settings["books"])
EXCLUSIVE, INCLUSIVE = BooksSettings(), BooksSettings(tax_accounting="inclusive")


def lines_of(entry: Entry) -> set[tuple]:
    return {(ln.side, ln.account, ln.sub, ln.amount, ln.tax) for ln in entry.lines}


# ── bonus ────────────────────────────────────────────────────────────────────────────────────────

# a 500,000 bonus: 健康保険 24,900 and 厚生年金 45,750 on the standard bonus 500,000, 雇用保険 3,000;
# 源泉所得税 on (500,000 − 73,650) = 426,350 at 4.084 % = 17,412.1 → 17,412 (切捨て);
# deductions 24,900 + 45,750 + 3,000 + 17,412 = 91,062; net 500,000 − 91,062 = 408,938
BONUS_LINE = {
    "employee_id": "E0002",
    "bonus_amount": 500_000,
    "nontaxable_amount": 0,
    "health_insurance": 24_900,
    "nursing_insurance": 0,
    "child_support_levy": 0,
    "pension": 45_750,
    "employment_insurance": 3_000,
    "social_insurance": 73_650,
    "taxable_amount": 426_350,
    "withholding_tax": 17_412,
    "total_deductions": 91_062,
    "net_pay": 408_938,
}
BONUS = {
    "kind": "bonus",
    "pay_date": "2025-12-10",
    "employees": [BONUS_LINE],
    "totals": {
        "bonus_amount": 500_000,
        "net_pay": 408_938,
        "employer_health_insurance": 24_900,
        "employer_pension": 45_750,
        "employer_child_contribution": 1_800,
        "employer_employment_insurance": 4_750,
    },
}


def test_bonus_for_one_employee_worked_by_hand():
    staff, employer = bonus_entries(BONUS, set(), EXCLUSIVE, "out/bonus/2025-12-10/summary.json")
    assert staff.entry_id == "bonus:2025-12-10:E0002" and staff.date == date(2025, 12, 10)
    assert staff.source.kind == "bonus" and staff.source.document == "out/bonus/2025-12-10/summary.json"
    assert lines_of(staff) == {
        ("debit", "bonuses", "", 500_000, "out_of_scope"),
        ("credit", "withholdings", "income_tax", 17_412, "out_of_scope"),
        ("credit", "withholdings", "social_insurance", 24_900, "out_of_scope"),
        ("credit", "withholdings", "social_insurance", 45_750, "out_of_scope"),
        ("credit", "withholdings", "employment_insurance", 3_000, "out_of_scope"),
        ("credit", "bank", "", 408_938, "out_of_scope"),
    }
    assert not any(ln.sub == "resident_tax" for ln in staff.lines)  # no 住民税 is taken from a bonus
    # 24,900 + 45,750 + 1,800 + 4,750 = 77,200 (法定福利費 / 未払費用)
    assert employer.entry_id == "bonus-employer:2025-12-10"
    assert lines_of(employer) == {
        ("debit", "welfare", "", 77_200, "out_of_scope"),
        ("credit", "accrued_expenses", "", 77_200, "out_of_scope"),
    }
    assert CHART.account("bonuses").name == "賞与" and CHART.account("directors_bonus").name == "役員賞与"


def test_a_directors_bonus_with_net_pay_accrued_and_the_summary_routed_by_its_kind():
    staff, _ = payroll_entries(BONUS, {"E0002"}, BooksSettings(net_pay="accrued"), "out/bonus/2025-12-10/summary.json")
    assert ("debit", "directors_bonus", "", 500_000, "out_of_scope") in lines_of(staff)
    assert ("credit", "accrued", "", 408_938, "out_of_scope") in lines_of(staff)


# ── receipts ─────────────────────────────────────────────────────────────────────────────────────

NAMES = {"C001": "株式会社みなと商事", "C002": "有限会社さくら"}


def test_receipt_with_the_transfer_fee_the_customer_kept_worked_by_hand():
    # INV-000007 for 110,000; 109,340 arrived: the customer kept a 660 fee (tax included, 660 × 10/110 = 60)
    receipt = Receipt(
        "L-2025-05-30-001", date(2025, 5, 30), 109_340, (Allocation("INV-000007", "C001", 110_000, 660),), "auto"
    )
    (entry,) = receipt_entries(receipt_journal([receipt]), NAMES, RULES, EXCLUSIVE)
    assert entry.entry_id == "receipt:L-2025-05-30-001" and entry.date == date(2025, 5, 30)
    assert entry.source.kind == "receipt" and entry.source.document == "L-2025-05-30-001"
    assert lines_of(entry) == {
        ("debit", "bank", "", 109_340, "out_of_scope"),
        ("debit", "bank_fees", "", 600, "purchase_10"),
        ("debit", "input_tax", "", 60, "purchase_10"),
        ("credit", "accounts_receivable", "株式会社みなと商事", 110_000, "out_of_scope"),
    }
    receivable = next(ln for ln in entry.lines if ln.account == "accounts_receivable")
    assert receivable.memo == "INV-000007" and receivable.party == "C001"  # traceable to the invoice
    (inclusive,) = receipt_entries(receipt_journal([receipt]), NAMES, RULES, INCLUSIVE)
    assert ("debit", "bank_fees", "", 660, "purchase_10") in lines_of(inclusive)
    assert not any(ln.account == "input_tax" for ln in inclusive.lines)


def test_an_overpayment_leaves_an_advance_in_maeukekin():
    # INV-000012 for 55,000 paid with 60,000: 5,000 beyond the open invoices is 前受金 of the customer
    receipt = Receipt(
        "L-2025-06-30-004",
        date(2025, 6, 30),
        60_000,
        (Allocation("INV-000012", "C002", 55_000), Allocation("", "C002", 5_000)),
        "confirmed",
    )
    (entry,) = receipt_entries(receipt_journal([receipt]), NAMES, RULES, EXCLUSIVE)
    assert lines_of(entry) == {
        ("debit", "bank", "", 60_000, "out_of_scope"),
        ("credit", "accounts_receivable", "有限会社さくら", 55_000, "out_of_scope"),
        ("credit", "advances_received", "有限会社さくら", 5_000, "out_of_scope"),
    }
    assert entry.source.run == "receipts (confirmed)"
    rows = {r.account: r for r in trial_balance([entry], CHART, date(2025, 4, 1), date(2026, 3, 31))}
    assert rows["advances_received"].closing == 5_000 and rows["advances_received"].name == "前受金"


def test_receipts_post_once_through_the_journal_store(tmp_path):
    receipt = Receipt("L-1", date(2025, 5, 30), 109_340, (Allocation("INV-000007", "C001", 110_000, 660),))
    entries = receipt_entries(receipt_journal([receipt]), NAMES, RULES, EXCLUSIVE)
    store = JournalStore(tmp_path / "state.db")
    try:
        assert len(store.post(entries, "books").added) == 1
        again = store.post(receipt_entries(receipt_journal([receipt]), NAMES, RULES, EXCLUSIVE), "books")
        assert again.added == [] and again.unchanged == 1
        # the customer renamed in the register: the old entry is reversed, the new one posted, nothing edited
        renamed = store.post(
            receipt_entries(receipt_journal([receipt]), {"C001": "株式会社ミナト"}, RULES, EXCLUSIVE), "books"
        )
        assert [e.reverses for e in renamed.reversed] == ["receipt:L-1"]
        assert [e.entry_id for e in renamed.added] == ["receipt:L-1#2"]
        assert store.count() == 3
    finally:
        store.close()


def test_a_bonus_closed_again_with_other_figures_is_reversed_and_reposted_never_edited(tmp_path):
    store = JournalStore(tmp_path / "state.db")
    try:
        store.post(bonus_entries(BONUS, set(), EXCLUSIVE, "out/bonus/2025-12-10/summary.json"), "books")
        assert (
            store.post(bonus_entries(BONUS, set(), EXCLUSIVE, "out/bonus/2025-12-10/summary.json"), "books").added == []
        )
        # reopened and closed again: 1,000 more withholding, 1,000 less net pay
        changed = {
            **BONUS,
            "employees": [{**BONUS_LINE, "withholding_tax": 18_412, "total_deductions": 92_062, "net_pay": 407_938}],
        }
        posting = store.post(bonus_entries(changed, set(), EXCLUSIVE, "out/bonus/2025-12-10/summary.json"), "books")
        assert [e.reverses for e in posting.reversed] == ["bonus:2025-12-10:E0002"]
        assert [e.entry_id for e in posting.added] == ["bonus:2025-12-10:E0002#2"]
        first = store.get("bonus:2025-12-10:E0002")
        assert ("credit", "bank", "", 408_938, "out_of_scope") in lines_of(first)  # the posted one is kept as it was
        rows = {r.account: r for r in trial_balance(store.entries(), CHART, date(2025, 4, 1), date(2026, 3, 31))}
        assert rows["bank"].credit - rows["bank"].debit == 407_938
        assert rows["withholdings"].closing == 18_412 + 24_900 + 45_750 + 3_000
    finally:
        store.close()
