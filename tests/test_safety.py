"""Issue #12, "nothing lost, nothing let in": one test per numbered finding that is not the reader's,
each reproducing the attack and proving the fix — exit code, message, files untouched, nothing written
outside the company folder."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest

from addin.cli import main
from addin.reconcile import run as night_module
from addin.reconcile.run import nightly_run
from addin.services.company import load_company
from addin.state import InvoiceRegister
from addin.outputs.master_books import write_book
from tests.test_invoicing import CUSTOMERS, company as invoicing_company, invoice, order

NIGHT = "2026-04-01"


@pytest.fixture
def company(demo_copy):
    """A private copy of the session's demo company (conftest)."""
    return demo_copy


@pytest.fixture(scope="module")
def nights(demo_template, tmp_path_factory):
    """The demo company after one night's reconcile, run once per night for the module; read-only."""
    done = {}

    def after(night: str) -> Path:
        if night not in done:
            root = tmp_path_factory.mktemp("night") / "co"
            shutil.copytree(demo_template, root)
            assert main(["reconcile", str(root), "--once", "--date", night]) in (0, 1)
            done[night] = root
        return done[night]

    return after


@pytest.fixture
def after_night(nights, tmp_path):
    """`after_night(night)`: a private copy of the demo company as that night's reconcile left it."""

    def copy(night: str) -> Path:
        return shutil.copytree(nights(night), tmp_path / "co")

    return copy


def digests(root: Path) -> dict[str, str]:
    """Every file under root (relative path → sha256): what 'untouched' means."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def outside(company: Path) -> set[str]:
    """Files beside (not inside) the company folder."""
    return {str(p) for p in company.parent.rglob("*") if company not in p.parents and p != company}


def set_setting(root: Path, section: str, line: str) -> None:
    """Put `line` (key = value) into [section] of backoffice.toml, replacing that key if present."""
    lines = (root / "backoffice.toml").read_text(encoding="utf-8").splitlines()
    keys = {part.split("=")[0].strip() for part in line.splitlines()}
    out, current, placed = [], "", False
    for text in lines:
        if text.startswith("["):
            if current == section and not placed:
                out.append(line)
                placed = True
            current = text.split("]")[0].strip("[")
        if current == section and text.split("=")[0].strip() in keys:
            continue
        out.append(text)
    if not placed:
        out += ([] if current == section else [f"[{section}]"]) + [line]
    (root / "backoffice.toml").write_text("\n".join(out) + "\n", encoding="utf-8")


def masters(root: Path) -> dict[str, str]:
    return {k: v for k, v in digests(root).items() if "/" not in k and k.endswith(".xlsx") and k != "invoices.xlsx"}


# 1 ─ init never replaces a company's books


def test_1_init_refuses_an_existing_company_and_force_sets_the_books_aside(company, capsys):
    before = masters(company)
    assert main(["init", str(company)]) == 2
    err = capsys.readouterr().err
    assert "上書きしません" in err and "--force" in err and "sales.xlsx" in err
    assert masters(company) == before
    assert main(["init", str(company), "--force"]) == 0
    (aside,) = (company / ".backoffice" / "backups" / "pre-init").iterdir()
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in aside.iterdir()} == before
    assert oct(aside.stat().st_mode & 0o777) == "0o700"
    assert masters(company) != before  # empty books now, the old ones kept aside


def test_1_init_on_a_file_is_a_located_refusal(tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    assert main(["init", str(target)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "mine" and sorted(tmp_path.iterdir()) == [target]


# 2 ─ restore is confined to the backup's own listing, atomic, and keeps every set-aside version


def test_2_restore_takes_names_from_the_backup_listing_only(after_night, capsys):
    company = after_night(NIGHT)
    before, beside = digests(company), outside(company)
    for hostile in [
        "../../state.db",
        "../state.db",
        f"../{NIGHT}/staff.xlsx",
        "",
        ".",
        "/etc/passwd",
        "staff.xlsx/..",
        "..",
        "pre-restore",
    ]:
        assert main(["restore", str(company), "--date", NIGHT, "--book", hostile]) == 2, hostile
        assert "not a workbook in the backup" in capsys.readouterr().err
    for night in ["../..", "2026-13-01", "", "2026-04-01/../../x"]:
        assert main(["restore", str(company), "--date", night]) == 2
        assert "no backup named" in capsys.readouterr().err
    assert digests(company) == before and outside(company) == beside


def test_2_two_restores_keep_both_set_aside_versions_and_the_mode(after_night, capsys):
    company = after_night(NIGHT)
    staff = company / "staff.xlsx"
    original = staff.read_bytes()
    os.chmod(staff, 0o640)  # the office's own sharing choice
    versions = []
    for text in (b"monday's work", b"tuesday's work"):
        staff.write_bytes(text)
        assert main(["restore", str(company), "--date", NIGHT, "--book", "staff.xlsx"]) == 0
        versions.append(text)
        assert staff.read_bytes() == original and staff.stat().st_mode & 0o777 == 0o640
        time.sleep(0.002)
    kept = sorted((company / ".backoffice" / "backups" / "pre-restore").glob(f"{NIGHT}-*/staff.xlsx"))
    assert [p.read_bytes() for p in kept] == versions  # today's version is never overwritten
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in kept)
    capsys.readouterr()


# 3 ─ backups are append-only; retention is validated and never removes tonight's


def test_3_a_rerun_for_a_past_night_writes_beside_its_backup(company, capsys):
    assert main(["reconcile", str(company), "--once", "--date", "2026-03-31"]) in (0, 1)
    backups = company / ".backoffice" / "backups"
    first = digests(backups / "2026-03-31")
    assert main(["reconcile", str(company), "--once", "--date", "2026-03-31"]) in (0, 1)
    assert sorted(p.name for p in backups.iterdir() if p.name.startswith("2026")) == ["2026-03-31"]  # same bytes
    (company / "stock.xlsx").write_bytes((company / "stock.xlsx").read_bytes())  # untouched content …
    write_book(load_company(company).book_path("sales"), load_company(company).books["sales"], {})  # … damaged sales
    assert main(["reconcile", str(company), "--once", "--date", "2026-03-31"]) in (0, 1)
    assert digests(backups / "2026-03-31") == first
    rep = json.loads((company / "out" / "reconcile" / "2026-03-31" / "report.json").read_text(encoding="utf-8"))
    assert rep["backup"].endswith("2026-03-31.2") and (backups / "2026-03-31.2" / "sales.xlsx").exists()
    capsys.readouterr()


def _retention(company: Path, daily) -> None:
    (company / "rules").mkdir(exist_ok=True)
    (company / "rules" / "keep.yaml").write_text(
        f"reconcile:\n  backups: {{daily: {daily}, weekly: 0, monthly: 0}}\n", encoding="utf-8"
    )


@pytest.mark.parametrize("daily", [-5, 0, "'x'", 1.5, "true"])
def test_3_retention_values_are_checked_before_anything_is_pruned(after_night, capsys, daily):
    company = after_night("2026-03-30")
    _retention(company, daily)
    assert main(["reconcile", str(company), "--once", "--date", NIGHT]) == 2
    out = capsys.readouterr().out
    assert "backups.daily" in out and "≥ 1" in out
    assert (company / ".backoffice" / "backups" / "2026-03-30" / "staff.xlsx").exists()


def test_3_pruning_never_removes_the_backup_the_report_names(after_night, capsys):
    company = after_night("2026-04-02")
    _retention(company, 1)
    assert main(["reconcile", str(company), "--once", "--date", NIGHT]) in (0, 1)  # an older night, rerun later
    rep = json.loads((company / "out" / "reconcile" / NIGHT / "report.json").read_text(encoding="utf-8"))
    assert Path(rep["backup"]).name == NIGHT and (Path(rep["backup"]) / "staff.xlsx").exists()
    capsys.readouterr()


# 4 ─ an edit to an invoiced line is reported, never billed again


def test_4_editing_an_invoiced_line_is_reported_at_its_cell_not_billed_twice(tmp_path, capsys):
    orders = [
        order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10)),
        order("S1", "C1", "F08", 1, 1000, "8%", date(2025, 4, 10)),
    ]
    root = invoicing_company(tmp_path, orders)
    assert invoice(root, "2025-04-30")[0] == 0
    orders[0]["description"] = "ペン（青）"  # the description is edited afterwards
    orders[1]["qty"] = 2  # and a quantity
    books = load_company(root)
    write_book(books.book_path("sales"), books.books["sales"], {"customers": CUSTOMERS, "orders": orders})
    code, issued = invoice(root, "2025-05-31", "--lang", "en")
    out = capsys.readouterr().out
    assert code == 1 and len(issued) == 1
    assert "Orders 受注!E2" in out and "Orders 受注!F3" in out and out.count("invoiced_line_edited") == 2
    assert "--correct INV-000001" in out
    code, issued = invoice(root, "2025-05-31", "--correct", "INV-000001", "--date", "2025-05-08")
    assert code == 0 and [i["kind"] for i in issued] == ["invoice", "credit_note", "invoice"]
    assert issued[2]["total"] == 315 + 31 + 2000 + 160


# 6 ─ the invoice prefix is part of file names: safe characters, short


@pytest.mark.parametrize("prefix", ["../../../X-", "A" * 300, "X/", "-rf", "INV\u0000", "請求-", "a b"])
def test_6_an_unsafe_prefix_is_refused_before_any_number_is_taken(tmp_path, capsys, prefix):
    root = invoicing_company(tmp_path / "co", [order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10))])
    set_setting(root, "invoice", f"prefix = {json.dumps(prefix)}")
    beside = outside(root)
    assert main(["invoice", str(root), "--through", "2025-04-30"]) == 2
    assert "[invoice] prefix" in capsys.readouterr().err
    assert not (root / ".backoffice" / "state.db").exists() and not (root / "out" / "invoices").exists()
    assert outside(root) == beside


# 8 ─ temp copies stay in the company's private folder and never outlive a run


def test_8_an_aborted_night_leaves_no_copies_and_a_killed_one_is_swept(company, monkeypatch):
    system_temp = set(Path(tempfile.gettempdir()).glob("backoffice-night-*"))
    killed = company / ".backoffice" / "tmp" / "night-killed"
    killed.mkdir(parents=True)
    (killed / "staff.xlsx").write_bytes(b"a copy a SIGKILL left")

    def broken_copier(source, target):
        if source.name == "stock.xlsx":
            raise KeyboardInterrupt  # the operator's Ctrl+C half-way through the copies
        shutil.copyfile(source, target)

    with pytest.raises(KeyboardInterrupt):
        nightly_run(load_company(company), date(2026, 4, 1), sleep=lambda _: None, copier=broken_copier)
    assert list((company / ".backoffice" / "tmp").iterdir()) == []  # the killed night's copy swept too
    assert set(Path(tempfile.gettempdir()).glob("backoffice-night-*")) == system_temp


def test_8_a_killed_invoice_runs_temp_files_are_swept_when_stale(tmp_path):
    root = invoicing_company(tmp_path, [order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10))])
    folder = root / "out" / "invoices"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".INV-000007.pdf.k2j4h5g6.tmp", folder / ".INV-000008.pdf.a1b2c3d4.tmp"
    for path in (stale, fresh):
        path.write_bytes(b"half a pdf")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    assert invoice(root, "2025-04-30")[0] == 0
    assert not stale.exists() and fresh.exists()  # a live run's file is left alone


# nightly: a book that breaks the reader is skipped, the others backed up, the report written


def test_a_night_skips_a_book_that_breaks_the_reader_and_still_backs_up_and_reports(company, monkeypatch, capsys):
    class NativePanic(BaseException):  # what pyo3 raises: not an Exception
        pass

    real = night_module.open_book

    def opener(path, name):
        if name == "sales.xlsx":
            raise NativePanic("calamine panicked")
        return real(path, name)

    monkeypatch.setattr(night_module, "open_book", opener)
    os.mkfifo(company / "vendors.xlsx.fifo")
    (company / "vendors.xlsx").unlink()
    os.rename(company / "vendors.xlsx.fifo", company / "vendors.xlsx")  # a FIFO would hang a copy forever
    (company / "stock.xlsx").unlink()
    (company / "stock.xlsx").symlink_to("/dev/zero")  # a copy of it would fill the disk
    assert main(["reconcile", str(company), "--once", "--date", NIGHT]) == 1
    rep = json.loads((company / "out" / "reconcile" / NIGHT / "report.json").read_text(encoding="utf-8"))
    # the book the reader cannot parse is still a regular file: it is backed up as it is, and the
    # reader's failure (a BaseException from native code) is a located finding, not a crash
    findings = {c["name"]: c["findings"] for c in rep["checks"]}["validation"]
    assert [(f["book"], "calamine panicked" in f["message_en"]) for f in findings] == [("sales.xlsx", True)]
    assert rep["copies"]["vendors.xlsx"]["status"] == rep["copies"]["stock.xlsx"]["status"] == "skipped: not a file"
    assert {p.name for p in Path(rep["backup"]).glob("*.xlsx")} == {"sales.xlsx", "staff.xlsx"}
    capsys.readouterr()


# 11 ─ no traceback at the edge


def test_11_a_losing_concurrent_invoice_run_is_a_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    root = invoicing_company(tmp_path, [order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10))])
    assert invoice(root, "2025-04-30")[0] == 0
    monkeypatch.setattr(InvoiceRegister, "invoiced_keys", lambda self: set())  # read before the winner committed
    assert main(["invoice", str(root), "--through", "2025-04-30"]) == 2
    out = capsys.readouterr().out
    assert "register_busy" in out and "concurrent run" in out
    register = InvoiceRegister(root / ".backoffice" / "state.db")
    assert register.count() == 1 and register.verify() == []


@pytest.mark.parametrize(
    "failure",
    [OverflowError("cannot convert float infinity to integer"), sqlite3.DatabaseError("file is not a database")],
)
def test_11_anything_unforeseen_ends_located_with_exit_2(company, monkeypatch, capsys, failure):
    from addin.cli import commands

    def boom(*args, **kwargs):
        raise failure

    monkeypatch.setattr(commands, "run_stock", boom)
    assert main(["stock", str(company), "--as-of", "2026-03-31"]) == 2
    err = capsys.readouterr().err
    assert f"backoffice stock {company}" in err and "Traceback" not in err


def test_11_dates_out_of_every_calendar_are_refused(company, capsys):
    assert main(["stock", str(company), "--as-of", "0001-01-01"]) == 2
    assert "1900–2199" in capsys.readouterr().err


# 12 ─ settings that were accepted but wrong


@pytest.mark.parametrize(
    "section, line, expected",
    [
        ("payroll", 'health_insurance = "society"\nhealth_insurance_society_rate = "-0.5"', "0.03–0.13"),
        ("payroll", "pay_day = 32", "day 1–31"),
        ("payroll", "pay_day = true", "day 1–31"),
        ("payroll", 'closing_day = "abc"', "day 1–31"),
        ("stock", 'valuation = "fifo"', "moving_average"),
        ("nightly", 'time = "25:00"', "HH:MM"),
        ("bank", 'bank_code = "12"', "4 digits"),
    ],
)
def test_12_wrong_settings_are_refused_at_load_with_their_place(tmp_path, capsys, section, line, expected):
    root = invoicing_company(tmp_path, [])
    set_setting(root, section, line)
    assert main(["validate", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"backoffice.toml [{section}]" in err and expected in err and "Traceback" not in err


def test_12_no_bank_section_no_transfer_file(company, capsys):
    text = (company / "backoffice.toml").read_text(encoding="utf-8")
    start, end = text.index("[bank]"), text.index("[invoice]")
    (company / "backoffice.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    shutil.rmtree(company / "out" / "payroll", ignore_errors=True)
    assert main(["payroll", str(company), "--month", "2026-03"]) == 2
    assert "[bank]" in capsys.readouterr().out
    assert not (company / "out" / "payroll").exists()


def test_12_a_credit_note_is_never_dated_before_its_invoice(tmp_path, capsys):
    root = invoicing_company(tmp_path, [order("S1", "C1", "P10", 3, 105, "10%", date(2025, 4, 10))])
    assert invoice(root, "2025-04-30")[0] == 0
    code, issued = invoice(root, "2025-04-30", "--correct", "INV-000001", "--date", "2025-03-31")
    assert code == 2 and "credit_before_invoice" in capsys.readouterr().out
    assert [i["invoice_no"] for i in issued] == ["INV-000001"] and issued[0]["status"] == "issued"


def test_11_a_vendor_code_excel_forbids_in_sheet_names_still_gets_its_purchase_order(tmp_path):
    import openpyxl
    import pandas as pd

    from addin.outputs.stock_books import write_reorder_book

    line = {
        "sku": "P10",
        "name": "ペン",
        "on_hand": 0,
        "on_order": 0,
        "reorder_point": 10000,
        "qty": 5000,
        "unit_cost": 60,
    }
    vendors = ["V[1]:*?/\\", "V_1______", "v_1______", "x" * 40]
    proposals = pd.DataFrame([{**line, "vendor_id": v} for v in vendors])
    path = write_reorder_book(tmp_path / "reorder.xlsx", proposals, {}, date(2026, 3, 31))
    names = openpyxl.load_workbook(path).sheetnames
    assert len(names) == 4 and len({n.lower() for n in names}) == 4 and all(len(n) <= 31 for n in names)
    assert not any(ch in n for n in names for ch in "[]:*?/\\")


# 7 ─ the nightly snapshots keep personal fields as keyed digests, never the values


def test_7_snapshots_hold_no_my_number_account_or_salary(company, capsys):
    import python_calamine

    from addin.state.runs import RunLedger

    rows = (
        python_calamine.CalamineWorkbook.from_path(str(company / "staff.xlsx"))
        .get_sheet_by_name("Staff 従業員")
        .to_python()
    )
    header = [str(h) for h in rows[0]]
    secrets = {
        str(row[header.index(title)]).removesuffix(".0")
        for row in rows[1:]
        for title in ("マイナンバー", "口座番号", "基本給")
        if title in header and row[header.index(title)] not in ("", None)
    }
    assert len(secrets) > 50
    assert main(["reconcile", str(company), "--once", "--date", NIGHT]) in (0, 1)
    ledger = RunLedger(company / ".backoffice" / "state.db")
    stored = json.dumps({f"{k}": v.get("rows", {}) for k, v in ledger.snapshot(NIGHT).items()}, ensure_ascii=False)
    ledger.close()
    leaked = {s for s in secrets if len(s) >= 6 and s in stored}
    assert leaked == set()
    assert (
        "\x1f"
        in json.loads(stored)["('staff', 'staff')"][next(iter(json.loads(stored)["('staff', 'staff')"]))]["my_number"]
    )
    capsys.readouterr()
