"""Journal lines (仕訳) of applied receipts, as plain data for the books: one balanced entry per
statement line.

    借方 普通預金   money received                 貸方 売掛金  invoices cleared (incl. the fee)
    借方 支払手数料 transfer fee the customer kept  貸方 前受金  money beyond the open invoices
"""

from __future__ import annotations

from typing import Any

from addin.receivables.aging import Receipt

BANK, RECEIVABLE, FEE, ADVANCE = "普通預金", "売掛金", "支払手数料", "前受金"


def receipt_journal(receipts: list[Receipt], bank_account: str = BANK) -> list[dict]:
    """[{date, line_id, source, lines: [{side, account, amount, customer_id, invoice_no}]}], each balanced."""
    entries = []
    for receipt in sorted(receipts, key=lambda r: (r.date, r.line_id)):
        lines: list[dict[str, Any]] = [
            {"side": "debit", "account": bank_account, "amount": receipt.amount, "customer_id": "", "invoice_no": ""}
        ]
        for allocation in receipt.allocations:
            if allocation.fee:
                lines.append(
                    {
                        "side": "debit",
                        "account": FEE,
                        "amount": allocation.fee,
                        "customer_id": allocation.customer_id,
                        "invoice_no": allocation.invoice_no,
                    }
                )
        for allocation in receipt.allocations:
            lines.append(
                {
                    "side": "credit",
                    "account": RECEIVABLE if allocation.invoice_no else ADVANCE,
                    "amount": allocation.amount,
                    "customer_id": allocation.customer_id,
                    "invoice_no": allocation.invoice_no,
                }
            )
        debit = sum(posting["amount"] for posting in lines if posting["side"] == "debit")
        credit = sum(posting["amount"] for posting in lines if posting["side"] == "credit")
        if debit != credit:
            raise ValueError(f"receipt {receipt.line_id} does not balance: debit {debit} credit {credit}")
        entries.append(
            {"date": receipt.date.isoformat(), "line_id": receipt.line_id, "source": receipt.source, "lines": lines}
        )
    return entries
