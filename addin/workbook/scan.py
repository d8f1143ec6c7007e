"""What an .xlsx sheet holds besides plain values, read from its XML before a reader loads it.

The readers hide three things a payroll must not miss: an error cell (#N/A, #REF!, #SPILL! …) reads
as empty, or stops calamine for the Excel 365 ones; a formula whose result was never saved (a book
written by a program and never opened in Excel) reads as empty or 0; and a reader builds the whole
rectangle up to the farthest cell, so one stray value in column XFD or row 1,048,576 costs gigabytes.

So each sheet's XML is searched first, by bytes: the common case (no error, no formula, no far
cell) costs a few searches; otherwise only the cells found — error cells, formulas, cells in far
columns, rows past a wide gap — are parsed. The data area runs from the first row to the last one
before a gap of more than ROW_GAP empty rows at the end, and over the columns up to CZ plus those
chained to them; what lies outside it is listed, and the reader is given a copy of the sheet
without those cells and without the error cells (put back as markers).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from addin.model import OutsideCell
from addin.model.table import column_letter

EXCEL_MAX_ROWS, EXCEL_MAX_COLUMNS = 1_048_576, 16_384
#: largest uncompressed sheet or string part read at all (a zip bomb stops here)
MAX_PART_BYTES = 512 * 1024 * 1024
#: largest data area (rows × columns) a sheet may span; beyond it the sheet is refused with its cell
MAX_AREA = 30_000_000
#: empty rows / columns that separate a stray cell from the data
ROW_GAP, COL_GAP = 10_000, 64
#: the most rows a far tail (past the gap) may have; more, and they are the data
MAX_TAIL_ROWS = 1_000

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)
_TEXT = re.compile(rb"<t\b[^>]*>(.*?)</t>", re.S)
#: a cell in column DA (105) or beyond, in a row past 999,999, or with a reference no sheet can hold
_FAR_COLUMN = re.compile(rb' r="(?:[A-Z]{3}|[D-Z][A-Z]\d|[A-Z]{1,2}\d{7})')
_ANY_REF = re.compile(rb'\br="([^"]{0,40})')
FIRST_FAR_COLUMN = 105
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
# is there any? asked of the whole part: re's literal search is 1.5–2.5× faster here than `in`, whose
# search for a needle starting with the ever-present "<" or a quote stalls at every tag
_ERROR_TYPE = re.compile(rb't="e"')
_FORMULA_TAG = re.compile(rb"<f[ >]")
#: a total of the rows above: SUM(D2:D50), SUBTOTAL(9,D2:D50)
_TOTAL_FORMULA = re.compile(
    rb"^\s*=?\s*(?:_xlfn\.)?(?:SUM|SUBTOTAL|AGGREGATE)\((?:\d+\s*,\s*)*"
    rb"\$?[A-Z]{1,3}\$?(\d+)\s*:\s*\$?[A-Z]{1,3}\$?(\d+)",
    re.I,
)


class ScanRefused(Exception):
    """The sheet cannot be read safely; `cell` is where, `code` an issue code."""

    def __init__(self, code: str, cell: str, detail: str):
        super().__init__(f"{cell}: {detail}")
        self.code, self.cell, self.detail = code, cell, detail


@dataclass
class Layout:
    """Where each sheet and Table lives inside the package."""

    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> part
    tables: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # name -> (sheet, ref, totals rows)
    shared_strings: str = ""
    full_calc: bool = False  # the writer asked Excel to calculate on open (xlsxwriter, openpyxl)
    workbook: str = ""  # the workbook part (xl/workbook.xml)
    styles: str = ""  # its styles part: the number formats that make a number a date


@dataclass
class SheetScan:
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "#N/A"
    uncached: set[tuple[int, int]] = field(default_factory=set)
    sum_rows: set[int] = field(default_factory=set)
    outside: list[OutsideCell] = field(default_factory=list)
    drop: set[tuple[int, int]] = field(default_factory=set)  # cells the reader must not see
    box: tuple[int, int, int, int] | None = None  # data area (r0, c0, r1, c1), 1-based
    removed: list[tuple[int, int]] = field(default_factory=list)  # byte spans left out of the copy
    rewrite: bool = False


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
    workbook = layout.workbook = root[0]
    xml = ElementTree.fromstring(_read(zf, workbook))
    calc = xml.find(f"{_NS_MAIN}calcPr")
    layout.full_calc = calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")
    rels = _rels(zf, workbook)
    for kind, target in rels.values():
        if kind.endswith("/styles") and target in zf.namelist():
            layout.styles = target
        if kind.endswith("/sharedStrings") and target in zf.namelist():
            layout.shared_strings = target
            if zf.getinfo(target).file_size > MAX_PART_BYTES:  # the reader would load it whole
                raise ScanRefused("sheet_too_large", "", f"{target}: {zf.getinfo(target).file_size:,} bytes")
    for sheet in xml.iter(f"{_NS_MAIN}sheet"):
        kind, part = rels.get(sheet.get(f"{_NS_REL}id", ""), ("", ""))
        if not part:
            continue
        layout.sheets[sheet.get("name", "")] = part
        for table_kind, table_part in _rels(zf, part).values():
            if table_kind.endswith("/table") and table_part in zf.namelist():
                table = ElementTree.fromstring(_read(zf, table_part))
                name = table.get("displayName") or table.get("name") or ""
                totals = int(table.get("totalsRowCount") or 0) if (table.get("totalsRowCount") or "0").isdigit() else 0
                layout.tables[name] = (sheet.get("name", ""), table.get("ref", ""), totals)
    return layout


_ROW_TAG = re.compile(rb'<row\b[^>]*?\br="(\d+)"')


def _cell_span(data: bytes, inside: int) -> tuple[int, int]:
    """(start, end) of the cell element whose start tag holds position `inside`."""
    start = data.rfind(b"<c ", 0, inside + 1)
    close = data.find(b">", inside)
    if data[close - 1 : close] == b"/":
        return start, close + 1
    return start, data.find(b"</c>", close) + 4


def _cell_at(data: bytes, span: tuple[int, int]) -> tuple[int, int, bytes, bytes] | None:
    """(row, col, type, inner XML) of the cell in `span`."""
    match = _CELL.match(data, span[0], span[1])
    ref = _REF.search(match[1]) if match else None
    if ref is None:
        return None
    kind = _TYPE.search(match[1])
    return int(ref[2]), _column_index(ref[1]), kind[1] if kind else b"n", match[3] or b""


def _row_end(data: bytes, start: int) -> int:
    close = data.find(b">", start)
    if data[close - 1 : close] == b"/":
        return close + 1
    return data.find(b"</row>", close) + 6


def _tail_is_far(data: bytes) -> bool:
    """Rows come in order: a wide gap among the last rows, or the very last row itself, means far rows."""
    end, previous = len(data), None
    for _ in range(16):
        at = data.rfind(b"<row ", 0, end)
        match = _ROW_TAG.match(data, at) if at >= 0 else None
        if match is None:
            return False
        number = int(match[1])
        if (previous is None and number >= EXCEL_MAX_ROWS) or (previous is not None and previous - number > ROW_GAP):
            return True
        previous, end = number, at
    return False


def _far_tail(data: bytes) -> tuple[list[tuple[int, int]], int]:
    """The rows past the last wide gap, as (number, position), walking back from the end, and the
    last row of the data before them. No gap within MAX_TAIL_ROWS: the data reach the last row."""
    end, tail, previous = len(data), [], None
    while len(tail) < MAX_TAIL_ROWS:
        at = data.rfind(b"<row ", 0, end)
        match = _ROW_TAG.match(data, at) if at >= 0 else None
        if match is None:
            break
        number = int(match[1])
        if previous is not None and previous - number > ROW_GAP:
            return tail, number
        tail.append((number, at))
        previous, end = number, at
    return [], tail[0][0] if tail else 0


def _inline_text(inner: bytes) -> str:
    return "".join(m.decode("utf-8", "replace") for m in _TEXT.findall(inner))


def _occurrences(data: bytes, needle: bytes):
    at = data.find(needle)
    while at >= 0:
        yield at
        at = data.find(needle, at + 1)


def scan_sheet(zf: zipfile.ZipFile, layout: Layout, sheet: str) -> tuple[SheetScan, bytes]:
    """What the sheet holds, and its XML.

    Only the cells that matter are parsed — error cells, formulas, cells in far columns (DA and
    beyond) and far rows — each found by a byte search, so the cost follows them, not the sheet."""
    data = _read(zf, layout.sheets[sheet])
    scan = SheetScan()
    far_columns = list(_FAR_COLUMN.finditer(data))
    errors = _ERROR_TYPE.search(data) is not None
    formulas = _FORMULA_TAG.search(data) is not None  # <f> and <f t="shared" …>, the two forms judged below
    far_rows = _tail_is_far(data)
    if not (far_columns or errors or formulas or far_rows):
        return scan, data
    removed: list[tuple[int, int]] = []  # spans of XML the reader must not see
    outside: list[tuple[int, int, bytes, bytes]] = []
    tail, r1 = _far_tail(data) if far_rows else ([], 0)
    for _number, at in tail:
        end = _row_end(data, at)
        removed.append((at, end))
        outside += [c for c in (_cell_at(data, (m.start(), m.end())) for m in _CELL.finditer(data, at, end)) if c]
    c1 = _wide_columns(data, far_columns, removed, outside)
    for at in _occurrences(data, b't="e"') if errors else ():
        cell = _cell_at(data, _cell_span(data, at))
        if cell and not _in(removed, at):
            value = _VALUE.search(cell[3])
            text = value[1].decode("utf-8", "replace").strip() if value else ""
            scan.errors[cell[:2]] = text or "#ERROR"
            removed.append(_cell_span(data, at))
    for needle in (b"<f>", b"<f ") if formulas else ():
        for at in _occurrences(data, needle):
            if not _in(removed, at):
                cell = _cell_at(data, _cell_span(data, at))
                if cell:
                    _judge_formula(scan, layout, *cell)
    first_row = _ROW_TAG.search(data)
    if far_rows or far_columns:
        last_row = _ROW_TAG.match(data, data.rfind(b"<row ")) if not far_rows else None
        scan.box = (
            int(first_row[1]) if first_row else 1,
            1,
            r1 if far_rows else int(last_row[1]) if last_row else 1,
            c1,
        )
        if (scan.box[2] - scan.box[0] + 1) * scan.box[3] > MAX_AREA and scan.box[2] < EXCEL_MAX_ROWS:
            raise ScanRefused(
                "sheet_too_large", f"{column_letter(c1)}{scan.box[2]}", f"{scan.box[2] - scan.box[0] + 1:,} × {c1:,}"
            )
    _report_outside(zf, layout, scan, outside)
    scan.removed = sorted(removed)
    scan.rewrite = bool(removed)
    return scan, data


def _in(spans: list[tuple[int, int]], at: int) -> bool:
    return any(start <= at < end for start, end in spans)


def _wide_columns(data: bytes, far_columns, removed, outside) -> int:
    """The last column of the data: cells in columns DA and beyond count when a chain of them, each
    within COL_GAP of the last, reaches back to column CZ; the others are outside."""
    first = _ROW_TAG.search(data)
    header_end = first.start() if first else 0
    for _ in range(30):  # the header lies in the first rows
        nxt = data.find(b"<row ", header_end + 1)
        if nxt < 0:
            header_end = len(data)
            break
        header_end = nxt
    width = max(
        (
            c[1]
            for c in (_cell_at(data, (m.start(), m.end())) for m in _CELL.finditer(data, 0, header_end))
            if c and c[1] <= FIRST_FAR_COLUMN - 1
        ),
        default=1,
    )
    cells = []
    for match in far_columns:
        if not _in(removed, match.start()):
            span = _cell_span(data, match.start())
            cell = _cell_at(data, span)
            if cell is None or cell[0] > EXCEL_MAX_ROWS or cell[1] > EXCEL_MAX_COLUMNS:
                ref = _ANY_REF.search(data, span[0], span[1])
                text = ref[1].decode("ascii", "replace") if ref else "?"
                raise ScanRefused(
                    "book_unreadable", text, f"セル参照「{text}」が不正です / malformed cell reference {text!r}"
                )
            cells.append((cell, span))
    last, chain = width, FIRST_FAR_COLUMN - 1
    for col in sorted({c[0][1] for c in cells}):
        if col - chain > COL_GAP:
            break
        last = chain = col
    for cell, span in cells:
        if cell[1] > last and cell[3].strip():
            removed.append(span)
            outside.append(cell)
    return last


def _report_outside(zf, layout, scan: SheetScan, outside) -> None:
    strings = None
    for row, col, kind, inner in outside:
        scan.drop.add((row, col))
        if kind == b"s" and strings is None:
            strings = shared_strings(zf, layout)
        text = _shown(kind, inner, strings)
        if text.strip():
            scan.outside.append(OutsideCell(row, col, text[:60]))


def _judge_formula(scan: SheetScan, layout: Layout, row: int, col: int, kind: bytes, inner: bytes) -> None:
    value = _VALUE.search(inner)
    text = value[1] if value else b""
    formula = _FORMULA.search(inner)
    if formula is None:
        return
    if not text.strip() or (layout.full_calc and kind == b"n" and text.strip() == b"0"):
        # no result saved; or the placeholder 0 a writer leaves when it asks Excel to calculate on open
        scan.uncached.add((row, col))
    total = _TOTAL_FORMULA.match(formula[1]) if formula[1] else None
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
    pieces, at = [], 0
    for start, end in scan.removed:
        if start >= at:
            pieces.append(data[at:start])
            at = end
    pieces.append(data[at:])
    xml = b"".join(pieces)
    dimension = _DIMENSION.search(xml, 0, 4096)  # near the top: a wrong one would mislead a reader
    return xml[: dimension.start()] + xml[dimension.end() :] if dimension else xml


#: what stands in the copy for the sheets not being read (the copy serves one sheet)
_EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)


def package_parts(zf: zipfile.ZipFile, layout: Layout, sheet: str) -> list[tuple[zipfile.ZipInfo, bytes | None]]:
    """The parts of a copy that serves one sheet's values: that sheet's part as None (its XML is given
    per copy), the other sheets emptied, and only what a reader needs besides (content types, the
    workbook and its relationships, styles, shared strings), each within MAX_PART_BYTES. Pictures,
    macros, pivot caches and whatever else a package carries stay out: they are never read for values."""
    own, others = layout.sheets[sheet], set(layout.sheets.values())
    folder, name = posixpath.split(layout.workbook)
    needed = {"[Content_Types].xml", "_rels/.rels", layout.workbook, posixpath.join(folder, "_rels", name + ".rels")}
    needed |= {part for part in (layout.styles, layout.shared_strings) if part}
    parts: list[tuple[zipfile.ZipInfo, bytes | None]] = []
    for info in zf.infolist():
        if info.filename == own:
            parts.append((info, None))
        elif info.filename in others:
            parts.append((info, _EMPTY_SHEET))
        elif info.filename in needed:
            parts.append((info, _read(zf, info.filename)))
    return parts


def stored_packages(parts: list[tuple[zipfile.ZipInfo, bytes | None]], sheets: list[list]) -> list[io.BytesIO]:
    """One package per sheet XML (given as pieces, written one after the other), in memory and stored,
    not compressed: it is read at once."""
    out = []
    for pieces in sheets:
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w", zipfile.ZIP_STORED) as copy:
            for info, content in parts:
                if content is not None:
                    copy.writestr(info.filename, content)
                    continue
                with copy.open(info.filename, "w") as part:
                    for piece in pieces:
                        part.write(piece)
        package.seek(0)
        out.append(package)
    return out


def rewritten_package(zf: zipfile.ZipFile, layout: Layout, sheet: str, xml: bytes) -> io.BytesIO:
    """The package with `sheet`'s XML replaced and the other sheets emptied."""
    return stored_packages(package_parts(zf, layout, sheet), [[xml]])[0]
