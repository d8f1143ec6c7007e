"""源泉徴収税額 (withholding income tax on monthly pay), vectorised over employees.

Two methods, both from `rules/`, chosen by the pay date:
* the official monthly table 月額表 (甲 by 扶養親族等の数 0–7, 乙), with its formula above 740,000 yen
  and 1,610 yen less per dependent above 7 (FACTS.md §2);
* the computer method 電子計算機等の特例 for 甲 (FACTS.md §1, 別表第一〜第四), when chosen in settings.
All arithmetic is on integers: rates are fractions, each rounding is named.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import numpy as np

from addin.money import ceil_yen, half_up_yen, rate
from addin.rulebook import Rulebook

DEPENDENT_COLUMNS = [f"kou_{n}" for n in range(8)]
NO_UPPER = np.iinfo(np.int64).max


def _int(text: str) -> int:
    return int(text) if text not in ("", None) else 0


@dataclass(frozen=True)
class Segments:
    """Rows of `base + (A − min) × rate` from 740,000 yen: one per band."""

    mins: list[int]
    bases: list[list[int]]  # per band, per column (甲 0–7, or 乙 alone)
    rates: list[Fraction]


@dataclass(frozen=True)
class MonthlyTable:
    """The 月額表 in force on a pay date. One scalar lookup (bisect over the rows) serves a single
    worksheet cell in microseconds and 10,000 employees in tens of milliseconds."""

    mins: list[int]  # min_inclusive per row
    top: int  # 740,000: where the formula takes over
    kou: list[list[int]]  # per row, 甲 0–7
    otsu: list[int]
    kou_over: Segments
    otsu_over: Segments
    per_dependent_over_7: int
    otsu_rate_below: Fraction

    @classmethod
    def on(cls, rules: Rulebook, pay_date: date) -> "MonthlyTable":
        rows = rules.value("withholding.monthly_table", pay_date)
        over = rules.value("withholding.monthly_table_over740k", pay_date)

        def segments(column: str, width: int) -> Segments:
            picked = [r for r in over if r["column"] == column]
            return Segments(
                [_int(r["min_inclusive"]) for r in picked],
                [[_int(r[f"base_tax_{n}"]) for n in range(width)] for r in picked],
                [rate(r["rate_on_excess_over_min"]) for r in picked],
            )

        return cls(
            [_int(r["min_inclusive"]) for r in rows],
            _int(rows[-1]["max_exclusive"]),
            [[_int(r[c]) for c in DEPENDENT_COLUMNS] for r in rows],
            [_int(r["otsu"]) for r in rows],
            segments("kou", 8),
            segments("otsu", 1),
            int(rules.value("withholding.per_dependent_over_7", pay_date)),
            rate(rules.value("withholding.otsu_rate_below_table", pay_date)),
        )

    @staticmethod
    def _formula(seg: Segments, amount: int, column: int) -> int:
        band = bisect_right(seg.mins, amount) - 1
        excess = (amount - seg.mins[band]) * seg.rates[band]
        return seg.bases[band][column] + excess.numerator // excess.denominator  # 1円未満切り捨て

    def tax_one(self, taxable: int, dependents: int, otsu: bool) -> int:
        """Tax on その月の社会保険料等控除後の給与等の金額 for one employee."""
        amount = max(int(taxable), 0)
        if otsu:
            if amount < self.mins[0]:  # below the first row: 3.063 %, 1円未満切り捨て
                below = amount * self.otsu_rate_below
                return below.numerator // below.denominator
            if amount >= self.top:
                return self._formula(self.otsu_over, amount, 0)
            return self.otsu[bisect_right(self.mins, amount) - 1]
        if amount < self.mins[0]:
            return 0
        column = min(max(int(dependents), 0), 7)
        tax = (
            self._formula(self.kou_over, amount, column)
            if amount >= self.top
            else self.kou[bisect_right(self.mins, amount) - 1][column]
        )
        return max(tax - self.per_dependent_over_7 * max(int(dependents) - 7, 0), 0)

    def tax(self, taxable, dependents, otsu) -> np.ndarray:
        """Tax per employee (arrays of equal length)."""
        return np.fromiter(
            (
                self.tax_one(a, n, o)
                for a, n, o in zip(
                    np.asarray(taxable).tolist(),
                    np.asarray(dependents).tolist(),
                    np.asarray(otsu).tolist(),
                    strict=True,
                )
            ),
            dtype=np.int64,
            count=len(taxable),
        )


@dataclass(frozen=True)
class ComputerMethod:
    """電子計算機等を使用して源泉徴収税額を計算する方法 (甲欄 only)."""

    employment_deduction: list[dict]  # 別表第一
    per_dependent: int  # 別表第二
    basic_deduction: list[dict]  # 別表第三
    tax_bands: list[dict]  # 別表第四

    @classmethod
    def on(cls, rules: Rulebook, pay_date: date) -> "ComputerMethod":
        rows = rules.value("withholding.densan_formula", pay_date)
        part = lambda name: [r for r in rows if r["table"] == name]  # noqa: E731
        return cls(
            part("betsu1_kyuyo_shotoku_kojo"),
            _int(part("betsu2_haigusha_fuyo_kojo_per_person")[0]["constant"]),
            part("betsu3_kiso_kojo"),
            part("betsu4_tax_on_B"),
        )

    @staticmethod
    def _band(rows: list[dict], amount: np.ndarray) -> list[tuple[np.ndarray, dict]]:
        out = []
        for r in rows:
            low = _int(r["A_or_B_min_inclusive"])
            high = _int(r["A_or_B_max_inclusive"]) if r["A_or_B_max_inclusive"] else NO_UPPER
            out.append(((amount >= low) & (amount <= high), r))
        return out

    def tax(self, taxable, dependents) -> np.ndarray:
        a = np.maximum(np.asarray(taxable, dtype=np.int64), 0)
        n = np.asarray(dependents, dtype=np.int64)
        deduction = np.zeros_like(a)
        for mask, r in self._band(self.employment_deduction, a):
            if r["kind"] == "flat":
                deduction[mask] = _int(r["constant"])
            else:  # A × rate + constant, 1円未満切上げ
                f = rate(r["rate"])
                deduction[mask] = ceil_yen(a[mask] * f.numerator + _int(r["constant"]) * f.denominator, f.denominator)
        basic = np.zeros_like(a)
        for mask, r in self._band(self.basic_deduction, a):
            basic[mask] = _int(r["constant"])
        b = a - deduction - self.per_dependent * n - basic
        tax = np.zeros_like(a)
        for mask, r in self._band(self.tax_bands, b):
            mask &= b > 0
            f = rate(r["rate"])
            numerator = b[mask] * f.numerator - _int(r["constant"]) * f.denominator
            tax[mask] = half_up_yen(numerator, f.denominator * 10) * 10  # 10円未満四捨五入
        return np.maximum(tax, 0)


def withholding_tax(
    rules: Rulebook, pay_date: date, taxable, dependents, otsu, computer_method: bool = False, secondary_dependents=None
) -> np.ndarray:
    """The month's withholding for each employee, by the method in force on the pay date. An 乙欄
    employee who declared dependents on a 従たる給与についての扶養控除等申告書 has 1,610 yen less per
    declared dependent (月額表 乙欄の備考; never below zero)."""
    table = MonthlyTable.on(rules, pay_date)
    tax = table.tax(taxable, dependents, otsu)
    if secondary_dependents is not None:
        per = int(rules.value("withholding.otsu_per_secondary_dependent", pay_date))
        tax = np.where(otsu, np.maximum(tax - per * np.asarray(secondary_dependents, dtype=np.int64), 0), tax)
    if computer_method:
        kou = ~np.asarray(otsu, dtype=bool)
        tax = np.where(kou, ComputerMethod.on(rules, pay_date).tax(taxable, dependents), tax)
    return tax
