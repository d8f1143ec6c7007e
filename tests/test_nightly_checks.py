"""The nightly checks of the payroll year, grades, receivables and books, each planted once and found
where it is; a clean night passes; a check whose inputs are absent is skipped with its reason; a
misspelt check name stops the night naming the file, the line and the key."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.reconcile.checks import CHECKS
from addin.reconcile.settings import check_names, load_settings
from addin.rulebook import RULES_DIR, RulesFileError
from addin.outputs.master_books import write_book
from tests.bonus_helpers import company_with_bonuses
from tests.payroll_helpers import TWO_STAFF, attendance_of, hourly_grade_case
from tests.test_invoicing import company as invoicing_company, order

STAFF = TWO_STAFF
ATTENDANCE = attendance_of("2025-09", "2025-10", "2025-11")
NIGHT = "2025-12-05"


def night(root: Path, day: str = NIGHT) -> dict:
    main(["reconcile", str(root), "--once", "--date", day])
    rep = json.loads((root / "out" / "reconcile" / day / "report.json").read_text(encoding="utf-8"))
    return {c["name"]: c for c in rep["checks"]} | {"_status": rep["status"]}


@pytest.fixture(scope="module")
def closed_month(tmp_path_factory):
    """October paid and closed, November run, nothing posted to the books yet."""
    root = tmp_path_factory.mktemp("closed") / "co"
    company_with_bonuses(root, STAFF, [], ATTENDANCE)
    assert main(["payroll", str(root), "--month", "2025-10", "--close", "--by", "経理 山田"]) == 0
    assert main(["payroll", str(root), "--month", "2025-11"]) == 0
    return root


@pytest.fixture
def co(closed_month, tmp_path):
    target = tmp_path / "co"
    shutil.copytree(closed_month, target)
    return target


def test_every_check_is_typed_and_on_by_default():
    settings = load_settings(None)
    assert check_names() == list(CHECKS)
    assert all(getattr(settings.checks, name).enabled for name in CHECKS)


def test_an_unposted_payroll_month_then_a_clean_night(co, capsys):
    checks = night(co)
    unposted = checks["books_unposted"]
    assert unposted["status"] == "findings"
    assert any(f["value"] == "payroll" and "2025-10" in f["key"] for f in unposted["findings"]), unposted
    assert checks["closed_periods"]["status"] == "pass"
    assert checks["receivables"]["status"] == "skipped" and "no bank folder" in checks["receivables"]["detail"]
    assert main(["books", str(co), "--from", "2025-04-01", "--to", NIGHT]) in (0, 1)
    checks = night(co)
    assert checks["books_unposted"]["status"] == "pass"
    assert {
        n: c["status"] for n, c in checks.items() if n != "_status" and c["status"] not in ("pass", "skipped")
    } == {}
    assert checks["_status"] == "pass"
    capsys.readouterr()


def test_a_salary_edit_after_the_close_is_found_at_the_employee(co, capsys):
    staff = [dict(STAFF[0], base_salary=320000), STAFF[1]]
    from addin.services.company import load_company

    company = load_company(co)
    write_book(company.book_path("staff"), company.books["staff"], {"staff": staff, "attendance": ATTENDANCE})
    found = night(co)["closed_periods"]
    assert found["status"] == "findings"
    gross = next(f for f in found["findings"] if f["key"] == "month 2025-10 E1 gross_pay")
    assert (gross["book"], gross["cell"], gross["value"]) == ("staff.xlsx", "A2", "300000 → 320000")
    assert "E1" in gross["message_ja"] and not any("E2" in f["key"] for f in found["findings"])
    capsys.readouterr()


def test_the_closed_periods_check_reads_tonights_copy_not_the_live_book(co, monkeypatch, capsys):
    """The service gets the opener over the copies: a book that changes after the copy is not seen."""
    from addin.reconcile import checks as nightly

    seen = []
    real = nightly.closed_periods

    def spy(night_):
        seen.append(str(getattr(night_.opener("staff", night_.company), "path", "")))
        return real(night_)

    monkeypatch.setitem(nightly.CHECKS, "closed_periods", spy)
    night(co)
    assert seen and f"{co}/.backoffice/tmp/night-" in seen[0] and seen[0].endswith("staff.xlsx")
    capsys.readouterr()


def test_the_grades_check_reads_tonights_copy_not_the_live_book(co, monkeypatch, capsys):
    """Like closed_periods: the grade review reads staff.xlsx through the night's opener (the copy, or the
    book open in Excel when a button runs the night), never the file on its own."""
    from addin.services import grades as service

    opened = []
    real = service.StaffTables.of.__func__

    def spy(cls, company, opener=None):
        opened.append(str(getattr(opener("staff", company), "path", "")) if opener else "no opener")
        return real(cls, company, opener)

    monkeypatch.setattr(service.StaffTables, "of", classmethod(spy))
    night(co)
    assert opened and f"{co}/.backoffice/tmp/night-" in opened[0] and opened[0].endswith("staff.xlsx")
    capsys.readouterr()


def test_a_grade_disagreement_is_a_finding_at_the_staff_cell(tmp_path, capsys):
    # the worked case (payroll_helpers.hourly_grade_case): April–June pay → 220,000, the sheet says 200,000
    part, attendance = hourly_grade_case()
    company_with_bonuses(tmp_path, part, [], attendance)
    assert main(["payroll", str(tmp_path), "--month", "2026-03", "--close"]) == 0
    assert night(tmp_path, "2026-08-31")["grades"]["status"] == "pass"  # 2025's review still in force
    grades = night(tmp_path, "2026-09-30")["grades"]
    assert grades["status"] == "findings"
    [finding] = grades["findings"]
    assert finding["sheet"].startswith("Staff") and finding["cell"].endswith("2") and "220,000" in finding["message_ja"]
    capsys.readouterr()


def test_an_unmatched_deposit_and_an_overdue_invoice(tmp_path, capsys):
    root = invoicing_company(tmp_path / "co", [order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10))])
    assert main(["invoice", str(root), "--through", "2025-04-30"]) == 0  # due 2025-05-31 (翌月末)
    (root / "bank").mkdir()
    (root / "bank" / "2025-06.csv").write_text(
        "日付,内容,入金金額,出金金額,残高\n2025-06-03,振込 ﾔﾏﾀﾞ ﾀﾛｳ,50000,,50000\n", encoding="utf-8"
    )
    checks = night(root, "2025-06-10")
    money = checks["receivables"]
    kinds = {f["kind"]: f for f in money["findings"]}
    assert money["status"] == "findings"
    assert kinds["receivables_unmatched"]["value"] == "50,000" and "ﾔﾏﾀﾞ" in kinds["receivables_unmatched"]["message_ja"]
    assert kinds["receivables_overdue"]["key"] == "INV-000001" and "11 日" in kinds["receivables_overdue"]["message_ja"]
    again = night(root, "2025-06-11")["receivables"]  # the file is imported once, still reported
    assert [f["key"] for f in again["findings"] if f["kind"] == "receivables_unmatched"] == [
        kinds["receivables_unmatched"]["key"]
    ]
    capsys.readouterr()


def test_checks_without_their_inputs_are_skipped_with_a_reason(tmp_path, capsys):
    root = invoicing_company(tmp_path / "co", [])
    checks = night(root, "2025-06-10")
    for name in ("closed_periods", "grades", "books_unposted"):  # nothing closed, nothing to post
        assert checks[name]["status"] == "pass", name
    assert checks["receivables"]["status"] == "skipped" and "no bank folder" in checks["receivables"]["detail"]
    capsys.readouterr()


@pytest.mark.parametrize(
    "text, key",
    [
        ("reconcile:\n  checks:\n    closed_period: {enabled: false}\n", "reconcile.checks.closed_period"),
        ("reconcile:\n  checks:\n    grades: {enabeld: false}\n", "reconcile.checks.grades.enabeld"),
        ("reconcile:\n  checks:\n    grades: {enabled: 'no'}\n", "reconcile.checks.grades.enabled"),
    ],
)
def test_a_misspelt_company_override_stops_the_night_naming_file_line_and_key(tmp_path, capsys, text, key):
    root = invoicing_company(tmp_path / "co", [])
    (root / "rules").mkdir()
    (root / "rules" / "night.yaml").write_text("# ours\n" + text, encoding="utf-8")
    with pytest.raises(RulesFileError) as refused:
        load_settings(root)
    assert refused.value.path == root / "rules" / "night.yaml" and key in str(refused.value)
    assert "line 4" in str(refused.value) or "line 3" in str(refused.value)
    assert main(["reconcile", str(root), "--once", "--date", "2025-06-10"]) == 2
    out = capsys.readouterr().out
    assert "night.yaml" in out and key in out
    assert not (root / "out" / "reconcile").exists()


def test_a_misspelt_check_in_the_products_rules_is_refused_too(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    text = (rules / "reconcile.yaml").read_text(encoding="utf-8").replace("books_unposted:", "books_unpostd:")
    (rules / "reconcile.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesFileError) as refused:
        load_settings(None, rules)
    assert refused.value.path == rules / "reconcile.yaml" and "reconcile.checks.books_unpostd" in str(refused.value)
    assert "known: validation" in str(refused.value)


def test_pay_checks_are_skipped_not_passed_when_a_salary_cannot_be_read(co, capsys):
    """A basic pay typed "abc": the closed month and the grades cannot be compared tonight. They show as
    skipped with the cell (the validation lists it too), never as a pass that hides a real drift."""
    wb = openpyxl.load_workbook(co / "staff.xlsx")
    staff = wb["Staff 従業員"]
    header = [c.value for c in staff[1]]
    staff.cell(2, header.index("基本給") + 1).value = "abc"
    wb.save(co / "staff.xlsx")
    checks = night(co, "2026-09-30")
    cell = f"Staff 従業員!{chr(65 + header.index('基本給'))}2"
    for name in ("closed_periods", "grades"):
        assert checks[name]["status"] == "skipped" and cell in checks[name]["detail"], checks[name]
    capsys.readouterr()
