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
from addin.tax import RateTotals, TaxRate, tax_on_exclusive, tax_on_inclusive


@dataclass
class Line:
    key: str  # order_no#n (the n-th line of the order): what makes an order line invoiced once
    order_no: str
    shipped_date: date
    sku: str
    description: str
    qty: Decimal
    unit_price: int
    amount: int  # qty × unit price, 1円未満切捨て (as entered: excl. or incl. tax)
    rate_key: str
    reduced: bool
    row: int  # Orders sheet row


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


KEY_MARK = "#"


def line_keys(frame: pd.DataFrame) -> pd.Series:
    """Each order row's key: its order number and its line within that order (1, 2 … in sheet order),
    never editable text — a changed description or price is the same line, edited."""
    numbers = frame["order_no"].fillna("").astype(str)
    return numbers + KEY_MARK + (numbers.groupby(numbers).cumcount() + 1).astype(str)


def order_of_key(key: str) -> str:
    return key.rsplit(KEY_MARK, 1)[0]


#: what an issued line says that the order row must still say (else the invoice needs a correction)
INVOICED_FIELDS = (
    ("sku", "sku"),
    ("qty", "qty"),
    ("unit_price", "unit_price"),
    ("rate", "tax_rate"),
    ("date", "shipped_date"),
)


def totals_by_rate(lines: list[Line], rates: dict[str, TaxRate], settings: InvoiceSettings) -> dict[str, RateTotals]:
    """Sum per rate first (highest rate first), then round the tax once: never per line (消費税法施行令70条の10)."""
    out = {}
    for key in sorted({line.rate_key for line in lines}, key=lambda k: -rates[k].percent):
        entered = sum(line.amount for line in lines if line.rate_key == key)
        share = rates[key].fraction
        if settings.price_entry == "inclusive":
            tax = tax_on_inclusive(entered, share, settings.rounding)
            out[key] = RateTotals(key, entered - tax, tax, entered)
        else:
            out[key] = RateTotals(key, entered, tax_on_exclusive(entered, share, settings.rounding), entered)
    return out


def _issue(table: Table, position: int, field_name: str, code: str, ja: str, en: str) -> Issue:
    return Issue(table.book, table.sheet, table.cell(field_name, position), field_name, code, Severity.ERROR, ja, en)


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _shown(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return format(Decimal(str(value)).normalize(), "f")
    return _text(value)


def edited_lines(orders: Table, invoiced: dict[str, tuple[str, dict]]) -> list[Issue]:
    """Order rows already on an issued invoice whose content no longer matches it: each is reported at
    its cell (exit 1) and needs a correction (credit note + replacement), never a second invoice."""
    frame = orders.frame
    issues = []
    for position, key in zip(frame.index, line_keys(frame), strict=True):
        if key not in invoiced:
            continue
        number, line = invoiced[key]
        row = frame.loc[position]
        description = _text(row["description"]) or _text(row["sku"])
        pairs = [(f, _shown(line.get(stored)), _shown(row[f])) for stored, f in INVOICED_FIELDS]
        pairs.append(("description", str(line.get("description", "")), str(description)))
        for field_name, was, now in pairs:
            if field_name in orders.frame.columns and was != now:
                issues.append(
                    _issue(
                        orders,
                        position,
                        field_name,
                        "invoiced_line_edited",
                        f"請求済み（{number}）の行が変更されています（{was} → {now}）。"
                        f"訂正は backoffice invoice --correct {number} で行ってください",
                        f"this line is on issued invoice {number} and was changed ({was} → {now}); "
                        f"correct it with backoffice invoice --correct {number}",
                    )
                )
                break
    return issues


def build_drafts(
    orders: Table,
    customers: Table,
    through: date,
    invoiced: set[str],
    bad_rows: set[int],
    rates: dict[str, TaxRate],
    settings: InvoiceSettings,
) -> tuple[list[Draft], list[Issue]]:
    """Draft invoices for shipped, uninvoiced order lines; `rates` are the records in force on `through`."""
    frame = orders.frame
    shipped = frame["shipped_date"].notna() & (frame["shipped_date"] <= pd.Timestamp(through))
    people = customers.frame.drop_duplicates("customer_id").set_index("customer_id")
    keys = line_keys(frame)
    groups: dict[tuple[str, date], list[int]] = {}
    no_closing: dict[str, int] = {}  # customer -> first line held back
    for position in frame.index[shipped]:
        row = frame.loc[position]
        if keys[position] in invoiced or row["customer_id"] not in people.index:
            continue
        closing = people.loc[row["customer_id"], "closing_day"]
        if pd.isna(closing):  # required, so unreadable (reported at its cell): no period, no invoice
            no_closing.setdefault(row["customer_id"], position)
            continue
        end = period_end(row["shipped_date"].date(), str(closing))
        if end <= through:
            groups.setdefault((row["customer_id"], end), []).append(position)
    drafts, issues = [], []
    for customer_id, position in no_closing.items():
        issues.append(
            _issue(
                orders,
                position,
                "customer_id",
                "invoice_stopped",
                f"得意先 {customer_id} の締日が読めないため請求書は発行しません（得意先シートの締日を直してください）",
                f"no invoice for {customer_id}: its closing day cannot be read (fix it on the customers sheet)",
            )
        )
    for (customer_id, end), positions in sorted(groups.items(), key=lambda g: (g[0][1], g[0][0])):
        customer = people.loc[customer_id]
        bad = [p for p in positions if int(orders.rows[p]) in bad_rows]
        if bad:
            issues.append(
                _issue(
                    orders,
                    bad[0],
                    "customer_id",
                    "invoice_stopped",
                    f"得意先 {customer_id} の {end:%Y-%m-%d} 締め請求書は発行しません"
                    "（この行のエラーを直してください）",
                    f"invoice for {customer_id} closing {end:%Y-%m-%d} not issued: fix the errors on this row",
                )
            )
            continue
        try:
            due = due_date(end, customer["payment_terms"], settings.due_date_holiday)
        except UnreadableTerms:
            position = int(customers.frame.index[customers.frame["customer_id"] == customer_id][0])
            issues.append(
                _issue(
                    customers,
                    position,
                    "payment_terms",
                    "unreadable_terms",
                    f"支払条件「{customer['payment_terms']}」を読めません（例: 翌月末、翌月25日）",
                    f"payment terms {customer['payment_terms']!r} not understood (e.g. 翌月末, 翌月25日)",
                )
            )
            continue
        unknown = [p for p in positions if frame.loc[p, "tax_rate"] not in rates]
        if unknown:
            issues.append(_rate_not_in_force(orders, unknown[0], rates, through))
            continue
        lines = [_line(orders, frame.loc[p], p, keys[p], rates[frame.loc[p, "tax_rate"]]) for p in positions]
        lines.sort(key=lambda line: (line.shipped_date, line.order_no, line.key))
        closing = str(customer["closing_day"] or "end")
        drafts.append(
            Draft(
                customer_id,
                customer["name"],
                customer["honorific"] or "御中",
                customer["postal_code"] or "",
                customer["address"] or "",
                end,
                period_start(end, closing),
                end,
                due,
                settings.price_entry,
                lines,
                totals_by_rate(lines, rates, settings),
            )
        )
    return drafts, issues


def _rate_not_in_force(orders: Table, position: int, rates: dict[str, TaxRate], through: date) -> Issue:
    word = orders.frame.loc[position, "tax_rate"]
    known = "、".join(r.label for r in rates.values())
    return _issue(
        orders,
        position,
        "tax_rate",
        "rate_not_in_force",
        f"税率「{word}」は {through:%Y-%m-%d} に施行されていません（施行中: {known}）。"
        "rules/consumption_tax.yaml を確認してください",
        f"tax rate {word!r} is not in force on {through:%Y-%m-%d} (in force: {', '.join(rates)}); "
        "see rules/consumption_tax.yaml",
    )


def _line(orders: Table, row: pd.Series, position: int, key: str, tax_rate: TaxRate) -> Line:
    qty = row["qty"]
    price = int(row["unit_price"])
    amount = Fraction(qty) * price
    return Line(
        key,
        row["order_no"],
        row["shipped_date"].date(),
        _text(row["sku"]),
        _text(row["description"]) or _text(row["sku"]),
        qty,
        price,
        int(floor_yen(amount.numerator, amount.denominator)),
        tax_rate.key,
        tax_rate.reduced,
        int(orders.rows[position]),
    )
