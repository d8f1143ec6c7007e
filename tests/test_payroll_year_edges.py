"""The legal edges of the monthly run, each worked by hand from its source (cited in rules/ and in
addin/payroll/edges.py): 同月得喪, allowances that are insurance wages though not taxable, overtime
rounded once, 乙欄 with a 従たる給与の扶養控除等申告書, a leaver's resident tax, a director's absence."""

from __future__ import annotations

from datetime import date

from tests.payroll_helpers import DAY, payroll_for, person, row_of

NOT_INSURED = {"health_insurance": "×", "pension": "×", "employment_insurance": "×"}


def test_hired_and_leaving_in_the_same_month_pays_that_months_premiums(tmp_path):
    # 同月得喪 (健保法156条3項, 厚年法19条2項; FACTS_YEAR.md §E): hired 6/2, left 6/20, standard 300,000.
    # Work month 2025-06 is paid 2025-07-25 and collects the June premiums (翌月徴収):
    # health 300,000 × 9.91 % ÷ 2 = 14,865; pension 300,000 × 18.3 % ÷ 2 = 27,450 (before the fix: none)
    p = payroll_for(
        tmp_path,
        [person(hire_date=date(2025, 6, 2), leave_date=date(2025, 6, 20))],
        date(2025, 6, 1),
        [{"employee_id": "E1", "month": "2025-06", **DAY}],
    )
    assert p.premium_month == date(2025, 6, 1)
    row = row_of(p)
    assert (row["health_insurance"], row["pension"]) == (14865, 27450)


def test_leaving_mid_month_after_an_earlier_hire_still_pays_no_premium_for_that_month(tmp_path):
    # loss on 6/21 in the month after acquisition month: June is not charged (the month before the loss month is)
    p = payroll_for(
        tmp_path,
        [person(hire_date=date(2025, 5, 1), leave_date=date(2025, 6, 20))],
        date(2025, 6, 1),
        [{"employee_id": "E1", "month": "2025-06", **DAY}],
    )
    assert (row_of(p)["health_insurance"], row_of(p)["pension"]) == (0, 0)


def test_meal_allowance_is_an_insurance_wage_and_a_travel_per_diem_is_not(tmp_path):
    # base 286,000 + 食事手当 5,000 (非課税, wage by default: 健保法3条5項) + 出張日当 8,000 (非課税, 実費弁償 by the
    # rules' default) + 在宅勤務手当 3,000 (課税 but marked 実費弁償 on its row).
    # Insurance wage = 286,000 + 5,000 = 291,000 → computed grade band 290,000–310,000 → 300,000 (22級; without the
    # meal allowance 286,000 would be 280,000). EI (R7 5.5 ‰): 291,000 × 5.5 ‰ = 1,600.5 → 1,600 (50銭以下切捨て).
    allowances = [
        {"employee_id": "E1", "name": "食事手当", "amount": 5000, "taxable": "非課税"},
        {"employee_id": "E1", "name": "出張日当", "amount": 8000, "taxable": "非課税"},
        {"employee_id": "E1", "name": "在宅勤務手当", "amount": 3000, "taxable": "課税", "insurance_wage": "実費弁償"},
    ]
    p = payroll_for(
        tmp_path,
        [person(base_salary=286000, standard_monthly_remuneration=None)],
        date(2025, 6, 1),
        allowances=allowances,
    )
    row = row_of(p)
    assert row["standard_monthly_remuneration"] == 300000
    assert row["insurance_wage"] == 291000
    assert row["employment_insurance"] == 1600
    assert row["gross_pay"] == 286000 + 5000 + 8000 + 3000
    assert row["taxable_pay"] == 286000 + 3000


def test_overtime_beyond_sixty_hours_is_one_total_rounded_once(tmp_path):
    # base 301,000 ÷ 160 h = 1,881.25 /h; 60 h × 1.25 = 141,093.75 and 12 h × 1.50 = 33,862.50:
    # one total 174,956.25 → 174,956 (昭和63.3.14 基発150号); rounding each part gave 174,957
    p = payroll_for(
        tmp_path,
        [person(base_salary=301000)],
        date(2025, 12, 1),
        [{"employee_id": "E1", "month": "2025-12", **DAY, "overtime_hours": 72, "overtime_over60_hours": 12}],
    )
    assert row_of(p)["overtime_pay"] == 174956


def test_otsu_with_declared_dependents_on_the_secondary_declaration(tmp_path):
    # 乙欄, taxable 300,000 (no social insurance): R7 月額表 row 299,000–302,000 乙 = 53,700
    # (withholding_monthly_R02-R07_2020-2025.csv); 2 dependents on the 従たる給与についての扶養控除等申告書:
    # 53,700 − 2 × 1,610 = 50,480 (月額表 乙欄の備考)
    base = dict(NOT_INSURED, tax_column="乙", base_salary=300000, standard_monthly_remuneration=None)
    p = payroll_for(
        tmp_path,
        [person(**base, secondary_dependents=2), person(**base, employee_id="E2", my_number=None)],
        date(2025, 6, 1),
    )
    assert row_of(p, "E2")["withholding_tax"] == 53700
    assert row_of(p, "E1")["withholding_tax"] == 50480


def test_leaver_in_february_pays_the_rest_of_the_resident_tax_at_once(tmp_path):
    # leaving 2026-02-20: last pay 2026-03-25 (work month February) collects March plus April and May
    # (地方税法321条の5第2項):
    # 10,000 × 3 = 30,000
    p = payroll_for(
        tmp_path,
        [person(leave_date=date(2026, 2, 20), resident_tax_monthly=10000)],
        date(2026, 2, 1),
        [{"employee_id": "E1", "month": "2026-02", **DAY}],
    )
    row = row_of(p)
    assert (row["resident_tax"], row["resident_tax_lump_sum"], row["resident_tax_remaining"]) == (30000, 1, 0)


def test_leaver_in_september_lists_the_remaining_months_unless_asked_to_collect_them(tmp_path):
    # leaving 2025-09-20: last pay 2025-10-24 collects October; November–May (7 months × 10,000 = 70,000) go to the
    # municipality (普通徴収) unless the employee asked for 一括徴収, then 10,000 + 70,000 = 80,000
    staff = [
        person(leave_date=date(2025, 9, 20), resident_tax_monthly=10000),
        person(
            employee_id="E2",
            my_number=None,
            leave_date=date(2025, 9, 20),
            resident_tax_monthly=10000,
            resident_tax_lump_sum="〇",
        ),
    ]
    p = payroll_for(
        tmp_path, staff, date(2025, 9, 1), [{"employee_id": e, "month": "2025-09", **DAY} for e in ("E1", "E2")]
    )
    listed, asked = row_of(p, "E1"), row_of(p, "E2")
    assert (listed["resident_tax"], listed["resident_tax_remaining"], listed["resident_tax_remaining_months"]) == (
        10000,
        70000,
        7,
    )
    assert (asked["resident_tax"], asked["resident_tax_lump_sum"], asked["resident_tax_remaining"]) == (80000, 1, 0)


def test_director_pay_is_not_docked_for_absence_unless_the_company_chooses_it(tmp_path):
    # 定期同額給与 (法人税法34条1項1号): 2 days absent, 1,000,000 a month.
    # With the setting: 1,000,000 × 2 ÷ 20 = 100,000
    director = person(
        employment_type="役員", base_salary=1000000, standard_monthly_remuneration=980000, employment_insurance="×"
    )
    attendance = [{"employee_id": "E1", "month": "2025-06", **DAY, "unpaid_absence_days": 2}]
    assert row_of(payroll_for(tmp_path / "a", [director], date(2025, 6, 1), attendance))["absence_deduction"] == 0
    chosen = payroll_for(tmp_path / "b", [director], date(2025, 6, 1), attendance, director_absence_deduction=True)
    assert row_of(chosen)["absence_deduction"] == 100000


def test_the_leavers_remaining_resident_tax_is_in_summary_json(tmp_path):
    import json
    from addin.cli import main
    from tests.payroll_helpers import company_with

    company_with(
        tmp_path,
        [person(leave_date=date(2025, 9, 20), resident_tax_monthly=10000)],
        [{"employee_id": "E1", "month": "2025-09", **DAY}],
    )
    assert main(["payroll", str(tmp_path), "--month", "2025-09"]) == 0
    line = json.loads((tmp_path / "out" / "payroll" / "2025-09" / "summary.json").read_text("utf-8"))["employees"][0]
    assert (line["resident_tax_remaining"], line["resident_tax_remaining_months"], line["resident_tax_lump_sum"]) == (
        70000,
        7,
        0,
    )
