"""Views for people of what the register holds: invoices.xlsx and the monthly tax summary sheet."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from addin.outputs.xlsx import new_workbook

from addin.outputs.atomic import atomic_path
from addin.tax import TaxRate

#: the register's columns before and after the two per rate (対象, 消費税) of every declared rate
REGISTER_LEADING = ["請求書番号", "種別", "発行日", "得意先コード", "得意先名"]
REGISTER_TRAILING = ["合計", "状態", "関連", "内容ハッシュ"]
KINDS = {"invoice": "請求書", "credit_note": "返還請求書"}
STATUS = {"issued": "発行済", "corrected": "訂正済"}


def register_header(rates: Sequence[TaxRate]) -> list[str]:
    per_rate = [title for r in rates for title in (f"{r.shown}%対象", f"{r.shown}%消費税")]
    return REGISTER_LEADING + per_rate + REGISTER_TRAILING


def write_register_view(path: Path, register: list[dict], hashes: dict[str, str], rates: Sequence[TaxRate]) -> Path:
    """invoices.xlsx; `rates` are every rate declared (every_tax_rate), highest first: a column pair each."""
    header = register_header(rates)
    total = len(REGISTER_LEADING) + 2 * len(rates)  # the 合計 column
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, comments="system-owned: written by backoffice")
        ws = wb.add_worksheet("Invoices 請求書台帳")
        head = wb.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1})
        money = wb.add_format({"num_format": "#,##0"})
        for c, title in enumerate(header):
            ws.write_string(0, c, title, head)
        for r, doc in enumerate(register, start=1):
            by_rate = doc["by_rate"]
            values = [
                doc["invoice_no"],
                KINDS[doc["kind"]],
                doc["issue_date"],
                doc["customer"]["customer_id"],
                doc["customer"]["name"],
            ]
            for c, value in enumerate(values):
                ws.write_string(r, c, value)
            cells = [(rate.key, part) for rate in rates for part in ("subtotal", "tax")]
            for c, (key, part) in enumerate(cells, start=len(REGISTER_LEADING)):
                ws.write_number(r, c, by_rate.get(key, {}).get(part, 0), money)
            ws.write_number(r, total, doc["total"], money)
            ws.write_string(r, total + 1, STATUS.get(doc["status"], doc["status"]))
            links = ", ".join(f"{link['relation']} {link['invoice_no']}" for link in doc["links"])
            ws.write_string(r, total + 2, links)
            ws.write_string(r, total + 3, hashes.get(doc["invoice_no"], ""))
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(len(register), 1), len(header) - 1)
        ws.set_column(0, 0, 14)
        ws.set_column(4, 4, 26)
        ws.set_column(len(REGISTER_LEADING), total, 12)
        ws.set_column(total + 2, total + 3, 30)
        ws.protect()  # a view: edits belong in the register, through backoffice
        wb.close()
    return path


def tax_summary_header(rates: Sequence[TaxRate]) -> list[str]:
    sales = [title for r in rates for title in (f"売上{r.shown}%対象", f"売上{r.shown}%税")]
    purchases = [f"仕入{r.shown}%税" for r in rates]
    return ["月", *sales, "売上税額計", *purchases, "控除対象仕入税額", "差引税額", "報酬源泉徴収"]


def write_tax_summary(path: Path, months: list[dict], rates: Sequence[TaxRate]) -> Path:
    """The monthly consumption-tax sheet; a pair of sales columns and a purchase column per declared rate."""
    header = tax_summary_header(rates)
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp)
        ws = wb.add_worksheet("消費税")
        head = wb.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1})
        money = wb.add_format({"num_format": "#,##0"})
        for c, title in enumerate(header):
            ws.write_string(0, c, title, head)
        for r, m in enumerate(months, start=1):
            out, inp = m["output_tax_by_rate"], m["input_tax_by_rate"]
            ws.write_string(r, 0, m["month"])
            values = [
                *(out.get(r.key, {}).get(part, 0) for r in rates for part in ("subtotal", "tax")),
                m["output_tax"],
                *(inp.get(r.key, {}).get("tax", 0) for r in rates),
                m["input_tax_creditable"],
                m["net_tax"],
                m["fee_withholding"],
            ]
            for c, value in enumerate(values, start=1):
                ws.write_number(r, c, value, money)
        ws.set_column(0, 0, 9)
        ws.set_column(1, len(header), 13)
        ws.freeze_panes(1, 1)
        wb.close()
    return path
