"""Physical counts (棚卸) against the ledger on the count date, and the adjustments that would book
the differences (proposed, never written into the user's workbook)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.model import Table
from addin.money import scaled
from addin.stock.ledger import QTY_SCALE, Ledger
from addin.stock.valuation import _value


def count_differences(counts: Table | None, ledger: Ledger, averages) -> pd.DataFrame:
    """One row per counted item whose count differs from the ledger: quantities in thousandths,
    `value` the difference at the average cost (yen), and the adjustment movement to book it.
    `averages` (sku → average cost in sen) may be a function, called only when something differs."""
    columns = ["count_date", "sku", "counted", "ledger", "difference", "unit_cost", "value", "row"]
    if counts is None or counts.frame.empty:
        return pd.DataFrame(columns=columns)
    frame = counts.frame.dropna(subset=["count_date", "sku", "counted_qty"])
    frame = frame[frame["count_date"] <= pd.Timestamp(ledger.as_of)]  # a count after the date is not yet known
    rows = counts.rows[frame.index.to_numpy()]
    counted = scaled(frame["counted_qty"].to_numpy(), QTY_SCALE)
    # on-hand at the end of each count date: the last balance at or before it (0 before any movement)
    left = pd.DataFrame(
        {"count_date": frame["count_date"].to_numpy(), "sku": frame["sku"].to_numpy(), "order": np.arange(len(frame))}
    ).sort_values("count_date")
    right = ledger.frame[["date", "sku", "balance"]].sort_values("date", kind="stable")
    # one key dtype on both sides, even when one of them is empty (pandas infers none for an empty column)
    left["sku"], right = left["sku"].astype(str), right.assign(sku=right["sku"].astype(str))
    joined = pd.merge_asof(left, right, left_on="count_date", right_on="date", by="sku", allow_exact_matches=True)
    books = joined.sort_values("order")["balance"].fillna(0).astype(np.int64).to_numpy()
    result = pd.DataFrame(
        {
            "count_date": frame["count_date"].to_numpy(),
            "sku": frame["sku"].to_numpy(),
            "counted": counted,
            "ledger": books,
            "row": rows,
        }
    )
    result["difference"] = result["counted"] - result["ledger"]
    result = result[result["difference"] != 0]
    if result.empty:
        return pd.DataFrame(columns=columns)
    averages = averages() if callable(averages) else averages
    # an item never received has no average (0): looked up one by one, so no NaN stands in for it on the way
    result["unit_cost"] = np.array([int(averages.get(sku, 0)) for sku in result["sku"]], dtype=np.int64)
    result["value"] = _value(result["difference"].to_numpy(), result["unit_cost"].to_numpy())
    return result[columns].reset_index(drop=True)
