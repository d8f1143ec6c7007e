"""Bank statement lines and the receipts applied from them, in .backoffice/state.db.

Each statement line is stored once (its id is what the line says, see receivables.statement), so
the same or an overlapping file imported again adds nothing; a file is imported whole in one
transaction or not at all. Applied receipts are never changed or deleted (triggers refuse it): a
correction is a new record. The payer names learned from confirmed receipts live here too.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

from addin.receivables.aging import Receipt
from addin.receivables.matching import Allocation
from addin.receivables.statement import StatementLine
from addin.state.files import connect, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS statement_files (
    sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, layout TEXT NOT NULL, account TEXT NOT NULL,
    first_date TEXT, last_date TEXT, lines INTEGER NOT NULL, new_lines INTEGER NOT NULL, imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS statement_lines (
    line_id TEXT NOT NULL PRIMARY KEY, account TEXT NOT NULL, date TEXT NOT NULL, direction TEXT NOT NULL,
    amount INTEGER NOT NULL, payer TEXT NOT NULL, description TEXT NOT NULL, balance INTEGER, reference TEXT NOT NULL,
    file_sha256 TEXT NOT NULL, line_no INTEGER NOT NULL, imported_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS statement_lines_date ON statement_lines(date);
CREATE TABLE IF NOT EXISTS receipt_allocations (
    seq INTEGER PRIMARY KEY, line_id TEXT NOT NULL REFERENCES statement_lines(line_id), invoice_no TEXT NOT NULL,
    customer_id TEXT NOT NULL, amount INTEGER NOT NULL, fee INTEGER NOT NULL, kind TEXT NOT NULL,
    source TEXT NOT NULL, confidence TEXT NOT NULL, reason TEXT NOT NULL, applied_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS receipt_allocations_line ON receipt_allocations(line_id);
CREATE TABLE IF NOT EXISTS statement_line_decisions (
    line_id TEXT PRIMARY KEY REFERENCES statement_lines(line_id), decision TEXT NOT NULL, note TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payer_names (
    payer_key TEXT NOT NULL, customer_id TEXT NOT NULL, learned_from TEXT NOT NULL, learned_at TEXT NOT NULL,
    PRIMARY KEY (payer_key, customer_id)
);
CREATE TRIGGER IF NOT EXISTS statement_lines_kept BEFORE UPDATE ON statement_lines
BEGIN SELECT RAISE(ABORT, 'a statement line is never changed'); END;
CREATE TRIGGER IF NOT EXISTS statement_lines_not_deleted BEFORE DELETE ON statement_lines
BEGIN SELECT RAISE(ABORT, 'a statement line is never deleted'); END;
CREATE TRIGGER IF NOT EXISTS receipt_allocations_kept BEFORE UPDATE ON receipt_allocations
BEGIN SELECT RAISE(ABORT, 'an applied receipt is never changed: record a correction'); END;
CREATE TRIGGER IF NOT EXISTS receipt_allocations_not_deleted BEFORE DELETE ON receipt_allocations
BEGIN SELECT RAISE(ABORT, 'an applied receipt is never deleted: record a correction'); END;
"""


class AlreadyApplied(ValueError):
    pass


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ReceiptStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = connect(self.path)  # bank statements name people: owner-only, -wal and -shm too
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with transaction(self.db) as db:
            yield db

    # ---- statement files and lines ----------------------------------------------------------

    def file_imported(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM statement_files WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def import_lines(self, sha256: str, name: str, layout: str, account: str, lines: list[StatementLine]) -> int:
        """Store a parsed file's lines (those not already stored) and the file, all in one transaction;
        returns how many lines were new."""
        now = _now()
        dates = [line.date for line in lines]
        with self.transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT INTO statement_lines VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (line_id) DO NOTHING",
                [
                    (
                        line.line_id,
                        line.account,
                        line.date.isoformat(),
                        line.direction,
                        line.amount,
                        line.payer,
                        line.description,
                        line.balance,
                        line.reference,
                        sha256,
                        line.line_no,
                        now,
                    )
                    for line in lines
                ],
            )
            new = db.total_changes - before
            db.execute(
                "INSERT OR IGNORE INTO statement_files VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    sha256,
                    name,
                    layout,
                    account,
                    min(dates).isoformat() if dates else None,
                    max(dates).isoformat() if dates else None,
                    len(lines),
                    new,
                    now,
                ),
            )
        return new

    def lines(self, until: date | None = None) -> list[StatementLine]:
        query = (
            "SELECT account, date, direction, amount, payer, description, balance, reference, line_no, line_id "
            "FROM statement_lines" + (" WHERE date <= ?" if until else "") + " ORDER BY date, account, line_no"
        )
        rows = self.db.execute(query, (until.isoformat(),) if until else ())
        return [
            StatementLine(a, date.fromisoformat(d), direction, amount, payer, desc, bal, ref, no, 0, line_id)
            for a, d, direction, amount, payer, desc, bal, ref, no, line_id in rows
        ]

    def line(self, line_id: str) -> StatementLine | None:
        found = [line for line in self._lines_where("line_id = ?", (line_id,))]
        return found[0] if found else None

    def _lines_where(self, where: str, args: tuple) -> list[StatementLine]:
        rows = self.db.execute(
            "SELECT account, date, direction, amount, payer, description, balance, reference, "
            f"line_no, line_id FROM statement_lines WHERE {where}",
            args,
        )
        return [
            StatementLine(a, date.fromisoformat(d), direction, amount, payer, desc, bal, ref, no, 0, line_id)
            for a, d, direction, amount, payer, desc, bal, ref, no, line_id in rows
        ]

    def files(self) -> list[dict]:
        keys = ("sha256", "name", "layout", "account", "first_date", "last_date", "lines", "new_lines", "imported_at")
        return [
            dict(zip(keys, row, strict=True)) for row in self.db.execute("SELECT * FROM statement_files ORDER BY rowid")
        ]

    # ---- receipts ---------------------------------------------------------------------------

    def settled_line_ids(self) -> set[str]:
        """Lines already applied to invoices or set aside by a person."""
        applied = {r[0] for r in self.db.execute("SELECT DISTINCT line_id FROM receipt_allocations")}
        return applied | {r[0] for r in self.db.execute("SELECT line_id FROM statement_line_decisions")}

    def apply(self, receipts: list[tuple[str, list[Allocation], str, str, str, str]]) -> None:
        """Apply receipts [(line_id, allocations, kind, source, confidence, reason)] in one transaction."""
        now = _now()
        with self.transaction() as db:
            for line_id, allocations, kind, source, confidence, reason in receipts:
                if db.execute("SELECT 1 FROM receipt_allocations WHERE line_id = ?", (line_id,)).fetchone():
                    raise AlreadyApplied(line_id)
                db.executemany(
                    "INSERT INTO receipt_allocations (line_id, invoice_no, customer_id, amount, fee, kind, "
                    "source, confidence, reason, applied_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [
                        (line_id, a.invoice_no, a.customer_id, a.amount, a.fee, kind, source, confidence, reason, now)
                        for a in allocations
                    ],
                )

    def set_aside(self, line_id: str, note: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO statement_line_decisions VALUES (?, 'ignored', ?, ?)", (line_id, note, _now())
            )

    def applied_by_invoice(self) -> dict[str, int]:
        return {
            no: total
            for no, total in self.db.execute(
                "SELECT invoice_no, SUM(amount) FROM receipt_allocations WHERE invoice_no != '' GROUP BY invoice_no"
            )
        }

    def receipts(self) -> list[Receipt]:
        grouped: dict[str, list] = defaultdict(list)
        sources: dict[str, str] = {}
        for line_id, invoice_no, customer_id, amount, fee, source in self.db.execute(
            "SELECT line_id, invoice_no, customer_id, amount, fee, source FROM receipt_allocations ORDER BY seq"
        ):
            grouped[line_id].append(Allocation(invoice_no, customer_id, amount, fee))
            sources[line_id] = source
        lines = {
            line.line_id: line for line in self._lines_where("line_id IN (SELECT line_id FROM receipt_allocations)", ())
        }
        return [
            Receipt(line_id, lines[line_id].date, lines[line_id].amount, tuple(allocs), sources[line_id])
            for line_id, allocs in grouped.items()
        ]

    def applied_rows(self, until: date | None = None) -> list[dict]:
        """Every applied allocation with its statement line, in date order (for people to read)."""
        query = (
            "SELECT a.line_id, l.date, l.amount, l.payer, a.invoice_no, a.customer_id, a.amount, a.fee, a.kind, "
            "a.source, a.confidence, a.reason FROM receipt_allocations a JOIN statement_lines l USING (line_id)"
            + (" WHERE l.date <= ?" if until else "")
            + " ORDER BY l.date, a.line_id, a.seq"
        )
        keys = (
            "line_id",
            "date",
            "received",
            "payer",
            "invoice_no",
            "customer_id",
            "amount",
            "fee",
            "kind",
            "source",
            "confidence",
            "reason",
        )
        return [
            dict(zip(keys, row, strict=True)) for row in self.db.execute(query, (until.isoformat(),) if until else ())
        ]

    # ---- payer names learned from confirmed receipts ----------------------------------------

    def learn(self, payer_key: str, customer_id: str, line_id: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO payer_names VALUES (?,?,?,?)", (payer_key, customer_id, line_id, _now()))

    def learned(self) -> list[tuple[str, str]]:
        return list(self.db.execute("SELECT payer_key, customer_id FROM payer_names ORDER BY payer_key, customer_id"))
