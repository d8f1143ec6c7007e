"""`backoffice verify DIR`: check the company's state against what the product wrote, and say what is wrong.

Exit 0 when everything holds, 1 with each finding named (file, row, what), 2 when the folder or its
database cannot be used at all.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from addin.cli.commands import UsageProblem, _company
from addin.services.verify import verify_company


def cmd_verify(args, progress) -> int:
    company = _company(args.dir)
    progress("verifying the invoice register, the run ledger and the anchors")
    try:
        result = verify_company(company)
    except sqlite3.DatabaseError as bad:
        raise UsageProblem(f"{Path(args.dir) / '.backoffice' / 'state.db'}: データベースとして読めません / "
                           f"not a usable database: {bad}") from None
    for finding in result.findings:
        print(finding.line())
    verdict = "問題なし / all checks hold" if not result.findings else f"{len(result.findings)} 件の問題 / problem(s)"
    print(f"verify: 請求書 {result.invoices} 件, アンカー {result.anchors} 個 / {result.invoices} invoice(s), "
          f"{result.anchors} anchor(s): {verdict}")
    return result.exit_code
