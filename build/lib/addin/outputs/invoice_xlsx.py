"""A qualified invoice as .xlsx, filled into the template of workbooks/templates/: line amounts,
per-rate subtotals, taxes and the total are formulas that any spreadsheet recalculates to the same
figures as the register (one rounding per rate, the company's rounding as ROUNDDOWN/ROUND/ROUNDUP)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.styles import Border, Font, Side

from addin.outputs.atomic import atomic_path
from addin.outputs.invoice_pdf import TITLES
from addin.workbook.templates import INVOICE_CELLS, INVOICE_TEMPLATE

EXCEL_ROUNDING = {"floor": "ROUNDDOWN", "half_up": "ROUND", "ceil": "ROUNDUP"}


def _put(cell, text: str) -> None:
    """User text never becomes a formula: it is stored as a string even when it starts with = + - @."""
    cell.value = text
    cell.data_type = "s"
    if text[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True


def invoice_xlsx(path: Path, content: dict, rounding: str = "floor", template: Path = INVOICE_TEMPLATE,
                 mark: str = "※") -> Path:
    wb = openpyxl.load_workbook(template)
    ws = wb.active
    cells = INVOICE_CELLS
    customer, issuer = content["customer"], content["issuer"]
    ws[cells["title"]] = TITLES[content["kind"]]
    _put(ws[cells["customer_address"]], f"〒{customer['postal_code']} {customer['address']}".strip())
    _put(ws[cells["customer_name"]], f"{customer['name']} {customer['honorific']}")
    ws[cells["invoice_no"]] = f"番号 {content['invoice_no']}"
    ws[cells["issue_date"]] = date.fromisoformat(content["issue_date"])
    ws[cells["issue_date"]].number_format = "yyyy/mm/dd"
    _put(ws[cells["issuer_name"]], issuer["name"])
    ws[cells["registration_number"]] = f"登録番号 {issuer['registration_number']}"
    _put(ws[cells["issuer_address"]], issuer.get("address", ""))
    ws[cells["period"]] = f"対象期間 {content['period'][0]} 〜 {content['period'][1]}"
    if content["kind"] == "credit_note":
        ws[cells["due_date"]] = f"返還等の対象 {content['corrects']}（{content.get('original_issue_date', '')} 発行）"
    else:
        ws[cells["due_date"]] = f"お支払期限 {content['due_date']}"
    first = cells["first_line_row"]
    thin = Side(style="thin", color="BBBBBB")
    for i, line in enumerate(content["lines"]):
        r = first + i
        ws.cell(r, 1, date.fromisoformat(line["date"])).number_format = "mm/dd"
        _put(ws.cell(r, 2), line["description"])
        ws.cell(r, 3, float(line["qty"]) if "." in line["qty"] else int(line["qty"]))
        ws.cell(r, 4, line["unit_price"]).number_format = "#,##0"
        ws.cell(r, 5, f"=ROUNDDOWN(C{r}*D{r},0)").number_format = "#,##0"
        ws.cell(r, 6, int(line["rate"]) / 100).number_format = "0%"
        ws.cell(r, 7, mark if line["reduced"] else "")
        for c in range(1, 8):
            ws.cell(r, c).border = Border(bottom=thin)
    last = first + max(len(content["lines"]), 1) - 1
    r = last + 2
    inclusive = content["price_entry"] == "inclusive"
    fn = EXCEL_ROUNDING[rounding]
    total_parts = []
    bold = Font(bold=True)
    for key in content["by_rate"]:
        share = f"{key}/{100 + int(key)}" if inclusive else f"{key}/100"
        ws.cell(r, 2, f"{key}%対象（{'税込' if inclusive else '税抜'}）" + (f" {mark}軽減税率" if key == "8" else ""))
        ws.cell(r, 5, f"=SUMIF($F${first}:$F${last},{int(key) / 100},$E${first}:$E${last})").number_format = "#,##0"
        ws.cell(r + 1, 2, f"{key}% 消費税")
        ws.cell(r + 1, 5, f"={fn}(E{r}*{share},0)").number_format = "#,##0"
        total_parts.append(f"E{r}" if inclusive else f"E{r}+E{r + 1}")
        r += 2
    ws.cell(r, 2, "合計（税込）").font = bold
    total = ws.cell(r, 5, "=" + ("+".join(total_parts) or "0"))
    total.number_format = "#,##0"
    total.font = bold
    banner = ws[INVOICE_CELLS["total_banner"]]
    banner.value = f'="ご請求金額（税込） ¥"&TEXT(E{r},"#,##0")'
    if any(line["reduced"] for line in content["lines"]):
        ws.cell(r + 2, 2, f"{mark}は軽減税率（8%）対象です")
    wb.calculation.fullCalcOnLoad = True   # Excel recomputes on open; values are formulas, never pasted
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


__all__ = ["invoice_xlsx"]
