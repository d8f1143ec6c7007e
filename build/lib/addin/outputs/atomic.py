"""Atomic writes: a reader (or a crash) sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: Path, private: bool = False):
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename.

    `private` makes the file owner-read/write only (it holds personal data).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o600 if private else 0o644)
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: Path, text: str, private: bool = False, encoding: str = "utf-8") -> Path:
    with atomic_path(path, private) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")
    return path


def write_bytes(path: Path, data: bytes, private: bool = False) -> Path:
    with atomic_path(path, private) as tmp:
        tmp.write_bytes(data)
    return path
