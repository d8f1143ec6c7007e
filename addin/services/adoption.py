"""`backoffice verify DIR --adopt`: bring a register written before the keyed seal (plain SHA-256 chain,
description-based line keys, no register.key) under the company key.

The old chain is verified fully first (every row's content hash and plain link, the numbering, status,
links and invoiced lines); any mismatch refuses, naming it. Then, in one transaction, every row is
re-sealed with the company key and the invoiced lines move to order number + line keys where sales.xlsx
matches them unambiguously; the others are reported. The adoption is recorded in the run ledger and the
new head anchored outside the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from addin.invoicing.build import line_keys
from addin.services.company import Company
from addin.services.validation import BookOpener, open_company_book, validate_company
from addin.services.verify import anchor_everywhere, anchors
from addin.state import InvoiceRegister
from addin.state.files import STATE, company_secret
from addin.state.runs import RunLedger


class AdoptionRefused(Exception):
    """Nothing was changed; the message says why and what to do."""


@dataclass
class Adoption:
    record: dict
    migrated: dict[str, str]
    unmatched: list[tuple[str, str, str]] = field(default_factory=list)  # (invoice, old key, why)

    @property
    def exit_code(self) -> int:
        return 1 if self.unmatched else 0


def old_keys(order_no, sku, description) -> set[str]:
    """The line key before the seal (addin/invoicing/build.py at 7fa11fa: `order|sku|description`): a
    blank cell was written as '' or, by readers of that time, as 'nan' / 'None' — each is accepted."""

    def spellings(value) -> list[str]:
        text = _text(value)
        return [text] if text else ["", "nan", "None"]

    return {f"{order_no}|{s}|{d}" for s in spellings(sku) for d in spellings(description)}


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def migrate_keys(orders: pd.DataFrame, issued: dict[str, str]) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Old key → new key where exactly one order row has that old key, or, for a key no row has any
    more, where its order has exactly one row left that no other key took; the rest (the order gone,
    or rows that cannot be told apart) as (invoice, old key, why)."""
    new = line_keys(orders)
    rows_of: dict[str, list[str]] = {}
    for o, s, d, n in zip(
        orders["order_no"], orders["sku"], orders.get("description", [None] * len(orders)), new, strict=True
    ):
        for key in old_keys(o, s, d):
            rows_of.setdefault(key, []).append(n)
    migrated, left = {}, []
    for key, number in sorted(issued.items()):
        if "|" not in key:  # already order number + line
            continue
        found = rows_of.get(key, [])
        if len(found) == 1:
            migrated[key] = found[0]
        else:
            left.append((number, key, found))
    # a line whose text was edited since it was invoiced: the one row of its order no other key took is it
    # (the edit then surfaces as invoiced_line_edited at the next invoice run, to be corrected by law)
    taken = set(migrated.values())
    order_rows: dict[str, list[str]] = {}
    for o, n in zip(orders["order_no"].astype(str), new, strict=True):
        if n not in taken:
            order_rows.setdefault(o, []).append(n)
    pending: dict[str, list[str]] = {}
    for _number, key, _found in left:
        pending.setdefault(key.split("|", 1)[0], []).append(key)
    unmatched = []
    for number, key, found in left:
        order_no = key.split("|", 1)[0]
        free = order_rows.get(order_no, [])
        if not found and len(free) == 1 and len(pending[order_no]) == 1:
            migrated[key] = free[0]
            continue
        why = (
            "受注に一致する行がありません（削除または摘要の変更） / no order row has it (removed, or its text edited)"
            if not found
            else f"受注の {len(found)} 行に一致します / {len(found)} order rows match it"
        )
        unmatched.append((number, key, why))
    return migrated, unmatched


def adopt_register(company: Company, opener: BookOpener = open_company_book) -> Adoption:
    db = company.paths.db
    if not db.is_file():
        raise AdoptionRefused(f"{db}: state.db がありません / there is no register to adopt")
    register = InvoiceRegister(db)
    try:
        _refuse_unless_old(company, register)
        checked = validate_company(company, opener, only={"sales"})
        orders = checked.table("sales", "orders")
        if orders is None:
            raise AdoptionRefused(
                "sales.xlsx の受注が読めません / the Orders sheet of sales.xlsx cannot be read: "
                + "; ".join(i.message_en for i in checked.issues)[:500]
            )
        migrated, unmatched = migrate_keys(orders.frame, register.issued_line_keys())
        record = register.adopt(company_secret(db.parent), migrated)
    finally:
        register.close()
    register, ledger = InvoiceRegister(db), RunLedger(db)
    try:
        detail = {**record, "lines_unmatched": [key for _, key, _ in unmatched]}
        ledger.record_event("register_adopted", detail)
        anchor_everywhere(company, register.secret, register, ledger, None)
    finally:
        register.close()
        ledger.close()
    return Adoption(record, migrated, unmatched)


def _refuse_unless_old(company: Company, register: InvoiceRegister) -> None:
    where = f"{STATE}/state.db"
    if register.count() == 0:
        raise AdoptionRefused(
            f"{where}: 台帳は空です。採用するものはありません / the register is empty: nothing to adopt"
        )
    if not register.unsealed():
        raise AdoptionRefused(
            f"{where}: 台帳は鍵で封印済みです（旧方式ではありません）。"
            "register.key がない場合はバックアップから戻してください / "
            "the register is already sealed with a key, not the old way; if register.key is "
            "missing, restore it from a backup"
        )
    sealed = [w for w, anchor in anchors(company) if (anchor.get("register") or {}).get("count")]
    if sealed:
        raise AdoptionRefused(
            f"{sealed[0]}: 封印済みの台帳を記録したアンカーがあります。"
            "旧方式の台帳ではなく置き換えられた可能性があります / "
            f"an anchor recorded a sealed register: this is not an old register but one replaced "
            f"since ({len(sealed)} anchor(s)); restore state.db and register.key from a backup"
        )
    problems = register.plain_findings()
    if problems:
        raise AdoptionRefused(
            "旧方式の連鎖が一致しません。採用しません / the old chain does not hold, nothing adopted:\n"
            + "\n".join(f"  {where} invoices {p.invoice_no}: [{p.code}] {p.detail}" for p in problems)
        )
