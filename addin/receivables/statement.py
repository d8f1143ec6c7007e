"""One line of a bank statement, the identity that makes it stored once, and the located error a
malformed statement file raises (nothing of such a file is imported)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date

DEPOSIT, WITHDRAWAL = "deposit", "withdrawal"


@dataclass(frozen=True)
class StatementLine:
    account: str  # "0009-001-1-1234567" for a Zengin file, "csv:<layout>" for a bank CSV
    date: date  # 勘定日 (booking date)
    direction: str  # DEPOSIT / WITHDRAWAL
    amount: int  # integer yen, always positive
    payer: str  # 振込依頼人名 or the description as the bank prints it
    description: str = ""
    balance: int | None = None  # balance after the line, when the file has one
    reference: str = ""  # 照会番号 or the bank's own id, when the file has one
    line_no: int = 0  # where in its file (1-based line or record number)
    byte_offset: int = 0
    line_id: str = ""  # set by `identify`


@dataclass
class ParsedStatement:
    layout: str  # "zengin" or the CSV layout name
    account: str
    lines: list[StatementLine] = field(default_factory=list)
    first_date: date | None = None
    last_date: date | None = None


class StatementError(ValueError):
    """A malformed statement file: where (line, byte) and what, in Japanese and English."""

    def __init__(self, code: str, line: int, byte: int, message_ja: str, message_en: str):
        super().__init__(f"line {line}, byte {byte}: {message_en}")
        self.code, self.line, self.byte = code, line, byte
        self.message_ja, self.message_en = message_ja, message_en


def identify(lines: list[StatementLine]) -> list[StatementLine]:
    """Give each line an id that is the same whichever file (or overlapping file) it comes in.

    Banks give no universal id, so the id is built from what the line says — account, date,
    direction, amount, payer and balance after — plus its rank among lines that say exactly the
    same thing (two identical 10,000-yen deposits from one payer on one day stay two lines; a later
    file holding the whole day adds the one an earlier, partial file missed). The bank's 照会番号 is
    left out on purpose: some banks number the records of each file, so it is not stable across
    overlapping files.
    """
    seen: dict[tuple, int] = {}
    out = []
    for line in lines:
        what = (
            line.account,
            line.date.isoformat(),
            line.direction,
            line.amount,
            line.payer.strip(),
            "" if line.balance is None else str(line.balance),
        )
        rank = seen.get(what, 0)
        seen[what] = rank + 1
        digest = hashlib.sha256("\x1f".join(map(str, (*what, rank))).encode("utf-8")).hexdigest()[:20]
        out.append(replace(line, line_id=f"L{digest.upper()}"))
    return out
