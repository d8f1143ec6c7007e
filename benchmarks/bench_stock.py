"""Ledger and valuation over 1,000,000 generated movements for 20,000 items (target < 3 s for the
computation), both valuation methods, with peak memory.

    python benchmarks/bench_stock.py [--movements 1000000] [--items 20000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin.model import Table  # noqa: E402
from addin.stock.ledger import build_ledger, negative_stock  # noqa: E402
from addin.stock.valuation import moving_average, periodic_average  # noqa: E402


def movements(count: int, items: int) -> Table:
    """Typed movements as validation hands them over (Decimal quantities and costs)."""
    rng = np.random.default_rng(5)
    skus = np.array([f"SKU-{i:06d}" for i in range(items)], dtype=object)
    receipt = rng.random(count) < 0.3
    qty_pool = np.array([Decimal(n) for n in range(1, 201)], dtype=object)
    cost_pool = np.array([Decimal(n) / 100 for n in range(5000, 500000, 37)], dtype=object)
    frame = pd.DataFrame({
        "date": pd.Timestamp("2025-04-01") + pd.to_timedelta(rng.integers(0, 365, count), unit="D"),
        "sku": skus[rng.integers(0, items, count)],
        "kind": np.where(receipt, "receipt", "issue").astype(object),
        "qty": qty_pool[np.where(receipt, rng.integers(50, 200, count), rng.integers(0, 40, count))],
        "unit_cost": np.where(receipt, cost_pool[rng.integers(0, len(cost_pool), count)], None),
        "reference": np.full(count, None, dtype=object),
    })
    return Table("stock.xlsx", "Movements 入出庫", frame, np.arange(2, count + 2), {"date": 1, "sku": 2, "kind": 3,
                                                                                       "qty": 4, "unit_cost": 5, "reference": 6})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=20_000)
    args = parser.parse_args()
    t = time.perf_counter()
    table = movements(args.movements, args.items)
    print(f"generated {args.movements:,} movements for {args.items:,} items in {time.perf_counter() - t:.1f}s")
    as_of = date(2026, 3, 31)
    t = time.perf_counter()
    ledger = build_ledger(table, as_of)
    below = negative_stock(ledger)
    built = time.perf_counter() - t
    t = time.perf_counter()
    moving = moving_average(ledger)
    moved = time.perf_counter() - t
    t = time.perf_counter()
    periodic = periodic_average(ledger)
    period = time.perf_counter() - t
    total = built + moved
    print(f"ledger (sort, running balances, negative stock): {built:.2f}s  ({len(below):,} items go negative)")
    print(f"moving average valuation: {moved:.2f}s   value {int(moving.items['value'].sum()):,} yen")
    print(f"periodic average valuation: {period:.2f}s   value {int(periodic.items['value'].sum()):,} yen")
    print(f"ledger + moving average: {total:.2f}s   target < 3 s → {'OK' if total < 3 else 'MISSED'}")
    print(f"ledger + periodic average: {built + period:.2f}s   target < 3 s → {'OK' if built + period < 3 else 'MISSED'}")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
