"""The nightly run: planted discrepancies found in the right check and row, a clean company passes,
kills at every stage leave the masters byte-identical and no partial report, open workbooks are
retried then skipped, the change audit, backups, and the scheduler on an injected clock."""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.cli.progress import Progress
from addin.reconcile.backups import keep
from addin.reconcile.lock import RunLock
from addin.reconcile.run import nightly_run
from addin.reconcile.scheduler import NightlyScheduler, is_run_day
from addin.reconcile.snapshot import consistent_copy
from addin.services.company import load_company

NIGHT = "2026-04-01"


@pytest.fixture(scope="module")
def month_ended(month_end_demo, tmp_path_factory):
    """The demo company after its month end (payroll, invoices, stock): what a real office has."""
    root = tmp_path_factory.mktemp("night") / "co"
    shutil.copytree(month_end_demo[0], root)
    assert month_end_demo[1] == 0
    # the demo plants money-in exceptions, leaves its books unposted and its grades unreviewed on purpose;
    # those checks are tested on their own (tests/test_nightly_checks.py) — here a company switches them off
    (root / "rules").mkdir(exist_ok=True)
    (root / "rules" / "nightly.yaml").write_text(
        "reconcile:\n  checks:\n"
        + "".join(f"    {name}: {{enabled: false}}\n" for name in ("grades", "receivables", "books_unposted")),
        encoding="utf-8",
    )
    return root


@pytest.fixture
def company(month_ended, tmp_path):
    target = tmp_path / "co"
    shutil.copytree(month_ended, target)
    return target


def masters(root: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.glob("*.xlsx"))
        if p.name != "invoices.xlsx"
    }


def report(root: Path, night: str = NIGHT) -> dict:
    return json.loads((root / "out" / "reconcile" / night / "report.json").read_text(encoding="utf-8"))


def found(rep: dict) -> dict[str, set]:
    return {c["name"]: {(f["sheet"], f["cell"], f["key"]) for f in c["findings"]} for c in rep["checks"]}


def column_of(ws, title: str) -> int:
    return [c.value for c in ws[1]].index(title) + 1


def test_a_clean_company_passes_every_check(company, capsys):
    before = masters(company)
    assert main(["reconcile", str(company), "--once", "--date", NIGHT]) == 0
    rep = report(company)
    assert rep["status"] == "pass" and rep["findings"] == 0
    assert {c["name"] for c in rep["checks"] if c["status"] != "pass"} == {"grades", "receivables", "books_unposted"}
    assert {c["detail"] for c in rep["checks"] if c["status"] == "skipped"} == {"disabled in rules"}
    assert masters(company) == before
    capsys.readouterr()


def test_planted_discrepancies_are_found_in_the_right_check_and_row(company, capsys):
    staff = openpyxl.load_workbook(company / "staff.xlsx")
    ws = staff["Staff 従業員"]
    ws.cell(5, column_of(ws, "マイナンバー")).value = "621498320258"  # validation, row 5
    bank = [ws.cell(6, column_of(ws, t)).value for t in ("銀行コード", "支店コード", "口座番号")]
    new_row = ws.max_row + 1  # a new hire not paid
    for c in range(1, ws.max_column + 1):
        ws.cell(new_row, c).value = ws.cell(2, c).value
    ws.cell(new_row, 1).value = "E09999"
    ws.cell(new_row, column_of(ws, "マイナンバー")).value = None
    ws.cell(new_row, column_of(ws, "入社日")).value = datetime(2026, 3, 2)
    staff.save(company / "staff.xlsx")

    stock = openpyxl.load_workbook(company / "stock.xlsx")
    counts = stock["Counts 棚卸"]
    counts.cell(4, 3).value = (counts.cell(4, 3).value or 0) + 5  # count off by five
    items = stock["Items 商品"]
    sku7 = items.cell(7, 1).value
    items.cell(7, column_of(items, "在庫数")).value = 999999  # on-hand column wrong
    moves = stock["Movements 入出庫"]
    last = moves.max_row + 1
    sku3 = items.cell(3, 1).value
    for c, v in enumerate([datetime(2026, 3, 31), sku3, "出庫", 999999, None, "大口出荷"], start=1):
        moves.cell(last, c).value = v  # negative stock
    stale = items.max_row + 1
    for c in range(1, items.max_column + 1):
        items.cell(stale, c).value = items.cell(2, c).value
    items.cell(stale, 1).value = "SKU-NEW01"  # never moved
    items.cell(stale, column_of(items, "在庫数")).value = None
    stock.save(company / "stock.xlsx")

    vendors = openpyxl.load_workbook(company / "vendors.xlsx")
    v = vendors["Vendors 仕入先"]
    for title, value in zip(("銀行コード", "支店コード", "口座番号"), bank, strict=True):
        v.cell(3, column_of(v, title)).value = value  # vendor row 3 = employee's account
    bills = vendors["Bills 仕入請求"]
    bills.cell(2, column_of(bills, "税抜金額")).value = bills.cell(2, column_of(bills, "税抜金額")).value + 50000
    vendors.save(company / "vendors.xlsx")

    sales = openpyxl.load_workbook(company / "sales.xlsx")
    orders = sales["Orders 受注"]
    removed_order = orders.cell(2, 1).value
    for c in range(1, orders.max_column + 1):
        orders.cell(2, c).value = (
            orders.cell(3, c).value if c > 1 else orders.cell(2, c).value + "X"
        )  # an order vanishes
    orders.cell(2, column_of(orders, "受注番号")).value = "SO-NEW"  # … a new one shipped, not invoiced
    orders.cell(2, column_of(orders, "出荷日")).value = datetime(2026, 3, 5)
    sales.save(company / "sales.xlsx")

    db = sqlite3.connect(company / ".backoffice" / "state.db")
    db.execute("DROP TRIGGER invoices_immutable")
    db.execute("UPDATE invoices SET content = replace(content, '\"total\":', '\"total\":1') WHERE seq = 3")
    db.commit()
    db.close()

    before = masters(company)
    assert main(["reconcile", str(company), "--once", "--date", NIGHT]) == 1
    rep = report(company)
    hits = found(rep)
    assert ("Staff 従業員", "I5", "my_number") in hits["validation"]
    assert any(cell == "C4" for _, cell, _ in hits["stock_vs_counts"])
    assert ("Items 商品", f"{openpyxl.utils.get_column_letter(column_of(items, '在庫数'))}7", sku7) in hits[
        "stock_vs_on_hand_column"
    ]
    assert any(sheet == "Movements 入出庫" and cell == f"D{last}" for sheet, cell, _ in hits["negative_stock"])
    assert ("Orders 受注", f"{openpyxl.utils.get_column_letter(column_of(orders, '出荷日'))}2", "SO-NEW") in hits[
        "shipped_not_invoiced"
    ]
    assert any(key.startswith("INV-") for _, _, key in hits["invoices_without_order"])
    assert {key for _, _, key in hits["invoice_register"]} >= {"INV-000003"}
    assert ("Staff 従業員", f"A{new_row}", "E09999") in hits["payroll_last_month"]
    assert any(cell.endswith("2") and sheet == "Bills 仕入請求" for sheet, cell, _ in hits["three_way_match"])
    assert any(sheet == "Vendors 仕入先" and cell.endswith("3") for sheet, cell, _ in hits["duplicate_bank_accounts"])
    assert ("Items 商品", f"A{stale}", "SKU-NEW01") in hits["stale_items"]
    assert masters(company) == before  # the night never writes a master workbook
    assert removed_order
    capsys.readouterr()


def test_report_masks_personal_data(company, capsys):
    staff = openpyxl.load_workbook(company / "staff.xlsx")
    ws = staff["Staff 従業員"]
    ws.cell(5, column_of(ws, "マイナンバー")).value = "621498320258"
    staff.save(company / "staff.xlsx")
    main(["reconcile", str(company), "--once", "--date", NIGHT])
    text = (company / "out" / "reconcile" / NIGHT / "report.json").read_text(encoding="utf-8")
    assert "621498320258" not in text and "**********58" in text
    capsys.readouterr()


def test_change_audit_lists_salaries_first_with_cells_and_who(company, capsys):
    main(["reconcile", str(company), "--once", "--date", "2026-03-31"])
    staff = openpyxl.load_workbook(company / "staff.xlsx")
    ws = staff["Staff 従業員"]
    ws.cell(4, column_of(ws, "基本給")).value = 999000
    ws.cell(4, column_of(ws, "部署")).value = "監査部"
    staff.properties.lastModifiedBy = "経理 花子"
    staff.save(company / "staff.xlsx")
    stock = openpyxl.load_workbook(company / "stock.xlsx")
    items = stock["Items 商品"]
    items.cell(2, column_of(items, "販売単価")).value = 1
    stock.save(company / "stock.xlsx")
    main(["reconcile", str(company), "--once", "--date", NIGHT])
    rep = report(company)
    assert rep["compared_with"] == "2026-03-31"
    changed = [(c["sheet"], c["field"], c["cell"]) for c in rep["changes"]]
    salary = openpyxl.utils.get_column_letter(column_of(ws, "基本給"))
    assert changed[0] == ("Staff 従業員", "base_salary", f"{salary}4")
    assert ("Items 商品", "unit_price", f"{openpyxl.utils.get_column_letter(column_of(items, '販売単価'))}2") in changed
    assert (
        changed.index(("Staff 従業員", "department", f"{openpyxl.utils.get_column_letter(column_of(ws, '部署'))}4")) > 1
    )
    first = rep["changes"][0]
    assert "999000" not in first["after"] and first["after"].endswith("00")  # a salary is masked
    assert rep["copies"]["staff.xlsx"]["last_modified_by"] == "経理 花子"
    capsys.readouterr()


def test_rerunning_the_same_night_is_idempotent(company, capsys):
    main(["reconcile", str(company), "--once", "--date", NIGHT])
    first = (company / "out" / "reconcile" / NIGHT / "report.json").read_bytes()
    main(["reconcile", str(company), "--once", "--date", NIGHT])
    assert (company / "out" / "reconcile" / NIGHT / "report.json").read_bytes() == first
    capsys.readouterr()


def test_open_workbook_is_retried_then_skipped(company):
    (company / "~$staff.xlsx").write_bytes(b"owner")
    naps = []
    outcome = nightly_run(load_company(company), date(2026, 4, 1), sleep=naps.append)
    assert naps == [2, 5, 15]  # three waits between four attempts, no real sleep
    rep = report(company)
    assert rep["copies"]["staff.xlsx"]["status"] == "skipped: locked" and rep["copies"]["staff.xlsx"]["attempts"] == 4
    statuses = {c["name"]: c["status"] for c in rep["checks"]}
    assert statuses["payroll_last_month"] == "skipped" and statuses["negative_stock"] == "pass"
    assert outcome.exit_code == 1


def test_a_file_rewritten_during_the_copy_is_copied_again(company, tmp_path):
    source = company / "stock.xlsx"
    calls = []

    def copy_while_someone_saves(src, dst):
        shutil.copyfile(src, dst)
        if not calls:
            os.utime(src, ns=(time.time_ns(), time.time_ns() + 10_000_000))  # Excel saves mid-copy
        calls.append(dst)

    naps = []
    result = consistent_copy(source, tmp_path / "copy.xlsx", sleep=naps.append, copier=copy_while_someone_saves)
    assert result.status == "ok" and result.attempts == 2 and naps == [2]
    assert (tmp_path / "copy.xlsx").read_bytes() == source.read_bytes()
    always = consistent_copy(
        source,
        tmp_path / "again.xlsx",
        attempts=3,
        sleep=naps.append,
        copier=lambda s, d: (shutil.copyfile(s, d), os.utime(s, ns=(time.time_ns(), time.time_ns()))),
    )
    assert always.status == "changing" and not (tmp_path / "again.xlsx").exists()


def test_one_run_at_a_time(company):
    with RunLock(company / ".backoffice" / "reconcile.lock"):
        outcome = nightly_run(load_company(company), date(2026, 4, 1), sleep=lambda s: None)
    assert outcome.exit_code == 2 and "another reconcile run" in outcome.detail


STAGES = [
    "copying sales.xlsx",
    "copying stock.xlsx",
    "validating the copies",
    "check validation",
    "check stock_vs_counts",
    "check shipped_not_invoiced",
    "check payroll_last_month",
    "check stale_items",
    "backups",
    "writing",
    "recording the night",
]


def _held_at(stage: str, argv: list[str], reached) -> None:
    """In the forked child: `backoffice ARGV`, holding still once STAGE's progress line is out."""
    sys.stdout = open(os.devnull, "w", encoding="utf-8")

    def pause(line: str) -> None:
        if stage in line:
            reached.set()
            time.sleep(30)

    main(argv, Progress(io.StringIO(), pause=pause))


@pytest.mark.parametrize("stage", STAGES)
def test_killed_at_any_stage_leaves_masters_intact_and_no_partial_report(company, stage):
    before = masters(company)
    # a fork of this process (imports and parsed rules already in it) runs the night and is SIGKILLed
    # at the stage, as an operator's kill or a power cut would stop a real run
    fork = multiprocessing.get_context("fork")
    reached = fork.Event()
    run = fork.Process(target=_held_at, args=(stage, ["reconcile", str(company), "--once", "--date", NIGHT], reached))
    run.start()
    while not reached.wait(0.05):
        assert run.is_alive(), f"the run finished before '{stage}'"
    run.kill()
    run.join(timeout=120)
    assert run.exitcode == -signal.SIGKILL
    assert masters(company) == before
    folder = company / "out" / "reconcile" / NIGHT
    if folder.exists():  # complete or nothing
        assert json.loads((folder / "report.json").read_text(encoding="utf-8"))["date"] == NIGHT
        openpyxl.load_workbook(folder / "report.xlsx")
    assert main(["reconcile", str(company), "--once", "--date", NIGHT]) == 0
    assert report(company)["status"] == "pass"
    leftovers = [p for p in (company / "out" / "reconcile").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_backup_retention_and_restore(company, capsys):
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(120)]
    kept = keep(days, daily=14, weekly=8, monthly=12)
    assert set(days[-14:]) <= kept
    assert len({d.isocalendar()[:2] for d in kept}) >= 8 and {d.month for d in kept} == {1, 2, 3, 4}
    assert len(kept) < 14 + 8 + 12
    main(["reconcile", str(company), "--once", "--date", NIGHT])
    original = (company / "staff.xlsx").read_bytes()
    (company / "staff.xlsx").write_bytes(b"ruined")
    assert main(["restore", str(company), "--date", NIGHT, "--book", "staff.xlsx"]) == 0
    assert (company / "staff.xlsx").read_bytes() == original
    (aside,) = (company / ".backoffice" / "backups" / "pre-restore").glob(f"{NIGHT}-*")  # timestamped, never reused
    assert (aside / "staff.xlsx").read_bytes() == b"ruined"
    capsys.readouterr()


def test_scheduler_runs_on_business_days_only_with_an_injected_clock():
    now = [datetime(2026, 5, 1, 0, 0)]  # Friday before Golden Week

    def sleep(seconds):
        now[0] += timedelta(seconds=max(seconds, 1))

    ran = []
    scheduler = NightlyScheduler("02:00", ran.append, "weekdays", clock=lambda: now[0], sleep=sleep)
    scheduler.serve(keep_going=lambda: now[0] < datetime(2026, 5, 12, 12, 0), longest_nap=3600)
    # 2–3 May weekend, 4–6 May holidays (みどりの日, こどもの日, 振替休日), 9–10 weekend
    assert ran == [date(2026, 5, 1), date(2026, 5, 7), date(2026, 5, 8), date(2026, 5, 11), date(2026, 5, 12)]
    assert is_run_day(date(2026, 5, 2), "daily") and not is_run_day(date(2026, 5, 4))
