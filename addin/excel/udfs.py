"""Worksheet functions (xlwings UDFs), all named BO_…, each a thin face over the same engines the
command line uses. Every argument may be a cell or a range; ranges give a dynamic array of the
broadcast shape (Microsoft 365 / 2021; in Excel 2016/2019 select the output range and enter the formula
with Ctrl+Shift+Enter). In Excel's shapes (see cells.py): a blank main input gives a blank result, a
blank required input "#VALUE! … が空です", an error cell passes through, a bad cell "#VALUE! …"; xlwings
cannot hand a real Excel error value back, so errors are text and BO_OK(x) says whether x is a result.
Rules are the caller's company's (its folder's rules/ over the product's), cached per folder, so a
sheet of 10,000 formulas recalculates quickly.

Excel: carried by the backoffice add-in (its xlwings_udfs module, Windows only: xlwings UDFs do not
exist on macOS). `UDF Modules` = addin.excel.udfs in the user's backoffice.conf.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlwings as xw

from addin.dates import month_end
from addin.excel.cells import (
    EXCEL_ERRORS,
    NOT_SINGLE,
    CellError,
    _objects,
    blanks,
    broadcast,
    each,
    error_text,
    exact_integers,
    is_blank,
    merge_errors,
    parse_cell,
    parse_year,
    result,
    single,
)
from addin.money import rate
from addin.normalize import parse_bool, parse_date, parse_integer, parse_month, scalar_parser
from addin.normalize.column import enum_parser
from addin.payroll.insurance import (
    GradeBands,
    InsuranceRates,
    employee_shares,
    employment_insurance_share,
    grade_of,
    insured_in,
    pension_base,
    premiums,
)
from addin.payroll.settings import PayrollSettings
from addin.payroll.withholding import MonthlyTable
from addin.rulebook import RuleNotInForce, load_rulebook
from addin.tax import every_tax_rate, tax_on_exclusive, tax_on_inclusive
from addin.tax.summary import is_registered
from addin.validate import build_schemas
from addin.validate.checks import check_my_number
from addin.validate.messages import render
from addin.workbook.protocol import BookUnreadable
from addin.yearend.compute import LINES as NENCHO_LINES
from addin.yearend.rules import YearRulesError
from addin.yearend.single import basic_deduction, kyuyo_shotoku, nencho_tax, year_rules


log = logging.getLogger("backoffice.udfs")
CATEGORY = "backoffice"
_caller_folder: list[str] = [""]  # the calling book's folder, set per call by _safe


@functools.lru_cache(maxsize=8)
def _rules_of(folder: str):
    return load_rulebook(Path(folder) if folder else None)


def rules():
    """The rulebook of the calling book's company (its rules/ over the product's)."""
    return _rules_of(_caller_folder[0])


@functools.lru_cache(maxsize=64)
def _monthly_table(folder: str, effective_from: date) -> MonthlyTable:
    return MonthlyTable.on(_rules_of(folder), effective_from)


def _table_for(pay_date: date) -> MonthlyTable:
    return _monthly_table(_caller_folder[0], rules().entry("withholding.monthly_table", pay_date).effective_from)


@functools.lru_cache(maxsize=None)
def _choices_of(folder: str, book: str, sheet: str, column: str):
    return enum_parser(build_schemas(_rules_of(folder).schemas)[book].sheets[sheet].columns[column].values)


def _choices(book: str, sheet: str, column: str):
    """The workbook schema's parser for a choice column: the words a cell may hold are the ones
    the sheets accept (rules/schemas/*.yaml, company aliases included)."""
    return _choices_of(_caller_folder[0], book, sheet, column)


@exact_integers
def _integer(value) -> int:
    """parse_integer, with the case Excel sends most (a whole float) taken first."""
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is int:  # a default of the function's signature (an omitted argument)
        return value
    return parse_integer(value)


def _column(value) -> bool:
    """True for 乙 (甲 when empty)."""
    return _choices("staff", "staff", "tax_column")(value if not is_blank(value) else "甲") == "乙"


def _book_folder(caller) -> str:
    """The folder of the saved book the formula is in ("" when unknown: the product's rules alone)."""
    try:
        fullname = str(caller.sheet.book.fullname) if caller is not None else ""
    except Exception:  # a caller Excel cannot describe (a formula being typed)
        return ""
    return _folder_of(fullname)


@functools.lru_cache(maxsize=64)
def _folder_of(fullname: str) -> str:
    folder = Path(fullname).parent if ("/" in fullname or "\\" in fullname) else None
    return str(folder) if folder is not None and folder.is_dir() else ""


def _safe(fn):
    """Rules of the caller's company; a whole-call failure is one error cell, never a Python traceback."""
    names = list(inspect.signature(fn).parameters)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        at = names.index("caller")  # xlwings passes the caller in its position
        caller = args[at] if len(args) > at else kwargs.get("caller")
        _caller_folder[0] = _book_folder(caller)
        try:
            return fn(*args, **kwargs)
        except CellError as problem:
            return [[str(problem)]]
        except RuleNotInForce as missing:
            return [[error_text("N/A", missing.message_ja)]]
        except Exception:  # a fault of ours: logged for the developer, a plain word for the cell
            log.exception("%s failed", fn.__name__)
            return [[error_text("VALUE!", "計算できませんでした / could not compute")]]

    return wrapper


#: how xlwings hands every input over: always 2-D (a cell is [[x]]), error cells as their text
ARG_OPTIONS = {"ndim": 2, "err_to_str": True}
#: how a result goes back: as `cells.result` made it (ints, floats, bools, text: what COM takes), not
#: through xlwings' writer, which costs ~3 µs a cell (30 ms for 10,000 rows) to change nothing here
RET_OPTIONS = {"convert": "raw"}


def _args(dates_out: bool = False, **docs: str):
    """xlwings options for every input (ARG_OPTIONS) with a Japanese description for the Function
    Wizard, and for the result (RET_OPTIONS; xlwings' own writer when the result may hold dates)."""

    def decorate(fn):
        for name, doc in reversed(list(docs.items())):
            fn = xw.arg(name, doc=doc, **ARG_OPTIONS)(fn)
        return fn if dates_out else xw.ret(**RET_OPTIONS)(fn)

    return decorate


@xw.func(category=CATEGORY)
@_args(
    taxable="社会保険料等控除後の給与等の金額（円）。空欄なら結果も空欄",
    dependents="扶養親族等の数（空欄は 0）",
    column="税額表の区分 甲 / 乙（空欄は 甲）",
    pay_date="支給日（空欄・省略は今日）",
)
@_safe
def BO_WITHHOLDING(taxable, dependents=0, column="甲", pay_date=None, caller=None):
    """源泉徴収税額（月額表）: 社会保険料等控除後の給与等の金額・扶養親族等の数・甲/乙・支給日から。"""
    cells = [single(v) for v in (taxable, dependents, column, pay_date)]
    if NOT_SINGLE not in cells:
        return [[_withholding_cell(*cells)]]
    amounts, deps, cols, days = broadcast(taxable, dependents, column, pay_date)
    blank = blanks(amounts)
    amounts, e1 = each(_integer, amounts, "taxable")
    deps, e2 = each(_integer, deps, "dependents", default=0)
    cols, e3 = each(_column, cols, "column", default=False)
    days, e4 = each(parse_date, days, "pay_date", default=date.today())
    errors = merge_errors(e1, e2, e3, e4)
    out = np.zeros(amounts.shape, dtype=object)
    ok = (errors == None) & ~blank  # noqa: E711
    for day in set(days[ok]):
        here = ok & (days == day)
        try:
            table = _table_for(day)
        except RuleNotInForce as missing:
            errors[here] = error_text("N/A", missing.message_ja)
            continue
        out[here] = table.tax(amounts[here].astype(np.int64), deps[here].astype(np.int64), cols[here].astype(bool))
    return result(out, errors, blank)


def _withholding_cell(taxable, dependents, column, pay_date):
    """One cell (the common case: a formula per row) without array machinery; same rules as the array path."""
    if is_blank(taxable):
        return ""
    parsed = [
        parse_cell(_integer, taxable, "taxable"),
        parse_cell(_integer, dependents, "dependents", 0),
        parse_cell(_column, column, "column", False),
        parse_cell(parse_date, pay_date, "pay_date", date.today()),
    ]
    problem = next((error for _, error in parsed if error is not None), None)
    if problem:
        return problem
    (amount, _), (count, _), (otsu, _), (day, _) = parsed
    return _table_for(day).tax_one(amount, count, otsu)


def _insurance_share(kind: str, smr, premium_month, birth_date, prefecture, birth_required: bool):
    """One employee share (`kind`) for the cells given: one cell without array machinery (the engine's
    one-person form, employee_shares), a range through the engine's premiums."""
    cells = [single(v) for v in (smr, premium_month, birth_date, prefecture)]
    if NOT_SINGLE in cells:
        out, errors, blank = _insurance(smr, premium_month, birth_date, prefecture, birth_required)
        return result(out[kind], errors, blank)
    pay, month, birth, pref = cells
    return [[_insurance_cell(kind, pay, month, birth, pref, birth_required)]]


def _insurance_cell(kind: str, smr, premium_month, birth_date, prefecture, birth_required: bool):
    """One cell: the same parsing, rules, bands and roundings as the array path (_insurance)."""
    if is_blank(smr):
        return ""
    parsed = [
        parse_cell(_integer, smr, "standard_monthly_remuneration"),
        parse_cell(parse_month, premium_month, "premium_month"),
        parse_cell(parse_date, birth_date, "birth_date", *(() if birth_required else (date(1990, 1, 1),))),
        parse_cell(str, prefecture, "prefecture", "東京都"),
    ]
    problem = next((error for _, error in parsed if error is not None), None)
    if problem:
        return problem
    (pay, _), (month, _), (birth, _), (pref, _) = parsed
    try:
        rates = _rates(_caller_folder[0], month, str(pref))
    except (RuleNotInForce, ValueError) as bad:
        return error_text("N/A", getattr(bad, "message_ja", str(bad)))
    bands = _bands(_caller_folder[0], month)
    health_base = bands.health_base(pay)
    insured = _insured_one(month, _as_date(birth))
    return employee_shares(health_base, bands.pension_base(health_base, rates.pension_cap), insured, rates)[kind]


@functools.lru_cache(maxsize=64)
def _bands(folder: str, month: date) -> GradeBands:
    return GradeBands.of(_grades(folder, month))


def _insured_one(month: date, birth: date) -> dict[str, bool]:
    """_insured for one person (the engine's answer, asked once per birth date and month)."""
    found = _INSURED.get((month, birth))
    if found is None:
        _insured(month, [birth])
        found = _INSURED[(month, birth)]
    return found


def _insurance(smr, premium_month, birth_date, prefecture, birth_required: bool):
    """Employee shares for a standard monthly remuneration in a premium month (the engine's premiums)."""
    smr, months, births, prefs = broadcast(smr, premium_month, birth_date, prefecture)
    blank = blanks(smr)
    smr, e1 = each(_integer, smr, "standard_monthly_remuneration")
    months, e2 = each(parse_month, months, "premium_month")
    births, e3 = each(parse_date, births, "birth_date", **({} if birth_required else {"default": date(1990, 1, 1)}))
    prefs, e4 = each(str, prefs, "prefecture", default="東京都")
    errors = merge_errors(e1, e2, e3, e4)
    out = {k: np.zeros(smr.shape, dtype=object) for k in ("health_insurance", "nursing_insurance", "pension")}
    ok = (errors == None) & ~blank  # noqa: E711
    for month, pref in {(m, p) for m, p in zip(months[ok], prefs[ok], strict=True)}:
        here = ok & (months == month) & (prefs == pref)
        try:
            rates = _rates(_caller_folder[0], month, str(pref))
        except (RuleNotInForce, ValueError) as bad:
            errors[here] = error_text("N/A", getattr(bad, "message_ja", str(bad)))
            continue
        insured = _insured(month, [_as_date(b) for b in births[here]])
        base = smr[here].astype(np.int64)
        grades = _grades(_caller_folder[0], month)
        health_base = grade_of(base, grades)
        shares = premiums(
            health_base,
            pension_base(health_base, grades, rates.pension_cap),
            np.zeros(len(base), np.int64),
            np.zeros(len(base), dtype=bool),
            insured,
            rates,
        )
        for name in out:
            out[name][here] = shares[name]
    return out, errors, blank


@functools.lru_cache(maxsize=64)
def _rates(folder: str, month: date, prefecture: str) -> InsuranceRates:
    return InsuranceRates.on(_rules_of(folder), PayrollSettings(prefecture=prefecture), month, month_end(month))


@functools.lru_cache(maxsize=64)
def _grades(folder: str, month: date):
    return _rules_of(folder).value("social_insurance.standard_monthly_remuneration_grades", month)


#: (premium month, birth date) → which insurances cover that person (the engine's answer, kept)
_INSURED: dict[tuple[date, date], dict[str, bool]] = {}


def _insured(month: date, births: list[date]) -> dict[str, np.ndarray]:
    """Who is insured depends on the birth date alone: the engine is asked once per date not seen
    before (one frame for all of them: a pandas call costs milliseconds however few the rows)."""
    new = [b for b in dict.fromkeys(births) if (month, b) not in _INSURED]
    if new:
        if len(_INSURED) > 100_000:
            _INSURED.clear()
        frame = pd.DataFrame(
            {
                "hire_date": pd.Timestamp("1900-01-01"),
                "leave_date": pd.NaT,
                "birth_date": pd.to_datetime(np.array(new, dtype="datetime64[D]")),
                "health_insurance": True,
                "pension": True,
            }
        )
        found = insured_in(frame, month)
        for i, birth in enumerate(new):
            _INSURED[(month, birth)] = {kind: bool(flags[i]) for kind, flags in found.items()}
    rows = [_INSURED[(month, b)] for b in births]
    return {kind: np.array([row[kind] for row in rows], dtype=bool) for kind in rows[0]} if rows else {}


_INSURANCE_DOCS = dict(
    standard_monthly_remuneration="標準報酬月額（円）。空欄なら結果も空欄",
    premium_month="保険料の月（例 2026-04）",
    birth_date="生年月日（75歳以上は 0）",
    prefecture="協会けんぽの都道府県（空欄は 東京都）",
)


@xw.func(category=CATEGORY)
@_args(**_INSURANCE_DOCS)
@_safe
def BO_HEALTH_INSURANCE(
    standard_monthly_remuneration, premium_month, birth_date=None, prefecture="東京都", caller=None
):
    """健康保険料（被保険者負担分、介護分を除く）: 標準報酬月額と保険料の月から（協会けんぽ、都道府県別）。"""
    return _insurance_share(
        "health_insurance", standard_monthly_remuneration, premium_month, birth_date, prefecture, False
    )


@xw.func(category=CATEGORY)
@_args(**{**_INSURANCE_DOCS, "birth_date": "生年月日（必須: 40〜64歳かどうかで決まります）"})
@_safe
def BO_NURSING_INSURANCE(standard_monthly_remuneration, premium_month, birth_date, prefecture="東京都", caller=None):
    """介護保険料（被保険者負担分）: 40〜64歳（法定の到達日）の月だけ。生年月日は必須。"""
    return _insurance_share(
        "nursing_insurance", standard_monthly_remuneration, premium_month, birth_date, prefecture, True
    )


@xw.func(category=CATEGORY)
@_args(
    standard_monthly_remuneration=_INSURANCE_DOCS["standard_monthly_remuneration"],
    premium_month=_INSURANCE_DOCS["premium_month"],
)
@_safe
def BO_PENSION(standard_monthly_remuneration, premium_month, caller=None):
    """厚生年金保険料（被保険者負担分）: 等級の範囲 88,000〜650,000 円。"""
    return _insurance_share("pension", standard_monthly_remuneration, premium_month, None, "東京都", False)


@functools.lru_cache(maxsize=64)
def _worker_rate(folder: str, day: date, business: str):
    return rate(_rules_of(folder).value("employment_insurance.worker_rate", day)[business])


@xw.func(category=CATEGORY)
@_args(
    wages="支払った賃金（円）。空欄なら結果も空欄",
    pay_date="支給日（この日の料率）",
    business="事業の種類 general / agriculture / construction（空欄は general）",
)
@_safe
def BO_EMPLOYMENT_INSURANCE(wages, pay_date, business="general", caller=None):
    """雇用保険料（労働者負担分）: 支給日に有効な料率で。"""
    if NOT_SINGLE not in (single(wages), single(pay_date), single(business)):  # one cell: no array machinery
        return _cellwise(
            _employment_share_one,
            (wages, _integer, "wages"),
            (pay_date, parse_date, "pay_date"),
            (business, str, "business", "general"),
        )
    wages, days, kinds = broadcast(wages, pay_date, business)
    blank = blanks(wages)
    wages, e1 = each(_integer, wages, "wages")
    days, e2 = each(parse_date, days, "pay_date")
    kinds, e3 = each(str, kinds, "business", default="general")
    errors = merge_errors(e1, e2, e3)
    out = np.zeros(wages.shape, dtype=object)
    ok = (errors == None) & ~blank  # noqa: E711
    for day, kind in {(d, k) for d, k in zip(days[ok], kinds[ok], strict=True)}:
        here = ok & (days == day) & (kinds == kind)
        try:
            worker = _worker_rate(_caller_folder[0], day, str(kind))
        except (RuleNotInForce, KeyError) as bad:
            errors[here] = error_text("N/A", getattr(bad, "message_ja", f"business: {kind!r}"))
            continue
        out[here] = employment_insurance_share(wages[here].astype(np.int64), worker)
    return result(out, errors, blank)


def _employment_share_one(wages: int, day: date, business: str) -> int:
    """BO_EMPLOYMENT_INSURANCE for one cell: the same rate and rounding (employment_insurance_share)."""
    try:
        worker = _worker_rate(_caller_folder[0], day, str(business))
    except KeyError:
        raise CellError(error_text("N/A", f"business: {business!r}")) from None
    return int(employment_insurance_share(np.array([wages], dtype=np.int64), worker)[0])


@xw.func(category=CATEGORY)
@_args(
    amount="税率ごとの合計金額（円）。空欄なら結果も空欄",
    tax_rate="税率 10 / 8（省略は 10、空欄のセルはエラー）",
    rounding="端数処理 floor / half_up / ceil（省略は floor）",
    tax_included="税込金額なら TRUE",
)
@_safe
def BO_CONSUMPTION_TAX(amount, tax_rate=10, rounding="floor", tax_included=False, caller=None):
    """消費税額: 税率ごとの合計に一度だけ端数処理（適格請求書と同じ）。"""
    return _cellwise(
        lambda total, percent, how, included: (tax_on_inclusive if included else tax_on_exclusive)(total, percent, how),
        (amount, _integer, "amount"),
        (tax_rate, _rate_percent, "tax_rate"),
        (rounding, _rounding, "rounding", "floor"),
        (tax_included, parse_bool, "tax_included", False),
    )


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


@functools.lru_cache(maxsize=8)
def _rate_fractions(folder: str) -> dict:
    """Each rate key's fraction for the company's rules (built once: the records never change in a session)."""
    return {key: rate.fraction for key, rate in every_tax_rate(_rules_of(folder)).items()}


def _rate_percent(value):
    return _rate_fractions(_caller_folder[0])[_choices("stock", "items", "tax_rate")(value)]


def _rounding(value) -> str:
    if str(value) not in ("floor", "half_up", "ceil"):
        raise ValueError(value)
    return str(value)


@xw.func(category=CATEGORY)
@_args(value="マイナンバー（12桁）")
@_safe
def BO_CHECK_MY_NUMBER(value, caller=None):
    """マイナンバーが12桁でチェックデジットが正しければ TRUE。空欄なら空欄。"""
    code = scalar_parser("code")
    return _cellwise(lambda valid: valid, (value, lambda v: check_my_number(code(v)) is None, "my_number", False))


@xw.func(category=CATEGORY)
@_args(value="適格請求書発行事業者の登録番号（T + 13桁）")
@_safe
def BO_CHECK_REGISTRATION(value, caller=None):
    """登録番号が T + 13桁で法人番号のチェックデジットが正しければ TRUE。空欄なら空欄。"""
    code = scalar_parser("code")
    return _cellwise(lambda valid: valid, (value, lambda v: is_registered(code(v)), "registration_number", False))


NORMALIZE_KINDS = ("text", "code", "kana", "integer", "yen", "decimal", "date", "month", "bool")


@xw.func(category=CATEGORY)
@_args(
    dates_out=True,
    value="値（セルまたは範囲）",
    kind="読み方 text / code / kana / integer / yen / decimal / date / month / bool",
)
@_safe
def BO_NORMALIZE(value, kind="text", caller=None):
    """backoffice が読むとおりの値（全角数字・¥・△・和暦などを正規化）。日付は日付で返します。"""
    cell, how = single(value), single(kind)
    if NOT_SINGLE not in (cell, how) and str(how) in NORMALIZE_KINDS:  # one cell: no array machinery
        if is_blank(cell):
            return [[""]]
        parsed, error = parse_cell(scalar_parser(str(how)), cell, str(how), default="")
        return [[error if error else _for_excel(parsed)]]
    kinds = broadcast(kind)[0]
    if kinds.size != 1 or str(kinds.flat[0]) not in NORMALIZE_KINDS:
        raise CellError(error_text("VALUE!", f"kind: {kind!r}"))
    values = broadcast(value)[0]
    blank = blanks(values)
    parsed, errors = each(scalar_parser(str(kinds.flat[0])), values, str(kinds.flat[0]), default="")
    shown = np.vectorize(_for_excel, otypes=[object])(parsed)
    return result(shown, errors, blank)


@xw.func(category=CATEGORY)
@_args(value="BO_ 関数の結果（セルまたは範囲）")
@_safe
def BO_OK(value, caller=None):
    """BO_ 関数の結果が値なら TRUE、エラー（#VALUE! / #N/A … で始まる文字）なら FALSE。
    xlwings は Excel のエラー値を返せないため、ISERROR の代わりにこれを使います。"""
    values = broadcast(value)[0]
    return result(np.vectorize(_is_result, otypes=[object])(values), np.full(values.shape, None, dtype=object))


def _is_result(value) -> bool:
    return not (isinstance(value, str) and (value.split(" ", 1)[0] in EXCEL_ERRORS))


def _for_excel(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if hasattr(value, "as_tuple"):  # Decimal: Excel holds doubles
        return float(value)
    return value


def _company_root(folder) -> Path:
    """The company folder: the `folder` argument, else the calling book's folder; refused when absent."""
    given = single(folder)
    if given is NOT_SINGLE:
        cells = broadcast(folder)[0]
        given = cells.flat[0] if cells.size else None
    root = str(given).strip() if not is_blank(given) else _caller_folder[0]
    if not root:
        raise CellError(
            error_text("VALUE!", "フォルダが分かりません: folder を指定するか、保存したブックで使ってください")
        )
    if not os.path.isdir(root):
        raise CellError(error_text("N/A", f"フォルダがありません / no such folder: {root}"))
    return Path(root)


@functools.lru_cache(maxsize=8)
def _company_figures(kind: str, folder: str, when: date, stamp: tuple):
    """Figures from the company's books, recomputed whenever a book file changes (`stamp`)."""
    from addin.services.company import load_company

    company = load_company(Path(folder))
    if kind == "net_pay":
        from addin.services.payroll import compute_month

        return compute_month(company, when)
    from addin.services.stock import on_hand_by_sku

    return on_hand_by_sku(company, when)


def _book_stamp(root: Path, book: str, signature: tuple) -> tuple:
    """Which file the company's lookup finds for `book`, and when it last changed; refused when absent.
    Plain os.stat calls (a few µs): a formula per row asks this on every recalculation."""
    try:
        path = _book_path(str(root), book, signature)
    except BookUnreadable as unusable:  # e.g. staff.xlsx and staff.xlsm side by side
        text = " / ".join(render(unusable.code, lang, detail=unusable.detail) for lang in ("ja", "en"))
        raise CellError(error_text("N/A", f"{book}: {text}")) from None
    except (KeyError, ValueError, OSError) as problem:
        raise CellError(error_text("N/A", f"{book}: {problem}")) from None
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise CellError(error_text("N/A", f"ブックがありません / no such workbook: {path}")) from None
    return str(path), stat.st_mtime_ns, stat.st_size


def _settled_by(kind: str, root: Path, signature: tuple) -> tuple:
    """What else a net pay depends on: the year-end adjustments it settles (a 年末調整 run, or its rerun,
    changes their folder). The settings and rules are in the folder's signature."""
    if kind != "net_pay":
        return ()
    return (_modified(_nencho_years(str(root), signature)),)


@functools.lru_cache(maxsize=8)
def _nencho_years(root: str, signature: tuple) -> str:
    return str(_company_at(root, signature).paths.nencho_years)


def _folder_signature(root: Path) -> tuple:
    """What the book lookup depends on: the folder's entries (its modification time changes whenever a
    file is added, removed or renamed: a book saved as .xlsm appears, Excel saves by renaming), the
    settings file and the company's rules folder."""
    folder = str(root)
    return tuple(_modified(os.path.join(folder, name)) for name in ("", "backoffice.toml", "rules"))


def _modified(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


@functools.lru_cache(maxsize=32)
def _book_path(root: str, book: str, signature: tuple) -> Path:
    """The company's own lookup (Company.book_path), asked again only when the folder changes."""
    from addin.services.company import load_company

    return load_company(Path(root)).book_path(book)


def _from_company(kind: str, book: str, keys, when, parse_when, label: str, missing, folder):
    root = _company_root(folder)
    signature = _folder_signature(root)
    stamp = _book_stamp(root, book, signature) + signature + _settled_by(kind, root, signature)
    default = {"default": date.today()} if kind == "on_hand" else {}
    key, day = single(keys), single(when)
    if NOT_SINGLE not in (key, day):  # one cell: no array machinery
        if is_blank(key):
            return [[""]]
        parsed, problem = parse_cell(parse_when, day, label, **default)
        return [[problem if problem else _company_figure(kind, str(root), parsed, stamp, key, missing)]]
    keys, whens = broadcast(keys, when)
    blank = blanks(keys)
    whens, errors = each(parse_when, whens, label, **default)
    out = np.zeros(keys.shape, dtype=object)
    for index in zip(*np.nonzero((errors == None) & ~blank), strict=True):  # noqa: E711
        out[index] = _company_figure(kind, str(root), whens[index], stamp, keys[index], missing)
    return result(out, errors, blank)


def _company_figure(kind: str, root: str, when: date, stamp: tuple, key, missing):
    """One key's figure from the company's figures of that day, or the error text for its cell."""
    figures, problem = _company_figures(kind, root, when, stamp)
    if figures is None:
        return error_text("N/A", problem)
    found = figures.get(str(key).strip())
    return found if found is not None else missing(key)


@xw.func(category=CATEGORY)
@_args(
    employee_id="社員番号。空欄なら結果も空欄",
    month="対象の勤務月（例 2026-04）",
    folder="会社フォルダ（省略はこのブックのフォルダ）",
)
@_safe
def BO_NET_PAY(employee_id, month, folder=None, caller=None):
    """差引支給額: 会社のブックから `backoffice payroll` と同じ計算で（staff ブックが変わるまでキャッシュ）。"""
    return _from_company(
        "net_pay",
        "staff",
        employee_id,
        month,
        parse_month,
        "month",
        lambda who: error_text("N/A", f"{who} はこの月の支給対象ではありません"),
        folder,
    )


@xw.func(category=CATEGORY)
@_args(
    sku="商品コード。空欄なら結果も空欄",
    as_of="この日の終わりの在庫（空欄・省略は今日）",
    folder="会社フォルダ（省略はこのブックのフォルダ）",
)
@_safe
def BO_STOCK_ON_HAND(sku, as_of=None, folder=None, caller=None):
    """在庫数: 会社の入出庫から、ある日の終わりの数量（`backoffice stock` と同じ）。"""
    return _from_company(
        "on_hand", "stock", sku, as_of, parse_date, "as_of", lambda _: 0, folder
    )  # an item with no movement yet has none on hand


def _cellwise(compute, *inputs):
    """Cell by cell over the broadcast inputs, each (value, parser, label, default); `compute` runs
    once per distinct row of parsed values and may raise CellError (its text is the cell) or
    RuleNotInForce (#N/A). The first input is the main one: blank in, blank out."""
    values = [given for given, *_ in inputs]
    cells = [single(v) for v in values]
    if NOT_SINGLE not in cells:  # one cell, no array machinery
        if is_blank(cells[0]):
            return [[""]]
        parsed = [parse_cell(parser, cell, *spec) for cell, (_, parser, *spec) in zip(cells, inputs, strict=True)]
        problem = next((error for _, error in parsed if error is not None), None)
        return [[problem if problem else _attempt(compute, tuple(value for value, _ in parsed))]]
    arrays = broadcast(*values)
    blank = blanks(arrays[0])
    columns, problems = zip(
        *(each(parser, array, *spec) for array, (_, parser, *spec) in zip(arrays, inputs, strict=True)), strict=True
    )
    errors = merge_errors(*problems)
    wanted = ((errors == None) & ~blank).ravel().tolist()  # noqa: E711
    out, problem_of = [0] * len(wanted), errors.ravel().tolist()
    seen: dict = {}
    for i, row in enumerate(zip(*(column.ravel().tolist() for column in columns), strict=True)):  # plain lists: fast
        if not wanted[i]:
            continue
        figure = seen.get(row)
        if figure is None:
            figure = seen[row] = _attempt(compute, row)
        if _is_result(figure):
            out[i] = figure
        else:
            problem_of[i] = figure
    shape = arrays[0].shape
    return result(_objects(out, shape), _objects(problem_of, shape), blank)


def _attempt(compute, row: tuple):
    """The figure, or the error text for the cell."""
    try:
        return compute(*row)
    except CellError as problem:
        return str(problem)
    except RuleNotInForce as missing:
        return error_text("N/A", missing.message_ja)


# --- year-end adjustment (one person, from plain numbers: addin/yearend/single.py) ---------------


def _year_rules_in_force(year: int):
    try:
        return year_rules(rules(), year)
    except RuleNotInForce as missing:
        raise CellError(error_text("N/A", f"{year}年分の年末調整の規則がありません: {missing.message_ja}")) from None


@xw.func(category=CATEGORY)
@_args(pay="給与・賞与の年間の支払金額（円）。空欄なら結果も空欄", year="年分（西暦4桁、例 2025）")
@_safe
def BO_KYUYO_SHOTOKU(pay, year, caller=None):
    """給与所得控除後の給与等の金額: その年分の年末調整用の表（4,000円刻み）から（`backoffice nencho` と同じ）。"""

    def compute(amount: int, in_year: int) -> int:
        _year_rules_in_force(in_year)
        return kyuyo_shotoku(amount, in_year, rules())

    return _cellwise(compute, (pay, _integer, "pay"), (year, parse_year, "year"))


@xw.func(category=CATEGORY)
@_args(total_income="合計所得金額（円）。空欄なら結果も空欄", year="年分（西暦4桁、例 2026）")
@_safe
def BO_BASIC_DEDUCTION(total_income, year, caller=None):
    """基礎控除の額: 合計所得金額と年分から（令和7年分・令和8年分の改正を含む）。"""

    def compute(income: int, in_year: int) -> int:
        _year_rules_in_force(in_year)
        return basic_deduction(income, in_year, rules())

    return _cellwise(compute, (total_income, _integer, "total_income"), (year, parse_year, "year"))


#: what BO_NENCHO_TAX may return: every line of the 年末調整計算書 (by key or its Japanese name)
#: and the settlement's 超過額 / 不足額
NENCHO_FIGURES = {
    **{key: key for key, *_ in NENCHO_LINES},
    **{ja: key for key, ja, *_ in NENCHO_LINES},
    "excess": "excess",
    "超過額": "excess",
    "shortfall": "shortfall",
    "不足額": "shortfall",
}


def _figure(value) -> str:
    return NENCHO_FIGURES[str(value).strip()]


def _nencho_figure(
    pay, social_insurance, year, withheld, spouse_income, dependants, life_insurance, earthquake, housing_credit, figure
) -> int:
    _year_rules_in_force(year)
    try:
        figures = nencho_tax(
            pay,
            social_insurance,
            year,
            rules(),
            withheld=withheld,
            spouse_income=spouse_income,
            general_dependants=dependants,
            life_general_new=life_insurance,
            earthquake=earthquake,
            housing_credit=housing_credit,
        )
    except YearRulesError as bad:  # a typo in the rules data, not in the cell
        raise CellError(error_text("N/A", f"年末調整の規則を読めません: {bad}")) from None
    except ValueError as not_adjusted:  # e.g. pay above 20,000,000: no 年末調整
        raise CellError(error_text("N/A", f"年末調整の対象外です: {not_adjusted}")) from None
    return figures[figure]


#: rulebook id → (that rulebook, kept alive so its id is never reused; each row of inputs → its figure
#: or error text). Excel recalculates a whole spilled range when one input changes: only new rows are
#: worked out again. Bounded: cleared when it grows past _NENCHO_KEPT rows.
_NENCHO_DONE: dict[int, tuple[object, dict[tuple, object]]] = {}
_NENCHO_KEPT = 50_000


def _nencho_remembered(*row):
    """_nencho_figure for a row of parsed inputs, once per rulebook (the calling company's rules)."""
    book = rules()
    kept = _NENCHO_DONE.get(id(book))
    if kept is None or kept[0] is not book:
        kept = _NENCHO_DONE[id(book)] = (book, {})
    done = kept[1]
    figure = done.get(row)
    if figure is None:
        if len(done) >= _NENCHO_KEPT:
            done.clear()
        figure = done[row] = _attempt(_nencho_figure, row)
    return figure


def _count(value) -> int:
    number = _integer(value)
    if number < 0:
        raise ValueError(value)
    return number


@xw.func(category=CATEGORY)
@_args(
    pay="給与・賞与の年間の支払金額（円、前職分を含む）。空欄なら結果も空欄",
    social_insurance="給与から控除した社会保険料等の年額（円）",
    year="年分（西暦4桁、例 2025）",
    withheld="本年中に源泉徴収した所得税額（空欄は 0）。過不足の計算に使います",
    spouse_income="配偶者の合計所得金額（空欄は配偶者なし。配偶者は70歳未満として）",
    dependants="一般の扶養親族の数（空欄は 0。16歳以上の一般の扶養親族として）",
    life_insurance="一般生命保険料（新制度）の年間支払保険料（空欄は 0）",
    earthquake="地震保険料の年間支払保険料（空欄は 0）",
    housing_credit="住宅借入金等特別控除額（申告書の金額、空欄は 0）",
    figure="返す値: annual_tax 年調年税額（省略時）/ difference 過不足 / excess 超過額 / shortfall 不足額 / "
    "計算書の項目名（例 課税給与所得金額）",
)
@_safe
def BO_NENCHO_TAX(
    pay,
    social_insurance,
    year,
    withheld=0,
    spouse_income=None,
    dependants=0,
    life_insurance=0,
    earthquake=0,
    housing_credit=0,
    figure="annual_tax",
    caller=None,
):
    """年末調整の年調年税額（または過不足・計算書の項目）: 一人分を数値から、`backoffice nencho` と同じ計算で。"""
    return _cellwise(
        _nencho_remembered,
        (pay, _integer, "pay"),
        (social_insurance, _integer, "social_insurance"),
        (year, parse_year, "year"),
        (withheld, _integer, "withheld", 0),
        (spouse_income, _integer, "spouse_income", None),
        (dependants, _count, "dependants", 0),
        (life_insurance, _integer, "life_insurance", 0),
        (earthquake, _integer, "earthquake", 0),
        (housing_credit, _integer, "housing_credit", 0),
        (figure, _figure, "figure", "annual_tax"),
    )


# --- the books (the posted journal in .backoffice/state.db) -----------------------------------------


def _journal_stamp(root: Path) -> tuple:
    """The posted journal (WAL database and its log) and when it last changed; refused when absent."""
    from addin.services.books import state_path

    try:
        path = state_path(_company_at(str(root), _folder_signature(root)))
    except (KeyError, ValueError, OSError) as problem:
        raise CellError(error_text("N/A", f"{root}: {problem}")) from None
    if not path.exists():
        raise CellError(
            error_text(
                "N/A", f"仕訳がありません: 先に 仕訳出力（backoffice books）を実行してください / no journal: {path}"
            )
        )
    log_file = path.with_name(path.name + "-wal")
    return tuple((p.stat().st_mtime_ns, p.stat().st_size) if p.exists() else () for p in (path, log_file))


@functools.lru_cache(maxsize=8)
def _company_at(root: str, signature: tuple):
    """The company of a folder, loaded again only when the folder's files or rules change."""
    from addin.services.company import load_company

    return load_company(Path(root))


@functools.lru_cache(maxsize=4096)
def _balance(root: str, account: str, as_of: date, sub: str | None, signature: tuple, stamp: tuple) -> int:
    """account_balance of the books service, asked again only when the journal or the folder changes."""
    from addin.books.chart import BooksConfigError
    from addin.services.books import account_balance

    try:
        return account_balance(_company_at(root, signature), account, as_of, sub)
    except BooksConfigError as unknown:
        raise CellError(error_text("N/A", unknown.message_ja)) from None


@xw.func(category=CATEGORY)
@_args(
    account="勘定科目（名前・コード・キー、例 売掛金 / 1150）。空欄なら結果も空欄",
    as_of="この日の終わりの残高",
    sub="補助科目（省略は科目全体）: 売掛金・買掛金は取引先名、預り金は income_tax / resident_tax / social_insurance / "
    "employment_insurance",
    folder="会社フォルダ（省略はこのブックのフォルダ）",
)
@_safe
def BO_ACCOUNT_BALANCE(account, as_of, sub=None, folder=None, caller=None):
    """勘定科目の残高（科目の正常残高の向き、円）: 仕訳出力で記帳した仕訳から、ある日の終わりの残高。"""
    root = _company_root(folder)
    signature = _folder_signature(root)
    stamp = _journal_stamp(root)
    text = scalar_parser("text")
    return _cellwise(
        lambda name, day, part: _balance(str(root), name, day, part, signature, stamp),
        (account, text, "account"),
        (as_of, parse_date, "as_of"),
        (sub, text, "sub", None),
    )


UDFS = [
    BO_WITHHOLDING,
    BO_HEALTH_INSURANCE,
    BO_NURSING_INSURANCE,
    BO_PENSION,
    BO_EMPLOYMENT_INSURANCE,
    BO_CONSUMPTION_TAX,
    BO_CHECK_MY_NUMBER,
    BO_CHECK_REGISTRATION,
    BO_NORMALIZE,
    BO_OK,
    BO_NET_PAY,
    BO_STOCK_ON_HAND,
    BO_KYUYO_SHOTOKU,
    BO_BASIC_DEDUCTION,
    BO_NENCHO_TAX,
    BO_ACCOUNT_BALANCE,
]
