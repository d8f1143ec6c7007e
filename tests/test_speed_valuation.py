"""The vectorised moving average against the textbook one: row by row, every receipt re-averaging the
stock held (a short or empty stock restarts at the receipt's cost), each average rounded half up to the
sen, each value half up to the yen (the rules of valuation.py, restated slowly) — on random ledgers with every kind of movement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from addin.model import Table
from addin.money import half_up_yen
from addin.stock.ledger import QTY_SCALE, build_ledger
from addin.stock.valuation import AVG_SCALE, COST_SCALE, moving_average

KINDS = np.array(["receipt", "issue", "return", "adjust"], dtype=object)


def _movements(seed: int, rows: int = 1500, skus: int = 25) -> Table:
    rng = np.random.default_rng(seed)
    kind = KINDS[rng.choice(4, rows, p=[0.35, 0.45, 0.1, 0.1])]
    qty = [Decimal(int(n)) / 4 for n in rng.integers(1, 200, rows)]  # quarter units too
    qty = [-q if k == "adjust" and flip else q for q, k, flip in zip(qty, kind, rng.random(rows) < 0.5)]
    cost = [Decimal(int(n)) / 100 if k == "receipt" else None for n, k in zip(rng.integers(100, 900000, rows), kind)]
    frame = pd.DataFrame(
        {
            "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 200, rows), unit="D"),
            "sku": [f"S{n:03d}" for n in rng.integers(0, skus, rows)],
            "kind": kind,
            "qty": qty,
            "unit_cost": cost,
            "reference": None,
        }
    )
    return Table("stock.xlsx", "Movements", frame, np.arange(2, rows + 2), {})


def _textbook(frame: pd.DataFrame) -> tuple[list[int | None], dict[str, tuple[int, int]]]:
    averages, last, sku, average = [], {}, None, None
    per_sen = COST_SCALE // AVG_SCALE
    for row in frame.itertuples():
        if row.sku != sku:
            sku, average = row.sku, None
        if row.kind == "receipt":
            cost = int(row.unit_cost * COST_SCALE)
            before = row.balance - row.qty
            if before <= 0 or row.balance <= 0:
                average = half_up_yen(cost, per_sen)
            else:  # stock held before the item's first receipt (a return, an adjustment) is held at 0
                average = half_up_yen(before * (average or 0) * per_sen + row.qty * cost, row.balance * per_sen)
        averages.append(average)
        last[sku] = (row.balance, average or 0)
    return averages, last


def test_moving_average_matches_the_row_by_row_textbook_method():
    for seed in range(4):
        ledger = build_ledger(_movements(seed), date(2025, 12, 31))
        frame = ledger.frame
        averages, last = _textbook(frame)
        valued = moving_average(ledger)
        items = valued.items.set_index("sku")
        for sku, (balance, average) in last.items():
            assert (items.loc[sku, "on_hand"], items.loc[sku, "unit_cost"]) == (balance, average)
            assert items.loc[sku, "value"] == half_up_yen(balance * average, QTY_SCALE * AVG_SCALE)
        unvalued = [i for i, (a, k) in enumerate(zip(averages, frame["kind"])) if a is None and k == "issue"]
        assert valued.no_cost_basis.index.tolist() == unvalued
        cost = [half_up_yen(-q * (a or 0), QTY_SCALE * AVG_SCALE) for q, a in zip(frame["qty"], averages)]
        expected = frame.assign(month=frame["date"].dt.strftime("%Y-%m"), cost=cost)
        issues = expected[expected["kind"] == "issue"].groupby(["sku", "month"])["cost"].sum()
        got = valued.monthly.set_index(["sku", "month"])["cost_of_issues"]
        assert got[got != 0].to_dict() == issues[issues != 0].to_dict()
        assert int(valued.monthly["adjustment_cost"].sum()) == sum(
            c for c, k in zip(cost, frame["kind"]) if k == "adjust"
        )
