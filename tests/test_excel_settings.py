"""No machine settings in workbooks: old books lose their xlwings.conf sheet on a checked copy."""

from __future__ import annotations

import shutil
import zipfile

import openpyxl
import python_calamine
from openpyxl.workbook.defined_name import DefinedName

from addin.cli import main
from addin.workbook.xlwings_conf import ConfSheetError, remove_conf_sheets


def _old_book(path):
    """A book as older `backoffice init` made it: data, an xlwings.conf sheet in the middle, names after it."""
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "Staff 従業員"
    data.append(["社員番号", "氏名"])
    data.append(["E001", "山田 太郎"])
    conf = wb.create_sheet("xlwings.conf")
    conf.append(["Interpreter_Win", r"C:\Users\someone\venv\Scripts\python.exe"])
    conf.append(["PYTHONPATH", ""])
    other = wb.create_sheet("Control 操作")
    other.append(["月", "2026-01"])
    other.defined_names["対象月"] = DefinedName("対象月", attr_text="'Control 操作'!$B$1")
    wb.defined_names["社員"] = DefinedName("社員", attr_text="'Staff 従業員'!$A$2:$A$2")
    wb.save(path)
    path.chmod(0o600)
    return path


def test_remove_conf_sheets_keeps_everything_else(tmp_path):
    book = _old_book(tmp_path / "staff.xlsx")
    assert remove_conf_sheets(book) == ["xlwings.conf"]
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Staff 従業員", "Control 操作"]
    assert wb["Staff 従業員"]["B2"].value == "山田 太郎" and wb["Control 操作"]["B1"].value == "2026-01"
    assert "対象月" in wb["Control 操作"].defined_names  # its sheet-scoped name moved with it
    assert wb.defined_names["社員"].attr_text == "'Staff 従業員'!$A$2:$A$2"
    with zipfile.ZipFile(book) as package:
        assert not any("someone" in package.read(n).decode("utf-8", "ignore") for n in package.namelist())
    assert (book.stat().st_mode & 0o777) == 0o600  # a private book stays private
    assert remove_conf_sheets(book) == []  # nothing left to do
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_open_book_is_left_alone(tmp_path):
    book = _old_book(tmp_path / "staff.xlsx")
    before = book.read_bytes()
    (tmp_path / "~$staff.xlsx").write_bytes(b"owner")
    try:
        remove_conf_sheets(book)
    except ConfSheetError as problem:
        assert "開かれています" in str(problem)
    else:
        raise AssertionError("an open book was rewritten")
    assert book.read_bytes() == before


def test_the_command_cleans_a_company(tmp_path, demo_template, capsys):
    root = tmp_path / "co"
    shutil.copytree(demo_template, root)
    _old_book(root / "staff.xlsx")
    assert main(["excel", "remove-conf-sheets", str(root)]) == 0
    out = capsys.readouterr().out
    assert "staff.xlsx: xlwings.conf を削除しました" in out and "stock.xlsx: 設定シートはありません" in out
    assert "xlwings.conf" not in python_calamine.CalamineWorkbook.from_path(str(root / "staff.xlsx")).sheet_names


def test_setup_installs_both_addins_with_this_venvs_xlwings(tmp_path, monkeypatch):
    import subprocess
    import sys
    from pathlib import Path

    from addin.excel import setup

    ran = []
    monkeypatch.setattr(
        setup.subprocess, "run", lambda args, **kw: ran.append(args) or subprocess.CompletedProcess(args, 0, "", "")
    )
    report = setup.setup_excel(tmp_path, platform="darwin")
    assert (
        (tmp_path / "Library/Containers/com.microsoft.Excel/Data/backoffice.conf")
        .read_text(encoding="utf-8")
        .startswith(f'"INTERPRETER_MAC","{sys.executable}"')
    )
    assert [a[0] for a in ran] == [str(Path(sys.executable).with_name("xlwings"))] * 2  # never PATH's xlwings
    assert ran[0][1:] == ["addin", "install"]
    assert (
        ran[1][1:3] == ["addin", "install"] and Path(ran[1][4]).name == "backoffice.xlam" and Path(ran[1][4]).exists()
    )
    assert report.count("インストールしました") == 2
