"""`backoffice verify DIR`: is the company's state what the product wrote? The invoice register (keyed
chain, numbering, status, links, invoiced lines), the anchors outside the database (head and count of
the register, the run ledger's last night), documents without a register row, and owner-only modes.

The nightly run and every invoice run call the same checks before they trust the database.
"""

from __future__ import annotations

import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from addin.services.company import Company
from addin.state.anchor import (
    ANCHOR_FILE,
    check_ledger,
    check_register,
    genuine,
    make_anchor,
    read_anchor,
    write_anchor,
)
from addin.state.files import STATE, read_secret

#: a temp file atomic_path left when its process was killed: `.name.<random>.tmp`
LEFTOVER = re.compile(r"^\..+\.(?:xlsx|xlsm|pdf|json|toml|txt)\.[a-z0-9_]{8}\.tmp$")
STALE_SECONDS = 600  # another live run may still be writing a younger one


@dataclass(frozen=True)
class StateFinding:
    where: str  # the file (and row) at fault
    code: str
    detail: str

    def line(self) -> str:
        return f"{self.where}: [{self.code}] {self.detail}"


def sweep_leftovers(company: Company, older_than: float = STALE_SECONDS) -> list[Path]:
    """Remove the `.name.*.tmp` files a killed run left beside its outputs (e.g. `.INV-000012.pdf.x.tmp`)."""
    now, removed = time.time(), []
    paths = company.paths
    folders = [company.root, paths.out, paths.invoices, paths.tax, paths.state]
    for folder in folders:
        for path in folder.iterdir() if folder.is_dir() else []:
            if (
                LEFTOVER.match(path.name)
                and path.is_file()
                and not path.is_symlink()
                and now - path.stat().st_mtime > older_than
            ):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def anchors(company: Company) -> list[tuple[str, dict]]:
    """Every anchor outside the database: (where it is, the anchor)."""
    paths = company.paths
    places = [paths.anchor]
    places += sorted(paths.reconcile_runs.glob("*/report.json"))
    places += sorted(paths.backups.glob("*/" + ANCHOR_FILE))
    found = []
    for path in places:
        anchor = read_anchor(path) if path.is_file() else None
        if anchor is not None and "register" in anchor:
            found.append((str(path.relative_to(company.root)), anchor))
    return found


def state_findings(
    company: Company, register, ledger, secret: bytes | None, with_register: bool = True
) -> list[StateFinding]:
    """Everything `verify` checks, over open connections."""
    found = []
    if register is not None and with_register:
        found += [
            StateFinding(f"{STATE}/state.db invoices {f.invoice_no}".rstrip(), f.code, f.detail)
            for f in register.verify()
        ]
    count, seal_at = (register.count(), register.seal_at) if register is not None else (0, lambda _: None)
    for where, anchor in anchors(company):
        if secret is None or not genuine(secret, anchor):
            found.append(
                StateFinding(where, "anchor_forged", "封印が一致しません / its seal does not match the company key")
            )
            continue
        found += [StateFinding(f.source, f.code, f.detail) for f in check_register(where, anchor, count, seal_at)]
        if where == f"{STATE}/{ANCHOR_FILE}" and ledger is not None:
            found += [StateFinding(f.source, f.code, f.detail) for f in check_ledger(where, anchor, ledger)]
    found += _documents_without_rows(company, register)
    found += _not_private(company)
    return found


def _documents_without_rows(company: Company, register) -> list[StateFinding]:
    """An invoice document whose number the register does not hold: the database went back in time."""
    folder = company.paths.invoices
    numbers = register.numbers() if register else set()
    return (
        [
            StateFinding(
                str(path.relative_to(company.root)),
                "document_without_register_row",
                f"{path.stem} は台帳にありません / {path.stem} is not in the register",
            )
            for path in sorted(folder.glob("*.pdf"))
            if path.stem not in numbers
        ]
        if folder.is_dir()
        else []
    )


def _not_private(company: Company) -> list[StateFinding]:
    state = company.paths.state
    found = []
    for path in [state, *sorted(state.rglob("*"))] if state.is_dir() else []:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            found.append(
                StateFinding(
                    str(path.relative_to(company.root)),
                    "not_private",
                    f"{oct(mode)}: 所有者以外も読めます / readable by others than the owner",
                )
            )
    return found


def anchor_everywhere(
    company: Company,
    secret: bytes,
    register,
    ledger,
    run_date: str | None,
    backup_folder: Path | None = None,
    clean: bool = True,
) -> dict:
    """Write the current heads outside the database; the company's anchor only when the state checked
    clean (so the evidence of an edit is not overwritten by the edited state)."""
    previous = read_anchor(company.paths.anchor) or {}
    ledger_head = ledger.head(run_date) if ledger is not None and run_date else previous.get("ledger")
    anchor = make_anchor(secret, register.head() if register is not None else (0, ""), ledger_head)
    if backup_folder is not None:
        write_anchor(Path(backup_folder) / ANCHOR_FILE, anchor)
    if clean:
        write_anchor(company.paths.anchor, anchor)
    return anchor


@dataclass
class Verification:
    findings: list[StateFinding]
    invoices: int
    anchors: int

    @property
    def exit_code(self) -> int:
        return 1 if self.findings else 0


def verify_company(company: Company) -> Verification:
    from addin.state import InvoiceRegister
    from addin.state.runs import RunLedger

    db = company.paths.db
    if not db.is_file():
        missing = [
            StateFinding(w, "register_missing", "state.db がありません / state.db is gone")
            for w, a in anchors(company)
            if a.get("register", {}).get("count")
        ]
        return Verification(missing + _not_private(company), 0, len(anchors(company)))
    register, ledger = InvoiceRegister(db), RunLedger(db)
    try:
        found = state_findings(company, register, ledger, read_secret(company.paths.state))
        return Verification(found, register.count(), len(anchors(company)))
    finally:
        register.close()
        ledger.close()
