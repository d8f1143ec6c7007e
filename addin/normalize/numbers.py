"""Numbers as people type them: ¥1,234 / 1,234円 / △1,234 / ▲1,234 / (1,234) / full-width digits."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from addin.normalize.text import is_blank

# Japanese accounting marks a negative with △ or ▲; some tools use − (U+2212) or brackets.
_NEGATIVE_MARKS = ("△", "▲", "-", "−")
_NOISE = str.maketrans("", "", ",¥\\$円 ")
_INF = float("inf")


class NotANumber(ValueError):
    pass


def parse_decimal(value: Any) -> Decimal | None:
    """Exact decimal of a cell; None for an empty cell; NotANumber for anything else."""
    if type(value) is float:  # the common cell first (a price, a quantity): same answers as below
        if value != value:
            return None
        if value in (_INF, -_INF):
            raise NotANumber(value)
        return Decimal(repr(value))
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise NotANumber(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Excel keeps doubles; repr gives the shortest decimal that round-trips (0.1, not 0.1000…).
        if value != value:
            return None
        if value in (float("inf"), float("-inf")):
            raise NotANumber(value)
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise NotANumber(value)
    text = unicodedata.normalize("NFKC", value).strip().translate(_NOISE)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text[:1] in _NEGATIVE_MARKS:
        negative, text = not negative, text[1:]
    if text.startswith("+"):
        text = text[1:]
    if not text or not (text.replace(".", "", 1).isdigit()):
        raise NotANumber(value)
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - isdigit() above guards
        raise NotANumber(value) from exc
    return -number if negative else number


class NotAnInteger(ValueError):
    pass


def parse_integer(value: Any) -> int | None:
    """Whole numbers: integer yen, counts, days. 1,234.0 is fine; 1,234.5 is not."""
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise NotAnInteger(value)
    return int(number)
