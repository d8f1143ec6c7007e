"""Money in: import new bank statement files from DIR/bank/, apply the confirmations typed in the
Receipts 入金 sheet, match the remaining deposits to open invoices, and report who owes what.

Applied receipts (automatic or confirmed) are stored in .backoffice/state.db and never changed;
proposals are recomputed on every run until a person confirms them. The invoice register is only
read (InvoiceRegister.all()).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pandas as pd

from addin.demo.generate import bank_year
from addin.model import Issue, Severity
from addin.model.issues import exit_code, fatal
from addin.outputs.atomic import write_bytes
from addin.outputs.receivables_book import write_receivables_book
from addin.outputs.receivables_json import write_receivables_json
from addin.outputs.staging import staged_folder
from addin.receivables.aging import (
    BUCKETS,
    AgedInvoice,
    Receipt,
    age,
    aging_by_customer,
    customer_statement,
    over_credit_limit,
)
from addin.receivables.bankcsv import parse_bank_csv
from addin.receivables.journal import receipt_journal
from addin.receivables.kana import payer_key
from addin.receivables.matching import (
    Allocation,
    Deposit,
    Match,
    MatchSettings,
    OpenInvoice,
    PayerIndex,
    match_deposits,
)
from addin.receivables.statement import DEPOSIT, WITHDRAWAL, ParsedStatement, StatementError, StatementLine, identify
from addin.receivables.zengin import parse_zengin, zengin_statement
from addin.rulebook import RuleNotInForce
from addin.services.company import Company
from addin.services.validation import BookOpener, open_company_book, validate_company
from addin.state import InvoiceRegister
from addin.state.receipts import ReceiptStore

BANK_FOLDER = "bank"


@dataclass
class ReceivablesRun:
    as_of: date
    issues: list[Issue] = field(default_factory=list)
    imported: list[dict] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    confirmed: int = 0
    aged: list[AgedInvoice] = field(default_factory=list)
    over_limit: list[dict] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    applied: list[dict] = field(default_factory=list)  # every applied allocation up to as_of, with its line
    invoices: list[OpenInvoice] = field(default_factory=list)
    customers: dict[str, dict] = field(default_factory=dict)
    folder: Path | None = None

    def count(self, status: str) -> int:
        return sum(1 for m in self.matches if m.status == status)

    @property
    def exit_code(self) -> int:
        waiting = self.count("proposed") + self.count("unmatched") + len(self.over_limit)
        return max(exit_code(self.issues), 1 if waiting else 0)


def store_of(company: Company) -> ReceiptStore:
    return ReceiptStore(company.paths.db)


def _settings(company: Company, on: date) -> tuple[MatchSettings, dict]:
    own = company.settings.get("receivables", {})
    tuning = company.rulebook.value("receivables.matching", on)
    fees = own.get("transfer_fees") or company.rulebook.value("receivables.transfer_fees", on)
    settings = MatchSettings(
        fees=tuple(int(f) for f in fees),
        auto_confidence=Decimal(str(own.get("auto_confidence", tuning["auto_confidence"]))),
        subset_invoices=int(tuning["subset_invoices"]),
        subset_steps=int(tuning["subset_steps"]),
    )
    return settings, company.rulebook.settings.get("bank_formats", {})


def fees_in_force(company: Company, first: date, last: date) -> tuple[int, ...]:
    """Every transfer fee in force on some day from `first` to `last` (the deposits' span): a deposit
    made before a fee change may be short by the old fee."""
    parameter = company.rulebook.parameter("receivables.transfer_fees")
    days = {first, last} | {v.effective_from for v in parameter.values if first <= v.effective_from <= last}
    return tuple(sorted({int(fee) for day in days for fee in parameter.value_on(day).value}))


# ---- statement files --------------------------------------------------------------------------


def parse_statement_file(name: str, raw: bytes, formats: dict, today: date | None = None) -> ParsedStatement:
    """A 全銀 fixed-length file (by extension, or content starting with a header record "103") or a CSV."""
    zengin = formats.get("zengin", {})
    suffix = Path(name).suffix.lower()
    if suffix in zengin.get("extensions", [".txt", ".dat"]) or (suffix != ".csv" and raw[:3] == b"103"):
        return parse_zengin(raw, str(zengin.get("year_style", "wareki")), today)
    return parse_bank_csv(raw, formats.get("csv", {}))


def import_statements(
    company: Company, store: ReceiptStore, formats: dict, today: date | None = None
) -> tuple[list[dict], list[Issue]]:
    """Every file in DIR/bank/ not imported before, each whole or not at all."""
    folder = company.paths.bank
    imported, issues = [], []
    if not folder.is_dir():
        return imported, issues
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~"))):
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        where = f"{BANK_FOLDER}/{path.name}"
        if store.file_imported(digest):
            imported.append({"file": where, "status": "already_imported", "lines": 0, "new_lines": 0})
            continue
        try:
            parsed = parse_statement_file(path.name, raw, formats, today)
        except StatementError as bad:
            issues.append(
                Issue(
                    where,
                    "",
                    f"line {bad.line}, byte {bad.byte}",
                    "",
                    f"statement_{bad.code}",
                    Severity.ERROR,
                    f"{where}: {bad.line} 行目（{bad.byte} バイト目）: {bad.message_ja} — "
                    "このファイルは取り込んでいません",
                    f"{where}: line {bad.line} (byte {bad.byte}): {bad.message_en}"
                    " — nothing from this file was imported",
                )
            )
            imported.append({"file": where, "status": "refused", "lines": 0, "new_lines": 0})
            continue
        lines = identify(parsed.lines)
        new = store.import_lines(digest, where, parsed.layout, parsed.account, lines)
        imported.append(
            {
                "file": where,
                "status": "imported",
                "layout": parsed.layout,
                "lines": len(lines),
                "new_lines": new,
                "first_date": parsed.first_date.isoformat() if parsed.first_date else None,
                "last_date": parsed.last_date.isoformat() if parsed.last_date else None,
            }
        )
    return imported, issues


# ---- invoices and customers -------------------------------------------------------------------


def open_invoices(company: Company, applied: dict[str, int]) -> list[OpenInvoice]:
    """Issued invoices (not credit notes, not corrected ones) less what was applied to them."""
    register = InvoiceRegister(company.paths.db)
    try:
        documents = register.all()
    finally:
        register.close()
    out = []
    carried = carried_receipts(documents, applied)
    for doc in documents:
        if doc["kind"] != "invoice" or doc["status"] != "issued" or doc["total"] <= 0:
            continue
        issued = date.fromisoformat(doc["issue_date"])
        due = date.fromisoformat(doc["due_date"]) if doc.get("due_date") else issued
        paid = applied.get(doc["invoice_no"], 0) + carried.get(doc["invoice_no"], 0)
        out.append(
            OpenInvoice(
                doc["invoice_no"],
                doc["customer"]["customer_id"],
                issued,
                due,
                int(doc["total"]),
                int(doc["total"]) - paid,
            )
        )
    return out


def carried_receipts(documents: list[dict], applied: dict[str, int]) -> dict[str, int]:
    """Money received for an invoice that was then corrected (credit note + replacement) pays its
    replacement: the customer paid once and owes only what the replacement adds. Spread over the
    replacements in number order, each up to what it still has open."""
    by_number = {doc["invoice_no"]: doc for doc in documents}
    left = {
        number: amount
        for number, amount in applied.items()
        if by_number.get(number, {}).get("status", "issued") != "issued"
    }
    carried: dict[str, int] = {}
    for doc in sorted(documents, key=lambda d: d["invoice_no"]):
        if doc["kind"] != "invoice" or doc["status"] != "issued":
            continue
        room = int(doc["total"]) - applied.get(doc["invoice_no"], 0)
        for link in doc.get("links") or []:
            relation, original = link["relation"], link["invoice_no"]
            if relation == "replaces" and left.get(original, 0) > 0 and room > 0:
                moved = min(left[original], room)
                left[original] -= moved
                room -= moved
                carried[doc["invoice_no"]] = carried.get(doc["invoice_no"], 0) + moved
    return carried


def _customers(table) -> dict[str, dict]:
    if table is None:
        return {}
    frame = table.frame
    out = {}
    for record in frame.to_dict("records"):
        if not record.get("customer_id") or pd.isna(record.get("customer_id")):
            continue
        limit = record.get("credit_limit")
        out[str(record["customer_id"])] = {
            "customer_id": str(record["customer_id"]),
            "name": record.get("name") or "",
            "transfer_names": record.get("transfer_names") if isinstance(record.get("transfer_names"), str) else "",
            "credit_limit": None if limit is None or pd.isna(limit) else int(limit),
        }
    return out


# ---- confirmations from the Receipts sheet ----------------------------------------------------


def _receipt_issue(table, position: int, column: str, code: str, ja: str, en: str) -> Issue:
    return Issue(table.book, table.sheet, table.cell(column, position), column, code, Severity.ERROR, ja, en)


def apply_confirmations(
    table, store: ReceiptStore, invoices: list[OpenInvoice], bad_rows: set[int]
) -> tuple[int, list[Issue]]:
    """Rows of the Receipts 入金 sheet for lines not yet settled: checked, then applied together."""
    if table is None or not len(table):
        return 0, []
    frame, issues = table.frame, []
    settled = store.settled_line_ids()
    by_invoice = {i.invoice_no: i for i in invoices}
    groups: dict[str, list[int]] = defaultdict(list)
    for position, line_id in enumerate(frame["line_id"]):
        if isinstance(line_id, str) and int(table.rows[position]) not in bad_rows and line_id not in settled:
            groups[line_id].append(position)
    ready, learned, open_left = [], [], {i.invoice_no: i.open for i in invoices}
    for line_id, positions in groups.items():
        line = store.line(line_id)
        first = positions[0]
        if line is None or line.direction != DEPOSIT:
            issues.append(
                _receipt_issue(
                    table,
                    first,
                    "line_id",
                    "receipt_unknown_line",
                    f"明細ID {line_id} の入金明細がありません",
                    f"no deposit with line id {line_id}",
                )
            )
            continue
        rows = [frame.iloc[p] for p in positions]
        if any(row.get("action") == "ignore" for row in rows):
            store.set_aside(line_id, str(rows[0].get("note") or ""))
            continue
        allocations, problem = _allocations(table, positions, rows, line, by_invoice, open_left)
        if problem:
            issues.append(problem)
            continue
        for allocation in allocations:
            if allocation.invoice_no:
                open_left[allocation.invoice_no] -= allocation.amount
        ready.append((line_id, allocations, "confirmed", "confirmed", "1", str(rows[0].get("note") or "")))
        learned += [(payer_key(line.payer), a.customer_id, line_id) for a in allocations]
    if ready:
        store.apply(ready)
        for key, customer, line_id in set(learned):
            if key:
                store.learn(key, customer, line_id)
    return len(ready), issues


def _yen(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _allocations(table, positions, rows, line, by_invoice, open_left) -> tuple[list[Allocation], Issue | None]:
    allocations = []
    for position, row in zip(positions, rows, strict=True):
        invoice_no = row.get("invoice_no") if isinstance(row.get("invoice_no"), str) else ""
        customer = row.get("customer_id") if isinstance(row.get("customer_id"), str) else ""
        fee = _yen(row.get("fee")) or 0
        amount = _yen(row.get("amount"))
        if amount is None:
            if len(rows) > 1:
                return [], _receipt_issue(
                    table,
                    position,
                    "amount",
                    "receipt_amount_missing",
                    "複数行の消込には各行の消込額が必要です",
                    "each row of a split receipt needs its amount",
                )
            amount = line.amount + fee
        if invoice_no:
            invoice = by_invoice.get(invoice_no)
            if invoice is None:
                return [], _receipt_issue(
                    table,
                    position,
                    "invoice_no",
                    "receipt_unknown_invoice",
                    f"請求書 {invoice_no} は発行済みの未入金の請求書ではありません",
                    f"{invoice_no} is not an issued, unpaid invoice",
                )
            if customer and customer != invoice.customer_id:
                return [], _receipt_issue(
                    table,
                    position,
                    "customer_id",
                    "receipt_customer_mismatch",
                    f"請求書 {invoice_no} の得意先は {invoice.customer_id} です",
                    f"invoice {invoice_no} belongs to {invoice.customer_id}",
                )
            if amount > open_left[invoice_no]:
                return [], _receipt_issue(
                    table,
                    position,
                    "amount",
                    "receipt_over_open",
                    f"消込額 {amount:,} 円が {invoice_no} の未入金額 {open_left[invoice_no]:,} 円を超えています",
                    f"{amount:,} yen is more than the {open_left[invoice_no]:,} yen open on {invoice_no}",
                )
            customer = invoice.customer_id
        elif not customer:
            return [], _receipt_issue(
                table,
                position,
                "customer_id",
                "receipt_customer_missing",
                "請求書番号のない行（前受金）には得意先コードが必要です",
                "a row without an invoice (an advance) needs the customer",
            )
        allocations.append(Allocation(invoice_no, customer, amount, fee))
    received = sum(a.amount - a.fee for a in allocations)
    if received != line.amount:
        return [], _receipt_issue(
            table,
            positions[0],
            "amount",
            "receipt_does_not_add_up",
            f"消込額 − 手数料の合計 {received:,} 円が入金額 {line.amount:,} 円と一致しません",
            f"amounts less fees come to {received:,} yen, the deposit is {line.amount:,} yen",
        )
    return allocations, None


def _bad_rows(issues: list[Issue], sheet: str) -> set[int]:
    return {
        int("".join(ch for ch in i.cell if ch.isdigit()))
        for i in issues
        if i.sheet == sheet and i.severity is Severity.ERROR and any(ch.isdigit() for ch in i.cell)
    }


# ---- the run ----------------------------------------------------------------------------------


def run_receivables(
    company: Company,
    as_of: date,
    opener: BookOpener = open_company_book,
    progress: Callable[[str], None] = lambda _: None,
    write: bool = True,
    today: date | None = None,
) -> ReceivablesRun:
    run = ReceivablesRun(as_of)
    progress("validating sales.xlsx")
    checked = validate_company(company, opener, only={"sales"})
    fatal_issues = [i for i in checked.issues if i.severity is Severity.FATAL]
    if fatal_issues:
        run.issues = fatal_issues
        return run
    receipts_table = checked.table("sales", "receipts")
    if receipts_table is not None:
        run.issues += [i for i in checked.issues if i.sheet == receipts_table.sheet and i.severity is Severity.ERROR]
    try:
        settings, formats = _settings(company, as_of)
    except RuleNotInForce as missing:
        run.issues.append(fatal(missing.parameter.file, "rule_not_in_force", missing.message_ja, missing.message_en))
        return run
    store = store_of(company)
    try:
        progress("importing bank statements")
        run.imported, problems = import_statements(company, store, formats, today or as_of)
        run.issues += problems
        run.customers = _customers(checked.table("sales", "customers"))
        invoices = open_invoices(company, store.applied_by_invoice())
        bad = _bad_rows(run.issues, receipts_table.sheet) if receipts_table is not None else set()
        run.confirmed, problems = apply_confirmations(receipts_table, store, invoices, bad)
        run.issues += problems
        progress("matching deposits to invoices")
        try:
            run.matches = _match_and_apply(store, company, run.customers, as_of, settings)
        except RuleNotInForce as missing:
            run.issues.append(
                fatal(missing.parameter.file, "rule_not_in_force", missing.message_ja, missing.message_en)
            )
            return run
        run.receipts = store.receipts()
        run.applied = store.applied_rows(as_of)
        run.invoices = open_invoices(company, store.applied_by_invoice())
    finally:
        store.close()
    run.aged = age(run.invoices, as_of)
    run.over_limit = over_credit_limit(run.aged, {c: v["credit_limit"] for c, v in run.customers.items()})
    if write:
        progress("writing outputs")
        run.folder = write_receivables_outputs(company, run)
    return run


def _match_and_apply(
    store: ReceiptStore, company: Company, customers: dict, as_of: date, settings: MatchSettings
) -> list[Match]:
    settled = store.settled_line_ids()
    deposits = [
        Deposit(line.line_id, line.date, line.amount, line.payer)
        for line in store.lines(as_of)
        if line.direction == DEPOSIT and line.line_id not in settled
    ]
    invoices = open_invoices(company, store.applied_by_invoice())
    index = PayerIndex.build(list(customers.values()), store.learned())
    if deposits and not company.settings.get("receivables", {}).get("transfer_fees"):
        fees = fees_in_force(company, min(d.date for d in deposits), as_of)
        settings = MatchSettings(fees, settings.auto_confidence, settings.subset_invoices, settings.subset_steps)
    matches = match_deposits(deposits, invoices, index, settings)
    store.apply(
        [
            (m.line_id, list(m.allocations), m.kind, "auto", str(m.confidence), m.reason_ja)
            for m in matches
            if m.status == "matched"
        ]
    )
    return matches


# ---- what the nightly run reports -------------------------------------------------------------


def receivables_findings(company: Company, day: date, opener: BookOpener = open_company_book) -> dict[str, list[dict]]:
    """Import and match as `backoffice receivables` does (without writing its workbook), then the
    findings for the nightly report, by check name, in the report's finding shape."""
    run = run_receivables(company, day, opener, write=False)
    bank = {m.line_id: m for m in run.matches}
    state = {
        "unmatched": ("未消込", "unmatched"),
        "proposed": ("消込提案あり（要確認）", "proposal awaiting confirmation"),
    }
    unmatched = [
        {
            "book": "bank",
            "sheet": "",
            "cell": "",
            "key": m.line_id,
            "value": f"{m.amount:,}",
            "message_ja": f"{m.date} {m.payer} {m.amount:,} 円: {state[m.status][0]}",
            "message_en": f"{m.date} {m.payer} {m.amount:,} yen: {state[m.status][1]}",
        }
        for m in bank.values()
        if m.status != "matched"
    ]
    overdue = [
        {
            "book": "invoices.xlsx",
            "sheet": "",
            "cell": "",
            "key": a.invoice_no,
            "value": f"{a.open:,}",
            "message_ja": f"{a.invoice_no}（{a.customer_id}）未入金 {a.open:,} 円、"
            f"期日 {a.due_date} から {a.days_past_due} 日超過",
            "message_en": f"{a.invoice_no} ({a.customer_id}) {a.open:,} yen unpaid, {a.days_past_due} days past due "
            f"({a.due_date})",
        }
        for a in run.aged
        if a.days_past_due > 0
    ]
    over = [
        {
            "book": "sales.xlsx",
            "sheet": "Customers 得意先",
            "cell": "",
            "key": o["customer_id"],
            "value": f"{o['open']:,}",
            "message_ja": f"{o['customer_id']} の売掛残 {o['open']:,} 円が与信限度額 {o['credit_limit']:,} "
            "円を超えています",
            "message_en": f"{o['customer_id']} owes {o['open']:,} yen, above its credit limit of {o['credit_limit']:,} "
            "yen",
        }
        for o in run.over_limit
    ]
    files = [
        {
            "book": i.book,
            "sheet": "",
            "cell": i.cell,
            "key": i.code,
            "value": "",
            "message_ja": i.message_ja,
            "message_en": i.message_en,
        }
        for i in run.issues
    ]
    return {
        "receivables_unmatched": unmatched,
        "receivables_overdue": overdue,
        "receivables_credit_limit": over,
        "receivables_input": files,
    }


# ---- outputs ----------------------------------------------------------------------------------


def report_of(run: ReceivablesRun) -> dict:
    return {
        "as_of": run.as_of.isoformat(),
        "imported": run.imported,
        "counts": {
            "matched": run.count("matched"),
            "proposed": run.count("proposed"),
            "unmatched": run.count("unmatched"),
            "confirmed": run.confirmed,
            "applied_lines": len({r["line_id"] for r in run.applied}),
            "open_invoices": len(run.aged),
        },
        "applied": run.applied,
        "matches": [
            {
                "line_id": m.line_id,
                "date": m.date.isoformat(),
                "amount": m.amount,
                "payer": m.payer,
                "status": m.status,
                "kind": m.kind,
                "customer_id": m.customer_id,
                "confidence": str(m.confidence),
                "reason_ja": m.reason_ja,
                "reason_en": m.reason_en,
                "allocations": [
                    {"invoice_no": a.invoice_no, "customer_id": a.customer_id, "amount": a.amount, "fee": a.fee}
                    for a in m.allocations
                ],
            }
            for m in run.matches
        ],
        "open_invoices": [
            {
                "invoice_no": a.invoice_no,
                "customer_id": a.customer_id,
                "issue_date": a.issue_date.isoformat(),
                "due_date": a.due_date.isoformat(),
                "total": a.total,
                "open": a.open,
                "days_past_due": a.days_past_due,
                "bucket": a.bucket,
            }
            for a in run.aged
        ],
        "aging_buckets": [name for name, _, _ in BUCKETS],
        "aging_by_customer": aging_by_customer(run.aged),
        "over_credit_limit": run.over_limit,
        "journal": receipt_journal([r for r in run.receipts if r.date <= run.as_of]),
        "issues": [i.to_record() for i in run.issues],
    }


def write_receivables_outputs(company: Company, run: ReceivablesRun) -> Path:
    folder = company.paths.receivables(run.as_of)
    report = report_of(run)
    statements = {
        c: customer_statement(c, run.invoices, run.receipts, run.as_of)
        for c in sorted({i.customer_id for i in run.invoices})
    }
    with staged_folder(folder, private=True) as tmp:  # payer names and amounts: owner only
        write_receivables_json(tmp / "receivables.json", report)
        write_receivables_book(tmp / "receivables.xlsx", report, statements, run.customers)
    return folder


# ---- the demo company's bank statements ---------------------------------------------------------


def write_demo_statements(company: Company, last_day: date = date(2026, 3, 31)):
    """A year of statements in DIR/bank/ for the invoices in the register: the main account as two
    全銀 files overlapping in September, the internet-bank account as a CSV (住信SBI layout, MS932)."""
    register = InvoiceRegister(company.paths.db)
    try:
        invoices = [
            {
                "invoice_no": d["invoice_no"],
                "customer_id": d["customer"]["customer_id"],
                "issue_date": date.fromisoformat(d["issue_date"]),
                "due_date": date.fromisoformat(d["due_date"]),
                "total": int(d["total"]),
            }
            for d in register.all()
            if d["kind"] == "invoice" and d["status"] == "issued"
        ]
    finally:
        register.close()
    customers = list(_customers(validate_company(company, only={"sales"}).table("sales", "customers")).values())
    fees = tuple(int(f) for f in company.rulebook.value("receivables.transfer_fees", last_day))
    bank = bank_year(invoices, customers, fees, last_day)
    moves = sorted(
        [(d.account, d.date, DEPOSIT, d.amount, d.payer) for d in bank.deposits]
        + [(a, when, WITHDRAWAL, amount, payee) for a, when, amount, payee in bank.withdrawals],
        key=lambda m: (m[1], m[2], m[4], m[3]),
    )
    main = [
        StatementLine("", when, kind, amount, payer, reference=str(n))
        for n, (account, when, kind, amount, payer) in enumerate(moves, start=1)
        if account == "zengin"
    ]
    own = company.settings.get("bank", {})
    folder = company.paths.bank
    halves = (("2025H1", date(2025, 4, 1), date(2025, 9, 30)), ("2025H2", date(2025, 9, 1), last_day))
    for label, start, end in halves:
        lines = [line for line in main if start <= line.date <= end]
        data = zengin_statement(
            str(own.get("bank_code", "0009")),
            str(own.get("branch_code", "001")),
            "1",
            str(own.get("account_number", "1234567")),
            str(own.get("requester_name_kana", "")),
            lines,
            end + (date(2026, 4, 1) - last_day),
        )
        write_bytes(folder / f"nyushukkin_{label}.txt", data, private=True)
    rows, balance = ["日付,内容,出金金額(円),入金金額(円),残高(円),メモ"], 1_000_000
    for account, when, kind, amount, payer in moves:
        if account == "netbank":
            balance += amount if kind == DEPOSIT else -amount
            label = f"振込 {payer}" if kind == DEPOSIT else payer
            cells = [
                when.strftime("%Y/%m/%d"),
                label,
                "" if kind == DEPOSIT else str(amount),
                str(amount) if kind == DEPOSIT else "",
                str(balance),
                "",
            ]
            rows.append(",".join(f'"{c}"' for c in cells))
    write_bytes(folder / "netbank_2025-04_2026-03.csv", ("\r\n".join(rows) + "\r\n").encode("cp932"), private=True)
    return bank
