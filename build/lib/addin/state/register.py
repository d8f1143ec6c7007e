"""The invoice register: gapless numbers allocated in a transaction, immutable content sealed by a
hash chain, and the order lines each invoice covers (so nothing is invoiced twice)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from addin.invoicing.document import canonical, chain_hash, content_hash

SCHEMA = """
CREATE TABLE IF NOT EXISTS invoices (
    seq INTEGER PRIMARY KEY,
    invoice_no TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    content TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    chain_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'issued',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS invoiced_lines (
    line_key TEXT PRIMARY KEY,
    invoice_no TEXT NOT NULL REFERENCES invoices(invoice_no)
);
CREATE TABLE IF NOT EXISTS links (
    invoice_no TEXT NOT NULL,
    relation TEXT NOT NULL,
    other_no TEXT NOT NULL,
    PRIMARY KEY (invoice_no, relation, other_no)
);
CREATE TRIGGER IF NOT EXISTS invoices_immutable BEFORE UPDATE OF seq, invoice_no, kind, customer_id, issue_date,
    content, content_hash, chain_hash, created_at ON invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice is never changed: issue a credit note'); END;
CREATE TRIGGER IF NOT EXISTS invoices_kept BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice is never deleted'); END;
"""


class RegisterProblem(Exception):
    pass


@dataclass(frozen=True)
class Finding:
    invoice_no: str
    code: str        # tampered / chain_broken / gap / duplicate
    detail: str


class InvoiceRegister:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One writer at a time (BEGIN IMMEDIATE); a failure rolls the numbers back with the rows."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def invoiced_keys(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT line_key FROM invoiced_lines")}

    def issue(self, build: Callable[[str], dict], prefix: str, digits: int, line_keys: list[str],
              links: list[tuple[str, str]] = ()) -> dict:
        """Allocate the next number, seal and store the content `build(number)` returns, claim its lines."""
        with self.transaction() as db:
            seq, previous = db.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1, (SELECT chain_hash FROM invoices ORDER BY seq DESC LIMIT 1) FROM invoices"
            ).fetchone()
            number = f"{prefix}{seq:0{digits}d}"
            content = build(number)
            digest = content_hash(content)
            db.execute("INSERT INTO invoices (seq, invoice_no, kind, customer_id, issue_date, content, content_hash,"
                       " chain_hash, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                       (seq, number, content["kind"], content["customer"]["customer_id"], content["issue_date"],
                        canonical(content), digest, chain_hash(previous or "", digest),
                        datetime.now(timezone.utc).isoformat(timespec="seconds")))
            db.executemany("INSERT INTO invoiced_lines (line_key, invoice_no) VALUES (?, ?)",
                           [(key, number) for key in line_keys])
            for relation, other in links:
                db.execute("INSERT INTO links VALUES (?, ?, ?)", (number, relation, other))
                db.execute("INSERT INTO links VALUES (?, ?, ?)", (other, _inverse(relation), number))
            return content

    def release(self, invoice_no: str, status: str = "corrected") -> None:
        """Mark an invoice corrected and free its order lines for a replacement invoice."""
        with self.transaction() as db:
            db.execute("UPDATE invoices SET status = ? WHERE invoice_no = ?", (status, invoice_no))
            db.execute("DELETE FROM invoiced_lines WHERE invoice_no = ?", (invoice_no,))

    def get(self, invoice_no: str) -> dict | None:
        row = self.db.execute("SELECT content, status FROM invoices WHERE invoice_no = ?", (invoice_no,)).fetchone()
        if row is None:
            return None
        return {**json.loads(row[0]), "status": row[1], "links": self.links(invoice_no)}

    def links(self, invoice_no: str) -> list[dict]:
        return [{"relation": r, "invoice_no": o} for r, o in
                self.db.execute("SELECT relation, other_no FROM links WHERE invoice_no = ? ORDER BY other_no", (invoice_no,))]

    def all(self) -> list[dict]:
        rows = self.db.execute("SELECT invoice_no FROM invoices ORDER BY seq").fetchall()
        return [self.get(row[0]) for row in rows]

    def verify(self, prefix: str = "") -> list[Finding]:
        """Every row's content against its hash, the chain, and the numbering (no gaps, no duplicates)."""
        findings, previous, expected = [], "", 1
        numbers = set()
        for seq, number, content, digest, chained in self.db.execute(
                "SELECT seq, invoice_no, content, content_hash, chain_hash FROM invoices ORDER BY seq"):
            if seq != expected:
                findings.append(Finding(number, "gap", f"sequence jumps from {expected - 1} to {seq}"))
            expected = seq + 1
            if number in numbers:
                findings.append(Finding(number, "duplicate", "number used twice"))
            numbers.add(number)
            if content_hash(json.loads(content)) != digest:
                findings.append(Finding(number, "tampered", "content does not match its hash"))
            if chain_hash(previous, digest) != chained:
                findings.append(Finding(number, "chain_broken", "the seal over the previous row does not match"))
            previous = chained
        return findings


def _inverse(relation: str) -> str:
    return {"credits": "credited_by", "replaces": "replaced_by"}.get(relation, f"inverse_of_{relation}")
