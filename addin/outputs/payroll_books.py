"""The payroll register (賃金台帳) and the pay-slip workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import xlsxwriter

from addin.outputs.xlsx import new_workbook

from addin.outputs.payslip import slip_lines
from addin.payroll.items import MONTHLY, Layout


def write_register(path: Path, employees: pd.DataFrame, title: str, layout: Layout = MONTHLY, sheet="賃金台帳") -> Path:
    """The register of a pay run: the layout's register columns (those of an occasional line, such as
    the year-end settlement, only when the run carries it), one row per employee and a 合計 row."""
    items = layout.register_items(employees.columns)
    wb = new_workbook(path, title=title)
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1, "text_wrap": True})
    money = wb.add_format({"num_format": "#,##0"})
    total = wb.add_format({"num_format": "#,##0", "bold": True, "top": 2})
    ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    for c, item in enumerate(items):
        ws.write_string(2, c, item.ja, bold)
    for r, row in enumerate(employees.to_dict("records"), start=3):
        for c, item in enumerate(items):
            value = row.get(item.field)
            if item.kind == "text":
                ws.write_string(r, c, "" if value is None else str(value))
            elif item.kind == "quantity":
                if value is not None and value == value:
                    ws.write_number(r, c, float(value))
            elif value is not None and value == value:
                ws.write_number(r, c, int(value), money)
    last = 3 + len(employees)
    ws.write_string(last, 0, "合計", bold)
    for c, item in enumerate(items):
        if item.kind == "money" and item.total:
            column = xlsxwriter.utility.xl_col_to_name(c)
            ws.write_formula(last, c, f"=SUM({column}4:{column}{last})", total, int(employees[item.field].sum()))
    ws.freeze_panes(3, 2)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 14)
    ws.set_column(2, len(items), 11)
    wb.close()
    return path


def write_payslip_book(
    path: Path,
    employees: pd.DataFrame,
    company: str,
    month: dt.date,
    paid_on: dt.date,
    title: str | None = None,
    lines=slip_lines,
) -> Path:
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
        blocks = lines(row)
        for block, (heading, shown) in enumerate(blocks.items()):
            col = block * 3
            ws.write_string(4, col, heading, head)
            ws.write_string(4, col + 1, "", head)
            for r, (label, value) in enumerate(shown, start=5):
                ws.write_string(r, col, label, cell)
                ws.write_string(r, col + 1, value, right)
            ws.set_column(col, col, 18)
            ws.set_column(col + 1, col + 1, 12)
        net_row = max(14, 6 + max(len(shown) for shown in blocks.values()))  # below the longest block
        ws.write_string(net_row, 6, "差引支給額", head)
        ws.write_number(
            net_row, 7, int(row["net_pay"]), wb.add_format({"num_format": "¥#,##0", "bold": True, "border": 1})
        )
    wb.close()
    return path
