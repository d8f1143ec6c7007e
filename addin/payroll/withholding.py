"""源泉徴収税額 (withholding income tax on monthly pay), vectorised over employees.

Two methods, both from `rules/`, chosen by the pay date:
* the official monthly table 月額表 (甲 by 扶養親族等の数 0–7, 乙), with its formula above 740,000 yen
  and 1,610 yen less per dependent above 7 (FACTS.md §2);
* the computer method 電子計算機等の特例 for 甲 (FACTS.md §1, 別表第一〜第四), when chosen in settings.
All arithmetic is on integers: rates are fractions, each rounding is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import numpy as np

from addin.money import ceil_yen, floor_yen, half_up_yen, rate
from addin.rulebook import Rulebook

DEPENDENT_COLUMNS = [f"kou_{n}" for n in range(8)]
NO_UPPER = np.iinfo(np.int64).max


def _int(text: str) -> int:
    return int(text) if text not in ("", None) else 0


@dataclass(frozen=True)
class Segments:
    """Rows of `base + (A − min) × rate` above 740,000 yen: one per band."""

    mins: np.ndarray
    bases: np.ndarray       # (bands, columns)
    rates: list[Fraction]


@dataclass(frozen=True)
class MonthlyTable:
    mins: np.ndarray        # min_inclusive per row
    maxs: np.ndarray
    kou: np.ndarray         # (rows, 8)
    otsu: np.ndarray
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
            return Segments(np.array([_int(r["min_inclusive"]) for r in picked], dtype=np.int64),
                            np.array([[_int(r[f"base_tax_{n}"]) for n in range(width)] for r in picked], dtype=np.int64),
                            [rate(r["rate_on_excess_over_min"]) for r in picked])

        return cls(
            np.array([_int(r["min_inclusive"]) for r in rows], dtype=np.int64),
            np.array([_int(r["max_exclusive"]) for r in rows], dtype=np.int64),
            np.array([[_int(r[c]) for c in DEPENDENT_COLUMNS] for r in rows], dtype=np.int64),
            np.array([_int(r["otsu"]) for r in rows], dtype=np.int64),
            segments("kou", 8), segments("otsu", 1),
            int(rules.value("withholding.per_dependent_over_7", pay_date)),
            rate(rules.value("withholding.otsu_rate_below_table", pay_date)),
        )

    @property
    def top(self) -> int:
        return int(self.maxs[-1])   # 740,000: where the formula takes over

    def _over(self, seg: Segments, amount: np.ndarray, column: np.ndarray) -> np.ndarray:
        band = np.searchsorted(seg.mins, amount, side="right") - 1
        band = np.clip(band, 0, len(seg.mins) - 1)
        base = seg.bases[band, column]
        excess = amount - seg.mins[band]
        extra = np.zeros_like(amount)
        for i, r in enumerate(seg.rates):  # 1円未満切り捨て (FACTS.md §2)
            here = band == i
            extra[here] = floor_yen(excess[here] * r.numerator, r.denominator)
        return base + extra

    def tax(self, taxable, dependents, otsu) -> np.ndarray:
        """Tax per employee; `taxable` is その月の社会保険料等控除後の給与等の金額."""
        amount = np.maximum(np.asarray(taxable, dtype=np.int64), 0)
        dependents = np.asarray(dependents, dtype=np.int64)
        otsu = np.asarray(otsu, dtype=bool)
        column = np.clip(dependents, 0, 7)
        row = np.clip(np.searchsorted(self.mins, amount, side="right") - 1, 0, len(self.mins) - 1)
        in_table = (amount >= self.mins[0]) & (amount < self.top)
        above = amount >= self.top

        kou = np.where(in_table, self.kou[row, column], 0)
        kou = np.where(above, self._over(self.kou_over, amount, column), kou)
        kou = np.maximum(kou - self.per_dependent_over_7 * np.maximum(dependents - 7, 0), 0)

        below = floor_yen(amount * self.otsu_rate_below.numerator, self.otsu_rate_below.denominator)
        otsu_tax = np.where(in_table, self.otsu[row], below)
        otsu_tax = np.where(above, self._over(self.otsu_over, amount, np.zeros_like(column)), otsu_tax)
        return np.where(otsu, otsu_tax, kou)


@dataclass(frozen=True)
class ComputerMethod:
    """電子計算機等を使用して源泉徴収税額を計算する方法 (甲欄 only)."""

    employment_deduction: list[dict]   # 別表第一
    per_dependent: int                 # 別表第二
    basic_deduction: list[dict]        # 別表第三
    tax_bands: list[dict]              # 別表第四

    @classmethod
    def on(cls, rules: Rulebook, pay_date: date) -> "ComputerMethod":
        rows = rules.value("withholding.densan_formula", pay_date)
        part = lambda name: [r for r in rows if r["table"] == name]  # noqa: E731
        return cls(part("betsu1_kyuyo_shotoku_kojo"), _int(part("betsu2_haigusha_fuyo_kojo_per_person")[0]["constant"]),
                   part("betsu3_kiso_kojo"), part("betsu4_tax_on_B"))

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
            tax[mask] = half_up_yen(numerator, f.denominator * 10) * 10   # 10円未満四捨五入
        return np.maximum(tax, 0)


def withholding_tax(rules: Rulebook, pay_date: date, taxable, dependents, otsu, computer_method: bool = False) -> np.ndarray:
    """The month's withholding for each employee, by the method in force on the pay date."""
    table = MonthlyTable.on(rules, pay_date)
    tax = table.tax(taxable, dependents, otsu)
    if computer_method:
        kou = ~np.asarray(otsu, dtype=bool)
        tax = np.where(kou, ComputerMethod.on(rules, pay_date).tax(taxable, dependents), tax)
    return tax
