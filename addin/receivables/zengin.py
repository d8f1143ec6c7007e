"""The 全銀協 入出金取引明細 file (種別コード 03): fixed 200-byte records, read and written.

Layout (byte positions 1-based, N = digits right-aligned zero-filled, C = half-width characters
left-aligned space-filled), as published in banks' EB manuals of the 全銀協 standard, e.g.
きらぼし銀行「入出金明細(全銀)明細ファイル・フォーマット(全銀協規定形式)」(2018-05-01) and
阿波銀行「振込入金通知(全銀協制定フォーマット)」 for the shared header fields:

  header  (データ区分 1): 種別コード 2-3 "03", コード区分 4 (0 JIS / 1 EBCDIC), 作成日 5-10,
          勘定日(自) 11-16, 勘定日(至) 17-22 (YYMMDD, 和暦), 銀行コード 23-26, 銀行名 27-41,
          支店コード 42-44, 支店名 45-59, ダミー 60-62, 預金種目 63, 口座番号 64-70, 口座名 71-110,
          貸越区分 111, 通帳・証書区分 112, 取引前残高 113-126, ダミー 127-200
  data    (2): 照会番号 2-9, 勘定日 10-15, 預入・払出日 16-21, 入払区分 22 (1 入金 / 2 出金),
          取引区分 23-24, 取引金額 25-36, うち他店券金額 37-48, 交換呈示日 49-54, 不渡返還日 55-60,
          手形・小切手区分 61, 手形・小切手番号 62-68, 僚店番号 69-71, 振込依頼人コード 72-81,
          振込依頼人名又は契約者番号 82-129, 仕向銀行名 130-144, 仕向店名 145-159, 摘要内容 160-179,
          EDI情報 180-199, ダミー 200
  trailer (8): 入金件数 2-7, 入金額合計 8-20, 出金件数 21-26, 出金額合計 27-39, 貸越区分 40,
          取引後残高 41-54, データレコード件数 55-61, ダミー 62-200
  end     (9): ダミー 2-200

Records come back to back or each followed by CR LF / LF (banks offer both). コード区分 0 is JIS
X 0201 (half-width katakana in one byte, read here as MS932, which agrees on those bytes); EBCDIC
(1) is refused with a message asking for the JIS file. Dates are 和暦 YYMMDD by the standard; some
banks write 西暦 — `year_style` chooses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from addin.receivables.statement import DEPOSIT, WITHDRAWAL, ParsedStatement, StatementError, StatementLine

RECORD = 200
REIWA_START = date(2019, 5, 1)

# (name, first byte (1-based), length) per record kind; the tables above in code form.
HEADER = (
    ("kind", 1, 1),
    ("type", 2, 2),
    ("charset", 4, 1),
    ("created", 5, 6),
    ("from", 11, 6),
    ("to", 17, 6),
    ("bank_code", 23, 4),
    ("bank_name", 27, 15),
    ("branch_code", 42, 3),
    ("branch_name", 45, 15),
    ("account_type", 63, 1),
    ("account_number", 64, 7),
    ("account_name", 71, 40),
    ("overdraft", 111, 1),
    ("book", 112, 1),
    ("opening_balance", 113, 14),
)
DATA = (
    ("kind", 1, 1),
    ("reference", 2, 8),
    ("date", 10, 6),
    ("value_date", 16, 6),
    ("direction", 22, 1),
    ("transaction", 23, 2),
    ("amount", 25, 12),
    ("other_bank_cheques", 37, 12),
    ("presented", 49, 6),
    ("dishonoured", 55, 6),
    ("cheque_kind", 61, 1),
    ("cheque_no", 62, 7),
    ("branch", 69, 3),
    ("payer_code", 72, 10),
    ("payer", 82, 48),
    ("from_bank", 130, 15),
    ("from_branch", 145, 15),
    ("description", 160, 20),
    ("edi", 180, 20),
)
TRAILER = (
    ("kind", 1, 1),
    ("deposits", 2, 6),
    ("deposit_total", 8, 13),
    ("withdrawals", 21, 6),
    ("withdrawal_total", 27, 13),
    ("overdraft", 40, 1),
    ("closing_balance", 41, 14),
    ("records", 55, 7),
)
NUMERIC = {
    "type",
    "charset",
    "created",
    "from",
    "to",
    "bank_code",
    "branch_code",
    "account_type",
    "account_number",
    "opening_balance",
    "reference",
    "date",
    "direction",
    "amount",
    "deposits",
    "deposit_total",
    "withdrawals",
    "withdrawal_total",
    "closing_balance",
    "records",
}
# 取引区分 (data 23-24): 10 現金, 11 振込, 12 他店券入金, 13 交換, 14 振替, 18 その他, 19 訂正
TRANSACTION_KINDS = {
    "10": "現金",
    "11": "振込",
    "12": "他店券入金",
    "13": "交換",
    "14": "振替",
    "18": "その他",
    "19": "訂正",
}


@dataclass
class _Record:
    number: int  # 1-based record number in the file (= line number when records end with newlines)
    offset: int  # byte offset of its first byte
    data: bytes


def _records(raw: bytes) -> list[_Record]:
    body = raw.rstrip(b"\x1a")  # an MS-DOS end-of-file mark some bank software appends
    out: list[_Record] = []
    if b"\n" in body:
        offset = 0
        for number, piece in enumerate(body.split(b"\n"), start=1):
            length = len(piece) + 1
            record = piece[:-1] if piece.endswith(b"\r") else piece
            if record or offset + len(piece) < len(body):
                if len(record) < RECORD and offset + len(piece) >= len(body):  # the last piece, no newline after
                    raise StatementError(
                        "truncated",
                        number,
                        offset,
                        f"ファイルが途中で切れています: {number} 行目が {len(record)} バイトしかありません",
                        f"the file is cut short: record {number} has only {len(record)} of 200 bytes",
                    )
                if len(record) != RECORD:
                    raise StatementError(
                        "record_length",
                        number,
                        offset,
                        f"{number} 行目のレコード長が {len(record)} バイトです（200 バイトのはず）",
                        f"record {number} is {len(record)} bytes long, not 200",
                    )
                out.append(_Record(number, offset, record))
            offset += length
        return out
    for number, offset in enumerate(range(0, len(body), RECORD), start=1):
        record = body[offset : offset + RECORD]
        if len(record) != RECORD:
            raise StatementError(
                "truncated",
                number,
                offset,
                f"ファイルが途中で切れています: 最後のレコードが {len(record)} バイトです",
                f"the file is cut short: its last record has {len(record)} bytes, not 200",
            )
        out.append(_Record(number, offset, record))
    return out


def _fields(record: _Record, layout) -> dict[str, str]:
    try:
        whole = record.data.decode("cp932")
    except UnicodeDecodeError:
        whole = ""
    if len(whole) == RECORD:  # one byte per character (JIS X 0201): character positions are byte positions
        values = {name: whole[start - 1 : start - 1 + length] for name, start, length in layout}
        for name, start, _length in layout:
            if name in NUMERIC and not _digits(values[name]):
                _not_a_number(record, name, start, values[name])
        return values
    values = {}
    for name, start, length in layout:
        chunk = record.data[start - 1 : start - 1 + length]
        try:
            text = chunk.decode("cp932")
        except UnicodeDecodeError:
            raise StatementError(
                "bad_characters",
                record.number,
                record.offset + start - 1,
                f"{record.number} 行目 {start} バイト目: JIS 半角文字として読めません",
                f"record {record.number}, byte {start}: not JIS half-width characters",
            ) from None
        if name in NUMERIC and not _digits(text):
            _not_a_number(record, name, start, text)
        values[name] = text
    return values


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also takes ① or ２, which int() then refuses."""
    return text.isascii() and text.isdigit()


def _not_a_number(record: _Record, name: str, start: int, text: str):
    raise StatementError(
        "not_a_number",
        record.number,
        record.offset + start - 1,
        f"{record.number} 行目 {start} バイト目の {name} が数字ではありません: 「{text}」",
        f"record {record.number}, byte {start}: {name} is not digits: {text!r}",
    )


def yymmdd(text: str, year_style: str = "wareki", today: date | None = None) -> date:
    """A 6-digit date: 和暦 (令和, or 平成 when 令和 would be before 2019-05-01 or in the future) or 西暦."""
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:])
    if year_style == "seireki":
        return date(2000 + yy, mm, dd)
    today = today or date.today()
    reiwa = date(2018 + yy, mm, dd) if yy >= 1 else None
    if reiwa is not None and REIWA_START <= reiwa <= date(today.year + 1, 12, 31):
        return reiwa
    heisei = date(1988 + yy, mm, dd) if yy >= 1 else None  # 平成 ran from year 1 to 2019-04-30 (31年)
    if heisei is None or heisei >= REIWA_START:
        raise ValueError(f"{text}: neither a 令和 nor a 平成 date")
    return heisei


def _date(record: _Record, values: dict, name: str, start: int, year_style: str, today: date | None) -> date:
    try:
        return yymmdd(values[name], year_style, today)
    except ValueError:
        raise StatementError(
            "not_a_date",
            record.number,
            record.offset + start - 1,
            f"{record.number} 行目 {start} バイト目の日付「{values[name]}」が読めません",
            f"record {record.number}, byte {start}: {values[name]!r} is not a date",
        ) from None


def parse_zengin(raw: bytes, year_style: str = "wareki", today: date | None = None) -> ParsedStatement:
    """Every line of a 入出金取引明細 file, or a StatementError naming the record and byte."""
    records = _records(raw)
    if not records:
        raise StatementError("empty", 0, 0, "ファイルが空です", "the file is empty")
    statement, position, ended = None, 0, False
    while position < len(records):
        record = records[position]
        kind = record.data[:1]
        if ended:
            raise StatementError(
                "after_end",
                record.number,
                record.offset,
                f"{record.number} 行目: エンドレコードの後にデータがあります",
                f"record {record.number}: data after the end record",
            )
        if kind == b"9":
            ended = True
            position += 1
            continue
        if kind != b"1":
            raise StatementError(
                "no_header",
                record.number,
                record.offset,
                f"{record.number} 行目: ヘッダーレコード（区分 1）がありません",
                f"record {record.number}: a header record (kind 1) is expected here",
            )
        position, statement = _account_block(records, position, statement, year_style, today)
    if not ended:
        last = records[-1]
        raise StatementError(
            "truncated",
            last.number,
            last.offset + RECORD,
            "エンドレコード（区分 9）がありません: ファイルが途中で切れています",
            "no end record (kind 9): the file is cut short",
        )
    if statement is None:  # only end records: nothing to read
        raise StatementError("no_header", 1, 0, "ヘッダーレコード（区分 1）がありません", "no header record (kind 1)")
    return statement


def _account_block(records, position, statement, year_style, today):
    header_record = records[position]
    header = _fields(header_record, HEADER)
    if header["type"] != "03":
        raise StatementError(
            "not_statement",
            header_record.number,
            header_record.offset + 1,
            f"種別コード {header['type']} は入出金取引明細（03）ではありません",
            f"type code {header['type']} is not a deposit/withdrawal statement (03)",
        )
    if header["charset"] == "1":
        raise StatementError(
            "ebcdic",
            header_record.number,
            header_record.offset + 3,
            "EBCDIC のファイルには対応していません。銀行に JIS（コード区分 0）での出力を依頼してください",
            "EBCDIC files are not supported: ask the bank for the JIS file (code 0)",
        )
    account = "-".join((header["bank_code"], header["branch_code"], header["account_type"], header["account_number"]))
    statement = statement or ParsedStatement("zengin", account)
    lines, position = [], position + 1
    while position < len(records) and records[position].data[:1] == b"2":
        record = records[position]
        values = _fields(record, DATA)
        if values["direction"] not in ("1", "2"):
            raise StatementError(
                "bad_direction",
                record.number,
                record.offset + 21,
                f"{record.number} 行目: 入払区分「{values['direction']}」は 1（入金）か 2（出金）のはずです",
                f"record {record.number}: direction {values['direction']!r} must be 1 or 2",
            )
        lines.append(
            StatementLine(
                account=account,
                date=_date(record, values, "date", 10, year_style, today),
                direction=DEPOSIT if values["direction"] == "1" else WITHDRAWAL,
                amount=int(values["amount"]),
                payer=values["payer"].rstrip(),
                description=values["description"].rstrip(),
                reference=values["reference"],
                line_no=record.number,
                byte_offset=record.offset,
            )
        )
        position += 1
    if position >= len(records) or records[position].data[:1] != b"8":
        where = records[position] if position < len(records) else records[-1]
        offset = where.offset if position < len(records) else where.offset + RECORD
        raise StatementError(
            "no_trailer",
            where.number,
            offset,
            "トレーラレコード（区分 8）がありません",
            "the trailer record (kind 8) is missing",
        )
    _check_trailer(records[position], lines)
    statement.lines += lines
    dates = [line.date for line in statement.lines]
    statement.first_date, statement.last_date = (min(dates), max(dates)) if dates else (None, None)
    return position + 1, statement


def _check_trailer(record: _Record, lines: list[StatementLine]) -> None:
    trailer = _fields(record, TRAILER)
    deposits = [line.amount for line in lines if line.direction == DEPOSIT]
    withdrawals = [line.amount for line in lines if line.direction == WITHDRAWAL]
    expected = {
        "deposits": len(deposits),
        "deposit_total": sum(deposits),
        "withdrawals": len(withdrawals),
        "withdrawal_total": sum(withdrawals),
    }
    for name, value in expected.items():
        if int(trailer[name]) != value:
            raise StatementError(
                "trailer_mismatch",
                record.number,
                record.offset,
                f"トレーラの {name} が {int(trailer[name])} ですが明細からは {value} です",
                f"trailer {name} says {int(trailer[name])}, the data records give {value}",
            )


# ---- writing (the demo company's statements, tests) -------------------------------------------


def _n(value: int, length: int) -> bytes:
    return str(int(value)).zfill(length).encode("ascii")


def _c(text: str, length: int) -> bytes:
    data = (text or "").encode("cp932")[:length]
    return data + b" " * (length - len(data))


def _wareki(day: date, year_style: str) -> bytes:
    year = day.year - (2000 if year_style == "seireki" else 2018 if day >= REIWA_START else 1988)
    return f"{year:02d}{day.month:02d}{day.day:02d}".encode("ascii")


def zengin_statement(
    bank_code: str,
    branch_code: str,
    account_type: str,
    account_number: str,
    account_name: str,
    lines: list[StatementLine],
    created: date,
    opening_balance: int = 0,
    newline: bytes = b"\r\n",
    year_style: str = "wareki",
) -> bytes:
    """A 入出金取引明細 file for one account holding `lines` (in their order)."""
    dates = [line.date for line in lines] or [created]
    header = (
        b"1"
        + b"03"
        + b"0"
        + _wareki(created, year_style)
        + _wareki(min(dates), year_style)
        + _wareki(max(dates), year_style)
        + _n(int(bank_code), 4)
        + _c("", 15)
        + _n(int(branch_code), 3)
        + _c("", 15)
        + b"000"
        + _n(int(account_type), 1)
        + _n(int(account_number), 7)
        + _c(account_name, 40)
        + b"1"
        + b"1"
        + _n(opening_balance, 14)
    )
    records = [header + b" " * (RECORD - len(header))]
    balance = opening_balance
    for number, line in enumerate(lines, start=1):
        deposit = line.direction == DEPOSIT
        balance += line.amount if deposit else -line.amount
        body = (
            b"2"
            + _n(int(line.reference or number), 8)
            + _wareki(line.date, year_style) * 2
            + (b"1" if deposit else b"2")
            + (b"11" if deposit else b"14")
            + _n(line.amount, 12)
            + _n(0, 12)
            + b"000000" * 2
            + b"0"
            + _n(0, 7)
            + _n(0, 3)
            + _n(0, 10)
            + _c(line.payer, 48)
            + _c("", 15)
            + _c("", 15)
            + _c(line.description, 20)
            + _c("", 20)
        )
        records.append(body + b" " * (RECORD - len(body)))
    deposits = [line.amount for line in lines if line.direction == DEPOSIT]
    withdrawals = [line.amount for line in lines if line.direction == WITHDRAWAL]
    trailer = (
        b"8"
        + _n(len(deposits), 6)
        + _n(sum(deposits), 13)
        + _n(len(withdrawals), 6)
        + _n(sum(withdrawals), 13)
        + (b"1" if balance >= 0 else b"2")
        + _n(abs(balance), 14)
        + _n(len(lines), 7)
    )
    records.append(trailer + b" " * (RECORD - len(trailer)))
    records.append(b"9" + b" " * (RECORD - 1))
    return b"".join(r + newline for r in records)
