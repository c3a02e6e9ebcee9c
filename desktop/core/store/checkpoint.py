"""The WAL checkpointer: checkpoints run on their own thread and connection, never in the writer.

The sizes here trade fewer, larger checkpoints (a first sweep rewrites the same index pages over
and over) against a bounded WAL, and keep a small disk from filling with it.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from desktop.core.store import errors as store_errors
from desktop.core.store.errors import LOW_SPACE_BYTES

log = logging.getLogger(__name__)

#: The WAL is checkpointed into the database once it holds this many pages (SQLite's default is
#: 1000). Each checkpoint copies the WAL and syncs the disk twice: a first sweep writes about one
#: WAL page per refund (each window's rows land all over the indexes), so at the default it would
#: checkpoint every ten windows or so; fewer, larger checkpoints copy a page rewritten by many
#: windows once. Durability is unchanged (synchronous=NORMAL: commits are atomic; the last ones may
#: be lost on a power cut either way; the journal's durable commits sync).
WAL_CHECKPOINT_PAGES = 8192
#: Checkpoints run on a checkpointer thread with its own connection (see :class:`Checkpointer`),
#: not in the committing writer: a checkpoint's copy and syncs would stall the writer, and a sync's
#: writer, which the listing waits on. If the WAL still grows past this many times the threshold
#: (the checkpointer cannot keep up, or is failing), the writer checkpoints itself after its commit,
#: as SQLite's own autocheckpoint would: the WAL stays bounded.
WAL_WRITER_CHECKPOINT_FACTOR = 4
#: the WAL file is cut back to this size after a checkpoint (it would otherwise keep its peak size)
WAL_SIZE_LIMIT_BYTES = 8 * 1024 * 1024
#: with less free space than the WAL may grow to (plus LOW_SPACE_BYTES), the writer checkpoints
#: itself once the WAL holds this much, and truncates it
LOW_SPACE_WAL_BYTES = 4 * 1024 * 1024


class Checkpointer:
    """Checkpoints the WAL on its own thread and connection, so the writer never waits for one.

    The writer connection has autocheckpoint off; after each commit it calls :meth:`committed`,
    which looks at the WAL file's size (a ``stat``: no lock, nothing read). Past
    ``WAL_CHECKPOINT_PAGES`` pages it wakes the thread (started on first need: most stores never
    grow a WAL that large), which runs ``PRAGMA wal_checkpoint(PASSIVE)`` — what SQLite's
    autocheckpoint runs — on its own connection: it copies what no reader still needs and never
    blocks the writer or the readers. The next write transaction after a complete checkpoint
    starts the WAL again from its beginning, and the file is cut back to ``journal_size_limit``,
    so the size measured here is again what the WAL holds.

    Bounded: should the WAL reach ``WAL_WRITER_CHECKPOINT_FACTOR`` times the threshold anyway (the
    checkpoints cannot keep up with the commits, or keep failing), :meth:`committed` checkpoints
    in the writer's own thread, as the autocheckpoint did before.
    """

    def __init__(
        self, path: Path, writer: sqlite3.Connection, connect: Callable[[], sqlite3.Connection]
    ) -> None:
        """``path``: the database; ``writer``: the store's writer connection (the bound's own
        checkpoints run on it); ``connect``: opens a connection like the store's (the thread's)."""
        self._path = path
        self._writer = writer
        self._connect = connect
        self._wal = path.with_name(path.name + "-wal")
        page_size = int(writer.execute("PRAGMA page_size").fetchone()[0])
        frame = page_size + 24  # a WAL frame: the page and its header
        self._threshold = WAL_CHECKPOINT_PAGES * frame
        self._hard_limit = WAL_WRITER_CHECKPOINT_FACTOR * self._threshold
        self._next = self._threshold  # the WAL size at which to checkpoint next
        self._seen = 0  # the WAL size after the last commit
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._conn: sqlite3.Connection | None = None

    @property
    def running(self) -> bool:
        return self._conn is not None

    def _space_short(self) -> bool:
        free = store_errors.free_bytes(self._wal.parent)
        return free is not None and free < LOW_SPACE_BYTES + self._hard_limit

    def _wal_bytes(self) -> int:
        try:
            return self._wal.stat().st_size
        except OSError:
            return 0  # no WAL (yet, or not in WAL mode)

    def committed(self) -> None:
        """After a commit (writer thread, holding the store's lock): checkpoint if the WAL grew by
        the threshold since the last checkpoint was asked for — or, when the disk is short of
        space, once it holds ``LOW_SPACE_WAL_BYTES``: then at once, here, and the WAL file is cut
        back to nothing, so that a long sync on a small disk does not fill it with its WAL."""
        size = self._wal_bytes()
        if size < self._seen:  # the WAL started again (and was cut back): count from its start
            self._next = self._threshold
        self._seen = size
        if size >= LOW_SPACE_WAL_BYTES and self._space_short():
            with contextlib.suppress(sqlite3.Error):
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            self._seen = self._wal_bytes()
            return
        if size < self._next:
            return
        # While commits keep coming, a checkpoint rarely copies the whole WAL (frames are appended
        # while it runs), so the WAL does not start again and its file does not shrink: the next
        # checkpoint waits for the next threshold's worth of frames, rather than one (and two disk
        # syncs) after every commit.
        if size >= self._hard_limit:
            # the bound: the WAL grew too large regardless; checkpoint here, between transactions
            # (after every commit, as the autocheckpoint does, until the WAL starts again)
            with contextlib.suppress(sqlite3.Error):
                self._writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            return
        self._next = size + self._threshold
        if self._thread is None and not self._stop:
            self._conn = self._connect()
            self._conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
            self._thread = threading.Thread(target=self._run, name="store-checkpointer", daemon=True)
            self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        assert self._conn is not None
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stop:
                return
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as exc:  # the writer's own checkpoint past the bound takes over
                log.warning("WAL checkpoint of %s failed: %s", self._path, exc)

    def close(self) -> None:
        """Stop the thread (its checkpoint in flight completes first) and close its connection."""
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
