"""Store errors, split the way the user needs them.

* :class:`StoreUnavailable` — the environment stops us (locked by another program, disk full,
  read-only folder, no permission, an I/O error). Nothing is wrong with the code; the message says
  what to do. Retrying later may work.
* :class:`StoreDamaged` — the file is corrupt or not a database. :func:`desktop.core.store.rebuild_store`
  moves it aside (kept, with a timestamp) and creates a fresh one; the next sync fills it again.
* Anything else (``sqlite3.ProgrammingError``, ``IntegrityError``, "no such column"…) is a bug and is
  left to propagate unchanged.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from desktop.core.i18n import tr

# primary SQLite result codes (https://www.sqlite.org/rescode.html)
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_NOMEM = 7
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


class StoreError(Exception):
    """Base of the store's own errors. ``message`` is for the user (translated)."""

    def __init__(self, message: str, *, path: Path | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else self.message


class StoreUnavailable(StoreError):
    """The environment prevents using the local database (see the message)."""

    #: ``"locked" | "full" | "readonly" | "io" | "cantopen" | "newer"``
    reason: str = "io"

    def __init__(self, message: str, *, reason: str, path: Path | None = None, detail: str = ""):
        super().__init__(message, path=path, detail=detail)
        self.reason = reason


class StoreDamaged(StoreError):
    """The database file is damaged; it can be rebuilt (the data is a cache of the platform)."""


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


#: below this much free space a failed write is taken for a full disk: SQLite reports a write
#: that ran out of space in the WAL or its index as a plain "disk I/O error"
LOW_SPACE_BYTES = 64 * 1024 * 1024


def free_bytes(folder: Path) -> int | None:
    """Free space for this user on the disk holding ``folder`` (``None`` when it cannot be told)."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _disk_full(path: Path | None) -> bool:
    if path is None:
        return False
    free = free_bytes(path.parent)
    return free is not None and free < LOW_SPACE_BYTES


def translate(exc: sqlite3.Error, path: Path | None) -> StoreError | None:
    """The store error for an environmental or corruption failure, or ``None`` for a bug."""
    code = _code(exc)
    text = str(exc).lower()
    where = str(path) if path else tr("the local database")
    io_failure = code in (SQLITE_IOERR, SQLITE_FULL) or "disk i/o error" in text
    if io_failure and (code == SQLITE_FULL or "disk is full" in text or _disk_full(path)):
        code = SQLITE_FULL
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return StoreDamaged(damaged_message(path), path=path, detail=str(exc))
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in text:
        return StoreUnavailable(
            tr(
                "The local database is in use by another program. Close other copies of AfterSale "
                "Watch and try again."
            ),
            reason="locked",
            path=path,
            detail=str(exc),
        )
    if code == SQLITE_FULL or "disk is full" in text:
        return StoreUnavailable(
            tr(
                "The disk is full, so the local database cannot be written. Free some space on the "
                "disk that holds {path} and try again.",
                path=where,
            ),
            reason="full",
            path=path,
            detail=str(exc),
        )
    if code in (SQLITE_READONLY, SQLITE_PERM) or "readonly" in text:
        return StoreUnavailable(
            tr(
                "The local database {path} is read-only. Check the folder's permissions, or choose "
                "another data folder with --data-dir.",
                path=where,
            ),
            reason="readonly",
            path=path,
            detail=str(exc),
        )
    if code == SQLITE_CANTOPEN or "unable to open" in text:
        return StoreUnavailable(
            tr(
                "The local database {path} cannot be opened. Check that the folder exists and is "
                "writable, or choose another data folder with --data-dir.",
                path=where,
            ),
            reason="cantopen",
            path=path,
            detail=str(exc),
        )
    if code in (SQLITE_IOERR, SQLITE_NOMEM) or "disk i/o error" in text:
        return StoreUnavailable(
            tr(
                "Reading or writing the local database {path} failed (a disk error). Check the disk "
                "and try again.",
                path=where,
            ),
            reason="io",
            path=path,
            detail=str(exc),
        )
    return None


def damaged_message(path: Path | None) -> str:
    where = str(path) if path else tr("the local database")
    return tr(
        "The local database {path} is damaged and cannot be used. It only holds a copy of your shop's "
        "data: rebuild it (the damaged file is kept beside it with a timestamp) and the next sync "
        "fills it again. History the platform no longer returns (older than 90 days) is lost.",
        path=where,
    )
