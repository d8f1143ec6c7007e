"""Write master workbooks the way an office would want them: a header row in the company's
language, number and date formats, frozen header, filters, and drop-downs for every enum.

Used by `backoffice init` (empty books) and `backoffice demo`. Strings are always written as
strings (xlsxwriter `write_string`), so a name that begins with "=" stays inert text. An output like
the others (atomic, through outputs/xlsx.py): the workbook adapters only read.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable

from addin.model import column_letter
from addin.outputs.atomic import atomic_path
from addin.outputs.xlsx import new_workbook
from addin.validate.schema import BookSpec, ColumnSpec, SheetSpec

NUMBER_FORMATS = {"yen": "#,##0", "integer": "0", "decimal": "#,##0.####", "date": "yyyy/mm/dd", "month": "yyyy/mm"}
WIDTHS = {
    "text": 18,
    "kana": 22,
    "code": 14,
    "enum": 12,
    "yen": 12,
    "integer": 8,
    "decimal": 10,
    "date": 12,
    "month": 10,
    "bool": 8,
}


def header_text(column: ColumnSpec, lang: str) -> str:
    return column.label_en if lang == "en" else column.label_ja


def display_choices(column: ColumnSpec, lang: str) -> list[str]:
    """What a drop-down offers: the first Japanese word of each enum value, or the canonical one."""
    choices = []
    for canonical, aliases in column.values.items():
        japanese = [a for a in (aliases or []) if isinstance(a, str) and not a.isascii()]
        if lang == "ja" and japanese and str(canonical).isascii():
            choices.append(japanese[0])
        else:
            choices.append(str(canonical))
    return choices


def sheet_title(spec: SheetSpec) -> str:
    return spec.display_name[:31]


def cell_of(book: BookSpec, sheet: str, field: str, index: int) -> tuple[str, str]:
    """(sheet title, A1) of data row `index` in a book written by `write_book`."""
    spec = book.sheets[sheet]
    col = list(spec.columns).index(field) + 1
    return sheet_title(spec), f"{column_letter(col)}{index + 2}"


def _validation(column: ColumnSpec, lang: str) -> dict | None:
    if column.kind == "enum":
        return {"validate": "list", "source": display_choices(column, lang)}
    if column.kind == "bool":
        return {"validate": "list", "source": ["〇", "×"] if lang == "ja" else ["TRUE", "FALSE"]}
    if column.kind in ("yen", "integer") and column.min is not None and column.max is not None:
        return {"validate": "integer", "criteria": "between", "minimum": int(column.min), "maximum": int(column.max)}
    if column.kind == "decimal" and column.min is not None and column.max is not None:
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": float(column.min),
            "maximum": float(column.max),
        }
    return None


def _write_value(ws, row: int, col: int, value: Any, fmt) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (dt.date, dt.datetime)):
        ws.write_datetime(
            row, col, value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time()), fmt
        )
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value))


def write_book(
    path: Path,
    book: BookSpec,
    rows_by_sheet: dict[str, Iterable[dict]],
    lang: str = "ja",
    extra_sheets: dict[str, list[list[Any]]] | None = None,
) -> Path:
    """Write one master workbook atomically; `rows_by_sheet` maps sheet key -> dicts by canonical field."""
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp, constant_memory=True, author="backoffice")
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        formats = {kind: wb.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
        for key, spec in book.sheets.items():
            ws = wb.add_worksheet(sheet_title(spec))
            columns = list(spec.columns.values())
            for c, column in enumerate(columns):
                ws.write_string(0, c, header_text(column, lang), head)
                ws.set_column(c, c, WIDTHS.get(column.kind, 12), formats.get(column.kind))
            count = 0
            for r, record in enumerate(rows_by_sheet.get(key, []), start=1):
                for c, column in enumerate(columns):
                    _write_value(ws, r, c, record.get(column.name), formats.get(column.kind))
                count = r
            last = max(count, 1000)
            for c, column in enumerate(columns):
                rule = _validation(column, lang)
                if rule:
                    ws.data_validation(1, c, last, c, {**rule, "error_type": "warning", "ignore_blank": True})
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(count, 1), len(columns) - 1)
        for title, rows in (extra_sheets or {}).items():
            ws = wb.add_worksheet(title)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    _write_value(ws, r, c, value, None)
        wb.close()
    return path
