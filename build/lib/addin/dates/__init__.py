"""Calendar arithmetic shared by the engines: month ends, bank business days, pay days, legal ages."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import jpholiday

# Banks in Japan are closed on 12/31 and 1/2–1/3 besides weekends and national holidays
# (銀行法施行令5条 / 全銀協): a transfer cannot be dated then.
BANK_CLOSED = {(12, 31), (1, 2), (1, 3)}


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def is_bank_business_day(day: date) -> bool:
    return day.weekday() < 5 and not jpholiday.is_holiday(day) and (day.month, day.day) not in BANK_CLOSED


def previous_business_day(day: date) -> date:
    while not is_bank_business_day(day):
        day -= timedelta(days=1)
    return day


def next_business_day(day: date) -> date:
    while not is_bank_business_day(day):
        day += timedelta(days=1)
    return day


def day_of_month(month: date, day: int | str) -> date:
    """That day of the month; "end" (or a day past the end) is the month's last day."""
    last = month_end(month).day
    return month.replace(day=last if str(day) == "end" else min(int(day), last))


def off_holidays(day: date, holiday: str) -> date:
    """Moved to the previous or next bank business day ("previous" / "next"), or left ("none")."""
    if holiday == "next":
        return next_business_day(day)
    return previous_business_day(day) if holiday == "previous" else day


def pay_date(work_month: date, pay_day: int | str, months_later: int = 1, holiday: str = "previous") -> date:
    """The pay day of the month `months_later` after the work month, off weekends and holidays."""
    return off_holidays(day_of_month(add_months(work_month.replace(day=1), months_later), pay_day), holiday)


def reaches_age(birth: date, years: int) -> date:
    """The day one legally reaches `years` of age: the day before the birthday
    (年齢計算ニ関スル法律, 民法143条; born on 29 February → 28 February)."""
    if (birth.month, birth.day) == (2, 29):
        return date(birth.year + years, 2, 28)
    return date(birth.year + years, birth.month, birth.day) - timedelta(days=1)
