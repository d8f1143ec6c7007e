"""Find a sheet (or Excel Table) by any of its names and read its header row into canonical columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.model import Grid, Table
from addin.normalize.text import header_key, is_blank
from addin.validate.report import Reporter
from addin.validate.schema import SheetSpec

EXCEL_MAX_ROWS = 1_048_576


def find_source(spec: SheetSpec, sheet_names: list[str], table_names: list[str]) -> tuple[str, str] | None:
    """("table", name) when an Excel Table carries one of the sheet's names, else ("sheet", name)."""
    wanted = {header_key(n) for n in spec.names}
    for name in table_names:
        if header_key(name) in wanted:
            return "table", name
    for name in sheet_names:
        if header_key(name) in wanted:
            return "sheet", name
    return None


def alias_map(spec: SheetSpec) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for name, column in spec.columns.items():
        for word in [name, column.label_ja, column.label_en, *column.aliases]:
            mapping.setdefault(header_key(word), name)
    return mapping


def _header_index(rows: list[list]) -> int | None:
    for i, row in enumerate(rows):
        if any(not is_blank(v) for v in row):
            return i
    return None


def _nonblank_mask(block: np.ndarray) -> np.ndarray:
    if block.size == 0:
        return np.zeros(block.shape[0], dtype=bool)
    empty = (block == "") | pd.isna(block)
    return ~empty.all(axis=1)


def locate(grid: Grid, spec: SheetSpec, reporter: Reporter) -> Table | None:
    """The grid's data as a Table of canonical columns (raw values), or None with fatal issues."""
    sheet_label = grid.sheet
    if grid.last_row >= EXCEL_MAX_ROWS and (grid.sheet_last_row or any(not is_blank(v) for v in grid.rows[-1])):
        reporter.sheet_issue(grid.book, sheet_label, "sheet_full", cell=f"A{EXCEL_MAX_ROWS}")
        return None
    start = _header_index(grid.rows)
    if start is None:
        reporter.sheet_issue(grid.book, sheet_label, "header_missing")
        return None
    header = grid.rows[start]
    aliases = alias_map(spec)
    positions: dict[str, int] = {}
    extra: list[str] = []
    for offset, title in enumerate(header):
        if is_blank(title):
            continue
        canonical = aliases.get(header_key(title))
        if canonical is None:
            extra.append(str(title))
        elif canonical not in positions:
            positions[canonical] = offset
    missing = [name for name, col in spec.columns.items() if col.required and name not in positions]
    for name in missing:
        col = spec.columns[name]
        reporter.sheet_issue(grid.book, sheet_label, "column_missing", field=name,
                             label_ja=col.label_ja, label_en=col.label_en)
    if missing:
        return None
    width = len(header)
    data = grid.rows[start + 1:]
    block = np.empty((len(data), width), dtype=object)
    if data:
        block[:] = data if all(len(r) == width for r in data) else [(list(r) + [None] * width)[:width] for r in data]
    keep = _nonblank_mask(block)
    excel_rows = np.arange(len(data), dtype=np.int64)[keep] + grid.first_row + start + 1
    block = block[keep]
    frame = pd.DataFrame({name: block[:, pos] for name, pos in positions.items()}, dtype=object)
    columns = {name: grid.first_col + pos for name, pos in positions.items()}
    return Table(grid.book, sheet_label, frame, excel_rows, columns, grid.table, extra)
