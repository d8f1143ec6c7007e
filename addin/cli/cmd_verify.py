"""`backoffice verify DIR [--adopt]`: check the company's state against what the product wrote, and say
what is wrong; `--adopt` brings a register sealed the old way (plain hash chain) under the company key.

Exit 0 when everything holds, 1 with each finding named (file, row, what), 2 when the folder or its
database cannot be used at all, or an adoption is refused.
"""

from __future__ import annotations

import sqlite3

from addin.cli.commands import UsageProblem, _company
from addin.services.verify import verify_company


def cmd_verify(args, progress) -> int:
    company = _company(args.dir)
    adopted = 0
    if getattr(args, "adopt", False):
        adopted = _adopt(company, progress)
    progress("verifying the invoice register, the run ledger and the anchors")
    try:
        result = verify_company(company)
    except sqlite3.DatabaseError as bad:
        raise UsageProblem(f"{company.paths.db}: データベースとして読めません / not a usable database: {bad}") from None
    for finding in result.findings:
        print(finding.line())
    verdict = "問題なし / all checks hold" if not result.findings else f"{len(result.findings)} 件の問題 / problem(s)"
    print(
        f"verify: 請求書 {result.invoices} 件, アンカー {result.anchors} 個 / {result.invoices} invoice(s), "
        f"{result.anchors} anchor(s): {verdict}"
    )
    return max(result.exit_code, adopted)


def _adopt(company, progress) -> int:
    from addin.services.adoption import AdoptionRefused, adopt_register

    progress("verifying the old register chain and sealing it with the company key")
    try:
        adoption = adopt_register(company)
    except AdoptionRefused as refused:
        raise UsageProblem(str(refused)) from None
    except sqlite3.DatabaseError as bad:
        raise UsageProblem(f"{company.paths.db}: データベースとして読めません / not a usable database: {bad}") from None
    record = adoption.record
    print(
        f"adopted: {record['rows']} 件を鍵で再封印（旧先頭 {record['old_head'][:16]}…） / {record['rows']} invoice(s) "
        f"re-sealed with the company key (old head {record['old_head'][:16]}…), "
        f"{len(adoption.migrated)} line key(s) migrated to order number + line"
    )
    for number, key, why in adoption.unmatched:
        print(f".backoffice/state.db invoices {number}: [line_key_unmatched] {key}: {why}")
    return adoption.exit_code
