"""Journal exports the accounting software imports: 弥生会計, マネーフォワード クラウド会計, freee.

Every format takes one row per (debit line, credit line) pair, with a tax-included amount, the tax
amount and the tax category (税区分): the software splits 仮受/仮払消費税 out itself by the company's
経理方式, so the product's own 仮受/仮払消費税 lines are folded back into the lines they belong to.
A compound entry (複合仕訳) spans several rows tied together as each format documents.

Layouts, as published by each vendor (researched 2026-11; re-check when a vendor changes its format):

- 弥生会計 「弥生インポート形式」(弥生会計 05以降), 25 columns, no header row, Shift_JIS (CP932), CRLF:
  https://support.yayoi-kk.co.jp/subcontents.html?page_id=18545 and the FAQ
  https://support.yayoi-kk.co.jp/faq_Subcontents.html?grade_id=Kaikei&page_id=27184 —
  識別フラグ 2000 (one-row 仕訳), 2110 / 2100 / 2101 (first / middle / last row of a multi-row 伝票),
  取引日付 "2019/07/01", 借方・貸方金額 tax-included integers (マイナス不可; "0" where a row has no
  account on that side), 勘定科目・補助科目 up to 24 half-width bytes, タイプ "0", 付箋 "0", 調整 "no".
- マネーフォワード クラウド会計 「仕訳帳」インポート, the template's 27 columns A–AA with its header row
  (「A列からAA列の1行目については、編集を行わないでください」), a compound entry = rows with the same
  取引No and 取引日 whose debits and credits agree; template offered in Shift_JIS and UTF-8:
  https://biz.moneyforward.com/support/account/guide/import-books/ib01.html and
  https://biz.moneyforward.com/support/ac-plus/guide/journal2/import2.html (インボイス column:
  適格 / 80%控除; 50%控除 from 2026-10-01).
- freee 会計 「その他の会計ソフトから仕訳データを移行する」(汎用形式の仕訳データ), columns per side
  (借方勘定科目 / 貸方勘定科目, 借方金額 / 貸方金額, 借方税額 / 貸方税額 …), 日付 "2015/04/01",
  a multi-row 仕訳 = rows with the same 日付 and 伝票番号:
  https://support.freee.co.jp/hc/ja/articles/204847430 — written here in UTF-8, which freee reads.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

from addin.books.chart import Chart
from addin.books.journal import Entry, Line
from addin.books.ledger import TAX_ACCOUNTS
from addin.outputs.atomic import write_bytes

YAYOI_COLUMNS = [
    "識別フラグ",
    "伝票No.",
    "決算",
    "取引日付",
    "借方勘定科目",
    "借方補助科目",
    "借方部門",
    "借方税区分",
    "借方金額",
    "借方税金額",
    "貸方勘定科目",
    "貸方補助科目",
    "貸方部門",
    "貸方税区分",
    "貸方金額",
    "貸方税金額",
    "摘要",
    "番号",
    "期日",
    "タイプ",
    "生成元",
    "仕訳メモ",
    "付箋1",
    "付箋2",
    "調整",
]
MF_COLUMNS = [
    "取引No",
    "取引日",
    "借方勘定科目",
    "借方補助科目",
    "借方部門",
    "借方取引先",
    "借方税区分",
    "借方インボイス",
    "借方金額(円)",
    "借方税額",
    "貸方勘定科目",
    "貸方補助科目",
    "貸方部門",
    "貸方取引先",
    "貸方税区分",
    "貸方インボイス",
    "貸方金額(円)",
    "貸方税額",
    "摘要",
    "仕訳メモ",
    "タグ",
    "MF仕訳タイプ",
    "決算整理仕訳",
    "作成日時",
    "作成者",
    "最終更新日時",
    "最終更新者",
]
FREEE_COLUMNS = [
    "日付",
    "伝票番号",
    "決算整理仕訳",
    "借方勘定科目",
    "借方取引先",
    "借方品目",
    "借方税区分",
    "借方金額",
    "借方税額",
    "貸方勘定科目",
    "貸方取引先",
    "貸方品目",
    "貸方税区分",
    "貸方金額",
    "貸方税額",
    "摘要",
]
FORMATS = ("yayoi", "mf", "freee")
ENCODINGS = {"yayoi": "cp932", "mf": "cp932", "freee": "utf-8"}
YAYOI_TEXT_BYTES = {"account": 24, "sub": 24, "memo": 64}


@dataclass(frozen=True)
class Side:
    """One side of an export row, names resolved for a software."""

    account: str = ""
    sub: str = ""
    tax: str = ""
    invoice: str = ""
    amount: int = 0
    tax_amount: int = 0


def export_lines(entry: Entry) -> tuple[list[Line], list[Line]]:
    """Debit and credit lines as the software takes them: tax-included amounts, no 仮受/仮払消費税 lines
    (they are the `tax_posted` part of the line they come from)."""
    folded = any(line.tax_posted for line in entry.lines)
    lines = [
        replace(line, amount=line.amount + line.tax_posted)
        for line in entry.lines
        if not (folded and line.account in TAX_ACCOUNTS)
    ]
    debits = [line for line in lines if line.side == "debit"]
    credits = [line for line in lines if line.side == "credit"]
    if sum(x.amount for x in debits) != sum(x.amount for x in credits):
        raise ValueError(f"{entry.entry_id}: tax lines do not match the lines they belong to")
    return debits, credits


def _side(line: Line | None, chart: Chart, software: str) -> Side:
    if line is None:
        return Side()
    account = chart.account(line.account)
    tax = chart.tax(line.tax)
    return Side(
        account.name,
        account.sub_name(line.sub) if line.sub else "",
        tax.label(software),
        tax.invoice if line.tax.startswith("purchase_") else "",
        line.amount,
        line.tax_amount,
    )


def paired(entry: Entry, chart: Chart, software: str) -> list[tuple[Side, Side]]:
    debits, credits = export_lines(entry)
    rows = max(len(debits), len(credits))
    pad = [None] * rows
    return [
        (_side(d, chart, software), _side(c, chart, software))
        for d, c in zip((debits + pad)[:rows], (credits + pad)[:rows], strict=True)
    ]


def cp932_text(text: str, limit: int | None = None) -> str:
    """Text the CP932 file can hold, cut to a byte limit without splitting a character; a character
    CP932 lacks becomes "?" (the figures are never touched)."""
    try:
        encoded = text.encode("cp932")
        if limit is None or len(encoded) <= limit:
            return text
    except UnicodeEncodeError:
        pass
    out, size = [], 0
    for ch in text:
        try:
            width = len(ch.encode("cp932"))
        except UnicodeEncodeError:
            ch, width = "?", 1
        if limit is not None and size + width > limit:
            break
        out.append(ch)
        size += width
    return "".join(out)


def _yayoi_flag(index: int, count: int) -> str:
    if count == 1:
        return "2000"
    return "2110" if index == 0 else ("2101" if index == count - 1 else "2100")


def _yayoi_side(side: Side) -> list[str]:
    """勘定科目, 補助科目, 部門, 税区分, 金額, 税金額 of one side of a 仕訳日記帳 row."""
    cut = YAYOI_TEXT_BYTES
    return [
        cp932_text(side.account, cut["account"]),
        cp932_text(side.sub, cut["sub"]),
        "",
        side.tax if side.account else "",
        str(side.amount),
        str(side.tax_amount) if side.tax_amount else "",
    ]


def yayoi_rows(entries: list[Entry], chart: Chart) -> list[list[str]]:
    rows = []
    for number, entry in enumerate(entries, 1):
        pairs = paired(entry, chart, "yayoi")
        for i, (d, c) in enumerate(pairs):
            rows.append(
                [_yayoi_flag(i, len(pairs)), str(number), "", f"{entry.date:%Y/%m/%d}"]
                + _yayoi_side(d)
                + _yayoi_side(c)
                + [cp932_text(entry.description, YAYOI_TEXT_BYTES["memo"]), "", "", "0", ""]
                + [cp932_text(entry.entry_id, 64), "0", "0", "no"]
            )
    return rows


def _mf_side(side: Side) -> list[str]:
    """勘定科目, 補助科目, 部門, 取引先, 税区分, インボイス, 金額, 税額 of one side of an MF row."""
    return [
        side.account,
        side.sub,
        "",
        "",
        side.tax if side.account else "",
        side.invoice,
        str(side.amount) if side.account else "",
        str(side.tax_amount) if side.tax_amount else "",
    ]


def mf_rows(entries: list[Entry], chart: Chart) -> list[list[str]]:
    rows = [MF_COLUMNS]
    for number, entry in enumerate(entries, 1):
        for d, c in paired(entry, chart, "mf"):
            rows.append(
                [str(number), f"{entry.date:%Y/%m/%d}"]
                + _mf_side(d)
                + _mf_side(c)
                + [cp932_text(entry.description), cp932_text(entry.entry_id)]
                + [""] * 7
            )
    return rows


def freee_rows(entries: list[Entry], chart: Chart) -> list[list[str]]:
    rows = [FREEE_COLUMNS]
    for number, entry in enumerate(entries, 1):
        for d, c in paired(entry, chart, "freee"):
            rows.append(
                [
                    f"{entry.date:%Y/%m/%d}",
                    str(number),
                    "",
                    d.account,
                    _party(d),
                    _item(d),
                    d.tax if d.account else "",
                    str(d.amount) if d.account else "",
                    str(d.tax_amount) if d.tax_amount else "",
                    c.account,
                    _party(c),
                    _item(c),
                    c.tax if c.account else "",
                    str(c.amount) if c.account else "",
                    str(c.tax_amount) if c.tax_amount else "",
                    entry.description,
                ]
            )
    return rows


def _party(side: Side) -> str:
    """freee keeps customers and vendors as 取引先 (it has no 補助科目)."""
    return side.sub if side.account in ("売掛金", "買掛金") else ""


def _item(side: Side) -> str:
    """… and other breakdowns (預り金 源泉所得税 / 住民税 …) as 品目."""
    return side.sub if side.account not in ("売掛金", "買掛金") else ""


BUILDERS = {"yayoi": yayoi_rows, "mf": mf_rows, "freee": freee_rows}


def export_bytes(entries: list[Entry], chart: Chart, software: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    rows = BUILDERS[software](entries, chart)
    if ENCODINGS[software] == "cp932":
        rows = [[cp932_text(cell) for cell in row] for row in rows]
    writer.writerows(rows)
    return buffer.getvalue().encode(ENCODINGS[software])


def write_export(path: Path, entries: list[Entry], chart: Chart, software: str) -> Path:
    """Owner-only: payroll lines carry each employee's pay."""
    return write_bytes(path, export_bytes(entries, chart, software), private=True)
