"""Headless adapters over workbook files on disk (.xlsx, .xlsm, .xlsb, .xls, .ods).

python-calamine is the fast path (Rust, reads cached formula values, ignores a wrong `dimension`);
openpyxl serves where calamine cannot parse a package and is kept as an independent second reader.
For a package (.xlsx/.xlsm) both see each sheet through `scan`: error cells and formulas without a
saved result come back as `CellError`s, and cells far outside the data are left out (and listed),
so the cost of a read follows the data, not the sheet's extent.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import python_calamine as calamine

from addin import collector
from addin.model import UNCACHED, CellError, Grid
from addin.workbook.bands import Band, band_count, band_cuts, band_sheets, read_band, read_bands
from addin.workbook.protocol import BookUnreadable
from addin.workbook.scan import (
    EXCEL_MAX_ROWS,
    Layout,
    ScanRefused,
    package_parts,
    read_layout,
    rewritten_package,
    scan_sheet,
    stored_packages,
    without_cells,
)

#: the largest workbook file opened at all
MAX_BOOK_BYTES = 512 * 1024 * 1024


def _fill_merged(rows: list[list], ranges, first_row0: int, first_col0: int) -> None:
    """A merged block shows one value; every cell under it means that value (a department merged down)."""
    for (r0, c0), (r1, c1) in ranges or []:
        top, left = r0 - first_row0, c0 - first_col0
        if not (0 <= top < len(rows) and 0 <= left < len(rows[top])):
            continue
        value = rows[top][left]
        for r in range(max(top, 0), min(r1 - first_row0, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(max(left, 0), min(c1 - first_col0, len(row) - 1) + 1):
                row[c] = value


def check_regular_file(path: Path, name: str) -> None:
    """Only a regular file is opened: a FIFO would hang, a link to /dev/zero would never end."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise BookUnreadable(name, "book_missing") from None
    except OSError as exc:
        raise BookUnreadable(name, "book_unreadable", f"{exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise BookUnreadable(name, "book_unreadable", "通常のファイルではありません / not a regular file")
    if info.st_size > MAX_BOOK_BYTES:
        raise BookUnreadable(
            name, "book_unreadable", f"{info.st_size:,} バイトは大きすぎます / {info.st_size:,} bytes is too large"
        )


def _package_layout(path: Path, name: str) -> Layout | None:
    """The layout of an Office Open XML package, or None for any other format (.xls, .ods …)."""
    if not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            if "content.xml" in zf.namelist() and "mimetype" in zf.namelist():
                return None  # OpenDocument
            layout = read_layout(zf)
    except ScanRefused as refused:
        raise BookUnreadable(name, "sheet_too_large", refused.detail) from None
    except Exception:  # noqa: BLE001 - a damaged package: the reader itself says what it can
        return None
    return layout if layout.sheets else None


def _overlay(rows: list[list], first_row: int, first_col: int, scan) -> None:
    """Put error markers where the reader saw nothing (or a misleading value)."""
    marks = {**{at: CellError(text) for at, text in scan.errors.items()}, **{at: UNCACHED for at in scan.uncached}}
    if not marks:
        return
    for (row, col), mark in marks.items():
        r, c = row - first_row, col - first_col
        if r < 0 or c < 0:
            continue  # above or left of everything read: not in any table
        while len(rows) <= r:
            rows.append([])
        line = rows[r]
        if len(line) <= c:
            line.extend([""] * (c + 1 - len(line)))
        line[c] = mark
    width = max((len(r) for r in rows), default=0)
    for line in rows:
        if len(line) < width:
            line.extend([""] * (width - len(line)))


def _reader_failure(name: str, exc: BaseException) -> BookUnreadable:
    if isinstance(exc, calamine.PasswordError):
        return BookUnreadable(name, "book_encrypted")
    return BookUnreadable(name, "book_unreadable", _why(exc))


def _why(exc: BaseException) -> str:
    """A person's reason first; the reader's own words last, for whoever has to look deeper."""
    text = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, (calamine.ZipError, zipfile.BadZipFile)) or "zip" in text.lower() or "archive" in text.lower():
        reason = "Excelファイル（.xlsx）ではないか、壊れています / not an .xlsx file, or damaged"
    else:
        reason = "この形式は読めないか、ファイルが壊れています / an unreadable format, or a damaged file"
    return f"{reason} [{text}]"


def passes_through(exc: BaseException) -> bool:
    """Whatever a reader raises means a bad book (a Rust panic is a BaseException), except a
    person's Ctrl+C or an exit: those go on up."""
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


class _PackageBook:
    """What both readers share for a package: its layout, Tables, and each sheet's scan."""

    path: Path
    name: str
    _layout: Layout | None = None

    def _scan(self, sheet: str, parallel: bool = False):
        """(the sheet's scan, a cleaned copy to read it from or None for the book itself, and with
        `parallel` one package per band of rows when the sheet is worth cutting, else None)."""
        if self._layout is None or sheet not in self._layout.sheets:
            return None, None, None
        try:
            with zipfile.ZipFile(self.path) as zf:
                scan, xml = scan_sheet(zf, self._layout, sheet)
                if scan.rewrite:
                    return scan, rewritten_package(zf, self._layout, sheet, without_cells(xml, scan)), None
                if not parallel or scan.box is not None:  # far rows or wide columns: read whole, as scanned
                    return scan, None, None
                return scan, None, self._bands(zf, sheet, xml)
        except ScanRefused as refused:
            raise BookUnreadable(self.name, refused.code, f"{sheet}!{refused.cell} {refused.detail}".strip()) from None
        except Exception as exc:  # noqa: BLE001 - a part missing or damaged inside the package
            raise BookUnreadable(self.name, "book_unreadable", f"{sheet}: {_why(exc)}") from None

    def _bands(self, zf: zipfile.ZipFile, sheet: str, xml: bytes):
        """One package per band of rows, or None: the sheet is read whole when it is not worth
        cutting, or when a band cannot be made (a damaged part the whole read never looks at)."""
        assert self._layout is not None
        strings = zf.getinfo(self._layout.shared_strings).file_size if self._layout.shared_strings else 0
        cuts = band_cuts(xml, band_count(len(xml), shared_strings=strings))
        if cuts is None:
            return None
        try:
            return stored_packages(package_parts(zf, self._layout, sheet), band_sheets(xml, cuts))
        except Exception:  # noqa: BLE001 - a bad CRC in a part, a lack of memory: the whole read decides
            return None

    def _finish(self, grid: Grid, scan) -> Grid:
        if scan is None:
            return grid
        _overlay(grid.rows, grid.first_row, grid.first_col, scan)
        grid.outside = scan.outside
        grid.sum_rows = scan.sum_rows
        grid.marked = bool(scan.errors or scan.uncached)
        if scan.box is not None and scan.box[2] >= EXCEL_MAX_ROWS:
            grid.sheet_last_row = scan.box[2]
        return grid

    def table_names(self) -> list[str]:
        return list(self._layout.tables) if self._layout else []

    def read_table(self, name: str) -> Grid:
        """A Table is its sheet's cells inside the Table's range (clipped to the data: a range of
        A1:XFD1048576 costs what the data cost), header and data body: its totals row is not data."""
        from openpyxl.utils.cell import range_boundaries

        if not self._layout or name not in self._layout.tables:
            raise BookUnreadable(self.name, "sheet_missing", name)
        sheet, ref, totals = self._layout.tables[name]
        grid = self.read_sheet(sheet)
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            max_row -= totals
        except (ValueError, TypeError):
            raise BookUnreadable(self.name, "book_unreadable", f"{name}: {ref!r}") from None
        top, left = max(min_row - grid.first_row, 0), max(min_col - grid.first_col, 0)
        bottom, right = max_row - grid.first_row + 1, max_col - grid.first_col + 1
        rows = [line[left:right] for line in grid.rows[top:bottom]]
        return Grid(
            self.name,
            sheet,
            rows,
            grid.first_row + top,
            grid.first_col + left,
            table=name,
            hidden=grid.hidden,
            outside=grid.outside,
            sum_rows=grid.sum_rows,
            marked=grid.marked,
        )


class CalamineBook(_PackageBook):
    def __init__(self, path: Path, name: str | None = None, recalculated: bool = False):
        self.path = Path(path)
        self.name = name or self.path.name
        check_regular_file(self.path, self.name)
        self._layout = _package_layout(self.path, self.name)
        if self._layout is not None and recalculated:
            self._layout.full_calc = False  # every result in it was just calculated
        self._wb = self._open(self.path)
        try:
            self._hidden = {m.name for m in self._wb.sheets_metadata if m.visible != calamine.SheetVisibleEnum.Visible}
        except BaseException as exc:
            if passes_through(exc):
                raise
            self._hidden = set()

    def _open(self, source):
        """calamine by the file's name, then by its content (an .ods or .xls renamed .xlsx)."""
        first: BaseException | None = None
        for attempt in (
            lambda: calamine.CalamineWorkbook.from_path(str(source)),
            lambda: calamine.CalamineWorkbook.from_filelike(_bytes_of(source)),
        ):
            try:
                return attempt()
            except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
                if passes_through(exc):
                    raise
                if isinstance(exc, calamine.PasswordError):
                    raise _reader_failure(self.name, exc) from None
                first = first or exc
        raise _reader_failure(self.name, first) from None

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheet_names)

    def read_sheet(self, name: str) -> Grid:
        scan, copy, banded = self._scan(name, parallel=True)
        if scan is not None and scan.box is not None and scan.box[2] >= EXCEL_MAX_ROWS:
            return Grid(
                self.name, name, [], scan.box[0], scan.box[1], hidden=name in self._hidden, sheet_last_row=scan.box[2]
            )
        try:
            with collector.paused():  # a list per row, no cycles
                read = (read_bands(banded, name, EXCEL_MAX_ROWS - 1) if banded else None) or self._read_whole(
                    name, copy
                )
            if read.rows is None:  # the data reach the sheet's last row: not converted
                return Grid(
                    self.name,
                    name,
                    [],
                    read.start[0] + 1,
                    read.start[1] + 1,
                    hidden=name in self._hidden,
                    sheet_last_row=read.end[0] + 1,
                )
            _fill_merged(read.rows, read.merged, *(read.start or (0, 0)))
        except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
            if passes_through(exc):
                raise
            raise BookUnreadable(self.name, "book_unreadable", f"{name}: {_why(exc)}") from None
        row0, col0 = read.start or (0, 0)
        if read.start is None and scan is not None and (scan.errors or scan.uncached):
            row0, col0 = min(r for r, _ in [*scan.errors, *scan.uncached]) - 1, 0
        grid = Grid(
            self.name,
            name,
            read.rows,
            row0 + 1,
            col0 + 1,
            hidden=name in self._hidden,
            errors_unseen=self._layout is None,
        )
        return self._finish(grid, scan)

    def _read_whole(self, name: str, copy) -> Band:
        """The sheet in one parse, from the book itself or from its cleaned copy."""
        book = calamine.CalamineWorkbook.from_filelike(copy) if copy is not None else self._wb
        return read_band(book, name, EXCEL_MAX_ROWS - 1)


def _bytes_of(source):
    import io

    if isinstance(source, (str, Path)):
        with open(source, "rb") as fh:
            return io.BytesIO(fh.read())
    return source


class OpenpyxlBook(_PackageBook):
    """The same protocol over openpyxl; slower, used where calamine cannot parse a package."""

    def __init__(self, path: Path, name: str | None = None, recalculated: bool = False):
        import openpyxl

        self.path = Path(path)
        self.name = name or self.path.name
        check_regular_file(self.path, self.name)
        self._layout = _package_layout(self.path, self.name)
        if self._layout is not None and recalculated:
            self._layout.full_calc = False
        try:
            # not read-only: merged ranges are only known to a fully loaded workbook; memory follows
            # the cells that exist (openpyxl keeps them sparse) and `_scan` bounds what is iterated
            self._wb = openpyxl.load_workbook(self.path, data_only=True)
        except BaseException as exc:  # noqa: BLE001 - openpyxl raises many unrelated types for a damaged file
            if passes_through(exc):
                raise
            raise _reader_failure(self.name, exc) from None
        if self._layout is None:
            self._layout = Layout(
                sheets={},
                tables={
                    name: (ws.title, ws.tables[name].ref) for ws in self._wb.worksheets for name in ws.tables.keys()
                },
            )

    def sheet_names(self) -> list[str]:
        return list(self._wb.sheetnames)

    def read_sheet(self, name: str) -> Grid:
        ws = self._wb[name]
        scan, _, _ = self._scan(name)
        if scan is not None and scan.box is not None:
            min_row, min_col, max_row, max_col = scan.box
        else:
            min_row, min_col, max_row, max_col = ws.min_row, ws.min_column, ws.max_row, ws.max_column
        if max_row >= EXCEL_MAX_ROWS:
            return Grid(self.name, name, [], 1, 1, sheet_last_row=max_row)
        rows = [
            ["" if v is None else v for v in row]
            for row in ws.iter_rows(
                min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True
            )
        ]
        merged = [((r.min_row - 1, r.min_col - 1), (r.max_row - 1, r.max_col - 1)) for r in ws.merged_cells.ranges]
        _fill_merged(rows, merged, min_row - 1, min_col - 1)
        grid = Grid(self.name, ws.title, rows, min_row, min_col, hidden=ws.sheet_state != "visible")
        return self._finish(grid, scan)


def open_book(path: Path, name: str | None = None, recalculated: bool = False):
    """The fastest adapter that can read the file (`recalculated`: a copy LibreOffice just calculated)."""
    check_regular_file(Path(path), name or Path(path).name)
    try:
        return CalamineBook(path, name, recalculated)
    except BookUnreadable as problem:
        if problem.code != "book_unreadable" or not zipfile.is_zipfile(path):
            raise
        try:
            return OpenpyxlBook(path, name, recalculated)
        except BookUnreadable:
            raise problem from None
