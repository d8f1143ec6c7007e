"""One night: lock, consistent copies, validation and the checks on the copies, change audit,
backups, report — the master workbooks are only ever read (copied), never written."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from addin.outputs.reconcile_report import write_report
from addin.outputs.staging import staged_folder
from addin.reconcile import audit, backups
from addin.reconcile.checks import CHECKS, Night, run_check
from addin.reconcile.lock import AlreadyRunning, RunLock
from addin.reconcile.snapshot import consistent_copy
from addin.services.company import Company
from addin.services.validation import FILE_READERS, validate_company
from addin.state import InvoiceRegister
from addin.state.runs import RunLedger
from addin.workbook import open_book

log = logging.getLogger("backoffice.reconcile")


@dataclass
class Outcome:
    status: str                     # pass / findings / could not run
    exit_code: int
    report_folder: Path | None = None
    detail: str = ""
    checks: list[dict] = field(default_factory=list)


def nightly_run(company: Company, day: date | None = None, sleep: Callable[[float], None] = time.sleep,
                copier=None, progress: Callable[[str], None] = lambda _: None) -> Outcome:
    day = day or date.today()
    state = company.root / ".backoffice"
    try:
        with RunLock(state / "reconcile.lock"):
            return _run(company, day, sleep, copier, progress, state)
    except AlreadyRunning as busy:
        log.warning("%s", busy)
        return Outcome("could not run", 2, detail=str(busy))


def _sweep(folders: list[Path]) -> None:
    """What a killed run left half-made (hidden staging folders and temp files) goes first."""
    for folder in folders:
        for leftover in folder.glob(".*.tmp") if folder.exists() else []:
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        for leftover in folder.glob("*/.*.tmp") if folder.exists() else []:
            leftover.unlink()


def _run(company: Company, day: date, sleep, copier, progress, state: Path) -> Outcome:
    settings = company.rulebook.settings.get("reconcile", {})
    _sweep([company.out / "reconcile", state / "backups"])
    started = datetime.now().isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="backoffice-night-") as scratch:
        copies = _copy_all(company, Path(scratch), settings, sleep, copier, progress)
        good = {name: c.path for name, c in copies.items() if c.status == "ok"}
        if not good:
            return Outcome("could not run", 2, detail="no workbook could be read: " +
                           ", ".join(f"{c.book} {c.status}" for c in copies.values()))
        progress("validating the copies")
        files = {company.books[name].file: path for name, path in good.items()}
        validation = validate_company(company, lambda book, co: open_book(files[co.books[book].file], co.books[book].file),
                                      only=set(good), readers=FILE_READERS)
        register = InvoiceRegister(state / "state.db") if (state / "state.db").exists() else None
        ledger = RunLedger(state / "state.db")
        try:
            night = Night(company, day, validation, set(company.books) - set(good), register)
            checks = [_check(name, night, settings, progress) for name in CHECKS]
            tonight = audit.snapshot({k: v for k, v in validation.tables.items()})
            previous = ledger.last_success_before(day.isoformat())
            personal = {f for b in company.books.values() for s in b.sheets.values() for f, c in s.columns.items() if c.personal}
            changes = audit.changes(ledger.snapshot(previous) if previous else {}, tonight, company.books, personal,
                                    settings.get("audit_priority", []))
            progress("backups")
            kept = settings.get("backups", {})
            backup_folder = backups.backup({company.books[n].file: p for n, p in good.items()}, state / "backups", day)
            backups.prune(state / "backups", int(kept.get("daily", 14)), int(kept.get("weekly", 8)), int(kept.get("monthly", 12)))
            report = _report(day, checks, changes, copies, previous, backup_folder)
            folder = company.out / "reconcile" / day.isoformat()
            earlier = [h for h in ledger.history(day.isoformat()) if h[0] != day.isoformat()]
            history = earlier[-29:] + [(day.isoformat(), report["status"], report["findings"])]
            progress(f"writing {folder}")
            with staged_folder(folder, private=True) as tmp:
                write_report(tmp, report, history)
            progress("recording the night in the run ledger")
            ledger.record(day.isoformat(), started, report["status"], report["findings"], str(folder), tonight)
        finally:
            ledger.close()
            if register is not None:
                register.close()
    log.info("reconcile %s: %s, %d finding(s) → %s", day, report["status"], report["findings"], folder)
    return Outcome(report["status"], 0 if report["status"] == "pass" else 1, folder, checks=checks)


def _copy_all(company, scratch: Path, settings: dict, sleep, copier, progress) -> dict:
    policy = settings.get("copy", {})
    copies = {}
    for name, spec in company.books.items():
        progress(f"copying {spec.file}")
        kwargs = {"copier": copier} if copier else {}
        copies[name] = consistent_copy(company.book_path(name), scratch / spec.file, int(policy.get("attempts", 4)),
                                       list(policy.get("backoff_seconds", [2, 5, 15, 30])), sleep, **kwargs)
        if copies[name].status != "ok":
            log.warning("%s: %s after %d attempt(s): %s", spec.file, copies[name].status, copies[name].attempts,
                        copies[name].detail)
    return copies


def _check(name: str, night: Night, settings: dict, progress) -> dict:
    progress(f"check {name}")
    return run_check(name, night, settings.get("checks", {}).get(name, {}))


def _report(day, checks, changes, copies, previous, backup_folder) -> dict:
    findings = sum(c["count"] for c in checks)
    skipped_books = [c.book for c in copies.values() if c.status != "ok"]
    status = "pass" if not findings and not skipped_books and all(c["status"] in ("pass", "skipped") for c in checks) \
        else "findings"
    return {
        "date": day.isoformat(), "status": status, "findings": findings,
        "checks": checks, "changes": changes, "compared_with": previous or "",
        "copies": {c.book: {"status": c.status if c.status == "ok" else f"skipped: {c.status}", "attempts": c.attempts,
                            "last_modified_by": c.last_modified_by, "modified": c.modified, "detail": c.detail}
                   for c in copies.values()},
        "backup": str(backup_folder),
    }
