"""全銀協 fixed-length transfer files: 給与振込 (11), 賞与振込 (12), 総合振込 (21).

120-byte records (header 1, data 2, trailer 8, end 9) in JIS X 0201 written as MS932 bytes, CRLF
after each record; numbers right-aligned and zero-filled, text left-aligned and space-filled
(layout: rules/jp/zengin_transfer_layout.csv, FACTS.md §6). One writer for payroll and vendor pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from addin.normalize.text import bank_kana, is_zengin_text

RECORD = 120
ACCOUNT_TYPES = {"ordinary": "1", "current": "2", "savings": "4", "other": "9"}
KIND_CODES = {"salary": "11", "bonus": "12", "general": "21"}


class ZenginError(ValueError):
    """A value that cannot be put into a bank file (too long, a character banks refuse)."""


@dataclass(frozen=True)
class Requester:
    code: str  # 振込依頼人コード (given by the bank)
    name_kana: str
    bank_code: str
    bank_name_kana: str
    branch_code: str
    branch_name_kana: str
    account_type: str
    account_number: str


@dataclass(frozen=True)
class Transfer:
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str
    amount: int
    customer_code: str = ""  # 顧客番号1: e.g. the employee or vendor id
    bank_name_kana: str = ""
    branch_name_kana: str = ""


def _n(value, width: int, what: str) -> str:
    text = str(value)
    if not text.isdigit() or len(text) > width:
        raise ZenginError(f"{what}: {value!r} is not a number of at most {width} digits")
    return text.zfill(width)


def _c(value: str, width: int, what: str) -> str:
    text = bank_kana(value or "") or ""
    if not is_zengin_text(text):
        raise ZenginError(f"{what}: {value!r} has characters a bank file cannot carry")
    if len(text) > width:
        raise ZenginError(f"{what}: {value!r} is longer than {width} characters")
    return text.ljust(width)


def _record(*fields: str) -> str:
    line = "".join(fields)
    if len(line.encode("cp932")) != RECORD:
        raise ZenginError(f"record is {len(line.encode('cp932'))} bytes, not {RECORD}")
    return line


def _account_type(value, what: str) -> str:
    """The bank file's code of an account type; a value that is none of them stops the file (as a bank code
    that is not one does) rather than send money to a guessed account."""
    code = ACCOUNT_TYPES.get(value) if isinstance(value, str) else None
    if code is None:
        raise ZenginError(f"{what}: {value!r} is not one of {', '.join(ACCOUNT_TYPES)}")
    return code


def zengin_file(kind: str, requester: Requester, transfer_date: date, transfers: list[Transfer]) -> bytes:
    """The whole file as MS932 bytes. Totals in the trailer are the sum of the data records."""
    lines = [
        _record(
            "1",
            KIND_CODES[kind],
            "0",
            _n(requester.code, 10, "requester code"),
            _c(requester.name_kana, 40, "requester name"),
            f"{transfer_date:%m%d}",
            _n(requester.bank_code, 4, "bank code"),
            _c(requester.bank_name_kana, 15, "bank name"),
            _n(requester.branch_code, 3, "branch code"),
            _c(requester.branch_name_kana, 15, "branch name"),
            _account_type(requester.account_type, "requester account type"),
            _n(requester.account_number, 7, "account number"),
            " " * 17,
        )
    ]
    for t in transfers:
        where = f"transfer to {t.customer_code or t.account_number[-3:]}"
        lines.append(
            _record(
                "2",
                _n(t.bank_code, 4, f"{where}: bank code"),
                _c(t.bank_name_kana, 15, f"{where}: bank name"),
                _n(t.branch_code, 3, f"{where}: branch code"),
                _c(t.branch_name_kana, 15, f"{where}: branch name"),
                "0000",
                _account_type(t.account_type or "ordinary", f"{where}: account type"),
                _n(t.account_number, 7, f"{where}: account number"),
                _c(t.holder_kana, 30, f"{where}: holder name"),
                _n(t.amount, 10, f"{where}: amount"),
                "0",
                _c(t.customer_code, 10, f"{where}: customer code"),
                " " * 10,
                "7" if kind == "general" else " ",
                " ",
                " " * 7,
            )
        )
    total = sum(t.amount for t in transfers)
    lines.append(_record("8", _n(len(transfers), 6, "count"), _n(total, 12, "total"), " " * 101))
    lines.append(_record("9", " " * 119))
    return "".join(line + "\r\n" for line in lines).encode("cp932")


def read_trailer(data: bytes) -> tuple[int, int]:
    """(count, total) as the trailer record states them."""
    for line in data.split(b"\r\n"):
        if line[:1] == b"8":
            return int(line[1:7]), int(line[7:19])
    raise ZenginError("no trailer record")
