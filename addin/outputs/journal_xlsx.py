"""The books as a workbook: 仕訳帳 (one row per line, with its source), 残高試算表 (opening, the
period's debits and credits, closing — live formulas with cached values), 月次推移, 補助科目残高 and
the consumption-tax check."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from addin.books.chart import Chart
from addin.books.journal import Entry
from addin.books.ledger import BalanceRow
from addin.outputs.xlsx import new_workbook

JOURNAL_HEADERS = [
    "日付",
    "仕訳ID",
    "摘要",
    "借方科目",
    "借方補助",
    "借方金額",
    "貸方科目",
    "貸方補助",
    "貸方金額",
    "税区分",
    "消費税額",
    "出所",
    "書類",
    "社員・取引先",
    "セル",
    "取消対象",
]
BALANCE_HEADERS = ["コード", "勘定科目", "貸借", "前期繰越", "借方", "貸方", "残高"]


def write_books(
    path: Path,
    entries: list[Entry],
    chart: Chart,
    balances: list[BalanceRow],
    months: dict[str, dict[str, tuple[int, int]]],
    subs: dict[tuple[str, str], int],
    tax_rows: list[dict],
    start: date,
    end: date,
) -> Path:
    wb = new_workbook(path, constant_memory=True, title=f"仕訳帳・試算表 {start}〜{end}")
    money = wb.add_format({"num_format": "#,##0;[Red]-#,##0"})
    bold = wb.add_format({"bold": True})
    bold_money = wb.add_format({"bold": True, "num_format": "#,##0;[Red]-#,##0"})
    day = wb.add_format({"num_format": "yyyy/mm/dd"})
    _journal(wb.add_worksheet("仕訳帳"), entries, chart, money, bold, bold_money, day)
    _trial_balance(wb.add_worksheet("残高試算表"), balances, money, bold, bold_money, start, end)
    _monthly(wb.add_worksheet("月次推移"), chart, months, money, bold)
    _subs(wb.add_worksheet("補助科目残高"), chart, subs, money, bold)
    _tax(wb.add_worksheet("消費税チェック"), tax_rows, money, bold)
    wb.close()
    return path


def _journal(ws, entries, chart, money, bold, bold_money, day) -> None:
    ws.write_row(0, 0, JOURNAL_HEADERS, bold)
    ws.freeze_panes(1, 0)
    row, debit_total, credit_total = 1, 0, 0
    for entry in entries:
        for i, line in enumerate(entry.lines):
            account = chart.account(line.account)
            sub = account.sub_name(line.sub) if line.sub else ""
            ws.write_datetime(row, 0, _dt(entry.date), day)
            ws.write_string(row, 1, entry.entry_id)
            if i == 0:  # the entry's description and source once, on its first line, as a 仕訳帳 prints them
                ws.write_string(row, 2, entry.description)
                ws.write_string(row, 11, entry.source.run)
                ws.write_string(row, 12, entry.source.document)
            base = 3 if line.side == "debit" else 6
            ws.write_string(row, base, account.name)
            if sub:
                ws.write_string(row, base + 1, sub)
            ws.write_number(row, base + 2, line.amount, money)
            ws.write_string(row, 9, chart.tax(line.tax).name)
            if line.tax_amount:
                ws.write_number(row, 10, line.tax_amount, money)
            for col, text in enumerate((line.party, line.cell, entry.reverses if i == 0 else ""), 13):
                if text:  # empty cells are not written: the journal is the biggest sheet
                    ws.write_string(row, col, text)
            if line.side == "debit":
                debit_total += line.amount
            else:
                credit_total += line.amount
            row += 1
    ws.write_string(row, 2, "合計", bold)
    for col, total in ((5, debit_total), (8, credit_total)):
        column = xl_rowcol_to_cell(0, col)[:-1]
        ws.write_formula(row, col, f"=SUM({column}2:{column}{row})", bold_money, total)
    ws.set_column(0, 0, 11)
    ws.set_column(1, 2, 28)
    ws.set_column(3, 8, 13)


def _trial_balance(ws, balances, money, bold, bold_money, start, end) -> None:
    ws.write_string(0, 0, f"残高試算表 {start:%Y/%m/%d}〜{end:%Y/%m/%d}", bold)
    ws.write_row(1, 0, BALANCE_HEADERS, bold)
    first = 2
    for i, b in enumerate(balances):
        r = first + i
        ws.write_string(r, 0, b.code)
        ws.write_string(r, 1, b.name)
        ws.write_string(r, 2, "借" if b.normal == "debit" else "貸")
        ws.write_number(r, 3, b.opening, money)
        ws.write_number(r, 4, b.debit, money)
        ws.write_number(r, 5, b.credit, money)
        sign = "+" if b.normal == "debit" else "-"
        other = "-" if b.normal == "debit" else "+"
        ws.write_formula(r, 6, f"=D{r + 1}{sign}E{r + 1}{other}F{r + 1}", money, b.closing)
    last = first + len(balances)
    ws.write_string(last, 1, "合計", bold)
    for col, total in ((4, sum(b.debit for b in balances)), (5, sum(b.credit for b in balances))):
        letter = "E" if col == 4 else "F"
        ws.write_formula(last, col, f"=SUM({letter}{first + 1}:{letter}{last})", bold_money, total)
    debit_side = sum(b.closing for b in balances if b.normal == "debit")
    credit_side = sum(b.closing for b in balances if b.normal == "credit")
    ws.write_string(last + 2, 1, "借方残高合計", bold)
    ws.write_formula(last + 2, 6, f'=SUMIF(C{first + 1}:C{last},"借",G{first + 1}:G{last})', bold_money, debit_side)
    ws.write_string(last + 3, 1, "貸方残高合計", bold)
    ws.write_formula(last + 3, 6, f'=SUMIF(C{first + 1}:C{last},"貸",G{first + 1}:G{last})', bold_money, credit_side)
    ws.write_string(last + 4, 1, "差額（0 であること）", bold)
    ws.write_formula(last + 4, 6, f"=G{last + 3}-G{last + 4}", bold_money, debit_side - credit_side)
    ws.set_column(1, 1, 16)
    ws.set_column(3, 6, 15)


def _monthly(ws, chart, months, money, bold) -> None:
    """Net movement per account and month, in the account's normal direction."""
    all_months = sorted({m for per in months.values() for m in per})
    ws.write_row(0, 0, ["コード", "勘定科目"] + all_months, bold)
    for r, account in enumerate(chart.ordered(), 1):
        ws.write_string(r, 0, account.code)
        ws.write_string(r, 1, account.name)
        for c, month in enumerate(all_months, 2):
            d, cr = months.get(account.key, {}).get(month, (0, 0))
            ws.write_number(r, c, d - cr if account.normal == "debit" else cr - d, money)
    ws.set_column(1, 1, 16)


def _subs(ws, chart, subs, money, bold) -> None:
    ws.write_row(0, 0, ["勘定科目", "補助科目", "残高"], bold)
    for r, ((key, sub), net) in enumerate(sorted(subs.items()), 1):
        account = chart.account(key)
        ws.write_string(r, 0, account.name)
        ws.write_string(r, 1, account.sub_name(sub) if sub else "")
        ws.write_number(r, 2, net if account.normal == "debit" else -net, money)
    ws.set_column(0, 1, 18)


def _tax(ws, rows, money, bold) -> None:
    headers = ["月", "売上税額（集計）", "売上税額（帳簿）", "仕入税額（集計）", "仕入税額（帳簿）", "差額"]
    ws.write_row(0, 0, headers, bold)
    keys = ["month", "output_tax_summary", "output_tax_books", "input_tax_summary", "input_tax_books", "difference"]
    for r, row in enumerate(rows, 1):
        ws.write_string(r, 0, row["month"])
        for c, key in enumerate(keys[1:], 1):
            ws.write_number(r, c, row[key], money)
    ws.set_column(0, 5, 16)


def _dt(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)
