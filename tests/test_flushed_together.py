"""A batch of atomic writes flushed together: no name appears before every file of the batch is on disk,
an error leaves no file and no temporary behind, and where syncfs is missing each file is fsynced."""

from __future__ import annotations

import os

import pytest

from addin.outputs import atomic
from addin.outputs.atomic import flushed_together, write_bytes
from addin.outputs.staging import staged_folder, write_private


def test_names_appear_only_once_the_whole_batch_is_flushed(tmp_path, monkeypatch):
    flushed = []
    real = atomic.flush_to_disk
    monkeypatch.setattr(atomic, "flush_to_disk", lambda files: flushed.append(list(files)) or real(flushed[-1]))
    with flushed_together():
        for i in range(5):
            write_bytes(tmp_path / f"doc{i}.pdf", b"%PDF " + bytes([i]))
        assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == []
        assert len(list(tmp_path.glob(".doc*.pdf.*.tmp"))) == 5  # written, under their temporary names
    assert len(flushed) == 1 and len(flushed[0]) == 5  # one flush for the batch, before any rename
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"doc{i}.pdf" for i in range(5)]
    assert (tmp_path / "doc3.pdf").read_bytes() == b"%PDF \x03"
    assert {oct(p.stat().st_mode & 0o777) for p in tmp_path.iterdir()} == {"0o600"}


def test_an_error_in_the_batch_leaves_no_file_and_no_temporary(tmp_path):
    with pytest.raises(RuntimeError, match="render failed"), flushed_together():
        write_bytes(tmp_path / "a.pdf", b"a")
        raise RuntimeError("render failed")
    assert list(tmp_path.iterdir()) == []


def test_without_syncfs_every_file_is_fsynced(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "SYNCFS", None)
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    with flushed_together():
        for i in range(3):
            write_bytes(tmp_path / f"{i}.xlsx", b"x")
    assert len(synced) == 3 + 1  # each file, then the folder holding the new names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.xlsx", "1.xlsx", "2.xlsx"]


@pytest.mark.skipif(atomic.SYNCFS is None, reason="syncfs is Linux's")
def test_a_staged_folder_is_flushed_before_it_is_swapped_in(tmp_path, monkeypatch):
    order = []
    real_flush, real_replace = atomic.flush_to_disk, os.replace
    monkeypatch.setattr("addin.outputs.staging.flush_to_disk", lambda files: order.append("flush") or real_flush(files))
    monkeypatch.setattr(os, "replace", lambda a, b: order.append("swap") or real_replace(a, b))
    with staged_folder(tmp_path / "out") as tmp:
        write_private(tmp / "slip.pdf", b"%PDF")
    assert order == ["flush", "swap"]
    assert (tmp_path / "out" / "slip.pdf").read_bytes() == b"%PDF"


def test_another_threads_write_is_not_held_back_by_this_threads_batch(tmp_path):
    import threading

    with flushed_together():
        write_bytes(tmp_path / "batch.pdf", b"b")
        other = threading.Thread(target=write_bytes, args=(tmp_path / "other.json", b"{}"))
        other.start()
        other.join()
        assert (tmp_path / "other.json").read_bytes() == b"{}" and not (tmp_path / "batch.pdf").exists()
    assert (tmp_path / "batch.pdf").read_bytes() == b"b"
