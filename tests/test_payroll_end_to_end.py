"""`backoffice payroll` on the demo company: files on disk, reopened and cross-checked."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from datetime import date

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.cli import main
from addin.outputs.zengin import read_trailer
from tests.payroll_helpers import payroll_of, person


@pytest.fixture(scope="module")
def paid(tmp_path_factory, demo_template):
    root = tmp_path_factory.mktemp("paid") / "co"
    shutil.copytree(demo_template, root)
    assert main(["payroll", str(root), "--month", "2025-12"]) == 0
    return root, root / "out" / "payroll" / "2025-12"


def digests(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_summary_register_and_zengin_agree(paid):
    _, folder = paid
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["month"] == "2025-12" and summary["pay_date"] == "2026-01-23"
    employees = summary["employees"]
    assert len(employees) == 50  # everyone is employed in December (the leaver until the 20th)
    for e in employees:
        deductions = sum(
            e[k]
            for k in (
                "health_insurance",
                "nursing_insurance",
                "child_support_levy",
                "pension",
                "employment_insurance",
                "withholding_tax",
                "resident_tax",
            )
        )
        assert e["net_pay"] == e["gross_pay"] - deductions
    net = sum(e["net_pay"] for e in employees)
    assert summary["totals"]["net_pay"] == net
    zengin = next(folder.glob("zengin_*.txt")).read_bytes()
    assert read_trailer(zengin) == (len(employees), net)
    assert all(len(line) == 120 for line in zengin.split(b"\r\n") if line)
    ws = openpyxl.load_workbook(folder / "register.xlsx")["賃金台帳"]
    header = [c.value for c in ws[3]]
    total_row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "合計")
    net_col = header.index("差引支給額")
    data = [r[net_col].value for r in ws.iter_rows(min_row=4) if r[0].value not in ("合計", None)]
    letter = openpyxl.utils.get_column_letter(net_col + 1)
    assert sum(data) == net and total_row[net_col].value == f"=SUM({letter}4:{letter}{3 + len(data)})"
    slips = openpyxl.load_workbook(folder / "payslips.xlsx")
    assert len(slips.sheetnames) == len(employees)
    assert sum(slips[e["employee_id"]]["H15"].value for e in employees) == net
    assert len(list((folder / "payslips").glob("*.pdf"))) == len(employees)


def test_pay_slip_pdf_holds_the_figures(paid):
    import subprocess

    _, folder = paid
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    first = summary["employees"][0]
    pdf = folder / "payslips" / f"{first['employee_id']}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "給与明細書" in text and f"{first['net_pay']:,}" in text and f"{first['gross_pay']:,}" in text


def test_outputs_are_private(paid):
    _, folder = paid
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_rerun_gives_identical_files(paid):
    root, folder = paid
    before = digests(folder)
    assert main(["payroll", str(root), "--month", "2025-12"]) == 0
    assert digests(folder) == before


def test_employee_without_bank_account_stops_the_run_with_nothing_written(demo_copy, capsys):
    wb = openpyxl.load_workbook(demo_copy / "staff.xlsx")
    ws = wb["Staff 従業員"]
    header = [c.value for c in ws[1]]
    for name in ("銀行コード", "支店コード", "預金種目", "口座番号", "口座名義カナ"):
        ws.cell(row=7, column=header.index(name) + 1).value = None
    wb.save(demo_copy / "staff.xlsx")
    assert main(["payroll", str(demo_copy), "--month", "2025-12", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert (
        f"staff.xlsx!Staff 従業員!{openpyxl.utils.get_column_letter(header.index('銀行コード') + 1)}7: no bank account"
        in out
    )
    assert not (demo_copy / "out" / "payroll").exists()


def test_negative_hours_are_a_located_error(demo_copy, capsys):
    wb = openpyxl.load_workbook(demo_copy / "staff.xlsx")
    wb["Attendance 勤怠"]["D5"] = -8
    wb.save(demo_copy / "staff.xlsx")
    assert main(["payroll", str(demo_copy), "--month", "2025-12"]) == 1
    assert "staff.xlsx!Attendance 勤怠!D5: " in capsys.readouterr().out
    assert not (demo_copy / "out" / "payroll").exists()


def test_a_month_with_no_rates_in_force_is_refused(demo_copy, capsys):
    assert main(["payroll", str(demo_copy), "--month", "2024-12", "--lang", "en"]) == 2
    out = capsys.readouterr().out
    assert "social_insurance.health_rate_kyoukai" in out and "social_insurance.yaml" in out
    assert not (demo_copy / "out" / "payroll").exists()


def test_unknown_prefecture_is_refused(demo_copy, capsys):
    settings = (
        (demo_copy / "backoffice.toml")
        .read_text(encoding="utf-8")
        .replace('prefecture = "東京都"', 'prefecture = "東京"')
    )
    (demo_copy / "backoffice.toml").write_text(settings, encoding="utf-8")
    assert main(["payroll", str(demo_copy), "--month", "2025-12"]) == 2
    assert "東京" in capsys.readouterr().out


def test_failure_while_writing_leaves_the_previous_outputs(paid, monkeypatch):
    root, folder = paid
    before = digests(folder)
    import addin.services.payroll as service

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(service, "payslip_pdf", broken)
    with pytest.raises(OSError):
        service.write_payroll_outputs(folder, *_payroll_and_zengin(root))
    assert digests(folder) == before
    assert [p.name for p in folder.parent.iterdir()] == ["2025-12"]


def _payroll_and_zengin(root):
    from addin.outputs.zengin import zengin_file
    from addin.payroll.run import compute_payroll
    from addin.services.company import load_company
    from addin.services.payroll import requester_of, transfers_of

    company = load_company(root)
    from addin.payroll.settings import PayrollSettings
    from addin.services.validation import validate_company

    checked = validate_company(company, only={"staff"})
    payroll = compute_payroll(
        checked.table("staff", "staff"),
        checked.table("staff", "attendance"),
        checked.table("staff", "allowances"),
        date(2025, 12, 1),
        company.rulebook,
        PayrollSettings.from_settings(company.settings),
    )
    zengin = zengin_file("salary", requester_of(company.settings), payroll.pay_date, transfers_of(payroll))
    return payroll, zengin, "テスト"


employees = st.lists(
    st.fixed_dictionaries(
        {
            "base_salary": st.integers(60_000, 2_500_000),
            "commute_allowance": st.integers(0, 200_000),
            "dependents": st.integers(0, 9),
            "tax_column": st.sampled_from(["甲", "乙"]),
            "birth_date": st.dates(date(1945, 1, 1), date(1999, 1, 1)),  # hired 2015-04-01 at 15 or older
            "resident_tax_monthly": st.integers(0, 80_000),
            "standard_monthly_remuneration": st.sampled_from([None, 58000, 300000, 1390000]),
        }
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=15, deadline=None)
@given(people=employees, month=st.sampled_from([date(2025, 6, 1), date(2025, 12, 1), date(2026, 4, 1)]))
def test_property_net_is_gross_less_deductions_and_totals_match(bare_company, people, month):
    from addin.outputs.zengin import Requester, Transfer, zengin_file

    staff = [person(employee_id=f"E{i}", my_number=None, **p) for i, p in enumerate(people)]
    p = payroll_of(bare_company, staff, month)
    frame = p.employees
    deductions = frame[
        [
            "health_insurance",
            "nursing_insurance",
            "child_support_levy",
            "pension",
            "employment_insurance",
            "withholding_tax",
            "resident_tax",
        ]
    ].sum(axis=1)
    assert (frame["net_pay"] == frame["gross_pay"] - deductions).all()
    assert (deductions >= 0).all() and (frame["withholding_tax"] >= 0).all()
    assert (frame["taxable_amount"] <= frame["gross_pay"]).all()
    payable = frame[frame["net_pay"] > 0]
    transfers = [Transfer("0001", "001", "ordinary", "1234567", "ｼｹﾝ", int(n)) for n in payable["net_pay"]]
    data = zengin_file("salary", Requester("1", "ｼｹﾝ", "0001", "", "001", "", "ordinary", "1"), p.pay_date, transfers)
    assert read_trailer(data) == (len(payable), int(payable["net_pay"].sum()))
    assert p.totals()["net_pay"] == int(frame["net_pay"].sum())
