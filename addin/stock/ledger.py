"""The stock ledger: movements in date order per item, running on-hand, negative stock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from addin.model import Table
from addin.money import scaled

QTY_SCALE = 1000  # quantities in thousandths: 2.5 kg → 2500
INBOUND = {"receipt": 1, "return": 1, "issue": -1, "adjust": 1}


@dataclass
class Ledger:
    """Movements up to the as-of date, sorted (sku, date, sheet row), with signed quantities."""

    frame: pd.DataFrame  # sku, date, kind, qty (signed, thousandths), unit_cost, reference, row, position
    as_of: date

    def on_hand(self) -> pd.Series:
        """Quantity (thousandths) per sku."""
        return self.frame.groupby("sku", sort=False)["qty"].sum()


def build_ledger(movements: Table, as_of: date, items: Table | None = None) -> Ledger:
    """The ledger up to `as_of`; with `items`, movements for an unknown item are left out (they are
    reported by validation as unknown references)."""
    frame = movements.frame
    usable = frame["date"].notna() & frame["sku"].notna() & frame["kind"].notna() & frame["qty"].notna()
    usable &= frame["date"] <= pd.Timestamp(as_of)
    if items is not None:
        usable &= frame["sku"].isin(items.frame["sku"].dropna())
    picked = frame[usable]
    sign = picked["kind"].map(INBOUND).to_numpy()
    qty = scaled(picked["qty"].to_numpy(), QTY_SCALE)
    # an adjustment carries its own sign; receipts, issues and returns are entered positive
    signed = np.where(picked["kind"].to_numpy() == "adjust", qty, np.abs(qty) * sign).astype(
        np.int64
    )  # int64 when empty too
    ledger = pd.DataFrame(
        {
            "sku": picked["sku"].to_numpy(),
            "date": picked["date"].to_numpy(),
            "kind": picked["kind"].to_numpy(),
            "qty": signed,
            "unit_cost": picked["unit_cost"].to_numpy(),
            "reference": picked["reference"].to_numpy(),
            "row": movements.rows[np.flatnonzero(usable.to_numpy())],
            "position": np.flatnonzero(usable.to_numpy()),
        }
    )
    ledger = ledger.sort_values(["sku", "date", "row"], kind="stable").reset_index(drop=True)
    ledger["balance"] = ledger.groupby("sku", sort=False)["qty"].cumsum()
    return Ledger(ledger, as_of)


def negative_stock(ledger: Ledger) -> pd.DataFrame:
    """The movement that first takes each item below zero (and where it went)."""
    frame = ledger.frame
    below = frame[frame["balance"] < 0]
    return below.drop_duplicates("sku", keep="first")
