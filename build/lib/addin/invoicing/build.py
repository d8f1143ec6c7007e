"""From shipped orders to draft qualified invoices: one per customer and billing period, each
line marked when reduced-rate, tax once per rate per invoice (FACTS.md §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from addin.model import Issue, Severity, Table
from addin.money import floor_yen
from addin.invoicing.settings import InvoiceSettings
from addin.invoicing.terms import UnreadableTerms, due_date, period_end, period_start
from addin.tax import RateTotals, tax_on_exclusive, tax_on_inclusive


@dataclass
class Line:
    key: str                 # order_no|sku|description: what makes an order line invoiced once
    order_no: str
    shipped_date: date
    sku: str
    description: str
    qty: Decimal
    unit_price: int
    amount: int              # qty × unit price, 1円未満切捨て (as entered: excl. or incl. tax)
    rate_key: str
    reduced: bool
    row: int                 # Orders sheet row


@dataclass
class Draft:
    customer_id: str
    customer_name: str
    honorific: str
    postal_code: str
    address: str
    issue_date: date
    period_start: date
    period_end: date
    due_date: date
    price_entry: str
    lines: list[Line] = field(default_factory=list)
    by_rate: dict[str, RateTotals] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(t.total for t in self.by_rate.values())


def line_key(order_no: str, sku, description) -> str:
    return f"{order_no}|{sku or ''}|{description or ''}"


def totals_by_rate(lines: list[Line], rates: dict[str, Fraction], settings: InvoiceSettings) -> dict[str, RateTotals]:
    """Sum per rate first, then round the tax once: never per line (消費税法施行令70条の10)."""
    out = {}
    for key in sorted({line.rate_key for line in lines}, key=lambda k: -int(k)):
        entered = sum(line.amount for line in lines if line.rate_key == key)
        if settings.price_entry == "inclusive":
            tax = tax_on_inclusive(entered, rates[key], settings.rounding)
            out[key] = RateTotals(key, entered - tax, tax, entered)
        else:
            out[key] = RateTotals(key, entered, tax_on_exclusive(entered, rates[key], settings.rounding), entered)
    return out


def _issue(table: Table, position: int, field_name: str, code: str, ja: str, en: str) -> Issue:
    return Issue(table.book, table.sheet, table.cell(field_name, position), field_name, code, Severity.ERROR, ja, en)


def build_drafts(orders: Table, customers: Table, through: date, invoiced: set[str], bad_rows: set[int],
                 rates: dict[str, Fraction], settings: InvoiceSettings) -> tuple[list[Draft], list[Issue]]:
    frame = orders.frame
    shipped = frame["shipped_date"].notna() & (frame["shipped_date"] <= pd.Timestamp(through))
    people = customers.frame.drop_duplicates("customer_id").set_index("customer_id")
    groups: dict[tuple[str, date], list[int]] = {}
    for position in frame.index[shipped]:
        row = frame.loc[position]
        key = line_key(row["order_no"], row["sku"], row["description"])
        if key in invoiced or row["customer_id"] not in people.index:
            continue
        closing = str(people.loc[row["customer_id"], "closing_day"] or "end")
        end = period_end(row["shipped_date"].date(), closing)
        if end <= through:
            groups.setdefault((row["customer_id"], end), []).append(position)
    drafts, issues = [], []
    for (customer_id, end), positions in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0])):
        customer = people.loc[customer_id]
        bad = [p for p in positions if int(orders.rows[p]) in bad_rows]
        if bad:
            issues.append(_issue(orders, bad[0], "customer_id", "invoice_stopped",
                                 f"得意先 {customer_id} の {end:%Y-%m-%d} 締め請求書は発行しません（この行のエラーを直してください）",
                                 f"invoice for {customer_id} closing {end:%Y-%m-%d} not issued: fix the errors on this row"))
            continue
        try:
            due = due_date(end, customer["payment_terms"], settings.due_date_holiday)
        except UnreadableTerms:
            position = int(customers.frame.index[customers.frame["customer_id"] == customer_id][0])
            issues.append(_issue(customers, position, "payment_terms", "unreadable_terms",
                                 f"支払条件「{customer['payment_terms']}」を読めません（例: 翌月末、翌月25日）",
                                 f"payment terms {customer['payment_terms']!r} not understood (e.g. 翌月末, 翌月25日)"))
            continue
        lines = [_line(orders, frame.loc[p], p) for p in positions]
        lines.sort(key=lambda line: (line.shipped_date, line.order_no, line.key))
        closing = str(customer["closing_day"] or "end")
        drafts.append(Draft(customer_id, customer["name"], customer["honorific"] or "御中", customer["postal_code"] or "",
                            customer["address"] or "", end, period_start(end, closing), end, due, settings.price_entry,
                            lines, totals_by_rate(lines, rates, settings)))
    return drafts, issues


def _line(orders: Table, row: pd.Series, position: int) -> Line:
    qty = row["qty"]
    price = int(row["unit_price"])
    amount = Fraction(qty) * price
    return Line(line_key(row["order_no"], row["sku"], row["description"]), row["order_no"], row["shipped_date"].date(),
                row["sku"] or "", row["description"] or row["sku"] or "", qty, price,
                int(floor_yen(amount.numerator, amount.denominator)), row["tax_rate"], row["tax_rate"] != "10",
                int(orders.rows[position]))
