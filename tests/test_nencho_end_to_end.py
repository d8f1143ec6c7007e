"""`backoffice nencho` end to end: the demo company's 2025, a worked example through a person's own
sheets, the 源泉徴収票 read back from the PDF, and bad input located with an exit code."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from addin.cli.main import main
from addin.outputs.withholding_slip import BOX_OF
from addin.services.company import load_company
from addin.services.nencho import compute_nencho
from addin.outputs.master_books import write_book
from tests.payroll_helpers import company_with, person

YEAR = 2025


@pytest.fixture(scope="module")
def demo_nencho(tmp_path_factory, demo_template):
    import shutil

    root = tmp_path_factory.mktemp("nencho") / "company"
    shutil.copytree(demo_template, root)
    code = main(["nencho", str(root), "--year", str(YEAR)])
    return root, code


def _summary(root: Path) -> dict:
    return json.loads((root / "out" / "nencho" / str(YEAR) / "summary.json").read_text(encoding="utf-8"))


def test_demo_year_end_writes_everything_owner_only(demo_nencho):
    root, code = demo_nencho
    assert code == 0
    folder = root / "out" / "nencho" / str(YEAR)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("summary.json", "nencho.xlsx"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    summary = _summary(root)
    ids = [e["employee_id"] for e in summary["employees"]]
    assert len(ids) == 50 and sorted(p.stem for p in (folder / "slips").glob("*.pdf")) == ids
    for pdf in (folder / "slips").glob("*.pdf"):
        assert stat.S_IMODE(pdf.stat().st_mode) == 0o600


def test_demo_covers_the_cases_and_the_settlement_adds_up(demo_nencho):
    summary = _summary(demo_nencho[0])
    people = {e["employee_id"]: e for e in summary["employees"]}
    reasons = {e["reason"] for e in people.values() if not e["adjusted"]}
    assert any("乙欄" in r for r in reasons) and any("退職" in r for r in reasons)
    assert any("20,000,000" in r for r in reasons)  # the director, with his summer bonus
    assert any(e["excess"] > 0 for e in people.values()) and any(e["shortfall"] > 0 for e in people.values())
    figures = [e["figures"] for e in people.values() if e["adjusted"]]
    for key in (
        "spouse",
        "spouse_special",
        "dependants",
        "specific_relative",
        "disability",
        "single_parent",
        "life_insurance",
        "earthquake_insurance",
        "housing_credit",
        "small_business",
    ):
        assert any(f[key] > 0 for f in figures), key
    # each person: what was withheld, less the refund, plus what is collected, is the year's tax
    for e in people.values():
        assert e["withheld"] - e["refund_paid"] + e["collected"] == e["annual_tax"], e["employee_id"]
    totals = summary["totals"]
    assert totals["withheld"] - totals["refund_paid"] + totals["collected"] == sum(
        e["annual_tax"] for e in people.values()
    )
    # the December remittance nets the refunds; what it cannot absorb is carried forward
    rem = summary["remittance"]
    assert rem["month"] == "2025-12"
    assert rem["payable"] - rem["carried_forward"] == rem["withheld"] + rem["shortfalls_collected"] - rem["refunds"]
    # the mid-year hire's 前職分 is in the pay
    hire = people["E00004"]
    assert hire["adjusted"] and hire["pay"] > 3_150_000


def test_tax_office_and_municipal_figures(demo_nencho):
    root = demo_nencho[0]
    summary = _summary(root)
    people = {e["employee_id"]: e for e in summary["employees"]}
    filed = set(summary["tax_office"]["filed_employee_ids"])
    assert "E00001" in filed  # pay over 20,000,000: always filed
    for e in people.values():
        if e["adjusted"] and e["employee_id"] != "E00001":
            assert (e["employee_id"] in filed) == (e["pay"] > 5_000_000), e["employee_id"]
    assert summary["tax_office"]["all"]["pay"] == sum(e["pay"] for e in people.values())
    municipal = summary["municipalities"]
    assert sum(g["people"] for g in municipal) == len(people)  # nobody left paid ≤ 30万
    folder = root / "out" / "nencho" / str(YEAR) / "municipal"
    for g in municipal:
        name = f"{g['municipality_code'] or 'nocode'}_{g['municipality']}.csv"
        rows = list(csv.DictReader(io.StringIO((folder / name).read_text(encoding="utf-8-sig"))))
        assert sum(int(r["pay"]) for r in rows) == g["pay"]


def test_the_list_and_working_sheet_reopen(demo_nencho):
    root = demo_nencho[0]
    book = openpyxl.load_workbook(root / "out" / "nencho" / str(YEAR) / "nencho.xlsx", read_only=True)
    listing = list(book["年末調整一覧"].iter_rows(values_only=True))
    assert listing[0][0] == "社員番号" and len(listing) == 51
    summary = {e["employee_id"]: e for e in _summary(root)["employees"]}
    for row in listing[1:]:
        assert row[10] == summary[row[0]]["annual_tax"]
    lines = [r for r in book["年末調整計算書"].iter_rows(values_only=True) if r[0] == "E00002"]
    assert ("基礎控除" in [r[2] for r in lines]) and all(r[4] is not None for r in lines if r[2] != "年末調整対象外")


def _text_with_positions(pdf: Path) -> list[tuple[str, float, float]]:
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text.strip(), tm[4], tm[5]))

    PdfReader(pdf).pages[0].extract_text(visitor_text=visit)
    return found


def test_withholding_slip_figures_sit_in_their_boxes(demo_nencho):
    root = demo_nencho[0]
    e = {x["employee_id"]: x for x in _summary(root)["employees"]}["E00002"]
    pdf = root / "out" / "nencho" / str(YEAR) / "slips" / "E00002.pdf"
    placed = _text_with_positions(pdf)
    text = " ".join(t for t, _, _ in placed)
    assert (
        "令和7年分" in text and "給与所得の源泉徴収票" in text and "個人番号" in text
    )  # (the note that it is omitted)
    for key, value in (
        ("pay", e["pay"]),
        ("employment_income", e["employment_income"]),
        ("deductions_total", e["deductions_total"]),
        ("annual_tax", e["annual_tax"]),
        ("basic", e["figures"]["basic"]),
    ):
        box = BOX_OF[key]
        spots = [(x, y) for t, x, y in placed if t == f"{value:,}"]
        assert any(box.x <= x <= box.x + box.w and box.y <= y <= box.y + box.h for x, y in spots), key
    staff = openpyxl.load_workbook(root / "staff.xlsx", read_only=True)
    numbers = [str(r[7]) for r in staff["Staff 従業員"].iter_rows(min_row=2, values_only=True) if r[7]]
    assert not any(n in text for n in numbers)  # no My Number on the employee's copy


# --- a worked example through a person's own sheets ----------------------------------------------
def _vector_b_company(root: Path, extra: dict | None = None):
    """NTA 令和8年分 設例: pay 4,390,000, withheld 51,845, social 641,525, spouse, one dependant, insurance."""
    company = company_with(root, [person(dependents=2, birth_date=date(1980, 4, 1))])
    pay, social, tax = 4_390_000, 641_525, 51_845
    history = [
        {
            "employee_id": "E1",
            "pay_date": date(2026, m, 24),
            "kind": "給与",
            "taxable_pay": pay // 12 + (pay % 12 if m == 12 else 0),
            "social_insurance": social // 12 + (social % 12 if m == 12 else 0),
            "withholding_tax": tax // 12 + (tax % 12 if m == 12 else 0),
        }
        for m in range(1, 13)
    ]
    sheets = {
        "staff": [person(dependents=2, birth_date=date(1980, 4, 1))],
        "attendance": [],
        "allowances": [],
        "pay_history": history,
        "nencho_dependents": [
            {
                "year": 2026,
                "employee_id": "E1",
                "name": "試験 花子",
                "relationship": "妻",
                "birth_date": date(1982, 2, 2),
                "estimated_income": 0,
                "living_together": "〇",
            },
            {
                "year": 2026,
                "employee_id": "E1",
                "name": "試験 一郎",
                "relationship": "父",
                "birth_date": date(1960, 3, 3),
                "estimated_income": 0,
                "living_together": "×",
            },
        ],
        "nencho_insurance": [
            {"year": 2026, "employee_id": "E1", "kind": "一般生命保険料(旧)", "amount": 50_200},
            {"year": 2026, "employee_id": "E1", "kind": "個人年金保険料(新)", "amount": 56_000},
            {"year": 2026, "employee_id": "E1", "kind": "地震保険料", "amount": 45_000},
        ],
        "nencho_employee": [
            {"year": 2026, "employee_id": "E1", "municipality": "東京都千代田区", "municipality_code": "131016"}
        ],
    }
    for key, rows in (extra or {}).items():
        sheets[key] = sheets.get(key, []) + rows
    write_book(company.book_path("staff"), company.books["staff"], sheets)
    return load_company(root)


def test_worked_example_through_the_sheets(tmp_path):
    run = compute_nencho(_vector_b_company(tmp_path), 2026)
    assert run.exit_code == 0, [i.message_en for i in run.issues]
    (result,) = run.adjustments
    assert result.pay == 4_390_000 and result.withheld == 51_845
    assert result.figure("life_insurance") == 71_550 and result.figure("deductions_total") == 2_558_075
    assert result.figure("annual_tax") == 26_100 and result.settlement.excess == 25_745


def test_a_year_without_rules_is_refused_naming_the_file(tmp_path, capsys):
    _vector_b_company(tmp_path)
    assert main(["nencho", str(tmp_path), "--year", "2027"]) == 2
    out = capsys.readouterr().out
    assert "yearend.yaml" in out and "2027" in out
    assert not (tmp_path / "out" / "nencho").exists()


def test_a_declaration_for_an_unknown_employee_is_located(tmp_path, capsys):
    _vector_b_company(
        tmp_path, {"nencho_insurance": [{"year": 2026, "employee_id": "E9", "kind": "地震保険料", "amount": 1}]}
    )
    assert main(["nencho", str(tmp_path), "--year", "2026", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "staff.xlsx!Insurance 保険料控除申告書!B5" in out and "E9" in out
    assert not (tmp_path / "out" / "nencho").exists()


def test_a_relative_claimed_twice_is_an_error_at_the_second_row(tmp_path, capsys):
    root = tmp_path
    company = _vector_b_company(root)
    second = person(employee_id="E2", name="試験 次郎", my_number=None)
    book = openpyxl.load_workbook(company.book_path("staff"))
    staff = book["Staff 従業員"]
    header = [c.value for c in staff[1]]
    staff.append([second.get(_canonical(company, h)) for h in header])
    deps = book["Dependents 扶養控除等申告書"]
    deps.append([2026, "E2", "試験 一郎", "父", date(1960, 3, 3), 0, "×"])
    book.save(company.book_path("staff"))
    assert main(["nencho", str(root), "--year", "2026"]) == 1
    out = capsys.readouterr().out
    assert "Dependents 扶養控除等申告書!C4" in out and "claimed_twice" in out


def _canonical(company, header: str) -> str:
    columns = company.books["staff"].sheets["staff"].columns
    for name, spec in columns.items():
        if header in (spec.label_ja, name, *spec.aliases) or header.startswith(spec.label_ja):
            return name
    return header


def test_dependants_nobody_declared_are_a_located_warning(tmp_path, capsys):
    company = _vector_b_company(tmp_path)
    book = openpyxl.load_workbook(company.book_path("staff"))
    book.remove(book["Dependents 扶養控除等申告書"])
    book.save(company.book_path("staff"))
    assert main(["nencho", str(tmp_path), "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "staff.xlsx!Staff 従業員!" in out and "dependants_not_declared" in out


def test_the_years_pay_is_the_payrolls_by_pay_date(demo_nencho):
    """December's payment of each employee is the November work month's payroll, as `payroll` writes it."""
    root = demo_nencho[0]
    assert main(["payroll", str(root), "--month", "2025-11"]) == 0
    slip = json.loads((root / "out" / "payroll" / "2025-11" / "summary.json").read_text(encoding="utf-8"))
    run = compute_nencho(load_company(root), YEAR)
    paid_on = date.fromisoformat(slip["pay_date"])
    by_id = {p.employee_id: p for p in run.people}
    for e in slip["employees"]:
        (payment,) = [p for p in by_id[e["employee_id"]].payments if p.pay_date == paid_on]
        social = sum(
            e[k]
            for k in ("health_insurance", "nursing_insurance", "child_support_levy", "pension", "employment_insurance")
        )
        assert (payment.tax, payment.social_insurance) == (e["withholding_tax"], social)
        assert payment.taxable - social == e["taxable_amount"]
    # and January–April come from the PayHistory sheet, once each
    first = by_id["E00002"].payments
    assert len([p for p in first if p.kind == "salary"]) == 12


def test_each_employee_gets_a_working_sheet_to_check_by_hand(demo_nencho):
    root = demo_nencho[0]
    e = {x["employee_id"]: x for x in _summary(root)["employees"]}["E00004"]  # the mid-year hire, a shortfall
    text = PdfReader(root / "out" / "nencho" / str(YEAR) / "statements" / "E00004.pdf").pages[0].extract_text()
    assert "年末調整計算書" in text and "基礎控除" in text and "年末調整のしかた 別表第五" in text
    for key in ("pay", "deductions_total", "taxable_income", "annual_tax"):
        assert f"{e['figures'][key]:,}" in text, key
    assert "最終支給での徴収額" in text and f"{e['collected']:,}" in text and e["collected"] > 0
    assert "FACTS_YEAR.md §C3" in text  # the rule behind 基礎控除


def test_a_year_whose_pay_is_not_all_known_is_not_adjusted(demo_nencho, capsys):
    """The demo's attendance ends with March 2026 (paid in April): 2026 cannot be adjusted yet. The
    months from the first known pay to December are named, nothing is written, exit 1."""
    root, _ = demo_nencho
    capsys.readouterr()
    assert main(["nencho", str(root), "--year", "2026"]) == 1
    out = capsys.readouterr().out
    [line] = [text for text in out.splitlines() if "pay_months_missing" in text]
    assert "2026-05" in line and "2026-12" in line and "2026-04" not in line  # April's pay is known
    assert not (root / "out" / "nencho" / "2026").exists()
