"""The run ledger and the nightly snapshots of the master tables (for the change audit)."""

from __future__ import annotations

import hashlib
import json
import zlib

import numpy as np
from datetime import datetime, timezone
from pathlib import Path

from addin.state.files import connect, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_date TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    status TEXT NOT NULL,
    findings INTEGER NOT NULL,
    report TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    run_date TEXT NOT NULL,
    book TEXT NOT NULL,
    sheet TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (run_date, book, sheet)
);
"""


class RunLedger:
    def __init__(self, path: Path):
        self.db = connect(Path(path))
        self.db.executescript(SCHEMA)

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def has_run(self, run_date: str) -> bool:
        return self.db.execute("SELECT 1 FROM runs WHERE run_date = ?", (run_date,)).fetchone() is not None

    def snapshot_digest(self, run_date: str) -> str:
        """One digest over a night's stored snapshots (an anchor outside the database keeps it)."""
        digest = hashlib.sha256()
        for book, sheet, data in self.db.execute(
            "SELECT book, sheet, data FROM snapshots WHERE run_date = ? ORDER BY book, sheet", (run_date,)
        ):
            digest.update(f"{book}\0{sheet}\0{len(data)}\0".encode() + bytes(data))
        return digest.hexdigest()

    def head(self, run_date: str) -> dict:
        """What an anchor remembers of the ledger after the night `run_date` was recorded."""
        return {"runs": self.count(), "last_run": run_date, "snapshot": self.snapshot_digest(run_date)}

    def close(self) -> None:
        self.db.close()

    def last_success_before(self, run_date: str) -> str | None:
        row = self.db.execute(
            "SELECT MAX(run_date) FROM runs WHERE run_date < ? AND status != 'failed'", (run_date,)
        ).fetchone()
        return row[0]

    def snapshot(self, run_date: str) -> dict[tuple[str, str], dict]:
        rows = self.db.execute("SELECT book, sheet, data FROM snapshots WHERE run_date = ?", (run_date,))
        return {(book, sheet): decode(data) for book, sheet, data in rows}

    def record(
        self,
        run_date: str,
        started: str,
        status: str,
        findings: int,
        report: str,
        snapshots: dict[tuple[str, str], dict],
    ) -> None:
        """The night's snapshots and its ledger line, in one transaction (all or nothing)."""
        with transaction(self.db):
            self.db.execute("DELETE FROM snapshots WHERE run_date = ?", (run_date,))
            self.db.executemany(
                "INSERT INTO snapshots VALUES (?, ?, ?, ?)",
                [(run_date, book, sheet, encode(data)) for (book, sheet), data in snapshots.items()],
            )
            self.db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?)",
                (run_date, started, datetime.now(timezone.utc).isoformat(timespec="seconds"), status, findings, report),
            )

    def record_event(self, kind: str, detail: dict) -> None:
        """Something done to the company's state outside a night (e.g. a register adopted): kept, dated."""
        self.db.execute(
            "INSERT INTO events VALUES (?, ?, ?)",
            (datetime.now(timezone.utc).isoformat(timespec="seconds"), kind, json.dumps(detail, ensure_ascii=False)),
        )

    def events(self, kind: str) -> list[dict]:
        return [
            {"at": at, **json.loads(detail)}
            for at, detail in self.db.execute("SELECT at, detail FROM events WHERE kind = ? ORDER BY rowid", (kind,))
        ]

    def history(self, until: str, nights: int = 30) -> list[tuple[str, str, int]]:
        rows = self.db.execute(
            "SELECT run_date, status, findings FROM runs WHERE run_date <= ? ORDER BY run_date DESC LIMIT ?",
            (until, nights),
        ).fetchall()
        return list(reversed(rows))


def encode(data: dict) -> bytes:
    """A snapshot as bytes: JSON, except row digests (numpy arrays), which are stored raw."""
    arrays = {k: v for k, v in data.items() if isinstance(v, np.ndarray)}
    plain = {k: v for k, v in data.items() if k not in arrays}
    head = json.dumps(
        {"plain": plain, "arrays": {k: [str(v.dtype), len(v)] for k, v in arrays.items()}}, ensure_ascii=False
    ).encode()
    body = b"".join(v.tobytes() for v in arrays.values())
    return zlib.compress(len(head).to_bytes(8, "little") + head + body, 1)


def decode(blob: bytes) -> dict:
    raw = zlib.decompress(blob)
    size = int.from_bytes(raw[:8], "little")
    head = json.loads(raw[8 : 8 + size])
    data, offset = dict(head["plain"]), 8 + size
    for key, (dtype, count) in head["arrays"].items():
        array = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
        data[key] = array
        offset += array.nbytes
    return data
