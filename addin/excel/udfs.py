"""Worksheet functions (xlwings UDFs), all named BO_…, each a thin face over the same engines the
command line uses. Every argument may be a cell or a range; ranges give a dynamic array of the
broadcast shape; a bad cell gives "#VALUE! …" text in its place; rules and tables are cached so a
sheet of 10,000 formulas recalculates quickly.

Excel setup: the workbook's `xlwings.conf` sheet names this module under "UDF Modules".
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlwings as xw

from addin.dates import month_end
from addin.excel.cells import CellError, broadcast, each, error_text, merge_errors, result
from addin.money import rate
from addin.normalize import parse_date, parse_integer, parse_month, scalar_parser
from addin.normalize.column import enum_parser
from addin.payroll.insurance import (InsuranceRates, employment_insurance_share, grade_of, insured_in, pension_base,
                                     premiums)
from addin.payroll.settings import PayrollSettings
from addin.payroll.withholding import MonthlyTable
from addin.rulebook import RuleNotInForce, load_rulebook
from addin.tax import tax_on_exclusive, tax_on_inclusive
from addin.tax.summary import is_registered
from addin.validate import build_schemas
from addin.validate.checks import check_my_number


@functools.lru_cache(maxsize=1)
def rules():
    return load_rulebook()


@functools.lru_cache(maxsize=16)
def _monthly_table(effective_from: date) -> MonthlyTable:
    return MonthlyTable.on(rules(), effective_from)


def _table_for(pay_date: date) -> MonthlyTable:
    return _monthly_table(rules().entry("withholding.monthly_table", pay_date).effective_from)


@functools.lru_cache(maxsize=None)
def _choices(book: str, sheet: str, column: str):
    """The workbook schema's parser for a choice column: the words a cell may hold are the ones
    the sheets accept (rules/schemas/*.yaml, company aliases included)."""
    return enum_parser(build_schemas(rules().schemas)[book].sheets[sheet].columns[column].values)


def _column(value) -> bool:
    """True for 乙 (甲 when empty)."""
    return _choices("staff", "staff", "tax_column")(value if value not in (None, "") else "甲") == "乙"


def _safe(fn):
    """A whole-call failure (ranges of different sizes) is one error cell, never a Python traceback."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CellError as problem:
            return [[str(problem)]]
        except RuleNotInForce as missing:
            return [[error_text("N/A", missing.message_ja)]]
    return wrapper


@xw.func
@xw.arg("taxable", ndim=2)
@xw.arg("dependents", ndim=2)
@xw.arg("column", ndim=2)
@xw.arg("pay_date", ndim=2)
@_safe
def BO_WITHHOLDING(taxable, dependents=0, column="甲", pay_date=None):
    """源泉徴収税額 (月額表) for その月の社会保険料等控除後の給与等の金額, 扶養親族等の数, 甲/乙, 支給日."""
    if not any(isinstance(v, (list, tuple, np.ndarray)) for v in (taxable, dependents, column, pay_date)):
        return [[_withholding_cell(taxable, dependents, column, pay_date)]]
    amounts, deps, cols, days = broadcast(taxable, dependents, column, pay_date if pay_date is not None else date.today())
    amounts, e1 = each(parse_integer, amounts, "taxable")
    deps, e2 = each(lambda v: parse_integer(v if v not in (None, "") else 0), deps, "dependents")
    cols, e3 = each(_column, cols, "column")
    days, e4 = each(parse_date, days, "pay_date")
    errors = merge_errors(e1, e2, e3, e4)
    out = np.zeros(amounts.shape, dtype=object)
    ok = errors == None  # noqa: E711
    for day in {d for d in days[ok]}:
        here = ok & (days == day)
        try:
            table = _table_for(day)
        except RuleNotInForce as missing:
            errors[here] = error_text("N/A", missing.message_ja)
            continue
        out[here] = table.tax(amounts[here].astype(np.int64), deps[here].astype(np.int64), cols[here].astype(bool))
    return result(out, errors)


def _withholding_cell(taxable, dependents, column, pay_date):
    """One cell: the same table lookup without array machinery (a worksheet of single cells)."""
    label = "taxable"
    try:
        amount = parse_integer(taxable)
        label = "dependents"
        count = parse_integer(dependents if dependents not in (None, "") else 0)
        label = "pay_date"
        day = parse_date(pay_date) if pay_date not in (None, "") else date.today()
        label = "column"
        otsu = _column(column)
        if amount is None:
            return error_text("VALUE!", "taxable が空です / taxable is empty")
        return _table_for(day).tax_one(amount, count, otsu)
    except RuleNotInForce as missing:
        return error_text("N/A", missing.message_ja)
    except (ValueError, TypeError):
        value = {"taxable": taxable, "dependents": dependents, "pay_date": pay_date, "column": column}[label]
        return error_text("VALUE!", f"{label}: {value!r}")


def _insurance(smr, premium_month, birth_date, prefecture):
    """Employee shares for a standard monthly remuneration in a premium month (the engine's premiums)."""
    smr, months, births, prefs = broadcast(smr, premium_month, birth_date, prefecture)
    smr, e1 = each(parse_integer, smr, "standard_monthly_remuneration")
    months, e2 = each(parse_month, months, "premium_month")
    births, e3 = each(lambda v: parse_date(v) if v not in (None, "") else date(1990, 1, 1), births, "birth_date")
    errors = merge_errors(e1, e2, e3)
    out = {k: np.zeros(smr.shape, dtype=object) for k in ("health_insurance", "nursing_insurance", "pension")}
    ok = errors == None  # noqa: E711
    for month, pref in {(m, p) for m, p in zip(months[ok], prefs[ok])}:
        here = ok & (months == month) & (prefs == pref)
        try:
            settings = PayrollSettings(prefecture=str(pref or "東京都"))
            rates = InsuranceRates.on(rules(), settings, month, month_end(month))
        except (RuleNotInForce, ValueError) as bad:
            errors[here] = error_text("N/A", getattr(bad, "message_ja", str(bad)))
            continue
        frame = pd.DataFrame({"hire_date": pd.Timestamp("1900-01-01"), "leave_date": pd.NaT,
                              "birth_date": pd.to_datetime(list(births[here])), "health_insurance": True, "pension": True})
        insured = insured_in(frame, month)
        base = smr[here].astype(np.int64)
        grades = rules().value("social_insurance.standard_monthly_remuneration_grades", month)
        health_base = grade_of(base, grades)
        shares = premiums(health_base, pension_base(health_base, grades, rates.pension_cap), np.zeros(len(base), np.int64),
                          np.zeros(len(base), dtype=bool), insured, rates)
        for name in out:
            out[name][here] = shares[name]
    return out, errors


@xw.func
@xw.arg("standard_monthly_remuneration", ndim=2)
@xw.arg("premium_month", ndim=2)
@xw.arg("birth_date", ndim=2)
@xw.arg("prefecture", ndim=2)
@_safe
def BO_HEALTH_INSURANCE(standard_monthly_remuneration, premium_month, birth_date=None, prefecture="東京都"):
    """健康保険料 (被保険者負担分, 介護分を除く) for 標準報酬月額 and 保険料の月 (協会けんぽ, 都道府県)."""
    out, errors = _insurance(standard_monthly_remuneration, premium_month, birth_date, prefecture)
    return result(out["health_insurance"], errors)


@xw.func
@xw.arg("standard_monthly_remuneration", ndim=2)
@xw.arg("premium_month", ndim=2)
@xw.arg("birth_date", ndim=2)
@xw.arg("prefecture", ndim=2)
@_safe
def BO_NURSING_INSURANCE(standard_monthly_remuneration, premium_month, birth_date, prefecture="東京都"):
    """介護保険料 (被保険者負担分): 40〜64歳 (法定の到達日) のみ."""
    out, errors = _insurance(standard_monthly_remuneration, premium_month, birth_date, prefecture)
    return result(out["nursing_insurance"], errors)


@xw.func
@xw.arg("standard_monthly_remuneration", ndim=2)
@xw.arg("premium_month", ndim=2)
@_safe
def BO_PENSION(standard_monthly_remuneration, premium_month):
    """厚生年金保険料 (被保険者負担分) — grade range 88,000〜650,000."""
    out, errors = _insurance(standard_monthly_remuneration, premium_month, None, "東京都")
    return result(out["pension"], errors)


@xw.func
@xw.arg("wages", ndim=2)
@xw.arg("pay_date", ndim=2)
@xw.arg("business", ndim=2)
@_safe
def BO_EMPLOYMENT_INSURANCE(wages, pay_date, business="general"):
    """雇用保険料 (労働者負担分) on the wages paid, by the rate in force on the pay date."""
    wages, days, kinds = broadcast(wages, pay_date, business)
    wages, e1 = each(parse_integer, wages, "wages")
    days, e2 = each(parse_date, days, "pay_date")
    errors = merge_errors(e1, e2)
    out = np.zeros(wages.shape, dtype=object)
    ok = errors == None  # noqa: E711
    for day, kind in {(d, k) for d, k in zip(days[ok], kinds[ok])}:
        here = ok & (days == day) & (kinds == kind)
        try:
            worker = rate(rules().value("employment_insurance.worker_rate", day)[str(kind or "general")])
        except (RuleNotInForce, KeyError) as bad:
            errors[here] = error_text("N/A", getattr(bad, "message_ja", f"business: {kind!r}"))
            continue
        out[here] = employment_insurance_share(wages[here].astype(np.int64), worker)
    return result(out, errors)


@xw.func
@xw.arg("amount", ndim=2)
@xw.arg("tax_rate", ndim=2)
@_safe
def BO_CONSUMPTION_TAX(amount, tax_rate=10, rounding="floor", tax_included=False):
    """消費税額 for a per-rate total (rounded once, as on a qualified invoice): rate 10 or 8,
    rounding floor / half_up / ceil, tax_included TRUE when the amount includes tax."""
    amounts, rates = broadcast(amount, tax_rate)
    amounts, e1 = each(parse_integer, amounts, "amount")
    rates, e2 = each(_rate_percent, rates, "tax_rate")
    errors = merge_errors(e1, e2)
    if str(rounding) not in ("floor", "half_up", "ceil"):
        raise CellError(error_text("VALUE!", f"rounding: {rounding!r} (floor / half_up / ceil)"))
    compute = tax_on_inclusive if bool(tax_included) else tax_on_exclusive
    out = np.zeros(amounts.shape, dtype=object)
    for index in zip(*np.nonzero(errors == None)):  # noqa: E711
        out[index] = compute(int(amounts[index]), rates[index], str(rounding))
    return result(out, errors)


def _rate_percent(value):
    return rate(f"{_choices('stock', 'items', 'tax_rate')(value)}%")


@xw.func
@xw.arg("value", ndim=2)
@_safe
def BO_CHECK_MY_NUMBER(value):
    """TRUE when a マイナンバー has 12 digits and a valid check digit."""
    values = broadcast(value)[0]
    texts, errors = each(lambda v: scalar_parser("code")(v), values, "my_number")
    out = np.vectorize(lambda t: t is not None and check_my_number(t) is None, otypes=[object])(texts)
    return result(out, np.full(values.shape, None, dtype=object))


@xw.func
@xw.arg("value", ndim=2)
@_safe
def BO_CHECK_REGISTRATION(value):
    """TRUE when a 登録番号 is T + 13 digits with a valid 法人番号 check digit."""
    values = broadcast(value)[0]
    out = np.vectorize(lambda v: is_registered(scalar_parser("code")(v)), otypes=[object])(values)
    return result(out, np.full(values.shape, None, dtype=object))


@xw.func
@xw.arg("value", ndim=2)
@_safe
def BO_NORMALIZE(value, kind="text"):
    """The value as backoffice reads it: kind text / code / kana / integer / yen / decimal / date /
    month / bool. Dates come back as dates."""
    if str(kind) not in ("text", "code", "kana", "integer", "yen", "decimal", "date", "month", "bool"):
        raise CellError(error_text("VALUE!", f"kind: {kind!r}"))
    parse = scalar_parser(str(kind))
    values, errors = each(lambda v: parse(v) if v not in (None, "") else "", broadcast(value)[0], str(kind))
    shown = np.vectorize(_for_excel, otypes=[object])(values)
    return result(shown, errors)


def _for_excel(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if hasattr(value, "as_tuple"):          # Decimal: Excel holds doubles
        return float(value)
    return value


def _folder(folder, caller) -> Path:
    if folder:
        return Path(str(folder))
    if caller is not None:
        return Path(caller.sheet.book.fullname).parent
    return Path.cwd()


@functools.lru_cache(maxsize=8)
def _company_figures(kind: str, folder: str, when: date, stamp: float):
    """Figures from the company's books, recomputed when the workbook file changes (`stamp`)."""
    from addin.services.company import load_company
    company = load_company(Path(folder))
    if kind == "net_pay":
        from addin.services.payroll import compute_month
        return compute_month(company, when)
    from addin.services.stock import on_hand_by_sku
    return on_hand_by_sku(company, when), ""


def _from_company(kind: str, book: str, keys, when, parse_when, label: str, missing, folder, caller):
    root = _folder(folder, caller)
    keys, whens = broadcast(keys, when)
    whens, errors = each(parse_when, whens, label)
    stamp = (root / book).stat().st_mtime if (root / book).exists() else 0.0
    out = np.zeros(keys.shape, dtype=object)
    for index in zip(*np.nonzero(errors == None)):  # noqa: E711
        figures, problem = _company_figures(kind, str(root), whens[index], stamp)
        if figures is None:
            errors[index] = error_text("N/A", problem)
            continue
        found = figures.get(str(keys[index]))
        out[index] = found if found is not None else missing(keys[index])
    return result(out, errors)


@xw.func
@xw.arg("employee_id", ndim=2)
@xw.arg("month", ndim=2)
@_safe
def BO_NET_PAY(employee_id, month, folder=None, caller=None):
    """差引支給額 of an employee for a work month, computed from the company's workbooks exactly as
    `backoffice payroll` does (cached until staff.xlsx changes)."""
    return _from_company("net_pay", "staff.xlsx", employee_id, month, parse_month, "month",
                         lambda who: error_text("N/A", f"{who} はこの月の支給対象ではありません"), folder, caller)


@xw.func
@xw.arg("sku", ndim=2)
@xw.arg("as_of", ndim=2)
@_safe
def BO_STOCK_ON_HAND(sku, as_of=None, folder=None, caller=None):
    """在庫数 of an item at the end of a date, from the company's Movements (as `backoffice stock`)."""
    return _from_company("on_hand", "stock.xlsx", sku, as_of if as_of is not None else date.today(), parse_date,
                         "as_of", lambda _: 0, folder, caller)


UDFS = [BO_WITHHOLDING, BO_HEALTH_INSURANCE, BO_NURSING_INSURANCE, BO_PENSION, BO_EMPLOYMENT_INSURANCE,
        BO_CONSUMPTION_TAX, BO_CHECK_MY_NUMBER, BO_CHECK_REGISTRATION, BO_NORMALIZE, BO_NET_PAY, BO_STOCK_ON_HAND]
