"""The command handlers: parse nothing, decide nothing; call a service, print, return an exit code."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from addin.outputs.issues import as_json, as_text, summary_line, write_issues_workbook
from addin.rulebook import RuleNotInForce, RulesFileError
from addin.services.company import SettingsError, load_company
from addin.dates import month_end
from addin.services.month_end import run_month_end
from addin.services.setup import DEMO_MONTH_END, init_company, make_demo
from addin.services.invoicing import run_invoices
from addin.services.stock import run_stock
from addin.services.validation import validate_company
from addin.validate import SchemaError


class UsageProblem(Exception):
    """A problem the person can fix (bad folder, bad settings); printed as is, exit 2."""


def _company(root: Path):
    if not Path(root).is_dir():
        raise UsageProblem(f"{root}: フォルダがありません / no such folder")
    try:
        return load_company(Path(root))
    except (SettingsError, RulesFileError, SchemaError, RuleNotInForce) as exc:
        raise UsageProblem(f"設定エラー / settings error: {exc}") from None


def cmd_init(args, progress) -> int:
    from addin.services.setup import SetupRefused

    try:
        written = init_company(args.dir, args.lang, force=getattr(args, "force", False))
    except (SetupRefused, SettingsError) as refused:
        raise UsageProblem(str(refused)) from None
    for path in written:
        print(path)
    return 0


def cmd_demo(args, progress) -> int:
    if args.scale < 1:
        raise UsageProblem("--scale must be 1 or more")
    progress(f"demo company (scale {args.scale}) → {args.dir}")
    from addin.services.setup import SetupRefused

    try:
        demo, written = make_demo(args.dir, args.scale, args.errors, args.lang, args.seed)
    except SetupRefused as refused:
        raise UsageProblem(str(refused)) from None
    for path in written:
        print(path)
    progress(f"{sum(len(r) for b in demo.rows.values() for r in b.values()):,} rows written")
    code = _month_end(args.dir, DEMO_MONTH_END, progress)
    if code == 0:
        from addin.cli.cmd_receivables import demo_money_in

        code = demo_money_in(args.dir, progress)
    return code


def _month_end(root: Path, month, progress) -> int:
    """The month end on a company (services/month_end.py), printed."""
    company = _company(root)
    lang = company.lang
    done = run_month_end(company, month, progress)
    issues = list(done.validation.issues)
    print(summary_line(issues, lang))
    if done.payroll is None or done.invoices is None or done.stock is None:
        print(as_text(issues, lang))
        return done.exit_code
    _report_payroll(done.payroll, lang)
    _print_issues(done.invoices.issues, lang)
    print(f"{len(done.invoices.issued)} 件の請求書を発行 → {company.paths.invoices}")
    _print_issues(done.stock.issues, lang)
    last_day = month_end(month)
    print(f"在庫評価額 {done.stock.report.get('total_value', 0):,} 円 → {company.paths.stock(last_day)}")
    return done.exit_code


def _opener(args, company):
    """The books as they are, or (--recalculate) recalculated private copies of them."""
    from contextlib import nullcontext
    from addin.services.validation import open_company_book, recalculating_opener

    return recalculating_opener(company) if getattr(args, "recalculate", False) else nullcontext(open_company_book)


def cmd_validate(args, progress) -> int:
    company = _company(args.dir)
    lang = args.lang or company.lang
    with _opener(args, company) as opener:
        result = validate_company(company, opener, progress=lambda book: progress(f"validating {book}"))
    issues = list(result.issues)
    report = write_issues_workbook(company.paths.validation_report, issues, lang)
    if args.format == "json":
        print(as_json(issues, lang))
    else:
        if issues:
            print(as_text(issues, lang))
        print(summary_line(issues, lang))
        print(f"→ {report}", file=sys.stderr)
    return result.issues.exit_code()


def _month(text: str):
    try:
        month = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise UsageProblem(f"--month {text!r}: YYYY-MM で指定してください / use YYYY-MM") from None
    if not 1900 <= month.year <= 2199:
        raise UsageProblem(f"--month {text!r}: 1900〜2199年の月にしてください / use a month in 1900–2199")
    return month


def _print_issues(issues, lang: str) -> None:
    if issues:
        print(as_text(issues, lang))
        print(summary_line(issues, lang))


def cmd_payroll(args, progress) -> int:
    """The month's payroll; a closed month is compared, never rewritten (see cmd_payroll_year)."""
    from addin.cli.cmd_payroll_year import cmd_payroll_month

    return cmd_payroll_month(args, progress)


def _report_payroll(run, lang: str) -> None:
    _print_issues(run.issues, lang)
    if run.folder is not None:
        p = run.payroll
        totals = p.totals()
        print(
            f"{p.month:%Y-%m}: {len(p.employees)} 名 支給日 {p.pay_date} 総支給 {totals['gross_pay']:,} 円 "
            f"差引支給 {totals['net_pay']:,} 円 → {run.folder}"
        )


def _day(text: str | None, option: str):
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"{option} {text!r}: YYYY-MM-DD で指定してください / use YYYY-MM-DD") from None
    if not 1900 <= day.year <= 2199:  # beyond what any rule or calendar here covers
        raise UsageProblem(f"{option} {text!r}: 1900〜2199年の日付にしてください / use a date in 1900–2199")
    return day


def cmd_invoice(args, progress) -> int:
    company = _company(args.dir)
    lang = args.lang or company.lang
    run = run_invoices(
        company, _day(args.through, "--through"), args.correct, _day(args.date, "--date"), progress=progress
    )
    _print_issues(run.issues, lang)
    for doc in run.issued:
        print(
            f"{doc['invoice_no']} {doc['kind']} {doc['customer']['customer_id']} {doc['issue_date']} "
            f"{doc['total']:,} 円"
        )
    print(f"{len(run.issued)} 件発行 / issued → {company.paths.invoices}")
    return run.exit_code


def cmd_stock(args, progress) -> int:
    company = _company(args.dir)
    lang = args.lang or company.lang
    as_of = _day(args.as_of, "--as-of") or dt.date.today()
    run = run_stock(company, as_of, _day(args.pay_by, "--pay-by"), progress=progress)
    _print_issues(run.issues, lang)
    if run.report:
        statuses = {}
        for bill in run.report["match"]:
            statuses[bill["status"]] = statuses.get(bill["status"], 0) + 1
        print(
            f"{as_of}: {len(run.report['items'])} 品目 評価額 {run.report['total_value']:,} 円, "
            f"発注提案 {len(run.report['reorder'])} 件, 照合 {statuses}"
        )
        for folder in run.folders:
            print(f"→ {folder}")
    return run.exit_code


def cmd_excel(args, progress) -> int:
    from addin.excel import setup  # the cli may face Excel; services may not

    if args.action == "check":
        text, code = setup.check_report(setup.diagnose(args.home))
        print(text)
        return code
    if args.action == "remove-conf-sheets":
        from addin.cli.cmd_excel import remove_conf_sheets

        return remove_conf_sheets(Path(args.dir))
    print(setup.setup_excel(args.home))
    return 0


def _reconcile_log(company) -> None:
    """Unattended runs log to a rotating file besides the terminal."""
    import logging
    from addin.state.files import private_folder, state_folder
    from addin.state.logs import PrivateRotatingFileHandler as RotatingFileHandler

    state_folder(company.root)  # .backoffice/ itself owner-only (an existing one tightened)
    folder = private_folder(company.paths.logs)
    handler = RotatingFileHandler(folder / "reconcile.log", maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("backoffice")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def cmd_reconcile(args, progress) -> int:
    from addin.reconcile.run import nightly_run
    from addin.reconcile.scheduler import NightlyScheduler

    company = _company(args.dir)
    _reconcile_log(company)
    if args.once:
        outcome = nightly_run(company, _day(args.date, "--date"), progress=progress)
        print(f"{outcome.status}" + (f" → {outcome.report_folder}" if outcome.report_folder else f": {outcome.detail}"))
        return outcome.exit_code
    days = str(company.settings.get("nightly", {}).get("days", "weekdays"))
    try:
        dt.datetime.strptime(args.at, "%H:%M")
    except ValueError:
        raise UsageProblem(f"--at {args.at!r}: HH:MM で指定してください / use HH:MM") from None
    print(f"reconcile every {days} at {args.at} (Ctrl+C to stop)")
    NightlyScheduler(args.at, lambda day: nightly_run(company, day, progress=progress), days).serve()
    return 0


def cmd_restore(args, progress) -> int:
    from addin.reconcile.backups import BackupProblem, restore

    company = _company(args.dir)
    folder = company.paths.backups
    try:
        for path in restore(folder, args.date, company.root, args.book):
            print(f"restored {path}")
    except BackupProblem as problem:
        raise UsageProblem(str(problem)) from None
    return 0


def cmd_bonus(args, progress) -> int:
    from addin.cli.cmd_payroll_year import cmd_bonus as bonus

    return bonus(args, progress)


def cmd_grades(args, progress) -> int:
    from addin.cli.cmd_payroll_year import cmd_grades as grades

    return grades(args, progress)
