"""The year's tables, read once from the rulebook into plain integer bands.

Every table is asked for on 31 December of the 年分: a year `rules/yearend.yaml` does not cover
raises RuleNotInForce naming that file (never a silent fallback to another year's figures).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from addin.money import rate
from addin.rulebook import Rulebook

RULES_FILE = "rules/yearend.yaml"


class YearRulesError(ValueError):
    """A table row the engine cannot read (a typo in rules data), named with its table."""


@dataclass(frozen=True)
class Bands:
    """Half-open integer bands [low, high) → value; the last band may be open (high = None)."""

    lows: tuple[int, ...]
    highs: tuple[int | None, ...]
    values: tuple

    @classmethod
    def of(cls, rows: Sequence[tuple[int, int | None, object]]) -> "Bands":
        rows = sorted(rows, key=lambda r: r[0])
        return cls(tuple(r[0] for r in rows), tuple(r[1] for r in rows), tuple(r[2] for r in rows))

    def find(self, amount: int):
        """The value of the band holding `amount`, or None outside every band."""
        i = bisect_right(self.lows, amount) - 1
        if i < 0:
            return None
        high = self.highs[i]
        return self.values[i] if high is None or amount < high else None


def _int(text: str) -> int | None:
    return None if text in (None, "") else int(text)


def _formula(text: str, table: str):
    """The table's formula rows: `income-650000` or `floor(income*9/10)-1100000`."""
    if m := re.fullmatch(r"income-(\d+)", text):
        minus = int(m[1])
        return lambda pay: pay - minus
    if m := re.fullmatch(r"floor\(income\*(\d+)/(\d+)\)-(\d+)", text):
        num, den, minus = int(m[1]), int(m[2]), int(m[3])
        return lambda pay: pay * num // den - minus
    raise YearRulesError(f"{table}: formula {text!r} is not understood")


@dataclass(frozen=True)
class Graduated:
    """A premium → deduction scale (生命保険料・旧長期損害保険料): amount × num/den + add, 1円未満切上げ; or flat."""

    bands: Bands

    @classmethod
    def of(cls, rows: list[dict]) -> "Graduated":
        out = []
        for r in rows:
            flat = _int(r["flat_yen"])
            step = (
                ("flat", flat)
                if flat is not None
                else ("scale", int(r["mult_num"]), int(r["mult_den"]), int(r["add_yen"]))
            )
            out.append((int(r["paid_min_inclusive"]), _int(r["paid_max_exclusive"]), step))
        return cls(Bands.of(out))

    def __call__(self, paid: int) -> int:
        if paid <= 0:
            return 0
        step = self.bands.find(paid)
        if step[0] == "flat":
            return step[1]
        _, num, den, add = step
        return -((-paid * num) // den) + add  # 1円未満の端数は切り上げ (所得税法76条)


@dataclass(frozen=True)
class YearRules:
    year: int
    kyuyo_table: Bands  # 給与等の金額 → 給与所得控除後の金額 (int or formula)
    basic: Bands  # 合計所得 → 基礎控除
    spouse: dict[str, list[tuple[int, int, int, int, int]]]  # kind → (spouse lo, hi, employee lo, hi, amount)
    specific_relative: Bands  # 特定親族の合計所得 → 特定親族特別控除
    personal: dict[tuple[str, str], int]  # (kojo, kubun) → amount or income limit
    working_student_limit: int
    widow_limit: int
    tax_rates: Bands  # 課税所得 → (rate, 控除額)
    life_new: Graduated
    life_old: Graduated
    life_new_u23: Graduated
    life_caps: dict[str, int]
    earthquake: Graduated
    old_long_term: Graduated
    earthquake_cap: int
    adjustment: dict  # 所得金額調整控除 parameters
    surtax: Fraction  # 102.1 %
    max_annual_pay: int
    part_time_leaver_max_pay: int
    filing: dict
    municipal: dict
    sources: dict[str, str]  # parameter → its source, for the working sheet

    @property
    def dependant_income_limit(self) -> int:
        """同一生計配偶者・扶養親族の合計所得要件 (58万 in 2025, 62万 in 2026)."""
        return self.personal[("income_requirement", "doitsu_seikei_haigusha_fuyo_shinzoku")]

    @classmethod
    def for_year(cls, rulebook: Rulebook, year: int) -> "YearRules":
        on = date(year, 12, 31)
        value = lambda name: rulebook.value(name, on)  # noqa: E731 — RuleNotInForce names rules/yearend.yaml
        names = [
            "yearend.kyuyo_shotoku_table",
            "yearend.basic_deduction",
            "yearend.spouse_deduction",
            "yearend.specific_relative_deduction",
            "yearend.personal_deductions",
            "yearend.income_tax_rates",
            "yearend.life_insurance",
            "yearend.life_insurance_caps",
            "yearend.earthquake_insurance",
            "yearend.income_adjustment",
            "yearend.reconstruction_surtax",
            "yearend.eligibility",
            "yearend.working_student_income_limit",
            "yearend.widow_single_parent_income_limit",
            "yearend.tax_office_filing",
            "yearend.municipal_report",
        ]
        sources = {n: rulebook.entry(n, on).source or rulebook.parameter(n).source for n in names}
        kyuyo = []
        for r in value("yearend.kyuyo_shotoku_table"):
            fixed = _int(r["kyuyo_shotoku_yen"])
            kyuyo.append(
                (
                    int(r["min_inclusive"]),
                    _int(r["max_exclusive"]),
                    fixed if fixed is not None else _formula(r["formula_if_blank"], "kyuyo_shotoku_table"),
                )
            )
        spouse: dict[str, list] = {}
        for r in value("yearend.spouse_deduction"):
            spouse.setdefault(r["kind"], []).append(
                (
                    int(r["spouse_gokei_min_inclusive"]),
                    int(r["spouse_gokei_max_exclusive"]),
                    int(r["employee_gokei_min_inclusive"]),
                    int(r["employee_gokei_max_exclusive"]),
                    int(r["kojo_yen"]),
                )
            )
        life = value("yearend.life_insurance")
        kind_of = lambda r: r["kind"].split(" ")[0]  # noqa: E731 — "new_seido (…)" → new_seido
        quake = value("yearend.earthquake_insurance")
        eligibility = value("yearend.eligibility")
        return cls(
            year=year,
            kyuyo_table=Bands.of(kyuyo),
            basic=Bands.of(
                [
                    (
                        int(r["gokei_shotoku_min_inclusive"]),
                        _int(r["gokei_shotoku_max_exclusive"]),
                        int(r["kiso_kojo_yen"]),
                    )
                    for r in value("yearend.basic_deduction")
                ]
            ),
            spouse=spouse,
            specific_relative=Bands.of(
                [
                    (int(r["relative_gokei_min_inclusive"]), int(r["relative_gokei_max_exclusive"]), int(r["kojo_yen"]))
                    for r in value("yearend.specific_relative_deduction")
                ]
            ),
            personal={
                (r["kojo"], r["kubun"]): int(r["amount_or_limit_yen"]) for r in value("yearend.personal_deductions")
            },
            working_student_limit=int(value("yearend.working_student_income_limit")),
            widow_limit=int(value("yearend.widow_single_parent_income_limit")),
            tax_rates=Bands.of(
                [
                    (
                        int(r["kazei_shotoku_min_inclusive"]),
                        _int(r["kazei_shotoku_max_exclusive"]),
                        (rate(r["rate"]), int(r["kojo_gaku_yen"])),
                    )
                    for r in value("yearend.income_tax_rates")
                ]
            ),
            life_new=Graduated.of([r for r in life if kind_of(r) == "new_seido"]),
            life_old=Graduated.of([r for r in life if kind_of(r) == "old_seido"]),
            life_new_u23=Graduated.of([r for r in life if kind_of(r) == "new_ippan_u23_R8"]),
            life_caps={k: int(v) for k, v in value("yearend.life_insurance_caps").items()},
            earthquake=Graduated.of([r for r in quake if r["kind"] == "jishin_hokenryo"]),
            old_long_term=Graduated.of([r for r in quake if r["kind"] == "kyu_choki_songai_hokenryo"]),
            earthquake_cap=next(int(r["flat_yen"]) for r in quake if r["kind"] == "combined_cap"),
            adjustment=dict(value("yearend.income_adjustment")),
            surtax=rate(value("yearend.reconstruction_surtax")),
            max_annual_pay=int(eligibility["max_annual_pay"]),
            part_time_leaver_max_pay=int(eligibility["part_time_leaver_max_pay"]),
            filing=dict(value("yearend.tax_office_filing")),
            municipal=dict(value("yearend.municipal_report")),
            sources=sources,
        )

    def kyuyo_shotoku(self, pay: int) -> int:
        """給与所得控除後の給与等の金額 from the year's official table (never the 速算式 below 660万)."""
        found = self.kyuyo_table.find(pay)
        if found is None:
            raise YearRulesError(
                f"給与等の金額 {pay:,} は {self.year} 年分の表の範囲外です / pay {pay:,} is outside the {self.year} "
                "table"
            )
        return found(pay) if callable(found) else found
