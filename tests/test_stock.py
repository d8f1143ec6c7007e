"""Stock: valuation by both methods against hand-worked ledgers, counts, reorder with open POs, every
three-way-match status, vendor payments, and bad rows that are reported while the rest is computed."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from addin.cli import main
from addin.outputs.zengin import read_trailer
from addin.services.company import load_company
from tests.blank_company import init_copy
from addin.outputs.master_books import write_book

ITEMS = [
    {
        "sku": "A",
        "name": "ボールペン",
        "unit": "本",
        "unit_price": 200,
        "unit_cost": 100,
        "tax_rate": "10%",
        "vendor_id": "V1",
        "reorder_point": 10,
        "reorder_qty": 20,
    },
    {
        "sku": "B",
        "name": "お茶",
        "unit": "箱",
        "unit_price": 300,
        "unit_cost": 150,
        "tax_rate": "8%",
        "vendor_id": "V2",
        "reorder_point": 10,
        "reorder_qty": 20,
    },
]
VENDORS = [
    {
        "vendor_id": "V1",
        "name": "株式会社一",
        "registration_number": "T7000012050002",
        "bank_code": "0001",
        "branch_code": "001",
        "account_type": "普通",
        "account_number": "1111111",
        "account_holder_kana": "ｶ)ｲﾁ",
        "payment_terms": "月末締め翌月末払い",
    },
    {
        "vendor_id": "V2",
        "name": "株式会社二",
        "bank_code": "0005",
        "branch_code": "002",
        "account_type": "普通",
        "account_number": "2222222",
        "account_holder_kana": "ｶ)ﾆ",
        "payment_terms": "翌月末",
    },
    {
        "vendor_id": "V3",
        "name": "山田デザイン",
        "is_individual": "〇",
        "bank_code": "0009",
        "branch_code": "003",
        "account_type": "普通",
        "account_number": "3333333",
        "account_holder_kana": "ﾔﾏﾀﾞ ﾀﾛｳ",
        "payment_terms": "翌月末",
    },
]
LEDGER_A = [
    ("2025-04-01", "入庫", 10, 100, "PO1"),
    ("2025-04-05", "入庫", 10, 130, "PO1"),
    ("2025-04-10", "出庫", 5, None, ""),
    ("2025-04-12", "入庫", 5, 121, "PO1"),
    ("2025-04-20", "出庫", 20, None, ""),
    ("2025-05-01", "入庫", 4, 99.99, "PO2"),
    ("2025-05-03", "返品", 1, None, "得意先返品"),
    ("2025-05-10", "出庫", 2, None, ""),
]


def movements(sku: str, rows) -> list[dict]:
    return [{"date": d, "sku": sku, "kind": k, "qty": q, "unit_cost": c, "reference": r} for d, k, q, c, r in rows]


def company(root: Path, moves, orders=(), bills=(), counts=(), settings: str = "") -> Path:
    init_copy(root)
    if settings:
        with (root / "backoffice.toml").open("a", encoding="utf-8") as fh:
            fh.write(settings)
    books = load_company(root)
    write_book(
        books.book_path("stock"), books.books["stock"], {"items": ITEMS, "movements": moves, "counts": list(counts)}
    )
    write_book(
        books.book_path("vendors"),
        books.books["vendors"],
        {"vendors": VENDORS, "purchase_orders": list(orders), "bills": list(bills)},
    )
    return root


def report(root, as_of="2025-05-31", *extra):
    code = main(["stock", str(root), "--as-of", as_of, *extra])
    return code, json.loads((root / "out" / "stock" / as_of / "stock.json").read_text(encoding="utf-8"))


def item(rep, sku):
    return next(i for i in rep["items"] if i["sku"] == sku)


def test_moving_average_by_hand(tmp_path):
    code, rep = report(company(tmp_path, movements("A", LEDGER_A)))
    assert code == 0
    # avg 100 → 115 → 116.50 (15 × 115 + 5 × 121) / 20; empties; 99.99 after a receipt into empty stock
    assert item(rep, "A") == {"sku": "A", "on_hand": 3, "unit_cost": "99.99", "value": 300}  # 299.97 → 300
    assert rep["cost_of_issues_by_month"] == {"2025-04": 575 + 2330, "2025-05": 200}  # 199.98 → 200


def test_periodic_average_by_hand(tmp_path):
    root = company(tmp_path, movements("A", LEDGER_A), settings='\n[stock]\nvaluation = "periodic_average"\n')
    code, rep = report(root)
    assert rep["method"] == "periodic_average"
    # April: (1,000 + 1,300 + 605) ÷ 25 = 116.20 for all 25 issued; May: 99.99
    assert rep["cost_of_issues_by_month"] == {"2025-04": 2905, "2025-05": 200}
    assert item(rep, "A")["value"] == 300


def test_average_rounds_to_the_sen(tmp_path):
    moves = movements("A", [("2025-04-01", "入庫", 3, 100, ""), ("2025-04-02", "入庫", 6, 101, "")])
    _, rep = report(company(tmp_path, moves))
    assert item(rep, "A")["unit_cost"] == "100.67"  # 906 ÷ 9 = 100.666…


def test_count_difference_with_value_and_proposed_adjustment(tmp_path):
    moves = movements("A", [("2025-04-01", "入庫", 10, 100, "")])
    root = company(tmp_path, moves, counts=[{"count_date": "2025-04-30", "sku": "A", "counted_qty": 8}])
    _, rep = report(root)
    assert rep["counts"] == [
        {"count_date": "2025-04-30", "sku": "A", "counted": 8, "ledger": 10, "difference": -2, "value": -200}
    ]
    import openpyxl

    ws = openpyxl.load_workbook(root / "out" / "stock" / "2025-05-31" / "stock.xlsx")["調整仕訳案"]
    assert [c.value for c in ws[2]] == ["2025-04-30", "A", "調整", -2, 100, "棚卸差異"]


def test_reorder_accounts_for_open_purchase_orders(tmp_path):
    moves = movements("A", [("2025-04-01", "入庫", 5, 100, "PO1")]) + movements(
        "B", [("2025-04-01", "入庫", 5, 150, "PO2")]
    )
    orders = [
        {"po_no": "PO1", "date": "2025-04-01", "vendor_id": "V1", "sku": "A", "qty": 5, "unit_cost": 100},
        {"po_no": "PO2", "date": "2025-04-01", "vendor_id": "V2", "sku": "B", "qty": 5, "unit_cost": 150},
        {"po_no": "PO3", "date": "2025-05-01", "vendor_id": "V1", "sku": "A", "qty": 10, "unit_cost": 100},
    ]
    _, rep = report(company(tmp_path, moves, orders))
    # A: 5 on hand + 10 on order = 15 > 10: nothing. B: 5 ≤ 10 → one lot of 20.
    assert rep["reorder"] == [{"vendor_id": "V2", "sku": "B", "qty": 20, "on_hand": 5, "on_order": 0}]


def test_every_three_way_match_status(tmp_path):
    moves = movements(
        "A",
        [
            ("2025-04-02", "入庫", 10, 100, "PO1"),
            ("2025-04-02", "入庫", 5, 100, "PO2"),
            ("2025-04-02", "入庫", 10, 100, "PO4"),
        ],
    )
    orders = [
        {"po_no": p, "date": "2025-04-01", "vendor_id": "V1", "sku": "A", "qty": 10, "unit_cost": 100}
        for p in ("PO1", "PO2", "PO3", "PO4")
    ]
    bill = {"vendor_id": "V1", "bill_date": "2025-04-30", "tax_rate": "10%"}
    bills = [
        {**bill, "bill_no": "B1", "po_no": "PO1", "amount_excl_tax": 1000, "tax": 100},  # as received
        {**bill, "bill_no": "B2", "po_no": "PO2", "amount_excl_tax": 1000, "tax": 100},  # only 5 arrived
        {**bill, "bill_no": "B3", "po_no": "PO3", "amount_excl_tax": 1000, "tax": 100},  # nothing arrived
        {**bill, "bill_no": "B4", "po_no": "PO4", "amount_excl_tax": 1500, "tax": 150},  # wrong price
        {**bill, "bill_no": "B1", "po_no": "PO1", "amount_excl_tax": 1000, "tax": 100},  # the same bill twice
        {
            "vendor_id": "V3",
            "bill_no": "F1",
            "bill_date": "2025-04-30",
            "amount_excl_tax": 1200000,
            "tax_rate": "10%",
            "tax": 120000,
            "is_fee": "〇",
        },
    ]
    code, rep = report(company(tmp_path, moves, orders, bills), "2025-05-31", "--pay-by", "2025-05-31")
    assert [b["status"] for b in rep["match"]] == [
        "matched",
        "over_billed",
        "not_received",
        "price_differs",
        "duplicate",
        "fee",
    ]
    payments = json.loads((tmp_path / "out" / "payments" / "2025-05-31" / "payments.json").read_text(encoding="utf-8"))
    by_vendor = {p["vendor_id"]: p for p in payments["payments"]}
    assert set(by_vendor) == {"V1", "V3"}  # only the matched bill and the fee
    assert by_vendor["V1"]["net"] == 1100
    assert by_vendor["V3"]["withholding"] == 142940 and by_vendor["V3"]["net"] == 1320000 - 142940
    zengin = next((tmp_path / "out" / "payments" / "2025-05-31").glob("zengin_sogo_*.txt")).read_bytes()
    assert zengin[1:3] == b"21" and read_trailer(zengin) == (2, 1100 + 1320000 - 142940)


def test_transfer_fee_borne_by_the_vendor(tmp_path):
    moves = movements("A", [("2025-04-02", "入庫", 10, 100, "PO1")])
    orders = [{"po_no": "PO1", "date": "2025-04-01", "vendor_id": "V2", "sku": "A", "qty": 10, "unit_cost": 100}]
    bills = [
        {
            "vendor_id": "V2",
            "bill_no": "B1",
            "po_no": "PO1",
            "bill_date": "2025-04-30",
            "amount_excl_tax": 1000,
            "tax_rate": "10%",
            "tax": 100,
        }
    ]
    root = company(tmp_path, moves, orders, bills, settings="\n[stock]\ntransfer_fee_borne_by_vendor = true\n")
    report(root, "2025-05-31")
    payments = json.loads((root / "out" / "payments" / "2025-05-31" / "payments.json").read_text(encoding="utf-8"))
    assert (
        payments["payments"][0]["fee"] == 440 and payments["payments"][0]["net"] == 1100 - 440
    )  # other bank, < 30,000


def test_bad_rows_are_located_and_the_rest_is_computed(tmp_path, capsys):
    moves = (
        movements("A", [("2025-04-01", "出庫", 2, None, ""), ("2025-04-02", "入庫", 10, 100, "PO9")])
        + movements("ZZZ", [("2025-04-03", "入庫", 1, 10, "")])
        + movements("B", [("2025-04-04", "入庫", 10, 150, ""), ("2025-04-05", "出庫", 12, None, "")])
    )
    orders = [{"po_no": "PO9", "date": "2025-04-01", "vendor_id": "V2", "sku": "B", "qty": 10, "unit_cost": 150}]
    code, rep = report(company(tmp_path, moves, orders), "2025-05-31", "--lang", "en")
    out = capsys.readouterr().out
    assert code == 1
    assert "stock.xlsx!Movements 入出庫!B2: A is issued before any receipt" in out  # no cost basis
    assert "stock.xlsx!Movements 入出庫!F3: receipt cites PO PO9 (vendor V2) but A is not on it (vendor V1)" in out
    assert "stock.xlsx!Movements 入出庫!B4: sku 'ZZZ' is not in stock.xlsx!Items 商品" in out
    assert "stock.xlsx!Movements 入出庫!D6: this movement takes B below zero (-2)" in out
    assert item(rep, "A")["on_hand"] == 8 and item(rep, "B")["on_hand"] == -2
    assert {i["sku"] for i in rep["items"]} == {"A", "B"}


def test_duplicate_bill_number_from_the_same_vendor_is_also_a_validation_finding(tmp_path, capsys):
    bills = [
        {
            "vendor_id": "V1",
            "bill_no": "B1",
            "bill_date": "2025-04-30",
            "amount_excl_tax": 1,
            "tax_rate": "10%",
            "tax": 0,
        }
    ] * 2
    code, rep = report(company(tmp_path, [], bills=bills))
    assert code == 1 and [b["status"] for b in rep["match"]] == ["no_po", "duplicate"]
    assert "duplicate_key" in capsys.readouterr().out


def test_demo_stock_run_is_clean(demo_copy, capsys):
    code, rep = report(demo_copy, "2026-03-31")
    assert code == 0 and rep["total_value"] > 0 and {b["status"] for b in rep["match"]} <= {"matched", "fee"}
    assert rep["counts"] == []  # the year-end count agrees with the ledger
    sheet = openpyxl.load_workbook(demo_copy / "out/stock/2026-03-31/stock.xlsx")["三点照合"]
    assert {row[3] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"10%", "8%（軽減）"}  # the rate records


def test_a_bill_goes_into_one_payment_file_only(tmp_path):
    """May's file pays the April bill; June's file pays only May's bill; a rerun of May rebuilds May's
    file byte for byte; the bills each file carried are recorded and never edited."""
    moves = movements("A", [("2025-04-02", "入庫", 10, 100, "PO1"), ("2025-05-02", "入庫", 10, 100, "PO2")])
    orders = [
        {"po_no": "PO1", "date": "2025-04-01", "vendor_id": "V2", "sku": "A", "qty": 10, "unit_cost": 100},
        {"po_no": "PO2", "date": "2025-05-01", "vendor_id": "V2", "sku": "A", "qty": 10, "unit_cost": 100},
    ]
    bills = [
        {
            "vendor_id": "V2",
            "bill_no": "B1",
            "po_no": "PO1",
            "bill_date": "2025-04-30",
            "amount_excl_tax": 1000,
            "tax_rate": "10%",
            "tax": 100,
        },
        {
            "vendor_id": "V2",
            "bill_no": "B2",
            "po_no": "PO2",
            "bill_date": "2025-05-31",
            "amount_excl_tax": 1000,
            "tax_rate": "10%",
            "tax": 100,
        },
    ]
    root = company(tmp_path, moves, orders, bills)

    def paid(day):
        data = json.loads((root / "out" / "payments" / day / "payments.json").read_text(encoding="utf-8"))
        return [(p["vendor_id"], p["bills"], p["net"]) for p in data["payments"]]

    report(root, "2025-05-31")
    may = (root / "out" / "payments" / "2025-05-31" / "zengin_sogo_20250531.txt").read_bytes()
    assert paid("2025-05-31") == [("V2", "B1", 1100)]
    report(root, "2025-06-30")
    assert paid("2025-06-30") == [("V2", "B2", 1100)]  # B1 was in May's file
    report(root, "2025-05-31")  # a rerun of May: the same file
    assert paid("2025-05-31") == [("V2", "B1", 1100)]
    assert (root / "out" / "payments" / "2025-05-31" / "zengin_sogo_20250531.txt").read_bytes() == may
    import sqlite3

    db = sqlite3.connect(root / ".backoffice" / "state.db")
    assert db.execute("SELECT vendor_id, bill_no, pay_by FROM vendor_bill_payments ORDER BY bill_no").fetchall() == [
        ("V2", "B1", "2025-05-31"),
        ("V2", "B2", "2025-06-30"),
    ]
    try:
        db.execute("DELETE FROM vendor_bill_payments")
        raise AssertionError("a payment record could be deleted")
    except sqlite3.DatabaseError as refused:
        assert "never deleted" in str(refused)


def test_a_bill_or_an_item_with_a_value_that_cannot_be_read_is_left_out_at_its_cell(tmp_path, capsys):
    """An amount typed "abc", a bill date that is no date, an item's cost "abc": each was an internal error
    that stopped the whole run. Now each row is left out of what needs it (the bill is neither matched nor
    paid, the item gets no draft order) and reported at its cell; the rest is computed and paid."""
    moves = movements("A", [("2025-04-02", "入庫", 10, 100, "PO1")]) + movements(
        "B", [("2025-04-03", "入庫", 1, 150, "")]
    )
    orders = [{"po_no": "PO1", "date": "2025-04-01", "vendor_id": "V2", "sku": "A", "qty": 10, "unit_cost": 100}]
    bill = {"vendor_id": "V2", "po_no": "PO1", "bill_date": "2025-04-30", "tax_rate": "10%", "tax": 100}
    bills = [
        {**bill, "bill_no": "B1", "amount_excl_tax": 1000},
        {**bill, "bill_no": "B2", "amount_excl_tax": "abc"},
        {**bill, "bill_no": "B3", "amount_excl_tax": 1000, "bill_date": "4月末"},
    ]
    root = company(tmp_path, moves, orders, bills)
    wb = openpyxl.load_workbook(root / "stock.xlsx")
    items = wb["Items 商品"]
    header = [c.value for c in items[1]]
    items.cell(3, header.index("仕入単価") + 1).value = "abc"  # B's cost
    wb.save(root / "stock.xlsx")
    code, rep = report(root, "2025-05-31", "--lang", "en")
    out = capsys.readouterr().out
    assert code == 1 and "internal error" not in out
    assert "vendors.xlsx!Bills 仕入請求!E3:" in out and "vendors.xlsx!Bills 仕入請求!C4:" in out
    assert "stock.xlsx!Items 商品!E3:" in out
    assert [b["bill_no"] for b in rep["match"]] == ["B1"]
    paid = json.loads((root / "out" / "payments" / "2025-05-31" / "payments.json").read_text(encoding="utf-8"))
    assert [(p["vendor_id"], p["bills"]) for p in paid["payments"]] == [("V2", "B1")]
    assert "B" not in {line["sku"] for line in rep["reorder"]}


def test_an_account_a_bank_file_cannot_carry_leaves_out_that_vendor_at_its_cell(tmp_path, capsys):
    """預金種目 typed "abc" was an internal error (no stock report either), and any other account cell a bank
    file cannot carry refused every vendor's payment; now that vendor is left out at its cell and the
    others are paid."""
    root, wb, vendors, header, row = _v2_owed_one_bill(tmp_path)
    vendors.cell(row, header.index("預金種目") + 1).value = "abc"
    wb.save(root / "vendors.xlsx")
    code, rep = report(root, "2025-05-31", "--lang", "en")
    out = capsys.readouterr().out
    assert code == 1 and "internal error" not in out and rep["items"]
    cell = f"vendors.xlsx!Vendors 仕入先!{chr(65 + header.index('預金種目'))}{row}"
    assert f"{cell}: an account the bank file cannot carry" in out and "[zengin_invalid]" in out
    listed = json.loads((root / "out" / "payments" / "2025-05-31" / "payments.json").read_text(encoding="utf-8"))
    assert listed["payments"] == []


def test_a_vendor_owed_money_with_no_bank_account_is_said_not_listed_as_paid(tmp_path, capsys):
    """The bank file left such a vendor out while payments.json listed its payment (and the books post
    payments.json as paid), with exit 0 and nothing said. Now it is an error at its bank code cell, the
    payment is in neither file, its bill stays due, and a later file pays it once the account is there."""
    root, wb, vendors, header, row = _v2_owed_one_bill(tmp_path)
    account = {
        name: vendors.cell(row, header.index(name) + 1).value
        for name in ("銀行コード", "支店コード", "預金種目", "口座番号", "口座名義カナ")
    }
    for name in account:
        vendors.cell(row, header.index(name) + 1).value = None
    wb.save(root / "vendors.xlsx")
    code, _ = report(root, "2025-05-31", "--lang", "en")
    out = capsys.readouterr().out
    assert (
        code == 1 and f"vendors.xlsx!Vendors 仕入先!{chr(65 + header.index('銀行コード'))}{row}: no bank account" in out
    )
    listed = json.loads((root / "out" / "payments" / "2025-05-31" / "payments.json").read_text(encoding="utf-8"))
    assert listed["payments"] == [] and listed["total"] == 0
    for name, value in account.items():
        vendors.cell(row, header.index(name) + 1).value = value
    wb.save(root / "vendors.xlsx")
    assert report(root, "2025-06-30")[0] == 0
    paid = json.loads((root / "out" / "payments" / "2025-06-30" / "payments.json").read_text(encoding="utf-8"))
    assert [(p["vendor_id"], p["bills"], p["net"]) for p in paid["payments"]] == [("V2", "B1", 1100)]


def test_a_payment_with_nothing_to_transfer_is_said_and_not_posted_as_paid(tmp_path, capsys):
    """A 110-yen bill from a vendor who bears a larger bank fee: nothing can be sent. It was listed in
    payments.json (the books posted 買掛金 / 普通預金 110) with exit 0; now it is an error at the vendor's row,
    in neither file, and the bill stays due. Another vendor in the same file is paid."""
    moves = movements("A", [("2025-04-02", "入庫", 1, 100, "PO1"), ("2025-04-03", "入庫", 10, 150, "PO2")])
    orders = [
        {"po_no": "PO1", "date": "2025-04-01", "vendor_id": "V2", "sku": "A", "qty": 1, "unit_cost": 100},
        {"po_no": "PO2", "date": "2025-04-01", "vendor_id": "V1", "sku": "A", "qty": 10, "unit_cost": 150},
    ]
    bill = {"bill_date": "2025-04-30", "tax_rate": "10%"}
    bills = [
        {**bill, "vendor_id": "V2", "bill_no": "B1", "po_no": "PO1", "amount_excl_tax": 100, "tax": 10},
        {**bill, "vendor_id": "V1", "bill_no": "B2", "po_no": "PO2", "amount_excl_tax": 1500, "tax": 150},
    ]
    root = company(tmp_path, moves, orders, bills, settings="\n[stock]\ntransfer_fee_borne_by_vendor = true\n")
    code, _ = report(root, "2025-05-31", "--lang", "en")
    out = capsys.readouterr().out
    assert code == 1 and "nothing to transfer" in out and "[nothing_to_transfer]" in out
    listed = json.loads((root / "out" / "payments" / "2025-05-31" / "payments.json").read_text(encoding="utf-8"))
    assert [p["vendor_id"] for p in listed["payments"]] == ["V1"] and listed["total"] == listed["payments"][0]["net"]


def _v2_owed_one_bill(tmp_path):
    """A company where V2 is owed B1 (1,100 yen) by the end of May, and V2's row of its vendors sheet, open
    for editing: (root, workbook, sheet, header, row)."""
    moves = movements("A", [("2025-04-02", "入庫", 10, 100, "PO1")])
    orders = [{"po_no": "PO1", "date": "2025-04-01", "vendor_id": "V2", "sku": "A", "qty": 10, "unit_cost": 100}]
    bill = {"vendor_id": "V2", "bill_no": "B1", "po_no": "PO1", "bill_date": "2025-04-30", "tax_rate": "10%"}
    root = company(tmp_path, moves, orders, [{**bill, "amount_excl_tax": 1000, "tax": 100}])
    wb = openpyxl.load_workbook(root / "vendors.xlsx")
    vendors = wb["Vendors 仕入先"]
    header = [c.value for c in vendors[1]]
    row = next(r for r in range(2, vendors.max_row + 1) if vendors.cell(r, 1).value == "V2")
    return root, wb, vendors, header, row


def test_a_purchase_order_price_that_cannot_be_read_keeps_its_quantity_on_order(tmp_path, capsys):
    """The line is left out of the three-way match only: 15 of A still on order (no second draft order for
    them) and the receipt against it still cites a PO that holds A; the price is reported at its cell."""
    moves = movements("A", [("2025-04-02", "入庫", 5, 100, "PO1")])
    orders = [{"po_no": "PO1", "date": "2025-04-01", "vendor_id": "V1", "sku": "A", "qty": 20, "unit_cost": "abc"}]
    code, rep = report(company(tmp_path, moves, orders, []), "2025-05-31", "--lang", "en")
    out = capsys.readouterr().out
    assert code == 1 and "vendors.xlsx!PurchaseOrders 発注!F2: unit cost 'abc' is not a number" in out
    assert "receipt_other_po" not in out and [r for r in rep["reorder"] if r["sku"] == "A"] == []
