"""A large sheet read as bands of rows in parallel (addin/workbook/bands.py) is the very grid the
whole read gives: values, positions, merged blocks, the empty rows at a cut, a column only the lower
rows use; rows out of order or a band that cannot be parsed fall back to the whole read."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter

from addin.services.company import load_company
from addin.services.setup import make_demo
from addin.services.validation import validate_company
from addin.workbook import CalamineBook, BookUnreadable
from addin.workbook import bands
from addin.workbook.bands import Band, band_count, band_cuts, joined
from addin.workbook.scan import package_parts

SHEET = "Data"


@pytest.fixture
def banded(monkeypatch):
    """Every sheet is cut into four bands (three cores + 1), however small; the bands read are kept."""
    monkeypatch.setattr(bands, "BAND_MIN_BYTES", 1)
    monkeypatch.setattr(bands, "cores", lambda: 3)
    seen: list[Band | None] = []
    read = bands.read_bands

    def spying(packages, sheet, last_row0):
        result = read(packages, sheet, last_row0)
        seen.append(result)
        return result

    monkeypatch.setattr("addin.workbook.files.read_bands", spying)
    return seen


def whole(path, sheet=SHEET):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bands, "BAND_MIN_BYTES", 10**12)
        return CalamineBook(path).read_sheet(sheet)


def same_grid(a, b) -> None:
    assert a.rows == b.rows
    assert (a.first_row, a.first_col, a.sheet_last_row, a.hidden, a.marked) == (
        b.first_row,
        b.first_col,
        b.sheet_last_row,
        b.hidden,
        b.marked,
    )
    assert a.outside == b.outside and a.sum_rows == b.sum_rows


def office_book(path):
    """Shared strings, dates, numbers, booleans; a merged block across the middle, a stretch of
    empty rows, a column only the lower rows fill, a first column the upper rows leave empty."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["コード", "氏名", "入社日", "基本給", "在籍", "備考"])
    for r in range(2, 400):
        if 150 <= r < 190:
            continue  # empty rows, some at a cut
        values = [
            None if r < 40 else f"E{r:04d}",
            f"社員{r % 37}",
            datetime(2020, 1 + r % 12, 1 + r % 28),
            200_000 + r * 10 + 0.5 * (r % 2),
            r % 3 == 0,
            "remark" if r % 5 == 0 else None,
        ]
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    for r in range(300, 400, 7):
        ws.cell(row=r, column=9, value=f"lower {r}")  # column I, only in the lower rows
    ws.merge_cells("F100:F260")  # one merged block across the middle of the sheet
    ws["F100"] = "部署A"
    wb.save(path)
    return path


def test_a_banded_read_is_the_whole_read(tmp_path, banded):
    path = office_book(tmp_path / "office.xlsx")
    grid = CalamineBook(path).read_sheet(SHEET)
    assert banded and banded[0] is not None, "the sheet was not read in bands"
    same_grid(grid, whole(path))
    assert grid.rows[160 - 1] == ["", "", "", "", "", "部署A", "", "", ""]  # an empty row under the merged block
    assert grid.rows[300 - 1][8] == "lower 300" and grid.rows[2 - 1][0] == ""


def test_formulas_dates_and_a_hidden_sheet_read_in_bands_as_whole(tmp_path, banded):
    path = tmp_path / "written.xlsx"
    wb = xlsxwriter.Workbook(str(path))  # text in the shared-strings table, as Excel saves it
    wb.add_worksheet("Front")
    ws = wb.add_worksheet(SHEET)
    ws.hide()
    dated = wb.add_format({"num_format": "yyyy/mm/dd"})
    ws.write_row(0, 0, ["日付", "数量", "単価", "金額"])
    for r in range(1, 500):
        ws.write_datetime(r, 0, datetime(2026, 1 + r % 12, 1), dated)
        ws.write_number(r, 1, r % 17)
        ws.write_number(r, 2, 100 + r)
        ws.write_formula(r, 3, f"=B{r + 1}*C{r + 1}", None, (r % 17) * (100 + r))
        ws.write_string(r, 4, f"品目{r % 23}")
    wb.close()
    grid = CalamineBook(path).read_sheet(SHEET)
    assert banded and banded[0] is not None
    with zipfile.ZipFile(path) as zf:
        assert "xl/sharedStrings.xml" in {
            info.filename for info, _ in package_parts(zf, CalamineBook(path)._layout, SHEET)
        }
    same_grid(grid, whole(path))
    assert grid.rows[30][4] == "品目7"
    assert grid.hidden and grid.rows[4][3] == 4 * 104 and grid.rows[4][0] == date(2026, 5, 1)


def _edited(path, tmp_path, edit) -> str:
    """A copy of the book with its data sheet's XML edited (as another program might write it)."""
    out = tmp_path / ("edited-" + path.name)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out


def _rows_of(xml: bytes) -> tuple[bytes, list[bytes], bytes]:
    start, end = xml.index(b"<sheetData>") + len(b"<sheetData>"), xml.index(b"</sheetData>")
    return xml[:start], re.findall(rb"<row\b.*?</row>", xml[start:end], re.S), xml[end:]


def test_rows_out_of_order_fall_back_to_the_whole_read(tmp_path, banded):
    def shuffled(xml: bytes) -> bytes:
        head, rows, tail = _rows_of(xml)
        return head + b"".join(rows[1:][::-1]) + rows[0] + tail  # the header last, the rest backwards

    path = _edited(office_book(tmp_path / "office.xlsx"), tmp_path, shuffled)
    grid = CalamineBook(path).read_sheet(SHEET)
    assert banded and banded[0] is None, "interleaved bands must not be joined"
    same_grid(grid, whole(path))
    assert grid.rows[0][:2] == ["コード", "氏名"]


def test_rows_without_their_number_are_never_a_cut(tmp_path, banded):
    def unnumbered(xml: bytes) -> bytes:
        # rows 2… name no number: they follow the row before them; cells lose their references too
        head, rows, tail = _rows_of(xml)
        bare = [re.sub(rb' r="[A-Z]*\d+"', b"", row) for row in rows[1:]]
        return head + rows[0] + b"".join(bare) + tail

    path = _edited(office_book(tmp_path / "office.xlsx"), tmp_path, unnumbered)
    assert band_cuts(zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml"), 4) is None
    same_grid(CalamineBook(path).read_sheet(SHEET), whole(path))


def test_a_band_the_reader_cannot_parse_gives_the_whole_reads_refusal(tmp_path, banded):
    def broken(xml: bytes) -> bytes:
        head, rows, tail = _rows_of(xml)
        rows[len(rows) * 3 // 4] = rows[len(rows) * 3 // 4].replace(b"</c>", b"", 1)  # a cell never closed
        return head + b"".join(rows) + tail

    path = _edited(office_book(tmp_path / "office.xlsx"), tmp_path, broken)
    with pytest.raises(BookUnreadable) as banded_refusal:
        CalamineBook(path).read_sheet(SHEET)
    with pytest.raises(BookUnreadable) as whole_refusal:
        whole(path)
    assert banded and banded[0] is None
    assert (banded_refusal.value.code, banded_refusal.value.detail) == (
        whole_refusal.value.code,
        whole_refusal.value.detail,
    )


def test_the_demo_validates_the_same_read_in_bands(tmp_path, banded):
    """Every sheet of every demo book, the one with planted errors too (its error cells are read
    from a cleaned copy, whole): the same issues and the same typed tables."""
    for with_errors in (False, True):
        root = tmp_path / f"demo-{with_errors}"
        make_demo(root, with_errors=with_errors)
        company = load_company(root)
        in_bands = validate_company(company, readers=1)
        used = len([b for b in banded if b is not None])
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(bands, "BAND_MIN_BYTES", 10**12)
            as_whole = validate_company(company, readers=1)
        assert used >= 10, "the demo's sheets were not read in bands"
        assert list(in_bands.issues) == list(as_whole.issues)
        assert in_bands.tables.keys() == as_whole.tables.keys()
        for key, table in in_bands.tables.items():
            assert table.frame.equals(as_whole.tables[key].frame), key
            assert list(table.rows) == list(as_whole.tables[key].rows) and table.columns == as_whole.tables[key].columns
        banded.clear()
        shutil.rmtree(root)


def test_bands_are_joined_in_order_with_their_gaps_and_widths():
    top = Band((0, 1), (1, 2), [["a", "b"], ["c", "d"]], [])
    empty = Band(None, None, [], [])
    lower = Band((4, 0), (4, 3), [[1, 2, 3, 4]], [])
    assert joined([top, empty, lower]) == Band(
        (0, 0),
        (4, 3),
        [["", "a", "b", ""], ["", "c", "d", ""], ["", "", "", ""], ["", "", "", ""], [1, 2, 3, 4]],
        [],
    )
    assert joined([empty, empty]) == Band(None, None, [], [])
    assert joined([lower, top]) is None  # out of order
    assert joined([top, Band((1, 0), (2, 0), [[5], [6]], [])]) is None  # the same row in two bands
    last = Band((5, 0), (1_048_575, 0), None, [])  # reaches the sheet's last row: not converted
    assert joined([top, last]) == Band((0, 0), (1_048_575, 2), None, [])


def test_how_many_bands():
    mb = 1024 * 1024
    assert band_count(200 * mb, 1) == 1  # one core: no bands
    assert band_count(53 * mb, 2) == 3  # a core each and one more
    assert band_count(12 * mb, 2) == 1  # too small to share out
    assert band_count(500 * mb, 64) == bands.MAX_BANDS


def test_a_prefixed_namespace_or_an_empty_sheet_is_not_cut():
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 50))
    assert band_cuts(b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>", 3) is not None
    prefixed = b"<x:worksheet><x:sheetData>" + rows.replace(b"<row", b"<x:row") + b"</x:sheetData></x:worksheet>"
    assert band_cuts(prefixed, 3) is None
    assert band_cuts(b"<worksheet><sheetData/></worksheet>", 3) is None
    assert band_cuts(b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>", 1) is None


def _with_parts(path, tmp_path, extra: dict[str, bytes], sheet_edit=lambda xml: xml):
    """A copy of the book with more parts in its package (stored, as a picture often is)."""
    out = tmp_path / ("more-" + path.name)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, sheet_edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
        for name, data in extra.items():
            zout.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_STORED)
    return out


def test_a_band_carries_only_what_the_reader_needs(tmp_path, banded):
    """A picture, a macro or any part calamine never reads for values is not copied into every band
    (a 400 MB part of zeros compresses to nothing and would be copied per band); one that is damaged
    does not make the book unreadable when read in bands, as it never did read whole."""
    path = office_book(tmp_path / "office.xlsx")
    thumbnail = b"PNGDATA-" * 1000
    damaged = _with_parts(path, tmp_path, {"docProps/thumbnail.jpeg": thumbnail, "xl/media/image1.png": b"\0" * 10**6})
    data = bytearray(damaged.read_bytes())
    data[data.find(thumbnail) + 10] ^= 0xFF  # one damaged byte in the thumbnail, nothing else
    damaged.write_bytes(bytes(data))
    book = CalamineBook(damaged)
    with zipfile.ZipFile(damaged) as zf:
        names = {info.filename for info, _ in package_parts(zf, book._layout, SHEET)}
    assert names == {  # openpyxl writes its text inline: no shared strings here
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    }
    grid = book.read_sheet(SHEET)
    assert banded and banded[0] is not None
    same_grid(grid, whole(damaged))


def test_a_sheet_data_end_in_a_later_comment_keeps_the_merged_ranges(tmp_path, banded):
    def commented(xml: bytes) -> bytes:
        return xml.replace(b"</worksheet>", b"<!-- copied from </sheetData> --></worksheet>")

    path = _with_parts(office_book(tmp_path / "office.xlsx"), tmp_path, {}, commented)
    grid = CalamineBook(path).read_sheet(SHEET)
    assert banded and banded[0] is not None
    same_grid(grid, whole(path))
    assert grid.rows[160 - 1][5] == "部署A"


def test_large_shared_strings_read_by_every_band_mean_fewer_bands():
    mb = 1024 * 1024
    assert band_count(40 * mb, 2, shared_strings=2 * mb) == 3  # as Excel saves a 200,000-row sheet
    assert band_count(40 * mb, 2, shared_strings=8 * mb) == 2
    assert band_count(25 * mb, 2, shared_strings=58 * mb) == 1  # repeated, they would cost more than the sheet
