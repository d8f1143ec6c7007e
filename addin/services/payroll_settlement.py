"""The 年末調整 settlement of a pay run, from the adjustment as it was recorded.

The pay that settles a year reads `out/nencho/YYYY/summary.json` — the result `backoffice nencho` wrote
and the 源泉徴収票 print — rather than adjusting again, so the December pay and the slips agree. With no
recorded adjustment the pay says so (a warning) and pays without it; a recorded adjustment that did not
see this pay (computed before it, or before someone was paid) is an error: run `nencho` again first.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Callable

from addin.dates import add_months, pay_date as pay_date_of
from addin.model import Issue, Severity
from addin.payroll.run import Payroll
from addin.payroll.settings import PayrollSettings
from addin.payroll.settlement import Due, deferred_year, due_at_settlement, settled_year, with_settlement
from addin.services.company import Company

Locate = Callable[[str], tuple[str, str, str]]


def nencho_summary(company: Company, year: int) -> Path:
    return company.paths.nencho(year) / "summary.json"


def _record(company: Company, year: int) -> dict | None:
    path = nencho_summary(company, year)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _issue(path: Path, code: str, severity: Severity, ja: str, en: str, value: str = "") -> Issue:
    return Issue(str(path), "", "", "year_end_settlement", code, severity, ja, en, value)


def _out_of_date(path: Path, year: int, lines: dict[str, dict], payroll: Payroll) -> list[Issue]:
    """Everyone paid now must be in the adjustment with this pay as the last of the year."""
    paid_on = payroll.pay_date.isoformat()
    stale = [
        e
        for e in payroll.employees["employee_id"].astype(str)
        if e not in lines or lines[e].get("last_pay_date") != paid_on
    ]
    if not stale:
        return []
    shown = "、".join(stale[:5]) + (f" ほか{len(stale) - 5}名" if len(stale) > 5 else "")
    return [
        _issue(
            path,
            "nencho_out_of_date",
            Severity.ERROR,
            f"{year}年分の年末調整はこの支給（{paid_on}）を含まずに計算されています（{shown}）。"
            f"backoffice nencho --year {year} をやり直してください",
            f"the {year} year-end adjustment was computed without this pay ({paid_on}) for "
            f"{', '.join(stale[:5])}{' …' if len(stale) > 5 else ''}: run backoffice nencho --year {year} again",
            ",".join(stale),
        )
    ]


def _not_settled_here(path: Path, lines: dict[str, dict], payroll: Payroll) -> list[Issue]:
    """Adjusted people with something due who are not in this pay (a leaver adjusted at leaving): their
    last pay settles them, not this one."""
    paid = set(payroll.employees["employee_id"].astype(str))
    out = []
    for e, r in lines.items():
        refund, collection = int(r.get("excess") or 0), int(r.get("collected") or 0)
        if e in paid or not r.get("adjusted") or not (refund or collection):
            continue
        out.append(
            _issue(
                path,
                "year_end_not_in_this_pay",
                Severity.WARNING,
                f"{e} の年末調整の過不足（還付 {refund:,} 円・徴収 {collection:,} 円）は"
                f"この支給に含まれません（最後の支給 {r.get('last_pay_date')}）",
                f"{e}: the year-end refund {refund:,} / collection {collection:,} "
                f"is not in this pay (last paid {r.get('last_pay_date')})",
                e,
            )
        )
    return out


def _negative(payroll: Payroll, locate: Locate) -> list[Issue]:
    out = []
    for e, net in zip(payroll.employees["employee_id"].astype(str), payroll.employees["net_pay"], strict=True):
        if net < 0:
            book, sheet, cell = locate(e)
            out.append(
                Issue(
                    book,
                    sheet,
                    cell,
                    "year_end_collection",
                    "negative_net_pay",
                    Severity.ERROR,
                    f"{e}: 年末調整の徴収で差引支給額がマイナスになります（{int(net):,} 円）。"
                    "繰延の承認があれば [payroll] year_end_deferral = true",
                    f"{e}: the year-end collection makes net pay negative ({int(net):,}); with the "
                    "deferral approved set [payroll] year_end_deferral = true",
                    e,
                )
            )
    return out


def _defers(settings: PayrollSettings, year: int) -> bool:
    """Deferral to January and February only follows a settlement made in the year itself (not in a
    January pay named by `year_end_settlement_month`)."""
    if not settings.year_end_deferral:
        return False
    if settings.year_end_settlement_month is None:
        return True
    work = date(year, settings.year_end_settlement_month, 1)
    return pay_date_of(work, settings.pay_day, settings.pay_months_later, settings.pay_day_holiday).year == year


def settle_payroll(
    company: Company, payroll: Payroll, settings: PayrollSettings, locate: Locate = lambda e: ("staff.xlsx", "", "")
) -> list[Issue]:
    """Adds 年末調整還付 / 年末調整徴収 to `payroll` when this pay settles a year (or collects a deferred
    half in January or February). Returns what the pay must say: a warning when no adjustment is
    recorded, errors when the recorded one did not see this pay (then nothing is added)."""
    following = add_months(payroll.month, 1)
    next_paid = pay_date_of(following, settings.pay_day, settings.pay_months_later, settings.pay_day_holiday)
    year = settled_year(payroll.month, payroll.pay_date, next_paid, settings.year_end_settlement_month)
    if year is not None:
        path, record = nencho_summary(company, year), _record(company, year)
        if record is None:
            return [
                _issue(
                    path,
                    "no_year_end_adjustment",
                    Severity.WARNING,
                    f"この支給（{payroll.pay_date}）は{year}年の最後の給与ですが、{year}年分の年末調整がありません"
                    f"（backoffice nencho --year {year}）。過不足の精算なしで支給します",
                    f"this pay ({payroll.pay_date}) is the last of {year} but no {year} year-end adjustment has "
                    f"been run (backoffice nencho --year {year}): paid without the settlement",
                )
            ]
        lines = {str(r["employee_id"]): r for r in record.get("employees", [])}
        stale = _out_of_date(path, year, lines, payroll)
        if stale:
            return stale
        defer = _defers(settings, year)
        due = {e: due_at_settlement(r, defer) for e, r in lines.items()}
        payroll.employees = with_settlement(payroll.employees, due)
        return _not_settled_here(path, lines, payroll) + _negative(payroll, locate)
    deferred = deferred_year(payroll.pay_date)
    if deferred is None or not _defers(settings, deferred[0]):
        return []
    year, key = deferred
    record = _record(company, year)
    due = {
        str(r["employee_id"]): Due(0, int(r.get(key) or 0))
        for r in (record or {}).get("employees", [])
        if r.get("adjusted") and r.get("deferrable") and r.get(key)
    }
    if not due:
        return []
    payroll.employees = with_settlement(payroll.employees, due)
    gone = sorted(set(due) - set(payroll.employees["employee_id"].astype(str)))
    return _negative(payroll, locate) + [
        _issue(
            nencho_summary(company, year),
            "year_end_not_in_this_pay",
            Severity.WARNING,
            f"{e} の繰り延べた年末調整の不足額 {due[e].collection:,} 円はこの支給で徴収できません（支給なし）",
            f"{e}: the deferred year-end shortfall {due[e].collection:,} cannot be collected from this pay (not paid)",
            e,
        )
        for e in gone
    ]
