"""What the Excel buttons do, on the live workbook, through the same services as the command line.

Each button: status-bar progress while it works, a message box with the located explanation when
something is wrong (never a Python traceback), and writes only into sheets it owns.
"""

from __future__ import annotations

import functools
import os
from datetime import date, datetime

from addin.excel.cells import is_blank, parse_year
from addin.normalize import parse_date, parse_month
from addin.outputs.receivables_book import PROPOSAL_COLUMNS, _match_rows
from addin.services.books import run_books
from addin.services.company import load_company
from addin.services.invoicing import run_invoices
from addin.services.nencho import run_nencho
from addin.services.payroll import run_payroll
from addin.services.receivables import report_of, run_receivables
from addin.services.stock import run_stock
from addin.services.validation import open_company_book, validate_company
from addin.workbook import BookUnreadable
from addin.workbook.live import XlwingsBook

CONTROL_SHEET = "Control 操作"
CELLS = {"month": "B2", "through": "B3", "as_of": "B4", "year": "B5", "result": "B6"}
REORDER_SHEET = "Reorder 発注提案"
PROPOSALS_SHEET = "Proposals 消込提案"


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


def _file_key(path) -> str:
    """One spelling of a file's path for comparing (Windows paths ignore case)."""
    return os.path.normcase(os.path.abspath(path))


def open_in_excel(live: XlwingsBook, company) -> dict[str, XlwingsBook]:
    """The company's books open in the caller's Excel (the caller's own among them), by the one lookup
    (staff.xlsx or .xlsm): these are read as they are there, unsaved edits included, never from their
    files (whose `~$` owner file is this Excel's own)."""
    caller = _file_key(live.book.fullname)
    opened = {_file_key(other.fullname): other for other in live.book.app.books}
    found = {}
    for name in company.books:
        try:
            key = _file_key(company.book_path(name))
        except BookUnreadable:  # two files could be this book: the run reports it
            continue
        if key == caller:
            found[name] = live
        elif key in opened:
            found[name] = XlwingsBook(opened[key])
    return found


def _company_and_opener(live: XlwingsBook):
    company = load_company(live.folder)
    in_excel = open_in_excel(live, company)

    def opener(book_name, company_):
        if book_name in in_excel:
            return in_excel[book_name]
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
    if run.exit_code:
        _record(live, f"給与 {month:%Y-%m}: 問題 {len(run.issues)} 件（出力なし）")
        return "給与計算を中止しました / payroll stopped\n" + _summary(run.issues, company.lang)
    totals = run.payroll.totals()
    _record(live, f"給与 {month:%Y-%m}: {len(run.payroll.employees)} 名 差引支給 {totals['net_pay']:,} 円")
    warnings = "\n" + _summary(run.issues, company.lang) if run.issues else ""  # e.g. no 年末調整 yet
    return (
        f"{month:%Y-%m} 給与: {len(run.payroll.employees)} 名、支給日 {run.payroll.pay_date}、差引支給合計 "
        f"{totals['net_pay']:,} 円\n→ {run.folder}" + warnings
    )


@_button
def issue_invoices(live: XlwingsBook) -> str:
    company, opener = _company_and_opener(live)
    through = parse_date(_control(live, "through")) or date.today()
    run = run_invoices(company, through, opener=opener, progress=lambda s: live.status(f"backoffice: {s}"))
    _record(live, f"請求 {through}: {len(run.issued)} 件発行、問題 {len(run.issues)} 件")
    text = f"{len(run.issued)} 件の請求書を発行しました / issued\n→ {company.paths.invoices}"
    return text + ("\n" + _summary(run.issues, company.lang) if run.issues else "")


@_button
def show_stock(live: XlwingsBook) -> str:
    company, opener = _company_and_opener(live)
    as_of = parse_date(_control(live, "as_of")) or date.today()
    run = run_stock(company, as_of, opener=opener, progress=lambda s: live.status(f"backoffice: {s}"))
    if run.report:
        live.write_table(
            REORDER_SHEET,
            ["仕入先", "商品コード", "発注数", "在庫", "発注残"],
            [[r["vendor_id"], r["sku"], r["qty"], r["on_hand"], r["on_order"]] for r in run.report["reorder"]],
        )
    _record(live, f"在庫 {as_of}: 評価額 {run.report.get('total_value', 0):,} 円")
    text = f"在庫評価額 {run.report.get('total_value', 0):,} 円、発注提案 {len(run.report.get('reorder', []))} 件"
    return text + ("\n" + _summary(run.issues, company.lang) if run.issues else "")


def _year(value) -> int | None:
    """A 年分 typed or in the cell (None when empty)."""
    return None if is_blank(value) else parse_year(value)


@_button
def run_nencho_year(live: XlwingsBook, typed: str = "") -> str:
    """年末調整 for the year typed at the button's prompt, else the Control sheet's year cell."""
    company, opener = _company_and_opener(live)
    year = _year(typed) or _year(_control(live, "year"))
    if year is None:
        raise ValueError(f"{CONTROL_SHEET}!{CELLS['year']} に年分（例 2025）を入力してください / enter the year")
    run = run_nencho(company, year, opener, progress=lambda s: live.status(f"backoffice: {s}"))
    if run.folder is None:
        _record(live, f"年末調整 {year}: 問題 {len(run.issues)} 件（出力なし）")
        return "年末調整を中止しました / year-end adjustment stopped\n" + _summary(run.issues, company.lang)
    adjusted = [a for a in run.adjustments if a.adjusted]
    refund = sum(a.settlement.refund_paid for a in adjusted)
    collect = sum(a.settlement.collected for a in adjusted)
    _record(live, f"年末調整 {year}: {len(adjusted)} 名 還付 {refund:,} 円 徴収 {collect:,} 円")
    text = (
        f"{year}年分: {len(run.adjustments)} 名（年末調整 {len(adjusted)} 名） 還付 {refund:,} 円 徴収 {collect:,} 円"
        f"\n→ {run.folder}"
    )
    return text + ("\n" + _summary(run.issues, company.lang) if run.issues else "")


@_button
def run_books_period(live: XlwingsBook, first: str = "", last: str = "", export: str = "") -> str:
    """The books of the period typed at the button's prompts, with the accounting software's import
    file when a format (yayoi / mf / freee) is given."""
    company, opener = _company_and_opener(live)
    start, end = parse_date(first), parse_date(last)
    if start is None or end is None:
        raise ValueError("期間（開始日と終了日）を入力してください / enter the first and last day")
    run = run_books(
        company, start, end, export.strip().lower() or None, opener, progress=lambda s: live.status(f"backoffice: {s}")
    )
    if run.posting is None:
        _record(live, f"仕訳 {start}〜{end}: 問題 {len(run.issues)} 件（記帳なし）")
        return "仕訳出力を中止しました / books stopped\n" + _summary(run.issues, company.lang)
    debit = sum(b.debit for b in run.balances)
    _record(live, f"仕訳 {start}〜{end}: {len(run.journal)} 件、新規 {len(run.posting.added)} 件")
    text = (
        f"{start}〜{end}: 仕訳 {len(run.journal)} 件（新規 {len(run.posting.added)}、取消 {len(run.posting.reversed)}、"
        f"既存 {run.posting.unchanged}）、借方・貸方 {debit:,} 円\n→ {run.folder}"
    )
    return text + ("\n" + _summary(run.issues, company.lang) if run.issues else "")


@_button
def match_receipts(live: XlwingsBook) -> str:
    """入金消込 as of today: new statements in bank/ imported, the Receipts sheet's confirmations applied,
    the rest matched; what waits for a person (proposals and unmatched deposits) written to a sheet of
    this book laid out like the Receipts sheet."""
    company, opener = _company_and_opener(live)
    run = run_receivables(company, date.today(), opener, progress=lambda s: live.status(f"backoffice: {s}"))
    if run.folder is None:
        _record(live, f"入金消込: 問題 {len(run.issues)} 件（消込なし）")
        return "入金消込を中止しました / matching stopped\n" + _summary(run.issues, company.lang)
    report = report_of(run)
    names = {c: v.get("name", "") for c, v in run.customers.items()}
    waiting = _match_rows(report["matches"], "proposed", names) + _match_rows(report["matches"], "unmatched", names)
    live.write_table(PROPOSALS_SHEET, PROPOSAL_COLUMNS, waiting)
    counts = report["counts"]
    open_total = sum(a.open for a in run.aged)
    _record(
        live, f"入金消込: 自動 {counts['matched']} 件、提案 {counts['proposed']} 件、未消込 {counts['unmatched']} 件"
    )
    text = (
        f"{run.as_of}: 自動消込 {counts['matched']} 件、提案 {counts['proposed']} 件、未消込 {counts['unmatched']} 件、"
        f"確定 {counts['confirmed']} 件; 未入金 {len(run.aged)} 件 {open_total:,} 円; 与信超過 {len(run.over_limit)} 社"
        f"\n提案と未消込は「{PROPOSALS_SHEET}」シートへ\n→ {run.folder}"
    )
    return text + ("\n" + _summary(run.issues, company.lang) if run.issues else "")


@_button
def reconcile_now(live: XlwingsBook) -> str:
    """The nightly run now, on the books as they are open in this Excel (unsaved edits included) and the
    files of the others. A person is waiting: a file locked elsewhere (another PC's `~$` owner file) is
    reported at once instead of retried with the night's back-off."""
    from addin.reconcile.run import nightly_run

    company = load_company(live.folder)
    in_excel = open_in_excel(live, company)
    outcome = nightly_run(
        company,
        sleep=lambda _seconds: None,
        progress=lambda s: live.status(f"backoffice: {s}"),
        live=in_excel,
    )
    _record(live, f"照合: {outcome.status}")
    opened = "、".join(book.name for book in in_excel.values())
    return (
        f"照合結果 / reconciliation: {outcome.status}"
        + (f"\n{outcome.detail}" if outcome.detail else "")
        + f"\nExcel で開いている内容で照合 / read as open in Excel: {opened}"
        + (f"\n→ {outcome.report_folder}" if outcome.report_folder else "")
    )


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
