"""`backoffice excel setup DIR`: make the company's workbooks find this project from Excel."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from addin.outputs.atomic import write_text
from addin.workbook.xlwings_conf import PROJECT_ROOT, conf_file_text

STEPS = """Excel setup (Windows / macOS):
  1. In this project's folder: python -m venv .venv, then .venv\\Scripts\\pip install -e .   (macOS: .venv/bin/pip)
  2. xlwings addin install            (adds the xlwings tab to Excel's ribbon)
  3. Excel → File → Options → Trust Center → Trust Center Settings → Macro Settings →
     tick "Trust access to the VBA project object model" (needed to import the functions)
  4. Open a company workbook; on the xlwings tab press "Import Functions": the BO_… functions appear
     (e.g. =BO_WITHHOLDING(A2, B2, "甲", "2026-01-23")).
  5. Buttons: insert a button (Developer → Insert → Button) and assign a macro that runs
     RunPython "import macros; macros.validate_book()"  (also run_payroll, issue_invoices, show_stock, reconcile_now).
The workbooks made by `backoffice init`/`demo` carry an xlwings.conf sheet; {conf} beside them holds
this machine's interpreter and PYTHONPATH ({root}).
"""


def setup_excel(folder: Path, install_addin: bool = True) -> str:
    conf = write_text(Path(folder) / "xlwings.conf", conf_file_text())
    report = STEPS.format(conf=conf, root=PROJECT_ROOT)
    if install_addin and sys.platform in ("win32", "darwin") and shutil.which("xlwings"):
        done = subprocess.run(["xlwings", "addin", "install"], capture_output=True, text=True)
        report += f"\nxlwings addin install: {'ok' if done.returncode == 0 else done.stderr.strip()}"
    elif install_addin:
        report += "\n(Excel is not on this machine: run step 2 on the Windows or macOS machine that has it.)"
    return report
