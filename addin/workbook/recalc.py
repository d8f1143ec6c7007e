"""`--recalculate`: a private copy of a book, every formula recalculated by LibreOffice headless.

Books written by programs (openpyxl, xlsxwriter, exports) carry formulas with no saved result; the
readers see nothing (or 0) there. The user's book is never touched: it is copied into a private
folder, LibreOffice opens the copy with "always recalculate" in its own throw-away profile and saves
an .xlsx beside it, which is then read instead.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from addin.workbook.protocol import BookUnreadable

#: how long one book may take to recalculate
RECALC_SECONDS = 180
# Calc's load settings: 0 = always recalculate (the default never recalculates .xlsx on load)
_LOAD_SETTING = (
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="{}" oor:op="fuse"><value>0</value></prop></item>\n'
)
_PROFILE = (
    """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
"""
    + _LOAD_SETTING.format("OOXMLRecalcMode")
    + _LOAD_SETTING.format("ODFRecalcMode")
    + "</oor:items>\n"
)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculated_copy(path: Path, folder: Path, name: str | None = None) -> Path:
    """An .xlsx in `folder` holding `path`'s data with every formula's result calculated."""
    name = name or Path(path).name
    program = soffice()
    if program is None:
        raise BookUnreadable(
            name,
            "recalculate_failed",
            "LibreOffice（soffice）がありません。Excelで開いて保存してください / "
            "LibreOffice (soffice) is not installed; open and save the book in Excel",
        )
    work = Path(tempfile.mkdtemp(prefix="recalc-", dir=folder))
    profile = work / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
    source = work / "in" / Path(path).name
    source.parent.mkdir()
    shutil.copyfile(path, source)
    out = work / "out"
    try:
        done = subprocess.run(
            [
                program,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--calc",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(out),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=RECALC_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BookUnreadable(name, "recalculate_failed", str(exc)[:200]) from None
    result = out / (source.stem + ".xlsx")
    if done.returncode != 0 or not result.is_file():
        raise BookUnreadable(name, "recalculate_failed", (done.stderr or done.stdout).strip()[:200])
    return result
