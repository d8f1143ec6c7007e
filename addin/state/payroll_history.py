"""The payroll history (給与・賞与の確定記録): what each closed month and bonus paid, per employee.

A close is never edited or deleted (SQLite triggers refuse it); reopening adds a record with the
reason, who and when, after which the period may be closed again as a new close. The active close of
a period is its latest close that has not been reopened.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from addin.state.files import connect, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS payroll_closes (
    close_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,                 -- 'month' (work month YYYY-MM) or 'bonus' (pay date YYYY-MM-DD)
    period TEXT NOT NULL,
    pay_date TEXT NOT NULL,
    outputs_hash TEXT NOT NULL,         -- sha256 over the output folder's files (names and bytes)
    header TEXT NOT NULL,               -- summary.json without its employees (totals, zengin, …)
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payroll_lines (
    close_id INTEGER NOT NULL REFERENCES payroll_closes(close_id),
    employee_id TEXT NOT NULL,
    pay_date TEXT NOT NULL,
    figures TEXT NOT NULL,              -- the employee's line of summary.json, as JSON
    PRIMARY KEY (close_id, employee_id)
);
CREATE INDEX IF NOT EXISTS payroll_lines_by_pay_date ON payroll_lines (pay_date);
CREATE TABLE IF NOT EXISTS payroll_reopens (
    close_id INTEGER PRIMARY KEY REFERENCES payroll_closes(close_id),
    reason TEXT NOT NULL,
    reopened_by TEXT NOT NULL,
    reopened_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS payroll_closes_kept_u BEFORE UPDATE ON payroll_closes
BEGIN SELECT RAISE(ABORT, 'a closed payroll is never changed: reopen it with a reason'); END;
CREATE TRIGGER IF NOT EXISTS payroll_closes_kept_d BEFORE DELETE ON payroll_closes
BEGIN SELECT RAISE(ABORT, 'a closed payroll is never deleted'); END;
CREATE TRIGGER IF NOT EXISTS payroll_lines_kept_u BEFORE UPDATE ON payroll_lines
BEGIN SELECT RAISE(ABORT, 'a closed payroll is never changed'); END;
CREATE TRIGGER IF NOT EXISTS payroll_lines_kept_d BEFORE DELETE ON payroll_lines
BEGIN SELECT RAISE(ABORT, 'a closed payroll is never deleted'); END;
CREATE TRIGGER IF NOT EXISTS payroll_reopens_kept_u BEFORE UPDATE ON payroll_reopens
BEGIN SELECT RAISE(ABORT, 'a reopen record is never changed'); END;
CREATE TRIGGER IF NOT EXISTS payroll_reopens_kept_d BEFORE DELETE ON payroll_reopens
BEGIN SELECT RAISE(ABORT, 'a reopen record is never deleted'); END;
"""

ACTIVE = "c.close_id NOT IN (SELECT close_id FROM payroll_reopens)"


class HistoryProblem(Exception):
    """A close or reopen that the history refuses (already closed, not closed)."""


@dataclass(frozen=True)
class ClosedPeriod:
    close_id: int
    kind: str
    period: str
    pay_date: str
    outputs_hash: str
    header: dict
    closed_at: str
    closed_by: str


@dataclass(frozen=True)
class HistoryEvent:
    """One line of a period's story: a close, or the reopen of that close."""

    action: str  # 'close' / 'reopen'
    close_id: int
    at: str
    by: str
    reason: str = ""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class PayrollHistory:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = connect(self.path)  # created owner-only (salaries are inside), -wal and -shm too
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "PayrollHistory":
        return self

    def __exit__(self, *_) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with transaction(self.db) as db:
            yield db

    @staticmethod
    def _closed(row) -> ClosedPeriod:
        return ClosedPeriod(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7])

    def active(self, kind: str, period: str) -> ClosedPeriod | None:
        row = self.db.execute(
            f"SELECT * FROM payroll_closes c WHERE kind = ? AND period = ? AND {ACTIVE} ORDER BY close_id DESC LIMIT 1",
            (kind, period),
        ).fetchone()
        return self._closed(row) if row else None

    def closed_periods(self, kind: str | None = None) -> list[ClosedPeriod]:
        where = f"WHERE {ACTIVE}" + (" AND kind = ?" if kind else "")
        rows = self.db.execute(
            f"SELECT * FROM payroll_closes c {where} ORDER BY pay_date, close_id", (kind,) if kind else ()
        ).fetchall()
        return [self._closed(r) for r in rows]

    def lines(self, close_id: int) -> dict[str, dict]:
        return {
            e: json.loads(f)
            for e, f in self.db.execute(
                "SELECT employee_id, figures FROM payroll_lines WHERE close_id = ?", (close_id,)
            )
        }

    def paid_between(self, first: str, last: str) -> list[tuple[str, str, str, dict]]:
        """(kind, period, pay date, figures) of every active close's lines paid first ≤ date ≤ last (ISO)."""
        rows = self.db.execute(
            "SELECT c.kind, c.period, l.pay_date, l.figures FROM payroll_lines l JOIN payroll_closes c USING "
            "(close_id)"
            f" WHERE l.pay_date BETWEEN ? AND ? AND {ACTIVE} ORDER BY l.pay_date, c.close_id",
            (first, last),
        )
        return [(k, p, d, json.loads(f)) for k, p, d, f in rows]

    def figures_between(self, first: str, last: str, kind: str, fields: list[str]) -> list[tuple]:
        """(period, pay date, employee id, *fields) of one kind's active lines paid first ≤ date ≤ last,
        picked out by SQLite (json_extract) — much faster than decoding whole lines for a few figures."""
        picks = ", ".join(f"json_extract(l.figures, '$.{f}')" for f in fields)
        return self.db.execute(
            f"SELECT c.period, l.pay_date, l.employee_id{', ' + picks if picks else ''} FROM payroll_lines l"
            f" JOIN payroll_closes c USING (close_id) WHERE l.pay_date BETWEEN ? AND ? AND c.kind = ? AND {ACTIVE}"
            f" ORDER BY l.pay_date, c.close_id",
            (first, last, kind),
        ).fetchall()

    def record_close(
        self, kind: str, period: str, pay_date: str, outputs_hash: str, header: dict, employees: list[dict], by: str
    ) -> int:
        """Record a period as closed with every employee's figures, in one transaction."""
        with self._transaction() as db:
            if self.active(kind, period) is not None:
                raise HistoryProblem(f"{kind} {period} is already closed")
            cursor = db.execute(
                "INSERT INTO payroll_closes (kind, period, pay_date, outputs_hash, header, closed_at, closed_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    period,
                    pay_date,
                    outputs_hash,
                    json.dumps(header, ensure_ascii=False, sort_keys=True),
                    _now(),
                    by,
                ),
            )
            close_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO payroll_lines VALUES (?, ?, ?, ?)",
                [
                    (close_id, str(e["employee_id"]), pay_date, json.dumps(e, ensure_ascii=False, sort_keys=True))
                    for e in employees
                ],
            )
            return close_id

    def reopen(self, kind: str, period: str, reason: str, by: str) -> ClosedPeriod:
        if not reason.strip():
            raise HistoryProblem("a reopen needs a reason")
        with self._transaction() as db:
            closed = self.active(kind, period)
            if closed is None:
                raise HistoryProblem(f"{kind} {period} is not closed")
            db.execute("INSERT INTO payroll_reopens VALUES (?, ?, ?, ?)", (closed.close_id, reason.strip(), by, _now()))
            return closed

    def events(self, kind: str, period: str) -> list[HistoryEvent]:
        out = []
        for close_id, closed_at, closed_by, reason, reopened_by, reopened_at in self.db.execute(
            "SELECT c.close_id, c.closed_at, c.closed_by, r.reason, r.reopened_by, r.reopened_at FROM payroll_closes c"
            " LEFT JOIN payroll_reopens r USING (close_id) WHERE kind = ? AND period = ? ORDER BY close_id",
            (kind, period),
        ):
            out.append(HistoryEvent("close", close_id, closed_at, closed_by))
            if reason is not None:
                out.append(HistoryEvent("reopen", close_id, reopened_at, reopened_by, reason))
        return out
