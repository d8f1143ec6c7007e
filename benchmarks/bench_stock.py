"""Ledger and valuation over 1,000,000 generated movements for 20,000 items (target < 3 s for the
computation; issue #18: ≤ 2 s for ledger + valuation), both valuation methods, with peak memory. Wall
and CPU seconds (CPU does not count other work on a shared machine), best of --repeat.

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
from addin.stock.valuation import AVG_SCALE, moving_average, periodic_average  # noqa: E402


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
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t = time.perf_counter()
    table = movements(args.movements, args.items)
    print(f"generated {args.movements:,} movements for {args.items:,} items in {time.perf_counter() - t:.1f}s")
    as_of = date(2026, 3, 31)
    best: dict[str, tuple[float, float]] = {}

    def timed(name, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        spent = (time.perf_counter() - wall, time.process_time() - cpu)
        best[name] = min(best.get(name, spent), spent, key=lambda pair: pair[1])
        return result

    for _ in range(args.repeat):
        ledger = timed("ledger", lambda: build_ledger(table, as_of))
        below = timed("negative", lambda: negative_stock(ledger))
        moving = timed("moving", lambda: moving_average(ledger, AVG_SCALE))
        periodic = timed("periodic", lambda: periodic_average(ledger, AVG_SCALE))
    built = tuple(a + b for a, b in zip(best["ledger"], best["negative"]))
    print(f"ledger (sort, running balances, negative stock): {built[0]:.2f}s wall, {built[1]:.2f}s CPU "
          f"({len(below):,} items go negative)")
    print(f"moving average valuation: {best['moving'][0]:.2f}s wall, {best['moving'][1]:.2f}s CPU   "
          f"value {int(moving.items['value'].sum()):,} yen")
    print(f"periodic average valuation: {best['periodic'][0]:.2f}s wall, {best['periodic'][1]:.2f}s CPU   "
          f"value {int(periodic.items['value'].sum()):,} yen")
    for method in ("moving", "periodic"):
        wall, cpu = built[0] + best[method][0], built[1] + best[method][1]
        print(f"ledger + {method} average: {wall:.2f}s wall, {cpu:.2f}s CPU   target ≤ 2 s → {'OK' if cpu <= 2 else 'MISSED'} (CPU)")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
