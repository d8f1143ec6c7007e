"""Who owes what: open invoices by days past due (未入金 30/60/90+), per-customer statements, and
customers whose open balance is above their credit limit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from addin.receivables.matching import Allocation, OpenInvoice

# (bucket, first day past due, last day past due or None)
BUCKETS = (("not_due", None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("91+", 91, None))
BUCKET_LABELS_JA = {
    "not_due": "期日前",
    "1-30": "1〜30日超過",
    "31-60": "31〜60日超過",
    "61-90": "61〜90日超過",
    "91+": "91日以上超過",
}


def bucket_of(days_past_due: int) -> str:
    for name, low, high in BUCKETS:
        if (low is None or days_past_due >= low) and (high is None or days_past_due <= high):
            return name
    raise AssertionError(days_past_due)  # the buckets cover every integer


@dataclass(frozen=True)
class AgedInvoice:
    invoice_no: str
    customer_id: str
    issue_date: date
    due_date: date
    total: int
    open: int
    days_past_due: int
    bucket: str


def age(invoices: list[OpenInvoice], as_of: date) -> list[AgedInvoice]:
    """Every invoice issued by `as_of` with money still open, oldest due first."""
    out = [
        AgedInvoice(
            i.invoice_no,
            i.customer_id,
            i.issue_date,
            i.due_date,
            i.total,
            i.open,
            (as_of - i.due_date).days,
            bucket_of((as_of - i.due_date).days),
        )
        for i in invoices
        if i.open > 0 and i.issue_date <= as_of
    ]
    return sorted(out, key=lambda a: (a.due_date, a.invoice_no))


def aging_by_customer(aged: list[AgedInvoice]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = defaultdict(lambda: {name: 0 for name, _, _ in BUCKETS} | {"total": 0})
    for invoice in aged:
        row = table[invoice.customer_id]
        row[invoice.bucket] += invoice.open
        row["total"] += invoice.open
    return dict(sorted(table.items()))


def over_credit_limit(aged: list[AgedInvoice], limits: dict[str, int]) -> list[dict]:
    """Customers whose open receivables exceed their 与信限度額 (no limit set: never over)."""
    owed: dict[str, int] = defaultdict(int)
    for invoice in aged:
        owed[invoice.customer_id] += invoice.open
    return [
        {"customer_id": c, "open": owed[c], "credit_limit": limit, "over_by": owed[c] - limit}
        for c, limit in sorted(limits.items())
        if limit is not None and owed[c] > limit
    ]


@dataclass(frozen=True)
class Receipt:
    """A statement line applied to invoices (automatically or confirmed by a person)."""

    line_id: str
    date: date
    amount: int  # money received on the statement
    allocations: tuple[Allocation, ...]
    source: str = "auto"  # auto / confirmed


def customer_statement(
    customer_id: str, invoices: list[OpenInvoice], receipts: list[Receipt], as_of: date
) -> list[dict]:
    """得意先元帳: invoices billed and money received, in date order, with the running balance."""
    rows: list[dict[str, Any]] = [
        {"date": i.issue_date, "kind": "invoice", "reference": i.invoice_no, "billed": i.total, "received": 0, "fee": 0}
        for i in invoices
        if i.customer_id == customer_id and i.issue_date <= as_of
    ]
    for receipt in receipts:
        mine = [a for a in receipt.allocations if a.customer_id == customer_id]
        if mine and receipt.date <= as_of:
            rows.append(
                {
                    "date": receipt.date,
                    "kind": "receipt",
                    "reference": receipt.line_id,
                    "billed": 0,
                    "received": sum(a.amount for a in mine),
                    "fee": sum(a.fee for a in mine),
                }
            )
    rows.sort(key=lambda r: (r["date"], r["kind"] != "invoice", r["reference"]))
    balance = 0
    for row in rows:
        balance += row["billed"] - row["received"]
        row["balance"] = balance
    return rows
