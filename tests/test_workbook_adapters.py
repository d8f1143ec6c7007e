"""The adapters over real files: plain sheets, Excel Tables, merged cells, hidden sheets, cached
formula values, a wrong `dimension`, and calamine and openpyxl reading the same grid."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.table import Table as ExcelTable

from addin.validate import Reporter, check_sheet
from addin.workbook import CalamineBook, OpenpyxlBook, open_book
from tests.conftest import write_sheet
from tests.test_validation_rules import BOOKS

ITEM_HEADER = ["商品コード", "商品名", "単位", "販売単価", "仕入単価", "税率"]
ITEM_ROWS = [["A-1", "ボールペン", "本", 120, 80.5, "10%"], ["B-2", "緑茶", "箱", "¥1,980", 1200, "軽減"]]


def items_table(grid):
    reporter = Reporter()
    typed, _ = check_sheet(grid, BOOKS["stock"].sheets["items"], reporter)
    return typed, reporter.summarise()


@pytest.mark.parametrize("reader", [CalamineBook, OpenpyxlBook])
def test_header_in_first_non_empty_row_and_cells_located(tmp_path, reader):
    path = write_sheet(tmp_path / "stock.xlsx", "Items 商品", [ITEM_HEADER] + ITEM_ROWS, start_row=3, start_col=2)
    typed, issues = items_table(reader(path).read_sheet("Items 商品"))
    assert issues == []
    assert typed.frame["unit_price"].tolist() == [120, 1980]
    assert typed.frame["tax_rate"].tolist() == ["10", "8"]
    assert typed.cell("unit_price", 1) == "E5"  # header at B3, second data row is row 5


@pytest.mark.parametrize("reader", [CalamineBook, OpenpyxlBook])
def test_excel_table_is_found_by_name_and_located(tmp_path, reader):
    def add_table(wb, ws):
        ws.add_table(ExcelTable(displayName="Items", ref="C4:H6"))

    path = write_sheet(
        tmp_path / "stock.xlsx",
        "商品一覧",
        [["メモ: 社内用"], [], [], ITEM_HEADER, *ITEM_ROWS],
        start_row=1,
        extra=None,
    )
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for r, row in enumerate([ITEM_HEADER] + ITEM_ROWS):
        for c, value in enumerate(row):
            ws.cell(row=4 + r, column=3 + c, value=value)
    for r in range(4, 7):
        ws.cell(row=r, column=1, value=None)
    add_table(wb, ws)
    wb.save(path)
    book = reader(path)
    assert book.table_names() == ["Items"]
    grid = book.read_table("Items")
    typed, issues = items_table(grid)
    assert issues == [] and grid.table == "Items"
    assert typed.cell("sku", 0) == "C5" and typed.cell("tax_rate", 1) == "H6"


@pytest.mark.parametrize("reader", [CalamineBook, OpenpyxlBook])
def test_merged_cells_fill_their_block_and_hidden_sheets_are_read(tmp_path, reader):
    def merge(wb, ws):
        ws.merge_cells("C2:C3")
        ws.sheet_state = "hidden"
        wb.create_sheet("visible")

    rows = [ITEM_HEADER, ["A-1", "ボールペン", "本", 120, 80, "10%"], ["A-2", "鉛筆", None, 50, 30, "10%"]]
    path = write_sheet(tmp_path / "stock.xlsx", "Items 商品", rows, extra=merge)
    grid = reader(path).read_sheet("Items 商品")
    assert grid.hidden
    typed, issues = items_table(grid)
    assert issues == [] and typed.frame["unit"].tolist() == ["本", "本"]


def test_formulas_give_their_cached_values(tmp_path):
    path = tmp_path / "stock.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Items 商品")
    ws.write_row(0, 0, ITEM_HEADER)
    ws.write_row(1, 0, ["A-1", "ボールペン", "本"])
    ws.write_formula(1, 3, "=100+20", None, 120)
    ws.write_formula(1, 4, "=D2*0.5", None, 60)
    ws.write_string(1, 5, "10%")
    wb.close()
    typed, issues = items_table(CalamineBook(path).read_sheet("Items 商品"))
    assert issues == [] and typed.frame.loc[0, "unit_price"] == 120


def test_a_wrong_dimension_does_not_hide_rows(tmp_path):
    path = write_sheet(tmp_path / "stock.xlsx", "Items 商品", [ITEM_HEADER] + ITEM_ROWS)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:A1"', data)
            dst.writestr(item, data)
    assert b'ref="A1:A1"' in zipfile.ZipFile(broken).read("xl/worksheets/sheet1.xml")
    typed, issues = items_table(open_book(broken).read_sheet("Items 商品"))
    assert issues == [] and len(typed) == 2


def test_empty_rows_between_and_after_data_are_skipped_but_rows_keep_their_numbers(tmp_path):
    rows = [ITEM_HEADER, ITEM_ROWS[0], [None] * 6, ITEM_ROWS[1], [None] * 6, [None] * 6]
    path = write_sheet(tmp_path / "stock.xlsx", "Items 商品", rows)
    typed, _ = items_table(CalamineBook(path).read_sheet("Items 商品"))
    assert list(typed.rows) == [2, 4]


def test_both_readers_give_the_same_values(tmp_path):
    rows = [
        ITEM_HEADER,
        ["A-1", "ボールペン", "本", 120, 80.5, "10%"],
        ["B-2", "緑茶", "箱", 1980, 1200, "8%"],
        ["C-3", "日付", "個", 1, datetime(2025, 4, 1), True],
    ]
    path = write_sheet(tmp_path / "x.xlsx", "S", rows)
    fast, slow = CalamineBook(path).read_sheet("S"), OpenpyxlBook(path).read_sheet("S")
    normal = lambda grid: [[v.date() if isinstance(v, datetime) else v for v in row] for row in grid.rows]  # noqa: E731
    assert normal(fast) == normal(slow)
    assert (fast.first_row, fast.first_col) == (slow.first_row, slow.first_col) == (1, 1)
    assert normal(fast)[3][4] == date(2025, 4, 1)
