"""Normalise a whole column at once.

A column of 200,000 cells holds far fewer distinct values (dates, codes, prices repeat), so each
distinct value is parsed once by the scalar parser and the results are spread back with numpy:
one parser per kind, vectorised by `pandas.factorize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import math

import numpy as np
import pandas as pd

from addin.model.grid import CellError, UncachedFormula

from addin.normalize.booleans import NotABoolean, parse_bool
from addin.normalize.dates import EARLIEST, LATEST, NotADate, parse_date, parse_month
from addin.normalize.numbers import NotAnInteger, NotANumber, parse_decimal, parse_integer
from addin.normalize.text import bank_kana, clean_code, clean_text, header_key, is_blank

#: what an integer column (yen, counts) holds: 64-bit integers
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

#: kind -> the pandas dtype its normalised values are given
DTYPES = {
    "text": object,
    "code": object,
    "kana": object,
    "enum": object,
    "decimal": object,
    "integer": "Int64",
    "yen": "Int64",
    "date": "datetime64[ns]",
    "month": "datetime64[ns]",
    "bool": "boolean",
}

#: what goes wrong, as an issue code, for each kind of parse failure
_FAILURE_CODES = {
    NotANumber: "not_a_number",
    NotAnInteger: "not_an_integer",
    NotADate: "not_a_date",
    NotABoolean: "not_a_boolean",
}


@dataclass(frozen=True)
class Parsed:
    values: pd.Series | np.ndarray  # normalised values in the kind's dtype
    errors: np.ndarray  # issue code or None, per value


def scalar_parser(kind: str, options: dict | None = None) -> Callable[[Any], Any]:
    """The one parser for a kind: value → normalised value, raising on a bad value."""
    options = options or {}
    if kind == "text":
        return clean_text
    if kind == "code":
        pad = int(options.get("pad", 0))
        if options.get("pad_numbers_only"):
            # a fixed-length number typed as a number lost its leading zeros; typed as text, it is as typed
            return lambda v: clean_code(v, pad=pad if isinstance(v, (int, float)) and not isinstance(v, bool) else 0)
        return lambda v: clean_code(v, pad=pad)
    if kind == "kana":
        return bank_kana
    if kind in ("integer", "yen"):
        return parse_integer
    if kind == "decimal":
        return parse_decimal
    if kind == "date":
        return parse_date
    if kind == "month":
        return parse_month
    if kind == "bool":
        trues = frozenset(w.casefold() for w in options.get("true_words", []))
        falses = frozenset(w.casefold() for w in options.get("false_words", []))
        return lambda v: parse_bool(v, trues, falses)
    if kind == "enum":
        return enum_parser(options.get("values", {}))
    raise ValueError(f"unknown column kind: {kind}")


class NotInEnum(ValueError):
    pass


_FAILURE_CODES[NotInEnum] = "not_in_enum"


def enum_parser(values: dict[str, list]) -> Callable[[Any], str | None]:
    """Map every alias (width-, case- and space-insensitive) to its canonical value."""
    lookup = {}
    for canonical, aliases in values.items():
        for word in [canonical, *(aliases or [])]:
            lookup[header_key(word)] = str(canonical)

    def parse(value: Any) -> str | None:
        text = clean_text(value)
        if text is None:
            return None
        try:
            return lookup[header_key(text)]
        except KeyError:
            raise NotInEnum(value) from None

    return parse


def _typed(values: list, kind: str):
    dtype = DTYPES[kind]
    if dtype == "datetime64[ns]":  # dates and None only, every date in EARLIEST..LATEST (None is NaT)
        return np.array(values, dtype="datetime64[ns]")
    if dtype is object:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return pd.array(values, dtype=dtype)


def _objects(raw) -> np.ndarray:
    """The column as a numpy object array: factorising one costs a quarter of factorising a Series."""
    return raw if isinstance(raw, np.ndarray) and raw.dtype == object else np.asarray(raw, dtype=object)


#: a column factorised: (codes, distinct values), -1 for an empty cell (None, NaN)
Factorized = tuple[np.ndarray, np.ndarray]


def factorized(raw) -> Factorized:
    return pd.factorize(_objects(raw), use_na_sentinel=True)


#: what pandas calls a column holding no text at all
NO_TEXT = {"empty", "floating", "integer", "mixed-integer-float", "decimal", "boolean", "datetime", "date", "time"}


def holds_text(values: np.ndarray) -> bool:
    """Whether any of the values is text: asked in one C pass (pandas' type inference)."""
    return pd.api.types.infer_dtype(values, skipna=True) not in NO_TEXT


def blank_mask(raw, distinct: Factorized | None = None) -> np.ndarray:
    """True where a cell is empty (None, NaN, "" or only spaces), judged once per distinct value
    (`distinct`: the column already factorised). Only text can be blank among the distinct values
    (None and NaN have no code): a column of numbers or dates is not looked at value by value."""
    codes, uniques = distinct if distinct is not None else factorized(raw)
    if holds_text(uniques):
        blank = np.fromiter((is_blank(v) for v in uniques), dtype=bool, count=len(uniques))
    else:
        blank = np.zeros(len(uniques), dtype=bool)
    return np.where(codes < 0, True, blank[np.maximum(codes, 0)]) if len(uniques) else np.ones(len(codes), dtype=bool)


def cell_problem(value: Any) -> str | None:
    """The issue code of a cell that holds no value at all: an error, a formula never calculated,
    a number that is not finite."""
    if isinstance(value, UncachedFormula):
        return "formula_not_cached"
    if isinstance(value, CellError):
        return "error_value"
    if isinstance(value, float) and not math.isfinite(value):
        return "error_value"
    return None


def normalize_values(
    raw,
    kind: str,
    options: dict | None = None,
    check: Callable[[Any], str | None] | None = None,
    distinct: Factorized | None = None,
) -> Parsed:
    """Normalise a column of raw cell values; failures leave the value empty and record a code.

    `check`, when given, judges each distinct parsed value (range, pattern, check digit) and
    returns an issue code or None; its verdict is spread to every row holding that value.
    `distinct`: the column already factorised (its codes are not changed).
    """
    parse = scalar_parser(kind, options)
    dated = DTYPES[kind] == "datetime64[ns]"
    whole = DTYPES[kind] == "Int64"
    codes, uniques = distinct if distinct is not None else factorized(raw)
    results: list = []
    failures: list = []
    for value in uniques:
        # text, whole numbers and finite floats are never an unusable cell: most values skip the call
        plain = type(value) is str or type(value) is int or (type(value) is float and math.isfinite(value))
        unusable = None if plain else cell_problem(value)
        if unusable:
            results.append(None)
            failures.append(unusable)
            continue
        try:
            parsed = parse(value)
            if dated and parsed is not None and not EARLIEST <= parsed <= LATEST:
                results.append(None)
                failures.append("date_out_of_range")
                continue
            if whole and parsed is not None and not INT64_MIN <= parsed <= INT64_MAX:
                results.append(None)  # an integer column is 64-bit: 1e25 in a salary cell would not fit
                failures.append("number_out_of_range")
                continue
            results.append(parsed)
            failures.append(check(parsed) if check is not None and parsed is not None else None)
        except (NotANumber, NotAnInteger, NotADate, NotABoolean, NotInEnum) as exc:
            results.append(None)
            failures.append(_FAILURE_CODES[type(exc)])
    # position len(uniques) stands for the empty cell (factorize's -1)
    results.append(None)
    failures.append(None)
    # NaN looks empty to pandas; a cell holding NaN is not an empty cell
    not_a_number = [i for i in np.flatnonzero(codes < 0) if isinstance(raw[i], float)]
    codes = np.where(codes < 0, len(uniques), codes)
    if not_a_number:
        results.append(None)
        failures.append("error_value")
        codes[not_a_number] = len(uniques) + 1
    typed = _typed(results, kind)
    values = typed.take(codes) if hasattr(typed, "take") else np.take(typed, codes)
    errors = np.asarray(failures, dtype=object)[codes]
    return Parsed(values=values, errors=errors)
