"""The change audit compares a sheet row by row on the key its schema declares (`key:` in
rules/schemas/*.yaml or a company's DIR/rules), not on a list kept in code."""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.model import Table
from addin.reconcile.audit import changes, keys_of, snapshot
from addin.rulebook import load_rulebook
from addin.services.company import load_company
from tests.test_typed_rules import company_with

BILL_KEY = "workbooks:\n  vendors:\n    sheets:\n      bills:\n        key: bill_no\n"


def _bills(amount: int) -> Table:
    frame = pd.DataFrame({"bill_no": ["B-1", "B-2"], "vendor_id": ["V1", "V2"], "amount_excl_tax": [1000, amount]})
    return Table(
        "vendors.xlsx", "Bills 仕入請求", frame, np.array([2, 3]), {"bill_no": 1, "vendor_id": 2, "amount_excl_tax": 5}
    )


def test_the_keys_are_the_schemas(tmp_path):
    keys = keys_of(load_company(tmp_path).books)
    declared = {
        (book, sheet): spec["key"]
        for book, schema in load_rulebook().schemas.items()
        for sheet, spec in schema["sheets"].items()
        if spec.get("key")
    }
    assert (
        keys
        == declared
        == {
            ("staff", "staff"): "employee_id",
            ("stock", "items"): "sku",
            ("vendors", "vendors"): "vendor_id",
            ("sales", "customers"): "customer_id",
        }
    )


def test_a_company_key_makes_its_sheet_compared_field_by_field(tmp_path):
    books = load_company(company_with(tmp_path, BILL_KEY)).books
    keys = keys_of(books)
    assert keys[("vendors", "bills")] == "bill_no"
    name = ("vendors", "bills")
    before, after = snapshot({name: _bills(2000)}, keys), snapshot({name: _bills(2500)}, keys)
    assert [
        (c["key"], c["field"], c["before"], c["after"], c["cell"]) for c in changes(before, after, books, set(), [])
    ] == [("B-2", "amount_excl_tax", "2000", "2500", "E3")]
    # without the key the same edit is a row removed and a row added, with no field named
    plain = snapshot({name: _bills(2000)}, {}), snapshot({name: _bills(2500)}, {})
    assert {c["kind"] for c in changes(*plain, books, set(), [])} == {"added", "removed"}
