"""A full disk: named as such (SQLite often says only "disk I/O error"), and a small disk recovers
because the WAL is checkpointed and cut back sooner when space is short."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.core.store import StoreUnavailable, checkpoint, errors, open_store


def _ioerr(text: str = "disk I/O error", code: int = 778) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code  # SQLITE_IOERR_WRITE
    return exc


def test_an_io_error_on_a_disk_without_space_is_called_disk_full(tmp_path, monkeypatch):
    monkeypatch.setattr(errors, "free_bytes", lambda folder: 12_000)
    err = errors.translate(_ioerr(), tmp_path / "x.sqlite3")
    assert isinstance(err, StoreUnavailable) and err.reason == "full"
    assert "磁盘已满" in err.message and str(tmp_path / "x.sqlite3") in err.message


def test_an_io_error_with_space_left_stays_a_disk_error(tmp_path, monkeypatch):
    monkeypatch.setattr(errors, "free_bytes", lambda folder: 50 * 2**30)
    err = errors.translate(_ioerr(), tmp_path / "x.sqlite3")
    assert isinstance(err, StoreUnavailable) and err.reason == "io"


def test_a_write_failing_for_space_reaches_the_caller_as_disk_full(tmp_path, monkeypatch):
    store = open_store(tmp_path / "s.sqlite3")
    try:
        monkeypatch.setattr(errors, "free_bytes", lambda folder: 1000)

        def fail_write(conn):
            raise _ioerr()

        with pytest.raises(StoreUnavailable) as info, store.guard():
            fail_write(None)
        assert info.value.reason == "full"
    finally:
        store.close()


def _fill(store, commits: int, size: int) -> list[int]:
    """``commits`` transactions of ``size`` bytes each; the WAL's size after each."""
    wal = store.path.with_name(store.path.name + "-wal")
    sizes = []
    for i in range(commits):
        store.settings.set(f"blob{i}", "x" * size)
        sizes.append(wal.stat().st_size if wal.exists() else 0)
    return sizes


def test_with_space_short_the_wal_is_checkpointed_and_cut_back_sooner(tmp_path, monkeypatch):
    store = open_store(tmp_path / "small.sqlite3")
    try:
        monkeypatch.setattr(errors, "free_bytes", lambda folder: 40 * 2**20)  # 40 MB left
        sizes = _fill(store, 40, 512 * 1024)  # 20 MB written in all
        bound = checkpoint.LOW_SPACE_WAL_BYTES + 2 * 2**20  # one transaction's worth past the mark
        assert max(sizes) < bound, f"the WAL reached {max(sizes) / 2**20:.1f} MB"
        assert store.settings.get("blob3") == "x" * 512 * 1024  # nothing lost
    finally:
        store.close()


def test_with_space_plenty_the_wal_is_left_to_the_checkpointer(tmp_path, monkeypatch):
    store = open_store(tmp_path / "big.sqlite3")
    try:
        monkeypatch.setattr(errors, "free_bytes", lambda folder: 500 * 2**30)
        sizes = _fill(store, 40, 512 * 1024)
        assert max(sizes) > checkpoint.LOW_SPACE_WAL_BYTES + 2 * 2**20  # the contrast: larger
    finally:
        store.close()
