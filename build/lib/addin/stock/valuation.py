"""Stock valuation by 移動平均法 (moving average) or 総平均法 (periodic average per month).

Integer arithmetic throughout: quantities in thousandths, receipt costs in 1/10,000 yen, average
unit costs rounded to the sen (0.01 yen, half up) and values to the yen (half up) — the rounding
named in rules/stock.yaml. Only receipts change a moving average, so issues are valued vectorised
and the sequential part is one pass over receipts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.money import half_up_yen, scaled
from addin.stock.ledger import QTY_SCALE, Ledger

COST_SCALE = 10_000        # receipt unit costs in 1/10,000 yen
AVG_SCALE = 100            # average unit cost in sen


@dataclass
class Valuation:
    method: str
    items: pd.DataFrame          # sku, on_hand (thousandths), unit_cost (sen), value (yen)
    monthly: pd.DataFrame        # sku, month, issued (thousandths), cost_of_issues, returned_cost, adjustment_cost
    no_cost_basis: pd.DataFrame  # issue rows with no earlier receipt to value them


def _value(qty: np.ndarray, avg: np.ndarray) -> np.ndarray:
    """qty (thousandths) × average (sen) → yen, half up."""
    return half_up_yen(qty * avg, QTY_SCALE * AVG_SCALE)


def _receipt_costs(frame: pd.DataFrame) -> np.ndarray:
    receipts = frame["kind"].to_numpy() == "receipt"
    costs = np.zeros(len(frame), dtype=np.int64)
    costs[receipts] = scaled(frame["unit_cost"].to_numpy()[receipts], COST_SCALE)
    return costs


def moving_average(ledger: Ledger) -> Valuation:
    frame = ledger.frame
    receipt = (frame["kind"] == "receipt").to_numpy()
    cost = _receipt_costs(frame)
    qty, balance = frame["qty"].to_numpy(), frame["balance"].to_numpy()
    sku = frame["sku"].to_numpy()
    avg_at_receipt = np.full(len(frame), -1, dtype=np.int64)
    previous_sku, average = None, 0
    for i in np.flatnonzero(receipt).tolist():       # the one sequential pass: receipts only
        if sku[i] != previous_sku:
            previous_sku, average = sku[i], 0
        before = int(balance[i] - qty[i])
        after = int(balance[i])
        incoming = int(qty[i]) * int(cost[i])                                   # 1e-7 yen
        if before <= 0 or after <= 0:                 # from empty (or short) stock: the receipt's own cost
            average = int(half_up_yen(int(cost[i]), COST_SCALE // AVG_SCALE))
        else:
            held = before * average * (COST_SCALE // AVG_SCALE)                 # 1e-7 yen
            average = int(half_up_yen(held + incoming, after * (COST_SCALE // AVG_SCALE)))
        avg_at_receipt[i] = average
    avg = pd.Series(np.where(avg_at_receipt >= 0, avg_at_receipt, np.nan))
    avg = avg.groupby(sku).ffill()               # the average in force at every row of the item
    defined = avg.notna().to_numpy()
    average_now = avg.fillna(0).to_numpy(dtype=np.int64)
    costed = _monthly(frame, average_now)
    no_basis = frame[(frame["kind"] == "issue").to_numpy() & ~defined]
    last = frame.assign(avg=average_now).groupby("sku", sort=False).tail(1)
    items = pd.DataFrame({"sku": last["sku"].to_numpy(), "on_hand": last["balance"].to_numpy(),
                          "unit_cost": last["avg"].to_numpy()})
    items["value"] = _value(items["on_hand"].to_numpy(), items["unit_cost"].to_numpy())
    return Valuation("moving_average", items, costed, no_basis)


def _monthly(frame: pd.DataFrame, average: np.ndarray) -> pd.DataFrame:
    """Issues, returns and adjustments of each month valued at the average in force on their row."""
    value = _value(-frame["qty"].to_numpy(), average)            # an outflow has positive cost
    kinds = frame["kind"].to_numpy()
    month = frame["date"].dt.to_period("M").astype(str).to_numpy()
    table = pd.DataFrame({"sku": frame["sku"].to_numpy(), "month": month,
                          "issued": np.where(kinds == "issue", -frame["qty"].to_numpy(), 0),
                          "cost_of_issues": np.where(kinds == "issue", value, 0),
                          "returned_cost": np.where(kinds == "return", -value, 0),
                          "adjustment_cost": np.where(kinds == "adjust", value, 0)})
    return table.groupby(["sku", "month"], sort=True, as_index=False).sum()


def periodic_average(ledger: Ledger) -> Valuation:
    """総平均法 per month: (opening value + the month's receipts) ÷ (opening qty + received qty)."""
    frame = ledger.frame.copy()
    frame["month"] = frame["date"].dt.to_period("M")
    frame["cost"] = _receipt_costs(frame)
    receipt = frame["kind"] == "receipt"
    frame["in_qty"] = np.where(receipt, frame["qty"], 0)
    frame["in_value"] = np.where(receipt, frame["qty"] * frame["cost"], 0)   # 1e-7 yen
    per_month = frame.groupby(["sku", "month"], sort=True).agg(
        in_qty=("in_qty", "sum"), in_value=("in_value", "sum"), moved=("qty", "sum"))
    skus = per_month.index.get_level_values(0).unique()
    opening_qty = pd.Series(0, index=skus, dtype=np.int64)
    opening_value = pd.Series(0, index=skus, dtype=object)                    # yen, exact ints
    average = pd.Series(0, index=skus, dtype=np.int64)
    averages = {}
    for month in sorted(per_month.index.get_level_values(1).unique()):       # months are few: loop them
        this = per_month.xs(month, level=1).reindex(skus, fill_value=0)
        pool_qty = opening_qty + this["in_qty"]
        pool_value = opening_value * (QTY_SCALE * COST_SCALE) + this["in_value"].astype(object)
        priced = pool_qty > 0
        new = [int(half_up_yen(int(v), int(q) * (COST_SCALE // AVG_SCALE))) if p else int(a)
               for v, q, p, a in zip(pool_value, pool_qty, priced, average)]
        average = pd.Series(new, index=skus, dtype=np.int64)
        averages[month] = average
        opening_qty = opening_qty + this["moved"]
        opening_value = pd.Series(_value(opening_qty.to_numpy(), average.to_numpy()), index=skus).astype(object)
    by_month = pd.concat(averages, names=["month", "sku"]) if averages else pd.Series(dtype=np.int64)
    wanted = pd.MultiIndex.from_arrays([frame["month"], frame["sku"]])
    frame["avg"] = by_month.reindex(wanted).fillna(0).to_numpy(dtype=np.int64)
    average_now = frame["avg"].to_numpy(dtype=np.int64)
    received_before = frame.groupby("sku")["in_qty"].cumsum() > 0
    no_basis = frame[(frame["kind"] == "issue") & ~received_before & (frame["avg"] == 0)]
    costed = _monthly(ledger.frame, average_now)
    items = pd.DataFrame({"sku": skus, "on_hand": opening_qty.to_numpy(), "unit_cost": average.to_numpy()})
    items["value"] = _value(items["on_hand"].to_numpy(), items["unit_cost"].to_numpy())
    return Valuation("periodic_average", items.reset_index(drop=True), costed, no_basis.drop(columns=["month"]))


def value(ledger: Ledger, method: str) -> Valuation:
    return periodic_average(ledger) if method == "periodic_average" else moving_average(ledger)
