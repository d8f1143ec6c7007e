"""Consistent copies of master workbooks that people may have open: never read a file in place.

A workbook is copied only when Excel's owner file (`~$name.xlsx`) is absent, the file does not change
while it is copied, and the copy is a whole zip; otherwise the copy is retried with backoff and, in
the end, reported as skipped — never a crash, never a half-read.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from xml.etree import ElementTree

#: no master workbook is this large; a bigger "book" is not copied (it would be a disk filler)
MAX_BYTES = 512 * 1024 * 1024

CORE_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dcterms": "http://purl.org/dc/terms/",
}


@dataclass
class Copy:
    book: str
    status: str  # ok / locked / changing / damaged / missing
    path: Path | None = None
    attempts: int = 0
    last_modified_by: str = ""
    modified: str = ""
    detail: str = ""


def owner_file(source: Path) -> Path:
    """Excel's lock file beside an open workbook."""
    return source.with_name("~$" + source.name)


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _whole_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            if "[Content_Types].xml" not in archive.namelist():
                return "not a workbook"
            bad = archive.testzip()
            return f"damaged member {bad}" if bad else ""
    except (zipfile.BadZipFile, OSError) as exc:
        return str(exc)


def core_properties(path: Path) -> tuple[str, str]:
    """(last modified by, modified) from docProps/core.xml of a copy."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("docProps/core.xml"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return "", ""
    by = root.find("cp:lastModifiedBy", CORE_NS)
    when = root.find("dcterms:modified", CORE_NS)
    return (by.text or "" if by is not None else ""), (when.text or "" if when is not None else "")


def consistent_copy(
    source: Path,
    target: Path,
    attempts: int = 4,
    backoff: list[float] = (2, 5, 15, 30),
    sleep: Callable[[float], None] = time.sleep,
    copier: Callable[[Path, Path], object] = shutil.copyfile,
) -> Copy:
    source, target = Path(source), Path(target)
    result = Copy(source.name, "missing")
    for attempt in range(1, attempts + 1):
        result.attempts = attempt
        if not source.exists():
            result.status, result.detail = "missing", "no such workbook"
            return result
        if not stat.S_ISREG(source.stat().st_mode):  # a FIFO hangs a copy, a link to /dev/zero fills the disk
            result.status, result.detail = "not a file", "通常のファイルではありません / not a regular file"
            return result
        if source.stat().st_size > MAX_BYTES:
            result.status, result.detail = "too large", f"{source.stat().st_size:,} bytes > {MAX_BYTES:,}"
            return result
        if owner_file(source).exists():
            result.status, result.detail = "locked", f"open in Excel ({owner_file(source).name} present)"
        else:
            before = _signature(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))  # the copy is owner-only
            copier(source, target)
            after = _signature(source)
            if before != after or target.stat().st_size != before[0]:
                result.status, result.detail = "changing", "the workbook changed while it was copied"
            elif problem := _whole_zip(target):
                result.status, result.detail = "damaged", problem
            else:
                result.status, result.path, result.detail = "ok", target, ""
                result.last_modified_by, result.modified = core_properties(target)
                return result
        if target.exists():
            target.unlink()
        if attempt < attempts:
            sleep(backoff[min(attempt - 1, len(backoff) - 1)])
    return result
