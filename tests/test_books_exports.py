"""Each accounting-software export read back by a reader written here from the vendor's documented
layout (not by the writer's code), compared field by field with the hand-worked entries."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date

from addin.books import chart_of
from addin.books.sources import (
    BooksSettings,
    VendorFacts,
    bill_entries,
    invoice_entries,
    payment_entries,
    stock_entries,
)
from addin.demo.generate import generate
from addin.outputs.journal_export import export_bytes, write_export
from addin.rulebook import load_rulebook
from tests.test_books_engine import INVOICE, PAYMENT, UNREGISTERED, bill

RULES = load_rulebook()
CHART = chart_of(RULES.settings["books"])

# 弥生インポート形式 (弥生会計 05以降): 25 columns, no header; positions are the documented 1(A)…25(Y)
# (https://support.yayoi-kk.co.jp/subcontents.html?page_id=18545).
YAYOI = {
    "flag": 1,
    "slip": 2,
    "closing": 3,
    "date": 4,
    "d_account": 5,
    "d_sub": 6,
    "d_dept": 7,
    "d_tax": 8,
    "d_amount": 9,
    "d_tax_amount": 10,
    "c_account": 11,
    "c_sub": 12,
    "c_dept": 13,
    "c_tax": 14,
    "c_amount": 15,
    "c_tax_amount": 16,
    "memo": 17,
    "number": 18,
    "due": 19,
    "type": 20,
    "origin": 21,
    "note": 22,
    "tag1": 23,
    "tag2": 24,
    "adjust": 25,
}
# マネーフォワード クラウド会計 仕訳帳 template, row 1 of columns A–AA, as published.
MF_HEADER = (
    "取引No,取引日,借方勘定科目,借方補助科目,借方部門,借方取引先,借方税区分,借方インボイス,借方金額(円),借方税額,"
    "貸方勘定科目,貸方補助科目,貸方部門,貸方取引先,貸方税区分,貸方インボイス,貸方金額(円),貸方税額,摘要,仕訳メモ,"
    "タグ,MF仕訳タイプ,決算整理仕訳,作成日時,作成者,最終更新日時,最終更新者"
).split(",")

# a hand-made one-row and three-row slip in the documented yayoi layout
YAYOI_SAMPLE = (
    "2000,,,2019/07/01,現金,,,対象外,1100,,売上高,,,課税売上込10%,1100,100,テスト売上,,,0,,,0,0,no\r\n"
    "2110,,,2019/07/25,給料手当,,,対象外,300000,,預り金,源泉所得税,,対象外,10000,,給与,,,0,,,0,0,no\r\n"
    "2100,,,2019/07/25,,,,,0,,預り金,住民税,,対象外,15000,,給与,,,0,,,0,0,no\r\n"
    "2101,,,2019/07/25,,,,,0,,普通預金,,,対象外,275000,,給与,,,0,,,0,0,no\r\n"
).encode("cp932")


def entries():
    vendors = {**UNREGISTERED, "V2": VendorFacts("佐藤デザイン事務所", True, True)}
    note = dict(
        INVOICE,
        kind="credit_note",
        invoice_no="INV-000009",
        issue_date="2026-04-08",
        total=-194_467,
        by_rate={"10": {"subtotal": -123_456, "tax": -12_345}, "8": {"subtotal": -54_321, "tax": -4_345}},
    )
    settings = BooksSettings()
    return (
        invoice_entries([INVOICE, note], settings)
        + bill_entries([bill(date(2026, 9, 30)), bill(date(2026, 10, 1))], vendors, CHART, RULES, settings, "x")
        + payment_entries(date(2026, 4, 30), [PAYMENT], {"V2": "佐藤デザイン事務所"}, {"V2": 660}, RULES, settings, "p")
        + stock_entries(date(2026, 3, 31), 1_234_567, "s")
    )


def read_yayoi(data: bytes) -> list[list[dict]]:
    """Slips: 2000 alone; 2110 opens, 2100 continues, 2101 closes."""
    text = data.decode("cp932")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    slips, open_slip = [], None
    for raw in csv.reader(io.StringIO(text, newline="")):
        assert len(raw) == 25, raw
        row = {k: raw[i - 1] for k, i in YAYOI.items()}
        if row["flag"] == "2000":
            assert open_slip is None
            slips.append([row])
        elif row["flag"] == "2110":
            assert open_slip is None
            open_slip = [row]
        else:
            assert row["flag"] in ("2100", "2101") and open_slip is not None
            open_slip.append(row)
            if row["flag"] == "2101":
                slips.append(open_slip)
                open_slip = None
    assert open_slip is None
    return slips


def sides(
    rows: list[dict],
    d_amount: str,
    c_amount: str,
    d_tax: str = "d_tax",
    c_tax: str = "c_tax",
    d_account="d_account",
    c_account="c_account",
    d_sub="d_sub",
    c_sub="c_sub",
    d_ta="d_tax_amount",
    c_ta="c_tax_amount",
) -> set[tuple]:
    out = set()
    for row in rows:
        if row[d_account]:
            out.add(("debit", row[d_account], row[d_sub], int(row[d_amount]), row[d_tax], row[d_ta]))
        if row[c_account]:
            out.add(("credit", row[c_account], row[c_sub], int(row[c_amount]), row[c_tax], row[c_ta]))
    return out


def test_reader_takes_the_documented_yayoi_sample():
    slips = read_yayoi(YAYOI_SAMPLE)
    assert [len(s) for s in slips] == [1, 3]
    assert sum(int(r["d_amount"]) for r in slips[1]) == sum(int(r["c_amount"]) for r in slips[1]) == 300_000


def test_yayoi_export_field_by_field():
    made = entries()
    slips = read_yayoi(export_bytes(made, CHART, "yayoi"))
    assert len(slips) == len(made)
    for slip, entry in zip(slips, made, strict=True):
        assert {r["date"] for r in slip} == {f"{entry.date:%Y/%m/%d}"}
        assert {r["type"] for r in slip} == {"0"} and {r["adjust"] for r in slip} == {"no"}
        debit = sum(int(r["d_amount"]) for r in slip)
        assert debit == sum(int(r["c_amount"]) for r in slip) == entry.debits  # tax folded in, totals unchanged
    invoice, note, before, after, payment = slips[:5]
    assert sides(invoice, "d_amount", "c_amount") == {
        ("debit", "売掛金", "株式会社桜商事", 194_467, "対象外", ""),
        ("credit", "売上高", "", 135_801, "課税売上込10%", "12345"),
        ("credit", "売上高", "", 58_666, "課税売上込軽減8%", "4345"),
    }
    assert sides(note, "d_amount", "c_amount") == {
        ("credit", "売掛金", "株式会社桜商事", 194_467, "対象外", ""),
        ("debit", "売上高", "", 135_801, "課税売上込10%", "12345"),
        ("debit", "売上高", "", 58_666, "課税売上込軽減8%", "4345"),
    }
    assert sides(before, "d_amount", "c_amount") == {
        ("debit", "仕入高", "", 110_000, "課対仕入込10%区分80%", "10000"),
        ("credit", "買掛金", "山田商店", 110_000, "対象外", ""),
    }
    assert sides(after, "d_amount", "c_amount") == {
        ("debit", "仕入高", "", 110_000, "課対仕入込10%区分50%", "10000"),
        ("credit", "買掛金", "山田商店", 110_000, "対象外", ""),
    }
    assert sides(payment, "d_amount", "c_amount") == {
        ("debit", "買掛金", "佐藤デザイン事務所", 110_000, "対象外", ""),
        ("debit", "支払手数料", "", 660, "課対仕入込10%", "60"),
        ("credit", "預り金", "源泉所得税", 10_210, "対象外", ""),
        ("credit", "普通預金", "", 99_790, "対象外", ""),
        ("credit", "普通預金", "", 660, "対象外", ""),
    }


def test_mf_export_field_by_field():
    made = entries()
    data = export_bytes(made, CHART, "mf")
    rows = list(csv.reader(io.StringIO(data.decode("cp932"), newline="")))
    assert rows[0] == MF_HEADER and all(len(r) == 27 for r in rows)
    groups = defaultdict(list)
    for raw in rows[1:]:
        row = dict(zip(MF_HEADER, raw, strict=True))
        groups[(row["取引No"], row["取引日"])].append(row)
    assert len(groups) == len(made)
    keys = dict(
        d_amount="借方金額(円)",
        c_amount="貸方金額(円)",
        d_tax="借方税区分",
        c_tax="貸方税区分",
        d_account="借方勘定科目",
        c_account="貸方勘定科目",
        d_sub="借方補助科目",
        c_sub="貸方補助科目",
        d_ta="借方税額",
        c_ta="貸方税額",
    )
    by_no = [groups[k] for k in sorted(groups, key=lambda k: int(k[0]))]
    for group, entry in zip(by_no, made, strict=True):
        assert (
            sum(int(r["借方金額(円)"] or 0) for r in group)
            == sum(int(r["貸方金額(円)"] or 0) for r in group)
            == entry.debits
        )
    assert sides(by_no[0], **keys) == {
        ("debit", "売掛金", "株式会社桜商事", 194_467, "対象外", ""),
        ("credit", "売上高", "", 135_801, "課税売上 10%", "12345"),
        ("credit", "売上高", "", 58_666, "課税売上 (軽)8%", "4345"),
    }
    assert {r["借方インボイス"] for r in by_no[2]} == {"80%控除"}
    assert {r["借方インボイス"] for r in by_no[3]} == {"50%控除"}


def test_freee_export_field_by_field(tmp_path):
    made = entries()
    path = write_export(tmp_path / "journal_freee.csv", made, CHART, "freee")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    groups = defaultdict(list)
    for row in rows:
        groups[(row["日付"], row["伝票番号"])].append(row)
    assert len(groups) == len(made)
    by_no = [groups[k] for k in sorted(groups, key=lambda k: int(k[1]))]
    for group, entry in zip(by_no, made, strict=True):
        assert (
            sum(int(r["借方金額"] or 0) for r in group) == sum(int(r["貸方金額"] or 0) for r in group) == entry.debits
        )
    invoice = by_no[0]
    assert {(r["借方勘定科目"], r["借方取引先"], r["借方金額"]) for r in invoice if r["借方勘定科目"]} == {
        ("売掛金", "株式会社桜商事", "194467")
    }
    assert {(r["貸方税区分"], r["貸方金額"], r["貸方税額"]) for r in invoice} == {
        ("課税売上10%", "135801", "12345"),
        ("課税売上8%（軽）", "58666", "4345"),
    }
    assert {r["借方税区分"] for r in by_no[2] if r["借方勘定科目"]} == {"課対仕入（控80）10%"}


def test_every_japanese_string_the_demo_uses_survives_cp932():
    demo = generate(scale=1, seed=2025)
    texts = {
        v
        for sheets in demo.rows.values()
        for rows in sheets.values()
        for row in rows
        for v in row.values()
        if isinstance(v, str)
    }
    texts |= {a.name for a in CHART.accounts.values()} | {
        s for a in CHART.accounts.values() for s in a.sub_accounts.values()
    }
    texts |= {t.label(s) for t in CHART.tax_categories.values() for s in ("yayoi", "mf")}
    texts |= {t.invoice for t in CHART.tax_categories.values()}
    japanese = {t for t in texts if any(ord(ch) > 0x7F for ch in t)}
    assert len(japanese) > 100
    assert [t for t in japanese if t.encode("cp932").decode("cp932") != t] == []


def test_cp932_text_cuts_on_a_character_boundary_and_marks_what_cp932_lacks():
    from addin.outputs.journal_export import cp932_text

    assert cp932_text("株式会社日の出製作所東京支店", 24) == "株式会社日の出製作所東京"  # 12 characters = 24 bytes
    assert cp932_text("ABC株式会社", 6) == "ABC株"  # never half a character
    assert cp932_text("𠮷野家") == "?野家"  # not in CP932
    assert cp932_text("髙橋") == "髙橋"  # in CP932 (IBM extension)


def test_a_payroll_entry_spans_a_multi_row_yayoi_slip():
    from addin.books.sources import payroll_entries
    from tests.test_books_engine import PAYSLIP

    entries = payroll_entries(
        {"month": "2026-03", "pay_date": "2026-04-24", "employees": [PAYSLIP]}, set(), BooksSettings(), "x"
    )
    [slip] = read_yayoi(export_bytes(entries, CHART, "yayoi"))
    assert [r["flag"] for r in slip] == ["2110", "2100", "2100", "2100", "2100", "2101"]
    assert [(r["c_account"], r["c_sub"], r["c_amount"]) for r in slip] == [
        ("預り金", "源泉所得税", "7070"),
        ("預り金", "住民税", "12300"),
        ("預り金", "社会保険料", "15000"),
        ("預り金", "社会保険料", "27450"),
        ("預り金", "雇用保険料", "1716"),
        ("普通預金", "", "248464"),
    ]
    assert (slip[0]["d_account"], slip[0]["d_amount"]) == ("給与手当", "312000")
    assert {r["d_amount"] for r in slip[1:]} == {"0"} and {r["d_account"] for r in slip[1:]} == {""}
