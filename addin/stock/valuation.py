"""Stock valuation by 移動平均法 (moving average) or 総平均法 (periodic average per month).

Integer arithmetic throughout: quantities in thousandths, receipt costs in 1/10,000 yen, average
unit costs rounded half up to the unit `stock.unit_cost_rounding` names (the sen by default: a
company policy, passed in) and carried in sen, values rounded to the yen (half up). Only receipts
change a moving average, so issues are valued vectorised and the sequential part is one pass over
receipts; a periodic average loops the months, each over every item at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from addin.money import half_up_yen, scaled
from addin.rulebook import Rulebook
from addin.stock.ledger import QTY_SCALE, Ledger

COST_SCALE = 10_000  # receipt unit costs in 1/10,000 yen
AVG_SCALE = 100  # average unit costs are carried in sen, whatever unit they are rounded to
UNIT_COST_ROUNDING = "stock.unit_cost_rounding"
#: the rounding units an average may take, as parts of a yen: the yen, 0.1 yen, the sen. A finer unit
#: would need a finer representation than the sen, which the books, counts and outputs carry.
UNIT_COST_SCALES = (1, 10, 100)
INT64_SAFE = 2**62  # below this, sums of two int64 terms cannot overflow


class _Overflow(ArithmeticError):
    """int64 would not hold a value: the computation is redone in Python ints."""


class UnitCostScaleRefused(ValueError):
    """A `stock.unit_cost_rounding` value the valuation cannot apply: refused, never approximated."""

    def __init__(self, scale: object, file: str = ""):
        self.scale, self.file = scale, file
        known = ", ".join(str(s) for s in UNIT_COST_SCALES)
        self.message_ja = f"stock.unit_cost_rounding の unit_cost_scale {scale!r} は使えません（使える値: {known}）"
        self.message_en = f"stock.unit_cost_rounding: unit_cost_scale {scale!r} is not usable (one of {known})"
        super().__init__(self.message_en)


def unit_cost_scale(rules: Rulebook, on: date) -> int:
    """The parts of a yen an average unit cost is rounded to on `on` (100: the sen)."""
    parameter = rules.parameter(UNIT_COST_ROUNDING)
    value = parameter.value_on(on).value
    return checked_scale(value.get("unit_cost_scale") if isinstance(value, dict) else value, parameter.file)


def checked_scale(scale: object, file: str = "") -> int:
    if isinstance(scale, bool) or not isinstance(scale, int) or scale not in UNIT_COST_SCALES:
        raise UnitCostScaleRefused(scale, file)
    return scale


def unit_cost_text(sen: int) -> str:
    """An average unit cost (sen) as the exact decimal string of yen the JSON outputs carry: "100.67"."""
    return str(Decimal(int(sen)).scaleb(-2))


@dataclass
class Valuation:
    method: str
    items: pd.DataFrame  # sku, on_hand (thousandths), unit_cost (sen), value (yen)
    monthly: pd.DataFrame  # sku, month, issued (thousandths), cost_of_issues, returned_cost, adjustment_cost
    no_cost_basis: pd.DataFrame  # issue rows with no earlier receipt to value them


def _exact(*magnitudes: int) -> type:
    """int64 when every bound (Python ints) is safely inside it, else Python ints in object arrays."""
    return np.int64 if max(magnitudes, default=0) < INT64_SAFE else object


def _peak(values: np.ndarray) -> int:
    return int(np.abs(values).max()) if len(values) else 0


def _total(*factors: np.ndarray) -> int:
    """An upper bound of the sum of |product of factors| over the rows, to size the integers that hold
    it (floats only estimate a magnitude here, with a margin; no amount is computed in them)."""
    product = np.ones(len(factors[0]), dtype=np.float64)
    for factor in factors:
        product *= np.abs(factor.astype(np.float64))
    return int(product.sum() * 1.01) + 1


def _half_up(numerator: np.ndarray, denominator: np.ndarray | int) -> np.ndarray:
    """half_up_yen on int64 arrays, or element by element on Python ints (numpy has no divmod for them)."""
    if numerator.dtype != object:
        return half_up_yen(numerator, denominator)
    pairs = zip(numerator, np.broadcast_to(denominator, numerator.shape), strict=True)
    return np.array([half_up_yen(int(n), int(d)) for n, d in pairs], dtype=object)


def _value(qty: np.ndarray, avg: np.ndarray) -> np.ndarray:
    """qty (thousandths) × average (sen) → yen, half up."""
    dtype = _exact(_peak(qty) * _peak(avg))
    return _half_up(qty.astype(dtype) * avg.astype(dtype), QTY_SCALE * AVG_SCALE)


def _receipt_costs(frame: pd.DataFrame, receipt: np.ndarray) -> np.ndarray:
    costs = np.zeros(len(frame), dtype=np.int64)
    costs[receipt] = scaled(frame["unit_cost"].to_numpy()[receipt], COST_SCALE)
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


def _receipt_averages(qty: list[int], after: list[int], cost: list[int], item: list[int], scale: int) -> list[int]:
    """The moving average (sen) after each receipt, in ledger order: the one sequential pass.

    Rounded half up to 1/scale yen as half_up_yen does it, written out inline ((2n + d) // 2d is
    floor(n/d) rounded half up) because this loop runs once per receipt."""
    per_unit, sen_per_unit, per_sen = COST_SCALE // scale, AVG_SCALE // scale, COST_SCALE // AVG_SCALE
    averages, previous, average = [], None, 0
    for q, balance, c, i in zip(qty, after, cost, item, strict=True):
        if i != previous:
            previous, average = i, 0
        before = balance - q
        if before <= 0 or balance <= 0:  # from empty (or short) stock: the receipt's own cost
            average = (2 * c + per_unit) // (2 * per_unit) * sen_per_unit
        else:  # held value + incoming value (1e-7 yen) over the new balance
            held = before * average * per_sen + q * c
            average = (2 * held + balance * per_unit) // (2 * balance * per_unit) * sen_per_unit
        averages.append(average)
    return averages


def moving_average(ledger: Ledger, scale: int) -> Valuation:
    """移動平均法: every receipt re-averages the stock held; averages rounded to 1/scale yen."""
    scale = checked_scale(scale)
    frame = ledger.frame
    kinds = _kinds(frame)
    receipt = kinds["receipt"]
    cost = _receipt_costs(frame, receipt)
    qty, balance = frame["qty"].to_numpy(), frame["balance"].to_numpy()
    sku = frame["sku"].to_numpy(dtype=object)
    item, starts = _groups(sku)
    rows = np.flatnonzero(receipt)
    averages = _receipt_averages(
        qty[rows].tolist(), balance[rows].tolist(), cost[rows].tolist(), item[rows].tolist(), scale
    )
    avg_at_receipt: np.ndarray = np.zeros(len(frame), dtype=_exact(max(map(abs, averages), default=0)))
    avg_at_receipt[rows] = averages
    # the average in force at every row: that of the item's latest receipt at or before it
    latest = np.maximum.accumulate(np.where(receipt, np.arange(len(frame)), -1)) if len(frame) else rows
    defined = latest >= starts[item] if len(frame) else np.zeros(0, dtype=bool)
    average_now = np.where(defined, avg_at_receipt[np.maximum(latest, 0)], 0).astype(avg_at_receipt.dtype)
    costed = _monthly(frame, average_now, kinds, item)
    no_basis = frame[kinds["issue"] & ~defined]
    last = np.r_[starts[1:] - 1, len(frame) - 1] if len(frame) else starts
    return Valuation("moving_average", _items(sku[last], balance[last], average_now[last]), costed, no_basis)


def _month_numbers(frame: pd.DataFrame) -> np.ndarray:
    return frame["date"].to_numpy().astype("datetime64[M]").astype(np.int64)


def _monthly(frame: pd.DataFrame, average: np.ndarray, kinds: dict[str, np.ndarray], item: np.ndarray) -> pd.DataFrame:
    """Issues, returns and adjustments of each month valued at the average in force on their row,
    summed per (sku, month) in exact integers."""
    sku = frame["sku"].to_numpy(dtype=object)
    qty = frame["qty"].to_numpy()
    value = _value(-qty, average)  # an outflow has positive cost
    months = _month_numbers(frame)
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
        dtype = _exact(_total(column))
        table[name] = np.add.reduceat(column.astype(dtype), first) if len(first) else column.astype(np.int64)
    return pd.DataFrame(table)


@dataclass
class _MonthPools:
    """Per item (rows) and month present in the ledger (columns): received quantity, received value
    (1e-7 yen) and net movement."""

    in_qty: np.ndarray
    in_value: np.ndarray
    moved: np.ndarray


def _month_pools(
    qty: np.ndarray, cost: np.ndarray, receipt: np.ndarray, item: np.ndarray, month: np.ndarray
) -> _MonthPools:
    """Sums per (item, month) of the ledger (sorted by item then date, so each pair is one run of rows)."""
    dtype = _exact(_peak(qty) * _peak(cost), _total(qty, cost), _total(qty))
    columns = int(month.max()) + 1
    key = item * columns + month
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    shape = (int(item[-1]) + 1, columns)
    pools = []
    for column in (np.where(receipt, qty, 0), np.where(receipt, qty.astype(dtype) * cost.astype(dtype), 0), qty):
        dense: np.ndarray = np.zeros(shape, dtype=dtype)
        dense[item[first], month[first]] = np.add.reduceat(column.astype(dtype), first)
        pools.append(dense)
    return _MonthPools(*pools)


def _periodic_averages(pools: _MonthPools, scale: int, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Each item's average (sen) per month and its closing quantity: the months in order, every item at once.

    (opening value + the month's receipts) ÷ (opening qty + received qty), rounded to 1/scale yen; with
    nothing to price (no stock in the pool) the previous month's average stands."""
    per_unit, sen_per_unit = COST_SCALE // scale, AVG_SCALE // scale
    items, months = pools.moved.shape
    opening_qty: np.ndarray = np.zeros(items, dtype=dtype)
    opening_value: np.ndarray = np.zeros(items, dtype=dtype)  # yen
    average: np.ndarray = np.zeros(items, dtype=dtype)
    by_month: np.ndarray = np.zeros((items, months), dtype=dtype)
    for m in range(months):
        pool_qty = opening_qty + pools.in_qty[:, m]
        if (
            dtype is np.int64
            and max(
                _peak(opening_value) * QTY_SCALE * COST_SCALE + _peak(pools.in_value[:, m]), _peak(pool_qty) * per_unit
            )
            >= INT64_SAFE
        ):
            raise _Overflow
        pool_value = opening_value * (QTY_SCALE * COST_SCALE) + pools.in_value[:, m]
        priced = pool_qty > 0
        rounded = _half_up(pool_value, np.where(priced, pool_qty, 1) * per_unit) * sen_per_unit
        average = np.where(priced, rounded, average)
        by_month[:, m] = average
        opening_qty = opening_qty + pools.moved[:, m]
        opening_value = _value(opening_qty, average).astype(dtype)
    return by_month, opening_qty


def periodic_average(ledger: Ledger, scale: int) -> Valuation:
    """総平均法 per month: (opening value + the month's receipts) ÷ (opening qty + received qty)."""
    scale = checked_scale(scale)
    frame = ledger.frame
    kinds = _kinds(frame)
    receipt = kinds["receipt"]
    if not len(frame):
        nothing = np.zeros(0, dtype=np.int64)
        return Valuation(
            "periodic_average", _items(nothing, nothing, nothing), _monthly(frame, nothing, kinds, nothing), frame
        )
    qty, cost = frame["qty"].to_numpy(), _receipt_costs(frame, receipt)
    sku = frame["sku"].to_numpy(dtype=object)
    item, starts = _groups(sku)
    present, month = np.unique(_month_numbers(frame), return_inverse=True)  # months no item moved in are skipped
    pools = _month_pools(qty, cost, receipt, item, month)
    try:
        by_month, on_hand = _periodic_averages(pools, scale, pools.moved.dtype.type)
    except _Overflow:  # values beyond int64: the same months again in Python ints
        as_ints = _MonthPools(*(p.astype(object) for p in (pools.in_qty, pools.in_value, pools.moved)))
        by_month, on_hand = _periodic_averages(as_ints, scale, object)
    average_now = by_month[item, month]
    received = np.cumsum(np.where(receipt, qty, 0))
    received_before = received - np.r_[0, received[starts[1:] - 1]][item] > 0
    no_basis = frame[kinds["issue"] & ~received_before & (average_now == 0)]
    costed = _monthly(frame, average_now, kinds, item)
    return Valuation("periodic_average", _items(sku[starts], on_hand, by_month[:, -1]), costed, no_basis)


def _items(sku: np.ndarray, on_hand: np.ndarray, unit_cost: np.ndarray) -> pd.DataFrame:
    """One row per item: sku, on_hand (thousandths), unit_cost (sen) and value (yen)."""
    return pd.DataFrame(
        {"sku": sku.astype(object), "on_hand": on_hand, "unit_cost": unit_cost, "value": _value(on_hand, unit_cost)}
    )


def value(ledger: Ledger, method: str, scale: int) -> Valuation:
    return periodic_average(ledger, scale) if method == "periodic_average" else moving_average(ledger, scale)
