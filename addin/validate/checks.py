"""Checks on one normalised value: ranges, lengths, patterns and the official check digits.

Check digits come from python-stdnum (FACTS.md §4: 法人番号 `stdnum.jp.cn`, 個人番号
`stdnum.jp.in_`); a 登録番号 is "T" + a 13-digit corporate-number-style number.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from stdnum.jp import cn as corporate_number
from stdnum.jp import in_ as my_number

from addin.normalize.text import ZENGIN_NAME_CHARS
from addin.validate.schema import ColumnSpec, as_date


def check_my_number(value: str) -> str | None:
    if not (len(value) == 12 and value.isdigit()):
        return "my_number_format"
    return None if my_number.is_valid(value) else "my_number_check_digit"


def check_corporate_number(value: str) -> str | None:
    if not (len(value) == 13 and value.isdigit()):
        return "registration_number_format"
    return None if corporate_number.is_valid(value) else "corporate_number_check_digit"


def check_registration_number(value: str) -> str | None:
    """適格請求書発行事業者登録番号: "T" + 13 digits with the 法人番号 check digit (the product's only such check)."""
    if not re.fullmatch(r"T\d{13}", value):
        return "registration_number_format"
    return None if corporate_number.is_valid(value[1:]) else "registration_number_check_digit"


def check_zengin_kana(value: str) -> str | None:
    return None if all(ch in ZENGIN_NAME_CHARS for ch in value) else "zengin_kana"


def bad_zengin_chars(value: str) -> str:
    return "".join(dict.fromkeys(ch for ch in value if ch not in ZENGIN_NAME_CHARS))


DIGIT_CHECKS: dict[str, Callable[[str], str | None]] = {
    "my_number": check_my_number,
    "corporate_number": check_corporate_number,
    "registration_number": check_registration_number,
    "zengin_kana": check_zengin_kana,
}


def _bound(spec: ColumnSpec, bound: Any) -> Any:  # a date or a Decimal, compared with parsed values
    if bound is None:
        return None
    if spec.kind in ("date", "month"):
        return as_date(bound)
    return Decimal(str(bound))


def value_check(spec: ColumnSpec) -> Callable[[Any], str | None] | None:
    """One function judging a parsed value against everything the column spec says about it; None when the
    spec says nothing to judge (a free text, a reference: tens of thousands of distinct values not called for)."""
    low, high = _bound(spec, spec.min), _bound(spec, spec.max)
    pattern = re.compile(spec.pattern) if spec.pattern else None
    digit_check = DIGIT_CHECKS.get(spec.check or "")
    unit = Decimal(1).scaleb(-spec.decimals) if spec.decimals is not None else None
    if (
        low is None
        and high is None
        and pattern is None
        and digit_check is None
        and unit is None
        and not spec.max_length
    ):
        return None

    in_bounds = _bounds_check(low, high, unit)
    if spec.kind in NUMBER_KINDS and pattern is None and digit_check is None and not spec.max_length:
        return in_bounds  # a price column asks nothing else: no question of type for each of its values

    def judge(value: Any) -> str | None:
        comparable = value.date() if isinstance(value, datetime) else value
        if isinstance(comparable, (int, Decimal, date)) and not isinstance(comparable, bool):
            verdict = in_bounds(comparable)
            if verdict:
                return verdict
        if isinstance(value, str):
            if spec.max_length and len(value) > spec.max_length:
                return "too_long"
            if pattern and not pattern.fullmatch(value):
                return "bad_pattern"
            if digit_check:
                return digit_check(value)
        return None

    return judge


#: kinds whose parsed values are numbers (int for integer and yen, Decimal for decimal), never text or dates
NUMBER_KINDS = frozenset({"integer", "yen", "decimal"})


def _bounds_check(low: Any, high: Any, unit: Decimal | None) -> Callable[[Any], str | None]:
    """The verdict of the bounds (numbers or dates) and of the decimals kept (Decimals) alone."""

    def in_bounds(value: Any) -> str | None:
        if low is not None and value < low:
            return "below_min"
        if high is not None and value > high:
            return "above_max"
        if unit is not None and isinstance(value, Decimal) and value % unit:
            return "too_many_decimals"
        return None

    return in_bounds
