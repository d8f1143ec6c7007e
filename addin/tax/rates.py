"""Consumption-tax rates as records, declared once in `rules/consumption_tax.yaml`.

A rate is the word a workbook holds (its key, "10" / "8"), the percentage, whether it is the reduced
rate (軽減税率: the line is marked ※ on a qualified invoice, 消費税法57条の4第1項) and the label people
know it by. The set is dated data, not code: the same 8 % was the standard rate from 2014-04-01 to
2019-09-30 and is the reduced rate since, so "8" alone cannot say whether it is reduced.

Every user of a rate — invoicing, the invoice documents and register, the books' tax categories, the
worksheet functions and the schemas' choices — asks here, so a new rate is one rules entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from addin.rulebook import Parameter, Rulebook, RulesFileError
from addin.rulebook.located import mark_at, mark_of

RATES = "consumption_tax.rates"
#: the column name that holds a rate key in every workbook schema (stock items, orders, bills)
RATE_COLUMN = "tax_rate"
RECORD_FIELDS = ("percent", "reduced", "label")


@dataclass(frozen=True)
class TaxRate:
    key: str  # the canonical word in the workbooks: "10", "8"
    percent: Decimal  # 10, 8
    reduced: bool  # 軽減税率: marked on the invoice line
    label: str  # 「10%」, 「8%（軽減）」

    @property
    def fraction(self) -> Fraction:
        """The rate as an exact fraction (8 % → 2/25), for the tax arithmetic."""
        return Fraction(self.percent) / 100

    @property
    def shown(self) -> str:
        """The percentage as documents print it: "10", "8", "6.24"."""
        return format(self.percent.normalize(), "f")


def _percent(value: Any) -> Decimal:
    text = str(value).strip().removesuffix("%")
    try:
        percent = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"percent {value!r} is not a number") from None
    if not percent.is_finite() or not 0 < percent < 100:
        raise ValueError(f"percent {value!r} is not between 0 and 100")
    return percent


def _record(parameter: Parameter, key: str, spec: Any, holder: Any) -> TaxRate:
    """One rate record, refused with its file and line when a field is missing, unknown or mistyped."""
    mark = mark_of(holder, key)
    try:
        if not isinstance(spec, dict):
            raise ValueError(f"expected {{{', '.join(RECORD_FIELDS)}}}")
        unknown = sorted(set(map(str, spec)) - set(RECORD_FIELDS))
        missing = [f for f in RECORD_FIELDS if f not in spec]
        if unknown or missing:
            raise ValueError(f"unknown {unknown}" if unknown else f"missing {missing}")
        if not isinstance(spec["reduced"], bool):
            raise ValueError(f"reduced must be true or false, not {spec['reduced']!r}")
        return TaxRate(str(key), _percent(spec["percent"]), spec["reduced"], str(spec["label"]))
    except ValueError as bad:
        raise RulesFileError.at(
            mark, Path(parameter.file), f"{RATES} {key!r}: {bad} / 税率の定義が不正です ({', '.join(RECORD_FIELDS)})"
        ) from None


def _records(parameter: Parameter, value: Any) -> dict[str, TaxRate]:
    if not isinstance(value, dict):
        raise RulesFileError(Path(parameter.file), f"{RATES}: each value must map rate keys to records")
    records = {str(k): _record(parameter, str(k), spec, value) for k, spec in value.items()}
    return dict(sorted(records.items(), key=lambda item: -item[1].percent))


def tax_rates(rules: Rulebook, on: date) -> dict[str, TaxRate]:
    """The rates in force on the date by key, highest first (e.g. "10" standard, "8" reduced)."""
    return _records(rules.parameter(RATES), rules.value(RATES, on))


def every_tax_rate(rules: Rulebook) -> dict[str, TaxRate]:
    """Every rate the rules have ever declared, by key (a key's latest declaration wins), highest first:
    the columns of a register that spans years, the words a schema may accept."""
    parameter = rules.parameter(RATES)
    out: dict[str, TaxRate] = {}
    for dated in sorted(parameter.values, key=lambda v: v.effective_from):
        out.update(_records(parameter, dated.value))
    return dict(sorted(out.items(), key=lambda item: -item[1].percent))


def standard_rate(rates: dict[str, TaxRate]) -> TaxRate:
    """The one rate that is not reduced (a bank fee, a deducted transfer fee: 課対仕入10%)."""
    standard = [r for r in rates.values() if not r.reduced]
    if len(standard) != 1:
        raise ValueError(f"{RATES}: expected one standard (not reduced) rate, found {[r.key for r in standard]}")
    return standard[0]


def check_rate_choices(rules: Rulebook) -> None:
    """Every choice of a `tax_rate` column in the schemas (the product's or a company's) is a declared
    rate: a schema word the rules do not define would be accepted and then fail at invoicing."""
    known = every_tax_rate(rules)
    for book, schema in rules.schemas.items():
        for sheet, spec in ((schema or {}).get("sheets") or {}).items():
            column = ((spec or {}).get("columns") or {}).get(RATE_COLUMN)
            if not isinstance(column, dict) or column.get("kind") != "enum":
                continue
            stray = sorted(str(k) for k in (column.get("values") or {}) if str(k) not in known)
            if stray:
                mark = mark_at(schema, ["sheets", sheet, "columns", RATE_COLUMN, "values", stray[0]])
                raise RulesFileError.at(
                    mark,
                    Path(f"rules/schemas/{book}.yaml"),
                    f"{book}.{sheet}.{RATE_COLUMN}: choice {stray[0]!r} is not a rate in {RATES} "
                    f"(known: {', '.join(known)}) / 税率の選択肢が consumption_tax.rates にありません",
                )
