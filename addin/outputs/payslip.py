"""給与明細 — one pay slip per employee, as PDF and as a sheet of a workbook."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from reportlab.lib.pagesizes import A5, landscape
from reportlab.pdfgen.canvas import Canvas

from addin.outputs.fonts import GOTHIC
from addin.payroll.items import BONUS, MONTHLY, Item, Layout


def _yen(value) -> str:
    return f"{int(value):,}"


def _quantity(value) -> str:
    """22.0 → "22", 4.50 → "4.5": hours and days as a person writes them."""
    if value is None or value != value:
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def _blank(value) -> bool:
    return value is None or value != value


def _shown(item: Item, value) -> str:
    """A line's value as printed: text as is, hours as typed, money with its sign (欠勤控除 −)."""
    if item.kind == "text":
        return "" if _blank(value) else str(value)
    if item.kind == "quantity":
        return _quantity(value)
    return "" if _blank(value) else _yen(item.sign * int(value))


def lines_for(layout: Layout):
    """The slip's content for a layout, shared by the PDF and the sheet: per block, label and shown value
    of each line the layout puts on the slip (a line that is not `always` only when it is not zero)."""

    def lines(row: dict) -> dict[str, list[tuple[str, str]]]:
        return {
            block: [
                (item.slip_label, _shown(item, row.get(item.field)))
                for item in layout.slip_items(block, row)
                if item.always or item.kind != "money" or (not _blank(row.get(item.field)) and row[item.field])
            ]
            for block in layout.slip_blocks
        }

    return lines


slip_lines = lines_for(MONTHLY)
bonus_slip_lines = lines_for(BONUS)  # 賞与明細書: the bonus, how its premiums and tax were found, the deductions


def payslip_pdf(
    row: dict, company: str, month: date, paid_on: date, title: str | None = None, lines=slip_lines
) -> bytes:
    """One slip as PDF; a bonus passes its own title ("賞与明細書 …") and lines."""
    title = title or f"給与明細書　{month.year}年{month.month}月分"
    buffer = io.BytesIO()
    width, height = landscape(A5)
    pdf = Canvas(buffer, pagesize=(width, height), invariant=1)  # invariant: a rerun gives the same bytes
    pdf.setTitle(f"{title.split()[0]} {month:%Y-%m} {row['employee_id']}")
    pdf.setFont(GOTHIC, 16)
    pdf.drawString(30, height - 40, title)
    pdf.setFont(GOTHIC, 10)
    pdf.drawRightString(width - 30, height - 36, company)
    pdf.drawRightString(width - 30, height - 50, f"支給日 {paid_on.year}年{paid_on.month}月{paid_on.day}日")
    pdf.drawString(30, height - 62, f"{row['employee_id']}　{row.get('department') or ''}")
    pdf.setFont(GOTHIC, 12)
    pdf.drawString(30, height - 78, f"{row['name']} 様")
    columns = lines(row)
    x = 30
    col_width = (width - 60 - 20) / 3
    for heading, shown in columns.items():
        y = height - 105
        pdf.setFont(GOTHIC, 10)
        pdf.setFillGray(0.9)
        pdf.rect(x, y - 4, col_width, 16, stroke=1, fill=1)
        pdf.setFillGray(0)
        pdf.drawString(x + 4, y, heading)
        pdf.setFont(GOTHIC, 9)
        for label, value in shown:
            y -= 15
            pdf.line(x, y - 4, x + col_width, y - 4)
            pdf.drawString(x + 4, y, label)
            pdf.drawRightString(x + col_width - 4, y, value)
        x += col_width + 10
    pdf.setFont(GOTHIC, 13)
    pdf.rect(width - 30 - col_width, 28, col_width, 26)
    pdf.drawString(width - 26 - col_width, 36, "差引支給額")
    pdf.drawRightString(width - 34, 36, f"¥{int(row['net_pay']):,}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
