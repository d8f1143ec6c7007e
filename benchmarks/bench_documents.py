"""Documents per second, in one run: reportlab's bare one-page floor beside our invoice and pay-slip PDFs
and the invoice .xlsx, on 1 process and on every core (the document pool), with the parallel efficiency
and the ratio to the floor; then the demo's 472 invoices written from scratch (PDF + .xlsx, atomic files).

    python benchmarks/bench_documents.py [--docs 400] [--repeat 3] [--workers N]

1-process rates are per CPU second (best of --repeat, so other work on the machine does not count against
them) and per wall second; pooled rates per wall second and per CPU second of all the processes (the
workers' CPU read once they are joined). Parallel efficiency is given both ways: by wall time
(pooled rate ÷ N × the 1-process rate) — the real figure on a quiet machine, and meaningless on a shared
one — and by CPU time (what the pool costs on top of the documents themselves). The cases alternate within each repeat so a
burst of load elsewhere hits them all alike. Prints a Markdown table (README's Speed section).
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from addin.invoicing.document import content_of  # noqa: E402
from addin.invoicing.settings import Issuer  # noqa: E402
from addin.outputs.fonts import GOTHIC  # noqa: E402
from addin.outputs.invoice_pdf import invoice_pdf  # noqa: E402
from addin.outputs.invoice_xlsx import invoice_xlsx_bytes  # noqa: E402
from addin.outputs.payslip import payslip_pdf  # noqa: E402
from addin.outputs.pool import cores, run_jobs  # noqa: E402
from addin.services.invoicing import DocumentJob, write_invoice_document  # noqa: E402
from bench_invoices import RATES, drafts  # noqa: E402

STOCK_GOTHIC = "stock-HeiseiKakuGo-W5"       # reportlab's own UnicodeCIDFont, as shipped
_stock = UnicodeCIDFont("HeiseiKakuGo-W5")
_stock.fontName = _stock.name = STOCK_GOTHIC
pdfmetrics.registerFont(_stock)
BANK = "ﾐﾂｲｽﾐﾄﾓ ﾎﾝﾃﾝ 普通 1234567"
ISSUER = Issuer(name="株式会社サンプル商事", registration_number="T7000012050002", address="東京都千代田区丸の内1-1-1")


def bare_page(font: str) -> bytes:
    """The floor: one A4 page, one Japanese font, one line of text."""
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setFont(font, 12)
    pdf.drawString(50, 800, "請求書 株式会社サンプル商事 御中 ¥123,456")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def floor_stock(_job) -> int:
    return len(bare_page(STOCK_GOTHIC))


def floor_cached(_job) -> int:
    return len(bare_page(GOTHIC))


def invoice_pdf_job(content) -> int:
    return len(invoice_pdf(content, BANK, rates=RATES))


def invoice_xlsx_job(content) -> int:
    return len(invoice_xlsx_bytes(content, rates=RATES))


def payslip_job(job) -> int:
    row, month, paid_on = job
    return len(payslip_pdf(row, "株式会社サンプル商事", month, paid_on))


def _payslip_rows(count: int) -> list[tuple]:
    from addin.demo import generate
    from addin.payroll.run import compute_payroll
    from addin.payroll.settings import PayrollSettings
    from addin.services.company import load_company
    from addin.services.setup import _grades, init_company
    from addin.services.validation import validate_company
    from addin.outputs.master_books import write_book
    root = Path(tempfile.mkdtemp(prefix="bench-documents-staff-"))
    init_company(root)
    company = load_company(root)
    demo = generate(scale=max(1, count // 50), grades=_grades(company), staff_only=True)
    write_book(company.book_path("staff"), company.books["staff"], demo.rows["staff"])
    checked = validate_company(company, only={"staff"})
    payroll = compute_payroll(checked.table("staff", "staff"), checked.table("staff", "attendance"),
                              checked.table("staff", "allowances"), date(2025, 12, 1), company.rulebook,
                              PayrollSettings.from_settings(company.settings))
    rows = payroll.employees.head(count).to_dict("records")
    return [(row, payroll.month, payroll.pay_date) for row in rows]


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the pool's workers, once joined)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(work, jobs, workers: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of every process involved) for the batch."""
    wall, cpu = time.perf_counter(), _cpu()
    run_jobs(work, jobs, workers=workers, min_pooled=1)
    return time.perf_counter() - wall, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=400, help="documents per case and repeat")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=cores())
    args = parser.parse_args()
    n = args.workers
    contents = [content_of(d, f"INV-{i:06d}", ISSUER) for i, d in enumerate(drafts(args.docs))]
    slips = _payslip_rows(args.docs)
    cases = {"reportlab bare page (as shipped)": (floor_stock, contents),
             "reportlab bare page (fonts formatted once)": (floor_cached, contents),
             "invoice PDF": (invoice_pdf_job, contents),
             "pay-slip PDF": (payslip_job, slips),
             "invoice .xlsx (template parsed once)": (invoice_xlsx_job, contents)}
    for work, jobs in cases.values():           # warm up: fonts, template, imports
        run_jobs(work, jobs[:5], workers=1)
    best = {name: {"cpu": 0.0, "wall": 0.0, "pool": 0.0, "pool_cpu": 0.0} for name in cases}
    for _ in range(args.repeat):
        for name, (work, jobs) in cases.items():
            wall, cpu = _timed(work, jobs, 1)
            pooled, pooled_cpu = _timed(work, jobs, n)
            best[name]["cpu"] = max(best[name]["cpu"], len(jobs) / cpu)
            best[name]["wall"] = max(best[name]["wall"], len(jobs) / wall)
            best[name]["pool"] = max(best[name]["pool"], len(jobs) / pooled)
            best[name]["pool_cpu"] = max(best[name]["pool_cpu"], len(jobs) / pooled_cpu)
    floor = best["reportlab bare page (as shipped)"]["cpu"]
    print(f"documents/s, best of {args.repeat} × {args.docs}; {n} processes on {cores()} cores; "
          f"1 process per CPU second and per wall second\n")
    print(f"| document | 1 process, per CPU s | 1 process, per wall s | {n} processes, per wall s | "
          f"{n} processes, per CPU s (all processes) | parallel efficiency: wall | CPU | floor ÷ this (CPU) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rate in best.items():
        wall_efficiency = rate["pool"] / (n * rate["wall"])
        cpu_efficiency = rate["pool_cpu"] / rate["cpu"]      # 1 − the pool's own overhead (start-up, pickling)
        print(f"| {name} | {rate['cpu']:,.0f} | {rate['wall']:,.0f} | {rate['pool']:,.0f} | {rate['pool_cpu']:,.0f} "
              f"| {wall_efficiency:.0%} | {cpu_efficiency:.0%} | {floor / rate['cpu']:.2f} |")
    demo = [content_of(d, f"INV-{i:06d}", ISSUER) for i, d in enumerate(drafts(472))]
    print()
    for workers in (1, n):
        seconds = []
        for _ in range(args.repeat):
            folder = Path(tempfile.mkdtemp(prefix="bench-documents-demo-"))
            jobs = [DocumentJob(folder / f"{c['invoice_no']}{suffix}", c, BANK, "floor", "※", RATES)
                    for c in demo for suffix in (".pdf", ".xlsx")]
            t = time.perf_counter()
            run_jobs(write_invoice_document, jobs, workers=workers)
            seconds.append(time.perf_counter() - t)
        print(f"472 invoices from scratch (PDF + .xlsx, atomic fsynced files), {workers} process(es): "
              f"{min(seconds):.2f}s wall (best of {args.repeat})  target ≤ 3 s on two cores")


if __name__ == "__main__":
    main()
