"""入金消込: each deposit against the open invoices of the customer who paid it.

The payer's name (after `payer_key`) finds the customer — through the Customers sheet's 振込名義,
names learned from confirmed matches, or the customer's own name — then the amount decides:

  exact        one open invoice of that amount                                  1.00
  fee          one open invoice of the amount plus a configured transfer fee    0.95 (支払手数料)
  combined     the oldest open invoices, in order, sum to the amount (± a fee)  0.95 / 0.90
  subset       some other combination sums exactly (bounded search)           0.75 (0.50 if several)
  partial      less than is open: the oldest invoices first, the last in part  0.60 / 0.50
  overpayment  more than everything open: the rest is 前受金                     0.60 (advance: 0.50)
  amount_only  payer unknown, but exactly one open invoice has the amount       0.40
  unknown      payer unknown and no single invoice fits                         —

The payer's certainty multiplies the amount's: 1 for a name of one customer, 0.95 for a name several
customers share (the amount must then single out one of their invoices), 0.8 for a name the bank cut
short. A match is applied without a person only when its confidence reaches `auto_confidence` (0.9
by default), the payer's whole name was recognised and no earlier proposal of the same run touched
the same invoices; everything else is a proposal for a person to confirm in the Receipts sheet.
Only invoices issued on or before the deposit's date are considered.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from addin.receivables.kana import payer_key, split_names

MIN_PREFIX = 6  # a payer name cut by the bank must keep at least this many characters to be recognised


@dataclass
class OpenInvoice:
    invoice_no: str
    customer_id: str
    issue_date: date
    due_date: date
    total: int
    open: int  # total less receipts already applied


@dataclass(frozen=True)
class Deposit:
    line_id: str
    date: date
    amount: int
    payer: str


@dataclass(frozen=True)
class Allocation:
    invoice_no: str  # "" for 前受金 (an advance from the customer)
    customer_id: str
    amount: int  # 売掛金 cleared (or 前受金 received when invoice_no is "")
    fee: int = 0  # part of `amount` the customer kept as the transfer fee


@dataclass
class Match:
    line_id: str
    date: date
    amount: int
    payer: str
    status: str  # matched (applied automatically) / proposed / unmatched
    kind: str
    customer_id: str = ""
    allocations: tuple[Allocation, ...] = ()
    confidence: Decimal = Decimal("0")
    reason_ja: str = ""
    reason_en: str = ""


@dataclass(frozen=True)
class MatchSettings:
    fees: tuple[int, ...] = (110, 220, 330, 440, 550, 660, 770, 880)
    auto_confidence: Decimal = Decimal("0.9")
    subset_invoices: int = 20
    subset_steps: int = 20_000


@dataclass
class PayerIndex:
    """Payer key → customers, from 振込名義, learned names and customer names."""

    exact: dict[str, set[str]] = field(default_factory=dict)
    sorted_keys: list[str] = field(default_factory=list)
    _seen: dict[str, tuple] = field(default_factory=dict, repr=False)  # one lookup per distinct payer

    @classmethod
    def build(cls, customers: list[dict], learned: Sequence[tuple[str, str]] = ()) -> "PayerIndex":
        index = cls()
        for customer in customers:
            names = [customer.get("name")] + split_names(customer.get("transfer_names"))
            for name in names:
                key = payer_key(name)
                if key:
                    index.exact.setdefault(key, set()).add(str(customer["customer_id"]))
        for key, customer_id in learned:
            if key:
                index.exact.setdefault(key, set()).add(customer_id)
        index.sorted_keys = sorted(index.exact)
        return index

    def resolve(self, payer: str) -> tuple[tuple[str, ...], Decimal, str]:
        """(customers, how sure, how found) for a payer name as printed by the bank."""
        if payer not in self._seen:
            self._seen[payer] = self._resolve(payer)
        return self._seen[payer]

    def _resolve(self, payer: str) -> tuple[tuple[str, ...], Decimal, str]:
        key = payer_key(payer)
        if not key:
            return (), Decimal("0"), ""
        if key in self.exact:
            found = tuple(sorted(self.exact[key]))
            # a name two customers share: the amount still has to single out one invoice among both
            return found, Decimal("1") if len(found) == 1 else Decimal("0.95"), "name"
        if len(key) >= MIN_PREFIX:
            start = bisect.bisect_left(self.sorted_keys, key)
            longer = set()
            for known in self.sorted_keys[start : start + 3]:
                if known.startswith(key):
                    longer |= self.exact[known]
            shorter = set()
            for size in range(MIN_PREFIX, len(key)):
                shorter |= self.exact.get(key[:size], set())
            found = tuple(sorted(longer | shorter))
            if found:
                return found, Decimal("0.8") if len(found) == 1 else Decimal("0.5"), "prefix"
        return (), Decimal("0"), ""


def _oldest_first(invoice: OpenInvoice):
    return invoice.due_date, invoice.issue_date, invoice.invoice_no


class _Book:
    """The open invoices during one matching run, reduced as receipts are tentatively applied."""

    def __init__(self, invoices: list[OpenInvoice]):
        self.by_customer: dict[str, list[OpenInvoice]] = {}
        self.by_number: dict[str, OpenInvoice] = {}
        for invoice in sorted(invoices, key=_oldest_first):
            if invoice.open > 0:
                copy = OpenInvoice(
                    invoice.invoice_no,
                    invoice.customer_id,
                    invoice.issue_date,
                    invoice.due_date,
                    invoice.total,
                    invoice.open,
                )
                self.by_customer.setdefault(invoice.customer_id, []).append(copy)
                self.by_number[invoice.invoice_no] = copy
        self.proposed: set[str] = set()  # invoices a proposal of this run has already taken from

    def open_for(self, customers: tuple[str, ...], on: date) -> list[OpenInvoice]:
        found = [i for c in customers for i in self.by_customer.get(c, ()) if i.open > 0 and i.issue_date <= on]
        return sorted(found, key=_oldest_first) if len(customers) > 1 else found

    def take(self, match: Match) -> None:
        for allocation in match.allocations:
            if allocation.invoice_no:
                invoice = self.by_number[allocation.invoice_no]
                invoice.open -= allocation.amount
                if match.status != "matched":
                    self.proposed.add(allocation.invoice_no)
                if not invoice.open:  # paid in full: out of the customer's list
                    self.by_customer[invoice.customer_id].remove(invoice)


def match_deposits(
    deposits: list[Deposit], invoices: list[OpenInvoice], payers: PayerIndex, settings: MatchSettings = MatchSettings()
) -> list[Match]:
    """One Match per deposit, in date order: first the payers we know, then the rest by amount."""
    book = _Book(invoices)
    settings = MatchSettings(
        tuple(sorted(settings.fees)), settings.auto_confidence, settings.subset_invoices, settings.subset_steps
    )
    results: dict[str, Match] = {}
    strangers = []
    for deposit in sorted(deposits, key=lambda d: (d.date, d.line_id)):
        customers, sure, how = payers.resolve(deposit.payer)
        if not customers:
            strangers.append(deposit)
            continue
        match = _match_known(deposit, customers, sure, how, book, settings)
        book.take(match)
        results[deposit.line_id] = match
    for match in _match_strangers(strangers, book, settings):
        results[match.line_id] = match
    return [results[d.line_id] for d in deposits]


def _match_known(deposit: Deposit, customers, sure: Decimal, how: str, book: _Book, settings: MatchSettings) -> Match:
    opens = book.open_for(customers, deposit.date)
    kind, allocations, confidence, why_ja, why_en = _by_amount(deposit.amount, opens, customers[0], settings)
    confidence = (confidence * sure).quantize(Decimal("0.01"))
    touched = any(a.invoice_no in book.proposed for a in allocations)
    automatic = confidence >= settings.auto_confidence and how == "name" and not touched
    if how == "prefix":
        why_ja, why_en = why_ja + "（依頼人名は前方一致）", why_en + " (payer name matched by its beginning)"
    if len(customers) > 1:
        why_ja += f"（同じ依頼人名の得意先が {len(customers)} 件）"
        why_en += f" ({len(customers)} customers share this payer name)"
    if touched:
        why_ja, why_en = (
            why_ja + "（同じ請求書に先の提案あり）",
            why_en + " (an earlier proposal took from the same invoice)",
        )
    customer = allocations[0].customer_id if allocations else customers[0]
    return Match(
        deposit.line_id,
        deposit.date,
        deposit.amount,
        deposit.payer,
        "matched" if automatic else "proposed",
        kind,
        customer,
        tuple(allocations),
        confidence,
        why_ja,
        why_en,
    )


def _full(invoice: OpenInvoice, fee: int = 0) -> Allocation:
    return Allocation(invoice.invoice_no, invoice.customer_id, invoice.open, fee)


def _by_amount(amount: int, opens: list[OpenInvoice], customer: str, settings: MatchSettings):
    fees = settings.fees
    by_open: dict[int, list[OpenInvoice]] = {}
    for invoice in opens:
        by_open.setdefault(invoice.open, []).append(invoice)
    exact = by_open.get(amount, [])
    if exact:
        sure = Decimal("1") if len(exact) == 1 else Decimal("0.6")
        return (
            "exact",
            [_full(exact[0])],
            sure,
            f"{exact[0].invoice_no} の未入金額と一致",
            f"equals the open amount of {exact[0].invoice_no}",
        )
    short = [(i, f) for f in fees for i in by_open.get(amount + f, ())]
    if short:
        invoice, fee = short[0]
        sure = Decimal("0.95") if len(short) == 1 else Decimal("0.6")
        return (
            "fee",
            [_full(invoice, fee)],
            sure,
            f"{invoice.invoice_no} から振込手数料 {fee:,} 円を差し引いた額",
            f"{invoice.invoice_no} less a transfer fee of {fee:,} yen",
        )
    combined = _oldest_prefix(amount, opens, fees)
    if combined:
        chosen, fee = combined
        names = "・".join(i.invoice_no for i in chosen)
        allocations = [_full(i) for i in chosen[:-1]] + [_full(chosen[-1], fee)]
        note_ja, note_en = (
            (f"（振込手数料 {fee:,} 円差引）", f" less a transfer fee of {fee:,} yen") if fee else ("", "")
        )
        return (
            "combined",
            allocations,
            Decimal("0.9") if fee else Decimal("0.95"),
            f"古い順の {len(chosen)} 件（{names}）の合計{note_ja}",
            f"the {len(chosen)} oldest open invoices ({names}){note_en}",
        )
    subsets = _subsets(amount, opens[: settings.subset_invoices], fees, settings.subset_steps)
    if subsets:
        chosen, fee = subsets[0]
        names = "・".join(i.invoice_no for i in chosen)
        allocations = [_full(i) for i in chosen[:-1]] + [_full(chosen[-1], fee)]
        sure = Decimal("0.75") if len(subsets) == 1 else Decimal("0.5")
        return (
            "subset",
            allocations,
            sure,
            f"{len(chosen)} 件（{names}）の合計" + ("（他の組合せもあり）" if len(subsets) > 1 else ""),
            f"the sum of {len(chosen)} invoices ({names})"
            + (" (other combinations also fit)" if len(subsets) > 1 else ""),
        )
    total = sum(i.open for i in opens)
    if amount > total:
        allocations = [_full(i) for i in opens] + [Allocation("", customer, amount - total)]
        if total:
            return (
                "overpayment",
                allocations,
                Decimal("0.6"),
                f"未入金 {total:,} 円を超える {amount - total:,} 円は前受金",
                f"{amount - total:,} yen above the {total:,} yen open is an advance (前受金)",
            )
        return (
            "advance",
            allocations,
            Decimal("0.5"),
            "未入金の請求書がないため前受金",
            "no open invoice: an advance (前受金)",
        )
    allocations, left = [], amount
    for invoice in opens:
        part = min(left, invoice.open)
        allocations.append(Allocation(invoice.invoice_no, invoice.customer_id, part))
        left -= part
        if not left:
            break
    last = allocations[-1]
    return (
        "partial",
        allocations,
        Decimal("0.6") if len(allocations) == 1 else Decimal("0.5"),
        f"一部入金: {last.invoice_no} に {last.amount:,} 円（残 {_open_of(opens, last) - last.amount:,} 円）",
        f"part payment: {last.amount:,} yen to {last.invoice_no} ({_open_of(opens, last) - last.amount:,} yen still "
        "open)",
    )


def _open_of(opens: list[OpenInvoice], allocation: Allocation) -> int:
    return next(i.open for i in opens if i.invoice_no == allocation.invoice_no)


def _oldest_prefix(amount: int, opens: list[OpenInvoice], fees: Sequence[int]):
    """The oldest invoices in order whose sum is the amount, or the amount plus one fee."""
    fee_set, ceiling, running = set(fees), amount + (max(fees) if fees else 0), 0
    for count, invoice in enumerate(opens, start=1):
        running += invoice.open
        if running > ceiling:
            return None
        if count >= 2 and running == amount:
            return opens[:count], 0
        if count >= 2 and running - amount in fee_set:
            return opens[:count], running - amount
    return None


def _subsets(amount: int, opens: list[OpenInvoice], fees: Sequence[int], budget: int):
    """Up to two sets of two or more invoices summing to the amount (or amount + a fee), found
    depth-first with the oldest invoices tried first; the step budget bounds the search."""
    targets = {amount: 0, **{amount + f: f for f in fees}}
    ceiling = max(targets)
    found: list[tuple[list[OpenInvoice], int]] = []
    if len(opens) < 2 or sum(i.open for i in opens) < amount or amount < 2 * min(i.open for i in opens):
        return found  # nothing of two or more invoices can reach, or stay under, the amount
    left = [0] * (len(opens) + 1)  # left[p]: what the invoices from p on add up to (a bound to prune by)
    for position in range(len(opens) - 1, -1, -1):
        left[position] = left[position + 1] + opens[position].open
    steps = 0
    chosen: list[OpenInvoice] = []

    def walk(start: int, running: int) -> None:
        nonlocal steps
        for position in range(start, len(opens)):
            steps += 1
            if steps > budget or len(found) >= 2 or running + left[position] < amount:
                return
            value = running + opens[position].open
            if value > ceiling:
                continue
            chosen.append(opens[position])
            if value in targets and len(chosen) >= 2:
                found.append((list(chosen), targets[value]))
            walk(position + 1, value)
            chosen.pop()

    walk(0, 0)
    return found


def _match_strangers(deposits: list[Deposit], book: _Book, settings: MatchSettings) -> list[Match]:
    """Payers no customer is known by: a proposal when exactly one open invoice fits the amount."""
    by_amount: dict[int, list[OpenInvoice]] = {}
    for invoices in book.by_customer.values():
        for invoice in invoices:
            if invoice.open > 0:
                by_amount.setdefault(invoice.open, []).append(invoice)
    out = []
    for deposit in deposits:
        fits = [(i, 0) for i in by_amount.get(deposit.amount, ()) if i.issue_date <= deposit.date and i.open > 0]
        fits += [
            (i, f)
            for f in settings.fees
            for i in by_amount.get(deposit.amount + f, ())
            if i.issue_date <= deposit.date and i.open > 0
        ]
        if len(fits) == 1:
            invoice, fee = fits[0]
            allocation = _full(invoice, fee)
            invoice.open = 0
            out.append(
                Match(
                    deposit.line_id,
                    deposit.date,
                    deposit.amount,
                    deposit.payer,
                    "proposed",
                    "amount_only",
                    invoice.customer_id,
                    (allocation,),
                    Decimal("0.40"),
                    f"依頼人名が未登録。金額が {invoice.invoice_no}（{invoice.customer_id}）だけに一致",
                    f"payer name unknown; the amount fits only {invoice.invoice_no} ({invoice.customer_id})",
                )
            )
            continue
        why = (
            (
                "依頼人名が未登録で、金額の合う請求書が一つに決まりません",
                "payer unknown and several invoices fit the amount",
            )
            if fits
            else (
                "依頼人名が未登録で、金額の合う請求書もありません",
                "payer unknown and no open invoice fits the amount",
            )
        )
        out.append(
            Match(
                deposit.line_id,
                deposit.date,
                deposit.amount,
                deposit.payer,
                "unmatched",
                "unknown",
                "",
                (),
                Decimal("0"),
                *why,
            )
        )
    return out
