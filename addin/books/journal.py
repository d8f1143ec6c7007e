"""A journal entry (仕訳): a date, balanced debit and credit lines, and where every figure came from.

Entries are values: posted ones are never changed; a correction is `reversal_of(entry)` (the same
lines on the other side) followed by the corrected entry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date


class UnbalancedEntry(ValueError):
    def __init__(self, entry: "Entry"):
        super().__init__(f"{entry.entry_id}: debits {entry.debits:,} ≠ credits {entry.credits:,}")
        self.entry = entry


@dataclass(frozen=True)
class Source:
    """What produced an entry: the run, the document (invoice no, bill no, summary.json …)."""

    kind: str  # payroll / bonus / invoice / credit_note / bill / payment / receipt / stock / stock_reversal / reversal
    run: str  # e.g. "payroll 2026-03", "invoice register", "stock 2026-03-31"
    document: str  # e.g. "INV-000012", "out/payroll/2026-03/summary.json"


@dataclass(frozen=True)
class Line:
    account: str  # chart key (rules/accounts.yaml)
    side: str  # debit / credit
    amount: int  # yen, > 0 (tax excluded on a base line when a tax line carries the tax)
    sub: str = ""  # 補助科目: a sub-account key of the account, or a party's name
    tax: str = "out_of_scope"  # tax category key
    tax_amount: int = 0  # consumption tax of the transaction this line books (for exports)
    tax_posted: int = 0  # the part of tax_amount booked on a separate 仮受/仮払消費税 line
    party: str = ""  # employee / customer / vendor id
    cell: str = ""  # workbook cell of the source row, where one exists
    memo: str = ""


@dataclass(frozen=True)
class Entry:
    entry_id: str  # stable key of the source: a rerun of the same document gives the same id
    date: date
    description: str  # 摘要
    source: Source
    lines: tuple[Line, ...]
    reverses: str = ""  # the entry_id this entry cancels

    @property
    def debits(self) -> int:
        return sum(line.amount for line in self.lines if line.side == "debit")

    @property
    def credits(self) -> int:
        return sum(line.amount for line in self.lines if line.side == "credit")

    @property
    def balanced(self) -> bool:
        net = 0  # one pass: every entry of a year is checked twice
        for line in self.lines:
            net += line.amount if line.side == "debit" else -line.amount
        return net == 0

    def checked(self) -> "Entry":
        if not self.balanced or not self.lines:
            raise UnbalancedEntry(self)
        return self

    def content(self) -> dict:
        """Plain JSON-able data (what the journal table stores and hashes)."""
        # vars() rather than dataclasses.asdict: these hold plain values only, and this runs per line
        return {
            "entry_id": self.entry_id,
            "date": self.date.isoformat(),
            "description": self.description,
            "source": dict(vars(self.source)),
            "reverses": self.reverses,
            "lines": [dict(vars(line)) for line in self.lines],
        }

    @classmethod
    def from_content(cls, data: dict) -> "Entry":
        return cls(
            data["entry_id"],
            date.fromisoformat(data["date"]),
            data["description"],
            Source(**data["source"]),
            tuple(_line(line) for line in data["lines"]),
            data.get("reverses", ""),
        )


# the field names in declaration order (vars(line)) and sorted (the journal table's canonical JSON)
_LINE_FIELDS = (tuple(Line.__dataclass_fields__), tuple(sorted(Line.__dataclass_fields__)))


def _line(stored: dict) -> Line:
    """A stored line back as a Line without the frozen-dataclass __init__ (a year's journal reads ~10⁵
    lines); the fields must be exactly Line's, so a foreign key still fails loudly."""
    if tuple(stored) not in _LINE_FIELDS:
        return Line(**stored)
    line = object.__new__(Line)
    line.__dict__.update(stored)
    return line


def new_line(
    account: str,
    side: str,
    amount: int,
    sub: str = "",
    tax: str = "out_of_scope",
    tax_amount: int = 0,
    tax_posted: int = 0,
    party: str = "",
    cell: str = "",
    memo: str = "",
) -> Line:
    """Line(...) without the frozen-dataclass __init__ (one object.__setattr__ per field): a year of
    entries builds ~10⁵ lines. Same fields, same order, same values as Line(...) gives."""
    line = object.__new__(Line)
    line.__dict__.update(
        account=account,
        side=side,
        amount=amount,
        sub=sub,
        tax=tax,
        tax_amount=tax_amount,
        tax_posted=tax_posted,
        party=party,
        cell=cell,
        memo=memo,
    )
    return line


def debit(account: str, amount: int, **kw) -> Line:
    return new_line(account, "debit", int(amount), **kw)


def credit(account: str, amount: int, **kw) -> Line:
    return new_line(account, "credit", int(amount), **kw)


def normalised(lines) -> tuple[Line, ...]:
    """Zero lines dropped; a negative amount (a credit note, a negative bill) moves to the other side,
    because every accounting package takes positive amounts only (弥生: 「マイナス不可」)."""
    out = []
    for line in lines:
        if line.amount == 0:
            continue
        if line.amount < 0:
            line = replace(
                line,
                side=other(line.side),
                amount=-line.amount,
                tax_amount=-line.tax_amount,
                tax_posted=-line.tax_posted,
            )
        out.append(line)
    # debits first, order kept within a side (a stable sort by side, without a key call per line)
    return tuple([line for line in out if line.side == "debit"] + [line for line in out if line.side != "debit"])


def other(side: str) -> str:
    return "credit" if side == "debit" else "debit"


def make_entry(entry_id: str, on: date, description: str, source: Source, lines) -> Entry:
    return Entry(entry_id, on, description, source, normalised(lines)).checked()


def reversal_of(entry: Entry, entry_id: str, reason: str = "") -> Entry:
    """The 逆仕訳 that cancels `entry`: every line on the other side, same date, same sources."""
    lines = tuple(replace(line, side=other(line.side)) for line in entry.lines)
    description = f"取消: {entry.description}" + (f"（{reason}）" if reason else "")
    return Entry(
        entry_id,
        entry.date,
        description,
        Source("reversal", entry.source.run, entry.source.document),
        normalised(lines),
        reverses=entry.entry_id,
    ).checked()


__all__ = ["Entry", "Line", "Source", "UnbalancedEntry", "credit", "debit", "make_entry", "normalised", "reversal_of"]
