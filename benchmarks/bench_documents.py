"""Documents per second, in one run: reportlab's bare one-page floor beside our invoice, pay-slip and
源泉徴収票 PDFs and the invoice .xlsx (rendered, and written as atomic files flushed to disk as the product
writes them), on 1 process and on every core (the document pool), with the parallel efficiency and the
ratio to the floor; then the demo's 472 invoices written from scratch (PDF + .xlsx, atomic files).

    python benchmarks/bench_documents.py [--docs 400] [--repeat 3] [--workers N]

1-process rates are per CPU second (best of --repeat, so other work on the machine does not count against
them) and per wall second; pooled rates per wall second and per CPU second of all the processes (the
workers' CPU read once they are joined). Parallel efficiency is given both ways: by wall time
(pooled rate ÷ N × the 1-process rate) — the real figure on a quiet machine, and meaningless on a shared
one — and by CPU time (what the pool costs on top of the documents themselves). The cases alternate within
each repeat so a burst of load elsewhere hits them all alike. Prints a Markdown table (README's Speed
section) and the load average, which says whether the wall figures can be trusted.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
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
from addin.outputs.invoice_xlsx import invoice_xlsx, invoice_xlsx_bytes  # noqa: E402
from addin.outputs.payslip import payslip_pdf  # noqa: E402
from addin.outputs.pool import cores, run_jobs  # noqa: E402
from addin.outputs.withholding_slip import slip_pdf  # noqa: E402
from addin.services.invoicing import DocumentJob, write_invoice_document  # noqa: E402
from bench_invoices import RATES, drafts  # noqa: E402

STOCK_GOTHIC = "stock-HeiseiKakuGo-W5"  # reportlab's own UnicodeCIDFont, as shipped
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


def invoice_xlsx_file_job(job) -> int:
    path, content = job
    invoice_xlsx(path, content, rates=RATES)  # at its name once the chunk's files are flushed
    return 1


PAYER = {"name": "株式会社サンプル商事", "address": "東京都千代田区丸の内1-1-1"}
WHERE = {"municipality": "東京都千代田区"}


def withholding_job(job) -> int:
    result, person = job
    return len(slip_pdf(result, person, WHERE, PAYER))


def _withholding_pairs(count: int) -> list[tuple]:
    """The demo's staff with their declarations, adjusted: (Adjustment, EmployeeYear) per 源泉徴収票."""
    from addin.demo.generate import NENCHO_YEAR
    from addin.rulebook import load_rulebook
    from addin.yearend import YearRules, adjust_all
    from bench_nencho import people

    everyone = people(max(1, -(-count // 50)))[:count]
    return list(zip(adjust_all(everyone, YearRules.for_year(load_rulebook(), NENCHO_YEAR)), everyone, strict=True))


def _files_in_a_new_folder(contents: list[dict]) -> list[tuple]:
    folder = Path(tempfile.mkdtemp(prefix="bench-documents-xlsx-"))
    return [(folder / f"{c['invoice_no']}.xlsx", c) for c in contents]


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
    payroll = compute_payroll(
        checked.table("staff", "staff"),
        checked.table("staff", "attendance"),
        checked.table("staff", "allowances"),
        date(2025, 12, 1),
        company.rulebook,
        PayrollSettings.from_settings(company.settings),
    )
    rows = payroll.employees.head(count).to_dict("records")
    shutil.rmtree(root)  # the rows are in memory; the company was only their source
    return [(row, payroll.month, payroll.pay_date) for row in rows]


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the pool's workers, once joined)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(work, make_jobs, workers: int) -> tuple[int, float, float]:
    """(documents, wall seconds, CPU seconds of every process involved) for the batch (its jobs made
    beforehand; a folder they were written to removed afterwards)."""
    jobs = make_jobs()
    wall, cpu = time.perf_counter(), _cpu()
    run_jobs(work, jobs, workers=workers, min_pooled=1)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    if isinstance(jobs[0], tuple) and isinstance(jobs[0][0], Path):
        shutil.rmtree(jobs[0][0].parent)
    return len(jobs), wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=400, help="documents per case and repeat")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=cores())
    args = parser.parse_args()
    n = args.workers
    load_before = os.getloadavg()
    contents = [content_of(d, f"INV-{i:06d}", ISSUER) for i, d in enumerate(drafts(args.docs))]
    slips = _payslip_rows(args.docs)
    withholding = _withholding_pairs(args.docs)
    cases = {
        "reportlab bare page (as shipped)": (floor_stock, lambda: contents),
        "reportlab bare page (fonts formatted once)": (floor_cached, lambda: contents),
        "invoice PDF": (invoice_pdf_job, lambda: contents),
        "pay-slip PDF": (payslip_job, lambda: slips),
        "源泉徴収票 PDF": (withholding_job, lambda: withholding),
        "invoice .xlsx (template parsed once)": (invoice_xlsx_job, lambda: contents),
        "invoice .xlsx written (atomic files, one flush per chunk)": (
            invoice_xlsx_file_job,
            lambda: _files_in_a_new_folder(contents),
        ),
    }
    for work, make_jobs in cases.values():  # warm up: fonts, template, imports
        _timed(work, lambda: make_jobs()[:5], 1)  # noqa: B023 (called at once)
    best = {name: {"cpu": 0.0, "wall": 0.0, "pool": 0.0, "pool_cpu": 0.0} for name in cases}
    for _ in range(args.repeat):
        for name, (work, make_jobs) in cases.items():
            count, wall, cpu = _timed(work, make_jobs, 1)
            _, pooled, pooled_cpu = _timed(work, make_jobs, n)
            best[name]["cpu"] = max(best[name]["cpu"], count / cpu)
            best[name]["wall"] = max(best[name]["wall"], count / wall)
            best[name]["pool"] = max(best[name]["pool"], count / pooled)
            best[name]["pool_cpu"] = max(best[name]["pool_cpu"], count / pooled_cpu)
    floor = best["reportlab bare page (as shipped)"]["cpu"]
    print(
        f"documents/s, best of {args.repeat} × {args.docs}; {n} processes on {cores()} cores; "
        f"1 process per CPU second and per wall second; load average before "
        f"{' '.join(f'{x:.2f}' for x in load_before)}, after the table "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
    )
    print(
        f"| document | 1 process, per CPU s | 1 process, per wall s | {n} processes, per wall s | "
        f"{n} processes, per CPU s (all processes) | parallel efficiency: wall | CPU | floor ÷ this (CPU) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rate in best.items():
        wall_efficiency = rate["pool"] / (n * rate["wall"])
        cpu_efficiency = rate["pool_cpu"] / rate["cpu"]  # 1 − the pool's own overhead (start-up, pickling)
        print(
            f"| {name} | {rate['cpu']:,.0f} | {rate['wall']:,.0f} | {rate['pool']:,.0f} | {rate['pool_cpu']:,.0f} "
            f"| {wall_efficiency:.0%} | {cpu_efficiency:.0%} | {floor / rate['cpu']:.2f} |"
        )
    demo = [content_of(d, f"INV-{i:06d}", ISSUER) for i, d in enumerate(drafts(472))]
    print()
    for workers in (1, n):
        seconds = []
        for _ in range(args.repeat):
            folder = Path(tempfile.mkdtemp(prefix="bench-documents-demo-"))
            jobs = [
                DocumentJob(folder / f"{c['invoice_no']}{suffix}", c, BANK, "floor", "※", RATES)
                for c in demo
                for suffix in (".pdf", ".xlsx")
            ]
            t = time.perf_counter()
            run_jobs(write_invoice_document, jobs, workers=workers)
            seconds.append(time.perf_counter() - t)
            shutil.rmtree(folder)
        print(
            f"472 invoices from scratch (PDF + .xlsx, atomic files flushed to disk), {workers} process(es): "
            f"{min(seconds):.2f}s wall (best of {args.repeat})  target ≤ 3 s on two cores"
        )
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
