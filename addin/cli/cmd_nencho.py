"""`backoffice nencho DIR --year Y`: the year-end adjustment, 源泉徴収票, 給与支払報告書 data."""

from __future__ import annotations

import argparse
from pathlib import Path

from addin.cli.commands import UsageProblem, _company, _print_issues
from addin.services.nencho import run_nencho


def add_parser(sub) -> None:
    p = sub.add_parser("nencho", help="year-end adjustment (年末調整), 源泉徴収票, 給与支払報告書 data")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--year", required=True, help="the 年分 to adjust, e.g. 2025")
    p.add_argument("--lang", choices=["ja", "en"], default=None)
    p.set_defaults(handler=cmd_nencho)


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise UsageProblem(f"--year {text!r}: 西暦4桁で指定してください / use a 4-digit year")
    return int(text)


def cmd_nencho(args: argparse.Namespace, progress) -> int:
    year = _year(args.year)
    company = _company(args.dir)
    lang = args.lang or company.lang
    run = run_nencho(company, year, progress=progress)
    _print_issues(run.issues, lang)
    if run.folder is not None:
        adjusted = [a for a in run.adjustments if a.adjusted]
        refund = sum(a.settlement.refund_paid for a in adjusted)
        collect = sum(a.settlement.collected for a in adjusted)
        print(
            f"{year}年分: {len(run.adjustments)} 名（年末調整 {len(adjusted)} 名） 還付 {refund:,} 円 徴収 {collect:,} "
            "円 "
            f"→ {run.folder}"
        )
    return run.exit_code
