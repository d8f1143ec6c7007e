"""Grade reviews worked by hand (FACTS_YEAR.md §B; grades from rules/jp/standard_monthly_remuneration_grades.csv):
定時決定 with a short month left out (test vector SANTEI-EX), the short-time and part-time day rules, 随時改定 that
moves 2 grades (applies from the 4th month) and 1 grade (no change), and the proposal workbook end to end."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from addin.cli import main
from addin.payroll.grades import DEFAULT, GradeTable, ReviewRules, disagreements, review, teiji, zuiji
from addin.rulebook import load_rulebook
from tests.bonus_helpers import company_with_bonuses, vector
from tests.payroll_helpers import hourly_grade_case

TABLE = GradeTable.of(
    load_rulebook(Path("/nonexistent-company")).value(
        "social_insurance.standard_monthly_remuneration_grades", date(2026, 9, 1)
    )
)


def test_the_engine_defaults_are_the_rules_in_force():
    rules = load_rulebook(Path("/nonexistent-company"))
    on = date(2026, 9, 1)
    assert (
        ReviewRules.of(
            rules.value("grades.base_days_minimum", on), rules.value("grades.zuiji_minimum_grade_change", on)
        )
        == DEFAULT
        == ReviewRules(17, 11, 15, 2)
    )


def _staff(*people):
    frame = pd.DataFrame(
        [
            {
                "employee_id": "E1",
                "name": "試験",
                "employment_type": "regular",
                "health_insurance": True,
                "hire_date": pd.Timestamp(2015, 4, 1),
                "leave_date": pd.NaT,
                "short_time_worker": None,
                "standard_monthly_remuneration": 300000,
                **p,
            }
            for p in people
        ]
    )
    frame["leave_date"] = pd.to_datetime(frame["leave_date"])
    return frame


def _records(employee, start: date, wages, days, fixed, standard=300000):
    months = pd.date_range(pd.Timestamp(start), periods=len(wages), freq="MS")
    return pd.DataFrame(
        {
            "employee_id": employee,
            "pay_month": months,
            "insurance_wage": wages,
            "base_days": days,
            "fixed_pay": fixed,
            "standard": standard,
        }
    )


def test_teiji_leaves_out_a_month_under_17_days():
    v = vector("SANTEI-EX")  # Apr 300,000 (20日), May 100,000 (10日), Jun 300,000 (20日) → (300,000 + 300,000) / 2
    assert "300000" in v["expected"].replace(",", "")
    records = _records("E1", date(2026, 4, 1), [300000, 100000, 300000], [20, 10, 20], [300000] * 3)
    row = teiji(records, _staff({"standard_monthly_remuneration": 240000}), 2026, TABLE).iloc[0]
    assert (row["months_used"], row["average"], row["proposed"], row["proposed_grade"]) == (2, 300000, 300000, 22)
    assert (bool(row["may_used"]), row["effective"]) == (False, "2026-09")
    # dividing by three would have given 233,333 → 19級 240,000
    assert TABLE.standard(TABLE.grade(233333)) == 240000


def test_short_time_worker_counts_months_of_11_days_and_a_part_timer_falls_back_to_15():
    # short-time worker (特定適用事業所, 施行規則24条の2): 12 / 10 / 14 days → May out;
    # (120,000 + 130,000) / 2 = 125,000
    # → band 122,000–130,000 → 9級 126,000
    short = _records("E1", date(2026, 4, 1), [120000, 110000, 130000], [12, 10, 14], [1100] * 3, 126000)
    # part-timer (短時間就労者): 16 / 15 / 14 days, none ≥ 17 → the 15–16-day months: (150,000 + 140,000) / 2 = 145,000
    # → band 138,000–146,000 → 11級 142,000
    part = _records("E2", date(2026, 4, 1), [150000, 140000, 130000], [16, 15, 14], [1200] * 3, 150000)
    staff = _staff(
        {"short_time_worker": True, "employment_type": "part_time", "standard_monthly_remuneration": 126000},
        {"employee_id": "E2", "employment_type": "part_time", "standard_monthly_remuneration": 150000},
    )
    rows = teiji(pd.concat([short, part]), staff, 2026, TABLE).set_index("employee_id")
    assert (rows.loc["E1", "average"], rows.loc["E1", "proposed"], rows.loc["E1", "months_used"]) == (125000, 126000, 2)
    assert (rows.loc["E2", "average"], rows.loc["E2", "proposed"], rows.loc["E2", "basis"]) == (
        145000,
        142000,
        "15日以上の月（パート）",
    )


def test_teiji_skips_hires_from_june_and_keeps_the_grade_when_no_month_counts():
    records = pd.concat(
        [
            _records("E1", date(2026, 4, 1), [300000] * 3, [10, 12, 9], [300000] * 3),
            _records("E2", date(2026, 6, 1), [400000], [30], [400000]),
        ]
    )
    staff = _staff({}, {"employee_id": "E2", "hire_date": pd.Timestamp(2026, 6, 1)})
    rows = teiji(records, staff, 2026, TABLE)
    assert rows["employee_id"].tolist() == ["E1"]  # E2 acquired the status on 6/1
    assert (rows.iloc[0]["proposed"], rows.iloc[0]["basis"]) == (300000, "従前（算定できる月なし）")


def test_zuiji_two_grades_applies_from_the_fourth_month_and_one_grade_does_not():
    # 22級 300,000; raised from the April pay. To 340,000: April–June average 340,000 → 24級 (2 grades) → from July.
    # To 320,000: average 320,000 → 23級 (1 grade) → no 随時改定 (健保法43条; FACTS_YEAR.md §B2)
    two = _records(
        "E1", date(2026, 3, 1), [300000, 340000, 340000, 340000], [31, 30, 31, 30], [300000, 340000, 340000, 340000]
    )
    one = _records(
        "E2", date(2026, 3, 1), [300000, 320000, 320000, 320000], [31, 30, 31, 30], [300000, 320000, 320000, 320000]
    )
    found = zuiji(pd.concat([two, one]), _staff({}, {"employee_id": "E2"}), TABLE)
    assert found["employee_id"].tolist() == ["E1"]
    row = found.iloc[0]
    assert (
        row["change_month"],
        row["average"],
        row["current_grade"],
        row["proposed_grade"],
        row["proposed"],
        row["effective"],
    ) == ("2026-04", 340000, 22, 24, 340000, "2026-07")


def test_zuiji_needs_three_full_months_and_the_same_direction():
    # raise, but overtime falls so the average goes down 2 grades: direction disagrees → none
    down = _records(
        "E1", date(2026, 3, 1), [300000, 260000, 260000, 260000], [31] * 4, [280000, 290000, 290000, 290000]
    )
    # a 16-day month among the three → none
    short = _records(
        "E2", date(2026, 3, 1), [300000, 400000, 400000, 400000], [31, 30, 16, 30], [300000, 400000, 400000, 400000]
    )
    assert zuiji(pd.concat([down, short]), _staff({}, {"employee_id": "E2"}), TABLE).empty


def test_zuiji_applying_from_september_replaces_the_teiji_and_the_sheet_is_checked_against_it():
    # raised from the June pay: June–August average 400,000 → 27級 410,000 (5 grades) from September, so no
    # 定時決定 that year (健保法41条3項)
    records = _records("E1", date(2026, 3, 1), [300000] * 3 + [400000] * 4, [31] * 7, [300000] * 3 + [400000] * 4)
    staff = _staff({})
    result = review(records, staff, 2026, TABLE)
    assert result.teiji.empty and result.zuiji.iloc[0]["effective"] == "2026-09"
    # before September nothing disagrees; from September the sheet's 300,000 is not the 410,000 in force
    assert disagreements(result, staff, date(2026, 8, 31)) == []
    assert disagreements(result, staff, date(2026, 9, 1)) == [("E1", 300000, 410000, "随時改定 2026-09")]


def test_grades_command_writes_a_proposal_and_leaves_staff_xlsx_alone(tmp_path, capsys):
    # hourly part-timer 1,500/h: April pay (work month March) 20 days, May 10 days, June 18 days (all 8 h/day)
    # → May out: (240,000 + 216,000) / 2 = 228,000 → 18級 220,000; the sheet says 200,000
    part, attendance = hourly_grade_case()
    company = company_with_bonuses(tmp_path, part, [], attendance)
    staff_before = hashlib.sha256(company.book_path("staff").read_bytes()).hexdigest()
    assert main(["payroll", str(tmp_path), "--month", "2026-03", "--close"]) == 0  # April's pay from the history
    assert main(["grades", str(tmp_path), "--year", "2026", "--as-of", "2026-09-30"]) == 0
    out = capsys.readouterr().out
    assert "grade_disagrees" in out and "220,000" in out
    ws = openpyxl.load_workbook(tmp_path / "out" / "grades" / "2026" / "proposal.xlsx")["定時決定"]
    header = [c.value for c in ws[3]]
    row = {h: c.value for h, c in zip(header, ws[4], strict=False)}  # the row may run past the header
    assert (row["4月 報酬"], row["5月 基礎日数"], row["報酬月額"], row["提案する標準報酬月額"]) == (
        240000,
        10,
        228000,
        220000,
    )
    assert hashlib.sha256(company.book_path("staff").read_bytes()).hexdigest() == staff_before
    # the nightly run's view: in August the 2025 review is in force (no result for E1), from September 2026's
    from addin.services.grades import nightly_grade_findings

    assert nightly_grade_findings(company, date(2026, 8, 31)) == []
    findings = nightly_grade_findings(company, date(2026, 9, 30))
    assert [(f.code, f.field, f.severity.value) for f in findings] == [
        ("grade_disagrees", "standard_monthly_remuneration", "warning")
    ]
    assert (
        findings[0].cell.endswith("2") and "220,000" in findings[0].message_ja
    )  # E1's row, the first under the header


def test_a_grade_review_stops_at_a_salary_it_cannot_read_as_payroll_does(tmp_path, capsys):
    """A basic pay typed "abc" is read as empty: a review computed past it would propose the grade of a
    person paid nothing. It stops as the payroll run stops, naming the cell; the night leaves grades and
    closed months alone (its validation lists the cell)."""
    from addin.services.grades import nightly_grade_findings, run_grade_review
    from addin.services.payroll_year import closed_month_drift
    from addin.services.staff_tables import StaffUnusable

    part, attendance = hourly_grade_case()
    company = company_with_bonuses(tmp_path, part, [], attendance)
    assert main(["payroll", str(tmp_path), "--month", "2026-03", "--close"]) == 0
    wb = openpyxl.load_workbook(company.book_path("staff"))
    staff = wb["Staff 従業員"]
    header = [c.value for c in staff[1]]
    staff.cell(2, header.index("時給") + 1).value = "abc"
    wb.save(company.book_path("staff"))
    capsys.readouterr()
    run = run_grade_review(company, 2026, date(2026, 9, 30))
    assert [(i.code, i.cell) for i in run.issues] == [("not_a_number", f"{chr(65 + header.index('時給'))}2")]
    assert run.review is None and not (tmp_path / "out" / "grades" / "2026").exists()
    assert main(["grades", str(tmp_path), "--year", "2026", "--as-of", "2026-09-30"]) == 1
    cell = f"{chr(65 + header.index('時給'))}2"
    with pytest.raises(StaffUnusable, match=cell):  # the night shows these checks skipped, not passed
        nightly_grade_findings(company, date(2026, 9, 30))
    with pytest.raises(StaffUnusable, match=cell):  # not a drift of every closed month: an unreadable cell
        closed_month_drift(company)
    capsys.readouterr()
