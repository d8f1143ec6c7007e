"""Bonuses (賞与) against the worked examples of rules/jp/test_vectors_year.csv and figures worked by
hand from the published rules (FACTS_YEAR.md §A): each withholding branch, the standard bonus with
its 1,000-yen cut, the 50銭 rule, nursing care, the fiscal-year health cap and the monthly pension cap."""

from __future__ import annotations

import json
from datetime import date
from fractions import Fraction
from pathlib import Path


from addin.cli import main
from addin.payroll.bonus import BonusRateTable, bonus_withholding, capped, fiscal_year_start, standard_bonus
from addin.payroll.withholding import MonthlyTable
from addin.rulebook import load_rulebook
from addin.services.bonus import run_bonus
from tests.bonus_helpers import company_with_bonuses, last_number, vector
from tests.payroll_helpers import person

RULES = load_rulebook(Path("/nonexistent-company"))


def _tables(day: date):
    return BonusRateTable.on(RULES, day), MonthlyTable.on(RULES, day)


def test_rate_table_branch_r8_worked_example():
    v = vector("BONUS-WH-R8")  # NTA 令和8年分 税額表の使い方: 甲2人, B = 196,616 → 2.042 %
    i = v["inputs"]
    rates, monthly = _tables(date(2026, 6, 10))
    tax = bonus_withholding(
        i["bonus"] - i["bonus_shakai"], i["prev_month_after_shakai"], i["dependents"], False, 6, rates, monthly, 10
    )
    assert (tax.method, tax.rate) == ("rate_table", Fraction(2042, 100000))
    assert tax.tax == last_number(v["expected"]) == 9564


def test_more_than_ten_times_last_month_uses_the_monthly_table_on_a_sixth():
    v = vector("BONUS-WH-10X")  # No.2523 (R7): (16,950 − 1,930) × 6
    i = v["inputs"]
    rates, monthly = _tables(date(2025, 12, 10))
    tax = bonus_withholding(
        i["bonus_after_shakai"], i["prev_month_after_shakai"], i["dependents"], False, 6, rates, monthly, 10
    )
    assert (tax.method, tax.divisor, tax.tax) == ("monthly_table", 6, last_number(v["expected"]))
    assert tax.tax == 90120


def test_exactly_ten_times_still_uses_the_rate_table():
    rates, monthly = _tables(date(2025, 12, 10))
    assert bonus_withholding(1_000_000, 100_000, 0, False, 6, rates, monthly, 10).method == "rate_table"
    assert bonus_withholding(1_000_001, 100_000, 0, False, 6, rates, monthly, 10).method == "monthly_table"


def test_no_pay_last_month_uses_the_monthly_table_on_a_sixth():
    v = vector("BONUS-WH-NOPREV")  # No.2523 (R7): 769,300 / 6 = 128,216 → 甲1人 530 → × 6
    i = v["inputs"]
    rates, monthly = _tables(date(2025, 12, 10))
    tax = bonus_withholding(i["bonus_after_shakai"], None, i["dependents"], False, 6, rates, monthly, 10)
    assert tax.tax == last_number(v["expected"]) == 3180
    # pay last month not above its social insurance (B ≤ 0) is the same branch
    assert bonus_withholding(i["bonus_after_shakai"], 0, i["dependents"], False, 6, rates, monthly, 10).tax == 3180


def test_calculation_period_over_six_months_divides_by_twelve():
    # worked by hand (FACTS_YEAR.md §A1.4, d = 12): 1,800,000 / 12 = 150,000; R7 月額表 甲0人 row 149,000–151,000
    # → 2,980 (withholding_monthly_R02-R07_2020-2025.csv); × 12 = 35,760
    rates, monthly = _tables(date(2025, 12, 10))
    assert monthly.tax_one(150_000, 0, False) == 2980
    tax = bonus_withholding(1_800_000, None, 0, False, 12, rates, monthly, 10)
    assert (tax.divisor, tax.tax) == (12, 35760)


def test_otsu_bonus_uses_the_otsu_rates():
    # R8 乙: B in 295,000–527,000 → 30.630 %: 100,000 × 30.63 % = 30,630
    rates, monthly = _tables(date(2026, 6, 10))
    assert bonus_withholding(100_000, 300_000, 3, True, 6, rates, monthly, 10).tax == 30630


def test_standard_bonus_caps_and_fiscal_year():
    assert standard_bonus([1_234_567, 999], 1000).tolist() == [1_234_000, 0]
    # three bonuses of a fiscal year 250万 / 350万 / 100万 (FACTS_YEAR.md §A2): health 250万 / 323万 / 0
    assert capped(3_500_000, 2_500_000, 5_730_000) == 3_230_000
    assert capped(1_000_000, 5_730_000, 5_730_000) == 0
    assert fiscal_year_start(date(2026, 3, 10)) == date(2025, 4, 1)
    assert fiscal_year_start(date(2026, 4, 1)) == date(2026, 4, 1)


BANK = {"bank_code": "0001", "branch_code": "001", "account_type": "普通", "account_number": "1234567"}


def _bonus(root, staff, bonuses, day, **kw):
    company = company_with_bonuses(root, staff, bonuses, **kw)
    run = run_bonus(company, day)
    assert not run.issues, [i.message_en for i in run.issues]
    return {e["employee_id"]: e for e in json.loads((run.folder / "summary.json").read_text("utf-8"))["employees"]}


def test_premiums_on_a_600000_bonus_tokyo_r8(tmp_path):
    v = vector("BONUS-SI-R8")  # 30歳: 健保 29,550 + 支援金 690 + 厚年 54,900 = 85,140; 40–64歳: 健保+介護 34,410
    staff = [
        person(birth_date=date(1996, 1, 10)),
        person(employee_id="E2", birth_date=date(1980, 1, 10), account_number="7654321"),
    ]
    lines = _bonus(
        tmp_path,
        staff,
        [
            {"employee_id": "E1", "pay_date": date(2026, 6, 10), "amount": 600000},
            {"employee_id": "E2", "pay_date": date(2026, 6, 10), "amount": 600000},
        ],
        date(2026, 6, 10),
    )
    young, older = lines["E1"], lines["E2"]
    assert (young["health_insurance"], young["child_support_levy"], young["pension"]) == (29550, 690, 54900)
    assert young["health_insurance"] + young["child_support_levy"] + young["pension"] == int(
        v["expected"].split("total employee")[1].split()[0]
    )
    assert older["health_insurance"] + older["nursing_insurance"] == 34410
    assert (
        older["health_insurance"] + older["nursing_insurance"] + older["child_support_levy"] + older["pension"] == 90000
    )
    # employment insurance on the actual bonus at the R8 rate 5/1000 (FACTS_YEAR.md §A3): 3,000
    assert young["employment_insurance"] == 3000


def test_standard_bonus_cut_and_the_fifty_sen_rule(tmp_path):
    v = vector("BONUS-SI-ROUND")  # 1,234,567 → 1,234,000 × 9.85 % / 2 = 60,774.5 → 60,774
    line = _bonus(
        tmp_path,
        [person(birth_date=date(1996, 1, 10))],
        [{"employee_id": "E1", "pay_date": date(2026, 6, 10), "amount": v["inputs"]["bonus"]}],
        date(2026, 6, 10),
    )["E1"]
    assert line["standard_bonus"] == 1234000
    assert line["health_insurance"] == last_number(v["expected"]) == 60774


def test_health_cap_crossed_within_a_fiscal_year_and_pension_cap_per_bonus(tmp_path):
    # 250万 (2025-06), 350万 (2025-12), 100万 (2026-03) in FY2025; then 100万 in FY2026 starts afresh
    # health base 250万 / 323万 / 0 / 100万; pension base 150万 / 150万 / 100万 / 100万 (FACTS_YEAR.md §A2)
    days = [date(2025, 6, 10), date(2025, 12, 10), date(2026, 3, 10), date(2026, 6, 10)]
    amounts = [2_500_000, 3_500_000, 1_000_000, 1_000_000]
    company = company_with_bonuses(
        tmp_path,
        [person(birth_date=date(1996, 1, 10))],
        [{"employee_id": "E1", "pay_date": d, "amount": a} for d, a in zip(days, amounts, strict=True)],
    )
    assert run_bonus(company, days[0], close=True).closed_now  # the first from the history, the second computed
    lines = []
    for day in days:
        run = run_bonus(company, day)
        assert run.exit_code == 0, [i.message_en for i in run.issues]
        lines.append(run.bonus.employees.iloc[0])
    assert [int(x["health_standard_bonus"]) for x in lines] == [2_500_000, 3_230_000, 0, 1_000_000]
    assert [int(x["pension_standard_bonus"]) for x in lines] == [1_500_000, 1_500_000, 1_000_000, 1_000_000]
    # R7 東京 9.91 %: 3,230,000 × 9.91 % ÷ 2 = 160,046.5 → 160,046 (50銭以下切捨て); the capped-out bonus pays none
    assert int(lines[1]["health_insurance"]) == 160046 and int(lines[2]["health_insurance"]) == 0
    # pension 1,500,000 × 18.3 % ÷ 2 = 137,250
    assert int(lines[1]["pension"]) == 137250


def test_two_bonuses_in_one_month_share_the_pension_cap(tmp_path):
    # 100万 on 7/1 and 80万 on 7/20: pension base 100万 then 150万 − 100万 = 50万 (日本年金機構, FACTS_YEAR.md §A2)
    bonuses = [
        {"employee_id": "E1", "pay_date": date(2026, 7, 1), "amount": 1_000_000},
        {"employee_id": "E1", "pay_date": date(2026, 7, 20), "amount": 800_000},
    ]
    company = company_with_bonuses(tmp_path, [person(birth_date=date(1996, 1, 10))], bonuses)
    second = run_bonus(company, date(2026, 7, 20)).bonus.employees.iloc[0]
    assert (int(second["pension_standard_bonus"]), int(second["health_standard_bonus"])) == (500_000, 800_000)
    assert int(second["pension"]) == 45750  # 500,000 × 18.3 % ÷ 2


def test_previous_month_pay_comes_from_the_history_or_the_computed_month(tmp_path):
    # a 300,000 monthly salary (work month 2026-05, paid 2026-06-25) is the pay of the month before a 2026-07-10 bonus:
    # B = 300,000 − (14,775 health + 27,450 pension + 345 levy + 1,500 EI) = 255,930 → 甲0人 R8 row 94千–260千 → 4.084 %
    company = company_with_bonuses(
        tmp_path,
        [person(birth_date=date(1996, 1, 10))],
        [{"employee_id": "E1", "pay_date": date(2026, 7, 10), "amount": 500_000}],
    )
    computed = run_bonus(company, date(2026, 7, 10)).bonus.employees.iloc[0]
    assert int(computed["previous_month_pay"]) == 255930
    assert computed["withholding_rate"] == "4.084%"
    assert main(["payroll", str(tmp_path), "--month", "2026-05", "--close"]) == 0
    closed = run_bonus(company, date(2026, 7, 10)).bonus.employees.iloc[0]
    assert int(closed["previous_month_pay"]) == 255930
    # social insurance 500,000: health 24,625 + levy 575 + pension 45,750 + EI 2,500 = 73,450;
    # 426,550 × 4.084 % = 17,420.3…
    assert int(closed["social_insurance"]) == 73450 and int(closed["withholding_tax"]) == 17420


def test_bonus_command_writes_every_output_and_refuses_to_rewrite_a_closed_bonus(tmp_path, capsys):
    company = company_with_bonuses(
        tmp_path,
        [person(), person(employee_id="E2", account_number="7654321", my_number=None)],
        [
            {"employee_id": "E1", "pay_date": date(2025, 12, 10), "amount": 600_000},
            {"employee_id": "E2", "pay_date": date(2025, 12, 10), "amount": 450_000},
        ],
    )
    assert main(["bonus", str(tmp_path), "--date", "2025-12-10", "--close"]) == 0
    folder = tmp_path / "out" / "bonus" / "2025-12-10"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["payslips", "payslips.xlsx", "register.xlsx", "summary.json", "zengin_20251210.txt"]
    zengin = (folder / "zengin_20251210.txt").read_bytes()
    assert zengin[1:3] == b"12"  # 種別 12: 賞与振込
    before = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    import openpyxl
    from addin.outputs.master_books import write_book

    write_book(
        company.book_path("staff"),
        company.books["staff"],
        {
            "staff": [person(), person(employee_id="E2", account_number="7654321", my_number=None)],
            "bonuses": [
                {"employee_id": "E1", "pay_date": date(2025, 12, 10), "amount": 650_000},
                {"employee_id": "E2", "pay_date": date(2025, 12, 10), "amount": 450_000},
            ],
        },
    )
    capsys.readouterr()
    assert main(["bonus", str(tmp_path), "--date", "2025-12-10"]) == 1
    out = capsys.readouterr().out
    differing = [line for line in out.splitlines() if "closed_period_differs" in line]
    assert any("E1 の bonus_amount が 600,000 → 650,000" in line for line in differing), out
    assert differing and not any("E2" in line for line in differing)  # E2's bonus is unchanged
    assert "staff.xlsx!Bonuses 賞与!C2" in out  # E1's bonus row, its amount
    assert {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert openpyxl.load_workbook(folder / "register.xlsx")["賞与台帳"]["F4"].value == 600000


def test_demo_december_bonus_crosses_the_directors_health_cap(demo_copy):
    # the demo director is paid 300万 in July and 300万 in December: health counts 300万 + 273万 (573万 for the
    # fiscal year), pension 150万 each month; 2,730,000 × 9.91 % ÷ 2 = 135,271.5 → 135,271 (R7 東京)
    assert main(["bonus", str(demo_copy), "--date", "2025-12-10"]) == 0
    summary = json.loads((demo_copy / "out" / "bonus" / "2025-12-10" / "summary.json").read_text("utf-8"))
    director = next(e for e in summary["employees"] if e["employee_id"] == "E00001")
    assert (director["health_standard_bonus"], director["pension_standard_bonus"]) == (2_730_000, 1_500_000)
    assert director["health_insurance"] == 135271
    assert summary["zengin"]["total"] == summary["totals"]["net_pay"]
    assert all(e["net_pay"] == e["bonus_amount"] - e["total_deductions"] for e in summary["employees"])


def test_a_fourth_bonus_in_a_year_is_flagged_as_remuneration(tmp_path):
    # 賞与 = paid at most 3 times a year (7/1–6/30); the 4th is 報酬 (健保法3条6項, FACTS_YEAR.md §A2): a warning
    days = [date(2025, 7, 10), date(2025, 10, 10), date(2025, 12, 10), date(2026, 3, 10)]
    company = company_with_bonuses(
        tmp_path, [person()], [{"employee_id": "E1", "pay_date": d, "amount": 100_000} for d in days]
    )
    run = run_bonus(company, days[2])
    assert [i.code for i in run.issues] == ["bonus_four_times"] and run.exit_code == 0
    assert (run.folder / "summary.json").exists()  # a warning: the bonus is still paid
    company = company_with_bonuses(
        tmp_path / "three", [person()], [{"employee_id": "E1", "pay_date": d, "amount": 100_000} for d in days[:3]]
    )
    assert run_bonus(company, days[2]).issues == []


def test_bonus_in_the_month_of_leaving_has_no_social_insurance_unless_leaving_on_the_last_day(tmp_path):
    # 資格喪失月の賞与は保険料の対象外; leaving on the last day the loss is next month, so it is charged
    # (日本年金機構, FACTS_YEAR.md §A2). Employment insurance is on the wages paid either way: 500,000 × 5.5 ‰ = 2,750
    staff = [
        person(leave_date=date(2025, 12, 15)),
        person(employee_id="E2", my_number=None, account_number="7654321", leave_date=date(2025, 12, 31)),
    ]
    lines = _bonus(
        tmp_path,
        staff,
        [{"employee_id": e, "pay_date": date(2025, 12, 10), "amount": 500_000} for e in ("E1", "E2")],
        date(2025, 12, 10),
    )
    assert (lines["E1"]["health_insurance"], lines["E1"]["pension"], lines["E1"]["employment_insurance"]) == (
        0,
        0,
        2750,
    )
    # 500,000 × 9.91 % ÷ 2 = 24,775; × 18.3 % ÷ 2 = 45,750 (R7 東京)
    assert (lines["E2"]["health_insurance"], lines["E2"]["pension"]) == (24775, 45750)
