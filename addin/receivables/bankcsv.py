"""A bank's statement CSV: header found by alias words (rules/bank_formats.yaml), encodings tried
in turn (UTF-8 with BOM, UTF-8, MS932), every row read or the file refused with its line and byte."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date

import jaconv

from addin.normalize.dates import NotADate, parse_date
from addin.normalize.numbers import NotANumber, parse_integer
from addin.normalize.text import clean_text, header_key
from addin.receivables.statement import DEPOSIT, WITHDRAWAL, ParsedStatement, StatementError, StatementLine


def decode(raw: bytes, encodings: list[str]) -> tuple[str, str]:
    for encoding in encodings:
        if encoding == "utf-8-sig" and not raw.startswith(b"\xef\xbb\xbf"):
            continue
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise StatementError(
        "encoding",
        1,
        0,
        "文字コードが UTF-8 でも Shift_JIS でもありません",
        "the file is neither UTF-8 nor Shift_JIS (MS932)",
    )


def _line_offsets(text: str, encoding: str) -> list[int]:
    """Byte offset of each physical line (1-based index) in the original file."""
    offsets, position = [0, 0], 3 if encoding == "utf-8-sig" else 0
    offsets[1] = position
    for piece in text.split("\n")[:-1]:
        position += len((piece + "\n").encode("utf-8" if encoding.startswith("utf") else encoding))
        offsets.append(position)
    return offsets


def _columns(header: list[str], aliases: dict[str, list[str]]) -> dict[str, int]:
    keys = [header_key(cell) for cell in header]
    keys = [re.sub(r"[(（]円[)）]|円$", "", k) for k in keys]
    found = {}
    for field, words in aliases.items():
        wanted = {re.sub(r"円$", "", header_key(word)) for word in words}
        for index, key in enumerate(keys):
            if key in wanted and field not in found:
                found[field] = index
    return found


def _layout_name(header: list[str], layouts: list[dict]) -> str:
    keys = {header_key(cell) for cell in header}
    for layout in layouts:
        if {header_key(h) for h in layout.get("headers", [])} <= keys:
            return str(layout["name"])
    return "csv"


def strip_prefix(description: str, prefixes: list[str]) -> str:
    """The payer's name as printed, without the bank's 振込 / ﾌﾘｺﾐ word in front of it."""
    text = description.strip()
    forms = {
        form for p in prefixes for form in (p, clean_text(p) or "", jaconv.z2h(p, kana=True, ascii=True, digit=True))
    }
    for prefix in sorted(forms, key=len, reverse=True):
        if prefix and text.startswith(prefix):
            return text[len(prefix) :].strip()
    return text


def parse_bank_csv(raw: bytes, formats: dict) -> ParsedStatement:
    text, encoding = decode(raw, list(formats.get("encodings", ["utf-8-sig", "utf-8", "cp932"])))
    offsets = _line_offsets(text, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    aliases = formats.get("columns", {})
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        line = reader.line_num
        raise StatementError(
            "truncated",
            line,
            offsets[min(line, len(offsets) - 1)],
            f"{line} 行目: CSV が途中で切れています（{exc}）",
            f"line {line}: the CSV is cut short ({exc})",
        ) from None
    header_at = None
    for position, (_, row) in enumerate(rows[: int(formats.get("header_search_rows", 15))]):
        cols = _columns(row, aliases)
        if "date" in cols and ("deposit" in cols or "amount" in cols):
            header_at, columns, header = position, cols, row
            break
    if header_at is None:
        raise StatementError(
            "header_missing",
            1,
            0,
            "見出し行（日付・入金額の列）が見つかりません",
            "no header row with a date and a deposit (or amount) column was found",
        )
    layout = _layout_name(header, formats.get("layouts", []))
    account = f"csv:{layout}:" + hashlib.sha256("|".join(header_key(h) for h in header).encode()).hexdigest()[:8]
    statement = ParsedStatement(layout, account)
    prefixes = list(formats.get("payer_prefixes", []))
    for line_no, row in rows[header_at + 1 :]:
        parsed = _row(line_no, offsets[min(line_no, len(offsets) - 1)], row, columns, len(header), statement, prefixes)
        if parsed is not None:
            statement.lines.append(parsed)
    dates = [line.date for line in statement.lines]
    statement.first_date, statement.last_date = (min(dates), max(dates)) if dates else (None, None)
    return statement


def _cell(row: list[str], columns: dict[str, int], field: str) -> str:
    index = columns.get(field)
    return row[index].strip() if index is not None and index < len(row) else ""


#: more digits than a bank's amount field holds (12): a number no deposit can be
MAX_YEN = 10**12
#: a statement line dated before this is a misread date, not a deposit (no fee rule reaches back so far)
EARLIEST_STATEMENT = date(2000, 1, 1)


def _yen(line_no: int, offset: int, text: str, field: str) -> int | None:
    try:
        value = parse_integer(text)
        if value is not None and abs(value) >= MAX_YEN:
            raise ValueError(text)
        return value
    except (NotANumber, ValueError):
        raise StatementError(
            "not_a_number",
            line_no,
            offset,
            f"{line_no} 行目: {field} の「{text}」が金額として読めません",
            f"line {line_no}: {field} {text!r} is not an amount of yen",
        ) from None


def _row(line_no, offset, row, columns, width, statement, prefixes) -> StatementLine | None:
    if not any(cell.strip() for cell in row):
        return None
    deposit = _yen(line_no, offset, _cell(row, columns, "deposit"), "入金")
    withdrawal = _yen(line_no, offset, _cell(row, columns, "withdrawal"), "出金")
    signed = _yen(line_no, offset, _cell(row, columns, "amount"), "金額")
    raw_date = _cell(row, columns, "date").split(" ")[0]
    try:
        day = parse_date(raw_date)
    except (NotADate, ValueError):
        day = None
    if not (deposit or withdrawal or signed):
        return None  # 前日残高 / 合計 rows and other lines without money
    if day is None or not isinstance(day, date) or day < EARLIEST_STATEMENT:
        raise StatementError(
            "not_a_date",
            line_no,
            offset,
            f"{line_no} 行目: 日付「{raw_date}」が読めません",
            f"line {line_no}: date {raw_date!r} cannot be read",
        )
    if len(row) < width and max(columns.values()) >= len(row):
        raise StatementError(
            "short_row",
            line_no,
            offset,
            f"{line_no} 行目: 列が {len(row)} 個しかありません（見出しは {width} 列）",
            f"line {line_no}: {len(row)} columns where the header has {width}",
        )
    if deposit and withdrawal:  # one line is one movement of money: which of the two is it?
        raise StatementError(
            "two_amounts",
            line_no,
            offset,
            f"{line_no} 行目: 入金と出金の両方に金額があります（{deposit:,} / {withdrawal:,}）",
            f"line {line_no}: both a deposit and a withdrawal ({deposit:,} / {withdrawal:,})",
        )
    if signed is not None and not (deposit or withdrawal):
        deposit, withdrawal = (signed, None) if signed > 0 else (None, -signed)
    direction, amount = (DEPOSIT, deposit) if deposit else (WITHDRAWAL, withdrawal)
    assert amount is not None  # a row with no deposit, withdrawal or amount returned above
    if amount < 0:
        direction, amount = (WITHDRAWAL if direction == DEPOSIT else DEPOSIT), -amount
    description = _cell(row, columns, "description")
    payer = _cell(row, columns, "payer") or strip_prefix(description, prefixes)
    balance = _cell(row, columns, "balance")
    return StatementLine(
        statement.account if "account" not in columns else f"csv:{_cell(row, columns, 'account')}",
        day,
        direction,
        amount,
        payer,
        description,
        _yen(line_no, offset, balance, "残高") if balance else None,
        _cell(row, columns, "reference"),
        line_no,
        offset,
    )
