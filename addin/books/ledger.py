"""Balances from posted entries: the general ledger by account and sub-account, the trial balance
(残高試算表: opening, the period's debits and credits, closing) with monthly movements, and the
check that the consumption tax on the books equals the tax summary of invoices and bills."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from addin.books.chart import Chart
from addin.books.journal import Entry

TAX_ACCOUNTS = ("output_tax", "input_tax")


@dataclass(frozen=True)
class BalanceRow:
    account: str
    name: str
    code: str
    normal: str
    opening: int  # in the account's normal direction (a debit-normal account: debits − credits)
    debit: int
    credit: int

    @property
    def closing(self) -> int:
        movement = self.debit - self.credit
        return self.opening + (movement if self.normal == "debit" else -movement)


def _signed(line) -> int:
    return line.amount if line.side == "debit" else -line.amount


def trial_balance(entries: list[Entry], chart: Chart, start: date, end: date) -> list[BalanceRow]:
    """Every account of the chart (and any other that entries use), in chart order."""
    before: dict[str, int] = defaultdict(int)
    debits: dict[str, int] = defaultdict(int)
    credits: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.date > end:
            continue
        for line in entry.lines:
            if entry.date < start:
                before[line.account] += _signed(line)
            elif line.side == "debit":
                debits[line.account] += line.amount
            else:
                credits[line.account] += line.amount
    rows = []
    for account in chart.ordered():
        net_before = before.get(account.key, 0)
        opening = net_before if account.normal == "debit" else -net_before
        rows.append(
            BalanceRow(
                account.key,
                account.name,
                account.code,
                account.normal,
                opening,
                debits.get(account.key, 0),
                credits.get(account.key, 0),
            )
        )
    return rows


def balance_of(entries: list[Entry], chart: Chart, account: str, as_of: date, sub: str | None = None) -> int:
    """An account's balance at the end of a date, in its normal direction (BO_ACCOUNT_BALANCE)."""
    normal = chart.account(account).normal
    total = sum(
        _signed(line)
        for entry in entries
        if entry.date <= as_of
        for line in entry.lines
        if line.account == account and (sub is None or line.sub == sub)
    )
    return total if normal == "debit" else -total


def sub_balances(entries: list[Entry], end: date) -> dict[tuple[str, str], int]:
    """(account, sub-account) → debits − credits up to the date: the general ledger's sub-ledgers."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for entry in entries:
        if entry.date <= end:
            for line in entry.lines:
                out[(line.account, line.sub)] += _signed(line)
    return dict(out)


def monthly_movements(entries: list[Entry], start: date, end: date) -> dict[str, dict[str, tuple[int, int]]]:
    """account → "YYYY-MM" → (debits, credits) within the period."""
    out: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for entry in entries:
        if start <= entry.date <= end:
            month = f"{entry.date:%Y-%m}"
            for line in entry.lines:
                out[line.account][month][0 if line.side == "debit" else 1] += line.amount
    return {a: {m: (v[0], v[1]) for m, v in sorted(months.items())} for a, months in out.items()}


def unbalanced(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if not entry.balanced]


def tax_on_books(entries: list[Entry], start: date, end: date, exclusive: bool) -> dict[str, dict[str, int]]:
    """month → {"output_tax", "input_tax"} booked from invoices and bills: under 税抜経理 the movements of
    仮受/仮払消費税 (the creditable share), under 税込経理 the tax carried on the sales and purchase lines."""
    months: dict[str, dict[str, int]] = defaultdict(lambda: {"output_tax": 0, "input_tax": 0})
    for entry in entries:
        kind = entry.source.kind if entry.source.kind != "reversal" else _reversed_kind(entry)
        if not (start <= entry.date <= end) or kind not in ("invoice", "credit_note", "bill"):
            continue
        figures = months[f"{entry.date:%Y-%m}"]
        for line in entry.lines:
            if exclusive and line.account in TAX_ACCOUNTS:
                sign = 1 if (line.side == "credit") == (line.account == "output_tax") else -1
                figures[line.account] += sign * line.amount
            elif not exclusive and line.tax.startswith(("sales_", "purchase_")):
                key = "output_tax" if line.tax.startswith("sales_") else "input_tax"
                sign = 1 if (line.side == "credit") == (key == "output_tax") else -1
                figures[key] += sign * line.tax_amount
    return dict(months)


def _reversed_kind(entry: Entry) -> str:
    return entry.reverses.split(":", 1)[0]


def tax_check(entries: list[Entry], summary: list[dict], start: date, end: date, exclusive: bool) -> list[dict]:
    """Per month: output tax and (creditable, or under 税込経理 gross) input tax on the books against the
    product's tax summary (addin.tax.summary.monthly_summary); `difference` must be 0."""
    books = tax_on_books(entries, start, end, exclusive)
    rows = []
    for month_row in summary:
        month = month_row["month"]
        if not (f"{start:%Y-%m}" <= month <= f"{end:%Y-%m}"):
            continue
        expected_in = (
            month_row["input_tax_creditable"]
            if exclusive
            else sum(v["tax"] for v in month_row["input_tax_by_rate"].values())
        )
        booked = books.get(month, {"output_tax": 0, "input_tax": 0})
        rows.append(
            {
                "month": month,
                "output_tax_summary": month_row["output_tax"],
                "output_tax_books": booked["output_tax"],
                "input_tax_summary": expected_in,
                "input_tax_books": booked["input_tax"],
                "difference": (booked["output_tax"] - month_row["output_tax"]) + (booked["input_tax"] - expected_in),
            }
        )
    for month in sorted(set(books) - {r["month"] for r in rows}):
        booked = books[month]
        rows.append(
            {
                "month": month,
                "output_tax_summary": 0,
                "output_tax_books": booked["output_tax"],
                "input_tax_summary": 0,
                "input_tax_books": booked["input_tax"],
                "difference": booked["output_tax"] + booked["input_tax"],
            }
        )
    return sorted(rows, key=lambda r: r["month"])
