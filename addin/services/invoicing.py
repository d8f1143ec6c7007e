"""Issue qualified invoices for shipped, uninvoiced orders; correct one with a credit note and a
replacement; keep the register's view, the documents and the monthly tax summary up to date."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from addin.invoicing.build import Draft, build_drafts, edited_lines
from addin.invoicing.document import content_of, credit_note_of, rates_of
from addin.invoicing.settings import InvoiceSettings, Issuer
from addin.model import Issue, Severity
from addin.model.issues import exit_code, fatal, rows_in_error
from addin.outputs.atomic import private_folder, write_bytes, write_text
from addin.outputs.invoice_pdf import invoice_pdf
from addin.outputs.invoice_register import write_register_view, write_tax_summary
from addin.outputs.invoice_xlsx import invoice_xlsx
from addin.outputs.pool import run_jobs
from addin.rulebook import RuleNotInForce
from addin.services.company import Company
from addin.services.validation import BookOpener, open_company_book, validate_company
from addin.services.verify import anchor_everywhere, state_findings, sweep_leftovers
from addin.state import InvoiceRegister, RegisterProblem
from addin.state.files import STATE
from addin.tax import TaxRate, every_tax_rate, tax_rates
from addin.tax.summary import is_registered, monthly_summary


@dataclass
class InvoiceRun:
    issues: list[Issue] = field(default_factory=list)
    issued: list[dict] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return exit_code(self.issues)


def register_of(company: Company) -> InvoiceRegister:
    return InvoiceRegister(company.paths.db)


def run_invoices(
    company: Company,
    through: date,
    correct: str | None = None,
    on: date | None = None,
    opener: BookOpener = open_company_book,
    progress: Callable[[str], None] = lambda _: None,
) -> InvoiceRun:
    run = InvoiceRun()
    settings, issuer = InvoiceSettings.from_settings(company.settings)
    if not is_registered(issuer.registration_number):
        run.issues.append(
            fatal(
                "backoffice.toml",
                "issuer_not_registered",
                f"[company] registration_number「{issuer.registration_number}」が"
                "有効な登録番号ではありません（T+13桁）",
                f"[company] registration_number {issuer.registration_number!r} is not a valid registration number",
            )
        )
        return run
    progress("validating sales.xlsx and stock.xlsx")
    checked = validate_company(company, opener, only={"sales", "stock", "vendors"})
    issues = list(checked.issues)
    run.issues += [i for i in issues if i.severity is Severity.FATAL]
    if run.issues:
        return run
    run.issues += [i for i in issues if i.book == company.books["sales"].file]
    sweep_leftovers(company)
    register = register_of(company)
    trusted = False
    try:
        if _untrusted(company, register, run):
            return run
        trusted = True
        replaced: dict[str, str] = {}
        if correct:
            replaced = _credit(register, correct, on or through, settings, run)
            if run.exit_code == 2:
                return run
        orders, customers = checked.table("sales", "orders"), checked.table("sales", "customers")
        rates = tax_rates(company.rulebook, through)
        bad = rows_in_error(issues, orders.book, orders.sheet) | {
            int(orders.rows[p])
            for p in orders.frame.index[orders.frame["customer_id"].isin(_customers_with_errors(issues, customers))]
        }
        run.issues += edited_lines(orders, register.invoiced_lines())
        drafts, stopped = build_drafts(orders, customers, through, register.invoiced_keys(), bad, rates, settings)
        run.issues += stopped
        for draft in drafts:
            links = sorted({("replaces", replaced[line.key]) for line in draft.lines if line.key in replaced})
            if links:
                draft.issue_date = max(draft.issue_date, on or through)
            run.issued.append(_issue(register, draft, issuer, settings, links))
        progress(f"{len(run.issued)} invoice(s) issued")
        run.written = write_invoice_outputs(company, register, settings, checked, progress)
    except RuleNotInForce as missing:
        run.issues.append(fatal(missing.parameter.file, "rule_not_in_force", missing.message_ja, missing.message_en))
    except RegisterProblem as busy:  # e.g. a concurrent run claimed these lines first: nothing was issued
        run.issues.append(fatal(f"{STATE}/state.db", "register_busy", str(busy), str(busy)))
    finally:
        if trusted:  # the new head, outside the database
            anchor_everywhere(company, register.secret, register, None, None)
        register.close()
    return run


def _untrusted(company: Company, register: InvoiceRegister, run: InvoiceRun) -> bool:
    """The register and the anchors outside it must agree before a number is issued: a database
    restored from an old copy would otherwise issue numbers that already exist on paper."""
    found = state_findings(company, register, None, register.secret)
    found = [f for f in found if f.code != "not_private"]
    run.issues += [
        fatal(f.where, f"register_{f.code}", f"請求書台帳: {f.detail}", f"invoice register: {f.detail}") for f in found
    ]
    return bool(found)


def _customers_with_errors(issues: list[Issue], customers) -> set[str]:
    rows = rows_in_error(issues, customers.book, customers.sheet)
    frame = customers.frame
    return {frame.loc[p, "customer_id"] for p in frame.index if int(customers.rows[p]) in rows} - {None}


def _issue(register: InvoiceRegister, draft: Draft, issuer: Issuer, settings: InvoiceSettings, links) -> dict:
    return register.issue(
        lambda number: content_of(draft, number, issuer),
        settings.prefix,
        settings.digits,
        [line.key for line in draft.lines],
        links,
    )


def _credit(
    register: InvoiceRegister, number: str, on: date, settings: InvoiceSettings, run: InvoiceRun
) -> dict[str, str]:
    original = register.get(number)
    if original is None or original["kind"] != "invoice" or original["status"] != "issued":
        run.issues.append(
            fatal(
                ".backoffice/state.db",
                "cannot_correct",
                f"{number} は訂正できる発行済みの請求書ではありません",
                f"{number} is not an issued invoice that can be corrected",
            )
        )
        return {}
    if on.isoformat() < original["issue_date"]:  # the return cannot move output tax into an earlier month
        run.issues.append(
            fatal(
                "--date",
                "credit_before_invoice",
                f"--date {on}: 返還請求書の日付は元の請求書 {number} の発行日 {original['issue_date']} "
                "以降にしてください",
                f"--date {on}: a credit note cannot be dated before {number}'s issue date {original['issue_date']}",
            )
        )
        return {}
    note = register.issue(
        lambda n: credit_note_of(_stored(original), n, on),
        settings.prefix,
        settings.digits,
        [],
        [("credits", number)],
        releases=number,
    )
    run.issued.append(note)
    return {line["key"]: number for line in original["lines"]}


def _stored(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in ("status", "links")}


@dataclass(frozen=True)
class DocumentJob:
    """One invoice document to write (picklable, for the process pool)."""

    path: Path
    content: dict
    bank_line: str
    rounding: str
    mark: str
    rates: dict[str, TaxRate]  # the records in force when the document was issued


def write_invoice_document(job: DocumentJob) -> Path:
    if job.path.suffix == ".pdf":
        return write_bytes(job.path, invoice_pdf(job.content, job.bank_line, job.mark, rates=job.rates))
    return invoice_xlsx(job.path, job.content, job.rounding, mark=job.mark, rates=job.rates)


def write_invoice_outputs(
    company: Company,
    register: InvoiceRegister,
    settings: InvoiceSettings,
    checked,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Documents missing for any issued number (on every core when there are many), then the register's
    views; all atomic, all rebuildable."""
    folder = private_folder(company.paths.invoices)
    everything = register.all()
    bank = company.settings.get("bank", {})
    bank_line = (
        f"{bank.get('bank_name_kana', '')} {bank.get('branch_name_kana', '')} "
        f"{'普通' if bank.get('account_type', 'ordinary') == 'ordinary' else '当座'} {bank.get('account_number', '')}"
    )
    jobs = [
        DocumentJob(
            folder / f"{doc['invoice_no']}{suffix}",
            _stored(doc),
            bank_line,
            settings.rounding,
            settings.reduced_mark,
            rates_of(doc, company.rulebook),
        )
        for doc in everything
        for suffix in (".pdf", ".xlsx")
        if not (folder / f"{doc['invoice_no']}{suffix}").exists()
    ]
    written = run_jobs(write_invoice_document, jobs, workers, progress, "invoice documents (PDF, .xlsx)")
    hashes = register.content_hashes()
    summary = {
        "invoices": [
            {
                "invoice_no": d["invoice_no"],
                "kind": d["kind"],
                "customer_id": d["customer"]["customer_id"],
                "issue_date": d["issue_date"],
                "due_date": d["due_date"],
                "subtotal_by_rate": {k: t["subtotal"] for k, t in d["by_rate"].items()},
                "tax_by_rate": {k: t["tax"] for k, t in d["by_rate"].items()},
                "total": d["total"],
                "status": d["status"],
                "links": d["links"],
                "content_hash": hashes[d["invoice_no"]],
            }
            for d in everything
        ]
    }
    written.append(write_text(folder / "summary.json", json.dumps(summary, ensure_ascii=False, indent=1)))
    declared = list(every_tax_rate(company.rulebook).values())
    written.append(write_register_view(company.root / "invoices.xlsx", everything, hashes, declared))
    bills, vendors = checked.table("vendors", "bills"), checked.table("vendors", "vendors")
    months = monthly_summary(
        everything,
        bills.frame if bills is not None else None,
        vendors.frame if vendors is not None else None,
        company.rulebook,
    )
    tax = company.paths.tax
    written.append(write_text(tax / "summary.json", json.dumps({"months": months}, ensure_ascii=False, indent=1)))
    written.append(write_tax_summary(tax / "summary.xlsx", months, declared))
    return written
