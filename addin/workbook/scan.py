"""What an .xlsx sheet holds besides plain values, read from its XML before a reader loads it.

The readers hide three things a payroll must not miss: an error cell (#N/A, #REF!, #SPILL! …) reads
as empty, or stops calamine for the Excel 365 ones; a formula whose result was never saved (a book
written by a program and never opened in Excel) reads as empty or 0; and a reader builds the whole
rectangle up to the farthest cell, so one stray value in column XFD or row 1,048,576 costs gigabytes.

So each sheet's XML is searched first. The common case (no error, no formula, no far cell) costs a
few byte searches; otherwise every cell is looked at once, the sheet's data area is the largest
cluster of cells (rows or columns separated by a wide empty gap are "outside"), and the reader is
given a copy of the sheet without the cells outside it.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from addin.model import OutsideCell
from addin.model.table import column_letter

EXCEL_MAX_ROWS = 1_048_576
#: largest uncompressed sheet or string part read at all (a zip bomb stops here)
MAX_PART_BYTES = 512 * 1024 * 1024
#: largest data area (rows × columns) a sheet may span; beyond it the sheet is refused with its cell
MAX_AREA = 30_000_000
#: Excel's own limit on the characters of one cell
MAX_CELL_CHARS = 32_767
#: empty rows / columns that separate a stray cell from the data
ROW_GAP, COL_GAP = 10_000, 64

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)
_TEXT = re.compile(rb"<t\b[^>]*>(.*?)</t>", re.S)
_FAR_COLUMN = re.compile(rb' r="(?:[A-Z]{3}|[D-Z][A-Z]\d)')     # column DA (105) or beyond
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
#: a total of the rows above: SUM(D2:D50), SUBTOTAL(9,D2:D50)
_TOTAL_FORMULA = re.compile(rb"^\s*=?\s*(?:_xlfn\.)?(?:SUM|SUBTOTAL|AGGREGATE)\((?:\d+\s*,\s*)*"
                            rb"\$?[A-Z]{1,3}\$?(\d+)\s*:\s*\$?[A-Z]{1,3}\$?(\d+)", re.I)


class ScanRefused(Exception):
    """The sheet cannot be read safely; `cell` is where, `code` an issue code."""

    def __init__(self, code: str, cell: str, detail: str):
        super().__init__(f"{cell}: {detail}")
        self.code, self.cell, self.detail = code, cell, detail


@dataclass
class Layout:
    """Where each sheet and Table lives inside the package."""

    sheets: dict[str, str] = field(default_factory=dict)             # sheet name -> part
    tables: dict[str, tuple[str, str]] = field(default_factory=dict)  # table name -> (sheet, ref)
    shared_strings: str = ""
    full_calc: bool = False   # the writer asked Excel to calculate on open (xlsxwriter, openpyxl)


@dataclass
class SheetScan:
    errors: dict[tuple[int, int], str] = field(default_factory=dict)   # (row, col) -> "#N/A"
    uncached: set[tuple[int, int]] = field(default_factory=set)
    sum_rows: set[int] = field(default_factory=set)
    outside: list[OutsideCell] = field(default_factory=list)
    drop: set[tuple[int, int]] = field(default_factory=set)           # cells the reader must not see
    box: tuple[int, int, int, int] | None = None                      # data area (r0, c0, r1, c1), 1-based
    rewrite: bool = False

    @property
    def plain(self) -> bool:
        return not (self.errors or self.uncached or self.drop)


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index


def _read(zf: zipfile.ZipFile, part: str) -> bytes:
    info = zf.getinfo(part)
    if info.file_size > MAX_PART_BYTES:
        raise ScanRefused("sheet_too_large", "", f"{part}: {info.file_size:,} bytes")
    return zf.read(info)


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target part) of one part."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    if rels_part not in zf.namelist():
        return {}
    out = {}
    for rel in ElementTree.fromstring(_read(zf, rels_part)).iter(f"{_NS_PKG}Relationship"):
        target = rel.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
    return out


def read_layout(zf: zipfile.ZipFile) -> Layout:
    layout = Layout()
    root = [t for kind, t in _rels(zf, "").values() if kind.endswith("/officeDocument")]
    if not root:
        return layout
    workbook = root[0]
    xml = ElementTree.fromstring(_read(zf, workbook))
    calc = xml.find(f"{_NS_MAIN}calcPr")
    layout.full_calc = calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")
    rels = _rels(zf, workbook)
    for kind, target in rels.values():
        if kind.endswith("/sharedStrings"):
            layout.shared_strings = target
    for sheet in xml.iter(f"{_NS_MAIN}sheet"):
        kind, part = rels.get(sheet.get(f"{_NS_REL}id", ""), ("", ""))
        if not part:
            continue
        layout.sheets[sheet.get("name", "")] = part
        for table_kind, table_part in _rels(zf, part).values():
            if table_kind.endswith("/table") and table_part in zf.namelist():
                table = ElementTree.fromstring(_read(zf, table_part))
                name = table.get("displayName") or table.get("name") or ""
                layout.tables[name] = (sheet.get("name", ""), table.get("ref", ""))
    return layout


def _needs_full_scan(data: bytes) -> bool:
    if b't="e"' in data or b"<f>" in data or b"<f " in data or _FAR_COLUMN.search(data):
        return True
    # rows come in order: a wide gap among the last few, or the very last row, means far rows
    end, previous, steps = len(data), None, 0
    while steps < 16:
        at = data.rfind(b'<row r="', 0, end)
        if at < 0:
            return False
        number = int(re.match(rb'<row r="(\d+)"', data[at:at + 20])[1])
        if (previous is None and number >= EXCEL_MAX_ROWS) or (previous is not None and previous - number > ROW_GAP):
            return True
        previous, end, steps = number, at, steps + 1
    return False


def _clusters(values: list[int], gap: int) -> tuple[int, int]:
    """The (first, last) of the run holding most of `values` (sorted, with repeats), runs split at gaps."""
    best, best_count, start, count = (values[0], values[0]), 0, values[0], 0
    previous = values[0]
    for v in values:
        if v - previous > gap:
            if count > best_count:
                best, best_count = (start, previous), count
            start, count = v, 0
        count += 1
        previous = v
    if count > best_count:
        best = (start, previous)
    return best


def _inline_text(inner: bytes) -> str:
    return "".join(m.decode("utf-8", "replace") for m in _TEXT.findall(inner))


def scan_sheet(zf: zipfile.ZipFile, layout: Layout, sheet: str) -> tuple[SheetScan, bytes | None]:
    """What the sheet holds, and its XML when it was read whole (None in the common, cheap case)."""
    data = _read(zf, layout.sheets[sheet])
    scan = SheetScan()
    if not _needs_full_scan(data):
        return scan, None
    cells = []   # (row, col, type, inner)
    for match in _CELL.finditer(data):
        ref = _REF.search(match[1])
        inner = match[3] or b""
        if ref is None or not inner.strip():
            continue          # an empty, styled cell: no reader keeps it
        row, col = int(ref[2]), _column_index(ref[1])
        kind = _TYPE.search(match[1])
        cells.append((row, col, kind[1] if kind else b"n", inner))
    if not cells:
        return scan, data
    for row, col, kind, inner in cells:
        _judge_cell(scan, layout, row, col, kind, inner)
    r0, r1 = _clusters(sorted(c[0] for c in cells), ROW_GAP)
    c0, c1 = _clusters(sorted(c[1] for c in cells), COL_GAP)
    scan.box = (r0, c0, r1, c1)
    if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_AREA:
        raise ScanRefused("sheet_too_large", f"{column_letter(c1)}{r1}", f"{r1 - r0 + 1:,} × {c1 - c0 + 1:,}")
    strings = None
    for row, col, kind, inner in cells:
        if r0 <= row <= r1 and c0 <= col <= c1:
            continue
        scan.drop.add((row, col))
        if kind == b"s" and strings is None:
            strings = shared_strings(zf, layout)
        text = _shown(kind, inner, strings)
        if text.strip():
            scan.outside.append(OutsideCell(row, col, text[:60]))
    # error cells are taken out too: python-calamine refuses the values it does not know (#SPILL!, #CALC! …)
    scan.rewrite = bool(scan.drop or scan.errors)
    return scan, data


def _judge_cell(scan: SheetScan, layout: Layout, row: int, col: int, kind: bytes, inner: bytes) -> None:
    value = _VALUE.search(inner)
    text = value[1] if value else b""
    formula = _FORMULA.search(inner)
    if kind == b"e":
        scan.errors[(row, col)] = text.decode("utf-8", "replace").strip() or "#ERROR"
    elif formula is not None and (not text.strip() or (layout.full_calc and kind == b"n" and text.strip() == b"0")):
        # no result saved; or the placeholder 0 a writer leaves when it asks Excel to calculate on open
        scan.uncached.add((row, col))
    elif kind == b"n" and text:
        try:
            finite = math.isfinite(float(text))
        except ValueError:
            finite = True     # the reader reports what it makes of it
        if not finite:
            scan.errors[(row, col)] = text.decode("ascii", "replace")
    elif kind == b"inlineStr" and len(inner) > MAX_CELL_CHARS and len(_inline_text(inner)) > MAX_CELL_CHARS:
        raise ScanRefused("value_too_long", f"{column_letter(col)}{row}", f"{len(_inline_text(inner)):,}")
    total = _TOTAL_FORMULA.match(formula[1]) if formula is not None and formula[1] else None
    if total is not None and int(total[1]) < int(total[2]) < row:
        scan.sum_rows.add(row)


def _shown(kind: bytes, inner: bytes, strings: list[str] | None) -> str:
    if kind == b"inlineStr":
        return _inline_text(inner)
    value = _VALUE.search(inner)
    text = value[1].decode("utf-8", "replace") if value else ""
    if kind == b"s" and strings is not None and text.isdigit() and int(text) < len(strings):
        return strings[int(text)]
    return text


def shared_strings(zf: zipfile.ZipFile, layout: Layout) -> list[str]:
    if not layout.shared_strings or layout.shared_strings not in zf.namelist():
        return []
    data = _read(zf, layout.shared_strings)
    return [_inline_text(si) for si in re.findall(rb"<si>(.*?)</si>", data, re.S)]


def without_cells(data: bytes, scan: SheetScan) -> bytes:
    """The sheet XML without the cells outside its data and without error cells (put back as markers)."""
    def keep(match: re.Match) -> bytes:
        ref = _REF.search(match[1])
        if ref is None:
            return match[0]
        at = (int(ref[2]), _column_index(ref[1]))
        if at in scan.drop or at in scan.errors:
            return b""
        return match[0]

    return _DIMENSION.sub(b"", _CELL.sub(keep, data))


def rewritten_package(zf: zipfile.ZipFile, replaced: dict[str, bytes]) -> io.BytesIO:
    """The package with some parts replaced, in memory (stored, not compressed: it is read at once)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in zf.infolist():
            copy.writestr(info.filename, replaced.get(info.filename) or zf.read(info))
    out.seek(0)
    return out
