"""Validation issues for people (text, a workbook with a link to every cell) and machines (JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from addin.outputs.xlsx import new_workbook

from addin.model import Issue, Severity
from addin.outputs.atomic import atomic_path

SEVERITY_JA = {Severity.FATAL: "致命的", Severity.ERROR: "エラー", Severity.WARNING: "警告"}


def as_text(issues: Iterable[Issue], lang: str = "ja") -> str:
    lines = [
        f"{i.location()}: {i.message(lang)}" + (f" [{i.code}]" if lang == "en" else f"［{i.code}］") for i in issues
    ]
    return "\n".join(lines)


def summary_line(issues: list[Issue], lang: str = "ja") -> str:
    counts = {s: sum(1 for i in issues if i.severity is s) for s in Severity}
    if lang == "en":
        return (
            f"{len(issues)} issue(s): {counts[Severity.FATAL]} fatal, {counts[Severity.ERROR]} error(s), "
            f"{counts[Severity.WARNING]} warning(s)"
        )
    return (
        f"問題 {len(issues)} 件（致命的 {counts[Severity.FATAL]}・エラー {counts[Severity.ERROR]}・"
        f"警告 {counts[Severity.WARNING]}）"
    )


def as_json(issues: Iterable[Issue], lang: str = "ja") -> str:
    records = [i.to_record(lang) for i in issues]
    return json.dumps({"issues": records, "count": len(records)}, ensure_ascii=False, indent=1)


def _link(issue: Issue, books_dir_from_out: str) -> str | None:
    if not (issue.book and issue.sheet):
        return None
    target = f"'{issue.sheet}'!{issue.cell or 'A1'}"
    return f"external:{books_dir_from_out}{issue.book}#{target}"


def write_issues_workbook(path: Path, issues: list[Issue], lang: str = "ja", books_dir_from_out: str = "../") -> Path:
    """`out/validation.xlsx`: one row per issue, the location a hyperlink to the offending cell."""
    headers = (
        ["場所", "ブック", "シート", "セル", "項目", "コード", "重要度", "内容"]
        if lang != "en"
        else ["Location", "Book", "Sheet", "Cell", "Field", "Code", "Severity", "Message"]
    )
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp)
        ws = wb.add_worksheet("Issues 問題")
        bold = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
        link = wb.add_format({"font_color": "blue", "underline": 1})
        for c, title in enumerate(headers):
            ws.write_string(0, c, title, bold)
        for r, issue in enumerate(issues, start=1):
            url = _link(issue, books_dir_from_out)
            if url:
                ws.write_url(r, 0, url, link, string=issue.location())
            else:
                ws.write_string(r, 0, issue.location())
            severity = SEVERITY_JA[issue.severity] if lang != "en" else issue.severity.value
            for c, value in enumerate(
                [issue.book, issue.sheet, issue.cell, issue.field, issue.code, severity, issue.message(lang)], start=1
            ):
                ws.write_string(r, c, value)
        ws.set_column(0, 0, 34)
        ws.set_column(1, 6, 14)
        ws.set_column(7, 7, 80)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(issues), 1), len(headers) - 1)
        wb.close()
    return path
