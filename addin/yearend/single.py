"""One person's figures from plain numbers: what worksheet functions (BO_NENCHO_TAX, BO_KYUYO_SHOTOKU,
BO_BASIC_DEDUCTION) need, through the same `adjust` the command uses."""

from __future__ import annotations

from datetime import date

from addin.rulebook import Rulebook
from addin.yearend.compute import adjust
from addin.yearend.deductions import basic_deduction as _basic
from addin.yearend.model import EmployeeYear, HousingCredit, Payment, Premiums, Relative
from addin.yearend.rules import YearRules

#: (id of the rulebook, year) → (that rulebook, kept alive so its id is never reused, its tables)
_CACHE: dict[tuple[int, int], tuple[Rulebook, YearRules]] = {}


def year_rules(rulebook: Rulebook, year: int) -> YearRules:
    """The year's tables, read once per rulebook and year (RuleNotInForce for a year without rules)."""
    key = (id(rulebook), year)
    if key not in _CACHE:
        _CACHE[key] = (rulebook, YearRules.for_year(rulebook, year))
    return _CACHE[key][1]


def kyuyo_shotoku(pay: int, year: int, rulebook: Rulebook) -> int:
    """給与所得控除後の給与等の金額 of `pay` in the year's 年末調整 table."""
    return year_rules(rulebook, year).kyuyo_shotoku(int(pay))


def basic_deduction(total_income: int, year: int, rulebook: Rulebook) -> int:
    """基礎控除 for a 合計所得金額 in the year."""
    return _basic(int(total_income), year_rules(rulebook, year))


def nencho_tax(
    pay: int,
    social_insurance: int,
    year: int,
    rulebook: Rulebook,
    withheld: int = 0,
    spouse_income: int | None = None,
    general_dependants: int = 0,
    life_general_new: int = 0,
    earthquake: int = 0,
    housing_credit: int = 0,
) -> dict[str, int]:
    """年調年税額 and 過不足 of one person (spouse under 70, dependants counted as 一般 aged 30)."""
    relatives = (
        [Relative("spouse", "spouse", date(year - 40, 1, 1), int(spouse_income))] if spouse_income is not None else []
    )
    relatives += [Relative(f"dependant {i}", "other", date(year - 30, 1, 1)) for i in range(int(general_dependants))]
    person = EmployeeYear(
        "-",
        "-",
        year,
        payments=[Payment(date(year, 12, 31), int(pay), int(social_insurance), int(withheld))],
        relatives=relatives,
        premiums=Premiums(life_general_new=int(life_general_new), earthquake=int(earthquake)),
        housing=HousingCredit(int(housing_credit)) if housing_credit else None,
    )
    result = adjust(person, year_rules(rulebook, year))
    settlement = result.settlement
    if not result.adjusted or settlement is None:
        raise ValueError(result.reason)
    return {**result.figures(), "excess": settlement.excess, "shortfall": settlement.shortfall}
