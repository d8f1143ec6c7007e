"""The `xlwings.conf` sheet that lets the xlwings add-in find this project from a workbook.

Keys as xlwings reads them (column A, values in column B, from A1 down): the interpreter, the
PYTHONPATH holding `addin/` and `macros.py`, and the UDF module.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
UDF_MODULE = "addin.excel.udfs"
SHEET = "xlwings.conf"


def conf_rows(interpreter: str | None = None, platform: str = sys.platform) -> list[list]:
    """[key, value] rows; the interpreter is the one running backoffice on its own platform."""
    interpreter = interpreter or sys.executable
    return [
        ["Interpreter_Win", interpreter if platform.startswith("win") else ""],
        ["Interpreter_Mac", interpreter if platform == "darwin" else ""],
        ["PYTHONPATH", str(PROJECT_ROOT)],
        ["UDF Modules", UDF_MODULE],
        ["Use UDF Server", False],
        ["Show Console", False],
        ["ADD_WORKBOOK_TO_PYTHONPATH", True],
    ]


def conf_file_text(interpreter: str | None = None, platform: str = sys.platform) -> str:
    """The same settings as a directory `xlwings.conf` file ("KEY","VALUE" per line) beside the books."""
    lines = []
    for key, value in conf_rows(interpreter, platform):
        if value != "":
            lines.append(f'"{key.upper()}","{value}"')     # xlwings upper-cases keys from either source
    return "\n".join(lines) + "\n"
