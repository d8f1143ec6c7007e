"""What to pay each vendor by a date: matched bills due by then, less withholding on fees billed by
individuals and, where the vendor bears it, the transfer fee."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import date

import pandas as pd

from addin.invoicing.terms import UnreadableTerms, due_date
from addin.rulebook import Rulebook
from addin.tax import fee_withholding

PAYABLE = {"matched", "fee"}


def transfer_fee(amount: int, same_bank: bool, fees: dict) -> int:
    band = "from_30000" if amount >= 30000 else "below_30000"
    return int(fees[f"{'same' if same_bank else 'other'}_bank_{band}"])


def bills_due(
    match: pd.DataFrame,
    vendors: pd.DataFrame,
    pay_by: date,
    rules: Rulebook,
    holiday: str = "previous",
    paid_elsewhere: AbstractSet[tuple[str, str]] = frozenset(),
) -> pd.DataFrame:
    """One row per payable bill due by `pay_by` that no other payment file carried: vendor, bill,
    due date, amount incl. tax, and the withholding on a fee billed by an individual."""
    people = vendors.drop_duplicates("vendor_id").set_index("vendor_id")
    individual = people["is_individual"].fillna(False).astype(bool)
    rows = []
    for bill in match[match["status"].isin(PAYABLE)].to_dict("records"):
        vendor = people.loc[bill["vendor_id"]] if bill["vendor_id"] in people.index else None
        if vendor is None or (str(bill["vendor_id"]), str(bill["bill_no"])) in paid_elsewhere:
            continue
        billed = pd.Timestamp(bill["bill_date"]).date()
        try:
            due = due_date(billed, vendor.get("payment_terms"), holiday)
        except UnreadableTerms:
            due = due_date(billed, "翌月末", holiday)
        if due > pay_by:
            continue
        amount = int(bill["amount"]) + int(bill["tax"])
        withheld = (
            fee_withholding(int(bill["amount"]), rules, billed)
            if individual[bill["vendor_id"]] and bill["status"] == "fee"
            else 0
        )
        rows.append(
            {
                "vendor_id": bill["vendor_id"],
                "bill_no": bill["bill_no"],
                "due_date": due,
                "amount": amount,
                "withholding": withheld,
            }
        )
    return pd.DataFrame(rows, columns=["vendor_id", "bill_no", "due_date", "amount", "withholding"])


def payments_due(
    bills: pd.DataFrame,
    vendors: pd.DataFrame,
    pay_by: date,
    rules: Rulebook,
    company_bank: str,
    fee_borne_by_vendor: bool,
) -> pd.DataFrame:
    """One row per vendor: gross (bills incl. tax), withholding, fee, net to transfer, and the bills."""
    if bills.empty:
        return pd.DataFrame(columns=["vendor_id", "bills", "amount", "withholding", "fee", "net"])
    people = vendors.drop_duplicates("vendor_id").set_index("vendor_id")
    per_vendor = bills.groupby("vendor_id", sort=True).agg(
        bills=("bill_no", lambda b: ", ".join(sorted(b))), amount=("amount", "sum"), withholding=("withholding", "sum")
    )
    fees = rules.value("payments.transfer_fee", pay_by)
    per_vendor["fee"] = [
        transfer_fee(int(a - w), people.loc[v, "bank_code"] == company_bank, fees) if fee_borne_by_vendor else 0
        for v, a, w in zip(per_vendor.index, per_vendor["amount"], per_vendor["withholding"], strict=True)
    ]
    per_vendor["net"] = per_vendor["amount"] - per_vendor["withholding"] - per_vendor["fee"]
    return per_vendor.reset_index()
