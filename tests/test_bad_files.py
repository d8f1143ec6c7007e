"""Unusable input: each a clear, located message and exit 2, never a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from msoffcrypto.format.ooxml import OOXMLFile
import openpyxl

from addin.cli import main


def validate_json(root, capsys):
    code = main(["validate", str(root), "--format", "json"])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, json.loads(out.out)["issues"]


def only_fatal(issues):
    return [(i["book"], i["sheet"], i["cell"], i["code"]) for i in issues if i["severity"] == "fatal"]


def test_not_a_workbook(demo_copy, capsys):
    (demo_copy / "staff.xlsx").write_text("社員番号,氏名\nE1,山田\n", encoding="utf-8")
    code, issues = validate_json(demo_copy, capsys)
    assert code == 2
    assert only_fatal(issues) == [("staff.xlsx", "", "", "book_unreadable")]
    assert "not an .xlsx file" in issues[0]["message_en"]


def test_truncated_workbook(demo_copy, capsys):
    data = (demo_copy / "stock.xlsx").read_bytes()
    (demo_copy / "stock.xlsx").write_bytes(data[: len(data) // 2])
    code, issues = validate_json(demo_copy, capsys)
    assert code == 2 and only_fatal(issues) == [("stock.xlsx", "", "", "book_unreadable")]


def test_password_protected_workbook(demo_copy, capsys):
    plain = io.BytesIO((demo_copy / "vendors.xlsx").read_bytes())
    locked = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", locked)
    (demo_copy / "vendors.xlsx").write_bytes(locked.getvalue())
    code, issues = validate_json(demo_copy, capsys)
    assert code == 2 and only_fatal(issues) == [("vendors.xlsx", "", "", "book_encrypted")]
    assert "パスワード" in issues[0]["message_ja"]


def test_missing_workbook(demo_copy, capsys):
    (demo_copy / "sales.xlsx").unlink()
    code, issues = validate_json(demo_copy, capsys)
    assert code == 2 and only_fatal(issues) == [("sales.xlsx", "", "", "book_missing")]


def test_missing_sheet(demo_copy, capsys):
    wb = openpyxl.load_workbook(demo_copy / "staff.xlsx")
    del wb["Attendance 勤怠"]
    wb.save(demo_copy / "staff.xlsx")
    code, issues = validate_json(demo_copy, capsys)
    assert code == 2 and only_fatal(issues) == [("staff.xlsx", "", "", "sheet_missing")]
    assert "Attendance 勤怠" in issues[0]["message_en"]


def test_missing_required_column(demo_copy, capsys):
    wb = openpyxl.load_workbook(demo_copy / "staff.xlsx")
    wb["Staff 従業員"].delete_cols(2)  # 氏名
    wb.save(demo_copy / "staff.xlsx")
    code, issues = validate_json(demo_copy, capsys)
    assert code == 2
    assert only_fatal(issues) == [("staff.xlsx", "Staff 従業員", "", "column_missing")]
    assert issues[0]["field"] == "name" and "氏名" in issues[0]["message_ja"]


def test_sheet_reaching_excels_last_row(demo_copy, capsys):
    wb = openpyxl.load_workbook(demo_copy / "stock.xlsx")
    wb["Movements 入出庫"].cell(row=1_048_576, column=1, value="2025/4/1")
    wb.save(demo_copy / "stock.xlsx")
    code, issues = validate_json(demo_copy, capsys)
    assert code == 2
    assert only_fatal(issues) == [("stock.xlsx", "Movements 入出庫", "A1048576", "sheet_full")]


def test_bad_settings_and_missing_folder_exit_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    (tmp_path / "backoffice.toml").write_text("[company\nname=", encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "backoffice.toml" in err and "Traceback" not in err


def test_the_console_script_prints_no_traceback(tmp_path):
    (tmp_path / "staff.xlsx").write_bytes(b"PK\x03\x04 broken")
    done = subprocess.run(
        [sys.executable, "-m", "addin.cli.main", "validate", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert "staff.xlsx" in done.stdout
