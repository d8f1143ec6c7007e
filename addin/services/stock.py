"""The stock run: ledger and valuation as of a date, counts, reorder proposals, three-way match and
the vendor payment file — located findings for bad rows, everything else still computed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import pandas as pd

from addin.model import Issue, Severity
from addin.model.issues import exit_code, fatal, in_a_line
from addin.outputs.stock_books import qty, write_payments_book, write_reorder_book, write_stock_book
from addin.outputs.staging import staged_folder, write_private
from addin.outputs.zengin import Requester, Transfer, ZenginError, zengin_file
from addin.rulebook import RuleNotInForce
from addin.services.company import Company
from addin.services.payroll import requester_of
from addin.validate.columns import unreadable_rows
from addin.services.validation import BookOpener, open_company_book, validate_company
from addin.stock.checks import negative_stock_issues, no_cost_basis_issues, receipt_po_mismatches
from addin.stock.counts import count_differences
from addin.stock.ledger import build_ledger, negative_stock
from addin.stock.matching import three_way_match
from addin.stock.payments import bills_due, payments_due
from addin.state.files import state_folder
from addin.state.vendor_payments import VendorPayments
from addin.stock.reorder import open_orders, propose
from addin.tax.rates import tax_rates
from addin.stock.valuation import UnitCostScaleRefused, unit_cost_scale, unit_cost_text, value


@dataclass
class StockRun:
    issues: list[Issue] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    folders: list[Path] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return exit_code(self.issues)


#: what an on-hand figure is computed from, per sheet ("" a whole-sheet issue): a problem elsewhere (a
#: price, a count) does not change it
ON_HAND_FIELDS = {"movements": {"", "date", "sku", "kind", "qty"}, "items": {"", "sku"}}


def on_hand_by_sku(company: Company, as_of: date) -> tuple[dict[str, float | int] | None, str]:
    """Quantity on hand per item at the end of a date, or (None, why not): what BO_STOCK_ON_HAND shows.
    A cell cannot show the issues beside its figure, so an error in what the figure is computed from (a
    quantity typed "abc" is read as empty) gives no figure, only where to look."""
    checked = validate_company(company, only={"stock"})
    movements, items = checked.table("stock", "movements"), checked.table("stock", "items")
    read_from = {t.sheet: ON_HAND_FIELDS[key] for key, t in (("movements", movements), ("items", items)) if t}
    blocking = [
        i
        for i in checked.issues
        if i.severity is Severity.FATAL
        or (i.severity is Severity.ERROR and (not i.sheet or (i.sheet in read_from and i.field in read_from[i.sheet])))
    ]
    if blocking or movements is None or items is None:
        return None, in_a_line(blocking) or "stock.xlsx を使えません / stock.xlsx cannot be used"
    ledger = build_ledger(movements, as_of, items)
    return {sku: qty(amount) for sku, amount in ledger.on_hand().items()}, ""


def run_stock(
    company: Company,
    as_of: date,
    pay_by: date | None = None,
    opener: BookOpener = open_company_book,
    progress: Callable[[str], None] = lambda _: None,
    write: bool = True,
) -> StockRun:
    run = StockRun()
    checked = validate_company(
        company, opener, only={"stock", "vendors"}, progress=lambda b: progress(f"validating {b}")
    )
    run.issues = [i for i in checked.issues if i.severity is not Severity.WARNING]
    if any(i.severity is Severity.FATAL for i in run.issues):
        return run
    settings = company.settings.get("stock", {})

    def computable(book: str, sheet: str):
        """The sheet without the rows a value of which could not be read or is required and missing: each
        is reported with its cell, the rest is computed (a bill whose amount cannot be read is neither
        matched nor paid until mended)."""
        table = checked.table(book, sheet)
        if table is None:
            return None
        return table.without(unreadable_rows(table, checked.raw[(book, sheet)], company.books[book].sheets[sheet]))

    # movements stay whole: the ledger leaves out what it cannot place (a row's quantity counts even when
    # its unit cost cannot be read) and reports it; purchase-order lines too, but for the match (their
    # quantities are on order whatever their price says)
    movements, items = checked.table("stock", "movements"), checked.table("stock", "items")
    pos, bills = checked.table("vendors", "purchase_orders"), computable("vendors", "bills")
    vendors = checked.table("vendors", "vendors")
    try:
        progress("ledger and valuation")
        ledger = build_ledger(movements, as_of, items)
        method = str(settings.get("valuation", "moving_average"))
        valuation = value(ledger, method, unit_cost_scale(company.rulebook, as_of))
        run.issues += negative_stock_issues(movements, negative_stock(ledger))
        run.issues += no_cost_basis_issues(movements, valuation.no_cost_basis)
        run.issues += receipt_po_mismatches(movements, ledger.frame, pos, items)
        averages = valuation.items.set_index("sku")["unit_cost"]
        counts = count_differences(computable("stock", "counts"), ledger, averages)
        # an item with a value that cannot be read (its cost, its reorder figures…) gets no draft order
        proposals = propose(computable("stock", "items"), ledger.on_hand(), open_orders(pos, ledger))
        tolerance = company.rulebook.value("matching.tolerance", as_of)
        match = three_way_match(bills, computable("vendors", "purchase_orders"), items, ledger, tolerance)
        pay_by = pay_by or as_of
        with VendorPayments(_payments_db(company)) as paid:
            carried = paid.paid_elsewhere(pay_by.isoformat())
        due = bills_due(
            match, vendors.frame, pay_by, company.rulebook, str(settings.get("payment_holiday", "previous")), carried
        )
        payments = payments_due(
            due,
            vendors.frame,
            pay_by,
            company.rulebook,
            str(company.settings.get("bank", {}).get("bank_code", "")),
            bool(settings.get("transfer_fee_borne_by_vendor", False)),
        )
    except RuleNotInForce as missing:
        run.issues.append(fatal(missing.parameter.file, "rule_not_in_force", missing.message_ja, missing.message_en))
        return run
    except UnitCostScaleRefused as refused:
        run.issues.append(fatal(refused.file, "unit_cost_scale_refused", refused.message_ja, refused.message_en))
        return run
    run.report = _report(as_of, method, valuation, counts, proposals, match, ledger)
    if write:
        progress("writing outputs")
        names = items.frame.drop_duplicates("sku").set_index("sku")["name"].to_dict()
        run.folders.append(
            _write_stock(
                company.paths.stock(as_of),
                run.report,
                valuation,
                counts,
                match,
                proposals,
                names,
                vendors,
                as_of,
                company.rulebook,
            )
        )
        try:
            requester = requester_of(company.settings)
            zengin_file("general", requester, pay_by, [])  # the company's own account, before any vendor's
        except ZenginError as bad:
            run.issues.append(
                fatal("backoffice.toml", "zengin_invalid", f"支払データを作れません: {bad}", f"no payment file: {bad}")
            )
            return run
        unsendable = _not_transferable(payments, vendors, requester, pay_by)
        run.issues += [issue for _, issue in unsendable]
        payments = payments[~payments["vendor_id"].isin([vendor for vendor, _ in unsendable])]
        folder, transferred = _write_payments(company, payments, vendors, requester, pay_by)
        run.folders.append(folder)
        with VendorPayments(_payments_db(company)) as paid:  # after the file is in place
            paid.record(
                pay_by.isoformat(),
                [
                    (str(v), str(b), int(a))
                    for v, b, a in zip(due["vendor_id"], due["bill_no"], due["amount"], strict=True)
                    if v in transferred
                ],
            )
    return run


def _report(as_of, method, valuation, counts, proposals, match, ledger) -> dict:
    items = [
        {
            "sku": r["sku"],
            "on_hand": qty(r["on_hand"]),
            "unit_cost": unit_cost_text(r["unit_cost"]),
            "value": int(r["value"]),
        }
        for r in valuation.items.to_dict("records")
    ]
    return {
        "as_of": as_of.isoformat(),
        "method": method,
        "items": items,
        "total_value": int(valuation.items["value"].sum()),
        "cost_of_issues_by_month": {
            m: int(v) for m, v in valuation.monthly.groupby("month")["cost_of_issues"].sum().items()
        },
        "counts": [
            {
                "count_date": pd.Timestamp(r["count_date"]).date().isoformat(),
                "sku": r["sku"],
                "counted": qty(r["counted"]),
                "ledger": qty(r["ledger"]),
                "difference": qty(r["difference"]),
                "value": int(r["value"]),
            }
            for r in counts.to_dict("records")
        ],
        "reorder": [
            {
                "vendor_id": r["vendor_id"],
                "sku": r["sku"],
                "qty": qty(r["qty"]),
                "on_hand": qty(r["on_hand"]),
                "on_order": qty(r["on_order"]),
            }
            for r in proposals.to_dict("records")
        ],
        "match": [
            {
                "vendor_id": r["vendor_id"],
                "bill_no": r["bill_no"],
                "po_no": r["po_no"],
                "tax_rate": r["tax_rate"],
                "amount": int(r["amount"] or 0),
                "ordered": int(r["ordered"]),
                "received": int(r["received"]),
                "status": r["status"],
            }
            for r in match.to_dict("records")
        ],
        "movements": len(ledger.frame),
    }


def _payments_db(company: Company) -> Path:
    """The state database holding what was paid, its folder created (or tightened) owner-only first."""
    state_folder(company.root)
    return company.paths.db


def _rate_labels(rulebook, on: date) -> dict[str, str]:
    """The rate keys as the records print them; a date before every rate shows the bare key (display only:
    no tax is computed here)."""
    try:
        return {key: rate.label for key, rate in tax_rates(rulebook, on).items()}
    except RuleNotInForce:
        return {}


def _write_stock(folder, report, valuation, counts, match, proposals, names, vendors, as_of, rulebook) -> Path:
    vendor_names = vendors.frame.drop_duplicates("vendor_id").set_index("vendor_id")["name"].to_dict()
    with staged_folder(folder) as tmp:
        (tmp / "stock.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        labels = _rate_labels(rulebook, as_of)
        write_stock_book(tmp / "stock.xlsx", valuation, counts, match, names, labels)
        write_reorder_book(tmp / "reorder.xlsx", proposals, vendor_names, as_of)
    return folder


def _transfer(vendor: pd.Series, vendor_id: str, net: int) -> Transfer:
    return Transfer(
        vendor["bank_code"],
        vendor["branch_code"],
        vendor["account_type"] or "ordinary",
        vendor["account_number"],
        vendor["account_holder_kana"],
        int(net),
        str(vendor_id),
    )


#: what the bank file calls each of a vendor's account cells (its ZenginError names one)
_ACCOUNT_FIELDS = {
    "bank code": "bank_code",
    "branch code": "branch_code",
    "account type": "account_type",
    "account number": "account_number",
    "holder name": "account_holder_kana",
}


def _not_transferable(payments: pd.DataFrame, vendors, requester: Requester, pay_by: date) -> list[tuple[str, Issue]]:
    """Each vendor the bank file cannot pay, with its issue at its row: nothing to transfer (a fee the
    vendor bears above what is owed), no bank account, or an account a bank file cannot carry (a type,
    number or name typed wrong). Its payment is in neither the bank file nor payments.json (which the
    books post as paid): its bills stay due, and a later file pays them once the row is mended; the
    other vendors are paid."""
    frame = vendors.frame.reset_index(drop=True)
    out = []
    for vendor, bills, net in zip(payments["vendor_id"], payments["bills"], payments["net"], strict=True):
        at = frame.index[frame["vendor_id"] == vendor]
        if not len(at):
            continue
        row, why = frame.iloc[int(at[0])], None
        if net <= 0:
            field, code = "vendor_id", "nothing_to_transfer"
            why = (f"振込額が {int(net):,} 円のため振り込みません", f"nothing to transfer ({int(net):,} yen)")
        elif pd.isna(row["bank_code"]):
            field, code = "bank_code", "no_bank_account"
            why = ("振込先の口座が登録されていません", "no bank account")
        else:
            try:
                zengin_file("general", requester, pay_by, [_transfer(row, vendor, net)])
            except ZenginError as bad:
                field = next((c for label, c in _ACCOUNT_FIELDS.items() if f": {label}" in str(bad)), "vendor_id")
                code = "zengin_invalid"
                why = (f"振込データに書けない口座です（{bad}）", f"an account the bank file cannot carry ({bad})")
        if why is not None:
            ja, en = why
            out.append(
                (
                    vendor,
                    Issue(
                        vendors.book,
                        vendors.sheet,
                        vendors.cell(field, int(at[0])),
                        field,
                        code,
                        Severity.ERROR,
                        f"{ja}: {vendor} への支払（{bills}）は振込データに含めていません",
                        f"{en}: the payment to {vendor} ({bills}) is not in the payment file",
                    ),
                )
            )
    return out


def _write_payments(
    company: Company, payments: pd.DataFrame, vendors, requester: Requester, pay_by: date
) -> tuple[Path, set[str]]:
    """The 総合振込 file of a pay date and the vendors it pays (every one `_not_transferable` let through)."""
    people = vendors.frame.drop_duplicates("vendor_id").set_index("vendor_id")
    transfers = [
        _transfer(people.loc[v], v, net) for v, net in zip(payments["vendor_id"], payments["net"], strict=True)
    ]
    data = zengin_file("general", requester, pay_by, transfers)
    folder = company.paths.payments(pay_by)
    summary = {
        "pay_by": pay_by.isoformat(),
        "payments": [
            {k: (int(v) if k in ("amount", "withholding", "fee", "net") else v) for k, v in row.items()}
            for row in payments.to_dict("records")
        ],
        "total": int(payments["net"].sum()) if len(payments) else 0,
    }
    with staged_folder(folder, private=True) as tmp:
        write_private(tmp / f"zengin_sogo_{pay_by:%Y%m%d}.txt", data)
        write_private(tmp / "payments.json", json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8"))
        write_payments_book(tmp / "payments.xlsx", payments, pay_by).chmod(0o600)
    return folder, {t.customer_code for t in transfers}
