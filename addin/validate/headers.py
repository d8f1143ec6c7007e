"""Find a sheet (or Excel Table) by any of its names and read its header row into canonical columns.

Every column is accounted for: a header no schema knows is reported (with the closest known column
and how to name it), unless the company declared it ignored; one that looks like money stops a run
that pays. The header is the row, among the first `HEADER_ROWS`, that names the most known columns;
a totals row (合計, 小計, Total, or SUM of the rows above) ends the data.
"""

from __future__ import annotations

import difflib
import functools
import re
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from addin.model import CellError, Grid, Severity, Table, UncachedFormula, column_letter
from addin.normalize.column import NO_TEXT, factorized
from addin.normalize.text import header_key, is_blank
from addin.validate.report import Reporter
from addin.validate.schema import SheetSpec

EXCEL_MAX_ROWS = 1_048_576
#: how far down a header row is looked for (title rows, group headers above it)
HEADER_ROWS = 30
#: a label that makes a row a totals row, compared as header keys
TOTAL_WORDS = {"合計", "小計", "計", "総計", "総合計", "合計額", "総額", "total", "subtotal", "grandtotal"}
#: parts of a header that say it holds money (or what pay is computed from)
MONEY_WORDS = (
    "手当",
    "給",
    "賃金",
    "円",
    "¥",
    "金",
    "税",
    "保険",
    "控除",
    "支給",
    "費",
    "額",
    "料",
    "残業",
    "単価",
    "報酬",
    "賞与",
    "時間",
    "日数",
    "金額",
    "allowance",
    "pay",
    "salary",
    "wage",
    "tax",
    "yen",
    "fee",
    "bonus",
    "overtime",
    "amount",
    "price",
    "cost",
    "deduction",
    "insurance",
    "hours",
)
#: a note or unit in brackets after a header: 通勤手当（月額）, 住民税(円), 残業[h]
_BRACKETED = re.compile(r"[(（\[［【〔<＜〈][^)）\]］】〕>＞〉]*[)）\]］】〕>＞〉]")


def find_source(spec: SheetSpec, sheet_names: list[str], table_names: list[str]) -> tuple[str, str] | None:
    """("table", name) when an Excel Table carries one of the sheet's names, else ("sheet", name)."""
    found = find_sources(spec, sheet_names, table_names)
    return found[0] if found else None


def find_sources(spec: SheetSpec, sheet_names: list[str], table_names: list[str]) -> list[tuple[str, str]]:
    """Every Table, then every sheet, named like the spec's sheet: more than one of a kind is ambiguous."""
    wanted = {header_key(n) for n in spec.names}
    tables = [("table", name) for name in table_names if header_key(name) in wanted]
    sheets = [("sheet", name) for name in sheet_names if header_key(name) in wanted]
    return tables + sheets


def header_keys(title) -> tuple[str, ...]:
    """The keys a header is known by: as written, then without its bracketed unit or note."""
    return _keys_of(str(title))


@functools.lru_cache(maxsize=4096)  # the same few hundred titles and aliases, asked for every sheet of every load
def _keys_of(text: str) -> tuple[str, ...]:
    bare = _BRACKETED.sub("", text)
    if bare != text and header_key(bare):
        return header_key(text), header_key(bare)
    return (header_key(text),)


def alias_map(spec: SheetSpec) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for name, column in spec.columns.items():
        for word in [name, column.label_ja, column.label_en, *column.aliases]:
            for key in header_keys(word):
                mapping.setdefault(key, name)
    return mapping


def _canonical(title, aliases: dict[str, str]) -> str | None:
    if is_blank(title) or isinstance(title, CellError):
        return None
    for key in header_keys(title):
        if key in aliases:
            return aliases[key]
    return None


def header_score(row: list, aliases: dict[str, str]) -> int:
    return len({c for c in (_canonical(v, aliases) for v in row) if c is not None})


def _header_index(rows: list[list], aliases: dict[str, str]) -> tuple[int | None, int]:
    """(index of the row naming most known columns, its score); the first such row wins a tie."""
    best, best_score = None, 0
    for i, row in enumerate(rows[:HEADER_ROWS]):
        score = header_score(row, aliases)
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def _block(rows: list[list], width: int) -> np.ndarray:
    """The data rows as one 2-D object array, every row as wide as the header (padded or cut). Rows laid
    end to end go in through numpy's fromiter: a third of what assigning the nested lists costs."""
    if set(map(len, rows)) - {width}:
        rows = [(list(r) + [None] * width)[:width] for r in rows]
    flat = np.fromiter(chain.from_iterable(rows), dtype=object, count=len(rows) * width)
    return flat.reshape(len(rows), width)


def _frame(block: np.ndarray, positions: dict[str, int]) -> pd.DataFrame:
    """The known columns as a frame: the block itself when they are all its columns, in order, as they
    mostly are (a copy would cost as much again); else a copy of them, so that the cells of the
    columns no schema knows are not kept alive with the table."""
    names, at = list(positions), list(positions.values())
    if at == list(range(block.shape[1])):
        return pd.DataFrame(block, columns=names, dtype=object, copy=False)
    return pd.DataFrame({name: block[:, pos] for name, pos in positions.items()}, dtype=object)


def _factorized(block: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(codes, distinct values) of each column, -1 for an empty (None, NaN) cell: computed once, for
    the blank rows and the totals labels alike."""
    return [factorized(block[:, j]) for j in range(block.shape[1])]


def _nonblank_mask(block: np.ndarray, columns: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """True for a row with a cell that is neither empty (None, NaN) nor "", judged per distinct value."""
    nonblank = np.zeros(block.shape[0], dtype=bool)
    for codes, uniques in columns:
        if len(uniques):
            filled = ~((np.asarray(uniques, dtype=object) == "") | pd.isna(uniques))
            nonblank |= (codes >= 0) & filled[np.maximum(codes, 0)]
    return nonblank


def is_money_like(title: str, closest_kind: str | None) -> bool:
    text = str(title).casefold()
    return closest_kind == "yen" or any(word in text for word in MONEY_WORDS)


def _closest(title, aliases: dict[str, str]) -> str | None:
    keys = header_keys(title)
    for key in keys:
        match = difflib.get_close_matches(key, list(aliases), n=1, cutoff=0.5)
        if match:
            return aliases[match[0]]
    # a known name inside the header (通勤費用合計 holds 通勤費…) is the next best guess
    inside = [(len(k), aliases[k]) for k in aliases if len(k) >= 2 and any(k in key for key in keys)]
    return max(inside)[1] if inside else None


def locate(grid: Grid, spec: SheetSpec, reporter: Reporter) -> Table | None:
    """The grid's data as a Table of canonical columns (raw values), or None with fatal issues."""
    sheet_label = grid.sheet
    if _reaches_last_row(grid, reporter):
        return None
    aliases = alias_map(spec)
    start, score = _header_index(grid.rows, aliases)
    if start is None:
        _no_header(grid, reporter)
        return None
    header = grid.rows[start]
    header_row = grid.first_row + start
    positions = _header_positions(grid, spec, header, header_row, aliases, reporter)
    missing = [name for name, col in spec.columns.items() if col.required and name not in positions]
    for name in missing:
        col = spec.columns[name]
        reporter.sheet_issue(
            grid.book,
            sheet_label,
            "column_missing",
            field=name,
            label_ja=col.label_ja,
            label_en=col.label_en,
            other=str(header_row),
        )
    if missing:
        return None
    block = _block(grid.rows[start + 1 :], len(header))
    excel_rows = np.arange(len(block), dtype=np.int64) + header_row + 1
    distinct = _factorized(block)
    nonblank = _nonblank_mask(block, distinct)
    key = spec.key if spec.key in positions else next((n for n, c in spec.columns.items() if c.required), None)
    key_pos = positions.get(key) if key else None
    keep = nonblank & _before_totals(grid, block, distinct, nonblank, excel_rows, positions, key_pos, reporter)
    if not keep.all():
        block, excel_rows = block[keep], excel_rows[keep]
        distinct = [(codes[keep], uniques) for codes, uniques in distinct]
    frame = _frame(block, positions)
    columns = {name: grid.first_col + pos for name, pos in positions.items()}
    table = Table(
        grid.book,
        sheet_label,
        frame,
        excel_rows,
        columns,
        grid.table,
        [str(v) for v in header if not is_blank(v) and _canonical(v, aliases) is None],
        # the rows left out leave distinct values no kept row holds: parsed once for nothing, never reported
        distinct={name: distinct[pos] for name, pos in positions.items()},
    )
    if grid.marked:
        _report_uncached(table, spec, reporter)
    _report_outside(grid, spec, columns, header_row, reporter)
    if grid.errors_unseen:
        reporter.sheet_issue(grid.book, grid.sheet, "errors_unseen", Severity.WARNING)
    return table


def _reaches_last_row(grid: Grid, reporter: Reporter) -> bool:
    last_cells = [o for o in grid.outside if o.row >= EXCEL_MAX_ROWS]
    if grid.last_row >= EXCEL_MAX_ROWS and (grid.sheet_last_row or any(not is_blank(v) for v in grid.rows[-1])):
        reporter.sheet_issue(grid.book, grid.sheet, "sheet_full", cell=f"A{EXCEL_MAX_ROWS}")
        return True
    if last_cells:
        reporter.sheet_issue(
            grid.book, grid.sheet, "sheet_full", cell=f"{column_letter(last_cells[0].col)}{last_cells[0].row}"
        )
        return True
    return False


def _no_header(grid: Grid, reporter: Reporter) -> None:
    if not any(not is_blank(v) for row in grid.rows for v in row):
        reporter.sheet_issue(grid.book, grid.sheet, "header_missing")
        return
    tried = grid.rows[:HEADER_ROWS]
    first = grid.first_row
    # the best candidate: the row with the most text cells, as a header row looks
    best = max(range(len(tried)), key=lambda i: sum(isinstance(v, str) and not is_blank(v) for v in tried[i]))
    titles = "、".join(str(v) for v in tried[best] if isinstance(v, str) and not is_blank(v))[:80]
    reporter.sheet_issue(
        grid.book,
        grid.sheet,
        "header_not_found",
        cell=f"A{first + best}",
        other=f"{first}–{first + len(tried) - 1}",
        detail=f"{first + best}",
        value=titles,
    )


def _header_positions(grid, spec, header, header_row, aliases, reporter) -> dict[str, int]:
    """Canonical column -> offset in the header; unknown and repeated headers reported."""
    ignored = {k for word in spec.ignore_columns for k in header_keys(word)}
    positions: dict[str, int] = {}
    for offset, title in enumerate(header):
        if is_blank(title) or isinstance(title, CellError):
            continue
        cell = f"{column_letter(grid.first_col + offset)}{header_row}"
        canonical = _canonical(title, aliases)
        if canonical is None:
            if not any(k in ignored for k in header_keys(title)):
                _unknown_column(grid, spec, title, cell, aliases, reporter)
        elif canonical in positions:
            first = f"{column_letter(grid.first_col + positions[canonical])}{header_row}"
            col = spec.columns[canonical]
            reporter.sheet_issue(
                grid.book,
                grid.sheet,
                "duplicate_column",
                Severity.ERROR,
                cell=cell,
                field=canonical,
                label_ja=col.label_ja,
                label_en=col.label_en,
                other=first,
                value=str(title),
            )
        else:
            positions[canonical] = offset
    return positions


def _unknown_column(grid, spec, title, cell, aliases, reporter) -> None:
    closest = _closest(title, aliases)
    column = spec.columns.get(closest) if closest else None
    money = is_money_like(title, column.kind if column else None)
    book = Path(grid.book).stem
    near_ja = f"近い項目: {column.label_ja}（{closest}）。" if column else ""
    near_en = f"closest known column: {column.label_en} ({closest}). " if column else ""
    where = f"DIR/rules/{book}.yaml → workbooks.{book}.sheets.{spec.name}"
    alias = f"columns.{closest}.aliases: [{title}]" if column else f"columns.<column>.aliases: [{title}]"
    reporter.sheet_issue(
        grid.book,
        grid.sheet,
        "unknown_money_column" if money else "unknown_column",
        Severity.ERROR if money else Severity.WARNING,
        cell=cell,
        field=closest or "",
        value=str(title),
        other=f"{near_ja}別名なら {where}.{alias}、使わない列なら {where}.ignore_columns: [{title}] を追加してください",
        other_en=f"{near_en}If it is that column add {where}.{alias}; if the company keeps it for itself, "
        f"add {where}.ignore_columns: [{title}]",
    )


def _may_be_total(text: str) -> bool:
    """Every totals word holds 計, 額 or "total": a cheap test before the normalising one."""
    return "計" in text or "額" in text or "otal" in text or "OTAL" in text or "ｏｔａｌ" in text or "ＯＴＡＬ" in text


def _total_label_codes(uniques: np.ndarray) -> list[int]:
    """The distinct values of a column that are totals labels. Most columns hold no text that may be
    one at all, which the same cheap test over their texts joined shows before any is looked at alone
    (no mark spans the separator)."""
    held = pd.api.types.infer_dtype(uniques, skipna=True)  # one C pass: which types the column holds
    if held in NO_TEXT:
        return []
    texts = "\x00".join(uniques if held == "string" else [u for u in uniques if isinstance(u, str)])
    if not _may_be_total(texts):
        return []
    return [
        k
        for k, u in enumerate(uniques)
        if isinstance(u, str) and len(u) <= 16 and _may_be_total(u) and _is_total_label(u)
    ]


def _is_total_label(value) -> bool:
    return isinstance(value, str) and header_key(value.rstrip(":：")) in TOTAL_WORDS


def _before_totals(grid, block, distinct, nonblank, excel_rows, positions, key_pos, reporter) -> np.ndarray:
    """False for totals rows (a totals label or a SUM of the rows above, and no key); under the
    first of them, rows filling at most one known column are notes (left out, with a warning),
    rows that carry data are another block."""
    keep = np.ones(len(block), dtype=bool)
    if not len(block):
        return keep
    labelled = set()
    for codes, uniques in distinct:  # judged once per distinct short text of a column, not once per cell
        hits = _total_label_codes(uniques)
        if hits:
            labelled.update(np.flatnonzero(np.isin(codes, hits)).tolist())
    summed = np.flatnonzero(np.isin(excel_rows, sorted(grid.sum_rows))).tolist() if grid.sum_rows else []
    # a row whose key (社員番号, SKU …) is filled is data, whatever else it holds (a running SUM)
    totals = sorted(
        i
        for i in labelled | set(summed)
        if key_pos is None or is_blank(block[i, key_pos]) or _is_total_label(block[i, key_pos])
    )
    if not totals:
        return keep
    used = sorted(positions.values())
    filled = (block[:, used] != "") & ~pd.isna(block[:, used]) if used else np.zeros((len(block), 0), dtype=bool)
    counts = filled.sum(axis=1) if used else np.zeros(len(block), dtype=int)
    keep[totals] = False
    notes = [i for i in range(totals[0] + 1, len(block)) if keep[i] and nonblank[i] and counts[i] <= 1]
    keep[notes] = False
    if notes:
        first = next(j for j, v in enumerate(block[notes[0]]) if not is_blank(v))
        reporter.sheet_issue(
            grid.book,
            grid.sheet,
            "notes_ignored",
            Severity.WARNING,
            cell=f"{column_letter(grid.first_col + first)}{int(excel_rows[notes[0]])}",
            other=str(int(excel_rows[totals[0]])),
            value=f"{len(notes)}",
        )
    return keep


def _report_uncached(table: Table, spec: SheetSpec, reporter: Reporter) -> None:
    """A formula whose result was never saved makes its column unusable: exit 2, per column."""
    for name in table.frame.columns:
        values = table.frame[name].to_numpy(dtype=object)
        where = [i for i, v in enumerate(values) if isinstance(v, UncachedFormula)]
        if where:
            col = spec.columns[name]
            reporter.sheet_issue(
                table.book,
                table.sheet,
                "formula_not_cached",
                cell=table.cell(name, where[0]),
                field=name,
                label_ja=col.label_ja,
                label_en=col.label_en,
                value=str(len(where)),
            )


def _report_outside(grid, spec, columns, header_row, reporter) -> None:
    """A value far from the data: an error under a column the table uses (it may be a lost row),
    a warning elsewhere (it is not read)."""
    used = set(columns.values())
    for cell in grid.outside:
        in_table = cell.col in used and cell.row > header_row
        reporter.sheet_issue(
            grid.book,
            grid.sheet,
            "outside_data",
            Severity.ERROR if in_table else Severity.WARNING,
            cell=f"{column_letter(cell.col)}{cell.row}",
            value=cell.value,
        )
