"""Workbooks of the stock run: valuation, monthly cost of issues, count differences, three-way match,
reorder proposals (editable, one block per vendor) and vendor payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd

from addin.outputs.xlsx import new_workbook


def qty(thousandths) -> float | int:
    value = Decimal(int(thousandths)) / 1000
    return int(value) if value == value.to_integral_value() else float(value)


def sen(value) -> float:
    return float(Decimal(int(value)) / 100)


def _sheet(wb, title: str, header: list[str], rows: list[list], formats: dict[int, object] | None = None):
    ws = wb.add_worksheet(title)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for c, text in enumerate(header):
        ws.write_string(0, c, text, head)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            fmt = (formats or {}).get(c)
            if value is None or (isinstance(value, float) and value != value):
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif isinstance(value, (dt.date, pd.Timestamp)):
                ws.write_string(r, c, pd.Timestamp(value).date().isoformat())
            else:
                ws.write_number(r, c, value, fmt)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    ws.set_column(0, len(header), 13)
    return ws


def write_stock_book(
    path: Path, valuation, counts: pd.DataFrame, match: pd.DataFrame, names: dict, rate_labels: dict[str, str]
) -> Path:
    """`rate_labels`: each tax-rate key as the rate records print it (「8%（軽減）」)."""
    wb = new_workbook(path)
    money = wb.add_format({"num_format": "#,##0"})
    cost = wb.add_format({"num_format": "#,##0.00"})
    items = [
        [r["sku"], names.get(r["sku"], ""), qty(r["on_hand"]), sen(r["unit_cost"]), int(r["value"])]
        for r in valuation.items.to_dict("records")
    ]
    ws = _sheet(wb, "在庫評価", ["商品コード", "商品名", "在庫数", "単価", "評価額"], items, {3: cost, 4: money})
    ws.write_string(len(items) + 1, 1, "合計")
    ws.write_formula(len(items) + 1, 4, f"=SUM(E2:E{len(items) + 1})", money, int(valuation.items["value"].sum()))
    _sheet(
        wb,
        "月次払出原価",
        ["商品コード", "月", "払出数", "払出原価", "返品受入", "調整"],
        [
            [
                r["sku"],
                r["month"],
                qty(r["issued"]),
                int(r["cost_of_issues"]),
                int(r["returned_cost"]),
                int(r["adjustment_cost"]),
            ]
            for r in valuation.monthly.to_dict("records")
        ],
        {3: money, 4: money, 5: money},
    )
    _sheet(
        wb,
        "棚卸差異",
        ["棚卸日", "商品コード", "実棚", "帳簿", "差異", "単価", "差異金額", "棚卸シート行"],
        [
            [
                r["count_date"],
                r["sku"],
                qty(r["counted"]),
                qty(r["ledger"]),
                qty(r["difference"]),
                sen(r["unit_cost"]),
                int(r["value"]),
                int(r["row"]),
            ]
            for r in counts.to_dict("records")
        ],
        {5: cost, 6: money},
    )
    _sheet(
        wb,
        "調整仕訳案",
        ["日付", "商品コード", "区分", "数量", "単価", "参照"],
        [
            [r["count_date"], r["sku"], "調整", qty(r["difference"]), sen(r["unit_cost"]), "棚卸差異"]
            for r in counts.to_dict("records")
        ],
        {4: cost},
    )
    _sheet(
        wb,
        "三点照合",
        ["仕入先", "請求書番号", "発注番号", "税率", "請求日", "請求額(税抜)", "発注額", "入荷額", "判定"],
        [
            [
                r["vendor_id"],
                r["bill_no"],
                r["po_no"] or "",
                rate_labels.get(str(r["tax_rate"]), f"{r['tax_rate']}%"),
                r["bill_date"],
                int(r["amount"] or 0),
                int(r["ordered"]),
                int(r["received"]),
                r["status"],
            ]
            for r in match.to_dict("records")
        ],
        {5: money, 6: money, 7: money},
    )
    wb.close()
    return path


def _sheet_name(text: str, wb) -> str:
    """A vendor code as a sheet name: Excel forbids []:*?/\\ and more than 31 characters; never twice."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in text).strip("'")[:28] or "_"
    name, n = base, 1
    while name.lower() in {ws.name.lower() for ws in wb.worksheets()}:
        n += 1
        name = f"{base}~{n}"
    return name


def write_reorder_book(path: Path, proposals: pd.DataFrame, vendor_names: dict, as_of: dt.date) -> Path:
    """One sheet per vendor: a purchase order the manager can edit (qty) and send; amounts are formulas."""
    wb = new_workbook(path)
    money = wb.add_format({"num_format": "#,##0"})
    editable = wb.add_format({"bg_color": "#FFF2CC", "border": 1})
    bold = wb.add_format({"bold": True})
    if proposals.empty:
        wb.add_worksheet("発注提案").write_string(0, 0, "発注が必要な商品はありません")
    for vendor_id, lines in proposals.groupby("vendor_id", sort=True):
        ws = wb.add_worksheet(_sheet_name(str(vendor_id), wb))
        ws.write_string(0, 0, f"発注書（案） {vendor_names.get(vendor_id, '')} 御中", bold)
        ws.write_string(1, 0, f"作成日 {as_of.isoformat()}")
        for c, text in enumerate(["商品コード", "商品名", "在庫", "発注残", "発注点", "発注数", "単価", "金額"]):
            ws.write_string(3, c, text, bold)
        for r, line in enumerate(lines.to_dict("records"), start=4):
            ws.write_string(r, 0, line["sku"])
            ws.write_string(r, 1, str(line["name"]))
            ws.write_number(r, 2, qty(line["on_hand"]))
            ws.write_number(r, 3, qty(line["on_order"]))
            ws.write_number(r, 4, qty(line["reorder_point"]))
            ws.write_number(r, 5, qty(line["qty"]), editable)
            ws.write_number(r, 6, float(line["unit_cost"]))
            ws.write_formula(
                r,
                7,
                f"=ROUNDDOWN(F{r + 1}*G{r + 1},0)",
                money,
                int(Decimal(int(line["qty"])) / 1000 * Decimal(str(line["unit_cost"]))),
            )
        last = 4 + len(lines)
        ws.write_string(last, 6, "合計", bold)
        ws.write_formula(last, 7, f"=SUM(H5:H{last})", money)
        ws.set_column(0, 1, 16)
        ws.set_column(2, 7, 10)
    wb.close()
    return path


def write_payments_book(path: Path, payments: pd.DataFrame, pay_by: dt.date) -> Path:
    wb = new_workbook(path)
    money = wb.add_format({"num_format": "#,##0"})
    _sheet(
        wb,
        "支払予定",
        ["仕入先", "請求書", "請求額(税込)", "源泉徴収", "振込手数料", "振込額"],
        [
            [r["vendor_id"], r["bills"], int(r["amount"]), int(r["withholding"]), int(r["fee"]), int(r["net"])]
            for r in payments.to_dict("records")
        ],
        {2: money, 3: money, 4: money, 5: money},
    )
    wb.close()
    return path
