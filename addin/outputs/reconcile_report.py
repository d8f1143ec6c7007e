"""The morning report: a summary sheet (status per check, counts, a chart of findings over the last
30 nights), the change audit, tonight's copies, and one sheet per check with its rows and cells."""

from __future__ import annotations

import json
from pathlib import Path

from addin.outputs.xlsx import new_workbook

STATUS_JA = {"pass": "合格", "findings": "要確認", "skipped": "未実施", "error": "エラー"}


def write_report(folder: Path, report: dict, history: list[tuple[str, str, int]]) -> list[Path]:
    """report.xlsx and report.json into `folder` (a staged folder: the caller swaps it in whole)."""
    json_path = folder / "report.json"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    xlsx_path = folder / "report.xlsx"
    wb = new_workbook(xlsx_path, title=f"reconcile {report['date']}")
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    colours = {
        "pass": wb.add_format({"bg_color": "#E2EFDA"}),
        "findings": wb.add_format({"bg_color": "#FCE4D6"}),
        "skipped": wb.add_format({"bg_color": "#EDEDED"}),
        "error": wb.add_format({"bg_color": "#FF9999"}),
    }
    summary = wb.add_worksheet("Summary 概要")
    summary.write_string(
        0, 0, f"夜間照合 {report['date']} — {report['status']}", wb.add_format({"bold": True, "font_size": 14})
    )
    for c, title in enumerate(["チェック", "状態", "件数", "備考"]):
        summary.write_string(2, c, title, head)
    for r, check in enumerate(report["checks"], start=3):
        summary.write_string(r, 0, check["name"])
        summary.write_string(r, 1, STATUS_JA.get(check["status"], check["status"]), colours.get(check["status"]))
        summary.write_number(r, 2, check["count"])
        summary.write_string(r, 3, check["detail"])
    top = 4 + len(report["checks"])
    summary.write_string(top, 0, "直近30夜の件数", bold)
    for r, (night, _status, count) in enumerate(history, start=top + 1):
        summary.write_string(r, 0, night)
        summary.write_number(r, 1, count)
    if history:
        chart = wb.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "findings",
                "categories": ["Summary 概要", top + 1, 0, top + len(history), 0],
                "values": ["Summary 概要", top + 1, 1, top + len(history), 1],
            }
        )
        chart.set_title({"name": "Findings per night"})
        chart.set_legend({"none": True})
        summary.insert_chart(2, 5, chart)
    summary.set_column(0, 0, 26)
    summary.set_column(1, 2, 10)
    summary.set_column(3, 3, 50)
    _rows(
        wb,
        "Changes 変更",
        head,
        ["ブック", "シート", "キー", "項目", "種別", "変更前", "変更後", "セル", "最終更新者"],
        [
            [
                c["book"],
                c["sheet"],
                c["key"],
                c["field"],
                c["kind"],
                c["before"],
                c["after"],
                c["cell"],
                report["copies"].get(c["book"], {}).get("last_modified_by", ""),
            ]
            for c in report["changes"]
        ],
    )
    _rows(
        wb,
        "Copies 取込",
        head,
        ["ブック", "状態", "試行", "最終更新者", "更新日時", "備考"],
        [
            [book, c["status"], str(c["attempts"]), c["last_modified_by"], c["modified"], c["detail"]]
            for book, c in report["copies"].items()
        ],
    )
    for check in report["checks"]:
        if check["findings"]:
            _rows(
                wb,
                check["name"][:31],
                head,
                ["ブック", "シート", "セル", "キー", "内容", "Message", "値"],
                [
                    [f["book"], f["sheet"], f["cell"], f["key"], f["message_ja"], f["message_en"], f["value"]]
                    for f in check["findings"]
                ],
            )
    wb.close()
    return [xlsx_path, json_path]


def _rows(wb, title: str, head, header: list[str], rows: list[list[str]]) -> None:
    ws = wb.add_worksheet(title)
    for c, text in enumerate(header):
        ws.write_string(0, c, text, head)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            ws.write_string(r, c, str(value))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    ws.set_column(0, len(header), 16)
