"""Reorder proposals: items whose stock position (on hand + open purchase orders) is at or below
their reorder point, in multiples of the reorder quantity, grouped by vendor."""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.model import Table
from addin.money import scaled
from addin.stock.ledger import QTY_SCALE, Ledger


def open_orders(purchase_orders: Table | None, ledger: Ledger) -> pd.Series:
    """Ordered but not yet received, per sku (thousandths): PO quantity less receipts citing the PO."""
    if purchase_orders is None or purchase_orders.frame.empty:
        return pd.Series(dtype=np.int64)
    po = purchase_orders.frame.dropna(subset=["po_no", "sku", "qty"])
    po = po[po["date"] <= pd.Timestamp(ledger.as_of)]
    ordered = (
        pd.DataFrame(
            {
                "po_no": po["po_no"].to_numpy(),
                "sku": po["sku"].to_numpy(),
                "qty": scaled(po["qty"].to_numpy(), QTY_SCALE),
            }
        )
        .groupby(["po_no", "sku"])["qty"]
        .sum()
    )
    receipts = ledger.frame[ledger.frame["kind"] == "receipt"]
    received = receipts.groupby(["reference", "sku"])["qty"].sum()
    received.index = received.index.set_names(["po_no", "sku"])
    outstanding = (ordered - received.reindex(ordered.index, fill_value=0)).clip(lower=0)
    return outstanding.groupby(level="sku").sum()


def propose(items: Table, on_hand: pd.Series, on_order: pd.Series) -> pd.DataFrame:
    frame = items.frame.dropna(subset=["sku", "reorder_point", "reorder_qty"])
    frame = frame.drop_duplicates("sku")
    point = frame["reorder_point"].astype(np.int64).to_numpy() * QTY_SCALE
    lot = frame["reorder_qty"].astype(np.int64).to_numpy() * QTY_SCALE
    have = frame["sku"].map(on_hand).fillna(0).astype(np.int64).to_numpy()
    coming = frame["sku"].map(on_order).fillna(0).astype(np.int64).to_numpy()
    position = have + coming
    short = (position <= point) & (lot > 0)
    lots = np.where(short, (point - position) // np.maximum(lot, 1) + 1, 0)  # enough lots to rise above the point
    result = pd.DataFrame(
        {
            "vendor_id": frame["vendor_id"].to_numpy(),
            "sku": frame["sku"].to_numpy(),
            "name": frame["name"].to_numpy(),
            "on_hand": have,
            "on_order": coming,
            "reorder_point": point,
            "qty": lots * lot,
            "unit_cost": frame["unit_cost"].to_numpy(),
        }
    )
    return result[short].sort_values(["vendor_id", "sku"]).reset_index(drop=True)
