"""The payroll register (賃金台帳) and the pay-slip workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import xlsxwriter

from addin.outputs.xlsx import new_workbook

from addin.outputs.payslip import slip_lines

REGISTER_COLUMNS = [
    ("社員番号", "employee_id"), ("氏名", "name"), ("部署", "department"), ("税区分", "tax_column"),
    ("扶養", "dependents"), ("出勤日数", "work_days"), ("労働時間", "work_hours"), ("時間外", "overtime_hours"),
    ("休日労働", "holiday_hours"), ("深夜労働", "late_night_hours"), ("標準報酬月額", "standard_monthly_remuneration"),
    ("基本給", "base_pay"), ("欠勤控除", "absence_deduction"), ("課税手当", "taxable_allowances"),
    ("非課税手当", "nontaxable_allowances"), ("時間外手当", "overtime_pay"), ("休日手当", "holiday_pay"),
    ("深夜手当", "late_night_pay"), ("通勤手当", "commute_allowance"), ("総支給額", "gross_pay"),
    ("健康保険", "health_insurance"), ("介護保険", "nursing_insurance"), ("支援金", "child_support_levy"),
    ("厚生年金", "pension"), ("雇用保険", "employment_insurance"), ("課税対象額", "taxable_amount"),
    ("所得税", "withholding_tax"), ("住民税", "resident_tax"), ("控除合計", "total_deductions"),
    ("差引支給額", "net_pay"), ("健康保険(会社)", "employer_health_insurance"),
    ("支援金(会社)", "employer_child_support_levy"), ("厚生年金(会社)", "employer_pension"),
    ("拠出金(会社)", "employer_child_contribution"), ("雇用保険(会社)", "employer_employment_insurance"),
]
BONUS_REGISTER_COLUMNS = [
    ("社員番号", "employee_id"), ("氏名", "name"), ("部署", "department"), ("税区分", "tax_column"),
    ("扶養", "dependents"), ("賞与額", "bonus_amount"), ("うち非課税", "nontaxable_amount"),
    ("標準賞与額", "standard_bonus"), ("健保の標準賞与額", "health_standard_bonus"),
    ("厚年の標準賞与額", "pension_standard_bonus"), ("健康保険", "health_insurance"), ("介護保険", "nursing_insurance"),
    ("支援金", "child_support_levy"), ("厚生年金", "pension"), ("雇用保険", "employment_insurance"),
    ("前月の社保控除後給与", "previous_month_pay"), ("課税対象額", "taxable_amount"), ("税額の求め方", "withholding_method"),
    ("算出率", "withholding_rate"), ("所得税", "withholding_tax"), ("控除合計", "total_deductions"),
    ("差引支給額", "net_pay"), ("健康保険(会社)", "employer_health_insurance"),
    ("支援金(会社)", "employer_child_support_levy"), ("厚生年金(会社)", "employer_pension"),
    ("拠出金(会社)", "employer_child_contribution"), ("雇用保険(会社)", "employer_employment_insurance"),
]
TEXT = {"employee_id", "name", "department", "tax_column", "withholding_method", "withholding_rate"}
NOT_SUMMED = {"dependents", "standard_monthly_remuneration", "previous_month_pay"}
QUANTITIES = {"work_days", "work_hours", "overtime_hours", "holiday_hours", "late_night_hours"}


def write_register(path: Path, employees: pd.DataFrame, title: str, columns=REGISTER_COLUMNS, sheet="賃金台帳") -> Path:
    wb = new_workbook(path, title=title)
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1, "text_wrap": True})
    money = wb.add_format({"num_format": "#,##0"})
    total = wb.add_format({"num_format": "#,##0", "bold": True, "top": 2})
    ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    for c, (label, _) in enumerate(columns):
        ws.write_string(2, c, label, bold)
    for r, row in enumerate(employees.to_dict("records"), start=3):
        for c, (_, key) in enumerate(columns):
            value = row.get(key)
            if key in TEXT:
                ws.write_string(r, c, "" if value is None else str(value))
            elif key in QUANTITIES:
                if value is not None and value == value:
                    ws.write_number(r, c, float(value))
            elif value is not None and value == value:
                ws.write_number(r, c, int(value), money)
    last = 3 + len(employees)
    ws.write_string(last, 0, "合計", bold)
    for c, (_, key) in enumerate(columns):
        if key not in TEXT and key not in QUANTITIES and key not in NOT_SUMMED:
            column = xlsxwriter.utility.xl_col_to_name(c)
            ws.write_formula(last, c, f"=SUM({column}4:{column}{last})", total, int(employees[key].sum()))
    ws.freeze_panes(3, 2)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 14)
    ws.set_column(2, len(columns), 11)
    wb.close()
    return path


def write_payslip_book(path: Path, employees: pd.DataFrame, company: str, month: dt.date, paid_on: dt.date,
                       title: str | None = None, lines=slip_lines) -> Path:
    """One sheet per employee, laid out like the PDF (a bonus passes its own title and lines)."""
    title = title or f"給与明細書 {month.year}年{month.month}月分"
    wb = new_workbook(path)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    right = wb.add_format({"align": "right", "border": 1})
    cell = wb.add_format({"border": 1})
    for row in employees.to_dict("records"):
        ws = wb.add_worksheet(str(row["employee_id"])[:31])
        ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
        ws.write_string(1, 0, f"{row['name']} 様（{row['employee_id']}）")
        ws.write_string(2, 0, f"{company}　支給日 {paid_on:%Y/%m/%d}")
        for block, (heading, shown) in enumerate(lines(row).items()):
            col = block * 3
            ws.write_string(4, col, heading, head)
            ws.write_string(4, col + 1, "", head)
            for r, (label, value) in enumerate(shown, start=5):
                ws.write_string(r, col, label, cell)
                ws.write_string(r, col + 1, value, right)
            ws.set_column(col, col, 18)
            ws.set_column(col + 1, col + 1, 12)
        ws.write_string(14, 6, "差引支給額", head)
        ws.write_number(14, 7, int(row["net_pay"]), wb.add_format({"num_format": "¥#,##0", "bold": True, "border": 1}))
    wb.close()
    return path
