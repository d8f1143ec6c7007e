"""Three-way match: each bill (per purchase order and tax rate) against what was ordered and what was
received. Only `matched` bills (and fees billed without an order) are proposed for payment."""

from __future__ import annotations


import numpy as np
import pandas as pd

from addin.model import Table
from addin.money import floor_yen, rate, scaled
from addin.stock.ledger import QTY_SCALE, Ledger
from addin.stock.valuation import COST_SCALE

STATUSES = ("matched", "fee", "over_billed", "not_received", "price_differs", "duplicate", "no_po")


def _value_by_po_rate(qty: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """qty (thousandths) × unit cost (1/10,000 yen) → yen, 切捨て (as the demo's vendors bill)."""
    return floor_yen(qty * cost, QTY_SCALE * COST_SCALE)


def three_way_match(
    bills: Table | None, purchase_orders: Table | None, items: Table | None, ledger: Ledger, tolerance: dict
) -> pd.DataFrame:
    columns = [
        "vendor_id",
        "bill_no",
        "po_no",
        "tax_rate",
        "bill_date",
        "amount",
        "tax",
        "ordered",
        "received",
        "status",
        "row",
    ]
    if bills is None or bills.frame.empty:
        return pd.DataFrame(columns=columns)
    received_by_then = ~(bills.frame["bill_date"] > pd.Timestamp(ledger.as_of)).to_numpy()  # later bills wait
    b, rows = bills.frame[received_by_then], bills.rows[received_by_then]
    frame = pd.DataFrame(
        {
            "vendor_id": b["vendor_id"].to_numpy(),
            "bill_no": b["bill_no"].to_numpy(),
            "po_no": b["po_no"].to_numpy(),
            "tax_rate": b["tax_rate"].to_numpy(),
            "bill_date": b["bill_date"].to_numpy(),
            "amount": b["amount_excl_tax"].to_numpy(),
            "tax": b["tax"].to_numpy(),
            "is_fee": b["is_fee"].fillna(False).astype(bool).to_numpy(),
            "row": rows,
        }
    )
    ordered, received = _po_values(purchase_orders, items, ledger)
    key = pd.MultiIndex.from_arrays([frame["po_no"], frame["tax_rate"]])
    frame["ordered"] = ordered.reindex(key).fillna(0).to_numpy(dtype=np.int64) if len(ordered) else 0
    frame["received"] = received.reindex(key).fillna(0).to_numpy(dtype=np.int64) if len(received) else 0
    share = rate(tolerance.get("percent", "0%"))
    received_yen = frame["received"].to_numpy(dtype=np.int64)
    allowed = np.maximum(int(tolerance.get("yen", 0)), floor_yen(received_yen * share.numerator, share.denominator))
    amount = pd.array(frame["amount"], dtype="Int64").fillna(0).to_numpy(dtype=np.int64)
    status = np.full(len(frame), "price_differs", dtype=object)
    status[np.abs(amount - frame["received"].to_numpy()) <= allowed] = "matched"
    over = (amount > frame["received"].to_numpy() + allowed) & (amount <= frame["ordered"].to_numpy() + allowed)
    status[over & (frame["received"].to_numpy() > 0)] = "over_billed"
    status[(frame["received"].to_numpy() == 0) & frame["po_no"].notna().to_numpy()] = "not_received"
    no_po = frame["po_no"].isna().to_numpy()
    status[no_po] = np.where(frame["is_fee"].to_numpy()[no_po], "fee", "no_po")
    duplicated = frame.duplicated(["vendor_id", "bill_no"], keep="first").to_numpy()
    status[duplicated] = "duplicate"
    frame["status"] = status
    frame["po_no"] = frame["po_no"].astype(object).where(frame["po_no"].notna(), None)
    return frame[columns]


def _po_values(purchase_orders: Table | None, items: Table | None, ledger: Ledger) -> tuple[pd.Series, pd.Series]:
    """Ordered and received value (yen, excl. tax) per (po_no, tax rate), at the PO's unit costs."""
    if purchase_orders is None or purchase_orders.frame.empty:
        return pd.Series(dtype=np.int64), pd.Series(dtype=np.int64)
    po = purchase_orders.frame.dropna(subset=["po_no", "sku", "qty", "unit_cost"])
    rates = (
        items.frame.drop_duplicates("sku").set_index("sku")["tax_rate"]
        if items is not None
        else pd.Series(dtype=object)
    )
    lines = pd.DataFrame(
        {
            "po_no": po["po_no"].to_numpy(),
            "sku": po["sku"].to_numpy(),
            "qty": scaled(po["qty"].to_numpy(), QTY_SCALE),
            "cost": scaled(po["unit_cost"].to_numpy(), COST_SCALE),
        }
    )
    lines["tax_rate"] = lines["sku"].map(rates)
    got = ledger.frame[ledger.frame["kind"] == "receipt"].groupby(["reference", "sku"])["qty"].sum()
    arrived = got.reindex(pd.MultiIndex.from_arrays([lines["po_no"], lines["sku"]])).fillna(0).to_numpy(dtype=np.int64)
    lines["received_qty"] = np.minimum(arrived, lines["qty"].to_numpy())
    lines["ordered_value"] = _value_by_po_rate(lines["qty"].to_numpy(), lines["cost"].to_numpy())
    lines["received_value"] = _value_by_po_rate(
        lines["received_qty"].to_numpy(dtype=np.int64), lines["cost"].to_numpy()
    )
    grouped = lines.groupby(["po_no", "tax_rate"])
    return grouped["ordered_value"].sum(), grouped["received_value"].sum()


__all__ = ["STATUSES", "three_way_match"]
