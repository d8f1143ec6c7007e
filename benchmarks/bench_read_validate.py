"""Read and validation speed on a generated 200,000-row Movements sheet.

Prints: python-calamine's raw read (the floor), openpyxl read-only iteration, our read (adapter +
header location into a located table), our full validation of the company, ratios to the floor,
and each stage's peak memory (each stage runs in its own process so peaks do not mix). Each stage's
best wall time and, beside it, its best CPU time (all threads of the process): on a shared machine the
CPU ratio is the steadier one.

    python benchmarks/bench_read_validate.py [--rows 200000] [--repeat 3] [--shared-strings]

The sheet's text is written inline by default (xlsxwriter's constant-memory mode); `--shared-strings`
writes it to the shared-strings table, as Excel itself saves a book.

Targets: our read ≤ 1.3× the floor (issue #2); read + validation ≤ 1.3× the floor (issue #18).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHEET = "Movements 入出庫"


def build(folder: Path, rows: int, shared_strings: bool = False) -> Path:
    from addin.services.setup import make_demo

    demo, _ = make_demo(folder)
    skus = [item["sku"] for item in demo.rows["stock"]["items"]]
    items = demo.rows["stock"]["items"]
    rng = random.Random(7)
    path = folder / "stock.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": not shared_strings})
    date_fmt = wb.add_format({"num_format": "yyyy/mm/dd"})
    items_ws = wb.add_worksheet("Items 商品")
    header = ["商品コード", "商品名", "単位", "販売単価", "仕入単価", "税率", "仕入先コード", "発注点", "発注数量"]
    items_ws.write_row(0, 0, header)
    for r, item in enumerate(items, start=1):
        items_ws.write_row(r, 0, [item["sku"], item["name"], item["unit"], item["unit_price"], item["unit_cost"],
                                  item["tax_rate"], item["vendor_id"], item["reorder_point"], item["reorder_qty"]])
    ws = wb.add_worksheet(SHEET)
    ws.write_row(0, 0, ["日付", "商品コード", "区分", "数量", "単価", "参照"])
    start = dt.datetime(2025, 4, 1)
    for r in range(1, rows + 1):
        receipt = rng.random() < 0.3
        ws.write_datetime(r, 0, start + dt.timedelta(days=rng.randrange(365)), date_fmt)
        ws.write_string(r, 1, skus[rng.randrange(len(skus))])
        ws.write_string(r, 2, "入庫" if receipt else "出庫")
        ws.write_number(r, 3, rng.randrange(1, 200))
        if receipt:
            ws.write_number(r, 4, round(rng.uniform(50, 5000), 2))
        ws.write_string(r, 5, f"SO{r // 3:06d}")
    wb.add_worksheet("Counts 棚卸").write_row(0, 0, ["棚卸日", "商品コード", "実棚数"])
    wb.close()
    return path


STAGES = {
    "calamine raw read (floor)": """
import python_calamine as c
wb = c.CalamineWorkbook.from_path(PATH)
rows = wb.get_sheet_by_name(SHEET).to_python()
""",
    "openpyxl read-only iteration": """
import openpyxl
wb = openpyxl.load_workbook(PATH, read_only=True, data_only=True)
rows = [r for r in wb[SHEET].iter_rows(values_only=True)]
""",
    "our read (adapter + located table)": """
from addin.services.company import load_company
from addin.validate import Reporter
from addin.validate.headers import locate
from addin.workbook import open_book
spec = load_company(FOLDER).books["stock"].sheets["movements"]
table = locate(open_book(PATH).read_sheet(SHEET), spec, Reporter())
assert len(table) == ROWS
""",
    "our read + full validation": """
from addin.services.company import load_company
from addin.services.validation import validate_company
result = validate_company(load_company(FOLDER))
assert len(result.tables[("stock", "movements")]) == ROWS, result.issues.items[:3]
assert not len(result.issues), [i.message_en for i in result.issues][:5]
""",
}


def run_stage(code: str, folder: Path, rows: int, repeat: int) -> dict:
    program = f"""
import json, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
PATH, FOLDER, SHEET, ROWS = {str(folder / 'stock.xlsx')!r}, {str(folder)!r}, {SHEET!r}, {rows}
import addin.services.validation, python_calamine, openpyxl, pandas  # imports are not what we time
times, cpu = [], []
for _ in range({repeat}):
    t0, c0 = time.perf_counter(), time.process_time()
{chr(10).join('    ' + line for line in code.strip().splitlines())}
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
print(json.dumps({{"best": min(times), "cpu": min(cpu), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shared-strings", action="store_true", help="text in the shared-strings table, as Excel")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-read-"))
    try:
        t = time.perf_counter()
        path = build(folder, args.rows, args.shared_strings)
        text = "shared strings" if args.shared_strings else "inline strings"
        size, took = path.stat().st_size / 1e6, time.perf_counter() - t
        print(f"generated {args.rows:,} movements, {text} ({size:.1f} MB) in {took:.1f}s")
        results = {name: run_stage(code, folder, args.rows, args.repeat) for name, code in STAGES.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    floor = results["calamine raw read (floor)"]
    print(f"{'stage':40} {'wall s':>8} {'× floor':>8} {'CPU s':>8} {'× floor':>8} {'peak MB':>8}")
    for name, r in results.items():
        print(f"{name:40} {r['best']:8.3f} {r['best'] / floor['best']:8.2f} {r['cpu']:8.3f} "
              f"{r['cpu'] / floor['cpu']:8.2f} {r['peak_mb']:8.0f}")
    for clock, key in (("wall", "best"), ("CPU", "cpu")):
        read = results["our read (adapter + located table)"][key] / floor[key]
        full = results["our read + full validation"][key] / floor[key]
        print(f"targets ({clock}): read ≤ 1.30× floor → {read:.2f}× {'OK' if read <= 1.3 else 'MISSED'}; "
              f"read + validation ≤ 1.30× floor → {full:.2f}× {'OK' if full <= 1.3 else 'MISSED'}")


if __name__ == "__main__":
    main()
