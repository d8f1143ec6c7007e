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
        pay, tax, social = pay + person.previous.pay, tax + person.previous.tax, social + person.previous.social_insurance
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
    if left is not None and left <= date(person.year, 12, 31) and person.leave_reason not in LEAVERS_ADJUSTED:
        if not (person.employment_type == "part_time" and pay <= rules.part_time_leaver_max_pay):
            return "年の中途の退職者"
    return ""


def income_tax(taxable: int, rules: YearRules) -> int:
    """算出所得税額 = 課税給与所得金額 × 税率 − 控除額 (速算表), 1円未満切捨て."""
    band_rate, minus = rules.tax_rates.find(taxable)
    return max(int(floor_yen(*times(taxable, band_rate))) - minus, 0)


def settle(difference: int, last_pay_tax: int) -> Settlement:
    """超過額 is first set against the settling pay's own tax, the rest refunded; 不足額 collected."""
    if difference >= 0:
        offset = min(difference, max(last_pay_tax, 0))
        return Settlement(difference, 0, offset, difference - offset, 0)
    return Settlement(0, -difference, 0, 0, -difference)


def adjust(person: EmployeeYear, rules: YearRules) -> Adjustment:
    if person.year != rules.year:
        raise ValueError(f"{person.employee_id}: {person.year}年分の申告に{rules.year}年分の規則は使えません")
    pay, withheld, social_withheld = year_totals(person)
    small = person.premiums.small_business
    social = social_withheld + person.premiums.social_insurance + small
    result = Adjustment(person.employee_id, person.name, person.year, False, exclusion(person, pay, rules),
                        pay, withheld, social, small)
    if result.reason:
        return result
    result.adjusted = True
    src = rules.sources
    line = lambda *a: result.lines.append(Line(*a))     # noqa: E731
    after_table = rules.kyuyo_shotoku(pay)
    line("pay", "給与・賞与の支払金額", "pay and bonuses", pay, "支払日基準・前職分を含む")
    line("kyuyo_after_deduction", "給与所得控除後の給与等の金額", "pay after employment income deduction", after_table,
         src["yearend.kyuyo_shotoku_table"])

    # the 所得金額調整控除 and the spouse tiers need the classes; the spouse tier needs the employee's
    # income, which needs the adjustment: classify first with an estimate, the adjustment only looks
    # at 扶養親族 ages and disabilities which do not depend on the employee's income
    provisional = d.classify(person.relatives, after_table + person.status.other_income, rules)
    qualifies = (person.status.disability == "special" or d.has_dependant_under_23(provisional)
                 or any(r.relative.disability == "special" and r.disability_deduction for r in provisional))
    adjustment = d.income_adjustment(pay, qualifies, rules)
    income = after_table - adjustment
    total_income = income + person.status.other_income
    relatives = d.classify(person.relatives, total_income, rules)
    result.relatives = relatives
    line("income_adjustment", "所得金額調整控除", "income adjustment deduction", adjustment, src["yearend.income_adjustment"])
    line("employment_income", "給与所得控除後の金額（調整控除後）", "employment income", income, "")
    line("total_income", "合計所得金額（見積）", "total income (estimate)", total_income, "給与所得 + その他の所得")

    life = d.life_insurance(person.premiums, d.has_dependant_under_23(relatives), rules)
    own = d.own_deductions(person.status, total_income, rules)
    spouse = sum(r.deduction for r in relatives if r.relative.is_spouse and r.klass is d.RelativeClass.SPOUSE_DEDUCTION)
    spouse_special = sum(r.deduction for r in relatives if r.klass is d.RelativeClass.SPOUSE_SPECIAL)
    specific = sum(r.deduction for r in relatives if r.klass is d.RelativeClass.SPECIFIC_RELATIVE)
    dependants = sum(r.deduction for r in relatives if not r.relative.is_spouse
                     and r.klass is not d.RelativeClass.SPECIFIC_RELATIVE)
    disability = own["own_disability"] + sum(r.disability_deduction for r in relatives)
    parts = [
        ("social_insurance", "社会保険料控除", "social insurance", social - small, "給与から控除分 + 申告分（前職分を含む）"),
        ("small_business", "小規模企業共済等掛金控除", "small business mutual aid", small, "所得税法75条"),
        ("life_insurance", "生命保険料控除", "life insurance", life["total"], src["yearend.life_insurance_caps"]),
        ("earthquake_insurance", "地震保険料控除", "earthquake insurance", d.earthquake_insurance(person.premiums, rules),
         src["yearend.earthquake_insurance"]),
        ("disability", "障害者控除", "disability", disability, src["yearend.personal_deductions"]),
        ("widow", "寡婦控除", "widow", own["widow"], src["yearend.personal_deductions"]),
        ("single_parent", "ひとり親控除", "single parent", own["single_parent"], src["yearend.personal_deductions"]),
        ("working_student", "勤労学生控除", "working student", own["working_student"], src["yearend.working_student_income_limit"]),
        ("spouse", "配偶者控除", "spouse deduction", spouse, src["yearend.spouse_deduction"]),
        ("spouse_special", "配偶者特別控除", "special spouse deduction", spouse_special, src["yearend.spouse_deduction"]),
        ("dependants", "扶養控除", "dependants", dependants, src["yearend.personal_deductions"]),
        ("specific_relative", "特定親族特別控除", "specific relative special deduction", specific,
         src["yearend.specific_relative_deduction"]),
        ("basic", "基礎控除", "basic deduction", d.basic_deduction(total_income, rules), src["yearend.basic_deduction"]),
    ]
    for part in parts:
        line(*part)
    total = sum(p[3] for p in parts)
    line("deductions_total", "所得控除の額の合計額", "total deductions", total, "")
    taxable = int(floor_yen(max(income - total, 0), 1000)) * 1000
    line("taxable_income", "課税給与所得金額", "taxable income", taxable, "1,000円未満切捨て")
    computed = income_tax(taxable, rules)
    line("computed_tax", "算出所得税額", "computed income tax", computed, src["yearend.income_tax_rates"])
    credit = person.housing.amount if person.housing else 0
    used = min(credit, computed)
    line("housing_credit_available", "住宅借入金等特別控除可能額", "housing loan credit available", credit, "住宅借入金等特別控除申告書")
    line("housing_credit", "住宅借入金等特別控除の額", "housing loan credit", used, "算出所得税額が限度")
    net = computed - used
    line("adjusted_income_tax", "年調所得税額", "income tax after credits", net, "")
    annual = int(floor_yen(*times(net, rules.surtax)) // 100) * 100
    line("annual_tax", "年調年税額", "annual tax", annual, f"× {float(rules.surtax) * 100:.1f}%, 100円未満切捨て; "
         + src["yearend.reconstruction_surtax"])
    line("withheld", "源泉徴収税額（本年中）", "withheld in the year", withheld, "前職分を含む")
    difference = withheld - annual
    line("difference", "差引超過額（＋）又は不足額（−）", "excess (+) or shortfall (−)", difference, "")
    # the excess is set against the settling pay's tax only when that tax is not yet withheld
    result.settlement = settle(difference, person.last_pay_tax or 0)
    return result


def adjust_all(people: list[EmployeeYear], rules: YearRules) -> list[Adjustment]:
    return [adjust(p, rules) for p in people]
