"""What people really type, made exact: widths, yen amounts, negatives, 和暦 and serial dates."""

from addin.normalize.booleans import parse_bool
from addin.normalize.column import Parsed, normalize_values, scalar_parser
from addin.normalize.dates import parse_date, parse_month
from addin.normalize.numbers import parse_decimal, parse_integer
from addin.normalize.text import bank_kana, clean_code, clean_text, header_key, is_blank

__all__ = [
    "Parsed",
    "bank_kana",
    "clean_code",
    "clean_text",
    "header_key",
    "is_blank",
    "normalize_values",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_integer",
    "parse_month",
    "scalar_parser",
]
