"""Which vendor bills went into which payment file: a bill is put in one transfer file only.

A rerun for the same pay date rebuilds the same file (its bills are its own); a later pay date leaves
out every bill an earlier file already carried. Rows are never edited or deleted (triggers); a file
the bank rejected is released with a new record, not by removing the old one.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from addin.state.files import connect, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS vendor_bill_payments (
    vendor_id TEXT NOT NULL,
    bill_no TEXT NOT NULL,
    pay_by TEXT NOT NULL,
    amount INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (vendor_id, bill_no)
);
CREATE TRIGGER IF NOT EXISTS vendor_bill_payments_kept BEFORE UPDATE ON vendor_bill_payments
BEGIN SELECT RAISE(ABORT, 'vendor bill payments are never edited'); END;
CREATE TRIGGER IF NOT EXISTS vendor_bill_payments_not_deleted BEFORE DELETE ON vendor_bill_payments
BEGIN SELECT RAISE(ABORT, 'vendor bill payments are never deleted'); END;
"""


class VendorPayments:
    def __init__(self, path: Path):
        self.db = connect(Path(path))
        self.db.executescript(SCHEMA)

    def __enter__(self) -> "VendorPayments":
        return self

    def __exit__(self, *_) -> None:
        self.db.close()

    def paid_elsewhere(self, pay_by: str) -> set[tuple[str, str]]:
        """(vendor_id, bill_no) of every bill a payment file of another pay date carried."""
        rows = self.db.execute("SELECT vendor_id, bill_no FROM vendor_bill_payments WHERE pay_by <> ?", (pay_by,))
        return {(str(v), str(b)) for v, b in rows}

    def record(self, pay_by: str, bills: list[tuple[str, str, int]]) -> int:
        """Record the (vendor_id, bill_no, amount) a file of `pay_by` carries; those already recorded
        for this pay date stay as they were. Returns how many were new."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with transaction(self.db):
            before = self.db.total_changes
            self.db.executemany(
                "INSERT OR IGNORE INTO vendor_bill_payments VALUES (?, ?, ?, ?, ?)",
                [(v, b, pay_by, int(a), now) for v, b, a in bills],
            )
            added = self.db.total_changes - before
        return added
