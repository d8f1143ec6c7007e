"""Payroll for 10,000 generated employees: the computation (target < 1 s), then PDF pay-slip
throughput, measured separately.

    python benchmarks/bench_payroll.py [--employees 10000] [--slips 500]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin.demo import generate  # noqa: E402
from addin.outputs.payslip import payslip_pdf  # noqa: E402
from addin.payroll.run import compute_payroll  # noqa: E402
from addin.payroll.settings import PayrollSettings  # noqa: E402
from addin.services.company import load_company  # noqa: E402
from addin.services.setup import _grades, init_company  # noqa: E402
from addin.services.validation import validate_company  # noqa: E402
from addin.outputs.master_books import write_book  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--slips", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-payroll-"))
    init_company(root)
    company = load_company(root)
    scale = max(1, args.employees // 50)
    t = time.perf_counter()
    demo = generate(scale=scale, grades=_grades(company), staff_only=True)
    write_book(company.book_path("staff"), company.books["staff"], demo.rows["staff"])
    checked = validate_company(company, only={"staff"})
    assert not len(checked.issues)
    staff = checked.table("staff", "staff")
    print(f"{len(staff):,} employees, {len(checked.table('staff', 'attendance')):,} attendance rows "
          f"(generated, written and validated in {time.perf_counter() - t:.1f}s)")
    settings = PayrollSettings.from_settings(company.settings)
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        payroll = compute_payroll(staff, checked.table("staff", "attendance"), checked.table("staff", "allowances"),
                                  date(2025, 12, 1), company.rulebook, settings)
        times.append(time.perf_counter() - t)
    best = min(times)
    print(f"payroll computation: best {best:.3f}s of {args.repeat} ({len(payroll.employees) / best:,.0f} employees/s) "
          f"target < 1 s → {'OK' if best < 1 else 'MISSED'}")
    rows = payroll.employees.head(args.slips).to_dict("records")
    t = time.perf_counter()
    for row in rows:
        payslip_pdf(row, "株式会社サンプル商事", payroll.month, payroll.pay_date)
    elapsed = time.perf_counter() - t
    print(f"PDF pay slips: {len(rows)} in {elapsed:.2f}s = {len(rows) / elapsed:,.0f} slips/s "
          f"(10,000 slips ≈ {10_000 / (len(rows) / elapsed):.0f}s)")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
