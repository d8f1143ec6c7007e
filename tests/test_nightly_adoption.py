"""An upgraded company: a state.db written before the keyed seal (plain SHA-256 chain, description-based
line keys, no register.key) is named with the exact command that adopts it, `verify --adopt` checks the
old chain fully, re-seals, migrates the line keys and records the adoption; a tampered old chain is
refused and nothing changes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from addin.cli import main
from addin.invoicing.build import build_drafts
from addin.invoicing.document import canonical, content_hash, content_of
from addin.invoicing.settings import InvoiceSettings
from addin.services.company import load_company
from addin.services.validation import validate_company
from addin.state import InvoiceRegister
from addin.state.runs import RunLedger
from addin.tax import tax_rates
from addin.outputs.master_books import write_book
from tests.test_invoicing import CUSTOMERS, company as invoicing_company, order

ORDERS = [
    order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10), description="ペン 黒"),
    order("S1", "C1", "F08", 2, 1000, "8%", date(2025, 4, 11)),
    order("S2", "C2", "P10", 1, 105, "10%", date(2025, 4, 15)),
]

# The register of commit 7fa11fa (git show 7fa11fa:addin/state/register.py): no key, no adoption tables
OLD_SCHEMA = """
CREATE TABLE invoices (seq INTEGER PRIMARY KEY, invoice_no TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    customer_id TEXT NOT NULL, issue_date TEXT NOT NULL, content TEXT NOT NULL, content_hash TEXT NOT NULL,
    chain_hash TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'issued', created_at TEXT NOT NULL);
CREATE TABLE invoiced_lines (line_key TEXT PRIMARY KEY, invoice_no TEXT NOT NULL REFERENCES invoices(invoice_no));
CREATE TABLE links (invoice_no TEXT NOT NULL, relation TEXT NOT NULL, other_no TEXT NOT NULL,
    PRIMARY KEY (invoice_no, relation, other_no));
CREATE TRIGGER invoices_immutable BEFORE UPDATE OF seq, invoice_no, kind, customer_id, issue_date,
    content, content_hash, chain_hash, created_at ON invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice is never changed: issue a credit note'); END;
CREATE TRIGGER invoices_kept BEFORE DELETE ON invoices
    BEGIN SELECT RAISE(ABORT, 'an issued invoice is never deleted'); END;
"""


def old_chain(previous: str, digest: str) -> str:  # 7fa11fa addin/invoicing/document.py chain_hash
    return hashlib.sha256(f"{previous}:{digest}".encode()).hexdigest()


def old_line_key(order_no, sku, description) -> str:  # 7fa11fa addin/invoicing/build.py line_key
    return f"{order_no}|{sku or ''}|{description or ''}"


def legacy_company(root: Path, through: date) -> Path:
    """Invoices issued the way the pre-seal code did: plain chain, description keys, WAL database."""
    invoicing_company(root, [dict(o) for o in ORDERS])
    company = load_company(root)
    checked = validate_company(company, only={"sales", "stock"})
    orders, customers = checked.table("sales", "orders"), checked.table("sales", "customers")
    settings, issuer = InvoiceSettings.from_settings(company.settings)
    drafts, _ = build_drafts(orders, customers, through, set(), set(), tax_rates(company.rulebook, through), settings)
    raw = {int(r): orders.frame.iloc[i] for i, r in enumerate(orders.rows)}
    (root / ".backoffice").mkdir(mode=0o700, exist_ok=True)
    db = sqlite3.connect(root / ".backoffice" / "state.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(OLD_SCHEMA)
    previous = ""
    for seq, draft in enumerate(drafts, 1):
        for line in draft.lines:
            row = raw[line.row]
            line.key = old_line_key(row["order_no"], row["sku"], row["description"])
        number = f"{settings.prefix}{seq:0{settings.digits}d}"
        content = content_of(draft, number, issuer)
        digest = content_hash(content)
        previous = old_chain(previous, digest)
        db.execute(
            "INSERT INTO invoices VALUES (?,?,?,?,?,?,?,?,'issued',?)",
            (
                seq,
                number,
                "invoice",
                draft.customer_id,
                content["issue_date"],
                canonical(content),
                digest,
                previous,
                datetime.now(timezone.utc).isoformat(timespec="seconds"),
            ),
        )
        db.executemany("INSERT INTO invoiced_lines VALUES (?, ?)", [(line.key, number) for line in draft.lines])
    db.close()
    return root


@pytest.fixture
def old(tmp_path):
    return legacy_company(tmp_path / "co", date(2025, 4, 30))


def db_of(root: Path) -> Path:
    return root / ".backoffice" / "state.db"


def rows_of(root: Path) -> list:
    db = sqlite3.connect(db_of(root))
    try:
        return [db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("invoices", "invoiced_lines", "links")]
    finally:
        db.close()


def test_an_old_register_names_the_command_then_is_adopted_and_invoicing_resumes(old, capsys):
    register = InvoiceRegister(db_of(old))
    assert register.count() == 2 and register.unsealed()
    old_head = register.head()[1]
    register.close()
    assert main(["verify", str(old)]) == 1
    out = capsys.readouterr().out
    assert "[key_missing]" in out and f"backoffice verify {old} --adopt" in out
    assert main(["invoice", str(old), "--through", "2025-05-31"]) == 2  # locked out until adopted …
    assert f"backoffice verify {old} --adopt" in capsys.readouterr().out
    assert main(["verify", str(old), "--adopt"]) == 0  # … the command it names
    out = capsys.readouterr().out
    assert "adopted: 2" in out and "3 line key(s) migrated" in out and "all checks hold" in out
    key = old / ".backoffice" / "register.key"
    assert key.is_file() and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert json.loads((old / ".backoffice" / "anchor.json").read_text(encoding="utf-8"))["register"]["count"] == 2
    ledger = RunLedger(db_of(old))
    [event] = ledger.events("register_adopted")
    ledger.close()
    assert (event["rows"], event["old_head"], event["lines_migrated"]) == (2, old_head, 3) and event["adopted_at"]
    register = InvoiceRegister(db_of(old))
    assert register.invoiced_keys() == {"S1#1", "S1#2", "S2#1"} and not register.unsealed() and register.verify() == []
    register.close()
    # nothing is billed twice; a new order gets the next number
    assert main(["invoice", str(old), "--through", "2025-04-30"]) == 0
    company = load_company(old)
    write_book(
        company.book_path("sales"),
        company.books["sales"],
        {
            "customers": CUSTOMERS,
            "orders": [dict(o) for o in ORDERS] + [order("S3", "C1", "P10", 1, 105, "10%", date(2025, 5, 12))],
        },
    )
    capsys.readouterr()
    assert main(["invoice", str(old), "--through", "2025-05-31"]) == 0
    summary = json.loads((old / "out" / "invoices" / "summary.json").read_text(encoding="utf-8"))["invoices"]
    assert [i["invoice_no"] for i in summary] == ["INV-000001", "INV-000002", "INV-000003"]
    assert main(["verify", str(old)]) == 0
    # a second adoption is refused: the register is sealed now
    assert main(["verify", str(old), "--adopt"]) == 2
    assert "already sealed" in capsys.readouterr().err


def test_a_migrated_key_is_sealed_in_the_adoption(old, capsys):
    assert main(["verify", str(old), "--adopt"]) == 0
    db = sqlite3.connect(db_of(old))
    db.execute("UPDATE line_key_map SET new_key = 'S1#9' WHERE new_key = 'S1#2'")
    db.commit()
    db.close()
    capsys.readouterr()
    assert main(["verify", str(old)]) == 1
    assert "[key_map_edited]" in capsys.readouterr().out


def test_a_tampered_old_chain_is_refused_and_nothing_changes(old, capsys):
    db = sqlite3.connect(db_of(old))
    content = json.loads(db.execute("SELECT content FROM invoices WHERE seq = 1").fetchone()[0])
    content["total"] *= 10
    db.execute("DROP TRIGGER invoices_immutable")  # what a hostile edit does, hash recomputed, chain not
    db.execute(
        "UPDATE invoices SET content = ?, content_hash = ? WHERE seq = 1", (canonical(content), content_hash(content))
    )
    db.commit()
    db.close()
    before = rows_of(old)
    assert main(["verify", str(old), "--adopt"]) == 2
    err = capsys.readouterr().err
    assert "INV-000001: [chain_broken]" in err and "nothing adopted" in err
    assert not (old / ".backoffice" / "register.key").exists() and rows_of(old) == before


def test_a_deleted_invoiced_line_in_the_old_register_is_refused(old, capsys):
    db = sqlite3.connect(db_of(old))
    db.execute("DELETE FROM invoiced_lines WHERE line_key LIKE 'S2|%'")
    db.commit()
    db.close()
    assert main(["verify", str(old), "--adopt"]) == 2
    assert "[lines_edited] invoiced line S2|P10|nan: missing" in capsys.readouterr().err


def test_a_line_edited_since_it_was_invoiced_is_found_by_elimination_then_needs_a_correction(old, capsys):
    company = load_company(old)
    edited = [dict(o) for o in ORDERS]
    edited[0]["description"] = "ペン 赤"  # the old key held the description
    write_book(company.book_path("sales"), company.books["sales"], {"customers": CUSTOMERS, "orders": edited})
    assert main(["verify", str(old), "--adopt"]) == 0
    assert "3 line key(s) migrated" in capsys.readouterr().out
    register = InvoiceRegister(db_of(old))
    assert register.key_map()["S1|P10|ペン 黒"] == "S1#1" and register.verify() == []
    register.close()
    assert main(["invoice", str(old), "--through", "2025-04-30"]) == 1  # reported at its cell, not billed again
    out = capsys.readouterr().out
    assert "invoiced_line_edited" in out and "--correct INV-000002" in out


def test_lines_that_cannot_be_told_apart_are_reported_not_guessed(old, capsys):
    company = load_company(old)
    edited = [dict(o) for o in ORDERS]
    edited[0]["description"] = "ペン 赤"
    edited.insert(1, dict(edited[0], description="ペン 青"))  # two rows of S1 left for one old key
    write_book(company.book_path("sales"), company.books["sales"], {"customers": CUSTOMERS, "orders": edited})
    assert main(["verify", str(old), "--adopt"]) == 1
    out = capsys.readouterr().out
    assert "[line_key_unmatched] S1|P10|ペン 黒" in out and "2 line key(s) migrated" in out
    register = InvoiceRegister(db_of(old))
    assert "S1|P10|ペン 黒" in register.invoiced_keys() and register.verify() == []
    register.close()
    assert main(["reconcile", str(old), "--once", "--date", "2025-05-01"]) == 1  # and every night after
    rep = json.loads((old / "out" / "reconcile" / "2025-05-01" / "report.json").read_text(encoding="utf-8"))
    orphan = next(c for c in rep["checks"] if c["name"] == "invoices_without_order")
    assert [f["key"] for f in orphan["findings"]] == ["INV-000002"]


def test_a_nightly_run_before_adoption_leaves_it_possible(old, capsys):
    assert main(["reconcile", str(old), "--once", "--date", "2025-05-01"]) == 1
    rep = json.loads((old / "out" / "reconcile" / "2025-05-01" / "report.json").read_text(encoding="utf-8"))
    register = next(c for c in rep["checks"] if c["name"] == "invoice_register")
    assert f"backoffice verify {old} --adopt" in register["findings"][0]["message_en"]
    assert rep["anchor"] == {} and not (old / ".backoffice" / "anchor.json").exists()
    assert main(["verify", str(old), "--adopt"]) == 0
    main(["reconcile", str(old), "--once", "--date", "2025-05-02"])
    rep = json.loads((old / "out" / "reconcile" / "2025-05-02" / "report.json").read_text(encoding="utf-8"))
    status = {c["name"]: c["status"] for c in rep["checks"]}
    assert (status["invoice_register"], status["state_integrity"], status["invoices_without_order"]) == ("pass",) * 3
    assert rep["anchor"]["register"]["count"] == 2
    capsys.readouterr()


def test_a_sealed_register_whose_key_was_lost_is_not_adopted(tmp_path, capsys):
    root = invoicing_company(tmp_path / "co", [dict(o) for o in ORDERS])
    assert main(["invoice", str(root), "--through", "2025-04-30"]) == 0
    (root / ".backoffice" / "register.key").unlink()
    capsys.readouterr()
    assert main(["verify", str(root)]) == 1
    assert "restore .backoffice/register.key from a backup" in capsys.readouterr().out
    assert main(["verify", str(root), "--adopt"]) == 2
    assert "already sealed" in capsys.readouterr().err


def test_a_plain_chain_recomputed_over_a_sealed_register_is_not_adopted(tmp_path, capsys):
    """The attack of issue #12 item 5 through the new door: recompute the old chain over an edited, sealed
    register and ask for an adoption. The anchors saw the register sealed: refused, nothing changed."""
    root = invoicing_company(tmp_path / "co", [dict(o) for o in ORDERS])
    assert main(["invoice", str(root), "--through", "2025-04-30"]) == 0
    db = sqlite3.connect(db_of(root))
    db.execute("DROP TRIGGER invoices_immutable")
    previous = ""
    for seq, content in db.execute("SELECT seq, content FROM invoices ORDER BY seq").fetchall():
        doc = json.loads(content)
        doc["total"] *= 10
        previous = old_chain(previous, content_hash(doc))
        db.execute(
            "UPDATE invoices SET content = ?, content_hash = ?, chain_hash = ? WHERE seq = ?",
            (canonical(doc), content_hash(doc), previous, seq),
        )
    db.commit()
    db.close()
    capsys.readouterr()
    assert main(["verify", str(root)]) == 1
    out = capsys.readouterr().out
    assert "[chain_broken]" in out and "[register_rolled_back]" in out
    before = rows_of(root)
    assert main(["verify", str(root), "--adopt"]) == 2
    assert "an anchor recorded a sealed register" in capsys.readouterr().err
    assert rows_of(root) == before
