"""Issue #12 item 7: every file the product writes, listed with its mode — owner-only (0600 files,
0700 folders) whatever the umask, because each one holds personal or business data."""

from __future__ import annotations

import fnmatch
import os
import stat

import pytest

from addin.cli import main
from addin.state import InvoiceRegister

#: (path pattern inside the company folder, mode): everything the commands below write
WRITTEN = [
    ("backoffice.toml", 0o600),
    ("*.xlsx", 0o600),  # init / demo: settings, books, invoices.xlsx
    (".backoffice", 0o700),
    (".backoffice/state.db", 0o600),
    (".backoffice/register.key", 0o600),
    (".backoffice/anchor.json", 0o600),
    (".backoffice/reconcile.lock", 0o600),
    (".backoffice/logs", 0o700),
    (".backoffice/logs/reconcile.log", 0o600),
    (".backoffice/tmp", 0o700),
    (".backoffice/backups", 0o700),
    (".backoffice/backups/2026-04-01", 0o700),
    (".backoffice/backups/2026-04-01/*", 0o600),
    (".backoffice/backups/pre-restore", 0o700),
    (".backoffice/backups/pre-restore/2026-04-01-*", 0o700),
    (".backoffice/backups/pre-restore/2026-04-01-*/staff.xlsx", 0o600),
    (".backoffice/backups/pre-init", 0o700),
    (".backoffice/backups/pre-init/*", 0o700),
    (".backoffice/backups/pre-init/*/*.xlsx", 0o600),
    ("out", 0o700),
    ("out/validation.xlsx", 0o600),
    ("out/invoices", 0o700),
    ("out/invoices/INV-*.pdf", 0o600),
    ("out/invoices/INV-*.xlsx", 0o600),
    ("out/invoices/summary.json", 0o600),
    ("out/tax", 0o700),
    ("out/tax/summary.*", 0o600),
    ("out/payroll", 0o700),
    ("out/payroll/2026-03", 0o700),
    ("out/payroll/2026-03/*", 0o600),
    ("out/payroll/2026-03/payslips", 0o700),
    ("out/payroll/2026-03/payslips/*.pdf", 0o600),  # the later entry wins
    ("out/payments", 0o700),
    ("out/payments/2026-03-31", 0o700),
    ("out/payments/2026-03-31/*", 0o600),
    ("out/stock", 0o700),
    ("out/stock/2026-03-31", 0o700),
    ("out/stock/2026-03-31/*", 0o600),
    ("out/reconcile", 0o700),
    ("out/reconcile/2026-04-01", 0o700),
    ("out/reconcile/2026-04-01/report.*", 0o600),
]


@pytest.fixture
def careless_umask():
    """The most permissive umask a machine can have: modes must not depend on it."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_every_file_the_product_writes_is_owner_only(demo_copy, careless_umask, capsys):
    root = demo_copy  # the books as init/demo wrote them
    for argv in (
        ["validate"],
        ["payroll", "--month", "2026-03"],
        ["invoice", "--through", "2026-03-31"],
        ["stock", "--as-of", "2026-03-31"],
        ["reconcile", "--once", "--date", "2026-04-01"],
        ["restore", "--date", "2026-04-01", "--book", "staff.xlsx"],
        ["verify"],
        ["init", "--force"],
    ):
        assert main([argv[0], str(root), *argv[1:]]) in (0, 1), argv
    listing = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        listing[rel] = stat.S_IMODE(path.lstat().st_mode)
        matches = [mode for pattern, mode in WRITTEN if fnmatch.fnmatch(rel, pattern)]
        assert matches, f"{rel} is written but not in the listing"
        assert listing[rel] == matches[-1], f"{rel}: {oct(listing[rel])}, expected {oct(matches[-1])}"
    unused = [p for p, _ in WRITTEN if not any(fnmatch.fnmatch(rel, p) for rel in listing)]
    assert unused == [], unused
    assert main(["init", str(root.parent / "new")]) == 0
    assert stat.S_IMODE((root.parent / "new").stat().st_mode) == 0o700  # a company folder init creates
    capsys.readouterr()


def test_the_database_its_wal_and_shm_are_owner_only_while_open(tmp_path, careless_umask):
    register = InvoiceRegister(tmp_path / ".backoffice" / "state.db")
    register.db.execute("CREATE TABLE IF NOT EXISTS t (x)")
    register.db.execute("INSERT INTO t VALUES (1)")
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / ".backoffice").iterdir()}
    register.close()
    assert files == {"state.db": 0o600, "state.db-wal": 0o600, "state.db-shm": 0o600, "register.key": 0o600}
    assert stat.S_IMODE((tmp_path / ".backoffice").stat().st_mode) == 0o700


def test_an_existing_open_state_folder_is_tightened_and_verify_names_loose_files(tmp_path, careless_umask, capsys):
    root = tmp_path / "co"
    assert main(["init", str(root)]) == 0
    state = root / ".backoffice"
    state.mkdir(mode=0o755)
    (state / "notes.txt").write_text("left by hand", encoding="utf-8")
    os.chmod(state / "notes.txt", 0o644)
    assert main(["verify", str(root)]) == 1
    out = capsys.readouterr().out
    assert "[not_private]" in out and ".backoffice/notes.txt: [not_private] 0o644" in out
