"""The books of the demo company: every run's output journalised, balanced, tied to the product's
own totals, posted once, corrected by reversal, written and read back."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date

import openpyxl
import pytest

from addin.books import chart_of
from addin.books.ledger import balance_of, sub_balances
from addin.cli.main import main
from addin.services.bonus import run_bonus
from addin.services.books import run_books, state_path
from addin.services.company import load_company
from addin.services.invoicing import run_invoices
from addin.services.payroll import run_payroll
from addin.services.stock import run_stock
from addin.state.journal import JournalStore

YEAR = (date(2025, 4, 1), date(2026, 3, 31))


@pytest.fixture(scope="module")
def demo_books(invoiced_demo, tmp_path_factory):
    """The demo after its month end: a year of invoices (conftest), March payroll, the winter bonus, stock
    and payments at 2026-03-31 (nothing closed: every run is journaled)."""
    root = tmp_path_factory.mktemp("books") / "company"
    shutil.copytree(invoiced_demo, root)
    company = load_company(root)
    assert run_payroll(company, date(2026, 3, 1)).exit_code == 0
    assert run_bonus(company, date(2025, 12, 10)).exit_code == 0
    assert run_stock(company, date(2026, 3, 31)).exit_code == 0
    return root


@pytest.fixture
def books(demo_books, tmp_path):
    root = tmp_path / "company"
    shutil.copytree(demo_books, root)
    return root


def test_the_year_balances_and_ties_to_the_products_own_totals(books):
    company = load_company(books)
    run = run_books(company, *YEAR, export="yayoi")
    assert run.issues == [] and run.exit_code == 0
    assert run.journal and all(entry.balanced for entry in run.journal)
    assert sum(e.debits for e in run.journal) == sum(e.credits for e in run.journal)
    rows = {r.account: r for r in run.balances}
    assert sum(r.debit for r in rows.values()) == sum(r.credit for r in rows.values())

    payroll = json.loads((books / "out/payroll/2026-03/summary.json").read_text(encoding="utf-8"))["totals"]
    # the March payroll is paid in April: outside this year, inside the next period
    assert rows["salaries"].debit + rows["directors_pay"].debit == 0
    bonus = json.loads((books / "out/bonus/2025-12-10/summary.json").read_text(encoding="utf-8"))["totals"]
    assert rows["bonuses"].debit + rows["directors_bonus"].debit == bonus["bonus_amount"]
    assert rows["directors_bonus"].debit > 0 and rows["bonuses"].debit > 0
    assert rows["welfare"].debit == sum(v for k, v in bonus.items() if k.startswith("employer_"))
    bonus_subs = sub_balances([e for e in run.journal if e.source.kind == "bonus"], YEAR[1])
    assert -bonus_subs[("withholdings", "income_tax")] == bonus["withholding_tax"]
    assert (
        -bonus_subs[("withholdings", "social_insurance")] == bonus["social_insurance"] - bonus["employment_insurance"]
    )
    assert -bonus_subs[("bank", "")] == bonus["net_pay"]
    april = run_books(company, date(2026, 4, 1), date(2026, 4, 30), write=False)
    april_rows = {r.account: r for r in april.balances}
    assert april_rows["salaries"].debit + april_rows["directors_pay"].debit == payroll["gross_pay"]
    assert april_rows["directors_pay"].debit > 0
    assert april_rows["welfare"].debit == sum(v for k, v in payroll.items() if k.startswith("employer_"))
    everything = JournalStore(books / ".backoffice/state.db").entries()
    subs = sub_balances([e for e in everything if e.source.kind == "payroll"], date(2026, 4, 30))
    assert -subs[("withholdings", "income_tax")] == payroll["withholding_tax"]
    assert -subs[("withholdings", "resident_tax")] == payroll["resident_tax"]
    assert -subs[("withholdings", "employment_insurance")] == payroll["employment_insurance"]
    assert -subs[("withholdings", "social_insurance")] == sum(
        payroll.get(k, 0) for k in ("health_insurance", "nursing_insurance", "child_support_levy", "pension")
    )
    assert -subs[("bank", "")] == payroll["net_pay"]

    invoices = json.loads((books / "out/invoices/summary.json").read_text(encoding="utf-8"))["invoices"]
    assert rows["sales"].closing == sum(v for i in invoices for v in i["subtotal_by_rate"].values())
    assert rows["output_tax"].closing == sum(v for i in invoices for v in i["tax_by_rate"].values())
    assert rows["accounts_receivable"].closing == sum(i["total"] for i in invoices)

    stock = json.loads((books / "out/stock/2026-03-31/stock.json").read_text(encoding="utf-8"))
    assert rows["inventory"].closing == stock["total_value"] > 0

    tax = json.loads((books / "out/tax/summary.json").read_text(encoding="utf-8"))["months"]
    assert rows["input_tax"].closing - _fee_tax(run.journal) == sum(m["input_tax_creditable"] for m in tax)
    assert run.tax and all(r["difference"] == 0 for r in run.tax)
    assert any(ln.tax.endswith("_80") for e in run.journal for ln in e.lines)  # unregistered suppliers booked

    payments = json.loads((books / "out/payments/2026-03-31/payments.json").read_text(encoding="utf-8"))
    paid = [e for e in run.journal if e.source.kind == "payment"]
    assert len(paid) == len(payments["payments"])
    assert sum(ln.amount for e in paid for ln in e.lines if ln.account == "accounts_payable") == sum(
        p["amount"] for p in payments["payments"]
    )


def _fee_tax(journal) -> int:
    return sum(ln.amount for e in journal if e.source.kind == "payment" for ln in e.lines if ln.account == "input_tax")


def test_rerun_adds_nothing_and_a_changed_bill_is_reversed_not_edited(books):
    company = load_company(books)
    first = run_books(company, *YEAR, write=False)
    assert first.posting.added and not first.posting.reversed
    again = run_books(company, *YEAR, write=False)
    assert again.posting.added == [] and again.posting.unchanged == len(first.posting.added)

    wb = openpyxl.load_workbook(books / "vendors.xlsx")
    ws = wb["Bills 仕入請求"]
    header = [c.value for c in ws[1]]
    amount_col, tax_col = header.index("税抜金額") + 1, header.index("消費税額") + 1
    bill_no = ws.cell(2, header.index("請求書番号") + 1).value
    ws.cell(2, amount_col).value += 1000
    ws.cell(2, tax_col).value += 100
    wb.save(books / "vendors.xlsx")

    corrected = run_books(load_company(books), *YEAR, write=False)
    assert [e.reverses.split(":")[-1] for e in corrected.posting.reversed] == [bill_no]
    assert [e.entry_id.endswith("#2") for e in corrected.posting.added] == [True]
    assert corrected.exit_code == 0 and all(r["difference"] == 0 for r in corrected.tax)
    before = {r.account: r for r in first.balances}
    after = {r.account: r for r in corrected.balances}
    assert after["accounts_payable"].closing - before["accounts_payable"].closing == 1100
    assert len(corrected.journal) == len(first.journal) + 2


def test_a_credit_note_and_its_replacement_are_booked_and_still_tie(books):
    company = load_company(books)
    run_books(company, *YEAR, write=False)
    assert run_invoices(company, date(2026, 3, 31), correct="INV-000001", on=date(2026, 3, 31)).exit_code == 0
    run = run_books(load_company(books), *YEAR, write=False)
    kinds = [e.source.kind for e in run.posting.added]
    assert kinds.count("credit_note") == 1 and kinds.count("invoice") >= 1 and not run.posting.reversed
    invoices = json.loads((books / "out/invoices/summary.json").read_text(encoding="utf-8"))["invoices"]
    rows = {r.account: r for r in run.balances}
    assert rows["accounts_receivable"].closing == sum(i["total"] for i in invoices)
    assert run.exit_code == 0


def test_command_writes_the_workbook_and_an_export_that_reads_back(books):
    assert main(["books", str(books), "--from", "2025-04-01", "--to", "2026-03-31", "--format", "mf"]) == 0
    folder = books / "out/books/2025-04-01_2026-03-31"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert {p.name for p in folder.iterdir()} == {"books.xlsx", "books.json", "journal_mf.csv"}
    summary = json.loads((folder / "books.json").read_text(encoding="utf-8"))
    data = (folder / "journal_mf.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("cp932"), newline="")))
    assert data.count(b"\r\n") == len(rows) + 1
    assert len({r["取引No"] for r in rows}) == summary["entries"]
    assert (
        sum(int(r["借方金額(円)"] or 0) for r in rows)
        == sum(int(r["貸方金額(円)"] or 0) for r in rows)
        == summary["debits"]
    )

    formulas = openpyxl.load_workbook(folder / "books.xlsx")
    cached = openpyxl.load_workbook(folder / "books.xlsx", data_only=True)
    assert formulas.sheetnames == ["仕訳帳", "残高試算表", "月次推移", "補助科目残高", "消費税チェック"]
    tb, tb_values = formulas["残高試算表"], cached["残高試算表"]
    total_row = next(r for r in range(3, tb.max_row + 1) if tb.cell(r, 2).value == "合計")
    assert str(tb.cell(total_row, 5).value).startswith("=SUM(")
    assert (
        tb_values.cell(total_row, 5).value
        == tb_values.cell(total_row, 6).value
        == sum(r["debit"] for r in summary["trial_balance"])
    )
    closing = {tb_values.cell(r, 2).value: tb_values.cell(r, 7).value for r in range(3, total_row)}
    assert closing == {r["name"]: r["closing"] for r in summary["trial_balance"]}
    difference_row = next(r for r in range(total_row, tb.max_row + 1) if str(tb.cell(r, 2).value).startswith("差額"))
    assert tb_values.cell(difference_row, 7).value == 0


def test_bad_period_and_bad_chart_are_located_refusals(books, capsys):
    assert main(["books", str(books), "--from", "2026-04-01", "--to", "2026-03-31"]) == 2
    (books / "rules").mkdir(exist_ok=True)
    (books / "rules" / "broken.yaml").write_text(
        "books:\n  accounts:\n    bank: {normal: sideways}\n", encoding="utf-8"
    )
    assert main(["books", str(books), "--from", "2025-04-01", "--to", "2026-03-31"]) == 2
    assert "books.accounts.bank" in capsys.readouterr().out


def test_account_balance_as_of_a_day(books):
    company = load_company(books)
    run_books(company, *YEAR, write=False)
    chart = chart_of(company.rulebook.settings["books"])
    entries = JournalStore(books / ".backoffice/state.db").entries()
    stock = json.loads((books / "out/stock/2026-03-31/stock.json").read_text(encoding="utf-8"))
    assert balance_of(entries, chart, "inventory", date(2026, 3, 31)) == stock["total_value"]


def test_nightly_view_of_what_is_not_journalised_yet(books):
    from addin.services.books import account_balance, unposted

    company = load_company(books)
    missing = unposted(company, date(2026, 4, 30))
    assert {m["kind"] for m in missing} >= {"payroll", "invoice", "bill", "payment", "stock"}
    run_books(company, date(2025, 4, 1), date(2026, 4, 30), write=False)
    assert unposted(company, date(2026, 4, 30)) == []
    stock = json.loads((books / "out/stock/2026-03-31/stock.json").read_text(encoding="utf-8"))
    assert account_balance(company, "商品", date(2026, 3, 31)) == stock["total_value"]
    assert account_balance(company, "inventory", date(2026, 4, 1)) == 0


def test_a_damaged_run_output_is_named_not_a_traceback(books):
    summary = books / "out/payroll/2026-03/summary.json"
    data = json.loads(summary.read_text(encoding="utf-8"))
    del data["employees"][0]["net_pay"]
    summary.write_text(json.dumps(data), encoding="utf-8")
    run = run_books(load_company(books), *YEAR, write=False)
    assert run.exit_code == 2 and [i.code for i in run.issues] == ["unreadable_output"]
    assert run.issues[0].book.endswith("summary.json")


def _settings(root, text: str) -> None:
    with open(root / "backoffice.toml", "a", encoding="utf-8") as toml:
        toml.write(text)


def test_a_company_that_closes_payroll_journals_closed_months_only(books):
    """Once the history holds a close, an unclosed month or bonus stays out, named in a warning;
    closing it later journals it; `[books] payroll = "all"` takes every run."""
    company = load_company(books)
    assert run_payroll(company, date(2026, 2, 1), close=True).exit_code == 0
    run = run_books(company, date(2025, 4, 1), date(2026, 4, 30), write=False)
    kinds = {(e.source.kind, e.source.run) for e in run.journal}
    assert ("payroll", "payroll 2026-02") in kinds
    assert not any(run_ == "payroll 2026-03" or kind == "bonus" for kind, run_ in kinds)
    (warning,) = [i for i in run.issues if i.code == "payroll_not_closed"]
    assert "賞与 2025-12-10" in warning.message_ja and "給与 2026-03" in warning.message_ja and run.exit_code == 0
    # the closed month comes from the history, so it ties to what was closed
    closed = json.loads((books / "out/payroll/2026-02/summary.json").read_text(encoding="utf-8"))["totals"]
    february = [e for e in run.journal if e.source.run == "payroll 2026-02"]
    assert (
        sum(ln.amount for e in february for ln in e.lines if ln.account in ("salaries", "directors_pay"))
        == closed["gross_pay"]
    )

    assert run_bonus(company, date(2025, 12, 10), close=True).exit_code == 0
    later = run_books(company, date(2025, 4, 1), date(2026, 4, 30), write=False)
    assert {e.source.kind for e in later.posting.added} == {"bonus"} and not later.posting.reversed
    (warning,) = [i for i in later.issues if i.code == "payroll_not_closed"]
    assert "賞与 2025-12-10" not in warning.message_ja and "給与 2026-03" in warning.message_ja

    _settings(books, '\n[books]\npayroll = "all"\n')
    every = run_books(load_company(books), date(2025, 4, 1), date(2026, 4, 30), write=False)
    assert {e.source.run for e in every.posting.added} == {"payroll 2026-03"}
    assert not any(i.code == "payroll_not_closed" for i in every.issues)
    again = run_books(load_company(books), date(2025, 4, 1), date(2026, 4, 30), write=False)
    assert again.posting.added == [] and again.posting.reversed == []


def test_applied_receipts_are_journaled_traceable_and_tie_to_the_register(books):
    from addin.services.receivables import run_receivables, store_of, write_demo_statements

    company = load_company(books)
    write_demo_statements(company, date(2026, 3, 31))
    run_receivables(company, date(2026, 3, 31))
    store = store_of(company)
    try:
        applied = store.applied_rows()
        line_ids = {ln.line_id for ln in store.lines()}
    finally:
        store.close()
    assert applied and any(r["fee"] for r in applied)  # (an overpayment is worked in test_books_bonus_receipts)
    run = run_books(company, *YEAR, write=False)
    assert run.exit_code == 0 and all(e.balanced for e in run.journal)
    receipts = [e for e in run.journal if e.source.kind == "receipt"]
    assert len(receipts) == len({r["line_id"] for r in applied}) and {e.source.document for e in receipts} <= line_ids
    cleared = {ln.memo for e in receipts for ln in e.lines if ln.account == "accounts_receivable"}
    assert cleared == {r["invoice_no"] for r in applied if r["invoice_no"]}

    rows = {r.account: r for r in run.balances}
    invoices = json.loads((books / "out/invoices/summary.json").read_text(encoding="utf-8"))["invoices"]
    paid = sum(r["amount"] for r in applied if r["invoice_no"])
    assert rows["accounts_receivable"].closing == sum(i["total"] for i in invoices) - paid
    assert rows["advances_received"].closing == sum(r["amount"] for r in applied if not r["invoice_no"])
    fees = sum(r["fee"] for r in applied)
    assert rows["bank_fees"].debit == fees - sum(
        ln.amount for e in receipts for ln in e.lines if ln.account == "input_tax"
    ) + sum(ln.amount for e in run.journal if e.source.kind == "payment" for ln in e.lines if ln.account == "bank_fees")
    assert all(r["difference"] == 0 for r in run.tax)  # the fee's tax is not an invoice's or a bill's
    again = run_books(load_company(books), *YEAR, write=False)
    assert again.posting.added == [] and again.posting.reversed == []


def test_account_balance_takes_a_sub_account_by_its_display_name(books):
    from addin.services.books import account_balance

    company = load_company(books)
    run_books(company, date(2025, 4, 1), date(2026, 4, 30), write=False)
    bonus = json.loads((books / "out/bonus/2025-12-10/summary.json").read_text(encoding="utf-8"))["totals"]
    december = date(2025, 12, 31)
    assert account_balance(company, "預り金", december, "源泉所得税") == bonus["withholding_tax"] > 0
    assert account_balance(company, "預り金", december, "源泉所得税") == account_balance(
        company, "2150", december, "income_tax"
    )
    assert account_balance(company, "賞与", december) == account_balance(company, "bonuses", december) > 0
    assert account_balance(company, "預り金", december, "住民税") == 0  # no resident tax on a bonus


def test_account_balance_summed_by_sqlite_equals_the_ledger_for_every_account_and_sub(books):
    from addin.services.books import account_balance

    company = load_company(books)
    run_books(company, *YEAR, write=False)
    chart = chart_of(company.rulebook.settings["books"])
    entries = JournalStore(books / ".backoffice/state.db").entries()
    for day in (date(2025, 12, 10), date(2026, 3, 31)):
        for account in chart.accounts:
            assert account_balance(company, account, day) == balance_of(entries, chart, account, day)
        for account, sub in sub_balances(entries, day):
            assert account_balance(company, account, day, sub) == balance_of(entries, chart, account, day, sub)


def test_no_entry_is_posted_from_a_staff_sheet_with_an_error(books, capsys):
    """A 雇用区分 mistyped is read as empty: the director's pay would be posted as 給与手当, and an entry
    once posted is never edited. The run stops at the cell instead, posting nothing."""
    path = books / "staff.xlsx"
    wb = openpyxl.load_workbook(path)
    staff = wb["Staff 従業員"]
    header = [c.value for c in staff[1]]
    column = header.index("雇用区分") + 1
    director = next(r for r in range(2, staff.max_row + 1) if staff.cell(r, column).value == "役員")
    staff.cell(director, column).value = "役員（取締役）"
    wb.save(path)
    company = load_company(books)
    run = run_books(company, *YEAR)
    assert [(i.code, i.cell) for i in run.issues] == [("not_in_enum", f"{chr(64 + column)}{director}")]
    assert run.posting is None and JournalStore(state_path(company)).entries() == []
    capsys.readouterr()
