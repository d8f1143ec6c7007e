"""The statement and receipt store: lines stored once, files whole or not at all, receipts immutable."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat

import pytest

from addin.receivables.matching import Allocation
from addin.receivables.statement import DEPOSIT, StatementLine, identify
from addin.state.receipts import AlreadyApplied, ReceiptStore

D = dt.date


def lines(*days_amounts):
    return identify(
        [
            StatementLine("0009-001-1-1234567", D(2025, m, d), DEPOSIT, amount, "ｶ)ﾄｳｻﾞｲｼﾖｳｼﾞ", reference=str(n))
            for n, (m, d, amount) in enumerate(days_amounts, start=1)
        ]
    )


@pytest.fixture
def store(tmp_path):
    s = ReceiptStore(tmp_path / ".backoffice" / "state.db")
    yield s
    s.close()


def test_same_lines_and_overlapping_lines_are_stored_once(store, tmp_path):
    april_may = lines((4, 30, 1000), (5, 31, 2000))
    assert store.import_lines("sha-a", "a.txt", "zengin", "X", april_may) == 2
    assert store.import_lines("sha-a2", "a-copy.txt", "zengin", "X", april_may) == 0
    may_june = [april_may[1]] + lines((4, 30, 1000), (5, 31, 2000), (6, 30, 3000))[2:]
    assert store.import_lines("sha-b", "b.txt", "zengin", "X", may_june) == 1
    assert [(ln.date, ln.amount) for ln in store.lines()] == [
        (D(2025, 4, 30), 1000),
        (D(2025, 5, 31), 2000),
        (D(2025, 6, 30), 3000),
    ]
    assert store.file_imported("sha-b") and not store.file_imported("sha-c")
    assert [f["new_lines"] for f in store.files()] == [2, 0, 1]
    assert stat.S_IMODE((tmp_path / ".backoffice" / "state.db").stat().st_mode) == 0o600


def test_a_failed_import_leaves_nothing(store):
    bad = lines((4, 30, 1000)) + [StatementLine("X", D(2025, 5, 1), DEPOSIT, 5, "A", line_id=None)]
    with pytest.raises(sqlite3.IntegrityError):
        store.import_lines("sha-bad", "bad.txt", "zengin", "X", bad)  # NULL id: the insert fails midway
    assert store.lines() == [] and not store.file_imported("sha-bad")


def test_receipts_are_applied_once_and_never_changed(store):
    [line] = lines((5, 31, 87_340))
    store.import_lines("sha", "a.txt", "zengin", "X", [line])
    store.apply([(line.line_id, [Allocation("INV-000001", "C0001", 88_000, 660)], "fee", "auto", "0.95", "fee")])
    assert store.applied_by_invoice() == {"INV-000001": 88_000}
    assert store.settled_line_ids() == {line.line_id}
    [receipt] = store.receipts()
    assert (receipt.amount, receipt.allocations) == (87_340, (Allocation("INV-000001", "C0001", 88_000, 660),))
    with pytest.raises(AlreadyApplied):
        store.apply([(line.line_id, [Allocation("INV-000002", "C0001", 87_340)], "exact", "auto", "1", "")])
    for statement in (
        "UPDATE receipt_allocations SET amount = 1",
        "DELETE FROM receipt_allocations",
        "UPDATE statement_lines SET amount = 1",
        "DELETE FROM statement_lines",
    ):
        with pytest.raises(sqlite3.DatabaseError):
            store.db.execute(statement)
    assert store.applied_by_invoice() == {"INV-000001": 88_000}


def test_learned_payer_names(store):
    store.learn("アオバホルデイングス", "C0003", "L1")
    store.learn("アオバホルデイングス", "C0003", "L2")
    assert store.learned() == [("アオバホルデイングス", "C0003")]
