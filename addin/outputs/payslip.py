"""給与明細 — one pay slip per employee, as PDF and as a sheet of a workbook."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from reportlab.lib.pagesizes import A5, landscape
from reportlab.pdfgen.canvas import Canvas

from addin.outputs.fonts import GOTHIC

EARNING_LINES = [("基本給", "base_pay"), ("欠勤控除", "absence_deduction"), ("課税手当", "taxable_allowances"),
                 ("非課税手当", "nontaxable_allowances"), ("時間外手当", "overtime_pay"), ("休日手当", "holiday_pay"),
                 ("深夜手当", "late_night_pay"), ("通勤手当", "commute_allowance")]
DEDUCTION_LINES = [("健康保険", "health_insurance"), ("介護保険", "nursing_insurance"),
                   ("子ども・子育て支援金", "child_support_levy"), ("厚生年金", "pension"),
                   ("雇用保険", "employment_insurance"), ("所得税", "withholding_tax"), ("住民税", "resident_tax")]
ATTENDANCE_LINES = [("出勤日数", "work_days"), ("労働時間", "work_hours"), ("時間外", "overtime_hours"),
                    ("うち60時間超", "overtime_over60_hours"), ("休日労働", "holiday_hours"),
                    ("深夜労働", "late_night_hours"), ("欠勤日数", "unpaid_absence_days")]


def _yen(value) -> str:
    return f"{int(value):,}"


def _quantity(value) -> str:
    """22.0 → "22", 4.50 → "4.5": hours and days as a person writes them."""
    if value is None or value != value:
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def slip_lines(row: dict) -> dict[str, list[tuple[str, str]]]:
    """The slip's content, shared by the PDF and the sheet: label and shown value per line."""
    earnings = [(label, _yen(-row[key] if key == "absence_deduction" else row[key])) for label, key in EARNING_LINES
                if row[key] or key == "base_pay"]
    deductions = [(label, _yen(row[key])) for label, key in DEDUCTION_LINES if row[key] or key in ("withholding_tax",)]
    attendance = [(label, _quantity(row.get(key))) for label, key in ATTENDANCE_LINES]
    return {"勤怠": attendance, "支給": earnings + [("総支給額", _yen(row["gross_pay"]))],
            "控除": deductions + [("控除合計", _yen(row["total_deductions"]))]}


BONUS_DEDUCTION_LINES = DEDUCTION_LINES[:-1]


def bonus_slip_lines(row: dict) -> dict[str, list[tuple[str, str]]]:
    """A bonus slip (賞与明細書): the bonus, how its premiums and tax were found, the deductions."""
    basis = [("標準賞与額", _yen(row["standard_bonus"])), ("健保の対象額", _yen(row["health_standard_bonus"])),
             ("厚年の対象額", _yen(row["pension_standard_bonus"])),
             ("前月の社保控除後給与", "" if row.get("previous_month_pay") is None or row["previous_month_pay"] != row["previous_month_pay"]
              else _yen(row["previous_month_pay"])), ("算出率", str(row["withholding_rate"]))]
    earnings = [("賞与", _yen(row["bonus_amount"]))] + ([("うち非課税", _yen(row["nontaxable_amount"]))]
                                                        if row["nontaxable_amount"] else [])
    deductions = [(label, _yen(row[key])) for label, key in BONUS_DEDUCTION_LINES if row[key] or key == "withholding_tax"]
    return {"算定基礎": basis, "支給": earnings + [("総支給額", _yen(row["bonus_amount"]))],
            "控除": deductions + [("控除合計", _yen(row["total_deductions"]))]}


def payslip_pdf(row: dict, company: str, month: date, paid_on: date, title: str | None = None, lines=slip_lines) -> bytes:
    """One slip as PDF; a bonus passes its own title ("賞与明細書 …") and lines."""
    title = title or f"給与明細書　{month.year}年{month.month}月分"
    buffer = io.BytesIO()
    width, height = landscape(A5)
    pdf = Canvas(buffer, pagesize=(width, height), invariant=1)   # invariant: a rerun gives the same bytes
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
