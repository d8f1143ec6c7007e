"""年末調整 for 10,000 generated employees: the computation (target ≤ 1 s), then 源泉徴収票 PDF
throughput (target ≥ 300/s), measured separately.

    python benchmarks/bench_nencho.py [--employees 10000] [--slips 500]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin.demo import generate  # noqa: E402
from addin.demo.generate import NENCHO_YEAR  # noqa: E402
from addin.outputs.withholding_slip import slip_pdf  # noqa: E402
from addin.rulebook import load_rulebook  # noqa: E402
from addin.yearend import Payment, YearRules, adjust_all  # noqa: E402
from addin.yearend.declarations import employee_year  # noqa: E402

CANONICAL = {"長女": "child", "長男": "child", "次男": "child", "次女": "child", "父": "parent", "母": "parent",
             "孫": "grandchild", "配偶者": "spouse"}
KINDS = {"一般生命保険料(新)": "life_general_new", "一般生命保険料(旧)": "life_general_old", "介護医療保険料": "life_medical",
         "個人年金保険料(旧)": "life_pension_old", "地震保険料": "earthquake", "旧長期損害保険料": "old_long_term",
         "国民年金保険料": "social_insurance", "小規模企業共済等掛金": "small_business"}


def people(scale: int):
    """The demo's staff and declarations as the engine's input: twelve months of pay each."""
    rows = generate(scale=scale, staff_only=True).rows["staff"]
    by = defaultdict(lambda: defaultdict(list))
    for sheet in ("nencho_dependents", "nencho_insurance"):
        for r in rows[sheet]:
            r = dict(r)
            if "relationship" in r:
                r.update(relationship=CANONICAL[r["relationship"]], living_together=r["living_together"] == "〇",
                         disability={"特別障害者": "special"}.get(r["disability"], "none"))
            else:
                r["kind"] = KINDS[r["kind"]]
            by[sheet][r["employee_id"]].append(r)
    out = []
    for s in rows["staff"]:
        monthly = s["base_salary"] or s["hourly_rate"] * 80
        pays = [Payment(date(NENCHO_YEAR, m, 25), monthly, monthly * 149 // 1000, monthly // 40) for m in range(1, 13)]
        staff = {**s, "tax_column": s["tax_column"], "employment_type": "regular"}
        out.append(employee_year(NENCHO_YEAR, staff, pays, by["nencho_dependents"][s["employee_id"]], None,
                                 by["nencho_insurance"][s["employee_id"]]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--slips", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t = time.perf_counter()
    everyone = people(max(1, args.employees // 50))
    print(f"{len(everyone):,} employees with their declarations (generated in {time.perf_counter() - t:.1f}s)")
    rules = YearRules.for_year(load_rulebook(), NENCHO_YEAR)
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        results = adjust_all(everyone, rules)
        times.append(time.perf_counter() - t)
    best = min(times)
    print(f"year-end adjustment: best {best:.3f}s of {args.repeat} ({len(results) / best:,.0f} employees/s) "
          f"target ≤ 1 s → {'OK' if best <= 1 else 'MISSED'}")
    company = {"name": "株式会社サンプル商事", "address": "東京都千代田区丸の内1-1-1"}
    t = time.perf_counter()
    for result, person in list(zip(results, everyone))[: args.slips]:
        slip_pdf(result, person, {"municipality": "東京都千代田区"}, company)
    rate = args.slips / (time.perf_counter() - t)
    print(f"源泉徴収票 PDFs: {rate:,.0f}/s target ≥ 300/s → {'OK' if rate >= 300 else 'MISSED'}")


if __name__ == "__main__":
    main()
