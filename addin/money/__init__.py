"""Exact money: integer yen, rates as fractions, and every rounding rule by its name.

All functions work on Python ints and on numpy int64 arrays alike (vectorised payroll), and never
touch floating point: a rate such as 9.85 % is the fraction 985/10000.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np

#: yen (or a numerator of yen): a Python int, a numpy integer, or an int64 array for a whole column;
#: each rounding gives back the kind it was given
Yen = TypeVar("Yen", int, np.integer, np.ndarray)


def rate(value: Any) -> Fraction:
    """A rate from rules data: "9.85%" / "0.0985" / Decimal / int, exactly."""
    if isinstance(value, Fraction):
        return value
    text = str(value).strip()
    if "/" in text:  # "5.5/1000": per-mille rates as published
        top, bottom = text.split("/")
        return Fraction(Decimal(top.strip())) / Fraction(Decimal(bottom.strip()))
    if text.endswith("%"):
        return Fraction(Decimal(text[:-1].strip())) / 100
    return Fraction(Decimal(text))


def _split(numerator: Any, denominator: Any) -> tuple[Any, Any]:
    q, r = np.divmod(numerator, denominator) if isinstance(numerator, np.ndarray) else divmod(numerator, denominator)
    return q, r


def floor_yen(numerator: Yen, denominator: int | np.ndarray = 1) -> Yen:
    """切り捨て: drop any fraction of a yen (withholding, consumption tax by default)."""
    return _split(numerator, denominator)[0]


def ceil_yen(numerator: Yen, denominator: int | np.ndarray = 1) -> Yen:
    """切り上げ."""
    return -floor_yen(-numerator, denominator)


def half_up_yen(numerator: Yen, denominator: int | np.ndarray = 1) -> Yen:
    """四捨五入 / 50銭以上切り上げ (wages: 昭和63.3.14 基発150号; consumption tax when chosen)."""
    q, r = _split(numerator, denominator)
    return q + (2 * r >= denominator)


def social_insurance_share(numerator: Yen, denominator: int | np.ndarray = 1) -> Yen:
    """50銭以下切り捨て、50銭超切り上げ: the employee's share deducted from pay (FACTS.md §3,
    協会けんぽ / 日本年金機構; exactly 0.50 yen goes down)."""
    q, r = _split(numerator, denominator)
    return q + (2 * r > denominator)


def times(amount: Yen, fraction: Fraction) -> tuple[Yen, int]:
    """(numerator, denominator) of amount × fraction, to hand to a named rounding."""
    return amount * fraction.numerator, fraction.denominator


ROUNDINGS = {"floor": floor_yen, "ceil": ceil_yen, "half_up": half_up_yen}


def scaled(values: Any, scale: int) -> np.ndarray:
    """Exact decimals (Decimal, int, None) as int64 multiples of 1/scale, e.g. quantities in
    thousandths; each distinct value is converted once. Raises ValueError when a value has more
    decimals than the scale keeps (nothing is silently rounded)."""
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    converted = []
    for value in uniques:
        exact = Decimal(str(value)) * scale
        if exact != exact.to_integral_value():
            raise ValueError(f"{value} has more decimals than 1/{scale}")
        converted.append(int(exact))
    table = np.array(converted + [0], dtype=np.int64)
    return table[np.where(codes < 0, len(converted), codes)]
