"""Located findings of the stock run: negative stock, issues with no cost basis, receipts that cite
another vendor's purchase order."""

from __future__ import annotations

import pandas as pd

from addin.model import Issue, Severity, Table


def _at(movements: Table, position: int, field: str, code: str, ja: str, en: str, severity=Severity.ERROR) -> Issue:
    return Issue(movements.book, movements.sheet, movements.cell(field, position), field, code, severity, ja, en)


def negative_stock_issues(movements: Table, first_below: pd.DataFrame) -> list[Issue]:
    return [
        _at(
            movements,
            int(r["position"]),
            "qty",
            "negative_stock",
            f"この出庫で {r['sku']} の在庫がマイナス（{r['balance'] / 1000:g}）になります",
            f"this movement takes {r['sku']} below zero ({r['balance'] / 1000:g})",
        )
        for r in first_below.to_dict("records")
    ]


def no_cost_basis_issues(movements: Table, rows: pd.DataFrame) -> list[Issue]:
    return [
        _at(
            movements,
            int(r["position"]),
            "sku",
            "no_cost_basis",
            f"{r['sku']} は入庫前に出庫されています（評価単価がありません）",
            f"{r['sku']} is issued before any receipt: no cost to value it at",
        )
        for r in rows.to_dict("records")
    ]


def receipt_po_mismatches(
    movements: Table, ledger: pd.DataFrame, purchase_orders: Table | None, items: Table | None
) -> list[Issue]:
    """A receipt citing a PO must be for a line of that PO; a PO of another vendor is a mistake."""
    if purchase_orders is None or items is None:
        return []
    po = purchase_orders.frame.dropna(subset=["po_no"])
    po_vendor = po.drop_duplicates("po_no").set_index("po_no")["vendor_id"]
    po_lines = set(zip(po["po_no"], po["sku"], strict=True))
    item_vendor = items.frame.drop_duplicates("sku").set_index("sku")["vendor_id"]
    issues = []
    receipts = ledger[(ledger["kind"] == "receipt") & ledger["reference"].isin(po_vendor.index)]
    for r in receipts.to_dict("records"):
        if (r["reference"], r["sku"]) in po_lines:
            continue
        theirs, ours = po_vendor.get(r["reference"]), item_vendor.get(r["sku"])
        issues.append(
            _at(
                movements,
                int(r["position"]),
                "reference",
                "receipt_other_po",
                f"入庫が発注 {r['reference']}（仕入先 {theirs}）を参照していますが、"
                f"{r['sku']} はその発注にありません（仕入先 {ours}）",
                f"receipt cites PO {r['reference']} (vendor {theirs}) but {r['sku']} is not on it (vendor {ours})",
            )
        )
    return issues
