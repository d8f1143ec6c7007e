"""The grade-review proposal workbook (算定基礎・月額変更の提案): a proposal for a person to check and
file, never written into staff.xlsx."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from addin.outputs.xlsx import new_workbook

TEIJI_COLUMNS = [
    ("社員番号", "employee_id"),
    ("氏名", "name"),
    ("現在の標準報酬月額", "current"),
    ("現在の等級", "current_grade"),
    ("4月 報酬", "april_wage"),
    ("4月 基礎日数", "april_days"),
    ("5月 報酬", "may_wage"),
    ("5月 基礎日数", "may_days"),
    ("6月 報酬", "june_wage"),
    ("6月 基礎日数", "june_days"),
    ("算定に使った月数", "months_used"),
    ("算定の基礎", "basis"),
    ("報酬月額", "average"),
    ("提案する標準報酬月額", "proposed"),
    ("提案する等級", "proposed_grade"),
    ("適用開始", "effective"),
]
ZUIJI_COLUMNS = [
    ("社員番号", "employee_id"),
    ("変動月", "change_month"),
    ("変動前の固定的賃金", "fixed_before"),
    ("変動後の固定的賃金", "fixed_after"),
    ("3か月の報酬", "wages"),
    ("3か月の基礎日数", "days"),
    ("報酬月額", "average"),
    ("現在の標準報酬月額", "current"),
    ("現在の等級", "current_grade"),
    ("提案する標準報酬月額", "proposed"),
    ("提案する等級", "proposed_grade"),
    ("適用開始", "effective"),
]


def _sheet(wb, name: str, title: str, frame: pd.DataFrame, columns) -> None:
    ws = wb.add_worksheet(name)
    head = wb.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1, "text_wrap": True})
    money = wb.add_format({"num_format": "#,##0"})
    ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 13}))
    for c, (label, _) in enumerate(columns):
        ws.write_string(2, c, label, head)
    for r, row in enumerate(frame.to_dict("records"), start=3):
        for c, (_, key) in enumerate(columns):
            value = row[key]
            if isinstance(value, list):
                ws.write_string(r, c, " / ".join(f"{v:,}" for v in value))
            elif isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write_number(r, c, int(value), money)
    ws.freeze_panes(3, 1)
    ws.set_column(0, len(columns), 12)


def write_grade_review(path: Path, teiji: pd.DataFrame, zuiji: pd.DataFrame, year: int) -> Path:
    wb = new_workbook(path, title=f"標準報酬月額の見直し {year}")
    _sheet(
        wb, "定時決定", f"{year}年 定時決定（算定基礎届）の提案 — staff.xlsx は書き換えていません", teiji, TEIJI_COLUMNS
    )
    _sheet(wb, "随時改定", f"{year}年 随時改定（月額変更届）の提案", zuiji, ZUIJI_COLUMNS)
    wb.close()
    return path
