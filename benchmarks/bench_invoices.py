"""1,000 invoices: issuing (register + numbering), PDF rendering and .xlsx writing rates.

    python benchmarks/bench_invoices.py [--invoices 1000]

Target (issue #4): at least 200 PDF invoices per second.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from addin.invoicing.build import Draft, Line, totals_by_rate  # noqa: E402
from addin.invoicing.document import content_of  # noqa: E402
from addin.invoicing.settings import InvoiceSettings, Issuer  # noqa: E402
from addin.outputs.invoice_pdf import invoice_pdf  # noqa: E402
from addin.outputs.invoice_xlsx import invoice_xlsx  # noqa: E402
from addin.rulebook import load_rulebook  # noqa: E402
from addin.state import InvoiceRegister  # noqa: E402
from addin.tax import tax_rates  # noqa: E402

RATES = tax_rates(load_rulebook(), date(2025, 4, 30))


def drafts(count: int) -> list[Draft]:
    rng = random.Random(1)
    rates = RATES
    settings = InvoiceSettings()
    out = []
    for i in range(count):
        lines = []
        for j in range(rng.randint(2, 8)):
            rate = rng.choice(list(rates))
            qty, price = rng.randint(1, 30), rng.randrange(100, 20000, 10)
            lines.append(Line(f"S{i}|{j}", f"S{i}", date(2025, 4, 1) + timedelta(days=j), f"SKU{j}", f"商品 {j}",
                              qty, price, qty * price, rate, rates[rate].reduced, j + 2))
        out.append(Draft(f"C{i:05d}", f"株式会社得意先{i}", "御中", "100-0001", "東京都千代田区千代田1-1",
                         date(2025, 4, 30), date(2025, 4, 1), date(2025, 4, 30), date(2025, 5, 30), "exclusive",
                         lines, totals_by_rate(lines, rates, settings)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--xlsx", type=int, default=200, help="how many .xlsx to time (slower)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-invoices-"))
    issuer = Issuer(name="株式会社サンプル商事", registration_number="T7000012050002", address="東京都千代田区丸の内1-1-1")
    work = drafts(args.invoices)
    register = InvoiceRegister(folder / "state.db")
    t = time.perf_counter()
    contents = [register.issue(lambda n, d=d: content_of(d, n, issuer), "INV-", 6, [line.key for line in d.lines])
                for d in work]
    issue_time = time.perf_counter() - t
    print(f"issued {len(contents):,} invoices in the register: {len(contents) / issue_time:,.0f}/s "
          f"(one transaction each, fsync on commit)")
    t = time.perf_counter()
    for content in contents:
        invoice_pdf(content, "ﾐﾂｲｽﾐﾄﾓ ﾎﾝﾃﾝ 普通 1234567", rates=RATES)
    pdf_rate = len(contents) / (time.perf_counter() - t)
    print(f"PDF: {pdf_rate:,.0f} invoices/s  target ≥ 200/s → {'OK' if pdf_rate >= 200 else 'MISSED'}")
    t = time.perf_counter()
    for content in contents[: args.xlsx]:
        invoice_xlsx(folder / f"{content['invoice_no']}.xlsx", content, rates=RATES)
    print(f"xlsx (openpyxl, from the template): {args.xlsx / (time.perf_counter() - t):,.0f} invoices/s")
    assert register.verify() == []


if __name__ == "__main__":
    main()
