"""The full nightly run on `backoffice demo --scale 100`, as a ratio to just reading every workbook
with python-calamine (target ≤ 2×), and its peak memory (target ≤ 2 GB).

    python benchmarks/bench_nightly.py [--scale 100] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

READ_ALL = """
import json, resource, sys, time
import python_calamine as c
t = time.perf_counter()
cells = 0
for name in ("staff.xlsx", "stock.xlsx", "vendors.xlsx", "sales.xlsx"):
    wb = c.CalamineWorkbook.from_path(sys.argv[1] + "/" + name)
    for sheet in wb.sheet_names:
        rows = wb.get_sheet_by_name(sheet).to_python()
        cells += sum(len(r) for r in rows)
print(json.dumps({"seconds": time.perf_counter() - t, "cells": cells,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

NIGHT = """
import json, resource, sys, time
from datetime import date
sys.path.insert(0, {root!r})
from addin.reconcile.run import nightly_run
from addin.services.company import load_company
company = load_company(sys.argv[1])
t = time.perf_counter()
outcome = nightly_run(company, date(2026, 4, 1), sleep=lambda s: None)
print(json.dumps({{"seconds": time.perf_counter() - t, "status": outcome.status,
                  "checks": {{c["name"]: [c["status"], c["count"]] for c in outcome.checks}},
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run(code: str, folder: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-night-"))
    try:
        if not (folder / "staff.xlsx").exists():
            from addin.services.setup import make_demo
            t = time.perf_counter()
            demo, _ = make_demo(folder, scale=args.scale)
            rows = sum(len(r) for b in demo.rows.values() for r in b.values())
            print(f"demo --scale {args.scale}: {rows:,} rows generated and written in {time.perf_counter() - t:.0f}s")
        sizes = {p.name: p.stat().st_size / 1e6 for p in folder.glob("*.xlsx")}
        print("workbooks (MB): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(sizes.items())))
        read = min((run(READ_ALL, folder) for _ in range(2)), key=lambda r: r["seconds"])
        night = run(NIGHT.format(root=str(ROOT)), folder)
        ratio = night["seconds"] / read["seconds"]
        print(f"calamine read of every workbook: {read['seconds']:.2f}s ({read['cells']:,} cells)")
        print(f"nightly run: {night['seconds']:.2f}s, status {night['status']}")
        print(f"ratio {ratio:.2f}× (target ≤ 2×) → {'OK' if ratio <= 2 else 'MISSED'}; "
              f"peak memory {night['peak_mb']:.0f} MB (target ≤ 2,048) → {'OK' if night['peak_mb'] <= 2048 else 'MISSED'}")
        print("checks: " + ", ".join(f"{k} {v[0]} ({v[1]})" for k, v in night["checks"].items()))
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
