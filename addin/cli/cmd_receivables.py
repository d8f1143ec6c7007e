"""`backoffice receivables DIR [--as-of D]`: import bank statements, match receipts, aging."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from addin.cli.commands import UsageProblem, _company, _day, _print_issues
from addin.services.receivables import run_receivables, write_demo_statements


def add_parser(sub) -> None:
    p = sub.add_parser("receivables", help="import bank statements, match receipts to invoices (入金消込), aging")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
    p.add_argument("--lang", choices=["ja", "en"], default=None)
    p.set_defaults(handler=cmd_receivables)


def cmd_receivables(args, progress) -> int:
    company = _company(args.dir)
    lang = args.lang or company.lang
    as_of = _day(args.as_of, "--as-of") or dt.date.today()
    run = run_receivables(company, as_of, progress=progress)
    _print_issues(run.issues, lang)
    _summary(run)
    return run.exit_code


def _summary(run) -> None:
    for item in run.imported:
        if item["status"] != "already_imported":
            print(f"{item['file']}: {item['status']} {item.get('new_lines', 0)}/{item.get('lines', 0)} 行")
    open_total = sum(a.open for a in run.aged)
    print(
        f"{run.as_of}: 自動消込 {run.count('matched')} 件, 提案 {run.count('proposed')} 件, 未消込 "
        f"{run.count('unmatched')} 件, "
        f"確定 {run.confirmed} 件; 未入金 {len(run.aged)} 件 {open_total:,} 円; 与信超過 {len(run.over_limit)} 社"
        + (f" → {run.folder}" if run.folder else "")
    )


def demo_money_in(root: Path, progress, as_of: dt.date = dt.date(2026, 3, 31)) -> int:
    """The demo's bank statements for its invoices, then the receivables run on them (never fails the demo
    for proposals: they are the point of the demo)."""
    company = _company(root)
    progress("bank statements for the demo year")
    write_demo_statements(company, as_of)
    run = run_receivables(company, as_of, progress=progress)
    _summary(run)
    if run.exit_code == 2:
        _print_issues(run.issues, company.lang)
        raise UsageProblem("receivables: demo statements could not be read")
    return 0
