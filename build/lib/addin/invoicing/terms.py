"""Closing days (締日) and payment terms (支払条件): which period an order falls in, when it is due."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from addin.dates import add_months, day_of_month, off_holidays

_TERMS = re.compile(r"(当月|翌月|翌々月|(\d+)\s*[かヶケカ]?月後)\s*(末|(\d+)\s*日)")


class UnreadableTerms(ValueError):
    pass


def period_end(shipped: date, closing_day: str) -> date:
    """The closing date of the billing period holding `shipped` ("end" = month end, or a day)."""
    this_month = day_of_month(shipped, closing_day)
    if shipped <= this_month:
        return this_month
    return day_of_month(add_months(shipped.replace(day=1), 1), closing_day)


def period_start(end: date, closing_day: str) -> date:
    previous = add_months(end.replace(day=1), -1)
    return period_end(previous, closing_day) + timedelta(days=1) if closing_day != "end" else end.replace(day=1)


def due_date(closing: date, terms: str | None, holiday: str = "previous") -> date:
    """翌月末 / 翌月25日 / 翌々月10日 / 当月末 / 2ヶ月後末 … counted from the closing date."""
    text = unicodedata.normalize("NFKC", terms or "翌月末").replace("締め", "").replace("払い", "")
    found = _TERMS.search(text.split("締")[-1]) or _TERMS.search(text)
    if not found:
        raise UnreadableTerms(terms)
    months = {"当月": 0, "翌月": 1, "翌々月": 2}.get(found[1], int(found[2] or 0))
    month = add_months(closing.replace(day=1), months)
    return off_holidays(day_of_month(month, "end" if found[3] == "末" else int(found[4])), holiday)
