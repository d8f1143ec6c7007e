"""The transfer-file writer (addin/outputs/zengin.py) against the published layout it follows,
rules/jp/zengin_transfer_layout.csv: every field at the byte position, length and attribute the CSV
gives, and the CSV's fixed values where it states one."""

from __future__ import annotations

import csv
import re
from datetime import date

from addin.outputs.zengin import Requester, Transfer, zengin_file
from addin.resources import rules_dir

LAYOUT = list(csv.DictReader((rules_dir() / "jp" / "zengin_transfer_layout.csv").open(encoding="utf-8", newline="")))
REQUESTER = Requester("1234567890", "ｻﾝﾌﾟﾙｼﾖｳｼﾞ(ｶ", "0005", "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ", "123", "ﾎﾝﾃﾝ", "ordinary", "7654321")
TRANSFER = Transfer("0009", "456", "savings", "1234567", "ﾔﾏﾀﾞ ﾀﾛｳ", 98_765, "V0042", "ﾐﾂｲｽﾐﾄﾓ", "ｼﾝｼﾞﾕｸ")
#: what the writer was given for each field (data 区分, name); the rest are fixed by the layout
GIVEN = {
    ("1", "種別コード"): "21",
    ("1", "振込依頼人コード"): REQUESTER.code,
    ("1", "振込依頼人名"): REQUESTER.name_kana,
    ("1", "振込指定日"): "0425",
    ("1", "仕向銀行番号"): REQUESTER.bank_code,
    ("1", "仕向銀行名"): REQUESTER.bank_name_kana,
    ("1", "仕向支店番号"): REQUESTER.branch_code,
    ("1", "仕向支店名"): REQUESTER.branch_name_kana,
    ("1", "預金種目"): "1",
    ("1", "口座番号"): REQUESTER.account_number,
    ("2", "被仕向銀行番号"): TRANSFER.bank_code,
    ("2", "被仕向銀行名"): TRANSFER.bank_name_kana,
    ("2", "被仕向支店番号"): TRANSFER.branch_code,
    ("2", "被仕向支店名"): TRANSFER.branch_name_kana,
    ("2", "預金種目"): "4",  # 貯蓄
    ("2", "口座番号"): TRANSFER.account_number,
    ("2", "受取人名"): TRANSFER.holder_kana,
    ("2", "振込金額"): str(TRANSFER.amount),
    ("2", "顧客番号1"): TRANSFER.customer_code,
    ("2", "顧客番号2"): "",
    ("2", "識別表示"): "",
    ("8", "合計件数"): "2",
    ("8", "合計金額"): str(2 * TRANSFER.amount),
}


def fixed_value(content: str) -> str | None:
    """The value the layout fixes: "21（総合振込）" → "21", "未使用（0とする）" → "0", "スペース" → ""."""
    if content == "スペース":
        return ""
    match = re.match(r"^(\d+)（", content) or re.search(r"（(\d+)とする）", content)
    return match.group(1) if match else None


def test_the_layout_covers_each_120_byte_record_without_gaps():
    for kubun in ("1", "2", "8", "9"):
        fields = [f for f in LAYOUT if f["data_kubun"] == kubun]
        position = 1
        for f in fields:
            assert int(f["start_byte_1based"]) == position and int(f["end_byte"]) == position + int(f["length"]) - 1
            position += int(f["length"])
        assert position == 121, kubun


def test_the_writer_puts_every_field_where_the_layout_says():
    data = zengin_file("general", REQUESTER, date(2026, 4, 25), [TRANSFER, TRANSFER])
    records = {line[:1].decode(): line for line in data.split(b"\r\n") if line}
    assert sorted(records) == ["1", "2", "8", "9"] and all(len(r) == 120 for r in records.values())
    checked = 0
    for f in LAYOUT:
        start, length = int(f["start_byte_1based"]) - 1, int(f["length"])
        value = records[f["data_kubun"]][start : start + length].decode("cp932")
        expected = GIVEN.get((f["data_kubun"], f["field_name"]), fixed_value(f["content_or_fixed_value"]))
        assert expected is not None, f"no expectation for {f['field_name']}"
        padded = expected.zfill(length) if f["attr"] == "N" else expected.ljust(length)
        assert value == padded, (f["record_type"], f["field_name"], value, padded)
        if f["attr"] == "N":
            assert value.isdigit(), f["field_name"]
        checked += 1
    assert checked == len(LAYOUT) == 35
