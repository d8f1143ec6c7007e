"""Dates as people type them: 2025/4/1, 2025-04-01, 2025年4月1日, 令和7年4月1日, R7.4.1, H31.4.30,
元年, Excel serial numbers and real date cells."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from addin.normalize.text import is_blank

# 元号: first day of each era (Gregorian). An era-dated day outside its era is refused
# (H31.5.1 does not exist: Reiwa began on 2019-05-01).
ERAS = {
    "明治": ("M", date(1868, 1, 25)),
    "大正": ("T", date(1912, 7, 30)),
    "昭和": ("S", date(1926, 12, 25)),
    "平成": ("H", date(1989, 1, 8)),
    "令和": ("R", date(2019, 5, 1)),
}
_ERA_BY_KEY = {
    **{name: start for name, (_, start) in ERAS.items()},
    **{letter: start for letter, start in ERAS.values()},
}
_ERA_ORDER = sorted(_ERA_BY_KEY.values())

_SEP = r"\s*[-/.年]\s*"
_ISO = re.compile(
    rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP.replace('年', '月')}(\d{{1,2}})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WAREKI = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$",
    re.IGNORECASE,
)
_ISO_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_WAREKI_MONTH = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})\s*[-/.年]\s*(\d{1,2})\s*月?$", re.IGNORECASE
)

# Excel's day 0 for the 1900 date system, after its fictitious 1900-02-29 (serials ≥ 61).
#: the days a column of dates can hold (pandas' nanosecond timestamps): outside them a date would not fail
#: but wrap around to another century (9999-12-31, a common "no end" date, became 1816-03-29)
EARLIEST, LATEST = date(1678, 1, 1), date(2261, 12, 31)
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


class NotADate(ValueError):
    pass


def excel_serial_to_date(serial: float) -> date:
    if not 61 <= serial <= _EXCEL_MAX_SERIAL:
        raise NotADate(serial)
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def _era_year(era: str, year_text: str, month: int, day: int) -> date:
    start = _ERA_BY_KEY[era.upper() if len(era) == 1 else era]
    year = 1 if year_text == "元" else int(year_text)
    result = date(start.year + year - 1, month, day)
    later = [s for s in _ERA_ORDER if s > start]
    if result < start or (later and result >= later[0]):
        raise NotADate(f"{era}{year_text}.{month}.{day}")
    return result


def parse_date(value: Any) -> date | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    if isinstance(value, bool):
        raise NotADate(value)
    if isinstance(value, (int, float)):
        return excel_serial_to_date(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    try:
        if m := _ISO.match(text) or _COMPACT.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _WAREKI.match(text):
            return _era_year(m[1], m[2], int(m[3]), int(m[4]))
    except ValueError as exc:  # 2025/2/30, or a day outside its era
        raise NotADate(value) from exc
    if text.replace(".", "", 1).isdigit():  # a serial number that arrived as text
        return excel_serial_to_date(float(text))
    raise NotADate(value)


def parse_month(value: Any) -> date | None:
    """A month (the first day of it): 2025-04, 2025/4, 2025年4月, 令和7年4月, R7.4, or any date in it."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        try:
            if m := _ISO_MONTH.match(text):
                return date(int(m[1]), int(m[2]), 1)
            if m := _WAREKI_MONTH.match(text):
                return _era_year(m[1], m[2], int(m[3]), 1)
        except ValueError as exc:
            raise NotADate(value) from exc
    day = parse_date(value)
    return day.replace(day=1) if day else None
