"""`backoffice` — one command over a company folder. Exit codes: 0 clean, 1 findings, 2 unusable input.

Every failure a person can cause ends in a located message and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
import time
from pathlib import Path

from addin.cli.progress import Progress

log = logging.getLogger("backoffice")
RECALCULATE_HELP = "read private copies of the books recalculated by LibreOffice (formulas without saved results)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backoffice", description="Back office for Excel workbooks (Japan)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="a new company folder with empty, formatted workbooks")
    p.add_argument("dir", type=Path)
    p.add_argument("--lang", choices=["ja", "en"], default="ja")
    p.add_argument("--force", action="store_true", help="replace existing workbooks after copying them aside")

    p = sub.add_parser("demo", help="the demo company, then its month end")
    p.add_argument("dir", type=Path)
    p.add_argument("--scale", type=int, default=1)
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("--errors", action="store_true", help="plant deliberate mistakes for the validator to find")
    p.add_argument("--lang", choices=["ja", "en"], default="ja")

    p = sub.add_parser("validate", help="check every workbook against every rule")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--lang", choices=["ja", "en"], default=None)
    p.add_argument("--recalculate", action="store_true", help=RECALCULATE_HELP)

    p = sub.add_parser("payroll", help="the month's payroll: register, pay slips, Zengin file, summary.json")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--month", required=True, help="work month YYYY-MM (attendance month; paid per settings)")
    p.add_argument("--lang", choices=["ja", "en"], default=None)
    p.add_argument("--recalculate", action="store_true", help=RECALCULATE_HELP)
    _close_options(p)

    p = sub.add_parser("bonus", help="the bonus payroll of a pay date: register, slips, Zengin file, summary.json")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--date", required=True, help="bonus pay date YYYY-MM-DD (rows of the Bonuses 賞与 sheet)")
    p.add_argument("--lang", choices=["ja", "en"], default=None)
    _close_options(p)

    p = sub.add_parser("grades", help="grade reviews: 算定基礎 (定時決定) and 月額変更 proposals workbook")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--year", required=True, type=int, help="the year of the 算定基礎 (April–June pay)")
    p.add_argument("--as-of", help="月額変更 looked for in pay up to YYYY-MM-DD (default: today)")
    p.add_argument("--lang", choices=["ja", "en"], default=None)

    p = sub.add_parser("invoice", help="qualified invoices for shipped, uninvoiced orders")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--through", required=True, help="invoice periods closing on or before YYYY-MM-DD")
    p.add_argument("--correct", metavar="INVOICE_NO", help="cancel an issued invoice with a credit note and reissue")
    p.add_argument("--date", help="date of the correction (default: --through)")
    p.add_argument("--lang", choices=["ja", "en"], default=None)

    p = sub.add_parser(
        "stock", help="stock on hand and valuation, counts, reorder proposals, three-way match, payments"
    )
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
    p.add_argument("--pay-by", help="vendor payments due by YYYY-MM-DD (default: --as-of)")
    p.add_argument("--lang", choices=["ja", "en"], default=None)

    p = sub.add_parser("reconcile", help="the nightly run: checks, change audit, backups, report")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--once", action="store_true", help="run now and exit (cron / Task Scheduler)")
    when.add_argument("--at", metavar="HH:MM", help="stay running and reconcile every night at this time")
    p.add_argument("--date", help="the night to reconcile (default: today)")

    p = sub.add_parser("restore", help="put back master workbooks from a nightly backup")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--date", required=True)
    p.add_argument("--book", action="append", help="workbook file name (default: all in that backup)")

    from addin.cli.cmd_nencho import add_parser as add_nencho

    add_nencho(sub)
    from addin.cli import cmd_receivables

    cmd_receivables.add_parser(sub)
    from addin.cli.cmd_books import add_books_parser

    add_books_parser(sub)
    p = sub.add_parser("verify", help="check the invoice register, run ledger and anchors; say what is wrong")
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument(
        "--adopt",
        action="store_true",
        help="verify a register sealed the old way (plain hash chain) and seal it with the company key",
    )

    p = sub.add_parser("excel", help="Excel integration")
    p.add_argument("action", choices=["setup", "check", "remove-conf-sheets"])
    p.add_argument("dir", type=Path, nargs="?", default=Path("."))
    p.add_argument("--home", type=Path, help=argparse.SUPPRESS)  # tests: a stand-in home folder
    return parser


def _close_options(p: argparse.ArgumentParser) -> None:
    """--close / --reopen of a payroll period (payroll history in .backoffice/state.db)."""
    action = p.add_mutually_exclusive_group()
    action.add_argument(
        "--close", action="store_true", help="record the period as paid (確定); later reruns compare only"
    )
    action.add_argument("--reopen", action="store_true", help="undo a close (needs --reason; who/why/when recorded)")
    p.add_argument("--reason", help="why the period is reopened")
    p.add_argument("--by", help="who closes or reopens (default: the logged-in user)")


def main(argv: list[str] | None = None, progress: Progress | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    args = _parser().parse_args(argv)
    values = [item for value in vars(args).values() for item in (value if isinstance(value, list) else [value])]
    if any("\x00" in str(value) for value in values):  # no path, date or name can hold one
        print("引数に NUL 文字があります / an argument contains a NUL character", file=sys.stderr)
        return 2
    from addin.cli import cmd_verify, commands

    from addin.cli import cmd_books

    handler = getattr(args, "handler", None) or next(
        getattr(module, f"cmd_{args.command}")
        for module in (commands, cmd_books, cmd_verify)
        if hasattr(module, f"cmd_{args.command}")
    )
    started = time.perf_counter()
    try:
        code = handler(args, progress or Progress(sys.stderr))
    except commands.UsageProblem as problem:
        print(str(problem), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("中断しました / interrupted", file=sys.stderr)
        return 130
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # last line of defence (even a native library's panic): say where, exit 2
        if os.environ.get("BACKOFFICE_DEBUG"):
            traceback.print_exc()
        print(_located(args, exc), file=sys.stderr)
        return 2
    log.debug("done in %.2fs", time.perf_counter() - started)
    return code


def _located(args, exc: BaseException) -> str:
    """The command, the company folder and what went wrong, with the database named when it is at fault."""
    import sqlite3

    where = f"backoffice {args.command} {getattr(args, 'dir', '')}".rstrip()
    text = str(exc).splitlines()[0][:300] if str(exc) else ""
    if isinstance(exc, sqlite3.DatabaseError):
        return (
            f"{where}: .backoffice/state.db を使えません / the state database cannot be used "
            f"({type(exc).__name__}: {text}); `backoffice verify` で確認してください / run `backoffice verify`"
        )
    if isinstance(exc, (OverflowError, ArithmeticError)):
        return f"{where}: 範囲外の数値があります / a number is out of range ({type(exc).__name__}: {text})"
    return f"{where}: 内部エラー / internal error: {type(exc).__name__}: {text}"


if __name__ == "__main__":
    sys.exit(main())
