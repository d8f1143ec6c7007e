"""The adjustment itself (FACTS_YEAR.md §C9–C10): pay → 給与所得 → 所得控除 → 課税 → 税額 → 過不足."""

from __future__ import annotations

from datetime import date

from addin.money import floor_yen, times
from addin.yearend import deductions as d
from addin.yearend.model import Adjustment, EmployeeYear, Line, Settlement
from addin.yearend.rules import YearRules

#: leavers the rules still adjust (No.2665): death, serious illness with no re-employment expected,
#: leaving after the December pay; part-timers under the pay limit are checked separately
LEAVERS_ADJUSTED = {"death", "illness", "after_december_pay"}


def year_totals(person: EmployeeYear) -> tuple[int, int, int]:
    """支払金額, 源泉徴収税額, 社会保険料 withheld: the year's payments (by pay date) and 前職分."""
    this_year = [p for p in person.payments if p.pay_date.year == person.year]
    pay = sum(p.taxable for p in this_year)
    tax = sum(p.tax for p in this_year)
    social = sum(p.social_insurance for p in this_year)
    if person.previous is not None:
        pay, tax, social = (
            pay + person.previous.pay,
            tax + person.previous.tax,
            social + person.previous.social_insurance,
        )
    return pay, tax, social


def exclusion(person: EmployeeYear, pay: int, rules: YearRules) -> str:
    """Why this person is not adjusted here ("" when they are)."""
    if person.tax_column != "甲":
        return "乙欄（扶養控除等申告書の提出なし）"
    if not person.declared:
        return "扶養控除等申告書の提出なし"
    if person.non_resident:
        return "非居住者"
    if pay > rules.max_annual_pay:
        return f"主たる給与の年額が{rules.max_annual_pay:,}円を超える"
    if pay <= 0:
        return "本年中の給与の支払なし"
    left = person.leave_date
    december_pays = [p.pay_date for p in person.payments if p.pay_date.year == person.year and p.pay_date.month == 12]
    if december_pays and left is not None and left >= max(december_pays):
        return ""  # left after receiving the December pay: adjusted like everyone
    if left is not None and left <= date(person.year, 12, 31) and person.leave_reason not in LEAVERS_ADJUSTED:
        if not (person.employment_type == "part_time" and pay <= rules.part_time_leaver_max_pay):
            return "年の中途の退職者"
    return ""


def income_tax(taxable: int, rules: YearRules) -> int:
    """算出所得税額 = 課税給与所得金額 × 税率 − 控除額 (速算表), 1円未満切捨て."""
    band_rate, minus = rules.tax_rates.find(taxable)
    return max(int(floor_yen(*times(taxable, band_rate))) - minus, 0)


#: 不足額の繰延: the last pay after tax must stay at 70 % or more of the Jan–Nov monthly average
#: (所得税法192条2項; FACTS_YEAR.md §C10)
DEFERRAL_SHARE = (7, 10)


def after_tax_by_month(person: EmployeeYear) -> dict[int, int]:
    """Salary paid in each month of the year after social insurance and income tax (税引後の給与)."""
    months: dict[int, int] = {}
    for p in person.payments:
        if p.kind == "salary" and p.pay_date.year == person.year:
            months[p.pay_date.month] = months.get(p.pay_date.month, 0) + p.taxable - p.social_insurance - p.tax
    return months


def deferral(person: EmployeeYear, shortfall: int) -> tuple[int, int] | None:
    """(January, February) halves — January rounded up — when the shortfall may be deferred, else None."""
    months = after_tax_by_month(person)
    if shortfall <= 0 or not months:
        return None
    last = max(months)
    earlier = [amount for month, amount in months.items() if month < last]
    if not earlier:
        return None
    num, den = DEFERRAL_SHARE
    # last − shortfall < 70 % × (sum / n)  ⇔  (last − shortfall) × n × den < sum × num, in integers
    if (months[last] - shortfall) * len(earlier) * den >= sum(earlier) * num:
        return None
    return -(-shortfall // 2), shortfall // 2


def settle(difference: int, last_pay_tax: int, person: EmployeeYear | None = None) -> Settlement:
    """超過額 is first set against the settling pay's own tax, the rest refunded; 不足額 collected."""
    if difference >= 0:
        offset = min(difference, max(last_pay_tax, 0))
        return Settlement(difference, 0, offset, difference - offset, 0)
    split = deferral(person, -difference) if person is not None else None
    if split is None:
        return Settlement(0, -difference, 0, 0, -difference)
    return Settlement(0, -difference, 0, 0, -difference, True, *split)


#: the 年末調整計算書 in order: key, Japanese, English, the rule behind it (a parameter's source or a text)
LINES = [
    ("pay", "給与・賞与の支払金額", "pay and bonuses", "支払日基準・前職分を含む"),
    (
        "kyuyo_after_deduction",
        "給与所得控除後の給与等の金額",
        "pay after employment income deduction",
        "yearend.kyuyo_shotoku_table",
    ),
    ("income_adjustment", "所得金額調整控除", "income adjustment deduction", "yearend.income_adjustment"),
    ("employment_income", "給与所得控除後の金額（調整控除後）", "employment income", ""),
    ("total_income", "合計所得金額（見積）", "total income (estimate)", "給与所得 + その他の所得"),
    ("social_insurance", "社会保険料控除", "social insurance", "給与から控除分 + 申告分（前職分を含む）"),
    ("small_business", "小規模企業共済等掛金控除", "small business mutual aid", "所得税法75条"),
    ("life_insurance", "生命保険料控除", "life insurance", "yearend.life_insurance_caps"),
    ("earthquake_insurance", "地震保険料控除", "earthquake insurance", "yearend.earthquake_insurance"),
    ("disability", "障害者控除", "disability", "yearend.personal_deductions"),
    ("widow", "寡婦控除", "widow", "yearend.personal_deductions"),
    ("single_parent", "ひとり親控除", "single parent", "yearend.personal_deductions"),
    ("working_student", "勤労学生控除", "working student", "yearend.working_student_income_limit"),
    ("spouse", "配偶者控除", "spouse deduction", "yearend.spouse_deduction"),
    ("spouse_special", "配偶者特別控除", "special spouse deduction", "yearend.spouse_deduction"),
    ("dependants", "扶養控除", "dependants", "yearend.personal_deductions"),
    (
        "specific_relative",
        "特定親族特別控除",
        "specific relative special deduction",
        "yearend.specific_relative_deduction",
    ),
    ("basic", "基礎控除", "basic deduction", "yearend.basic_deduction"),
    ("deductions_total", "所得控除の額の合計額", "total deductions", ""),
    ("taxable_income", "課税給与所得金額", "taxable income", "1,000円未満切捨て"),
    ("computed_tax", "算出所得税額", "computed income tax", "yearend.income_tax_rates"),
    (
        "housing_credit_available",
        "住宅借入金等特別控除可能額",
        "housing loan credit available",
        "住宅借入金等特別控除申告書",
    ),
    ("housing_credit", "住宅借入金等特別控除の額", "housing loan credit", "算出所得税額が限度"),
    ("adjusted_income_tax", "年調所得税額", "income tax after credits", ""),
    ("annual_tax", "年調年税額", "annual tax", "yearend.reconstruction_surtax"),
    ("withheld", "源泉徴収税額（本年中）", "withheld in the year", "前職分を含む"),
    ("difference", "差引超過額（＋）又は不足額（−）", "excess (+) or shortfall (−)", ""),
]
DEDUCTIONS = [
    "social_insurance",
    "small_business",
    "life_insurance",
    "earthquake_insurance",
    "disability",
    "widow",
    "single_parent",
    "working_student",
    "spouse",
    "spouse_special",
    "dependants",
    "specific_relative",
    "basic",
]


def lines_of(amounts: dict[str, int], rules: YearRules) -> list[Line]:
    """The working sheet's lines; a basis naming a parameter shows that parameter's source."""
    return [Line(key, ja, en, amounts[key], rules.sources.get(basis, basis)) for key, ja, en, basis in LINES]


def adjust(person: EmployeeYear, rules: YearRules) -> Adjustment:
    if person.year != rules.year:
        raise ValueError(f"{person.employee_id}: {person.year}年分の申告に{rules.year}年分の規則は使えません")
    pay, withheld, social_withheld = year_totals(person)
    small = person.premiums.small_business
    social = social_withheld + person.premiums.social_insurance + small
    result = Adjustment(
        person.employee_id,
        person.name,
        person.year,
        False,
        exclusion(person, pay, rules),
        pay,
        withheld,
        social,
        small,
        rules=rules,
    )
    if result.reason:
        return result
    result.adjusted = True
    a = result.amounts
    a["pay"] = pay
    a["kyuyo_after_deduction"] = after_table = rules.kyuyo_shotoku(pay)
    # the adjustment looks only at 扶養親族 ages and disabilities, which do not depend on the employee's
    # income; the spouse's tier does, so the spouse is classified again once the income is known
    provisional = d.classify(person.relatives, after_table + person.status.other_income, rules)
    qualifies = (
        person.status.disability == "special"
        or d.has_dependant_under_23(provisional)
        or any(r.relative.disability == "special" and r.disability_deduction for r in provisional)
    )
    a["income_adjustment"] = d.income_adjustment(pay, qualifies, rules)
    a["employment_income"] = income = after_table - a["income_adjustment"]
    a["total_income"] = total_income = income + person.status.other_income
    relatives = provisional if total_income == after_table else d.classify(person.relatives, total_income, rules)
    result.relatives = relatives
    own = d.own_deductions(person.status, total_income, rules)
    a["social_insurance"], a["small_business"] = social - small, small
    a["life_insurance"] = d.life_insurance(person.premiums, d.has_dependant_under_23(relatives), rules)["total"]
    a["earthquake_insurance"] = d.earthquake_insurance(person.premiums, rules)
    a["disability"] = own["own_disability"] + sum(r.disability_deduction for r in relatives)
    a["widow"], a["single_parent"], a["working_student"] = own["widow"], own["single_parent"], own["working_student"]
    a["spouse"] = a["spouse_special"] = a["dependants"] = a["specific_relative"] = 0
    for r in relatives:
        key = (
            "spouse"
            if r.klass is d.RelativeClass.SPOUSE_DEDUCTION
            else "spouse_special"
            if r.klass is d.RelativeClass.SPOUSE_SPECIAL
            else "specific_relative"
            if r.klass is d.RelativeClass.SPECIFIC_RELATIVE
            else "dependants"
        )
        a[key] += r.deduction
    a["basic"] = d.basic_deduction(total_income, rules)
    a["deductions_total"] = total = sum(a[k] for k in DEDUCTIONS)
    a["taxable_income"] = taxable = max(income - total, 0) // 1000 * 1000  # 1,000円未満切捨て
    a["computed_tax"] = computed = income_tax(taxable, rules)
    a["housing_credit_available"] = credit = person.housing.amount if person.housing else 0
    a["housing_credit"] = used = min(credit, computed)
    a["adjusted_income_tax"] = net = computed - used
    a["annual_tax"] = annual = int(floor_yen(*times(net, rules.surtax)) // 100) * 100  # × 102.1%, 100円未満切捨て
    a["withheld"] = withheld
    a["difference"] = difference = withheld - annual
    # the excess is set against the settling pay's tax only when that tax is not yet withheld
    result.settlement = settle(difference, person.last_pay_tax or 0, person)
    return result


def adjust_all(people: list[EmployeeYear], rules: YearRules) -> list[Adjustment]:
    return [adjust(p, rules) for p in people]
