"""Every normalisation of what people type, value by value."""

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from addin.normalize.column import blank_mask, factorized
from addin.normalize import (
    bank_kana,
    clean_code,
    clean_text,
    header_key,
    normalize_values,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_month,
)
from addin.normalize.booleans import NotABoolean
from addin.normalize.dates import NotADate
from addin.normalize.numbers import NotAnInteger, NotANumber


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("¥1,234", 1234),
        ("￥1,234", 1234),
        ("1,234円", 1234),
        ("△1,234", -1234),
        ("▲1,234", -1234),
        ("(1,234)", -1234),
        ("（1,234）", -1234),
        ("１２３４", 1234),
        ("１，２３４円", 1234),
        ("  12 ", 12),
        ("−5", -5),
        ("-5", -5),
        ("+7", 7),
        (1234.0, 1234),
        (1234, 1234),
        ("\\980", 980),
        ("0", 0),
    ],
)
def test_integer_yen_as_typed(typed, expected):
    assert parse_integer(typed) == expected


@pytest.mark.parametrize("typed", ["abc", "1,2,3x", "十二", "1.2.3", True, "--5"])
def test_not_a_number(typed):
    with pytest.raises(NotANumber):
        parse_integer(typed)


def test_fractional_yen_is_refused_not_rounded():
    with pytest.raises(NotAnInteger):
        parse_integer("1,234.5")


def test_decimal_keeps_exact_value_of_excel_double():
    assert parse_decimal(0.1) == Decimal("0.1")
    assert parse_decimal("１２．５") == Decimal("12.5")
    assert parse_decimal(None) is None and parse_decimal("  ") is None


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("令和7年4月1日", date(2025, 4, 1)),
        ("R7.4.1", date(2025, 4, 1)),
        ("r7/4/1", date(2025, 4, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("S60.12.31", date(1985, 12, 31)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("2025/4/1", date(2025, 4, 1)),
        ("2025-04-01", date(2025, 4, 1)),
        ("2025年4月1日", date(2025, 4, 1)),
        ("２０２５／４／１", date(2025, 4, 1)),
        ("20250401", date(2025, 4, 1)),
        ("2025-04-01 00:00:00", date(2025, 4, 1)),
        (45748, date(2025, 4, 1)),
        (45748.0, date(2025, 4, 1)),
        ("45748", date(2025, 4, 1)),
        (datetime(2025, 4, 1, 9, 30), date(2025, 4, 1)),
        (date(2025, 4, 1), date(2025, 4, 1)),
    ],
)
def test_dates_as_typed(typed, expected):
    assert parse_date(typed) == expected


@pytest.mark.parametrize(
    "typed", ["H31.5.1", "R1.4.30", "令和8年13月1日", "2025/2/30", "2025/13/01", "yesterday", 10, True]
)
def test_impossible_dates_are_refused(typed):
    with pytest.raises(NotADate):
        parse_date(typed)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("2025-04", date(2025, 4, 1)),
        ("2025/4", date(2025, 4, 1)),
        ("2025年4月", date(2025, 4, 1)),
        ("令和7年4月", date(2025, 4, 1)),
        ("R7.4", date(2025, 4, 1)),
        (date(2025, 4, 17), date(2025, 4, 1)),
        (45748, date(2025, 4, 1)),
    ],
)
def test_months(typed, expected):
    assert parse_month(typed) == expected


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("〇", True),
        ("○", True),
        ("✓", True),
        ("TRUE", True),
        ("はい", True),
        (1, True),
        (True, True),
        ("×", False),
        ("FALSE", False),
        ("いいえ", False),
        (0, False),
        ("なし", False),
    ],
)
def test_booleans(typed, expected):
    assert parse_bool(typed) is expected


def test_boolean_extra_words_and_refusal():
    assert parse_bool("課税", frozenset({"課税"})) is True
    with pytest.raises(NotABoolean):
        parse_bool("maybe")


def test_text_widths_and_spaces():
    assert clean_text("  ＡＢＣ　１２３  ") == "ABC 123"
    assert clean_text("ﾔﾏﾀﾞ") == "ヤマダ"  # half-width kana become full-width in text
    assert clean_text(123.0) == "123"
    assert clean_text("   ") is None


def test_codes_keep_leading_zeros_and_pad():
    assert clean_code(5.0, pad=4) == "0005"
    assert clean_code("ｅ０００１") == "E0001"
    assert clean_code("123-4567") == "123-4567"


def test_bank_kana_is_half_width_upper_case():
    assert bank_kana("ヤマダ　タロウ") == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert bank_kana("やまだ はなこ") == "ﾔﾏﾀﾞ ﾊﾅｺ"
    assert bank_kana("ｷｯﾄ") == "ｷﾂﾄ"  # banks take no small kana
    assert bank_kana("abc") == "ABC"


def test_header_keys_ignore_width_case_and_spaces():
    assert header_key("Employee ID") == header_key("employee_id") == header_key("ＥＭＰＬＯＹＥＥ　ＩＤ")
    assert header_key(" 社員 番号 ") == header_key("社員番号")


def test_column_normalisation_parses_each_distinct_value_once_and_spreads_results():
    raw = np.array(["1,000", None, "x", 1000.0, "1,000", ""], dtype=object)
    parsed = normalize_values(raw, "yen")
    assert pd.Series(parsed.values).fillna(-1).tolist() == [1000, -1, -1, 1000, 1000, -1]
    assert list(parsed.errors) == [None, None, "not_a_number", None, None, None]


def test_a_column_factorised_beforehand_normalises_as_it_would_alone():
    """locate hands its factorisation over (Table.distinct): taken from more rows than are kept, it
    holds values no kept row has ("合計" of a totals row left out); they are never reported, NaN still
    is, and the codes handed over are not changed."""
    located = np.array(["1,000", "合計", None, float("nan"), "x", 1000.0], dtype=object)
    kept = np.array([True, False, True, True, True, True])
    codes, uniques = factorized(located)
    handed = codes[kept].copy()
    raw = located[kept]
    given = normalize_values(raw, "yen", distinct=(handed, uniques))
    alone = normalize_values(raw, "yen")
    assert pd.Series(given.values).fillna(-1).tolist() == pd.Series(alone.values).fillna(-1).tolist()
    assert list(given.errors) == list(alone.errors) == [None, None, "error_value", "not_a_number", None]
    assert list(handed) == list(codes[kept])
    assert list(blank_mask(raw, (handed, uniques))) == list(blank_mask(raw)) == [False, True, True, False, False]


def test_column_check_runs_on_parsed_values():
    parsed = normalize_values(
        np.array(["5", "50"], dtype=object), "integer", check=lambda v: "above_max" if v > 10 else None
    )
    assert list(parsed.errors) == [None, "above_max"]


def test_an_issues_row_is_read_from_its_reference():
    """A whole-row reference ("2:2", when the column is missing) is row 2: joining its digits made it 22,
    and invoicing held back another row's invoice while issuing the one in error."""
    from addin.model import Issue, Severity
    from addin.model.issues import rows_in_error

    def at(cell: str) -> Issue:
        return Issue("sales.xlsx", "Orders 受注", cell, "sku", "required", Severity.ERROR, "", "")

    assert [at(cell).row for cell in ("D6", "$D$6", "6:6", "AB22", "")] == [6, 6, 6, 22, None]
    assert rows_in_error([at("2:2"), at("C22")], "sales.xlsx", "Orders 受注") == {2, 22}
    assert rows_in_error([at("2:2")], "sales.xlsx", "Customers 得意先") == set()
