"""The company's private state folder (`.backoffice/`, owner-only) and what lives in it: the SQLite
database (and its -wal / -shm), the register secret, temp copies, logs and anchors."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from addin.outputs.atomic import FILE_MODE, FOLDER_MODE, private_folder

STATE = ".backoffice"
SECRET_FILE = "register.key"
SECRET_BYTES = 32


def state_folder(root: Path) -> Path:
    """`.backoffice/` of a company, created owner-only; an existing one is tightened to 0700."""
    folder = private_folder(Path(root) / STATE)
    os.chmod(folder, FOLDER_MODE)
    return folder


def owner_only(path: Path) -> None:
    if path.exists():
        os.chmod(path, FILE_MODE)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating owner-only) a WAL database; SQLite gives -wal and -shm the database file's mode."""
    path = Path(path)
    private_folder(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    owner_only(path)
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    for suffix in ("-wal", "-shm"):
        owner_only(path.with_name(path.name + suffix))
    return db


def read_secret(folder: Path) -> bytes | None:
    path = Path(folder) / SECRET_FILE
    return path.read_bytes() if path.is_file() else None


def company_secret(folder: Path) -> bytes:
    """The per-company key of the register seal and the snapshot digests: random, owner-only, outside
    the database (a copy of state.db alone cannot be resealed). Created once, never replaced."""
    folder = private_folder(Path(folder))
    path = folder / SECRET_FILE
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:  # a concurrent run created it
            return path.read_bytes()
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(SECRET_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
    return path.read_bytes()


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One writer at a time (BEGIN IMMEDIATE): everything inside is committed together, or rolled back
    together on any failure (a kill, a full disk, a refusing trigger)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
