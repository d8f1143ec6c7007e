"""The month's consumption-tax picture: output tax by rate from issued invoices and credit notes,
input tax by rate from vendor bills with the transitional credit ratio for unregistered issuers,
and the withholding due on fees paid to individuals."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pandas as pd

from addin.rulebook import Rulebook
from addin.tax.consumption import fee_withholding, input_tax_credit
from addin.validate.checks import check_registration_number


def is_registered(number: object) -> bool:
    """A registration number that can be valid (the one check: addin/validate/checks.py)."""
    return check_registration_number(str(number or "")) is None


def output_tax(register: list[dict]) -> dict[str, dict[str, dict[str, int]]]:
    """month → rate → {subtotal, tax}, from every issued document (credit notes are negative)."""
    months: dict = defaultdict(lambda: defaultdict(lambda: {"subtotal": 0, "tax": 0}))
    for doc in register:
        month = doc["issue_date"][:7]
        for key, totals in doc["by_rate"].items():
            months[month][key]["subtotal"] += totals["subtotal"]
            months[month][key]["tax"] += totals["tax"]
    return months


def input_tax(bills: pd.DataFrame, vendors: pd.DataFrame, rules: Rulebook) -> tuple[dict, dict]:
    """(month → rate → {amount, tax, creditable}, month → fee withholding total)."""
    registered = vendors.set_index("vendor_id")["registration_number"].map(is_registered).to_dict()
    individual = vendors.set_index("vendor_id")["is_individual"].fillna(False).astype(bool).to_dict()
    months: dict = defaultdict(lambda: defaultdict(lambda: {"amount": 0, "tax": 0, "creditable": 0}))
    withheld: dict = defaultdict(int)
    for bill in bills.dropna(subset=["bill_date", "amount_excl_tax", "tax", "tax_rate"]).to_dict("records"):
        day: date = bill["bill_date"].date()
        month = f"{day:%Y-%m}"
        tax = int(bill["tax"])
        entry = months[month][bill["tax_rate"]]
        entry["amount"] += int(bill["amount_excl_tax"])
        entry["tax"] += tax
        entry["creditable"] += input_tax_credit(tax, registered.get(bill["vendor_id"], False), rules, day)
        if individual.get(bill["vendor_id"]) and bool(bill.get("is_fee")):
            withheld[month] += fee_withholding(int(bill["amount_excl_tax"]), rules, day)
    return months, withheld


def monthly_summary(
    register: list[dict], bills: pd.DataFrame | None, vendors: pd.DataFrame | None, rules: Rulebook
) -> list[dict]:
    out_tax = output_tax(register)
    in_tax, withheld = input_tax(bills, vendors, rules) if bills is not None and vendors is not None else ({}, {})
    result = []
    for month in sorted(set(out_tax) | set(in_tax)):
        output = {k: dict(v) for k, v in sorted(out_tax.get(month, {}).items())}
        inputs = {k: dict(v) for k, v in sorted(in_tax.get(month, {}).items())}
        result.append(
            {
                "month": month,
                "output_tax_by_rate": output,
                "input_tax_by_rate": inputs,
                "output_tax": sum(v["tax"] for v in output.values()),
                "input_tax_creditable": sum(v["creditable"] for v in inputs.values()),
                "net_tax": sum(v["tax"] for v in output.values()) - sum(v["creditable"] for v in inputs.values()),
                "fee_withholding": withheld.get(month, 0),
            }
        )
    return result
