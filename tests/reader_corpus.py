"""Helpers for the real-workbook corpus: edit the demo staff book the way offices and tools do, and
see what payroll makes of it (the same figures as the plain demo, or a refusal naming the cell)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import resource
import zipfile
from pathlib import Path

import openpyxl

from addin.payroll.settings import PayrollSettings
from addin.services.company import load_company
from addin.services.payroll import SUMMARY_FIELDS, payroll_of
from addin.services.staff_tables import StaffTables
from addin.services.validation import validate_company
from addin.workbook.scan import read_layout

MONTH = dt.date(2026, 3, 1)
STAFF, ALLOWANCES, ATTENDANCE = "Staff 従業員", "Allowances 手当", "Attendance 勤怠"
# the demo staff sheet's columns, as its header names them
STAFF_COLUMNS = {
    "社員番号": "A",
    "氏名": "B",
    "生年月日": "F",
    "入社日": "G",
    "マイナンバー": "I",
    "基本給": "K",
    "通勤手当": "M",
    "標準報酬月額": "P",
    "住民税月額": "T",
    "口座番号": "Y",
}
ATTENDANCE_COLUMNS = {"社員番号": "A", "出勤日数": "C", "勤務時間": "D", "時間外労働時間": "E", "深夜労働時間": "G"}
ERROR_VALUES = [
    "#N/A",
    "#REF!",
    "#VALUE!",
    "#DIV/0!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BUSY!",
    "#GETTING_DATA",
    "#BLOCKED!",
    "#CONNECT!",
    "#UNKNOWN!",
    "#EXTERNAL!",
    "#PYTHON!",
]


def figures(root: Path):
    """(per-employee summary rows, blocking issues) exactly as `run_payroll` gates them: any issue
    that is not a warning stops the run before anything is computed. `root`: the company or a book in it."""
    company = load_company(root if root.is_dir() else root.parent)
    checked = validate_company(company, only={"staff"})
    stopping = (tables := StaffTables.from_validation(checked)).stopping()
    if stopping:
        return None, stopping, list(checked.issues)
    payroll = payroll_of(company, tables, MONTH, PayrollSettings.from_settings(company.settings))
    if payroll.issues:
        return None, list(payroll.issues), list(checked.issues)
    rows = payroll.employees[SUMMARY_FIELDS].to_dict("records")
    return (
        [{k: (str(v) if k in ("employee_id", "tax_column") else int(v)) for k, v in r.items()} for r in rows],
        [],
        list(checked.issues),
    )


#: the sheets a month's payroll reads; the staff book's others (年末調整 declarations, pay history, bonuses,
#: the button sheet) are optional and left out of the reader corpus's book
PAYROLL_SHEETS = (STAFF, ALLOWANCES, ATTENDANCE)


def payroll_book(source: Path, target: Path) -> Path:
    """The demo staff book as an office that keeps only what the month's payroll reads would: the staff,
    allowances and this month's attendance (MONTH). A quarter of the cells, so each edit costs a quarter."""
    wb = openpyxl.load_workbook(source)
    for name in [n for n in wb.sheetnames if n not in PAYROLL_SHEETS]:
        del wb[name]
    ws = wb[ATTENDANCE]
    month = f"{MONTH.year}/{MONTH.month}"
    kept = [[c.value for c in row] for row in ws.iter_rows(min_row=2) if row[1].value == month]
    ws.delete_rows(2, ws.max_row)
    for r, values in enumerate(kept, start=2):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c, value)
    ws.auto_filter.ref = f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{len(kept) + 1}"
    wb.save(target)
    return target


def edit(path: Path, change) -> Path:
    """Open the book with openpyxl, let `change(wb)` edit it, save it in place."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def replace_cells(path: Path, sheet: str, cells: dict[str, str]) -> Path:
    """Write raw cell XML (an error value openpyxl cannot write, NaN …) into a saved book: each
    cell must exist already (give it any value first)."""
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
        part = read_layout(zf).sheets[sheet]
    xml = parts[part].decode("utf-8")
    for ref, cell_xml in cells.items():
        xml, count = re.subn(
            rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)', cell_xml.replace("\\", "\\\\"), xml, count=1, flags=re.S
        )
        assert count == 1, f"{ref} not in {sheet}"
    parts[part] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def error_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="e"><v>{text}</v></c>'


def cells_of(issues) -> set[str]:
    return {f"{i.sheet}!{i.cell}" for i in issues}


def hostile_case(root: Path, which: str) -> None:
    """Books from issue #12 item 9, each of which used to abort every command (memory)."""
    staff = root / "staff.xlsx"
    if which == "malformed_ref":
        edit(staff, lambda wb: wb[STAFF].__setitem__("AK2", 1))
        replace_cells(staff, STAFF, {"AK2": '<c r="ZZZZZ2"><v>5</v></c>'})
    elif which == "XFD1048575":
        edit(staff, lambda wb: wb[ATTENDANCE].cell(row=1_048_575, column=16_384, value="x"))
    elif which == "table_to_the_last_cell":
        from openpyxl.worksheet.table import Table as ExcelTable

        def table(wb):
            wb[STAFF].title = "名簿"
            wb["名簿"].add_table(ExcelTable(displayName="Table1", ref="A1:Z51"))

        edit(staff, table)
        with zipfile.ZipFile(staff) as zf:
            parts = {info.filename: zf.read(info) for info in zf.infolist()}
        for name in [n for n in parts if n.startswith("xl/tables/")]:
            parts[name] = parts[name].replace(b'ref="A1:Z51"', b'ref="A1:XFD1048576"')
        with zipfile.ZipFile(staff, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                zf.writestr(name, data)


def write_ods(source: Path, target: Path) -> Path:
    """The book as an OpenDocument spreadsheet (what LibreOffice saves by default), written by hand:
    strings, numbers and dates as typed cells."""
    from xml.sax.saxutils import escape

    wb = openpyxl.load_workbook(source)
    tables = []
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            cells = []
            for value in row:
                if value is None:
                    cells.append("<table:table-cell/>")
                elif isinstance(value, dt.datetime):
                    cells.append(
                        f'<table:table-cell office:value-type="date" office:date-value="{value.date()}">'
                        f"<text:p>{value.date()}</text:p></table:table-cell>"
                    )
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    cells.append(
                        f'<table:table-cell office:value-type="float" office:value="{value}">'
                        f"<text:p>{value}</text:p></table:table-cell>"
                    )
                else:
                    cells.append(
                        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                        f"</text:p></table:table-cell>"
                    )
            rows.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        tables.append(f'<table:table table:name="{escape(ws.title)}">' + "".join(rows) + "</table:table>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>"
        + "".join(tables)
        + "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return target


#: how much a hostile book may make the reader map: the 1.5 GB a fresh interpreter was once given, less the
#: ~250 MB that interpreter maps with its imports (a forked child inherits those, and its parent's)
READER_ROOM = 1_250_000_000


def figures_within_room(folder: Path, case: str | None = None, room: int = READER_ROOM, timeout: float = 300):
    """`figures(folder)` (after `hostile_case(folder, case)` when given) in a forked child whose address space
    may grow by `room` bytes over what it inherits (RLIMIT_AS); (rows, issues as (sheet, cell, code,
    severity, message_en) tuples). A child that dies or raises fails the test with its reason. A fork
    starts in milliseconds where a new interpreter spends most of a second importing."""
    import psutil

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def run() -> None:
        try:
            limit = psutil.Process().memory_info().vms + room
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            if case:
                hostile_case(folder, case)
            rows, _, issues = figures(folder)
            send.send(("ok", [rows, [(i.sheet, i.cell, i.code, i.severity.value, i.message_en) for i in issues]]))
        except BaseException as exc:  # noqa: BLE001 - reported to the test, whatever it was
            send.send(("raised", f"{type(exc).__name__}: {exc}"))
        finally:
            os._exit(0)

    child = context.Process(target=run)
    child.start()
    try:
        if not receive.poll(timeout):
            raise AssertionError(f"no answer within {timeout} s (exit code {child.exitcode})")
        status, answer = receive.recv()
    except EOFError:
        raise AssertionError(f"the reader died (exit code {child.exitcode})") from None
    finally:
        child.join(10)
        if child.is_alive():
            child.kill()
    assert status == "ok", answer
    return answer
