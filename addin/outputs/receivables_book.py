"""receivables.xlsx: what was matched, what a person should confirm (rows laid out like the
Receipts 入金 sheet, to copy there), what is unmatched, open invoices by age, and a statement per
customer. Every text cell is written as inert text."""

from __future__ import annotations

import os
from pathlib import Path

from addin.outputs.xlsx import new_workbook
from addin.receivables.aging import BUCKET_LABELS_JA

KIND_JA = {
    "exact": "金額一致",
    "fee": "手数料差引",
    "combined": "複数請求（古い順）",
    "subset": "複数請求（組合せ）",
    "partial": "一部入金",
    "overpayment": "過入金（前受金）",
    "advance": "前受金",
    "amount_only": "金額のみ一致",
    "unknown": "不明",
    "confirmed": "確認済み",
}
STATUS_JA = {"matched": "自動消込", "proposed": "提案", "unmatched": "未消込"}
#: the columns of the 提案 and 未消込 sheets (and of the proposals sheet the Excel button writes): the first
#: seven are the Receipts 入金 sheet's, to copy there
PROPOSAL_COLUMNS = [
    "明細ID",
    "処理",
    "請求書番号",
    "得意先コード",
    "消込額",
    "振込手数料",
    "備考",
    "入金日",
    "振込依頼人",
    "入金額",
    "得意先名",
    "種類",
    "確度",
    "理由",
]


class _Writer:
    def __init__(self, wb):
        self.wb = wb
        self.head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.money = wb.add_format({"num_format": "#,##0"})

    def sheet(self, title: str, header: list[str], rows: list[list], money_columns: set[int] = frozenset()):
        ws = self.wb.add_worksheet(title)
        for c, text in enumerate(header):
            ws.write_string(0, c, text, self.head)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value, self.money if c in money_columns else None)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), max(len(header) - 1, 0))
        ws.set_column(0, len(header), 14)
        return ws


def _match_rows(matches: list[dict], status: str, names: dict) -> list[list]:
    rows = []
    for m in matches:
        if m["status"] != status:
            continue
        for a in m["allocations"] or [{"invoice_no": "", "customer_id": m["customer_id"], "amount": None, "fee": None}]:
            action = "消込" if a["amount"] else ""  # an unmatched line: the person decides (消込 or 対象外)
            rows.append(
                [
                    m["line_id"],
                    action,
                    a["invoice_no"],
                    a["customer_id"],
                    a["amount"],
                    a["fee"],
                    "",
                    m["date"],
                    m["payer"],
                    m["amount"],
                    names.get(a["customer_id"], ""),
                    KIND_JA.get(m["kind"], m["kind"]),
                    float(m["confidence"]),
                    m["reason_ja"],
                ]
            )
    return rows


def write_receivables_book(path: Path, report: dict, statements: dict[str, list[dict]], customers: dict) -> Path:
    wb = new_workbook(path)
    w = _Writer(wb)
    names = {c: v.get("name", "") for c, v in customers.items()}
    counts = report["counts"]
    w.sheet(
        "概要 Summary",
        ["項目", "値"],
        [
            ["基準日", report["as_of"]],
            ["今回の自動消込", counts["matched"]],
            ["消込済の入金（累計）", counts["applied_lines"]],
            ["提案（要確認）", counts["proposed"]],
            ["未消込", counts["unmatched"]],
            ["入金シートで確定", counts["confirmed"]],
            ["未入金の請求書", counts["open_invoices"]],
            ["未入金合計", sum(i["open"] for i in report["open_invoices"])],
            ["与信限度額超過の得意先", len(report["over_credit_limit"])],
            *[
                [f"取込 {f['file']}", f"{f['status']} ({f.get('new_lines', 0)}/{f.get('lines', 0)})"]
                for f in report["imported"]
            ],
        ],
    )
    receipt_head = PROPOSAL_COLUMNS
    w.sheet("提案 Proposals", receipt_head, _match_rows(report["matches"], "proposed", names), {4, 5, 9})
    w.sheet("未消込 Unmatched", receipt_head, _match_rows(report["matches"], "unmatched", names), {4, 5, 9})
    w.sheet(
        "消込済 Applied",
        [
            "明細ID",
            "入金日",
            "振込依頼人",
            "入金額",
            "請求書番号",
            "得意先コード",
            "得意先名",
            "消込額",
            "振込手数料",
            "種類",
            "自動/確認",
            "確度",
            "理由",
        ],
        [
            [
                r["line_id"],
                r["date"],
                r["payer"],
                r["received"],
                r["invoice_no"] or "（前受金）",
                r["customer_id"],
                names.get(r["customer_id"], ""),
                r["amount"],
                r["fee"],
                KIND_JA.get(r["kind"], r["kind"]),
                "自動" if r["source"] == "auto" else "確認",
                float(r["confidence"]),
                r["reason"],
            ]
            for r in report["applied"]
        ],
        {3, 7, 8},
    )
    w.sheet(
        "未入金 Aging",
        ["請求書番号", "得意先コード", "得意先名", "発行日", "支払期日", "請求額", "未入金", "超過日数", "区分"],
        [
            [
                i["invoice_no"],
                i["customer_id"],
                names.get(i["customer_id"], ""),
                i["issue_date"],
                i["due_date"],
                i["total"],
                i["open"],
                i["days_past_due"],
                BUCKET_LABELS_JA[i["bucket"]],
            ]
            for i in report["open_invoices"]
        ],
        {5, 6},
    )
    buckets = report["aging_buckets"]
    w.sheet(
        "得意先別 By customer",
        ["得意先コード", "得意先名", *[BUCKET_LABELS_JA[b] for b in buckets], "合計", "与信限度額"],
        [
            [c, names.get(c, ""), *[row[b] for b in buckets], row["total"], customers.get(c, {}).get("credit_limit")]
            for c, row in report["aging_by_customer"].items()
        ],
        set(range(2, len(buckets) + 4)),
    )
    w.sheet(
        "得意先元帳 Statements",
        ["得意先コード", "得意先名", "日付", "種類", "参照", "請求", "入金", "うち手数料", "残高"],
        [
            [
                c,
                names.get(c, ""),
                r["date"].isoformat(),
                "請求" if r["kind"] == "invoice" else "入金",
                r["reference"],
                r["billed"],
                r["received"],
                r["fee"],
                r["balance"],
            ]
            for c, rows in statements.items()
            for r in rows
        ],
        {5, 6, 7, 8},
    )
    w.sheet(
        "仕訳 Journal",
        ["日付", "明細ID", "借方/貸方", "勘定科目", "金額", "得意先コード", "請求書番号"],
        [
            [
                e["date"],
                e["line_id"],
                "借方" if line["side"] == "debit" else "貸方",
                line["account"],
                line["amount"],
                line["customer_id"],
                line["invoice_no"],
            ]
            for e in report["journal"]
            for line in e["lines"]
        ],
        {4},
    )
    wb.close()
    os.chmod(path, 0o600)
    return path
