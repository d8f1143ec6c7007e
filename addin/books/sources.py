"""Journal entries from each run's own output: a payroll summary, the invoice register's documents,
the Bills sheet, a vendor payment file and a stock valuation. One function per source, each taking
plain data (what the service read) and returning balanced entries with stable ids, so posting the
same documents twice adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import cache
from typing import Callable

from addin.books.chart import Chart
from addin.books.journal import Entry, Line, Source, credit, debit, make_entry
from addin.money import rate
from addin.receivables.journal import ADVANCE, BANK, FEE, RECEIVABLE
from addin.rulebook import Rulebook
from addin.tax import input_tax_credit, standard_rate, tax_on_inclusive, tax_rates

# payroll summary fields → the 預り金 sub-account each deduction is held in until paid over
DEDUCTION_SUBS = {
    "withholding_tax": "income_tax",
    "resident_tax": "resident_tax",
    "health_insurance": "social_insurance",
    "nursing_insurance": "social_insurance",
    "child_support_levy": "social_insurance",
    "pension": "social_insurance",
    "employment_insurance": "employment_insurance",
}


@dataclass(frozen=True)
class BooksSettings:
    """`[books]` in backoffice.toml."""

    tax_accounting: str = "exclusive"  # 税抜経理 (仮受/仮払消費税 lines) or "inclusive" (税込経理)
    net_pay: str = "bank"  # net pay credited to 普通預金 on the pay date, or "accrued" (未払金)
    payroll: str = ""  # "closed": closed months and bonuses only; "all"; "" = closed when the
    # company closes payroll at all (the history holds a close), else all

    @classmethod
    def from_settings(cls, settings: dict) -> "BooksSettings":
        books = settings.get("books", {}) or {}
        made = cls(
            str(books.get("tax_accounting", "exclusive")),
            str(books.get("net_pay", "bank")),
            str(books.get("payroll", "")),
        )
        if (
            made.tax_accounting not in ("exclusive", "inclusive")
            or made.net_pay not in ("bank", "accrued")
            or made.payroll not in ("", "closed", "all")
        ):
            raise ValueError(
                '[books] tax_accounting must be "exclusive" or "inclusive", net_pay "bank" or "accrued", '
                'payroll "closed" or "all"'
            )
        return made

    @property
    def exclusive(self) -> bool:
        return self.tax_accounting == "exclusive"


# ── payroll ──────────────────────────────────────────────────────────────────────────────────────


def payroll_entries(summary: dict, directors: set[str], settings: BooksSettings, document: str) -> list[Entry]:
    """Per employee on the pay date: gross to 役員報酬 (directors) or 給与手当, each deduction to 預り金
    with its sub-account, net to 普通預金 (or 未払金); and one entry for the employer's social
    insurance (法定福利費 / 未払費用, paid with the employee shares at the end of the next month)."""
    if summary.get("kind") == "bonus":
        return bonus_entries(summary, directors, settings, document)
    period = summary.get("month") or summary["pay_date"]
    kind = str(summary.get("kind", "payroll"))
    return _pay_entries(
        summary, kind, period, "gross_pay", ("directors_pay", "salaries"), "給与", directors, settings, document
    )


def bonus_entries(summary: dict, directors: set[str], settings: BooksSettings, document: str) -> list[Entry]:
    """A bonus run (out/bonus/<pay date>/summary.json or its close) on its pay date: the bonus to 賞与
    (役員賞与 for a director), social insurance and withholding to 預り金 by sub-account (no resident
    tax is taken from a bonus), net to 普通預金 (or 未払金), the employer's premiums to 法定福利費."""
    period = summary["pay_date"]
    return _pay_entries(
        summary, "bonus", period, "bonus_amount", ("directors_bonus", "bonuses"), "賞与", directors, settings, document
    )


def _pay_entries(
    summary: dict,
    kind: str,
    period: str,
    gross_field: str,
    accounts: tuple[str, str],
    label: str,
    directors: set[str],
    settings: BooksSettings,
    document: str,
) -> list[Entry]:
    """One entry per employee and one for the employer's share: what a monthly payroll and a bonus share."""
    paid_on = date.fromisoformat(summary["pay_date"])
    source = Source("bonus" if kind == "bonus" else "payroll", f"{kind} {period}", document)
    net_account = "bank" if settings.net_pay == "bank" else "accrued"
    director_account, staff_account = accounts
    entries = []
    for row in summary["employees"]:
        who = str(row["employee_id"])
        gross = int(row[gross_field])
        lines = [debit(director_account if who in directors else staff_account, gross, party=who)]
        known = 0
        for field, sub in DEDUCTION_SUBS.items():
            amount = int(row.get(field) or 0)
            known += amount
            if amount:  # a zero line would be dropped by normalised(): not made at all (10⁵ of them a year)
                lines.append(credit("withholdings", amount, sub=sub, party=who, memo=field))
        # 年末調整 settled in this pay: a collection is more income tax held, a refund is paid out of it
        collected, refunded = int(row.get("year_end_collection") or 0), int(row.get("year_end_refund") or 0)
        if collected:
            lines.append(credit("withholdings", collected, sub="income_tax", party=who, memo="year_end_collection"))
        if refunded:
            lines.append(debit("withholdings", refunded, sub="income_tax", party=who, memo="year_end_refund"))
        known += collected - refunded
        other = int(row.get("total_deductions", known)) - known  # deductions added later (e.g. 財形) stay visible
        if other:
            lines.append(credit("withholdings", other, sub="other_deductions", party=who, memo="other deductions"))
        lines.append(credit(net_account, int(row["net_pay"]), party=who, memo="net_pay"))
        entries.append(make_entry(f"{kind}:{period}:{who}", paid_on, f"{label} {period} {who}", source, lines))
    employer = sum(int(v) for k, v in (summary.get("totals") or {}).items() if k.startswith("employer_"))
    if employer:
        what = f"賞与 {period}" if kind == "bonus" else period  # the payroll wording is kept: posted entries hash it
        entries.append(
            make_entry(
                f"{kind}-employer:{period}",
                paid_on,
                f"法定福利費（会社負担）{what}",
                source,
                [debit("welfare", employer), credit("accrued_expenses", employer)],
            )
        )
    return entries


# ── invoices and credit notes ────────────────────────────────────────────────────────────────────


def invoice_entries(documents: list[dict], settings: BooksSettings) -> list[Entry]:
    """売掛金 / 売上高 by tax category / 仮受消費税, per issued document on its issue date; a credit note
    has negative figures and so books the other way round."""
    entries = []
    for doc in documents:
        customer = doc["customer"]
        who, name = str(customer["customer_id"]), str(customer.get("name", ""))
        number = doc["invoice_no"]
        lines = [debit("accounts_receivable", int(doc["total"]), sub=name, party=who)]
        for key, totals in sorted(doc["by_rate"].items()):
            subtotal, tax = int(totals["subtotal"]), int(totals["tax"])
            category = f"sales_{key}"
            if settings.exclusive:
                lines.append(credit("sales", subtotal, tax=category, tax_amount=tax, tax_posted=tax, party=who))
                lines.append(credit("output_tax", tax, tax=category, party=who))
            else:
                lines.append(credit("sales", subtotal + tax, tax=category, tax_amount=tax, party=who))
        kind = "credit_note" if doc["kind"] == "credit_note" else "invoice"
        label = "返還（値引・取消）" if kind == "credit_note" else "売上"
        entries.append(
            make_entry(
                f"{kind}:{number}",
                date.fromisoformat(doc["issue_date"]),
                f"{label} {number} {name}",
                Source(kind, "invoice register", number),
                lines,
            )
        )
    return entries


# ── vendor bills ─────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class VendorFacts:
    name: str
    registered: bool
    individual: bool = False


def bill_entries(
    bills: list[dict],
    vendors: dict[str, VendorFacts],
    chart: Chart,
    rules: Rulebook,
    settings: BooksSettings,
    document: str,
) -> list[Entry]:
    """仕入高 (支払報酬料 for a fee) / 仮払消費税 / 買掛金 on the bill date. From an issuer that is not
    registered only the transitional share of the tax is creditable (80 % to 2026-09-30, 50 % to
    2029-09-30, by the bill date); the rest is part of the cost. Withholding on a fee is booked when
    it is paid (所得税法204条: 支払の際), in payment_entries."""
    entries = []
    for bill in bills:
        on: date = bill["bill_date"]
        vendor = vendors.get(str(bill["vendor_id"]), VendorFacts(str(bill["vendor_id"]), False))
        amount, tax, rate_key = int(bill["amount_excl_tax"]), int(bill["tax"]), str(bill["tax_rate"])
        creditable = input_tax_credit(tax, vendor.registered, rules, on)
        share = Fraction(1) if vendor.registered else rate(rules.value("consumption_tax.unregistered_credit_ratio", on))
        category = chart.purchase_category(rate_key, share).key
        expense = "professional_fees" if bill.get("is_fee") else "purchases"
        who, cell = str(bill["vendor_id"]), str(bill.get("cell", ""))
        if settings.exclusive:
            lines = [
                debit(
                    expense,
                    amount + tax - creditable,
                    tax=category,
                    tax_amount=tax,
                    tax_posted=creditable,
                    party=who,
                    cell=cell,
                ),
                debit("input_tax", creditable, tax=category, party=who, cell=cell),
            ]
        else:
            lines = [debit(expense, amount + tax, tax=category, tax_amount=tax, party=who, cell=cell)]
        lines.append(credit("accounts_payable", amount + tax, sub=vendor.name, party=who, cell=cell))
        number = str(bill["bill_no"])
        entries.append(
            make_entry(
                f"bill:{who}:{number}",
                on,
                f"仕入 {vendor.name} {number}",
                Source("bill", "vendors.xlsx Bills", f"{who}/{number}"),
                lines,
            )
        )
    return entries


# ── vendor payments ──────────────────────────────────────────────────────────────────────────────


def payment_entries(
    paid_on: date,
    rows: list[dict],
    vendor_names: dict[str, str],
    company_fees: dict[str, int],
    rules: Rulebook,
    settings: BooksSettings,
    document: str,
) -> list[Entry]:
    """買掛金 / 普通預金 per vendor on the transfer date, the fee withheld from an individual's fee
    to 預り金 (源泉所得税). A transfer fee the vendor bears was deducted from the transfer (it
    reduces what the company owes); one the company bears (`company_fees`, tax included) is
    支払手数料 (課対仕入10%)."""
    source = Source("payment", f"payments {paid_on.isoformat()}", document)
    # one look-up of the rate in force on the transfer day, made only when a fee is borne (a year at
    # scale 100 has 33,000 such fees: looking the rate up for each was a tenth of building the entries)
    standard = cache(lambda: standard_rate(tax_rates(rules, paid_on)).fraction)
    entries = []
    for row in rows:
        who = str(row["vendor_id"])
        name = vendor_names.get(who, who)
        amount, withheld, fee, net = (int(row[k]) for k in ("amount", "withholding", "fee", "net"))
        bills = str(row.get("bills", ""))
        lines = [
            debit("accounts_payable", amount, sub=name, party=who, memo=bills),
            credit("withholdings", withheld, sub="income_tax", party=who),
            credit("bank", net + fee, party=who, memo="transfer" + (f" + fee {fee} borne by vendor" if fee else "")),
        ]
        lines += _bank_fee_lines(company_fees.get(who, 0), standard, who, settings)
        entries.append(
            make_entry(f"payment:{paid_on.isoformat()}:{who}", paid_on, f"支払 {name} ({bills})", source, lines)
        )
    return entries


def _bank_fee_lines(fee: int, standard: Callable[[], Fraction], who: str, settings: BooksSettings) -> list:
    if not fee:
        return []
    ten = standard()
    tax = tax_on_inclusive(fee, ten, "floor")
    if settings.exclusive:
        return [
            debit("bank_fees", fee - tax, tax="purchase_10", tax_amount=tax, tax_posted=tax, party=who),
            debit("input_tax", tax, tax="purchase_10", party=who),
            credit("bank", fee, party=who, memo="bank fee"),
        ]
    return [debit("bank_fees", fee, tax="purchase_10", tax_amount=tax, party=who), credit("bank", fee, party=who)]


# ── stock ────────────────────────────────────────────────────────────────────────────────────────


def stock_entries(as_of: date, value: int, document: str) -> list[Entry]:
    """Month-end stock (切放し is not used: 洗替法): 商品 / 期末商品棚卸高 on the day, and the reversal
    期首商品棚卸高 / 商品 the next day, so 商品 always shows the latest valuation and cost of sales =
    期首 + 仕入 − 期末."""
    if not value:
        return []
    source = Source("stock", f"stock {as_of.isoformat()}", document)
    closing = make_entry(
        f"stock:{as_of.isoformat()}",
        as_of,
        f"期末商品棚卸 {as_of.isoformat()}",
        source,
        [debit("inventory", value), credit("closing_inventory", value)],
    )
    opening = make_entry(
        f"stock-reversal:{as_of.isoformat()}",
        as_of + timedelta(days=1),
        f"期首商品棚卸（{as_of.isoformat()} 振戻）",
        Source("stock_reversal", source.run, document),
        [debit("opening_inventory", value), credit("inventory", value)],
    )
    return [closing, opening]


# ── receipts (入金消込) ──────────────────────────────────────────────────────────────────────────

# the accounts addin.receivables.journal names → the chart's keys (a company renames them in its chart)
RECEIPT_ACCOUNTS = {BANK: "bank", RECEIVABLE: "accounts_receivable", FEE: "bank_fees", ADVANCE: "advances_received"}


def receipt_entries(
    journal: list[dict], customer_names: dict[str, str], rules: Rulebook, settings: BooksSettings
) -> list[Entry]:
    """One entry per applied statement line (addin.receivables.journal.receipt_journal) on its date:
    普通預金 received, 支払手数料 for the transfer fee the customer kept (a bank charge, 課対仕入10%,
    its tax split off under 税抜経理), against 売掛金 of each invoice cleared and 前受金 for money
    beyond the open invoices. 売掛金 is held by customer name, as the invoices booked it."""
    entries = []
    for data in journal:
        on, line_id = date.fromisoformat(data["date"]), str(data["line_id"])
        lines, customers, invoices = [], [], []
        for raw in data["lines"]:
            account = RECEIPT_ACCOUNTS.get(raw["account"], raw["account"])
            who, number = str(raw.get("customer_id") or ""), str(raw.get("invoice_no") or "")
            customers += [who] if who and who not in customers else []
            invoices += [number] if number else []
            if account == "bank_fees":
                lines += _fee_lines(int(raw["amount"]), on, who, number, rules, settings)
                continue
            sub = customer_names.get(who, who) if account in ("accounts_receivable", "advances_received") else ""
            memo = number or ("advance" if account == "advances_received" else f"statement line {line_id}")
            lines.append(Line(account, raw["side"], int(raw["amount"]), sub=sub, party=who, memo=memo))
        names = "・".join(customer_names.get(c, c) for c in customers)
        description = f"入金 {names} {','.join(invoices) or '前受'}".strip()
        entries.append(
            make_entry(
                f"receipt:{line_id}",
                on,
                description,
                Source("receipt", f"receipts ({data.get('source', 'auto')})", line_id),
                lines,
            )
        )
    return entries


def _fee_lines(fee: int, on: date, who: str, invoice: str, rules: Rulebook, settings: BooksSettings) -> list[Line]:
    """The fee a customer deducted: 支払手数料, tax included (課対仕入10%), split under 税抜経理."""
    ten = standard_rate(tax_rates(rules, on)).fraction
    tax = tax_on_inclusive(fee, ten, "floor")
    memo = f"transfer fee kept by the customer ({invoice})" if invoice else "transfer fee kept by the customer"
    if settings.exclusive:
        return [
            debit("bank_fees", fee - tax, tax="purchase_10", tax_amount=tax, tax_posted=tax, party=who, memo=memo),
            debit("input_tax", tax, tax="purchase_10", party=who, memo=memo),
        ]
    return [debit("bank_fees", fee, tax="purchase_10", tax_amount=tax, party=who, memo=memo)]
