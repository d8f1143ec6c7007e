"""The worksheet functions measured through the path Excel uses on Windows: xlwings' own call_udf,
argument conversion (ndim=2, err_to_str) and result conversion, with COM-shaped values (floats,
2-D tuples, pywintypes-style datetimes). Targets: one cell ≤ 50 µs, 10,000 rows ≤ 100 ms.
Each one-cell call uses a value not seen before, so nothing is served from a result cache.

    python benchmarks/bench_udfs.py
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.xlwings_windows import MISSING, Caller, PyTime, windows_udfs  # noqa: E402


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def verdict(seconds: float, target: float) -> str:
    return "OK" if seconds <= target else "MISSED"


def main() -> None:
    here = Caller(str(ROOT / "Book1.xlsx"))                     # a book outside any company: product rules
    pay_day = PyTime(2026, 1, 23, tzinfo=dt.timezone.utc)
    with windows_udfs() as call:
        from addin.excel import udfs                                    # reloaded with xlwings' decorators
        call("BO_WITHHOLDING", 300000.0, 2.0, "甲", pay_day, here)            # warm-up: rules and table loaded
        calls = 20_000
        start = time.perf_counter()
        for i in range(calls):
            call("BO_WITHHOLDING", 100000.0 + 37 * i, float(i % 8), "甲", pay_day, here)
        scalar = (time.perf_counter() - start) / calls
        print(f"BO_WITHHOLDING one cell via xlwings call_udf: {scalar * 1e6:.1f} µs  "
              f"target ≤ 50 µs → {verdict(scalar, 50e-6)}")
        start = time.perf_counter()
        for i in range(calls // 4):
            call("BO_NENCHO_TAX", 3000000.0 + 37 * i, 450000.0, 2026.0, 50000.0, *(MISSING,) * 6, here)
        nencho = (time.perf_counter() - start) / (calls // 4)
        print(f"BO_NENCHO_TAX one cell (a whole 年末調整) via xlwings call_udf: {nencho * 1e6:.1f} µs  "
              f"target ≤ 50 µs → {verdict(nencho, 50e-6)}")
        start = time.perf_counter()
        for i in range(calls):
            call("BO_OK", float(i), here)
        floor = (time.perf_counter() - start) / calls
        start = time.perf_counter()
        for i in range(calls):
            udfs.BO_WITHHOLDING([[100000.0 + 37 * i]], [[float(i % 8)]], [["甲"]], [[dt.datetime(2026, 1, 23)]], None)
        ours = (time.perf_counter() - start) / calls
        print(f"  of which xlwings' own call (BO_OK, one argument): {floor * 1e6:.1f} µs; "
              f"backoffice's part (direct call): {ours * 1e6:.1f} µs")
        rows = tuple((100000.0 + 100 * i,) for i in range(10_000))
        deps = tuple((float(i % 8),) for i in range(10_000))
        cases = [
            ("BO_WITHHOLDING", lambda: call("BO_WITHHOLDING", rows, deps, "甲", pay_day, here)),
            ("BO_CONSUMPTION_TAX", lambda: call("BO_CONSUMPTION_TAX", tuple((float(i),) for i in range(10_000)),
                                                10.0, "floor", False, here)),
            ("BO_CHECK_MY_NUMBER", lambda: call("BO_CHECK_MY_NUMBER", (("621498320257",),) * 10_000, here)),
            ("BO_HEALTH_INSURANCE", lambda: call("BO_HEALTH_INSURANCE", tuple((58000.0 + i,) for i in range(10_000)),
                                                 "2026-04", ((PyTime(1980, 1, 1, tzinfo=dt.timezone.utc),),) * 10_000,
                                                 "東京都", here)),
            ("BO_KYUYO_SHOTOKU", lambda: call("BO_KYUYO_SHOTOKU", tuple((3000000.0 + 37 * i,) for i in range(10_000)),
                                              2026.0, here)),
            ("BO_NENCHO_TAX (10,000 different people)",
             lambda: call("BO_NENCHO_TAX", tuple((3000000.0 + 37 * i,) for i in range(10_000)),
                          tuple((450000.0 + i,) for i in range(10_000)), 2026.0, 50000.0, *(MISSING,) * 6, here)),
        ]
        floor = best_of(3, lambda: call("BO_OK", rows, here))
        print(f"  xlwings' own conversion of 10,000 rows in and out (BO_OK): {floor * 1000:.1f} ms")
        for name, run in cases:
            seconds = best_of(3, run)
            print(f"{name} 10,000 rows via xlwings call_udf: {seconds * 1000:.1f} ms  "
                  f"target ≤ 100 ms → {verdict(seconds, 0.1)}")


if __name__ == "__main__":
    main()
