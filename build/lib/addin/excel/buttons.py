"""What the Excel buttons do, on the live workbook, through the same services as the command line.

Each button: status-bar progress while it works, a message box with the located explanation when
something is wrong (never a Python traceback), and writes only into sheets it owns.
"""

from __future__ import annotations

import functools
from datetime import date, datetime

from addin.normalize import parse_date, parse_month
from addin.services.company import load_company
from addin.services.invoicing import run_invoices
from addin.services.payroll import run_payroll
from addin.services.stock import run_stock
from addin.services.validation import open_company_book, validate_company
from addin.workbook.live import XlwingsBook

CONTROL_SHEET = "Control 操作"
CELLS = {"month": "B2", "through": "B3", "as_of": "B4", "result": "B6"}
REORDER_SHEET = "Reorder 発注提案"


def _button(action):
    """Progress in the status bar, screen updating off while it writes, every failure a message box,
    the status bar and screen updating given back."""
    @functools.wraps(action)
    def run(book, *args) -> str:
        live = XlwingsBook(book)
        try:
            live.status(f"backoffice: {action.__name__} …")
            live.screen_updating(False)
            message = action(live, *args)
        except Exception as exc:  # the last line of defence inside Excel: explain, do not crash
            message = f"backoffice: {type(exc).__name__}: {exc}"
        finally:
            live.screen_updating(True)
            live.status(None)
        live.alert(message)
        return message
    return run


def _company_and_opener(live: XlwingsBook):
    company = load_company(live.folder)

    def opener(book_name, company_):
        if company_.book_path(book_name).name == live.name:      # the one lookup (staff.xlsx or .xlsm)
            return live
        return open_company_book(book_name, company_)

    return company, opener


def _summary(issues, lang: str, limit: int = 10) -> str:
    lines = [f"{i.location()}: {i.message(lang)}" for i in issues[:limit]]
    more = len(issues) - limit
    return "\n".join(lines + ([f"… ほか {more} 件 / {more} more"] if more > 0 else []))


def _control(live: XlwingsBook, key: str):
    if CONTROL_SHEET not in live.sheet_names():
        raise ValueError(f"シート「{CONTROL_SHEET}」がありません / no '{CONTROL_SHEET}' sheet")
    return live.read_cell(CONTROL_SHEET, CELLS[key])


def _record(live: XlwingsBook, text: str) -> None:
    if CONTROL_SHEET in live.sheet_names():
        live.book.sheets[CONTROL_SHEET].range(CELLS["result"]).value = f"{datetime.now():%Y-%m-%d %H:%M} {text}"


@_button
def validate_book(live: XlwingsBook) -> str:
    company, opener = _company_and_opener(live)
    lang = company.lang
    result = validate_company(company, opener, progress=lambda b: live.status(f"backoffice: {b} を検証中…"))
    issues = list(result.issues)
    live.clear_highlights()
    live.write_issues(issues, lang)
    _record(live, f"検証: 問題 {len(issues)} 件")
    if not issues:
        return "問題はありません / no issues"
    return f"問題 {len(issues)} 件 / {len(issues)} issue(s)\n" + _summary(issues, lang)


@_button
def run_payroll_month(live: XlwingsBook, typed: str = "") -> str:
    """The month typed at the button's prompt, else the Control sheet's month cell."""
    company, opener = _company_and_opener(live)
    month = parse_month(typed) if typed else parse_month(_control(live, "month"))
    if month is None:
        raise ValueError(f"{CONTROL_SHEET}!{CELLS['month']} に対象月を入力してください / enter the month")
    run = run_payroll(company, month, opener, progress=lambda s: live.status(f"backoffice: {s}"))
    if run.issues:
        _record(live, f"給与 {month:%Y-%m}: 問題 {len(run.issues)} 件（出力なし）")
        return "給与計算を中止しました / payroll stopped\n" + _summary(run.issues, company.lang)
    totals = run.payroll.totals()
    _record(live, f"給与 {month:%Y-%m}: {len(run.payroll.employees)} 名 差引支給 {totals['net_pay']:,} 円")
    return f"{month:%Y-%m} 給与: {len(run.payroll.employees)} 名、支給日 {run.payroll.pay_date}、差引支給合計 " \
           f"{totals['net_pay']:,} 円\n→ {run.folder}"


@_button
def issue_invoices(live: XlwingsBook) -> str:
    company, opener = _company_and_opener(live)
    through = parse_date(_control(live, "through")) or date.today()
    run = run_invoices(company, through, opener=opener, progress=lambda s: live.status(f"backoffice: {s}"))
    _record(live, f"請求 {through}: {len(run.issued)} 件発行、問題 {len(run.issues)} 件")
    text = f"{len(run.issued)} 件の請求書を発行しました / issued\n→ {company.out / 'invoices'}"
    return text + ("\n" + _summary(run.issues, company.lang) if run.issues else "")


@_button
def show_stock(live: XlwingsBook) -> str:
    company, opener = _company_and_opener(live)
    as_of = parse_date(_control(live, "as_of")) or date.today()
    run = run_stock(company, as_of, opener=opener, progress=lambda s: live.status(f"backoffice: {s}"))
    if run.report:
        live.write_table(REORDER_SHEET, ["仕入先", "商品コード", "発注数", "在庫", "発注残"],
                         [[r["vendor_id"], r["sku"], r["qty"], r["on_hand"], r["on_order"]] for r in run.report["reorder"]])
    _record(live, f"在庫 {as_of}: 評価額 {run.report.get('total_value', 0):,} 円")
    text = f"在庫評価額 {run.report.get('total_value', 0):,} 円、発注提案 {len(run.report.get('reorder', []))} 件"
    return text + ("\n" + _summary(run.issues, company.lang) if run.issues else "")


@_button
def reconcile_now(live: XlwingsBook) -> str:
    """The nightly run now. A person is waiting: a book open in Excel (its `~$` owner file present) is
    reported at once instead of retried with the night's back-off."""
    from addin.reconcile.run import nightly_run
    company = load_company(live.folder)
    outcome = nightly_run(company, sleep=lambda _seconds: None, progress=lambda s: live.status(f"backoffice: {s}"))
    _record(live, f"照合: {outcome.status}")
    return f"照合結果 / reconciliation: {outcome.status}\n→ {outcome.report_folder}"


@_button
def clear_highlights(live: XlwingsBook) -> str:
    restored = live.clear_highlights()
    return f"ハイライトを {restored} か所解除しました（元の色に戻しました）/ {restored} highlight(s) cleared"


@_button
def check_settings(live: XlwingsBook) -> str:
    from addin.excel.setup import diagnose
    findings = diagnose()
    problems = [f for f in findings if not f.ok]
    lines = [("OK  " if f.ok else "NG  ") + f.message_ja for f in findings]
    head = "設定に問題はありません" if not problems else f"設定に問題が {len(problems)} 件あります"
    return head + "\n" + "\n".join(lines)
