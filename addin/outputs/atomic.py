"""Atomic writes: a reader (or a crash) sees the old file or the new one, never half of one.

Everything the product writes holds personal or business data (salaries, My Numbers, customers,
amounts), so files are owner-only (0600) and the folders it creates owner-only (0700) unless a caller
says otherwise.

A file is on disk before its name appears: fsync, then rename. A batch of documents does the same for all
of them at once (`flushed_together`): one flush of the file system instead of one fsync per file, which
cost ~2–4 ms a file, more than writing an invoice.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Iterable

FILE_MODE = 0o600
FOLDER_MODE = 0o700
SHARED_FILE_MODE = 0o644


def private_folder(path: Path) -> Path:
    """Create `path` and any missing parents owner-only; folders that already exist keep their mode."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # a concurrent writer made it first
            continue
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    return path


@contextlib.contextmanager
def atomic_path(path: Path, private: bool = True, mode: int | None = None):
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename.

    The file is owner-only unless `private=False` (or an explicit `mode`, e.g. the mode of the file it
    replaces). The temporary file is removed on every exit path that Python sees; a killed process
    leaves a `.name.*.tmp` that the next run sweeps. Inside `flushed_together` the flush and the rename
    wait for the end of that block.
    """
    path = Path(path)
    private_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    handed_over = False
    try:
        yield tmp_path
        os.chmod(tmp_path, mode if mode is not None else FILE_MODE if private else SHARED_FILE_MODE)
        pending = getattr(_batch, "pending", None)
        if pending is not None:  # inside flushed_together: flushed and renamed with the rest of the batch
            pending.append((tmp_path, path))
            handed_over = True
            return
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    finally:
        if not handed_over:
            tmp_path.unlink(missing_ok=True)


#: `pending`: the atomic writes of this thread's open `flushed_together` block, (temporary file, final
#: name) in the order written; absent outside a block
_batch = threading.local()


def _syncfs():
    # Linux's syncfs(2): everything written to one file system, on stable storage, in one call
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


SYNCFS = _syncfs()


def flush_to_disk(files: Iterable[Path]) -> None:
    """The data of `files` on stable storage: one syncfs per file system they are on (Linux), else one
    fsync per file. syncfs also writes what other programs have pending on that file system; it waits
    for our files' data and the journal like fsync does, and reports a write error the same way."""
    files = list(files)
    if SYNCFS is not None:
        devices = {}
        for file in files:
            devices.setdefault(os.stat(file).st_dev, file)
        for file in devices.values():
            fd = os.open(file, os.O_RDONLY)
            try:
                if SYNCFS(fd) == 0:
                    continue
            finally:
                os.close(fd)
            break  # syncfs refused (an old kernel, a sandbox): the portable way below
        else:
            return
    for file in files:
        if os.path.isdir(file):
            sync_folders([file])
            continue
        with open(file, "rb") as fh:
            os.fsync(fh.fileno())


def sync_folders(folders: Iterable[Path]) -> None:
    """Renames inside `folders` on stable storage (a folder's own fsync; not possible on Windows)."""
    if os.name != "posix":
        return
    for folder in dict.fromkeys(folders):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def flushed_together():
    """Atomic writes inside the block reach their names together at its end, durable as one at a time.

    Each file is written to its temporary name as usual; at the end all of them are flushed in one go
    (`flush_to_disk`), only then renamed into place in the order written, and their folders synced. A
    crash before the renames leaves `.name.*.tmp` files only (swept by the next run), never a name with
    missing data. An error inside removes the block's temporary files: none of its files appears.
    Nested blocks join the outer one. Per thread: the document pool opens one per chunk of jobs.
    """
    if getattr(_batch, "pending", None) is not None:
        yield
        return
    _batch.pending = pending = []
    try:
        yield
        flush_to_disk(tmp for tmp, _ in pending)
        for tmp, path in pending:
            os.replace(tmp, path)
        sync_folders(path.parent for _, path in pending)
    finally:
        _batch.pending = None
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str, private: bool = True, encoding: str = "utf-8") -> Path:
    with atomic_path(path, private) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")
    return path


def write_bytes(path: Path, data: bytes, private: bool = True) -> Path:
    with atomic_path(path, private) as tmp:
        tmp.write_bytes(data)
    return path
