"""Command handlers for the payroll year: a month's payroll with --close / --reopen, bonuses, and
the grade reviews (算定基礎・月額変更)."""

from __future__ import annotations

import datetime as dt

from addin.state.payroll_history import HistoryProblem


def _base():
    from addin.cli import commands

    return commands


def _reopen(company, kind: str, period: str, args) -> int:
    from addin.services.payroll_close import reopen

    commands = _base()
    if not (args.reason or "").strip():
        raise commands.UsageProblem('--reopen には --reason が必要です / --reopen needs --reason "why"')
    try:
        closed = reopen(company.root, kind, period, args.reason, args.by)
    except HistoryProblem as problem:
        raise commands.UsageProblem(f"{period}: 確定されていません / {problem}") from None
    print(
        f"{period}: 確定を解除しました / reopened (close #{closed.close_id} of {closed.closed_at}; reason: "
        f"{args.reason.strip()})"
    )
    return 0


def _closed_report(run, period: str) -> None:
    if run.issues:
        print(f"{period} は確定済みです。出力は書き換えていません / {period} is closed: outputs left as they were")
    else:
        print(f"{period} は確定済みで、再計算の結果は確定時と一致します / {period} is closed and the rerun matches it")


def cmd_payroll_month(args, progress) -> int:
    """`backoffice payroll DIR --month M [--close | --reopen --reason R] [--by NAME]`."""
    from addin.services.payroll import run_payroll

    commands = _base()
    company = commands._company(args.dir)
    lang = args.lang or company.lang
    month = commands._month(args.month)
    if getattr(args, "reopen", False):
        return _reopen(company, "month", f"{month:%Y-%m}", args)
    with commands._opener(args, company) as opener:
        run = run_payroll(
            company, month, opener, progress=progress, close=getattr(args, "close", False), by=getattr(args, "by", None)
        )
    if run.closed is not None:
        commands._print_issues(run.issues, lang)
        _closed_report(run, f"{month:%Y-%m}")
        return run.exit_code
    commands._report_payroll(run, lang)
    if run.closed_now is not None:
        print(f"{month:%Y-%m}: 確定しました / closed (#{run.closed_now})")
    return run.exit_code


def cmd_bonus(args, progress) -> int:
    """`backoffice bonus DIR --date D [--close | --reopen --reason R] [--by NAME]`."""
    from addin.services.bonus import run_bonus

    commands = _base()
    company = commands._company(args.dir)
    lang = args.lang or company.lang
    day = commands._day(args.date, "--date")
    if args.reopen:
        return _reopen(company, "bonus", day.isoformat(), args)
    run = run_bonus(company, day, progress=progress, close=args.close, by=args.by)
    commands._print_issues(run.issues, lang)
    if run.closed is not None:
        _closed_report(run, day.isoformat())
        return run.exit_code
    if run.folder is not None:
        totals = run.bonus.totals()
        print(
            f"賞与 {day}: {len(run.bonus.employees)} 名 支給 {totals['bonus_amount']:,} 円 "
            f"差引支給 {totals['net_pay']:,} 円 → {run.folder}"
        )
    if run.closed_now is not None:
        print(f"賞与 {day}: 確定しました / closed (#{run.closed_now})")
    return run.exit_code


def cmd_grades(args, progress) -> int:
    """`backoffice grades DIR --year Y`: 算定基礎 and 月額変更 proposals (never written into staff.xlsx)."""
    from addin.services.grades import run_grade_review

    commands = _base()
    company = commands._company(args.dir)
    lang = args.lang or company.lang
    if not 2000 <= args.year <= 2100:
        raise commands.UsageProblem(f"--year {args.year}: 2000–2100")
    run = run_grade_review(
        company,
        args.year,
        dt.date.today() if args.as_of is None else commands._day(args.as_of, "--as-of"),
        progress=progress,
    )
    commands._print_issues(run.issues, lang)
    if run.folder is not None:
        print(
            f"{args.year}: 定時決定 {len(run.review.teiji)} 名（うち変更 {run.review.teiji_changes} 名）、"
            f"随時改定 {len(run.review.zuiji)} 件 → {run.folder}"
        )
    return run.exit_code
