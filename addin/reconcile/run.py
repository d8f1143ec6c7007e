"""One night: lock, consistent copies, backups, validation and the checks on the copies, change audit,
report — the master workbooks are only ever read (copied), never written.

Temporary copies live in the company's own private folder (`.backoffice/tmp/`, 0700), are removed on
every exit path Python sees, and what a killed run left there is swept at the next start. A book that
cannot be read is skipped and reported; the others are still backed up and checked, and the report is
always written.

Pressed inside Excel (the 今すぐ照合 button), the books open in that Excel are handed in as `live`
Books: they are read as they are there (unsaved edits included), never copied and never waited on
— their `~$` owner file is Excel's own — and not backed up (the night backs up saved files only).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from addin.outputs.reconcile_report import write_report
from addin.outputs.staging import staged_folder
from addin.reconcile import audit, backups
from addin.reconcile.checks import CHECKS, Night, Skipped, run_check
from addin.reconcile.settings import load_settings
from addin.rulebook import RulesFileError
from addin.reconcile.lock import AlreadyRunning, RunLock
from addin.reconcile.snapshot import Copy, consistent_copy
from addin.services.company import Company
from addin.services.validation import FILE_READERS, CheckedOnce, validate_company
from addin.services.verify import anchor_everywhere, sweep_leftovers
from addin.state import InvoiceRegister
from addin.state.files import STATE, company_secret, private_folder, state_folder
from addin.state.runs import RunLedger
from addin.workbook import Book, open_book

log = logging.getLogger("backoffice.reconcile")

#: a book read as it is open in the caller's Excel (the button), instead of a copy of its file
LIVE = "live"
LIVE_DETAIL = (
    "Excel で開いている内容を照合（未保存の変更を含む、バックアップなし） / "
    "read as open in Excel (unsaved edits included), not backed up"
)


@dataclass
class Outcome:
    status: str  # pass / findings / could not run
    exit_code: int
    report_folder: Path | None = None
    detail: str = ""
    checks: list[dict] = field(default_factory=list)


def nightly_run(
    company: Company,
    day: date | None = None,
    sleep: Callable[[float], None] = time.sleep,
    copier=None,
    progress: Callable[[str], None] = lambda _: None,
    live: dict[str, Book] | None = None,
) -> Outcome:
    """`live`: book name → the Book open in the caller's Excel, read in place of a copy of its file."""
    day = day or date.today()
    state = state_folder(company.root)
    try:
        with RunLock(company.paths.reconcile_lock):
            return _run(company, day, sleep, copier, progress, state, live or {})
    except AlreadyRunning as busy:
        log.warning("%s", busy)
        return Outcome("could not run", 2, detail=str(busy))
    except (backups.BackupProblem, RulesFileError) as bad:
        log.error("%s", bad)
        return Outcome("could not run", 2, detail=str(bad))


def _sweep(folders: list[Path]) -> None:
    """What a killed run left half-made (hidden staging folders and temp files) goes first."""
    for folder in folders:
        for leftover in folder.glob(".*.tmp") if folder.exists() else []:
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        for leftover in folder.glob("*/.*.tmp") if folder.exists() else []:
            leftover.unlink()


def _run(company: Company, day: date, sleep, copier, progress, state: Path, live: dict[str, Book]) -> Outcome:
    settings = load_settings(company.root).as_dict()  # a misspelt check stops here, named
    retention = backups.retention(settings.get("backups", {}))
    paths = company.paths
    scratch_root = paths.tmp
    shutil.rmtree(scratch_root, ignore_errors=True)  # copies a killed night left behind
    _sweep([paths.reconcile_runs, paths.backups])
    sweep_leftovers(company)
    started = datetime.now().isoformat(timespec="seconds")
    secret = company_secret(state)
    with tempfile.TemporaryDirectory(prefix="night-", dir=private_folder(scratch_root)) as scratch:
        copies = _copy_all(company, Path(scratch), settings, sleep, copier, progress, live)
        good = {name: c.path for name, c in copies.items() if c.status == "ok"}
        if not good and not live:
            return Outcome(
                "could not run",
                2,
                detail="no workbook could be read: " + ", ".join(f"{c.book} {c.status}" for c in copies.values()),
            )
        progress("backups")  # before anything reads the copies: a book that breaks a reader is still kept
        backup_folder = backups.backup({company.books[n].file: p for n, p in good.items()}, paths.backups, day)
        backups.prune(paths.backups, *retention, keep_also=backup_folder)
        progress("validating the copies")
        validation, opener = _validate(company, good, copies, live)  # the checks get its books as checked
        register, ledger, unusable = _open_state(paths.db)
        try:
            night = Night(
                company,
                day,
                validation,
                set(company.books) - set(good) - set(live),
                register,
                runs=ledger,
                secret=secret,
                opener=opener,
            )
            checks = [_check(name, night, settings, progress) for name in CHECKS]
            if unusable:
                checks.append(
                    {"name": "state_database", "status": "error", "count": 0, "findings": [], "detail": unusable}
                )
            personal = {
                f for b in company.books.values() for s in b.sheets.values() for f, c in s.columns.items() if c.personal
            }
            tonight = audit.snapshot(dict(validation.tables), audit.keys_of(company.books), personal, secret)
            previous = ledger.last_success_before(day.isoformat()) if ledger else None
            changes = audit.changes(
                ledger.snapshot(previous) if previous else {},
                tonight,
                company.books,
                personal,
                settings.get("audit_priority", []),
            )
            report = _report(day, checks, changes, copies, previous, backup_folder)
            folder = paths.reconcile(day)
            earlier = [h for h in ledger.history(day.isoformat()) if h[0] != day.isoformat()] if ledger else []
            history = earlier[-29:] + [(day.isoformat(), report["status"], report["findings"])]
            if ledger is not None:
                progress("recording the night in the run ledger")
                ledger.record(day.isoformat(), started, report["status"], report["findings"], str(folder), tonight)
                clean = all(
                    c["status"] == "pass" for c in checks if c["name"] in ("invoice_register", "state_integrity")
                )
                if register is not None and register.unsealed():  # anchors would pin the plain chain
                    report["anchor"] = {}  # that `verify --adopt` re-seals
                else:
                    report["anchor"] = anchor_everywhere(
                        company, secret, register, ledger, day.isoformat(), backup_folder, clean
                    )
            progress(f"writing {folder}")
            with staged_folder(folder) as tmp:
                write_report(tmp, report, history)
        finally:
            for connection in (ledger, register):
                if connection is not None:
                    connection.close()
    log.info("reconcile %s: %s, %d finding(s) → %s", day, report["status"], report["findings"], folder)
    return Outcome(report["status"], 0 if report["status"] == "pass" else 1, folder, checks=checks)


def _open_state(db: Path):
    """(register, run ledger, problem): an unusable state.db is reported in the night's report, and the
    backups and checks of the workbooks still happen."""
    register = ledger = None
    try:
        register = InvoiceRegister(db) if db.exists() else None
        ledger = RunLedger(db)
        return register, ledger, ""
    except sqlite3.DatabaseError as bad:
        if register is not None:
            register.close()
        log.error("state.db unusable: %s", bad)
        return (
            None,
            None,
            (
                f"{STATE}/state.db を使えません（backoffice verify で確認） / the state database cannot be "
                f"used ({bad}); run backoffice verify"
            ),
        )


def copies_opener(good: dict[str, Path], live: dict[str, Book] | None = None):
    """A BookOpener over tonight's consistent copies: what the checks hand to the services, so a check
    reads the same bytes the validation and the backup saw, never the live (maybe half-saved) file.
    A book open in the caller's Excel (`live`) is that open book."""
    live = live or {}

    def opener(book: str, company: Company):
        if book in live:
            return live[book]
        if book not in good:
            raise Skipped(f"{company.books[book].file} not available tonight")
        return open_book(good[book], company.books[book].file)

    return opener


def _validate(company: Company, good: dict[str, Path], copies: dict[str, Copy], live: dict[str, Book]):
    """Validate the copies (and the live books); a copy whose reading fails in a way the reader did not
    foresee (even a native panic, a BaseException) is dropped from `good`, marked skipped, and the rest
    validated. Live books are read by this thread alone (Excel's COM objects belong to it)."""
    readers = 1 if live else FILE_READERS

    def run(names: set[str]):
        opener = CheckedOnce(copies_opener({n: good[n] for n in names if n in good}, live))
        return validate_company(company, opener, only=names, readers=readers), opener

    try:
        return run(set(good) | set(live))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 — find the book at fault, keep the night going without it
        log.exception("validation failed; trying each workbook alone")
    for name in sorted(good):
        try:
            run({name})
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001
            copy = copies[name]
            copy.status, copy.detail = "unreadable", f"{type(exc).__name__}: {exc}"[:300]
            log.warning("%s: skipped: %s", copy.book, copy.detail)
    for name in [n for n, c in copies.items() if c.status == "unreadable"]:
        good.pop(name, None)
    return run(set(good) | set(live))


def _copy_all(company, scratch: Path, settings: dict, sleep, copier, progress, live: dict[str, Book]) -> dict:
    policy = settings.get("copy", {})
    copies = {}
    for name, spec in company.books.items():
        if name in live:
            copies[name] = Copy(live[name].name, LIVE, detail=LIVE_DETAIL)
            continue
        progress(f"copying {spec.file}")
        kwargs = {"copier": copier} if copier else {}
        try:
            copies[name] = consistent_copy(
                company.book_path(name),
                scratch / spec.file,
                int(policy.get("attempts", 4)),
                list(policy.get("backoff_seconds", [2, 5, 15, 30])),
                sleep,
                **kwargs,
            )
        except OSError as exc:  # a special file, a full disk, no permission: skip this book only
            copies[name] = Copy(spec.file, "unreadable", attempts=1, detail=f"{type(exc).__name__}: {exc}"[:300])
        if copies[name].status != "ok":
            log.warning(
                "%s: %s after %d attempt(s): %s",
                spec.file,
                copies[name].status,
                copies[name].attempts,
                copies[name].detail,
            )
    return copies


def _check(name: str, night: Night, settings: dict, progress) -> dict:
    progress(f"check {name}")
    return run_check(name, night, settings.get("checks", {}).get(name, {}))


def _report(day, checks, changes, copies, previous, backup_folder) -> dict:
    findings = sum(c["count"] for c in checks)
    skipped_books = [c.book for c in copies.values() if c.status not in ("ok", LIVE)]
    status = (
        "pass"
        if not findings and not skipped_books and all(c["status"] in ("pass", "skipped") for c in checks)
        else "findings"
    )
    return {
        "date": day.isoformat(),
        "status": status,
        "findings": findings,
        "checks": checks,
        "changes": changes,
        "compared_with": previous or "",
        "copies": {
            c.book: {
                "status": c.status if c.status in ("ok", LIVE) else f"skipped: {c.status}",
                "attempts": c.attempts,
                "last_modified_by": c.last_modified_by,
                "modified": c.modified,
                "detail": c.detail,
            }
            for c in copies.values()
        },
        "backup": str(backup_folder),
    }
