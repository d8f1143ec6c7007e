"""Payroll against hand-worked cases: each rounding edge, the age 40 and 65 boundaries, grade caps,
a mid-month leaver and hire, an hourly part-timer, a director, overtime premiums, commuting limit."""

from __future__ import annotations

from datetime import date

import pytest

from addin.money import half_up_yen, social_insurance_share
from addin.dates import pay_date, reaches_age
from tests.payroll_helpers import DAY, payroll_of, person, row_of


def test_fifty_sen_rule_on_plain_integers():
    assert social_insurance_share(28565, 10) == 2856  # 2,856.50 → down
    assert social_insurance_share(28566, 10) == 2857  # 2,856.60 → up
    assert social_insurance_share(285651, 100) == 2857  # 2,856.51 → up
    assert half_up_yen(28565, 10) == 2857  # wages: 50銭以上切上げ


def test_health_share_exactly_half_a_yen_goes_down(bare_company):
    # R8 Tokyo 9.85 % (premium month 2026-03): 58,000 × 9.85 % ÷ 2 = 2,856.5 → 2,856 (FACTS.md §3)
    p = payroll_of(
        bare_company,
        [person(standard_monthly_remuneration=58000)],
        date(2026, 3, 1),
        [{"employee_id": "E1", "month": "2026-03", **DAY}],
    )
    assert p.premium_month == date(2026, 3, 1)
    assert row_of(p)["health_insurance"] == 2856


def test_health_share_above_half_goes_up(bare_company):
    # R7 Tokyo 9.91 % (premium month 2025-06): 134,000 × 9.91 % ÷ 2 = 6,639.70 → 6,640
    p = payroll_of(bare_company, [person(standard_monthly_remuneration=134000)], date(2025, 6, 1))
    assert row_of(p)["health_insurance"] == 6640


def test_employment_insurance_edges_on_actual_wages(bare_company):
    # R7 general 5.5 ‰: 301,000 → 1,655.500 (down); 301,002 → 1,655.511 (up); by pay date 2025-07-25
    p = payroll_of(
        bare_company,
        [person(base_salary=301000), person(employee_id="E2", base_salary=301002, my_number=None)],
        date(2025, 6, 1),
    )
    assert row_of(p, "E1")["employment_insurance"] == 1655
    assert row_of(p, "E2")["employment_insurance"] == 1656


def test_employment_insurance_rate_follows_the_pay_date(bare_company):
    # work month 2026-03 is paid 2026-04-24: the R8 rate 5 ‰ applies (not R7's 5.5 ‰)
    p = payroll_of(
        bare_company, [person(base_salary=300000)], date(2026, 3, 1), [{"employee_id": "E1", "month": "2026-03", **DAY}]
    )
    assert p.pay_date == date(2026, 4, 24)
    assert row_of(p)["employment_insurance"] == 1500


@pytest.mark.parametrize(
    "birth, month, charged",
    [
        (date(1985, 10, 15), date(2025, 9, 1), False),  # reaches 40 on 2025-10-14
        (date(1985, 10, 15), date(2025, 10, 1), True),
        (date(1985, 10, 1), date(2025, 9, 1), True),  # born on the 1st: reaches 40 on 30 September
        (date(1960, 11, 2), date(2025, 10, 1), True),  # reaches 65 on 2025-11-01
        (date(1960, 11, 2), date(2025, 11, 1), False),
        (date(1960, 11, 1), date(2025, 10, 1), False),  # born on the 1st: reaches 65 on 31 October
    ],
)
def test_nursing_care_from_40_to_64_by_the_legal_day(bare_company, birth, month, charged):
    p = payroll_of(bare_company, [person(birth_date=birth, standard_monthly_remuneration=300000)], month)
    # R7 nursing 1.59 %: 300,000 × 1.59 % ÷ 2 = 2,385
    assert row_of(p)["nursing_insurance"] == (2385 if charged else 0)


def test_health_and_nursing_are_one_premium_rounded_once(bare_company):
    # R7 Tokyo 9.91 % + 1.59 % = 11.50 %: 58,000 × 11.5 % ÷ 2 = 3,335 exactly; nursing 461.1 → 461
    p = payroll_of(
        bare_company, [person(birth_date=date(1980, 1, 10), standard_monthly_remuneration=58000)], date(2025, 6, 1)
    )
    row = row_of(p)
    assert (row["health_insurance"] + row["nursing_insurance"], row["nursing_insurance"]) == (3335, 461)


def test_grade_caps(bare_company):
    p = payroll_of(bare_company, [person(base_salary=1500000, standard_monthly_remuneration=None)], date(2025, 6, 1))
    row = row_of(p)
    assert row["standard_monthly_remuneration"] == 1390000  # health grade 50
    assert row["pension"] == 59475  # 650,000 × 18.3 % ÷ 2: pension grade 32
    assert row["health_insurance"] == 1390000 * 991 // 20000 + (1390000 * 991 % 20000 * 2 > 20000)


def test_low_pay_uses_pension_grade_one(bare_company):
    p = payroll_of(bare_company, [person(standard_monthly_remuneration=58000)], date(2025, 6, 1))
    assert row_of(p)["pension"] == 8052  # 88,000 × 9.15 %


def test_mid_month_leaver(bare_company):
    p = payroll_of(
        bare_company,
        [person(leave_date=date(2025, 12, 20), base_salary=310000)],
        date(2025, 12, 1),
        [{"employee_id": "E1", "month": "2025-12", **DAY}],
    )
    row = row_of(p)
    assert row["base_pay"] == 310000 * 20 // 31  # 日割り, 1円未満切り捨て = 200,000
    assert row["health_insurance"] == row["pension"] == 0  # lost on 12/21: December not charged
    assert row["employment_insurance"] == social_insurance_share(200000 * 55, 10000)  # wages still insured


def test_mid_month_hire_is_prorated_and_insured_for_the_month(bare_company):
    p = payroll_of(bare_company, [person(hire_date=date(2025, 10, 15), base_salary=310000)], date(2025, 10, 1))
    row = row_of(p)
    assert row["base_pay"] == 310000 * 17 // 31
    assert row["health_insurance"] > 0 and row["pension"] == 300000 * 915 // 10000


def test_leaver_at_month_end_pays_that_months_premiums(bare_company):
    p = payroll_of(bare_company, [person(leave_date=date(2025, 12, 31))], date(2025, 12, 1))
    assert row_of(p)["pension"] == 27450


def test_hourly_part_timer(bare_company):
    staff = [
        person(
            pay_type="時給",
            base_salary=None,
            hourly_rate=1234,
            health_insurance="×",
            pension="×",
            standard_monthly_remuneration=None,
        )
    ]
    attendance = [
        {
            "employee_id": "E1",
            "month": "2025-06",
            "work_days": 15,
            "work_hours": 75.5,
            "overtime_hours": 2,
            "late_night_hours": 1.5,
        }
    ]
    row = row_of(payroll_of(bare_company, staff, date(2025, 6, 1), attendance))
    assert row["base_pay"] == 93167  # 1,234 × 75.5 = 93,167.0
    assert row["overtime_pay"] == 3085  # 1,234 × 1.25 × 2 = 3,085
    assert row["late_night_pay"] == 463  # 1,234 × 0.25 × 1.5 = 462.75 → 463
    assert row["health_insurance"] == row["pension"] == 0


def test_director_has_no_employment_insurance_and_no_overtime(bare_company):
    staff = [
        person(
            employment_type="役員", base_salary=1200000, employment_insurance="×", standard_monthly_remuneration=1180000
        )
    ]
    row = row_of(
        payroll_of(
            bare_company,
            staff,
            date(2025, 6, 1),
            [{"employee_id": "E1", "month": "2025-06", **DAY, "overtime_hours": 10}],
        )
    )
    assert row["employment_insurance"] == 0 and row["overtime_pay"] == 0
    assert row["gross_pay"] == 1200000


def test_overtime_premiums_on_the_monthly_hourly_base(bare_company):
    # hourly base = (320,000 + 役職手当 20,000; 住宅手当 excluded) ÷ 160 h = 2,125
    attendance = [
        {
            "employee_id": "E1",
            "month": "2025-12",
            **DAY,
            "overtime_hours": 72,
            "overtime_over60_hours": 12,
            "holiday_hours": 8,
            "late_night_hours": 3,
        }
    ]
    allowances = [
        {"employee_id": "E1", "name": "役職手当", "amount": 20000, "taxable": "課税"},
        {"employee_id": "E1", "name": "住宅手当", "amount": 15000, "taxable": "課税"},
    ]
    row = row_of(payroll_of(bare_company, [person(base_salary=320000)], date(2025, 12, 1), attendance, allowances))
    assert row["overtime_pay"] == 2125 * 60 * 125 // 100 + 2125 * 12 * 150 // 100  # 159,375 + 38,250
    assert row["holiday_pay"] == 2125 * 8 * 135 // 100  # 22,950
    assert row["late_night_pay"] == 2125 * 3 * 25 // 100 + 1  # 1,593.75 → 1,594
    assert row["taxable_allowances"] == 35000


def test_commuting_allowance_is_non_taxable_up_to_150000(bare_company):
    p = payroll_of(
        bare_company,
        [person(commute_allowance=20000), person(employee_id="E2", my_number=None, commute_allowance=160000)],
        date(2025, 6, 1),
    )
    one, two = row_of(p, "E1"), row_of(p, "E2")

    def social(r):
        return sum(
            r[k]
            for k in ("health_insurance", "nursing_insurance", "child_support_levy", "pension", "employment_insurance")
        )

    assert one["taxable_amount"] == one["gross_pay"] - 20000 - social(one)
    assert two["taxable_amount"] == two["gross_pay"] - 150000 - social(two)
    assert one["employment_insurance"] == social_insurance_share(320000 * 55, 10000)  # commuting counts as wages


def test_child_support_levy_from_april_2026(bare_company):
    march = row_of(payroll_of(bare_company, [person()], date(2026, 3, 1)))
    april = row_of(payroll_of(bare_company, [person()], date(2026, 4, 1)))
    assert march["child_support_levy"] == 0
    assert april["child_support_levy"] == 345  # 300,000 × 0.23 % ÷ 2


def test_withholding_uses_the_table_in_force_on_the_pay_date(bare_company):
    nov = row_of(
        payroll_of(bare_company, [person(base_salary=180000, standard_monthly_remuneration=180000)], date(2025, 11, 1))
    )
    dec = row_of(
        payroll_of(bare_company, [person(base_salary=180000, standard_monthly_remuneration=180000)], date(2025, 12, 1))
    )
    assert nov["taxable_amount"] == dec["taxable_amount"]
    assert nov["withholding_tax"] != dec["withholding_tax"]  # paid 2025-12-25 (R7) vs 2026-01-23 (R8)


def test_resident_tax_june_amount(bare_company):
    staff = [person(resident_tax_monthly=12000, resident_tax_june=12500)]
    may = row_of(payroll_of(bare_company, staff, date(2025, 4, 1)))  # paid 2025-05-23
    june = row_of(payroll_of(bare_company, staff, date(2025, 5, 1)))  # paid 2025-06-25
    assert (may["resident_tax"], june["resident_tax"]) == (12000, 12500)


def test_net_is_gross_less_every_deduction(bare_company):
    row = row_of(payroll_of(bare_company, [person(resident_tax_monthly=9000, dependents=2)], date(2025, 6, 1)))
    deductions = sum(
        row[k]
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
    assert row["net_pay"] == row["gross_pay"] - deductions


@pytest.mark.parametrize(
    "month, expected",
    [
        (date(2025, 12, 1), date(2026, 1, 23)),  # 25 January 2026 is a Sunday
        (date(2025, 4, 1), date(2025, 5, 23)),  # 25 May 2025 is a Sunday
        (date(2026, 8, 1), date(2026, 9, 25)),
    ],
)
def test_pay_date_moves_to_the_previous_business_day(month, expected):
    assert pay_date(month, 25) == expected


def test_banks_are_closed_at_the_year_end():
    assert pay_date(date(2026, 11, 1), "end") == date(2026, 12, 30)  # 31 December: banks closed
    assert pay_date(date(2026, 12, 1), 3, holiday="next") == date(2027, 1, 4)


def test_reaching_an_age_is_the_day_before_the_birthday():
    assert reaches_age(date(1985, 10, 15), 40) == date(2025, 10, 14)
    assert reaches_age(date(1984, 2, 29), 40) == date(2024, 2, 28)
    assert reaches_age(date(1986, 3, 1), 42) == date(2028, 2, 29)


def test_missing_attendance_is_reported_once_not_as_a_negative_net_pay_too(bare_company):
    # E1 (hourly, insured) has no attendance: no pay, yet premiums and resident tax → net < 0, a knock-on
    # of the missing hours; E2 (monthly) really nets below zero (resident tax above the pay) and is told so
    staff = [
        person(
            pay_type="時給",
            base_salary=None,
            hourly_rate=1200,
            standard_monthly_remuneration=200000,
            resident_tax_monthly=5000,
        ),
        person(
            employee_id="E2",
            my_number=None,
            base_salary=100000,
            standard_monthly_remuneration=98000,
            resident_tax_monthly=200000,
        ),
    ]
    attendance = [{"employee_id": "E2", "month": "2025-06", **DAY}]
    p = payroll_of(bare_company, staff, date(2025, 6, 1), attendance)
    assert row_of(p, "E1")["net_pay"] < 0 and row_of(p, "E2")["net_pay"] < 0
    assert sorted((i.code, i.cell) for i in p.issues) == [("negative_net_pay", "K3"), ("no_attendance", "A2")]
