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

COST_SCALE = 10_000  # receipt unit costs in 1/10,000 yen
AVG_SCALE = 100  # average unit cost in sen


@dataclass
class Valuation:
    method: str
    items: pd.DataFrame  # sku, on_hand (thousandths), unit_cost (sen), value (yen)
    monthly: pd.DataFrame  # sku, month, issued (thousandths), cost_of_issues, returned_cost, adjustment_cost
    no_cost_basis: pd.DataFrame  # issue rows with no earlier receipt to value them


def _value(qty: np.ndarray, avg: np.ndarray) -> np.ndarray:
    """qty (thousandths) × average (sen) → yen, half up."""
    return half_up_yen(qty * avg, QTY_SCALE * AVG_SCALE)


def _receipt_costs(frame: pd.DataFrame, receipt: np.ndarray | None = None) -> np.ndarray:
    receipts = (frame["kind"] == "receipt").to_numpy() if receipt is None else receipt
    costs = np.zeros(len(frame), dtype=np.int64)
    costs[receipts] = scaled(frame["unit_cost"].to_numpy()[receipts], COST_SCALE)
    return costs


def _kinds(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """A mask per kind of movement, from one pass over the column (string comparisons are the slow part)."""
    codes, kinds = pd.factorize(frame["kind"])
    return {kind: codes == code for code, kind in enumerate(kinds)} | {
        kind: np.zeros(len(frame), dtype=bool) for kind in ("receipt", "issue", "return", "adjust") if kind not in kinds
    }


def _groups(sku: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The item number of every row and the first row of each item; the ledger is sorted by sku."""
    first = np.ones(len(sku), dtype=bool)
    first[1:] = sku[1:] != sku[:-1]
    return np.cumsum(first) - 1, np.flatnonzero(first)


def _receipt_averages(qty: list[int], after: list[int], cost: list[int], item: list[int]) -> list[int]:
    """The moving average (sen) after each receipt, in ledger order: the one sequential pass.

    Half up as half_up_yen does it, written out inline ((2n + d) // 2d is floor(n/d) rounded half up)
    because this loop runs once per receipt."""
    per_sen = COST_SCALE // AVG_SCALE
    averages, previous, average = [], None, 0
    for q, balance, c, i in zip(qty, after, cost, item):
        if i != previous:
            previous, average = i, 0
        before = balance - q
        if before <= 0 or balance <= 0:  # from empty (or short) stock: the receipt's own cost
            average = (2 * c + per_sen) // (2 * per_sen)
        else:  # held value + incoming value (1e-7 yen) over the new balance
            average = (2 * (before * average * per_sen + q * c) + balance * per_sen) // (2 * balance * per_sen)
        averages.append(average)
    return averages


def moving_average(ledger: Ledger) -> Valuation:
    frame = ledger.frame
    kinds = _kinds(frame)
    receipt = kinds["receipt"]
    cost = _receipt_costs(frame, receipt)
    qty, balance = frame["qty"].to_numpy(), frame["balance"].to_numpy()
    sku = frame["sku"].to_numpy(dtype=object)
    item, starts = _groups(sku)
    rows = np.flatnonzero(receipt)
    avg_at_receipt = np.zeros(len(frame), dtype=np.int64)
    avg_at_receipt[rows] = _receipt_averages(
        qty[rows].tolist(), balance[rows].tolist(), cost[rows].tolist(), item[rows].tolist()
    )
    # the average in force at every row: that of the item's latest receipt at or before it
    latest = np.maximum.accumulate(np.where(receipt, np.arange(len(frame)), -1)) if len(frame) else rows
    defined = latest >= starts[item] if len(frame) else np.zeros(0, dtype=bool)
    average_now = np.where(defined, avg_at_receipt[np.maximum(latest, 0)], 0).astype(np.int64)
    costed = _monthly(frame, average_now, kinds, item)
    no_basis = frame[kinds["issue"] & ~defined]
    last = np.r_[starts[1:] - 1, len(frame) - 1] if len(frame) else starts
    items = pd.DataFrame({"sku": sku[last], "on_hand": balance[last], "unit_cost": average_now[last]})
    items["value"] = _value(items["on_hand"].to_numpy(), items["unit_cost"].to_numpy())
    return Valuation("moving_average", items, costed, no_basis)


def _monthly(
    frame: pd.DataFrame, average: np.ndarray, kinds: dict[str, np.ndarray] | None = None, item: np.ndarray | None = None
) -> pd.DataFrame:
    """Issues, returns and adjustments of each month valued at the average in force on their row,
    summed per (sku, month) in exact integers."""
    kinds = _kinds(frame) if kinds is None else kinds
    sku = frame["sku"].to_numpy(dtype=object)
    item = _groups(sku)[0] if item is None else item
    qty = frame["qty"].to_numpy()
    value = _value(-qty, average)  # an outflow has positive cost
    months = frame["date"].to_numpy().astype("datetime64[M]").astype(np.int64)
    key = item * (int(months.max() - months.min()) + 1 if len(months) else 1) + (
        months - (months.min() if len(months) else 0)
    )
    order = np.argsort(key, kind="stable") if len(key) and (np.diff(key) < 0).any() else None
    columns = {
        "issued": np.where(kinds["issue"], -qty, 0),
        "cost_of_issues": np.where(kinds["issue"], value, 0),
        "returned_cost": np.where(kinds["return"], -value, 0),
        "adjustment_cost": np.where(kinds["adjust"], value, 0),
    }
    if order is not None:  # the ledger is sorted by (sku, date): this is only a safeguard
        key, sku, months = key[order], sku[order], months[order]
        columns = {name: column[order] for name, column in columns.items()}
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
    table = {
        "sku": sku[first],
        "month": np.datetime_as_string(months[first].astype("datetime64[M]"), unit="M").astype(object),
    }
    for name, column in columns.items():
        table[name] = np.add.reduceat(column.astype(np.int64), first) if len(first) else column.astype(np.int64)
    return pd.DataFrame(table)


def periodic_average(ledger: Ledger) -> Valuation:
    """総平均法 per month: (opening value + the month's receipts) ÷ (opening qty + received qty)."""
    frame = ledger.frame.copy()
    frame["month"] = frame["date"].dt.to_period("M")
    frame["cost"] = _receipt_costs(frame)
    receipt = frame["kind"] == "receipt"
    frame["in_qty"] = np.where(receipt, frame["qty"], 0)
    frame["in_value"] = np.where(receipt, frame["qty"] * frame["cost"], 0)  # 1e-7 yen
    per_month = frame.groupby(["sku", "month"], sort=True).agg(
        in_qty=("in_qty", "sum"), in_value=("in_value", "sum"), moved=("qty", "sum")
    )
    skus = per_month.index.get_level_values(0).unique()
    opening_qty = pd.Series(0, index=skus, dtype=np.int64)
    opening_value = pd.Series(0, index=skus, dtype=object)  # yen, exact ints
    average = pd.Series(0, index=skus, dtype=np.int64)
    averages = {}
    for month in sorted(per_month.index.get_level_values(1).unique()):  # months are few: loop them
        this = per_month.xs(month, level=1).reindex(skus, fill_value=0)
        pool_qty = opening_qty + this["in_qty"]
        pool_value = opening_value * (QTY_SCALE * COST_SCALE) + this["in_value"].astype(object)
        priced = pool_qty > 0
        new = [
            int(half_up_yen(int(v), int(q) * (COST_SCALE // AVG_SCALE))) if p else int(a)
            for v, q, p, a in zip(pool_value, pool_qty, priced, average)
        ]
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
