"""年末調整 engine: every worked example of rules/jp/test_vectors_year.csv to the yen, and each table edge."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta

import pytest

from addin.rulebook import RuleNotInForce, load_rulebook
from addin.yearend import Payment, YearRules, adjust
from addin.yearend.declarations import employee_year
from addin.yearend.deductions import age_on, income_adjustment, life_insurance
from addin.yearend.compute import income_tax
from addin.yearend.model import HousingCredit, Premiums
from tests.conftest import ROOT

VECTORS = ROOT / "rules" / "jp" / "test_vectors_year.csv"
RULEBOOK = load_rulebook()
RULES = {year: YearRules.for_year(RULEBOOK, year) for year in (2025, 2026)}
STAFF = {
    "employee_id": "E1",
    "name": "試験 太郎",
    "tax_column": "甲",
    "birth_date": date(1980, 5, 5),
    "employment_type": "regular",
    "hire_date": date(2010, 4, 1),
}

#: expected key in the CSV → the adjustment's figure
FIGURES = {
    "kyuyo_shotoku": "employment_income",
    "seimei": "life_insurance",
    "jishin": "earthquake_insurance",
    "haigusha": "spouse",
    "fuyo": "dependants",
    "kiso": "basic",
    "kojo_total": "deductions_total",
    "kazei": "taxable_income",
    "sanshutsu": "computed_tax",
    "nenchou_nenzei": "annual_tax",
}


def _pairs(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", text)}


def _nencho_vectors():
    with VECTORS.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["id"].startswith("NENCHO-")]
    by_id = {r["id"]: r for r in rows}
    for row in rows:
        inputs = by_id["NENCHO-R8-B"]["inputs"] if row["inputs"].startswith("same as") else row["inputs"]
        yield pytest.param(int(row["year"]), _pairs(inputs), _pairs(row["expected"]), id=row["id"])


def _sheets_for(year: int, given: dict[str, int]):
    """The rows a person's sheets would hold for these inputs (the same builder the command uses)."""
    year_end = date(year, 12, 31)
    relatives = []
    if "gokei" in given:  # "spouse gokei=0"
        relatives.append(
            {
                "name": "配偶者",
                "relationship": "spouse",
                "birth_date": date(1982, 3, 3),
                "estimated_income": given["gokei"],
            }
        )
    for i in range(given.get("ippan", 0)):  # "fuyo ippan=1": a 一般 dependant, 30 years old (not under 23)
        relatives.append(
            {"name": f"扶養{i}", "relationship": "parent", "birth_date": date(year - 30, 6, 1), "estimated_income": 0}
        )
    insurance = [
        {"kind": kind, "amount": given[key]}
        for key, kind in (
            ("ippan_old", "life_general_old"),
            ("nenkin_new", "life_pension_new"),
            ("jishin", "earthquake"),
        )
        if key in given
    ]
    own = {"last_pay_tax": given.get("last_month_tax_not_yet_withheld")}
    payment = Payment(
        year_end - timedelta(days=6), given["kyuyo"], given.get("shakai_hoken", 0), given.get("choshu", 0)
    )
    return employee_year(year, STAFF, [payment], relatives, own, insurance)


@pytest.mark.parametrize("year, given, expected", list(_nencho_vectors()))
def test_worked_examples_to_the_yen(year, given, expected):
    result = adjust(_sheets_for(year, given), RULES[year])
    assert result.adjusted, result.reason
    for key, figure in FIGURES.items():
        if key in expected:
            assert result.figure(figure) == expected[key], key
    settlement = result.settlement
    if "kanpu" in expected:  # kanpu=-900 means a shortfall of 900
        assert settlement.excess - settlement.shortfall == expected["kanpu"]
    if "fusoku" in expected:
        assert settlement.shortfall == expected["fusoku"]
    if "juto_to_last_month_tax" in expected:
        assert settlement.offset_against_last_pay_tax == expected["juto_to_last_month_tax"]
        assert settlement.refund_paid == expected["refund_paid"]


def test_component_examples_of_the_pamphlets():
    with VECTORS.open(encoding="utf-8") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    pay = _pairs(rows["KYUYO-SHOTOKU-EX"]["inputs"])["kyuyo"]
    for year in (2025, 2026):
        assert RULES[year].kyuyo_shotoku(pay) == 5_788_888
        assert income_adjustment(_pairs(rows["CHOSEI-EX"]["inputs"])["kyuyo"], True, RULES[year]) == 26_544
    assert income_tax(_pairs(rows["SOKUSAN-EX"]["inputs"])["kazei"], RULES[2025]) == 172_100


# --- 給与所得控除後の金額: each edge of the table, both years --------------------------------------
@pytest.mark.parametrize(
    "year, pay, expected",
    [
        (2025, 650_999, 0),
        (2025, 651_000, 1_000),
        (2025, 1_899_999, 1_249_999),
        (2025, 1_900_000, 1_250_000),
        (2025, 1_903_999, 1_250_000),
        (2025, 1_904_000, 1_252_800),
        (2025, 3_599_999, 2_437_200),
        (2025, 3_600_000, 2_440_000),
        (2025, 6_599_999, 4_836_800),
        (2025, 6_600_000, 4_840_000),
        (2025, 8_499_999, 6_549_999),
        (2025, 8_500_000, 6_550_000),
        (2025, 20_000_000, 18_050_000),
        (2026, 740_999, 0),
        (2026, 741_000, 1_000),
        (2026, 2_190_999, 1_450_999),
        (2026, 2_191_000, 1_451_000),
        (2026, 2_192_999, 1_451_000),
        (2026, 2_193_000, 1_453_000),
        (2026, 2_196_000, 1_456_000),
        (2026, 2_199_999, 1_456_000),
        (2026, 2_200_000, 1_460_000),
        (2026, 4_390_000, 3_070_400),
    ],
)
def test_kyuyo_shotoku_table_edges(year, pay, expected):
    assert RULES[year].kyuyo_shotoku(pay) == expected


def test_a_year_without_rules_is_a_clear_error_naming_the_file():
    with pytest.raises(RuleNotInForce) as caught:
        YearRules.for_year(RULEBOOK, 2027)
    assert "yearend.yaml" in str(caught.value) and "2027-12-31" in str(caught.value)


# --- 基礎控除: each band edge ±1 yen, both years ---------------------------------------------------
@pytest.mark.parametrize(
    "year, income, expected",
    [
        (2025, 1_320_000, 950_000),
        (2025, 1_320_001, 880_000),
        (2025, 3_360_000, 880_000),
        (2025, 3_360_001, 680_000),
        (2025, 4_890_000, 680_000),
        (2025, 4_890_001, 630_000),
        (2025, 6_550_000, 630_000),
        (2025, 6_550_001, 580_000),
        (2025, 23_500_000, 580_000),
        (2025, 23_500_001, 480_000),
        (2025, 25_000_001, 0),
        (2026, 1_320_001, 1_040_000),
        (2026, 4_890_000, 1_040_000),
        (2026, 4_890_001, 670_000),
        (2026, 6_550_000, 670_000),
        (2026, 6_550_001, 620_000),
    ],
)
def test_basic_deduction_edges(year, income, expected):
    from addin.yearend.deductions import basic_deduction

    assert basic_deduction(income, RULES[year]) == expected


def _one(year, pay=5_000_000, relatives=(), own=None, insurance=(), **staff):
    person = employee_year(
        year, {**STAFF, **staff}, [Payment(date(year, 12, 10), pay, 0, 0)], relatives, own, insurance
    )
    return adjust(person, RULES[year])


def _spouse(income, birth=date(1980, 1, 1)):
    return {"name": "配偶者", "relationship": "spouse", "birth_date": birth, "estimated_income": income}


# --- 配偶者控除 / 配偶者特別控除: the spouse's income at each boundary -------------------------------
@pytest.mark.parametrize(
    "year, spouse_income, key, amount",
    [
        (2025, 580_000, "spouse", 380_000),
        (2025, 580_001, "spouse_special", 380_000),
        (2025, 950_000, "spouse_special", 380_000),
        (2025, 950_001, "spouse_special", 360_000),
        (2025, 1_330_000, "spouse_special", 30_000),
        (2025, 1_330_001, "spouse_special", 0),
        (2026, 620_000, "spouse", 380_000),
        (2026, 620_001, "spouse_special", 380_000),
        (2026, 1_000_001, "spouse_special", 310_000),
        (2026, 1_300_001, "spouse_special", 30_000),
    ],
)
def test_spouse_income_boundaries(year, spouse_income, key, amount):
    result = _one(year, relatives=[_spouse(spouse_income)])
    assert result.figure(key) == amount
    assert result.figure("spouse" if key == "spouse_special" else "spouse_special") == 0


def test_spouse_deduction_by_the_employees_income_tier_and_the_elderly_spouse():
    # 給与 11,450,000 → 給与所得 9,500,000 (tier 950万以下) ; +1 yen of pay → 9,500,001 (tier 1,000万以下)
    assert _one(2025, 11_450_000, [_spouse(0)]).figure("spouse") == 260_000
    assert _one(2025, 11_450_001, [_spouse(0)]).figure("spouse") == 130_000
    assert _one(2025, 11_950_001, [_spouse(0)]).figure("spouse") == 0  # 本人 > 1,000万
    # 70 on 31 December 2025 = born on or before 1956-01-01
    assert _one(2025, relatives=[_spouse(0, date(1956, 1, 1))]).figure("spouse") == 480_000
    assert _one(2025, relatives=[_spouse(0, date(1956, 1, 2))]).figure("spouse") == 380_000


def _child(birth, income=0, **more):
    return {"name": "子", "relationship": "child", "birth_date": birth, "estimated_income": income, **more}


# --- 扶養控除 age classes on 31 December: the day before / after each date -------------------------
@pytest.mark.parametrize(
    "year, birth, expected",
    [
        (2025, date(2010, 1, 1), 380_000),
        (2025, date(2010, 1, 2), 0),  # 16歳以上 / 年少
        (2025, date(2003, 1, 2), 630_000),
        (2025, date(2003, 1, 1), 380_000),  # 特定 starts / 23
        (2025, date(2007, 1, 1), 630_000),
        (2025, date(2007, 1, 2), 380_000),  # 19 / 18
        (2026, date(2011, 1, 1), 380_000),
        (2026, date(2011, 1, 2), 0),
        (2026, date(2004, 1, 2), 630_000),
        (2026, date(2008, 1, 1), 630_000),
        (2026, date(2008, 1, 2), 380_000),
    ],
)
def test_dependant_age_classes(year, birth, expected):
    assert _one(year, relatives=[_child(birth)]).figure("dependants") == expected


def test_elderly_and_elderly_parent_living_together():
    parent = {"name": "父", "relationship": "parent", "birth_date": date(1956, 1, 1), "estimated_income": 0}
    assert _one(2025, relatives=[parent]).figure("dependants") == 480_000
    assert _one(2025, relatives=[{**parent, "living_together": True}]).figure("dependants") == 580_000
    assert _one(2025, relatives=[{**parent, "birth_date": date(1956, 1, 2)}]).figure("dependants") == 380_000
    uncle = {**parent, "relationship": "other", "living_together": True}
    assert _one(2025, relatives=[uncle]).figure("dependants") == 480_000  # not 直系尊属


@pytest.mark.parametrize(
    "year, income, dependants, specific",
    [
        (2025, 580_000, 630_000, 0),
        (2025, 580_001, 0, 630_000),
        (2025, 850_001, 0, 610_000),
        (2025, 1_000_000, 0, 410_000),
        (2025, 1_230_000, 0, 30_000),
        (2025, 1_230_001, 0, 0),
        (2026, 620_000, 630_000, 0),
        (2026, 620_001, 0, 630_000),
        (2026, 1_200_001, 0, 30_000),
    ],
)
def test_specific_relative_bands(year, income, dependants, specific):
    result = _one(year, relatives=[_child(date(year - 20, 6, 1), income)])
    assert (result.figure("dependants"), result.figure("specific_relative")) == (dependants, specific)


def test_disability_deductions():
    child = _child(date(2015, 5, 5), disability="special", living_together=True)
    assert _one(2025, relatives=[child]).figure("disability") == 750_000
    assert _one(2025, relatives=[{**child, "living_together": False}]).figure("disability") == 400_000
    assert _one(2025, relatives=[{**child, "disability": "ordinary"}]).figure("disability") == 270_000
    assert _one(2025, own={"disability": "special"}).figure("disability") == 400_000
    over = _child(date(1990, 5, 5), 580_001, disability="ordinary")  # not a 扶養親族: no 障害者控除
    assert _one(2025, relatives=[over]).figure("disability") == 0


def test_widow_single_parent_and_working_student_limits():
    # 2025: 給与 6,440,000 → 給与所得 4,712,000 ≤ 500万; 6,900,000 → 5,110,000 > 500万
    assert _one(2025, 6_440_000, own={"single_parent": True, "widow": True}).figure("single_parent") == 350_000
    assert _one(2025, 6_440_000, own={"single_parent": True, "widow": True}).figure("widow") == 0
    assert _one(2025, 6_440_000, own={"widow": True}).figure("widow") == 270_000
    assert _one(2025, 6_900_000, own={"widow": True}).figure("widow") == 0
    # 勤労学生: 2025 pay ≤ 1,500,000 (所得 85万); 2026 ≤ 1,630,000 (所得 89万)
    assert _one(2025, 1_500_000, own={"working_student": True}).figure("working_student") == 270_000
    assert _one(2025, 1_500_001, own={"working_student": True}).figure("working_student") == 0
    assert _one(2026, 1_630_000, own={"working_student": True}).figure("working_student") == 270_000
    assert _one(2026, 1_630_001, own={"working_student": True}).figure("working_student") == 0


def test_income_adjustment_edges():
    child = _child(date(2012, 1, 1))
    assert _one(2025, 8_500_000, [child]).figure("income_adjustment") == 0
    assert _one(2025, 8_500_001, [child]).figure("income_adjustment") == 1  # 0.1 → 1 (切上げ)
    assert _one(2025, 10_000_000, [child]).figure("income_adjustment") == 150_000
    assert _one(2025, 12_000_000, [child]).figure("income_adjustment") == 150_000
    assert _one(2025, 9_000_000).figure("income_adjustment") == 0  # nobody qualifying
    grown = _child(date(2002, 1, 1))  # 23 on 31 Dec 2025
    assert _one(2025, 9_000_000, [grown]).figure("income_adjustment") == 0


def test_life_insurance_caps_and_the_2026_under_23_special():
    r25, r26 = RULES[2025], RULES[2026]
    assert life_insurance(Premiums(life_general_new=20_001), False, r25)["general"] == 20_001  # 10,000.5 → 切上げ
    assert life_insurance(Premiums(life_general_new=80_001), False, r25)["general"] == 40_000
    assert life_insurance(Premiums(life_general_old=100_001), False, r25)["general"] == 50_000
    both = Premiums(life_general_new=60_000, life_general_old=30_000)  # 35,000 + 20,000
    assert life_insurance(both, False, r25)["general"] == 40_000
    assert life_insurance(Premiums(life_general_new=120_001), True, r25)["general"] == 40_000  # no special in 2025
    assert life_insurance(Premiums(life_general_new=120_001), True, r26)["general"] == 60_000
    assert life_insurance(Premiums(life_general_new=30_000), True, r26)["general"] == 30_000
    assert life_insurance(both, True, r26)["general"] == 60_000  # 45,000 + 20,000 → cap 60,000
    full = Premiums(life_general_new=200_000, life_medical=200_000, life_pension_new=200_000)
    assert life_insurance(full, True, r26)["total"] == 120_000
    # the special needs a 扶養親族 under 23 in the person's own sheets
    young, old = _child(date(2010, 6, 1)), _child(date(1990, 6, 1))
    insured = [{"kind": "life_general_new", "amount": 120_001}]
    assert _one(2026, relatives=[young], insurance=insured).figure("life_insurance") == 60_000
    assert _one(2026, relatives=[old], insurance=insured).figure("life_insurance") == 40_000


def test_earthquake_with_old_long_term():
    assert _one(2025, insurance=[{"kind": "old_long_term", "amount": 14_800}]).figure("earthquake_insurance") == 12_400
    both = [{"kind": "earthquake", "amount": 42_000}, {"kind": "old_long_term", "amount": 14_800}]
    assert _one(2025, insurance=both).figure("earthquake_insurance") == 50_000
    assert _one(2025, insurance=[{"kind": "earthquake", "amount": 50_001}]).figure("earthquake_insurance") == 50_000


def test_housing_credit_is_capped_by_the_computed_tax():
    person = employee_year(2025, STAFF, [Payment(date(2025, 12, 10), 5_000_000, 750_000, 100_000)])
    base = adjust(person, RULES[2025])
    assert base.figure("computed_tax") == 115_500
    person.housing = HousingCredit(200_000)
    credited = adjust(person, RULES[2025])
    assert credited.figure("housing_credit") == 115_500 and credited.figure("annual_tax") == 0
    assert credited.settlement.excess == 100_000


def test_small_business_and_direct_social_insurance_are_deducted_in_full():
    extra = [{"kind": "small_business", "amount": 276_000}, {"kind": "social_insurance", "amount": 199_080}]
    result = _one(2025, insurance=extra)
    assert result.figure("small_business") == 276_000 and result.figure("social_insurance") == 199_080
    assert result.social_insurance == 475_080 and result.small_business == 276_000


@pytest.mark.parametrize(
    "changes, pay, reason",
    [
        ({"tax_column": "乙"}, 3_000_000, "乙欄"),
        ({}, 20_000_001, "20,000,000"),
        ({"leave_date": date(2025, 9, 30)}, 3_000_000, "退職"),
    ],
)
def test_excluded_people(changes, pay, reason):
    result = _one(2025, pay, **changes)
    assert not result.adjusted and reason in result.reason
    assert result.annual_tax == result.withheld


def test_leavers_the_rules_keep():
    left = {"leave_date": date(2025, 9, 30)}
    assert _one(2025, 1_230_000, employment_type="part_time", **left).adjusted
    assert not _one(2025, 1_230_001, employment_type="part_time", **left).adjusted
    assert _one(2025, 3_000_000, own={"leave_reason": "death"}, **left).adjusted
    assert _one(2025, 20_000_000).adjusted
    # the December pay on the 10th (see _one): leaving on the 10th is after it, on the 9th before it
    assert _one(2025, 3_000_000, leave_date=date(2025, 12, 10)).adjusted
    assert not _one(2025, 3_000_000, leave_date=date(2025, 12, 9)).adjusted


def test_age_on_31_december():
    assert age_on(date(2010, 1, 1), date(2025, 12, 31)) == 16
    assert age_on(date(2010, 1, 2), date(2025, 12, 31)) == 15
    assert age_on(date(2008, 2, 29), date(2025, 12, 31)) == 17


def test_a_shortfall_too_large_for_the_last_pay_may_be_deferred_to_january_and_february():
    months = [Payment(date(2025, m, 25), 300_000, 45_000, 5_000) for m in range(1, 12)]  # 250,000 after tax
    small = employee_year(2025, STAFF, months + [Payment(date(2025, 12, 25), 300_000, 45_000, 5_000)])
    nothing_withheld = employee_year(
        2025,
        STAFF,
        [Payment(p.pay_date, p.taxable, p.social_insurance, 0) for p in months]
        + [Payment(date(2025, 12, 25), 100_000, 15_000, 0)],
    )
    settlement = adjust(nothing_withheld, RULES[2025]).settlement
    assert settlement.shortfall > 0 and settlement.deferrable
    assert settlement.deferred_january + settlement.deferred_february == settlement.shortfall
    # December after tax 250,000; 70 % of the average is 175,000: a shortfall of 75,000 is fine, 75,001 is not
    from addin.yearend.compute import deferral

    assert deferral(small, 75_000) is None
    assert deferral(small, 75_001) == (37_501, 37_500)
    assert deferral(small, 0) is None


@pytest.mark.parametrize(
    "pay, director, changes, filed",
    [
        (1_500_000, True, {}, False),
        (1_500_001, True, {}, True),
        (5_000_000, False, {}, False),
        (5_000_001, False, {}, True),
        (2_500_000, False, {"leave_date": date(2025, 6, 30)}, False),
        (2_500_001, False, {"leave_date": date(2025, 6, 30)}, True),
        (500_000, False, {"tax_column": "乙"}, False),
        (500_001, False, {"tax_column": "乙"}, True),
        (20_000_001, False, {}, True),
    ],
)
def test_who_is_filed_with_the_tax_office(pay, director, changes, filed):
    from addin.yearend.reports import files_with_tax_office

    person = employee_year(2025, {**STAFF, **changes}, [Payment(date(2025, 6, 25), pay, 0, 0)])
    assert files_with_tax_office(adjust(person, RULES[2025]), person, director, RULES[2025]) is filed


def test_leavers_paid_30man_or_less_may_be_left_out_of_the_municipal_report():
    from addin.yearend.reports import in_municipal_report

    for pay, included in ((300_000, False), (300_001, True)):
        person = employee_year(
            2025, {**STAFF, "leave_date": date(2025, 3, 31)}, [Payment(date(2025, 3, 25), pay, 0, 0)]
        )
        assert in_municipal_report(adjust(person, RULES[2025]), person, RULES[2025]) is included
    stays = employee_year(2025, STAFF, [Payment(date(2025, 3, 25), 1_000, 0, 0)])
    assert in_municipal_report(adjust(stays, RULES[2025]), stays, RULES[2025])


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(
    year=st.sampled_from([2025, 2026]),
    pay=st.integers(0, 19_999_999),
    raise_by=st.integers(1, 50_000),
    social=st.integers(0, 1_500_000),
)
def test_more_pay_never_means_less_tax_and_the_tax_is_whole_hundreds(year, pay, raise_by, social):
    rules = RULES[year]
    more = min(pay + raise_by, 20_000_000)  # the table ends where the adjustment does
    assert rules.kyuyo_shotoku(pay) <= rules.kyuyo_shotoku(more) <= more

    def tax(amount):
        person = employee_year(year, STAFF, [Payment(date(year, 12, 10), amount, min(social, amount), 0)])
        return adjust(person, rules).annual_tax  # pay 0: not adjusted, nothing withheld

    low, high = tax(pay), tax(more)
    assert low % 100 == 0 and 0 <= low <= high


@settings(max_examples=200, deadline=None)
@given(pay=st.integers(1, 20_000_000))
def test_2026_never_taxes_more_than_2025_for_the_same_year(pay):
    """The reform only raises deductions (基礎控除, 給与所得控除 minimum): the same pay is never taxed more."""
    taxes = [
        adjust(employee_year(y, STAFF, [Payment(date(y, 12, 10), pay, 0, 0)]), RULES[y]).figure("annual_tax")
        for y in (2025, 2026)
    ]
    assert taxes[1] <= taxes[0]


def test_single_person_functions_for_worksheets():
    from addin.yearend.single import basic_deduction as basic, kyuyo_shotoku, nencho_tax

    assert kyuyo_shotoku(7_654_321, 2025, RULEBOOK) == 5_788_888
    assert basic(3_070_400, 2026, RULEBOOK) == 1_040_000 and basic(3_070_400, 2025, RULEBOOK) == 880_000
    figures = nencho_tax(6_000_000, 900_000, 2026, RULEBOOK, withheld=100_000)  # NENCHO-R8-C
    assert (figures["annual_tax"], figures["shortfall"]) == (147_500, 47_500)
    with pytest.raises(RuleNotInForce):
        kyuyo_shotoku(1_000_000, 2027, RULEBOOK)
    with pytest.raises(ValueError):
        nencho_tax(20_000_001, 0, 2025, RULEBOOK)
