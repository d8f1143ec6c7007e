"""A folder of outputs that appears complete or not at all: write into a hidden sibling, then swap.

Before the swap every file inside is flushed to disk (one syncfs for the folder, see atomic.flush_to_disk),
and after it the parent folder is synced: after a crash the folder is the old one or the complete new one,
never new names over missing data.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from addin.outputs.atomic import FILE_MODE, FOLDER_MODE, flush_to_disk, private_folder, sync_folders


def _owner_only(folder: Path) -> None:
    """Whatever a writer library created inside (xlsxwriter, json, PDFs) ends owner-only."""
    os.chmod(folder, FOLDER_MODE)
    for base, folders, files in os.walk(folder):
        for name in folders:
            os.chmod(os.path.join(base, name), FOLDER_MODE)
        for name in files:
            os.chmod(os.path.join(base, name), FILE_MODE)


def _files(folder: Path) -> list[Path]:
    """Every file under `folder`, and the folders themselves (new entries are data to flush too)."""
    found = [folder]
    for base, folders, files in os.walk(folder):
        found += [Path(base, name) for name in folders + files]
    return found


@contextlib.contextmanager
def staged_folder(target: Path, private: bool = True):
    """Yield an empty temporary folder; on success it becomes `target` (replacing an older one).

    On any error the temporary folder is removed and `target` is left as it was. Everything inside is
    made owner-only (0700 folders, 0600 files) unless `private=False`.
    """
    target = Path(target)
    private_folder(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    os.chmod(tmp, FOLDER_MODE)
    try:
        yield tmp
        if private:
            _owner_only(tmp)
        flush_to_disk(_files(tmp))
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(tmp, target)
        sync_folders([target.parent])
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def write_private(path: Path, data: bytes) -> Path:
    """Owner-only file (personal data inside) in a staged folder."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path
