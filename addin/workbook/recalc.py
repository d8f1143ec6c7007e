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
from collections.abc import Sequence
from pathlib import Path

from addin.workbook.protocol import BookUnreadable

#: how long one LibreOffice start may take (one book, or the books of one validation together)
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


def recalculated_copies(books: Sequence[tuple[Path, str]], folder: Path) -> dict[Path, Path | BookUnreadable]:
    """For each (path, name shown in messages): its recalculated .xlsx in `folder`, or why it could not be
    made. One LibreOffice start converts them all (a start costs about a second; a book a fraction of it);
    books sharing a file stem, which would share an output name, go in separate starts. A start that fails
    or overruns is tried again book by book, so one bad book fails alone. Never raises."""
    program = soffice()
    if program is None:
        missing = (
            "LibreOffice（soffice）がありません。Excelで開いて保存してください / "
            "LibreOffice (soffice) is not installed; open and save the book in Excel"
        )
        return {Path(path): BookUnreadable(name, "recalculate_failed", missing) for path, name in books}
    done: dict[Path, Path | BookUnreadable] = {}
    pending = [(Path(path), name) for path, name in books]
    while pending:
        batch, stems = [], set()
        for path, name in pending:
            if path.stem not in stems:
                batch.append((path, name))
                stems.add(path.stem)
        pending = [item for item in pending if item not in batch]
        converted = _convert(program, batch, folder)
        if len(batch) > 1 and any(isinstance(r, _StartFailed) for r in converted.values()):
            converted = {p: r for item in batch for p, r in _convert(program, [item], folder).items()}
        done.update(converted)
    return done


class _StartFailed(BookUnreadable):
    """LibreOffice's start failed or overran: nothing it left is trusted."""


def _convert(program: str, batch: list[tuple[Path, str]], folder: Path) -> dict[Path, Path | BookUnreadable]:
    results: dict[Path, Path | BookUnreadable] = {}
    try:
        work = Path(tempfile.mkdtemp(prefix="recalc-", dir=folder))
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        (work / "in").mkdir()
    except OSError as exc:
        return {path: BookUnreadable(name, "recalculate_failed", str(exc)[:200]) for path, name in batch}
    sources = {}
    for path, name in batch:
        try:  # a book that cannot be copied (locked, gone) is that book's problem, as when it is read
            shutil.copyfile(path, work / "in" / path.name)
            sources[path] = work / "in" / path.name
        except OSError as exc:
            results[path] = BookUnreadable(name, "book_unreadable", f"{type(exc).__name__}: {exc}"[:200])
    if not sources:
        return results
    out = work / "out"
    command = [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--calc",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        *map(str, sources.values()),
    ]
    try:
        ran = subprocess.run(command, capture_output=True, text=True, timeout=RECALC_SECONDS, stdin=subprocess.DEVNULL)
        failed, problem = ran.returncode != 0, (ran.stderr or ran.stdout).strip()[:200]
    except (OSError, subprocess.TimeoutExpired) as exc:
        failed, problem = True, str(exc)[:200]
    names = dict(batch)
    for path, source in sources.items():
        name = names[path]
        result = out / (source.stem + ".xlsx")
        if failed:
            results[path] = _StartFailed(name, "recalculate_failed", problem)
        else:
            results[path] = result if result.is_file() else BookUnreadable(name, "recalculate_failed", problem)
    return results
