"""Views for people of what the register holds: invoices.xlsx and the monthly tax summary sheet."""

from __future__ import annotations

from pathlib import Path

from addin.outputs.xlsx import new_workbook

from addin.outputs.atomic import atomic_path

REGISTER_HEADER = [
    "請求書番号",
    "種別",
    "発行日",
    "得意先コード",
    "得意先名",
    "10%対象",
    "10%消費税",
    "8%対象",
    "8%消費税",
    "合計",
    "状態",
    "関連",
    "内容ハッシュ",
]
KINDS = {"invoice": "請求書", "credit_note": "返還請求書"}
STATUS = {"issued": "発行済", "corrected": "訂正済"}


def write_register_view(path: Path, register: list[dict], hashes: dict[str, str]) -> Path:
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, comments="system-owned: written by backoffice")
        ws = wb.add_worksheet("Invoices 請求書台帳")
        head = wb.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1})
        money = wb.add_format({"num_format": "#,##0"})
        for c, title in enumerate(REGISTER_HEADER):
            ws.write_string(0, c, title, head)
        for r, doc in enumerate(register, start=1):
            rates = doc["by_rate"]
            values = [
                doc["invoice_no"],
                KINDS[doc["kind"]],
                doc["issue_date"],
                doc["customer"]["customer_id"],
                doc["customer"]["name"],
            ]
            for c, value in enumerate(values):
                ws.write_string(r, c, value)
            for c, (key, part) in enumerate(
                [("10", "subtotal"), ("10", "tax"), ("8", "subtotal"), ("8", "tax")], start=5
            ):
                ws.write_number(r, c, rates.get(key, {}).get(part, 0), money)
            ws.write_number(r, 9, doc["total"], money)
            ws.write_string(r, 10, STATUS.get(doc["status"], doc["status"]))
            ws.write_string(r, 11, ", ".join(f"{link['relation']} {link['invoice_no']}" for link in doc["links"]))
            ws.write_string(r, 12, hashes.get(doc["invoice_no"], ""))
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(len(register), 1), len(REGISTER_HEADER) - 1)
        ws.set_column(0, 0, 14)
        ws.set_column(4, 4, 26)
        ws.set_column(5, 9, 12)
        ws.set_column(11, 12, 30)
        ws.protect()  # a view: edits belong in the register, through backoffice
        wb.close()
    return path


def write_tax_summary(path: Path, months: list[dict]) -> Path:
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp)
        ws = wb.add_worksheet("消費税")
        head = wb.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1})
        money = wb.add_format({"num_format": "#,##0"})
        header = [
            "月",
            "売上10%対象",
            "売上10%税",
            "売上8%対象",
            "売上8%税",
            "売上税額計",
            "仕入10%税",
            "仕入8%税",
            "控除対象仕入税額",
            "差引税額",
            "報酬源泉徴収",
        ]
        for c, title in enumerate(header):
            ws.write_string(0, c, title, head)
        for r, m in enumerate(months, start=1):
            out, inp = m["output_tax_by_rate"], m["input_tax_by_rate"]
            ws.write_string(r, 0, m["month"])
            values = [
                out.get("10", {}).get("subtotal", 0),
                out.get("10", {}).get("tax", 0),
                out.get("8", {}).get("subtotal", 0),
                out.get("8", {}).get("tax", 0),
                m["output_tax"],
                inp.get("10", {}).get("tax", 0),
                inp.get("8", {}).get("tax", 0),
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
