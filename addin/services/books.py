"""The books of a period: journal entries from every run's own outputs, posted once into
.backoffice/state.db, then the journal, the trial balance, the consumption-tax check and (on request)
the file an accounting package imports.

The adapters below read only stable outputs (DESIGN.md): out/payroll/*/summary.json, the invoice
register's documents, the Bills and Vendors sheets, out/payments/*/payments.json and
out/stock/*/stock.json. Each is a few lines, so a change in one source is re-wired in one place.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from addin import collector
from addin.books.chart import BooksConfigError, Chart, chart_of
from addin.books.journal import Entry, UnbalancedEntry
from addin.books.ledger import BalanceRow, monthly_movements, sub_balances, tax_check, trial_balance, unbalanced
from addin.books.sources import (
    BooksSettings,
    VendorFacts,
    bill_entries,
    invoice_entries,
    payment_entries,
    payroll_entries,
    receipt_entries,
    stock_entries,
)
from addin.dates import month_end
from addin.model import Issue, Severity
from addin.model.issues import exit_code, fatal
from addin.outputs.journal_export import FORMATS, write_export
from addin.outputs.journal_xlsx import write_books
from addin.outputs.staging import staged_folder, write_private
from addin.receivables.journal import receipt_journal
from addin.rulebook import RuleNotInForce
from addin.services.company import Company
from addin.services.validation import BookOpener, open_company_book, validate_company
from addin.state.journal import JournalStore, Posting
from addin.state.payroll_history import PayrollHistory
from addin.state.receipts import ReceiptStore
from addin.state.register import InvoiceRegister
from addin.stock.payments import transfer_fee
from addin.tax.summary import is_registered, monthly_summary


@dataclass
class BooksRun:
    issues: list[Issue] = field(default_factory=list)
    posting: Posting | None = None
    journal: list[Entry] = field(default_factory=list)  # entries dated in the period
    balances: list[BalanceRow] = field(default_factory=list)
    tax: list[dict] = field(default_factory=list)
    folder: Path | None = None
    written: list[Path] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return exit_code(self.issues)


def state_path(company: Company) -> Path:
    return company.paths.db


def run_books(
    company: Company,
    start: date,
    end: date,
    export: str | None = None,
    opener: BookOpener = open_company_book,
    progress: Callable[[str], None] = lambda _: None,
    write: bool = True,
) -> BooksRun:
    with collector.paused():  # ~10⁵ small entries and lines, none in a cycle
        return _run_books(company, start, end, export, opener, progress, write)


def _run_books(
    company: Company,
    start: date,
    end: date,
    export: str | None,
    opener: BookOpener,
    progress: Callable[[str], None],
    write: bool,
) -> BooksRun:
    run = BooksRun()
    if end < start or (export and export not in FORMATS):
        run.issues.append(
            fatal(
                "",
                "bad_period",
                f"期間または形式が不正です: {start}〜{end} {export or ''}",
                f"bad period or format: {start}..{end} {export or ''}",
            )
        )
        return run
    try:
        settings = BooksSettings.from_settings(company.settings)
        chart = chart_of(company.rulebook.settings.get("books"))
    except BooksConfigError as bad:
        run.issues.append(fatal("rules/accounts.yaml", "bad_chart", bad.message_ja, bad.message_en))
        return run
    except ValueError as bad:
        run.issues.append(fatal("backoffice.toml", "bad_settings", f"[books] の設定が不正です: {bad}", str(bad)))
        return run
    progress("reading staff.xlsx and vendors.xlsx")
    checked = validate_books_sheets(company, opener)
    # an entry once posted is never edited: none is made from a sheet with an issue that is not a warning
    # (a 雇用区分 mistyped would post a director's pay as 給与手当, with nothing said)
    run.issues += [i for i in checked.issues if i.severity is not Severity.WARNING]
    if run.issues:
        return run
    store = JournalStore(state_path(company))
    try:
        progress("building journal entries")
        documents = _register_documents(company)
        runs = pay_runs(company, settings)
        run.issues += _skipped_pay_runs(runs, end)
        entries = gather(company, checked, chart, settings, documents, runs)
        wanted = [e for e in entries if start <= e.date <= end]
        progress(f"posting {len(wanted)} entries")
        run.posting = store.post(wanted, run=f"books {start}..{end}")
        progress(f"posted {len(run.posting.added)} new entries, {run.posting.unchanged} unchanged; reading the journal")
        everything = store.entries(until=end, known=run.posting.known)
    except UnbalancedEntry as bad:
        run.issues.append(
            fatal(bad.entry.source.document, "unbalanced_entry", f"仕訳が貸借一致しません: {bad}", str(bad))
        )
        return run
    except BooksConfigError as bad:
        run.issues.append(fatal("rules/accounts.yaml", "bad_chart", bad.message_ja, bad.message_en))
        return run
    except UnreadableOutput as bad:
        run.issues.append(
            fatal(
                bad.file,
                "unreadable_output",
                f"出力ファイルを読めません: {bad.problem}",
                f"cannot read a run's output: {bad.problem}",
            )
        )
        return run
    except RuleNotInForce as missing:
        run.issues.append(fatal(missing.parameter.file, "rule_not_in_force", missing.message_ja, missing.message_en))
        return run
    finally:
        store.close()
    progress("trial balance and tax check")
    run.journal = [e for e in everything if e.date >= start]
    run.balances = trial_balance(everything, chart, start, end)
    run.tax = tax_check(everything, _tax_summary(company, checked, documents), start, end, settings.exclusive)
    run.issues += _findings(run)
    if write:
        run.folder = company.paths.books(start, end)
        progress(f"writing {run.folder}")
        run.written = _write(run, run.folder, chart, everything, start, end, export)
    return run


#: the sheets whose rows the books read: directors (staff), each vendor's registration and fee terms,
#: the bills. The other sheets of staff.xlsx and vendors.xlsx (attendance, pay history, purchase orders
#: …) reach the books only through the outputs of the runs that checked them (summary.json, the payroll
#: history), so the books neither read nor re-check them (at scale 100: 4.2 s → 1.7 s).
BOOKS_SHEETS = {"staff": ("staff",), "vendors": ("vendors", "bills")}


def validate_books_sheets(company: Company, opener: BookOpener = open_company_book):
    """The Validation of the sheets the books read, each checked as a full validation checks it."""
    books = {
        name: spec.model_copy(update={"sheets": {k: v for k, v in spec.sheets.items() if k in BOOKS_SHEETS[name]}})
        for name, spec in company.books.items()
        if name in BOOKS_SHEETS
    }
    return validate_company(replace(company, books=books), opener)


def gather(
    company: Company,
    checked,
    chart: Chart,
    settings: BooksSettings,
    documents: list[dict],
    runs: "PayRuns | None" = None,
) -> list[Entry]:
    """Every entry the company's outputs call for, whatever its date."""
    runs = runs or pay_runs(company, settings)
    staff, vendors, bills = (
        checked.table("staff", "staff"),
        checked.table("vendors", "vendors"),
        checked.table("vendors", "bills"),
    )
    facts = _vendor_facts(vendors.frame if vendors is not None else None)
    entries: list[Entry] = []
    directors = _directors(staff.frame if staff is not None else None)
    for summary, document in runs.journaled:
        with _reading(company.root / document):
            entries += payroll_entries(summary, directors, settings, document)
    entries += invoice_entries(documents, settings)
    entries += receipt_entries(_receipt_journal(company), _customer_names(documents), company.rulebook, settings)
    if bills is not None:
        entries += bill_entries(_bill_rows(bills), facts, chart, company.rulebook, settings, "vendors.xlsx")
    entries += _payments(company, vendors.frame if vendors is not None else None, facts, settings)
    for path in company.paths.runs_of("stock", "stock.json"):
        with _reading(path):
            report = _json(path)
            as_of = date.fromisoformat(report["as_of"])
            if as_of == month_end(as_of):  # month-end valuations only: a mid-month look is not a closing
                entries += stock_entries(as_of, int(report["total_value"]), _relative(company, path))
    return entries


# ── thin adapters over each run's output ─────────────────────────────────────────────────────────

PAY_FOLDERS = {"month": "payroll", "bonus": "bonus"}  # history kind → out/<folder>/<period>/summary.json


@dataclass
class PayRuns:
    """The payroll months and bonuses to journal, each as (summary, document), and the unclosed ones
    left out because the company closes its payroll (`[books] payroll`)."""

    mode: str
    journaled: list[tuple[dict, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (history kind, period)


def pay_runs(company: Company, settings: BooksSettings) -> PayRuns:
    """A closed month or bonus is read from the payroll history (what was closed, whatever happened to
    the files since); an unclosed one from its summary.json, only when every run is journaled."""
    closed: dict[tuple[str, str], dict] = {}
    used_closing = False
    outputs = {
        (kind, path.parent.name): path
        for kind, folder in PAY_FOLDERS.items()
        for path in company.paths.runs_of(folder, "summary.json")
    }
    if state_path(company).exists():
        history = PayrollHistory(state_path(company))
        try:
            for closed_period in history.closed_periods():
                lines = list(history.lines(closed_period.close_id).values())
                closed[(closed_period.kind, closed_period.period)] = {**closed_period.header, "employees": lines}
            # a company that reopened its only close still closes its payroll
            used_closing = bool(closed) or any(history.events(kind, period) for kind, period in outputs)
        finally:
            history.close()
    mode = settings.payroll or ("closed" if used_closing else "all")
    runs = PayRuns(mode)
    for kind, period in sorted(set(closed) | set(outputs), key=lambda k: (k[1], k[0])):
        document = f"out/{PAY_FOLDERS.get(kind, kind)}/{period}/summary.json"
        if (kind, period) in closed:
            runs.journaled.append(
                ({"kind": "bonus", **closed[(kind, period)]} if kind == "bonus" else closed[(kind, period)], document)
            )
        elif mode == "all":
            with _reading(outputs[(kind, period)]):
                runs.journaled.append((_json(outputs[(kind, period)]), document))
        else:
            runs.skipped.append((kind, period))
    return runs


def _receipt_journal(company: Company) -> list[dict]:
    """Every applied receipt (automatic or confirmed) as receivables' balanced journal data."""
    if not state_path(company).exists():
        return []
    store = ReceiptStore(state_path(company))
    try:
        return receipt_journal(store.receipts())
    except ValueError as bad:  # an applied receipt whose allocations do not add up
        raise UnreadableOutput(".backoffice/state.db (receipt_allocations)", str(bad)) from None
    finally:
        store.close()


def _customer_names(documents: list[dict]) -> dict[str, str]:
    return {
        str(d["customer"]["customer_id"]): str(d["customer"].get("name", "")) or str(d["customer"]["customer_id"])
        for d in documents
    }


class UnreadableOutput(Exception):
    def __init__(self, file: str, problem: str):
        super().__init__(f"{file}: {problem}")
        self.file, self.problem = file, problem


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as bad:
        raise UnreadableOutput(str(path), str(bad)) from None


@contextmanager
def _reading(path: Path):
    """A run output without a field the books need is named, not a traceback."""
    try:
        yield
    except (KeyError, TypeError, ValueError) as bad:
        raise UnreadableOutput(str(path), f"missing or malformed field {bad}") from None


def _relative(company: Company, path: Path) -> str:
    return path.relative_to(company.root).as_posix()


# what the books read of each issued document: its entry (invoice_entries), the customer names of the
# receipts (_customer_names) and the tax summary (addin.tax.summary.output_tax)
DOCUMENT_FIELDS = ("invoice_no", "kind", "issue_date", "customer", "total", "by_rate")


def _register_documents(company: Company) -> list[dict]:
    if not state_path(company).exists():
        return []
    register = InvoiceRegister(state_path(company))
    try:
        return register.fields(DOCUMENT_FIELDS)
    finally:
        register.close()


def _directors(staff: pd.DataFrame | None) -> set[str]:
    if staff is None or "employment_type" not in staff:
        return set()
    return set(staff.loc[staff["employment_type"] == "director", "employee_id"].astype(str))


def _vendor_facts(vendors: pd.DataFrame | None) -> dict[str, VendorFacts]:
    if vendors is None:
        return {}
    out = {}
    for row in vendors.drop_duplicates("vendor_id").to_dict("records"):
        individual = row.get("is_individual")
        out[str(row["vendor_id"])] = VendorFacts(
            str(row.get("name") or row["vendor_id"]),
            is_registered(row.get("registration_number")),
            bool(individual) if pd.notna(individual) else False,
        )
    return out


def _bill_rows(bills) -> list[dict]:
    """Complete Bills rows (as the tax summary takes them), each with its cell. Column by column: a
    year's Bills sheet has thousands of rows."""
    frame = bills.frame
    needed = ["bill_no", "vendor_id", "bill_date", "amount_excl_tax", "tax_rate", "tax"]
    if any(k not in frame for k in needed):
        return []
    complete = frame[needed].notna().all(axis=1).to_numpy()
    kept = frame[complete]
    columns = {k: kept[k].tolist() for k in needed}  # Python values, as to_dict("records") gives
    columns["bill_date"] = [pd.Timestamp(v).date() for v in columns["bill_date"]]
    fees = kept["is_fee"].tolist() if "is_fee" in kept else [None] * len(kept)
    columns["is_fee"] = [bool(f) if f is not None and pd.notna(f) else False for f in fees]
    columns["cell"] = [
        f"{bills.book}!{bills.sheet}!{bills.cell('bill_no', position)}" for position in complete.nonzero()[0]
    ]
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _payments(
    company: Company, vendors: pd.DataFrame | None, facts: dict[str, VendorFacts], settings: BooksSettings
) -> list[Entry]:
    """Each payment file in date order; a vendor row whose bills an earlier file already paid is
    left out (a later stock run lists bills still due by its date, paid or not)."""
    company_bank = str(company.settings.get("bank", {}).get("bank_code", ""))
    vendor_borne = bool(company.settings.get("stock", {}).get("transfer_fee_borne_by_vendor", False))
    banks = (
        {} if vendors is None else vendors.drop_duplicates("vendor_id").set_index("vendor_id")["bank_code"].to_dict()
    )
    paid: set[tuple[str, str]] = set()
    entries = []
    for path in company.paths.runs_of("payments", "payments.json"):
        with _reading(path):
            entries += _payment_file(company, path, banks, facts, settings, paid, vendor_borne, company_bank)
    return entries


def _payment_file(
    company: Company,
    path: Path,
    banks: dict,
    facts: dict[str, VendorFacts],
    settings: BooksSettings,
    paid: set[tuple[str, str]],
    vendor_borne: bool,
    company_bank: str,
) -> list[Entry]:
    """One payments.json: its rows not already paid (adds theirs to `paid`), and the bank fee of each
    transfer when the company bears it."""
    data = _json(path)
    paid_on = date.fromisoformat(data["pay_by"])
    rows = []
    for row in data.get("payments", []):
        bills = {(str(row["vendor_id"]), b.strip()) for b in str(row.get("bills", "")).split(",") if b.strip()}
        if bills and bills <= paid:
            continue
        paid |= bills
        rows.append(row)
    fees = {}
    if not vendor_borne:
        schedule = company.rulebook.value("payments.transfer_fee", paid_on)
        fees = {
            str(r["vendor_id"]): transfer_fee(int(r["net"]), banks.get(r["vendor_id"]) == company_bank, schedule)
            for r in rows
            if int(r["net"]) > 0 and pd.notna(banks.get(r["vendor_id"]))
        }
    names = {k: v.name for k, v in facts.items()}
    return payment_entries(paid_on, rows, names, fees, company.rulebook, settings, _relative(company, path))


def _tax_summary(company: Company, checked, documents: list[dict]) -> list[dict]:
    bills, vendors = checked.table("vendors", "bills"), checked.table("vendors", "vendors")
    return monthly_summary(
        documents,
        bills.frame if bills is not None else None,
        vendors.frame if vendors is not None else None,
        company.rulebook,
    )


# ── checks and outputs ───────────────────────────────────────────────────────────────────────────


def _findings(run: BooksRun) -> list[Issue]:
    issues = []
    for entry in unbalanced(run.journal):
        issues.append(
            Issue(
                ".backoffice/state.db",
                "",
                "",
                entry.entry_id,
                "unbalanced_entry",
                Severity.ERROR,
                f"仕訳 {entry.entry_id} の貸借が一致しません",
                f"entry {entry.entry_id} does not balance",
            )
        )
    debit, credit = sum(b.debit for b in run.balances), sum(b.credit for b in run.balances)
    if debit != credit:
        issues.append(
            Issue(
                ".backoffice/state.db",
                "",
                "",
                "",
                "trial_balance_off",
                Severity.ERROR,
                f"試算表の借方 {debit:,} と貸方 {credit:,} が一致しません",
                f"trial balance debits {debit:,} ≠ credits {credit:,}",
            )
        )
    for row in run.tax:
        if row["difference"]:
            issues.append(
                Issue(
                    "out/tax/summary.json",
                    "",
                    "",
                    row["month"],
                    "tax_mismatch",
                    Severity.ERROR,
                    f"{row['month']}: 帳簿の消費税が集計と {row['difference']:,} 円違います",
                    f"{row['month']}: consumption tax on the books differs from the summary"
                    f" by {row['difference']:,} yen",
                )
            )
    return issues


def _skipped_pay_runs(runs: PayRuns, end: date) -> list[Issue]:
    """One warning naming every unclosed month and bonus (paid by the period's end) left out."""
    skipped = [(kind, period) for kind, period in runs.skipped if period[:7] <= f"{end:%Y-%m}"]
    if not skipped:
        return []
    ja = "、".join(f"{'賞与' if kind == 'bonus' else '給与'} {period}" for kind, period in skipped)
    en = ", ".join(f"{'bonus' if kind == 'bonus' else 'payroll'} {period}" for kind, period in skipped)
    return [
        Issue(
            "out/",
            "",
            "",
            "payroll",
            "payroll_not_closed",
            Severity.WARNING,
            f'未確定の給与・賞与は仕訳していません（[books] payroll = "{runs.mode}"）: {ja}。確定（--close）後の'
            "仕訳出力で記帳されます",
            f'unclosed payroll left out of the journal ([books] payroll = "{runs.mode}"): {en}; '
            "they are journaled by the books run after they are closed (--close)",
        )
    ]


def books_summary(run: BooksRun, start: date, end: date) -> dict:
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "entries": len(run.journal),
        "debits": sum(e.debits for e in run.journal),
        "credits": sum(e.credits for e in run.journal),
        "posted": len(run.posting.added) if run.posting else 0,
        "reversed": len(run.posting.reversed) if run.posting else 0,
        "trial_balance": [
            {
                "account": b.account,
                "name": b.name,
                "code": b.code,
                "opening": b.opening,
                "debit": b.debit,
                "credit": b.credit,
                "closing": b.closing,
            }
            for b in run.balances
        ],
        "tax_check": run.tax,
    }


def _write(
    run: BooksRun, folder: Path, chart: Chart, everything: list[Entry], start: date, end: date, export: str | None
) -> list[Path]:
    """One owner-only folder (salaries are in the payroll lines), complete or absent."""
    names = []
    with staged_folder(folder, private=True) as tmp:
        write_books(
            tmp / "books.xlsx",
            run.journal,
            chart,
            run.balances,
            monthly_movements(everything, start, end),
            sub_balances(everything, end),
            run.tax,
            start,
            end,
        ).chmod(0o600)
        names.append("books.xlsx")
        summary = json.dumps(books_summary(run, start, end), ensure_ascii=False, indent=1)
        write_private(tmp / "books.json", summary.encode("utf-8"))
        names.append("books.json")
        if export:
            names.append(write_export(tmp / f"journal_{export}.csv", run.journal, chart, export).name)
    return [folder / n for n in names]


# ── for the nightly run and the Excel face ───────────────────────────────────────────────────────


def unposted(company: Company, until: date, opener: BookOpener = open_company_book) -> list[dict]:
    """Every entry the company's outputs call for up to a date (issued invoices, bills, closed payroll
    months, vendor payments, month-end stock) that the journal does not hold yet: what a nightly
    check reports. Reads, never posts."""
    settings = BooksSettings.from_settings(company.settings)
    chart = chart_of(company.rulebook.settings.get("books"))
    checked = validate_books_sheets(company, opener)
    wanted = [e for e in gather(company, checked, chart, settings, _register_documents(company)) if e.date <= until]
    if not state_path(company).exists():
        return [{"entry_id": e.entry_id, "kind": e.source.kind, "date": e.date.isoformat()} for e in wanted]
    store = JournalStore(state_path(company))
    try:
        posted = store.source_keys()
    finally:
        store.close()
    return [
        {"entry_id": e.entry_id, "kind": e.source.kind, "date": e.date.isoformat()}
        for e in wanted
        if e.entry_id not in posted
    ]


def account_balance(company: Company, account: str, as_of: date, sub: str | None = None) -> int:
    """The balance of an account (by chart key, name or code) at the end of a date, from the posted
    journal, in the account's normal direction: what BO_ACCOUNT_BALANCE shows. `sub` is a sub-account
    by key or display name (income_tax or 源泉所得税), or a party's name as the journal holds it (売掛金
    by customer name)."""
    chart = chart_of(company.rulebook.settings.get("books"))
    key = next((a.key for a in chart.accounts.values() if account in (a.key, a.name, a.code)), account)
    found = chart.account(key)
    if sub is not None:  # 預り金's sub-accounts are held by key; a person types 源泉所得税
        sub = next((k for k, name in found.sub_accounts.items() if sub in (k, name)), sub)
    if not state_path(company).exists():
        return 0
    store = JournalStore(state_path(company))
    try:
        net = store.net(found.key, as_of, sub)
        return net if found.normal == "debit" else -net
    finally:
        store.close()
