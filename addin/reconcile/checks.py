"""The nightly checks. Each is independent: it gets the night's context, returns findings (each with
where it is), and a failure in one never stops the others."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd

from addin.dates import add_months, month_end
from addin.invoicing.build import line_keys, order_of_key
from addin.invoicing.terms import period_end
from addin.model import column_letter
from addin.model.privacy import mask
from addin.outputs.zengin import read_trailer
from addin.stock.counts import count_differences
from addin.stock.ledger import QTY_SCALE, build_ledger, negative_stock
from addin.stock.matching import three_way_match
from addin.stock.valuation import unit_cost_scale, value
from addin.state.files import STATE
from addin.tax.summary import is_registered


class Skipped(Exception):
    """A check that cannot run tonight (its workbook is locked or unusable)."""


@dataclass
class Night:
    company: object
    day: date
    validation: object  # Validation over tonight's consistent copies
    unavailable: set[str]  # book names not copied tonight
    register: object | None = None  # InvoiceRegister
    settings: dict = field(default_factory=dict)
    runs: object | None = None  # RunLedger (the run ledger, not the stock ledger)
    secret: bytes | None = None  # the company key (register seal, anchors)
    opener: Callable | None = None  # BookOpener over tonight's consistent copies (the services read those)

    def table(self, book: str, sheet: str):
        if book in self.unavailable:
            raise Skipped(f"{book} not available tonight")
        found = self.validation.table(book, sheet)
        if found is None and not self.company.books[book].sheets[sheet].optional:
            raise Skipped(f"{book}: {sheet} unusable")
        return found

    @cached_property
    def ledger(self):
        return build_ledger(self.table("stock", "movements"), self.day, self.table("stock", "items"))

    @cached_property
    def valuation(self):
        method = str(self.company.settings.get("stock", {}).get("valuation", "moving_average"))
        return value(self.ledger, method, unit_cost_scale(self.company.rulebook, self.day))


def _finding(book="", sheet="", cell="", key="", ja="", en="", value=""):
    return {"book": book, "sheet": sheet, "cell": cell, "key": key, "message_ja": ja, "message_en": en, "value": value}


def _at(table, position: int, field_name: str, key: str, ja: str, en: str, value="") -> dict:
    return _finding(table.book, table.sheet, table.cell(field_name, position), key, ja, en, value)


def validation(night: Night) -> list[dict]:
    return [
        _finding(i.book, i.sheet, i.cell, i.field, i.message_ja, i.message_en, i.value) for i in night.validation.issues
    ]


def stock_vs_counts(night: Night) -> list[dict]:
    counts = night.table("stock", "counts")
    differences = count_differences(counts, night.ledger, lambda: night.valuation.items.set_index("sku")["unit_cost"])
    out = []
    position_of = {int(row): i for i, row in enumerate(counts.rows)} if len(differences) else {}
    for r in differences.to_dict("records"):
        position = position_of[int(r["row"])]
        out.append(
            _at(
                counts,
                position,
                "counted_qty",
                r["sku"],
                f"実棚 {r['counted'] / QTY_SCALE:g} と帳簿 {r['ledger'] / QTY_SCALE:g} の差 "
                f"{r['difference'] / QTY_SCALE:g}（{r['value']:,} 円）",
                f"count {r['counted'] / QTY_SCALE:g} vs ledger {r['ledger'] / QTY_SCALE:g}: "
                f"{r['difference'] / QTY_SCALE:g} ({r['value']:,} yen)",
            )
        )
    return out


def stock_vs_on_hand_column(night: Night) -> list[dict]:
    items = night.table("stock", "items")
    on_hand = night.ledger.on_hand()
    out = []
    for position, (sku, stated) in enumerate(zip(items.frame["sku"], items.frame["on_hand"], strict=True)):
        if stated is None or sku is None or (isinstance(stated, float) and stated != stated):
            continue
        book = int(on_hand.get(sku, 0))
        if int(stated * QTY_SCALE) != book:
            out.append(
                _at(
                    items,
                    position,
                    "on_hand",
                    sku,
                    f"在庫数欄 {stated} と入出庫の計 {book / QTY_SCALE:g} が違います",
                    f"on-hand column {stated} differs from movements {book / QTY_SCALE:g}",
                )
            )
    return out


def negative_stock_check(night: Night) -> list[dict]:
    movements = night.table("stock", "movements")
    return [
        _at(
            movements,
            int(r["position"]),
            "qty",
            r["sku"],
            f"{r['sku']} の在庫がマイナス（{r['balance'] / QTY_SCALE:g}）",
            f"{r['sku']} goes below zero ({r['balance'] / QTY_SCALE:g})",
        )
        for r in negative_stock(night.ledger).to_dict("records")
    ]


def _invoiced(night: Night) -> set[str]:
    if night.register is None:
        return set()
    return night.register.invoiced_keys()


def order_keys(frame: pd.DataFrame) -> pd.Series:
    """line_key for every order row, vectorised (order number + its line within the order)."""
    return line_keys(frame)


def shipped_not_invoiced(night: Night) -> list[dict]:
    orders, customers = night.table("sales", "orders"), night.table("sales", "customers")
    closing = customers.frame.drop_duplicates("customer_id").set_index("customer_id")["closing_day"].fillna("end")
    frame = orders.frame
    usable = frame["shipped_date"].notna() & frame["customer_id"].isin(closing.index)
    pairs = pd.DataFrame({"shipped": frame["shipped_date"], "closing": frame["customer_id"].map(closing)})[usable]
    closes = {
        (d, c): period_end(d.date(), str(c)) for d, c in set(zip(pairs["shipped"], pairs["closing"], strict=True))
    }
    period = pd.Series(
        [closes[(d, c)] for d, c in zip(pairs["shipped"], pairs["closing"], strict=True)],
        index=pairs.index,
        dtype=object,
    )
    due = period[period <= night.day]
    open_lines = ~order_keys(frame.loc[due.index]).isin(_invoiced(night)).to_numpy()
    positions, closed = due.index[open_lines].to_numpy(), due.to_numpy()[open_lines]
    numbers = frame["order_no"].to_numpy()[positions]
    letter = column_letter(orders.columns["shipped_date"])
    return [
        _finding(
            orders.book,
            orders.sheet,
            f"{letter}{row}",
            number,
            f"出荷済み（{when} 締め）で未請求",
            f"shipped, period closed {when}, not invoiced",
        )
        for row, number, when in zip(orders.rows[positions].tolist(), numbers.tolist(), closed.tolist(), strict=True)
    ]


def invoices_without_order(night: Night) -> list[dict]:
    if night.register is None:
        return []
    existing = set(order_keys(night.table("sales", "orders").frame))
    out = []
    for number, key in night.register.issued_invoiced_lines():
        if key not in existing:
            out.append(
                _finding(
                    ".backoffice/state.db",
                    "invoices",
                    "",
                    number,
                    f"請求書 {number} の明細 {order_of_key(key)} に対応する受注がありません",
                    f"invoice {number} line {order_of_key(key)} has no order",
                )
            )
    return out


def invoice_register(night: Night) -> list[dict]:
    if night.register is None:
        return []
    return [
        _finding(".backoffice/state.db", "invoices", "", f.invoice_no, f"{f.code}: {f.detail}", f"{f.code}: {f.detail}")
        for f in night.register.verify()
    ]


def state_integrity(night: Night) -> list[dict]:
    """The anchors outside state.db, the run ledger, documents without a register row, owner-only modes."""
    from addin.services.verify import state_findings  # the same checks as `backoffice verify`

    return [
        _finding(f.where, "", "", f.code, f.detail, f.detail)
        for f in state_findings(night.company, night.register, night.runs, night.secret, with_register=False)
    ]


def payroll_last_month(night: Night) -> list[dict]:
    staff = night.table("staff", "staff")
    month = add_months(night.day.replace(day=1), -1)
    folder = night.company.paths.payroll(month)
    summary_path = folder / "summary.json"
    if not summary_path.exists():
        return [
            _finding(
                "out/payroll",
                f"{month:%Y-%m}",
                "",
                "",
                f"{month:%Y-%m} の給与計算が実行されていません",
                f"payroll for {month:%Y-%m} has not been run",
            )
        ]
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    paid = [e["employee_id"] for e in summary["employees"]]
    out = []
    for employee in sorted({e for e in paid if paid.count(e) > 1}):
        out.append(
            _finding(
                "out/payroll",
                f"{month:%Y-%m}",
                "",
                employee,
                f"{employee} が二重に支給されています",
                f"{employee} is paid twice",
            )
        )
    frame = staff.frame
    first, last = pd.Timestamp(month), pd.Timestamp(month_end(month))
    active = (frame["hire_date"] <= last) & (frame["leave_date"].isna() | (frame["leave_date"] >= first))
    for position in np.flatnonzero(active.to_numpy()):
        if frame.iloc[position]["employee_id"] not in paid:
            out.append(
                _at(
                    staff,
                    position,
                    "employee_id",
                    frame.iloc[position]["employee_id"],
                    f"{month:%Y-%m} に在籍していますが支給がありません",
                    f"employed in {month:%Y-%m} but not paid",
                )
            )
    gone = frame["leave_date"].notna() & (frame["leave_date"] < first)
    for position in np.flatnonzero(gone.to_numpy()):
        if frame.iloc[position]["employee_id"] in paid:
            out.append(
                _at(
                    staff,
                    position,
                    "leave_date",
                    frame.iloc[position]["employee_id"],
                    "退職後に支給されています",
                    "paid after leaving",
                )
            )
    zengin = sorted(folder.glob("zengin_*.txt"))
    net = sum(e["net_pay"] for e in summary["employees"] if e["net_pay"] > 0)
    if not zengin:
        out.append(_finding("out/payroll", f"{month:%Y-%m}", "", "", "振込データがありません", "no transfer file"))
    elif read_trailer(zengin[-1].read_bytes())[1] != net or summary["totals"]["net_pay"] != sum(
        e["net_pay"] for e in summary["employees"]
    ):
        out.append(
            _finding(
                "out/payroll",
                f"{month:%Y-%m}",
                "",
                "",
                "賃金台帳と振込データの合計が一致しません",
                "register and transfer file totals differ",
            )
        )
    return out


def three_way_match_check(night: Night) -> list[dict]:
    bills = night.table("vendors", "bills")
    match = three_way_match(
        bills,
        night.table("vendors", "purchase_orders"),
        night.table("stock", "items"),
        night.ledger,
        night.company.rulebook.value("matching.tolerance", night.day),
    )
    out = []
    exceptions = match[~match["status"].isin(["matched", "fee"])]
    position_of = {int(row): i for i, row in enumerate(bills.rows)} if len(exceptions) else {}
    for r in exceptions.to_dict("records"):
        out.append(
            _at(
                bills,
                position_of[int(r["row"])],
                "amount_excl_tax",
                r["bill_no"],
                f"三点照合: {r['status']}（請求 {int(r['amount'] or 0):,}・入荷 {r['received']:,}）",
                f"three-way match: {r['status']} (billed {int(r['amount'] or 0):,}, received {r['received']:,})",
            )
        )
    return out


def duplicate_bank_accounts(night: Night) -> list[dict]:
    """The same account paid as an employee's salary and as a vendor: a classic fraud signal."""
    staff, vendors = night.table("staff", "staff"), night.table("vendors", "vendors")

    def accounts(table):
        f = table.frame
        return {
            (b, br, a): i
            for i, (b, br, a) in enumerate(zip(f["bank_code"], f["branch_code"], f["account_number"], strict=True))
            if b and br and a
        }

    mine, theirs = accounts(staff), accounts(vendors)
    out = []
    for account in sorted(set(mine) & set(theirs)):
        employee = staff.frame.iloc[mine[account]]["employee_id"]
        vendor = vendors.frame.iloc[theirs[account]]["vendor_id"]
        out.append(
            _at(
                vendors,
                theirs[account],
                "account_number",
                vendor,
                f"仕入先 {vendor} の口座が従業員 {employee} と同じです（{account[0]}-{account[1]}-{mask(account[2])}）",
                f"vendor {vendor} shares a bank account with employee {employee} ({account[0]}-{account[1]}"
                f"-{mask(account[2])})",
                mask(account[2]),
            )
        )
    return out


def registration_numbers(night: Night) -> list[dict]:
    out = []
    for book, sheet, key in (("vendors", "vendors", "vendor_id"), ("sales", "customers", "customer_id")):
        table = night.table(book, sheet)
        raw = night.validation.raw.get((book, sheet))
        for position, (who, typed) in enumerate(
            zip(
                table.frame[key],
                raw.frame["registration_number"] if raw is not None and "registration_number" in raw.frame else [],
                strict=True,
            )
        ):
            if typed not in (None, "") and not is_registered(str(typed).strip().upper()):
                out.append(
                    _at(
                        table,
                        position,
                        "registration_number",
                        who,
                        f"{who} の登録番号が無効です",
                        f"{who} has an invalid registration number",
                        str(typed),
                    )
                )
    return out


def stale_items(night: Night, days: int = 180) -> list[dict]:
    items = night.table("stock", "items")
    moved = night.ledger.frame.groupby("sku")["date"].max()
    # no movement at all: an empty map comes back as float NaN, which cannot be compared with a date
    last = pd.to_datetime(items.frame["sku"].map(moved)) if len(moved) else pd.Series(pd.NaT, index=items.frame.index)
    limit = pd.Timestamp(night.day - timedelta(days=int(days)))
    stale = items.frame["sku"].notna() & (last.isna() | (last < limit))
    out = []
    for position in np.flatnonzero(stale.to_numpy()):
        moved = last.iloc[position]
        when = moved.date().isoformat() if pd.notna(moved) else "なし / never"
        out.append(
            _at(
                items,
                int(position),
                "sku",
                items.frame["sku"].iloc[position],
                f"{days} 日以上動きがありません（最終 {when}）",
                f"no movement for {days} days (last {when})",
            )
        )
    return out


def _staff_row(night: Night, employee_id: str, sheet: str = "staff", pay_date: str | None = None) -> tuple:
    """(table, position) of an employee's row in Staff (or of their Bonuses row of a pay date)."""
    table = night.table("staff", sheet)
    if table is None:
        return None, None
    frame = table.frame
    hit = frame["employee_id"].astype(str) == str(employee_id)
    if pay_date is not None and "pay_date" in frame:
        hit &= frame["pay_date"].map(lambda d: d.date().isoformat() if hasattr(d, "date") else str(d)) == pay_date
    positions = np.flatnonzero(hit.to_numpy())
    return (table, int(positions[0])) if len(positions) else (None, None)


def closed_periods(night: Night) -> list[dict]:
    """A master edit that changes a closed month or bonus: each employee and figure, closed vs now,
    computed from tonight's copies (issue #13). Nothing closed yet: passes."""
    from addin.services.payroll_year import closed_month_drift

    night.table("staff", "staff")  # skipped when staff.xlsx was not copied tonight
    out = []
    for drift in _pay_figures(closed_month_drift, night.company, night.opener):
        table, position = (
            _staff_row(night, drift.employee_id, "bonuses", drift.period) if drift.kind == "bonus" else (None, None)
        )
        if table is None:
            table, position = _staff_row(night, drift.employee_id)
        where = (
            _at(table, position, "employee_id", drift.employee_id, "", "")
            if table is not None
            else _finding("staff.xlsx", key=drift.employee_id)
        )
        where.update(
            key=f"{drift.kind} {drift.period} {drift.employee_id} {drift.field}",
            message_ja=drift.message("ja") + "（確定済み: 訂正は --reopen で理由を記録してから）",
            message_en=drift.message("en") + " (closed: reopen with a reason to correct it)",
            value=f"{drift.closed} → {drift.now}",
        )
        out.append(where)
    return out


def grades(night: Night) -> list[dict]:
    """The Staff sheet's standard remuneration disagreeing with an applicable 算定 / 月変 result, read
    from tonight's copy of staff.xlsx (or the book open in Excel when a button runs the night)."""
    from addin.services.grades import nightly_grade_findings

    night.table("staff", "staff")
    return [
        _finding(i.book, i.sheet, i.cell, i.field, i.message_ja, i.message_en, i.value)
        for i in _pay_figures(nightly_grade_findings, night.company, night.day, night.opener or _live_opener())
    ]


def _pay_figures(compute: Callable, *args) -> list:
    """What a check computes from pay figures, or Skipped (not a pass) when the staff book has an issue
    that stops pay: the night's validation lists that cell; a figure computed past it would be wrong."""
    from addin.services.staff_tables import StaffUnusable

    try:
        return list(compute(*args))
    except StaffUnusable as why:
        raise Skipped(f"staff.xlsx: {why}") from None


def receivables(night: Night) -> list[dict]:
    """Issue #16's nightly part: import the new statement files of DIR/bank/, match, report unmatched
    deposits, overdue invoices, customers over their credit limit and refused files. Unambiguous
    matches are applied (stored as new receipt records, never an edit) exactly as `backoffice
    receivables` would, so the morning report shows only what a person must look at."""
    from addin.services.receivables import receivables_findings

    if not night.company.paths.bank.is_dir():
        raise Skipped("bank フォルダがありません（入金消込は未使用） / no bank folder: receivables not in use")
    night.table("sales", "orders")
    kinds = receivables_findings(night.company, night.day, night.opener or _live_opener())
    return [dict(finding, kind=kind) for kind, found in kinds.items() for finding in found]


def books_unposted(night: Night) -> list[dict]:
    """Every issued invoice, bill, closed payroll month, vendor payment and month-end stock up to
    tonight that the journal does not hold yet (issue #15): reads, never posts."""
    from addin.services.books import unposted

    return [
        _finding(
            f"{STATE}/state.db",
            "journal",
            "",
            e["entry_id"],
            f"{e['date']} {e['kind']} の仕訳が未計上です（backoffice books で計上）",
            f"{e['date']} {e['kind']}: no journal entry yet (post with backoffice books)",
            e["kind"],
        )
        for e in unposted(night.company, night.day, night.opener or _live_opener())
    ]


def _live_opener():
    from addin.services.validation import open_company_book

    return open_company_book


CHECKS: dict[str, Callable[..., list[dict]]] = {
    "validation": validation,
    "stock_vs_counts": stock_vs_counts,
    "stock_vs_on_hand_column": stock_vs_on_hand_column,
    "negative_stock": negative_stock_check,
    "shipped_not_invoiced": shipped_not_invoiced,
    "invoices_without_order": invoices_without_order,
    "invoice_register": invoice_register,
    "state_integrity": state_integrity,
    "payroll_last_month": payroll_last_month,
    "three_way_match": three_way_match_check,
    "duplicate_bank_accounts": duplicate_bank_accounts,
    "registration_numbers": registration_numbers,
    "stale_items": stale_items,
    "closed_periods": closed_periods,
    "grades": grades,
    "receivables": receivables,
    "books_unposted": books_unposted,
}


#: a morning report lists at most this many findings per check; `count` keeps the true number
FINDINGS_LISTED = 5000


def run_check(name: str, night: Night, options: dict) -> dict:
    """{name, status (pass / findings / skipped / error), count, findings, detail}: never raises."""
    params = {k: v for k, v in options.items() if k != "enabled"}
    if not options.get("enabled", True):
        return {"name": name, "status": "skipped", "count": 0, "findings": [], "detail": "disabled in rules"}
    try:
        findings = CHECKS[name](night, **params)
    except Skipped as why:
        return {"name": name, "status": "skipped", "count": 0, "findings": [], "detail": f"skipped: {why}"}
    except Exception as exc:  # one failing check must not stop the others
        return {"name": name, "status": "error", "count": 0, "findings": [], "detail": f"{type(exc).__name__}: {exc}"}
    listed = findings[:FINDINGS_LISTED]
    detail = f"{len(findings) - len(listed):,} more not listed" if len(findings) > len(listed) else ""
    return {
        "name": name,
        "status": "findings" if findings else "pass",
        "count": len(findings),
        "findings": listed,
        "detail": detail,
    }
