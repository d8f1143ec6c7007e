"""Atomic writes: a reader (or a crash) sees the old file or the new one, never half of one.

Everything the product writes holds personal or business data (salaries, My Numbers, customers,
amounts), so files are owner-only (0600) and the folders it creates owner-only (0700) unless a caller
says otherwise.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

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
    leaves a `.name.*.tmp` that the next run sweeps.
    """
    path = Path(path)
    private_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, mode if mode is not None else FILE_MODE if private else SHARED_FILE_MODE)
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: Path, text: str, private: bool = True, encoding: str = "utf-8") -> Path:
    with atomic_path(path, private) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")
    return path


def write_bytes(path: Path, data: bytes, private: bool = True) -> Path:
    with atomic_path(path, private) as tmp:
        tmp.write_bytes(data)
    return path
