"""The Python side of the worksheet functions: one scalar call after warm-up (target ≤ 20 µs) and
one array call over 10,000 rows (target ≤ 100 ms). Each scalar call uses a value not seen before,
so nothing is served from a result cache.

    python benchmarks/bench_udfs.py
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin.excel import udfs  # noqa: E402


def per_call(fn, calls: int) -> float:
    start = time.perf_counter()
    for i in range(calls):
        fn(i)
    return (time.perf_counter() - start) / calls


def main() -> None:
    pay_day = date(2026, 1, 23)
    udfs.BO_WITHHOLDING(300000, 2, "甲", pay_day)                     # warm-up: rules and table loaded
    scalar = per_call(lambda i: udfs.BO_WITHHOLDING(100000 + 37 * i, i % 8, "甲", pay_day), 50_000)
    print(f"BO_WITHHOLDING one cell: {scalar * 1e6:.1f} µs  target ≤ 20 µs → {'OK' if scalar <= 20e-6 else 'MISSED'}")
    rows = [[100000 + 100 * i] for i in range(10_000)]
    deps = [[i % 8] for i in range(10_000)]
    best = min(_timed(lambda: udfs.BO_WITHHOLDING(rows, deps, "甲", pay_day)) for _ in range(5))
    print(f"BO_WITHHOLDING 10,000 rows: {best * 1000:.1f} ms  target ≤ 100 ms → {'OK' if best <= 0.1 else 'MISSED'}")
    for name, call in [
        ("BO_CONSUMPTION_TAX 10,000 rows", lambda: udfs.BO_CONSUMPTION_TAX([[i] for i in range(10_000)], 10)),
        ("BO_CHECK_MY_NUMBER 10,000 rows", lambda: udfs.BO_CHECK_MY_NUMBER([["621498320257"]] * 10_000)),
        ("BO_HEALTH_INSURANCE 10,000 rows", lambda: udfs.BO_HEALTH_INSURANCE([[58000 + i] for i in range(10_000)], "2026-04",
                                                                              [[date(1980, 1, 1)]] * 10_000)),
    ]:
        best = min(_timed(call) for _ in range(3))
        print(f"{name}: {best * 1000:.1f} ms")


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
