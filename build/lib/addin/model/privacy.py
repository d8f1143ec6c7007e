"""Personal data (My Number, bank accounts, salaries) is shown only as much as a person needs
to find the row: the last characters of an identifier, never a full number or an amount."""

from __future__ import annotations

from typing import Any


def mask(value: Any, keep: int = 2) -> str:
    """'621498320257' -> '**********57'; short values are hidden entirely."""
    text = "" if value is None else str(value)
    if len(text) <= keep + 2:
        return "*" * len(text)
    return "*" * (len(text) - keep) + text[-keep:]
