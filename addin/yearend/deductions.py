"""Each 所得控除 by itself: small functions over the year's tables (FACTS_YEAR.md §C2–C8)."""

from __future__ import annotations

from datetime import date

from addin.dates import reaches_age
from addin.money import ceil_yen, times, rate
from addin.yearend.model import Premiums, Relative, RelativeClass, RelativeResult, Status
from addin.yearend.rules import YearRules

DISABILITY_KINDS = ("none", "ordinary", "special")


def age_on(birth: date, day: date) -> int:
    """Legal age on `day`: one reaches an age the day before the birthday (年齢計算ニ関スル法律)."""
    years = day.year - birth.year + 1  # one more only for a 1 January birthday
    while reaches_age(birth, years) > day:
        years -= 1
    return years


def income_adjustment(pay: int, qualifies: bool, rules: YearRules) -> int:
    """所得金額調整控除 (子ども・特別障害者等): (min(収入, 1,000万) − 850万) × 10%, 1円未満切上げ."""
    p = rules.adjustment
    threshold, ceiling = int(p["threshold"]), int(p["ceiling"])
    if not qualifies or pay <= threshold:
        return 0
    return int(ceil_yen(*times(min(pay, ceiling) - threshold, rate(p["rate"]))))


def basic_deduction(total_income: int, rules: YearRules) -> int:
    return rules.basic.find(max(total_income, 0))


def spouse_deduction(spouse: Relative, age: int, own_income: int, rules: YearRules) -> tuple[RelativeClass, int]:
    """配偶者控除 (一般 / 老人 = 70歳以上) or 配偶者特別控除, by both incomes; 本人 > 1,000万 → none."""
    if spouse.income <= rules.dependant_income_limit:
        kind, klass = ("haigusha_kojo_rojin" if age >= 70 else "haigusha_kojo_ippan"), RelativeClass.SPOUSE_DEDUCTION
    else:
        kind, klass = "haigusha_tokubetsu_kojo", RelativeClass.SPOUSE_SPECIAL
    for s_lo, s_hi, e_lo, e_hi, amount in rules.spouse[kind]:
        if s_lo <= spouse.income < s_hi and e_lo <= own_income < e_hi:
            return klass, amount
    return RelativeClass.SPOUSE_NONE, 0


def dependant_class(relative: Relative, age: int, rules: YearRules) -> tuple[RelativeClass, int]:
    """扶養控除 by the age on 31 December; a 19–22-year-old over the income limit → 特定親族特別控除."""
    fuyo = lambda kubun: rules.personal[("fuyo_kojo", kubun)]  # noqa: E731
    if relative.income > rules.dependant_income_limit:
        if 19 <= age <= 22:
            amount = rules.specific_relative.find(relative.income) or 0
            return (RelativeClass.SPECIFIC_RELATIVE, amount) if amount else (RelativeClass.NONE, 0)
        return RelativeClass.NONE, 0
    if age < 16:
        return RelativeClass.UNDER_16, fuyo("nensho_under16")
    if 19 <= age <= 22:
        return RelativeClass.SPECIFIED, fuyo("tokutei")
    if age >= 70:
        if relative.lineal_ascendant and relative.lives_together:
            return RelativeClass.ELDERLY_PARENT, fuyo("dokyo_rooya")
        return RelativeClass.ELDERLY, fuyo("rojin")
    return RelativeClass.GENERAL, fuyo("ippan")


def disability_deduction(kind: str, lives_together: bool, rules: YearRules, own: bool = False) -> int:
    """障害者控除 per person: 27万 / 特別 40万 / 同居特別 75万 (同居 only for a spouse or relative)."""
    if kind == "ordinary":
        return rules.personal[("shogaisha_kojo", "ippan")]
    if kind == "special":
        key = "dokyo_tokubetsu" if lives_together and not own else "tokubetsu"
        return rules.personal[("shogaisha_kojo", key)]
    return 0


def classify(relatives: list[Relative], own_income: int, rules: YearRules) -> list[RelativeResult]:
    """Each declared person: age on 31 December, class, deduction and disability deduction."""
    year_end = date(rules.year, 12, 31)
    out = []
    for person in relatives:
        age = age_on(person.birth_date, year_end)
        if person.is_spouse:
            klass, amount = spouse_deduction(person, age, own_income, rules)
            same_household = person.income <= rules.dependant_income_limit  # 同一生計配偶者
        else:
            klass, amount = dependant_class(person, age, rules)
            same_household = klass not in (RelativeClass.NONE, RelativeClass.SPECIFIC_RELATIVE)
        disabled = disability_deduction(person.disability, person.lives_together, rules) if same_household else 0
        note = "" if amount or disabled or klass is RelativeClass.UNDER_16 else "所得要件超過等のため控除なし"
        out.append(RelativeResult(person, age, klass, amount, disabled, note))
    return out


def has_dependant_under_23(results: list[RelativeResult]) -> bool:
    """A 扶養親族 (incl. under 16) younger than 23 on 31 December — not a 特定親族, not the spouse."""
    kinds = (RelativeClass.UNDER_16, RelativeClass.SPECIFIED, RelativeClass.GENERAL)
    return any(r.klass in kinds and r.age < 23 for r in results)


def own_deductions(status: Status, total_income: int, rules: YearRules) -> dict[str, int]:
    """本人: 障害者, 寡婦 / ひとり親 (ひとり親 wins; 合計所得 ≤ 500万), 勤労学生 (合計所得 ≤ 85万/89万)."""
    within = total_income <= rules.widow_limit
    single = rules.personal[("hitorioya_kojo", "")] if status.single_parent and within else 0
    widow = rules.personal[("kafu_kojo", "")] if status.widow and within and not single else 0
    student = (
        rules.personal[("kinro_gakusei_kojo", "")]
        if status.working_student and total_income <= rules.working_student_limit
        else 0
    )
    return {
        "own_disability": disability_deduction(status.disability, False, rules, own=True),
        "widow": widow,
        "single_parent": single,
        "working_student": student,
    }


def _category(new_amount: int, old_amount: int, cap: int) -> int:
    """新旧両方: max(旧のみの額, min(新 + 旧, cap)); one system only: its own amount."""
    if new_amount and old_amount:
        return max(old_amount, min(new_amount + old_amount, cap))
    return new_amount or old_amount


def life_insurance(premiums: Premiums, u23: bool, rules: YearRules) -> dict[str, int]:
    """生命保険料控除: 一般・介護医療・個人年金, new/old, caps; 令和8年分 u23 特例 for 新・一般."""
    caps = rules.life_caps
    special = u23 and caps["u23_general"] > 0
    general_new = (rules.life_new_u23 if special else rules.life_new)(premiums.life_general_new)
    general = _category(
        general_new, rules.life_old(premiums.life_general_old), caps["u23_general"] if special else caps["per_category"]
    )
    medical = rules.life_new(premiums.life_medical)
    pension = _category(
        rules.life_new(premiums.life_pension_new), rules.life_old(premiums.life_pension_old), caps["per_category"]
    )
    return {
        "general": general,
        "medical": medical,
        "pension": pension,
        "total": min(general + medical + pension, caps["total"]),
    }


def earthquake_insurance(premiums: Premiums, rules: YearRules) -> int:
    """地震保険料控除 (max 5万) + 旧長期損害保険料 (max 1.5万), together max 5万."""
    return min(
        rules.earthquake(premiums.earthquake) + rules.old_long_term(premiums.old_long_term), rules.earthquake_cap
    )
