"""`backoffice receivables` on the demo year: real workbooks, real statement files, the register."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import stat
from collections import Counter

import openpyxl
import pytest

from addin.cli.main import main
from addin.receivables.kana import payer_key
from addin.receivables.statement import DEPOSIT, StatementLine
from addin.receivables.zengin import zengin_statement
from addin.services.company import load_company
from addin.services.invoicing import run_invoices
from addin.services.receivables import (
    fees_in_force,
    receivables_findings,
    run_receivables,
    store_of,
    write_demo_statements,
)

YEAR_END = dt.date(2026, 3, 31)


@pytest.fixture(scope="module")
def demo_year(invoiced_demo, tmp_path_factory):
    """The demo company with the year's invoices issued (conftest), its bank statements written and matched once."""
    root = tmp_path_factory.mktemp("receivables") / "company"
    shutil.copytree(invoiced_demo, root)
    company = load_company(root)
    bank = write_demo_statements(company, YEAR_END)
    run = run_receivables(company, YEAR_END)
    return root, bank, run


@pytest.fixture
def company_copy(demo_year, tmp_path):
    root, bank, _ = demo_year
    target = tmp_path / "company"
    shutil.copytree(root, target)
    return load_company(target), bank


def _report(root) -> dict:
    return json.loads(
        (root / "out" / "receivables" / YEAR_END.isoformat() / "receivables.json").read_text(encoding="utf-8")
    )


def test_every_planted_deposit_is_matched_or_proposed_as_planted(demo_year):
    root, bank, run = demo_year
    report = _report(root)
    outcome = {}
    for m in report["matches"]:
        outcome.setdefault((m["date"], m["amount"], payer_key(m["payer"])), []).append(
            (m["status"], tuple(a["invoice_no"] for a in m["allocations"] if a["invoice_no"]))
        )
    cases = Counter(d.case for d in bank.deposits)
    assert {
        "exact",
        "fee_deducted",
        "combined",
        "split_first",
        "split_second",
        "overpayment",
        "other_payer",
        "name_cut_short",
        "second_transfer_name",
        "legal_form_after",
        "shared_name",
        "unknown_payer",
    } <= set(cases)
    for deposit in bank.deposits:
        got = outcome[(deposit.date.isoformat(), deposit.amount, payer_key(deposit.payer))].pop(0)
        assert got == (deposit.status, deposit.invoices), deposit
    assert report["counts"]["unmatched"] == cases["unknown_payer"] == 4
    assert report["counts"]["matched"] == sum(1 for d in bank.deposits if d.status == "matched")
    assert report["counts"]["proposed"] == sum(1 for d in bank.deposits if d.status == "proposed")
    kinds = {m["kind"] for m in report["matches"] if m["status"] == "proposed"}
    assert {"partial", "overpayment", "amount_only"} <= kinds


def test_statement_files_overlap_and_layouts(demo_year):
    root, bank, run = demo_year
    by_file = {item["file"]: item for item in run.imported}
    h1, h2, csv = (
        by_file["bank/nyushukkin_2025H1.txt"],
        by_file["bank/nyushukkin_2025H2.txt"],
        by_file["bank/netbank_2025-04_2026-03.csv"],
    )
    september = sum(1 for d in bank.deposits if d.account == "zengin" and d.date.month == 9) + 1  # + rent
    assert h2["lines"] - h2["new_lines"] == september > 1  # September is in both files, stored once
    assert (h1["layout"], csv["layout"]) == ("zengin", "sbi")
    store = store_of(load_company(root))
    try:
        assert len(store.lines()) == len(bank.deposits) + len(bank.withdrawals)
    finally:
        store.close()


def test_outputs_reopen_and_are_owner_only(demo_year):
    root, bank, run = demo_year
    folder = root / "out" / "receivables" / YEAR_END.isoformat()
    wb = openpyxl.load_workbook(folder / "receivables.xlsx", read_only=True)
    assert wb.sheetnames == [
        "概要 Summary",
        "提案 Proposals",
        "未消込 Unmatched",
        "消込済 Applied",
        "未入金 Aging",
        "得意先別 By customer",
        "得意先元帳 Statements",
        "仕訳 Journal",
    ]
    unmatched = list(wb["未消込 Unmatched"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[8] for r in unmatched) == sorted(d.payer for d in bank.deposits if d.status == "unmatched")
    proposals = list(wb["提案 Proposals"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in proposals} == {m.line_id for m in run.matches if m.status == "proposed"}
    aging = list(wb["未入金 Aging"].iter_rows(min_row=2, values_only=True))
    assert sum(r[6] for r in aging) == sum(a.open for a in run.aged) > 0
    assert any(r[8] == "91日以上超過" for r in aging)  # the late payer stopped in December
    wb.close()
    for path in (folder, folder / "receivables.xlsx", folder / "receivables.json", root / ".backoffice" / "state.db"):
        assert stat.S_IMODE(path.stat().st_mode) in (0o600, 0o700)
    report = _report(root)
    for entry in report["journal"]:
        debit = sum(ln["amount"] for ln in entry["lines"] if ln["side"] == "debit")
        assert debit == sum(ln["amount"] for ln in entry["lines"] if ln["side"] == "credit")
    fees = [ln for e in report["journal"] for ln in e["lines"] if ln["account"] == "支払手数料"]
    assert len(fees) == sum(1 for d in bank.deposits if d.case == "fee_deducted")


def test_a_rerun_adds_nothing_and_reports_the_same(demo_year, tmp_path):
    root, bank, run = demo_year
    before = _report(root)
    again = run_receivables(load_company(root), YEAR_END, write=False)
    assert {item["status"] for item in again.imported} == {"already_imported"}
    assert again.count("matched") == 0
    assert [(m.line_id, m.status, m.allocations) for m in again.matches] == [
        (m.line_id, m.status, m.allocations) for m in run.matches if m.status != "matched"
    ]
    assert sum(a.open for a in again.aged) == sum(i["open"] for i in before["open_invoices"])


def test_a_truncated_file_is_refused_whole_then_imported_when_complete(company_copy):
    company, bank = company_copy
    april = [
        StatementLine("", dt.date(2026, 4, d), DEPOSIT, 1000 * d, "ｶ)ﾐﾁﾉｸｼﾖｳｶｲ", reference=str(900 + d))
        for d in (1, 2, 3)
    ]
    whole = zengin_statement("0009", "001", "1", "1234567", "", april, dt.date(2026, 4, 4))
    (company.root / "bank" / "nyushukkin_2026-04.txt").write_bytes(whole[:-300])
    run = run_receivables(company, dt.date(2026, 4, 30), write=False)
    [issue] = run.issues
    assert issue.book == "bank/nyushukkin_2026-04.txt" and issue.code == "statement_truncated"
    assert issue.cell == "line 5, byte 808" and "取り込んでいません" in issue.message_ja
    assert run.exit_code == 1
    store = store_of(company)
    assert not [ln for ln in store.lines() if ln.date.year == 2026 and ln.date.month == 4]
    store.close()
    (company.root / "bank" / "nyushukkin_2026-04.txt").write_bytes(whole)
    run = run_receivables(company, dt.date(2026, 4, 30), write=False)
    assert run.issues == [] and [i["new_lines"] for i in run.imported if i["status"] == "imported"] == [3]


def test_a_wrong_record_length_and_a_bad_csv_are_located(company_copy):
    company, _ = company_copy
    records = zengin_statement(
        "0009",
        "001",
        "1",
        "1234567",
        "",
        [StatementLine("", dt.date(2026, 4, 1), DEPOSIT, 5000, "ﾃｽﾄ")],
        dt.date(2026, 4, 2),
    ).split(b"\r\n")
    records[1] = records[1] + b"  "
    (company.root / "bank" / "long.txt").write_bytes(b"\r\n".join(records))
    header = "取引日,入出金(円),取引後残高(円),入出金内容\n".encode("cp932")  # 楽天銀行's layout, MS932
    (company.root / "bank" / "other.csv").write_bytes(header + "2026/04/01,abc,1,x\n".encode("cp932"))
    run = run_receivables(company, dt.date(2026, 4, 30), write=False)
    assert sorted((i.book, i.code, i.cell) for i in run.issues) == [
        ("bank/long.txt", "statement_record_length", "line 2, byte 202"),
        ("bank/other.csv", "statement_not_a_number", f"line 2, byte {len(header)}"),
    ]


def _put_receipts(root, rows):
    path = root / "sales.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Receipts 入金"]
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_confirmations_in_the_receipts_sheet_apply_and_teach_payer_names(company_copy):
    company, bank = company_copy
    report = _report(company.root)
    proposals = [m for m in report["matches"] if m["status"] == "proposed"]
    other = next(m for m in proposals if m["kind"] == "amount_only")
    rows = [
        [m["line_id"], "消込", a["invoice_no"] or None, a["customer_id"], a["amount"], a["fee"] or None, "確認済"]
        for m in proposals
        for a in m["allocations"]
    ]
    unknown = next(m for m in report["matches"] if m["status"] == "unmatched")
    rows.append([unknown["line_id"], "対象外", None, None, None, None, "還付金"])
    bad_line = next(m for m in report["matches"] if m["status"] == "unmatched" and m["line_id"] != unknown["line_id"])
    rows.append([bad_line["line_id"], "消込", None, "C0001", bad_line["amount"] + 1, None, "金額違い"])
    _put_receipts(company.root, rows)
    run = run_receivables(company, YEAR_END)
    assert run.confirmed == len(proposals) and run.count("proposed") == 0
    [issue] = run.issues
    assert (issue.sheet, issue.code, issue.cell[:1]) == ("Receipts 入金", "receipt_does_not_add_up", "E")
    assert run.count("unmatched") == 3  # of the four unknown payers one was set aside
    store = store_of(company)
    try:
        assert (payer_key(other["payer"]), other["customer_id"]) in store.learned()
        assert other["line_id"] in store.settled_line_ids() and unknown["line_id"] in store.settled_line_ids()
    finally:
        store.close()
    applied = {r["line_id"]: r for r in _report(company.root)["applied"]}
    assert applied[other["line_id"]]["source"] == "confirmed"
    advance = next(m for m in proposals if m["kind"] == "overpayment")
    journal = [e for e in _report(company.root)["journal"] if e["line_id"] == advance["line_id"]][0]
    assert [ln["account"] for ln in journal["lines"]] == ["普通預金", "売掛金", "前受金"]


def test_nightly_findings(company_copy):
    company, bank = company_copy
    findings = receivables_findings(company, YEAR_END)
    assert len([f for f in findings["receivables_unmatched"] if "未消込" in f["message_ja"]]) == 4
    assert len(findings["receivables_credit_limit"]) == 4  # the late payers (one in ten customers)
    assert all(f["key"].startswith("INV-") for f in findings["receivables_overdue"]) and findings["receivables_overdue"]
    assert findings["receivables_input"] == []


def test_command_line(demo_year, tmp_path, capsys):
    root, _, _ = demo_year
    assert main(["receivables", str(root), "--as-of", "2026-03-31"]) == 1  # proposals await a person
    out = capsys.readouterr().out
    assert "自動消込 0 件" in out and "未消込 4 件" in out  # everything was applied before
    assert main(["receivables", str(tmp_path / "nowhere")]) == 2
    assert main(["receivables", str(root), "--as-of", "2026-13-01"]) == 2


def test_fees_of_every_rule_in_force_over_the_deposits(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "fees.yaml").write_text(
        "parameters:\n  receivables.transfer_fees:\n    values:\n"
        "      - {effective_from: 2026-01-01, value: [500], source: 'test: a new fee from 2026'}\n",
        encoding="utf-8",
    )
    company = load_company(tmp_path)
    assert 500 not in fees_in_force(company, dt.date(2025, 4, 1), dt.date(2025, 12, 31))
    both = fees_in_force(company, dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert 500 in both and 660 in both


def test_a_paid_invoice_corrected_later_leaves_nothing_owed(company_copy):
    """INV-000001 was paid by transfer; then it is corrected (credit note + replacement of the same
    amount): the customer paid once, the replacement is not open, the open total does not move."""
    company, _ = company_copy
    before = run_receivables(company, YEAR_END)
    paid = {i.invoice_no: i for i in before.invoices}
    assert "INV-000001" not in paid or paid["INV-000001"].open == 0
    open_before = sum(i.open for i in before.invoices if i.open > 0)
    correction = run_invoices(company, YEAR_END, correct="INV-000001", on=dt.date(2025, 5, 8))
    assert correction.exit_code == 0
    after = run_receivables(load_company(company.root), YEAR_END)
    replacement = [i for i in after.invoices if i.invoice_no not in paid and i.invoice_no != "INV-000001"]
    assert len(replacement) == 1 and replacement[0].open == 0
    assert sum(i.open for i in after.invoices if i.open > 0) == open_before
