"""A qualified invoice (適格請求書) or credit note (適格返還請求書) as a one-page A4 PDF."""

from __future__ import annotations

import io
from collections.abc import Mapping

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from addin.outputs.fonts import GOTHIC, MINCHO
from addin.tax import TaxRate

TITLES = {"invoice": "請求書", "credit_note": "返還請求書（適格返還請求書）"}
LINES_PER_PAGE = 28


def _yen(value: int) -> str:
    return f"{value:,}"


def _date(iso: str) -> str:
    return iso.replace("-", "/") if iso else ""


def reduced_percents(content: dict, rates: Mapping[str, TaxRate]) -> str:
    """The reduced rates the document's lines use, as its footnote names them ("8%")."""
    used = {line["rate"] for line in content["lines"] if line["reduced"]}
    return "・".join(f"{r.shown}%" for r in rates.values() if r.reduced and r.key in used)


def invoice_pdf(content: dict, bank_line: str = "", mark: str = "※", *, rates: Mapping[str, TaxRate]) -> bytes:
    """The document; `rates` are the records in force when it was issued (addin/tax/rates.py)."""
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, invariant=1)
    width, height = A4
    pdf.setTitle(f"{TITLES[content['kind']]} {content['invoice_no']}")
    lines = content["lines"]
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, max(len(lines), 1), LINES_PER_PAGE)] or [[]]
    for page_no, page in enumerate(pages, start=1):
        _header(pdf, content, width, height)
        y = _table(pdf, page, width, height - 300, mark, rates)
        if page_no == len(pages):
            _totals(pdf, content, width, y - 10, bank_line, mark, rates)
        pdf.setFont(GOTHIC, 8)
        pdf.drawRightString(width - 40, 30, f"{content['invoice_no']}  {page_no}/{len(pages)}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _header(pdf: Canvas, c: dict, width: float, height: float) -> None:
    pdf.setFont(GOTHIC, 20)
    pdf.drawCentredString(width / 2, height - 60, TITLES[c["kind"]])
    customer, issuer = c["customer"], c["issuer"]
    pdf.setFont(MINCHO, 10)
    pdf.drawString(50, height - 100, f"〒{customer['postal_code']}" if customer["postal_code"] else "")
    pdf.drawString(50, height - 114, customer["address"][:40])
    pdf.setFont(MINCHO, 14)
    pdf.drawString(50, height - 140, f"{customer['name']} {customer['honorific']}")
    pdf.line(50, height - 144, 300, height - 144)
    pdf.setFont(GOTHIC, 9)
    right = width - 50
    pdf.drawRightString(right, height - 100, f"番号 {c['invoice_no']}")
    pdf.drawRightString(right, height - 114, f"発行日 {_date(c['issue_date'])}")
    pdf.setFont(GOTHIC, 11)
    pdf.drawRightString(right, height - 140, issuer["name"])
    pdf.setFont(GOTHIC, 9)
    pdf.drawRightString(right, height - 154, f"登録番号 {issuer['registration_number']}")
    if issuer.get("address"):
        pdf.drawRightString(right, height - 168, f"〒{issuer.get('postal_code', '')} {issuer['address']}")
    period = c["period"]
    pdf.drawString(50, height - 180, f"対象期間 {_date(period[0])}〜{_date(period[1])}")
    if c["kind"] == "credit_note":
        pdf.drawString(
            50,
            height - 194,
            f"返還等の対象: {c['corrects']}（{_date(c.get('original_issue_date', ''))} 発行）"
            f"  返還日 {_date(c['issue_date'])}",
        )
    elif c.get("due_date"):
        pdf.drawString(50, height - 194, f"お支払期限 {_date(c['due_date'])}")
    pdf.setFont(GOTHIC, 14)
    pdf.drawString(50, height - 230, f"ご請求金額（税込） ¥{_yen(c['total'])}")
    pdf.line(50, height - 234, 330, height - 234)


COLUMNS = [("取引日", 50), ("品名", 110), ("数量", 330), ("単価", 390), ("金額", 470), ("税率", 520)]


def _table(pdf: Canvas, lines: list[dict], width: float, top: float, mark: str, rates: Mapping[str, TaxRate]) -> float:
    pdf.setFont(GOTHIC, 9)
    pdf.setFillGray(0.9)
    pdf.rect(45, top - 4, width - 90, 16, stroke=0, fill=1)
    pdf.setFillGray(0)
    for title, x in COLUMNS:
        pdf.drawString(x, top, title)
    y = top
    pdf.setFont(MINCHO, 9)
    for line in lines:
        y -= 15
        pdf.drawString(50, y, _date(line["date"])[5:])
        pdf.drawString(110, y, (line["description"] + (f" {mark}" if line["reduced"] else ""))[:30])
        pdf.drawRightString(370, y, line["qty"])
        pdf.drawRightString(445, y, _yen(line["unit_price"]))
        pdf.drawRightString(510, y, _yen(line["amount"]))
        pdf.drawRightString(545, y, f"{rates[line['rate']].shown}%")
        pdf.setStrokeGray(0.8)
        pdf.line(45, y - 4, width - 45, y - 4)
        pdf.setStrokeGray(0)
    return y


def _totals(
    pdf: Canvas, c: dict, width: float, y: float, bank_line: str, mark: str, rates: Mapping[str, TaxRate]
) -> None:
    pdf.setFont(GOTHIC, 9)
    entry = "税込" if c["price_entry"] == "inclusive" else "税抜"
    y -= 16
    pdf.drawString(250, y, "税率区分")
    pdf.drawRightString(450, y, f"対象額（{entry}）")
    pdf.drawRightString(545, y, "消費税額")
    for key, totals in c["by_rate"].items():
        y -= 15
        pdf.drawString(250, y, f"{rates[key].shown}%対象" + (f" {mark}軽減" if rates[key].reduced else ""))
        pdf.drawRightString(450, y, _yen(totals["entered"]))
        pdf.drawRightString(545, y, _yen(totals["tax"]))
    y -= 20
    pdf.setFont(GOTHIC, 11)
    pdf.drawString(300, y, "合計（税込）")
    pdf.drawRightString(545, y, f"¥{_yen(c['total'])}")
    pdf.setFont(GOTHIC, 8)
    y -= 18
    if any(line["reduced"] for line in c["lines"]):
        reduced = reduced_percents(c, rates)
        pdf.drawString(
            50, y, f"{mark}は軽減税率（{reduced}）対象です。消費税は税率ごとに合計して1回端数処理しています。"
        )
        y -= 12
    if bank_line and c["kind"] == "invoice":
        pdf.drawString(50, y, f"お振込先: {bank_line}")
