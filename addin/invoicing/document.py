"""The issued document as data: canonical content, its hash, and credit notes (適格返還請求書)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

from addin.invoicing.build import Draft
from addin.invoicing.settings import Issuer
from addin.rulebook import Rulebook
from addin.tax import TaxRate, tax_rates


def content_of(draft: Draft, number: str, issuer: Issuer, kind: str = "invoice", corrects: str = "") -> dict:
    """Everything a qualified invoice must show (消費税法57条の4第1項), as plain JSON-able data."""
    return {
        "kind": kind,
        "invoice_no": number,
        "issuer": {
            "name": issuer.name,
            "registration_number": issuer.registration_number,
            "postal_code": issuer.postal_code,
            "address": issuer.address,
        },
        "customer": {
            "customer_id": draft.customer_id,
            "name": draft.customer_name,
            "honorific": draft.honorific,
            "postal_code": draft.postal_code,
            "address": draft.address,
        },
        "issue_date": draft.issue_date.isoformat(),
        "period": [draft.period_start.isoformat(), draft.period_end.isoformat()],
        "due_date": draft.due_date.isoformat(),
        "price_entry": draft.price_entry,
        "corrects": corrects,
        "lines": [
            {
                "key": line.key,
                "order_no": line.order_no,
                "date": line.shipped_date.isoformat(),
                "sku": line.sku,
                "description": line.description,
                "qty": format(Decimal(line.qty).normalize(), "f"),
                "unit_price": line.unit_price,
                "amount": line.amount,
                "rate": line.rate_key,
                "reduced": line.reduced,
            }
            for line in draft.lines
        ],
        "by_rate": {k: {"subtotal": t.subtotal, "tax": t.tax, "entered": t.entered} for k, t in draft.by_rate.items()},
        "total": draft.total,
    }


def rates_of(content: dict, rules: Rulebook) -> dict[str, TaxRate]:
    """The rate records a stored document is shown with: those in force on its issue date, or for a
    credit note on the original's (a return is taxed at the rate of the sale it returns)."""
    on = content.get("original_issue_date") or content["issue_date"]
    return tax_rates(rules, date.fromisoformat(on))


def canonical(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()


def credit_note_of(original: dict, number: str, issued_on: date, reason: str = "") -> dict:
    """A 適格返還請求書 cancelling the original in full: the same lines with negative amounts, the
    date of the return and of the original sales (FACTS.md §5)."""
    note = json.loads(json.dumps(original))
    note.update(
        kind="credit_note",
        invoice_no=number,
        issue_date=issued_on.isoformat(),
        corrects=original["invoice_no"],
        reason=reason,
        original_issue_date=original["issue_date"],
        due_date="",
    )
    for line in note["lines"]:
        line["amount"] = -line["amount"]
        line["qty"] = str(-Decimal(line["qty"]))
    note["by_rate"] = {k: {key: -value for key, value in t.items()} for k, t in note["by_rate"].items()}
    note["total"] = -note["total"]
    return note
