"""What a stray far cell costs (issue #11 item 10, #12 item 9).

The demo company ×20 (about 12,000 attendance rows); a copy of its staff book gets one value in column
XFD of Attendance and a styled row 1,048,576 holding a space on Staff and Attendance. Each stage
reads every sheet payroll uses (our adapter + located tables) in its own process, so peak memory
is that stage's alone.

    python benchmarks/bench_reader_stray.py [--scale 20] [--repeat 3]

Target: the damaged book reads in ≤ 1.2× the time of the plain one (before: 70 s and 7.8 GB).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STAGE = """
from addin.services.company import load_company
from addin.validate import Reporter
from addin.validate.headers import locate
from addin.workbook import open_book
company = load_company(FOLDER)
spec = company.books["staff"]
book = open_book(PATH)
rows = 0
for key, name in (("staff", "Staff 従業員"), ("allowances", "Allowances 手当"), ("attendance", "Attendance 勤怠")):
    table = locate(book.read_sheet(name), spec.sheets[key], Reporter())
    rows += len(table)
"""

STYLED_LAST_ROW = b'<row r="1048576" s="1" customFormat="1"><c r="A1048576" s="1" t="inlineStr"><is><t> </t></is></c></row>'


def damage(source: Path, target: Path) -> None:
    """Write the stray cells straight into the sheet XML (what any tool saving such a book writes)."""
    with zipfile.ZipFile(source) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
        from addin.workbook.scan import read_layout
        layout = read_layout(zf)
    staff, attendance = layout.sheets["Staff 従業員"], layout.sheets["Attendance 勤怠"]
    parts[attendance] = re.sub(rb'(<row r="5"[^>]*>.*?)</row>',
                               lambda m: m[1] + b'<c r="XFD5" t="inlineStr"><is><t>memo</t></is></c></row>',
                               parts[attendance], count=1, flags=re.S)
    for part in (staff, attendance):
        parts[part] = parts[part].replace(b"</sheetData>", STYLED_LAST_ROW + b"</sheetData>", 1)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def run_stage(folder: Path, path: Path, repeat: int) -> dict:
    program = f"""
import json, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
PATH, FOLDER = {str(path)!r}, {str(folder)!r}
import addin.services.validation, python_calamine, pandas  # imports are not what we time
times = []
for _ in range({repeat}):
    t = time.perf_counter()
{chr(10).join('    ' + line for line in STAGE.strip().splitlines())}
    times.append(time.perf_counter() - t)
print(json.dumps({{"best": min(times), "rows": rows,
                   "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from addin.services.setup import make_demo

    folder = Path(tempfile.mkdtemp(prefix="bench-stray-"))
    try:
        t = time.perf_counter()
        make_demo(folder, args.scale)
        plain = folder / "staff.xlsx"
        damaged = folder / "damaged" / "staff.xlsx"
        damaged.parent.mkdir()
        shutil.copyfile(folder / "backoffice.toml", damaged.parent / "backoffice.toml")
        damage(plain, damaged)
        print(f"demo ×{args.scale} built in {time.perf_counter() - t:.1f}s; staff.xlsx {plain.stat().st_size / 1e6:.1f} MB")
        results = {"plain staff book": run_stage(folder, plain, args.repeat),
                   "XFD5 + styled row 1,048,576": run_stage(damaged.parent, damaged, args.repeat)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    base = results["plain staff book"]["best"]
    print(f"{'book':32} {'rows':>7} {'best s':>8} {'× plain':>8} {'peak MB':>8}")
    for name, r in results.items():
        print(f"{name:32} {r['rows']:7,} {r['best']:8.3f} {r['best'] / base:8.2f} {r['peak_mb']:8.0f}")
    ratio = results["XFD5 + styled row 1,048,576"]["best"] / base
    print(f"target: damaged ≤ 1.20× plain → {ratio:.2f}× {'OK' if ratio <= 1.2 else 'MISSED'}")


if __name__ == "__main__":
    main()
