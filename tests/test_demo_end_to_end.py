"""The demo company on disk, validated through the command line as a person would run it."""

from __future__ import annotations

import hashlib
import json

import openpyxl

from addin.cli import main
from addin.services.company import load_company
from addin.services.setup import init_company, make_demo
from tests.demo_oracle import planted_cells


def digests(root):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.glob("*.xlsx"))}


def run_json(root, capsys, *extra):
    code = main(["validate", str(root), "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)["issues"]


def test_clean_demo_has_no_issue(demo_template, capsys):
    code, issues = run_json(demo_template, capsys)
    assert (code, issues) == (0, [])


def test_every_planted_error_is_found_at_its_cell_and_nothing_else(demo_with_errors, capsys):
    root, demo = demo_with_errors
    expected = planted_cells(load_company(root), demo)
    assert len(expected) == len(demo.planted) >= 20
    code, issues = run_json(root, capsys)
    found = {(i["book"], i["sheet"], i["cell"], i["code"]) for i in issues}
    assert code == 1
    assert found == expected
    assert len(issues) == len(expected)


def test_json_records_carry_the_documented_fields(demo_with_errors, capsys):
    root, _ = demo_with_errors
    _, issues = run_json(root, capsys, "--lang", "en")
    for record in issues:
        assert {"book", "sheet", "cell", "field", "code", "severity", "message"} <= set(record)
        assert record["message"] == record["message_en"]


def test_validation_never_touches_the_master_workbooks(demo_with_errors, capsys):
    root, _ = demo_with_errors
    before = digests(root)
    main(["validate", str(root)])
    capsys.readouterr()
    assert digests(root) == before


def test_issues_workbook_links_each_issue_to_its_cell(demo_with_errors, capsys):
    root, demo = demo_with_errors
    main(["validate", str(root)])
    capsys.readouterr()
    ws = openpyxl.load_workbook(root / "out" / "validation.xlsx")["Issues 問題"]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(demo.planted)
    for row in rows:
        book, sheet, cell = row[1].value, row[2].value, row[3].value
        link = row[0].hyperlink  # relative, so the folder may move; Excel's own "..\\" separator
        assert (link.target.replace("\\", "/"), link.location) == (f"../{book}", f"'{sheet}'!{cell}")
        assert row[0].value == f"{book}!{sheet}!{cell}"


def test_text_output_in_both_languages(demo_with_errors, capsys):
    root, _ = demo_with_errors
    assert main(["validate", str(root), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "staff.xlsx!Staff 従業員!" in out and "My Number check digit is wrong" in out
    assert main(["validate", str(root)]) == 1
    assert "マイナンバーのチェックデジットが不正です" in capsys.readouterr().out


def test_english_headed_demo_is_clean_too(tmp_path, capsys):
    make_demo(tmp_path, lang="en")
    ws = openpyxl.load_workbook(tmp_path / "staff.xlsx", read_only=True)["Staff 従業員"]
    assert next(ws.iter_rows(max_row=1, values_only=True))[0] == "employee id"
    code, issues = run_json(tmp_path, capsys)
    assert (code, issues) == (0, [])


def test_demo_is_deterministic(demo_template, tmp_path):
    make_demo(tmp_path / "again")  # the session's demo was made earlier, with the same defaults
    assert digests(tmp_path / "again") == digests(demo_template)


def test_init_gives_formatted_empty_books_that_validate(tmp_path, capsys):
    init_company(tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "staff.xlsx")["Staff 従業員"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "社員番号"
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists["O2:O1001"] == '"甲,乙"' and lists["J2:J1001"] == '"月給,時給"'
    assert lists["Q2:Q1001"] == '"〇,×"'
    ranges = {str(dv.sqref): (dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert ranges["N2:N1001"] == ("whole", "0")  # dependents: whole number 0–20
    code, issues = run_json(tmp_path, capsys)
    assert (code, issues) == (0, [])


def test_scale_multiplies_the_masters(tmp_path):
    demo, _ = make_demo(tmp_path, scale=2)
    assert len(demo.rows["staff"]["staff"]) == 100 and len(demo.rows["stock"]["items"]) == 400


def test_demo_command_runs_the_month_end(month_end_demo):
    root, code, printed, opened = month_end_demo  # `backoffice demo` (conftest)
    assert code == 0
    # payroll, invoices and stock work on the books the month end's validation read: each opened once; the
    # money-in steps after the month end (the demo's bank statements, then matching) read sales on their own
    assert sorted(opened[:4]) == ["sales", "staff", "stock", "vendors"] and opened[4:] == ["sales", "sales"]
    summary = json.loads((root / "out" / "payroll" / "2026-03" / "summary.json").read_text(encoding="utf-8"))
    assert summary["pay_date"] == "2026-04-24" and summary["employees"]
    assert "問題 0 件" in printed


def test_demo_staff_sheet_agrees_with_its_own_2025_teiji(demo_copy, capsys):
    """The sheet's 標準報酬月額 is the grade the demo's own April–June 2025 pay gives (overtime and
    allowances included), so the grade review proposes no change and warns about no one."""
    code = main(["grades", str(demo_copy), "--year", "2025"])
    out = capsys.readouterr().out
    assert "grade_disagrees" not in out
    assert code == 0
    review = json.loads((demo_copy / "out" / "grades" / "2025" / "grades.json").read_text("utf-8"))
    assert len(review["teiji"]) >= 40
    assert all(r["proposed"] == r["current"] for r in review["teiji"])
    assert sum(r["months_used"] == 2 for r in review["teiji"]) >= 38  # the pays really were reviewed


def test_readme_quick_start_runs_validate_after_a_demo_with_errors(tmp_path, capsys):
    """`demo --errors` exits 1 (its planted findings), so the README chains validate with `;`, not `&&`."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    assert main(["demo", str(tmp_path / "co"), "--errors", "--scale", "1"]) == 1
    capsys.readouterr()
    assert "--errors && " not in readme and "demo /tmp/co --errors; .venv/bin/backoffice validate /tmp/co" in readme
    demo_row = next(line for line in readme.splitlines() if line.startswith("| `backoffice demo DIR"))
    assert demo_row.rstrip(" |").split("|")[-1].strip().startswith("0 written clean, 1 written with `--errors`")
