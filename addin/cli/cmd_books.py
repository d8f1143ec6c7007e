"""`backoffice books DIR --from D --to D [--format yayoi|mf|freee]`: journal, trial balance, export."""

from __future__ import annotations

import argparse
from pathlib import Path

from addin.cli.commands import UsageProblem, _company, _day, _print_issues
from addin.outputs.journal_export import FORMATS
from addin.services.books import run_books


def add_books_parser(sub) -> None:
    p = sub.add_parser("books", help="journal entries from every run, trial balance, accounting-software export")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--from", dest="start", required=True, help="first day YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, help="last day YYYY-MM-DD")
    p.add_argument("--format", choices=list(FORMATS), help="also write the import file of 弥生会計 / MF / freee")
    p.add_argument("--lang", choices=["ja", "en"], default=None)


def cmd_books(args: argparse.Namespace, progress) -> int:
    company = _company(args.dir)
    lang = args.lang or company.lang
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if end < start:
        raise UsageProblem(f"--to {end} は --from {start} より前です / --to is before --from")
    run = run_books(company, start, end, args.format, progress=progress)
    _print_issues(run.issues, lang)
    if run.posting is not None:
        debit = sum(b.debit for b in run.balances)
        print(
            f"{start}〜{end}: 仕訳 {len(run.journal)} 件（新規 {len(run.posting.added)}、取消 "
            f"{len(run.posting.reversed)}、"
            f"既存 {run.posting.unchanged}）, 借方・貸方 {debit:,} 円"
        )
    for path in run.written:
        print(f"→ {path}")
    return run.exit_code
