"""A qualified invoice as .xlsx, laid out by the template of workbooks/templates/: line amounts,
per-rate subtotals, taxes and the total are formulas that any spreadsheet recalculates to the same
figures as the register (one rounding per rate, the company's rounding as ROUNDDOWN/ROUND/ROUNDUP).

The template is parsed once per process (its cells, styles, merges, column widths) and every invoice is
written from that with xlsxwriter: re-reading the template for each document cost more than writing it.
The file is reproducible — the same content gives the same bytes — so a pooled run and a one-process
run write identical files.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from openpyxl.utils import range_boundaries
from xlsxwriter.worksheet import Worksheet

from addin.outputs.atomic import write_bytes
from addin.outputs.invoice_pdf import TITLES, reduced_percents
from addin.tax import TaxRate
from addin.workbook.templates import INVOICE_CELLS, INVOICE_TEMPLATE

EXCEL_ROUNDING = {"floor": "ROUNDDOWN", "half_up": "ROUND", "ceil": "ROUNDUP"}
LINE_BORDER = {"bottom": 1, "bottom_color": "#BBBBBB"}
BORDER_STYLES = {"thin": 1, "medium": 2, "dashed": 3, "dotted": 4, "thick": 5, "double": 6, "hair": 7}


class Formula(str):
    """A cell's formula, as opposed to text that merely starts with '='."""


#: a cell's format as sorted (property, value) pairs: hashable, so each combination is merged and looked
#: up once rather than sorted again for every cell of every invoice
FormatKey = tuple


def _key(fmt: dict) -> FormatKey:
    return tuple(sorted(fmt.items()))


@functools.lru_cache(maxsize=1024)
def _with(base: FormatKey, extra: tuple) -> FormatKey:
    """`base` with the properties `extra` ((property, value) pairs) on top."""
    return _key({**dict(base), **dict(extra)})


@dataclass
class Template:
    title: str
    creator: str
    cells: dict[tuple[int, int], tuple[object, FormatKey]]  # (row, col) 0-based → (value, format)
    merged: list[tuple[int, int, int, int]]
    widths: dict[int, float]
    gridlines: bool


def _color(color) -> str | None:
    rgb = getattr(color, "rgb", None)
    return f"#{rgb[-6:]}" if isinstance(rgb, str) and len(rgb) >= 6 else None


def _format_of(cell) -> dict:
    """The xlsxwriter format of an openpyxl cell, only what differs from a blank cell."""
    fmt: dict = {}
    if cell.font.b:
        fmt["bold"] = True
    if cell.font.sz and float(cell.font.sz) != 11:
        fmt["font_size"] = float(cell.font.sz)
    if cell.fill.fill_type == "solid" and _color(cell.fill.fgColor):
        fmt.update(pattern=1, bg_color=_color(cell.fill.fgColor))
    for side in ("left", "right", "top", "bottom"):
        line = getattr(cell.border, side)
        if line is not None and line.style in BORDER_STYLES:
            fmt[side] = BORDER_STYLES[line.style]
            if _color(line.color):
                fmt[f"{side}_color"] = _color(line.color)
    if cell.alignment.horizontal:
        fmt["align"] = cell.alignment.horizontal
    if cell.number_format and cell.number_format != "General":
        fmt["num_format"] = cell.number_format
    return fmt


@functools.lru_cache(maxsize=4)
def _parsed(template: Path, _modified_ns: int) -> Template:
    wb = openpyxl.load_workbook(template)
    ws = wb.active
    cells = {
        (c.row - 1, c.column - 1): (c.value, _key(_format_of(c)))
        for row in ws.iter_rows()
        for c in row
        if c.value is not None or c.has_style
    }
    merged = []
    for span in ws.merged_cells.ranges:
        min_col, min_row, max_col, max_row = range_boundaries(str(span))
        merged.append((min_row - 1, min_col - 1, max_row - 1, max_col - 1))
    widths = {}
    for letter, dimension in ws.column_dimensions.items():
        if dimension.width:
            widths[openpyxl.utils.column_index_from_string(letter) - 1] = dimension.width
    return Template(ws.title, wb.properties.creator or "", cells, merged, widths, ws.sheet_view.showGridLines)


def parsed_template(template: Path = INVOICE_TEMPLATE) -> Template:
    template = Path(template)
    return _parsed(template, template.stat().st_mtime_ns)


@dataclass
class _Sheet:
    """The invoice's cells, starting from the template's; written in one go at the end."""

    template: Template
    cells: dict[tuple[int, int], tuple[object, FormatKey]] = field(default_factory=dict)

    def __post_init__(self):
        self.cells = dict(self.template.cells)

    def put(self, ref: str | tuple[int, int], value, **fmt) -> None:
        row, col = _at(ref) if isinstance(ref, str) else ref
        base = self.cells.get((row, col), (None, ()))[1]
        self.cells[(row, col)] = (value, _with(base, tuple(fmt.items())) if fmt else base)


def _at(ref: str) -> tuple[int, int]:
    col, row, _, _ = range_boundaries(ref)
    return row - 1, col - 1


def invoice_xlsx(
    path: Path,
    content: dict,
    rounding: str = "floor",
    template: Path = INVOICE_TEMPLATE,
    mark: str = "※",
    *,
    rates: Mapping[str, TaxRate],
) -> Path:
    return write_bytes(path, invoice_xlsx_bytes(content, rounding, template, mark, rates=rates))


def invoice_xlsx_bytes(
    content: dict,
    rounding: str = "floor",
    template: Path = INVOICE_TEMPLATE,
    mark: str = "※",
    *,
    rates: Mapping[str, TaxRate],
) -> bytes:
    sheet = _Sheet(parsed_template(template))
    _fill(sheet, content, rounding, mark, rates)
    buffer = io.BytesIO()
    _save(sheet, buffer, date.fromisoformat(content["issue_date"]))
    return buffer.getvalue()


def _fill(sheet: _Sheet, content: dict, rounding: str, mark: str, rates: Mapping[str, TaxRate]) -> None:
    cells: dict[str, Any] = INVOICE_CELLS  # A1 names and the first line's row number
    customer, issuer = content["customer"], content["issuer"]
    sheet.put(cells["title"], TITLES[content["kind"]])
    sheet.put(cells["customer_address"], f"〒{customer['postal_code']} {customer['address']}".strip())
    sheet.put(cells["customer_name"], f"{customer['name']} {customer['honorific']}")
    sheet.put(cells["invoice_no"], f"番号 {content['invoice_no']}")
    sheet.put(cells["issue_date"], date.fromisoformat(content["issue_date"]), num_format="yyyy/mm/dd")
    sheet.put(cells["issuer_name"], issuer["name"])
    sheet.put(cells["registration_number"], f"登録番号 {issuer['registration_number']}")
    sheet.put(cells["issuer_address"], issuer.get("address", ""))
    sheet.put(cells["period"], f"対象期間 {content['period'][0]} 〜 {content['period'][1]}")
    if content["kind"] == "credit_note":
        sheet.put(
            cells["due_date"], f"返還等の対象 {content['corrects']}（{content.get('original_issue_date', '')} 発行）"
        )
    else:
        sheet.put(cells["due_date"], f"お支払期限 {content['due_date']}")
    first = cells["first_line_row"]
    for i, line in enumerate(content["lines"]):
        r, row = first + i, first + i - 1  # Excel's row number, xlsxwriter's 0-based row
        values = [
            (date.fromisoformat(line["date"]), "mm/dd"),
            (line["description"], None),
            (float(line["qty"]) if "." in line["qty"] else int(line["qty"]), None),
            (line["unit_price"], "#,##0"),
            (Formula(f"=ROUNDDOWN(C{r}*D{r},0)"), "#,##0"),
            (float(rates[line["rate"]].fraction), "0%"),
            (mark if line["reduced"] else "", None),
        ]
        for col, (value, number_format) in enumerate(values):
            sheet.put((row, col), value, **LINE_BORDER, **({"num_format": number_format} if number_format else {}))
    last = first + max(len(content["lines"]), 1) - 1
    r = last + 2
    inclusive = content["price_entry"] == "inclusive"
    fn = EXCEL_ROUNDING[rounding]
    total_parts = []
    for key in content["by_rate"]:
        tax_rate = rates[key]
        percent = tax_rate.shown
        share = f"{percent}/{format((100 + tax_rate.percent).normalize(), 'f')}" if inclusive else f"{percent}/100"
        sheet.put(
            (r - 1, 1),
            f"{percent}%対象（{'税込' if inclusive else '税抜'}）" + (f" {mark}軽減税率" if tax_rate.reduced else ""),
        )
        sheet.put(
            (r - 1, 4),
            Formula(f"=SUMIF($F${first}:$F${last},{float(tax_rate.fraction)},$E${first}:$E${last})"),
            num_format="#,##0",
        )
        sheet.put((r, 1), f"{percent}% 消費税")
        sheet.put((r, 4), Formula(f"={fn}(E{r}*{share},0)"), num_format="#,##0")
        total_parts.append(f"E{r}" if inclusive else f"E{r}+E{r + 1}")
        r += 2
    sheet.put((r - 1, 1), "合計（税込）", bold=True)
    sheet.put((r - 1, 4), Formula("=" + ("+".join(total_parts) or "0")), num_format="#,##0", bold=True)
    sheet.put(cells["total_banner"], Formula(f'="ご請求金額（税込） ¥"&TEXT(E{r},"#,##0")'))
    if any(line["reduced"] for line in content["lines"]):
        sheet.put((r + 1, 1), f"{mark}は軽減税率（{reduced_percents(content, rates)}）対象です")


class _InvoiceWorksheet(Worksheet):
    """xlsxwriter's worksheet, preparing each distinct formula once per process: it runs some thirty regular
    expressions over every formula (to spell newer functions as Excel stores them), a quarter of an invoice's
    time, and an invoice's formulas repeat from one invoice to the next. The result is the library's own."""

    _prepared: dict[tuple, str] = {}

    def _prepare_formula(self, formula, expand_future_functions=False):
        key = (formula, self.use_future_functions, expand_future_functions)
        prepared = self._prepared.get(key)
        if prepared is None:
            if len(self._prepared) > 10_000:
                self._prepared.clear()
            prepared = self._prepared[key] = super()._prepare_formula(formula, expand_future_functions)
        return prepared


def _save(sheet: _Sheet, target: io.BytesIO, issued: date, worksheet_class: type = _InvoiceWorksheet) -> None:
    template = sheet.template
    # strings stay strings (never formulas, numbers or links); the file is dated by the invoice, not the clock
    book = xlsxwriter.Workbook(
        target, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    )
    book.set_properties({"author": template.creator, "created": datetime.combine(issued, datetime.min.time())})
    ws = book.add_worksheet(template.title, worksheet_class=worksheet_class)
    if not template.gridlines:
        ws.hide_gridlines(2)
    for col, width in sorted(template.widths.items()):
        ws.set_column(col, col, width)
    formats: dict[FormatKey, object] = {(): None}

    def format_of(key: FormatKey):
        if key not in formats:
            formats[key] = book.add_format(dict(key))
        return formats[key]

    merged_at = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in template.merged}
    for (row, col), (value, fmt) in sorted(sheet.cells.items()):
        if isinstance(value, str) and not isinstance(value, Formula) and value[:1] in ("=", "+", "-", "@"):
            fmt = _with(fmt, (("quote_prefix", True),))  # user text never becomes a formula
        style = format_of(fmt)
        if (row, col) in merged_at:
            ws.merge_range(row, col, *merged_at[(row, col)], "", style)
        if isinstance(value, Formula):
            ws.write_formula(row, col, value, style, "")  # no cached result: every spreadsheet must calculate it
        elif isinstance(value, date):
            ws.write_datetime(row, col, datetime.combine(value, datetime.min.time()), style)
        elif isinstance(value, str):
            ws.write_string(row, col, value, style)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(row, col, value, style)
        else:
            ws.write_blank(row, col, None, style)
    book.close()


__all__ = ["invoice_xlsx", "invoice_xlsx_bytes", "parsed_template"]
