"""Issue #12 item 5: every edit of the state database an outsider could make goes around the product —
each one is named by `backoffice verify` (exit 1) and stops the next run (invoice: exit 2, nothing
issued; nightly: a finding in its report)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from addin.cli import main
from addin.invoicing.document import canonical
from addin.state import InvoiceRegister
from tests.test_invoicing import company as invoicing_company, invoice, order

ORDERS = [
    order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10)),
    order("S2", "C2", "P10", 1, 105, "10%", date(2025, 4, 15)),
    order("S3", "C1", "F08", 2, 1000, "8%", date(2025, 5, 10)),
]


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """Three invoices, one corrected (credit note + replacement), a night reconciled: a used register."""
    root = invoicing_company(tmp_path_factory.mktemp("tamper") / "co", [dict(o) for o in ORDERS])
    assert invoice(root, "2025-04-30")[0] == 0
    with sqlite3.connect(root / ".backoffice" / "state.db") as live, sqlite3.connect(root.parent / "early.db") as copy:
        live.backup(copy)  # what an old backup of the database looks like
    assert invoice(root, "2025-05-31")[0] == 0
    assert (
        main(["invoice", str(root), "--through", "2025-05-31", "--correct", "INV-000001", "--date", "2025-06-02"]) == 0
    )
    assert main(["reconcile", str(root), "--once", "--date", "2025-06-03"]) in (0, 1)
    assert main(["verify", str(root)]) == 0
    return root


@pytest.fixture
def co(issued, tmp_path):
    target = tmp_path / "co"
    shutil.copytree(issued, target)
    return target


def edit(root: Path, *statements: str) -> None:
    db = sqlite3.connect(root / ".backoffice" / "state.db")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def detected(root: Path, capsys, code: str) -> None:
    """verify names the edit, and the next invoice run refuses to issue anything."""
    count = InvoiceRegister(root / ".backoffice" / "state.db").count()
    capsys.readouterr()
    assert main(["verify", str(root)]) == 1
    out = capsys.readouterr().out
    assert f"[{code}]" in out, out
    assert main(["invoice", str(root), "--through", "2025-06-30"]) == 2
    assert f"register_{code}" in capsys.readouterr().out
    assert InvoiceRegister(root / ".backoffice" / "state.db").count() == count  # nothing issued on top


def test_deleted_invoiced_lines_are_detected_not_billed_again(co, capsys):
    edit(co, "DELETE FROM invoiced_lines")
    detected(co, capsys, "lines_edited")


def test_an_older_state_db_put_back_is_detected_not_renumbered(co, issued, capsys):
    for name in ("state.db-wal", "state.db-shm"):
        (co / ".backoffice" / name).unlink(missing_ok=True)
    shutil.copy(issued.parent / "early.db", co / ".backoffice" / "state.db")  # the copy from after invoice 2
    capsys.readouterr()
    assert main(["verify", str(co)]) == 1
    out = capsys.readouterr().out
    assert "[register_truncated]" in out and "[document_without_register_row]" in out and "INV-000003" in out
    assert main(["invoice", str(co), "--through", "2025-05-31"]) == 2
    assert InvoiceRegister(co / ".backoffice" / "state.db").count() == 2  # 3 … not reissued


def test_a_recomputed_plain_chain_does_not_hide_an_edited_total(co, capsys):
    db = sqlite3.connect(co / ".backoffice" / "state.db")
    db.execute("DROP TRIGGER invoices_immutable")
    previous = ""
    for seq, content in db.execute("SELECT seq, content FROM invoices ORDER BY seq").fetchall():
        doc = json.loads(content)
        if seq == 2:
            doc["total"] *= 10
        digest = hashlib.sha256(canonical(doc).encode()).hexdigest()
        previous = hashlib.sha256(f"{previous}:{digest}".encode()).hexdigest()  # the old, unkeyed seal
        db.execute(
            "UPDATE invoices SET content = ?, content_hash = ?, chain_hash = ? WHERE seq = ?",
            (canonical(doc), digest, previous, seq),
        )
    db.commit()
    db.close()
    detected(co, capsys, "chain_broken")


def test_the_last_row_deleted_is_detected_by_the_anchors(co, capsys):
    edit(
        co,
        "DROP TRIGGER invoices_kept",
        "DELETE FROM invoiced_lines WHERE invoice_no = (SELECT MAX(invoice_no) FROM invoices)",
        "DELETE FROM invoices WHERE seq = (SELECT MAX(seq) FROM invoices)",
    )
    detected(co, capsys, "register_truncated")


def test_an_edited_status_is_detected(co, capsys):
    edit(co, "UPDATE invoices SET status = 'issued' WHERE invoice_no = 'INV-000001'")
    detected(co, capsys, "status_edited")


@pytest.mark.parametrize(
    "statement, code",
    [
        ("DELETE FROM links WHERE relation = 'replaced_by'", "links_edited"),  # a derived link
        ("INSERT INTO links VALUES ('INV-000002', 'replaces', 'INV-000003')", "chain_broken"),  # a sealed one
        ("UPDATE links SET other_no = 'INV-000002' WHERE relation = 'credits'", "chain_broken"),
    ],
)
def test_edited_links_are_detected(co, capsys, statement, code):
    edit(co, statement)
    detected(co, capsys, code)


@pytest.mark.parametrize(
    "statement, code", [("DELETE FROM runs", "ledger_truncated"), ("DELETE FROM snapshots", "snapshot_edited")]
)
def test_deleted_runs_or_snapshots_are_reported_by_verify_and_the_next_night(co, capsys, statement, code):
    edit(co, statement)
    capsys.readouterr()
    assert main(["verify", str(co)]) == 1
    assert f"[{code}]" in capsys.readouterr().out
    assert main(["reconcile", str(co), "--once", "--date", "2025-06-04"]) == 1
    rep = json.loads((co / "out" / "reconcile" / "2025-06-04" / "report.json").read_text(encoding="utf-8"))
    state = next(c for c in rep["checks"] if c["name"] == "state_integrity")
    assert state["status"] == "findings" and code in {f["key"] for f in state["findings"]}
    assert main(["verify", str(co)]) == 1  # the evidence is not overwritten by the next night
    capsys.readouterr()


def test_a_forged_anchor_and_a_missing_key_are_named(co, capsys):
    anchor = co / ".backoffice" / "anchor.json"
    data = json.loads(anchor.read_text(encoding="utf-8"))
    data["register"]["count"] = 1
    anchor.write_text(json.dumps(data), encoding="utf-8")
    assert main(["verify", str(co)]) == 1
    assert "[anchor_forged]" in capsys.readouterr().out
    (co / ".backoffice" / "register.key").unlink()
    assert main(["verify", str(co)]) == 1
    assert "[key_missing]" in capsys.readouterr().out
    assert main(["invoice", str(co), "--through", "2025-06-30"]) == 2


def test_verify_on_a_database_that_is_not_one_is_exit_2(co, capsys):
    (co / ".backoffice" / "state.db").write_bytes(b"not sqlite at all" * 100)
    for name in ("state.db-wal", "state.db-shm"):
        (co / ".backoffice" / name).unlink(missing_ok=True)
    assert main(["verify", str(co)]) == 2
    assert "state.db" in capsys.readouterr().err
    assert main(["invoice", str(co), "--through", "2025-06-30"]) == 2
    assert "state.db" in capsys.readouterr().err
    assert main(["reconcile", str(co), "--once", "--date", "2025-06-04"]) == 1  # still backs up and reports
    rep = json.loads((co / "out" / "reconcile" / "2025-06-04" / "report.json").read_text(encoding="utf-8"))
    assert {c["name"]: c["status"] for c in rep["checks"]}["state_database"] == "error"
    assert (Path(rep["backup"]) / "sales.xlsx").exists()
    assert "register_truncated" in {f["key"] for c in rep["checks"] for f in c["findings"]}
    capsys.readouterr()
