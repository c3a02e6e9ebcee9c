"""The store's core: connections, transactions, the integrity check and the migrations.

:class:`Store` owns every connection and is the composition root of the repositories, one per
family of tables, each in its own module::

    store.settings       settings                 (desktop.core.store.settings)
    store.shops          shops                    (desktop.core.store.shops)
    store.refunds        refunds, refund_raw      (desktop.core.store.refunds; its upsert also
                                                   writes the first observations and auto steps)
    store.classification how requests ended, auto_approvals (desktop.core.store.classification)
    store.history        observations, comments   (desktop.core.store.history)
    store.scores         shop_scores              (desktop.core.store.scores)
    store.journal        actions: the action journal (desktop.core.store.journal)
    store.notifications  notifications            (desktop.core.store.notifications)

Tables of other parts of the app (the robots' outbox, the guard's records) are read with
:meth:`Store.read` and written in :meth:`Store.transaction` by their own modules.

Threading: one *writer* connection guarded by a lock — every change goes through
:meth:`Store.transaction` (``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception), one
transaction per logical change; a repository's write joins the caller's transaction, so a change
spanning repositories commits or rolls back as one. Reads borrow a connection from a small fixed
set of readers (``MAX_READERS``; WAL lets them run while a write is in progress) for the one
statement and give it back: no connection belongs to a thread, so a thread pool retiring and
starting threads never opens one more (each pool thread used to keep its own until the store
closed: a file handle leaked per retired thread). A read made inside a transaction on the same
thread uses the writer, so it sees the transaction's own changes. WAL checkpoints run on their own
thread (:mod:`desktop.core.store.checkpoint`). :meth:`Store.close` closes them all; a repository of
a closed store raises :class:`~desktop.core.store.errors.StoreError`.

Errors: environmental failures (locked, disk full, read-only, I/O) become
:class:`~desktop.core.store.errors.StoreUnavailable`, a damaged file
:class:`~desktop.core.store.errors.StoreDamaged`; anything else is a bug and propagates unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from desktop.core.i18n import tr
from desktop.core.store.checkpoint import WAL_SIZE_LIMIT_BYTES, Checkpointer
from desktop.core.store.classification import ClassificationRepository
from desktop.core.store.errors import (
    StoreDamaged,
    StoreError,
    StoreUnavailable,
    damaged_message,
    translate,
)
from desktop.core.store.history import HistoryRepository
from desktop.core.store.journal import JournalRepository
from desktop.core.store.notifications import NotificationRepository
from desktop.core.store.refunds import RefundRepository
from desktop.core.store.schema import MIGRATIONS, SCHEMA_VERSION
from desktop.core.store.scores import ScoreRepository
from desktop.core.store.settings import SettingsRepository
from desktop.core.store.shops import ShopRepository
from desktop.core.store.sql import Params, Row

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 10.0
#: the most reader connections a store opens (reads beyond that many at once wait for one to be given
#: back): the UI's background reads, the alert check, a sync's own reads and the shops watched in
#: the background rarely overlap by more than this
MAX_READERS = 4


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of ``script``, one by one (a trigger's body stays whole)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending
            pending = ""
    if pending.strip(" \t\r\n;"):
        yield pending.rstrip(";")


#: the stores open now (the tests' leak check looks here: a store left open is a leak)
_open_stores: weakref.WeakSet[Store] = weakref.WeakSet()


def open_stores() -> list[Store]:
    """The stores opened and not closed yet."""
    return list(_open_stores)


class Store:
    """The local database. Open it with :func:`open_store`; close it with :meth:`close`.

    Its tables are reached through its repositories (``store.shops``, ``store.refunds``… see the
    module's docstring); other modules' own tables through :meth:`read` and :meth:`transaction`.
    """

    settings: SettingsRepository
    shops: ShopRepository
    refunds: RefundRepository
    classification: ClassificationRepository
    history: HistoryRepository
    scores: ScoreRepository
    journal: JournalRepository
    notifications: NotificationRepository

    def __init__(self, path: str | Path, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.settings = SettingsRepository(self)
        self.shops = ShopRepository(self)
        self.refunds = RefundRepository(self)
        self.classification = ClassificationRepository(self)
        self.history = HistoryRepository(self)
        self.scores = ScoreRepository(self)
        self.journal = JournalRepository(self)
        self.notifications = NotificationRepository(self)
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.RLock()
        self._local = threading.local()
        # every reader opened (idle or lent); None: a place reserved while its connection opens
        self._readers: list[sqlite3.Connection | None] = []
        self._idle: list[sqlite3.Connection] = []  # the readers not lent right now
        self._readers_lock = threading.Condition(threading.Lock())
        self._closed = False
        self._writer = self._connect()
        try:
            # no checkpoints in the committing thread: the Checkpointer runs them (started on demand)
            self._writer.execute("PRAGMA wal_autocheckpoint = 0")
            self._writer.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
            self._checkpointer = Checkpointer(self.path, self._writer, self._connect)
            self._check_integrity()
            self._migrate()
            self._checkpointer.committed()  # a migration may have filled the WAL
        except BaseException:
            checkpointer = getattr(self, "_checkpointer", None)
            if checkpointer is not None:
                checkpointer.close()
            self._writer.close()
            raise
        _open_stores.add(self)

    # ------------------------------------------------------------------ connections & errors

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self._busy_timeout_s,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_s * 1000)}")
            mode = self._journal_mode_wal(conn)
            if str(mode).lower() != "wal":
                log.warning("SQLite refused WAL mode for %s (mode %s)", self.path, mode)
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            conn.close()
            raise self._translate(exc) from exc
        return conn

    def _journal_mode_wal(self, conn: sqlite3.Connection) -> str:
        """Switch to WAL. Processes opening a new database at once contend for the switch, and
        SQLite answers "locked" at once instead of waiting: retried within the busy timeout."""
        give_up = time.monotonic() + self._busy_timeout_s
        while True:
            try:
                return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                err = translate(exc, self.path)
                if (
                    not isinstance(err, StoreUnavailable)
                    or err.reason != "locked"
                    or time.monotonic() > give_up
                ):
                    raise
                time.sleep(0.02)

    def _translate(self, exc: sqlite3.Error) -> BaseException:
        err = translate(exc, self.path)
        return err if err is not None else exc

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Statements run in this block raise :class:`StoreUnavailable` / :class:`StoreDamaged`
        for an environmental failure instead of :class:`sqlite3.Error` (a repository's statements
        inside :meth:`transaction` run in it; anything else propagates unchanged)."""
        try:
            yield
        except sqlite3.Error as exc:
            err = translate(exc, self.path)
            if err is None:
                raise
            raise err from exc

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        """A reader connection for one read (the writer inside this thread's transaction)."""
        if getattr(self._local, "depth", 0):
            yield self._writer  # inside this thread's transaction: see its changes
            return
        with self._readers_lock:
            while True:
                if self._closed:
                    raise StoreError(tr("The local database is closed."), path=self.path)
                conn: sqlite3.Connection | None
                if self._idle:
                    conn = self._idle.pop()
                    break
                if len(self._readers) < MAX_READERS:
                    conn = None
                    self._readers.append(None)  # reserved while connecting
                    break
                self._readers_lock.wait()
        if conn is None:
            try:
                conn = self._connect()
                conn.execute("PRAGMA query_only = ON")
            except BaseException:
                with self._readers_lock:
                    self._readers.remove(None)
                    self._readers_lock.notify()
                raise
            with self._readers_lock:
                self._readers[self._readers.index(None)] = conn
        try:
            yield conn
        finally:
            with self._readers_lock:
                if self._closed:  # closed while lent: close() left it to this borrower
                    with contextlib.suppress(sqlite3.Error):
                        conn.close()
                else:
                    self._idle.append(conn)
                    self._readers_lock.notify()

    def connection_count(self) -> int:
        """How many SQLite connections the store holds open now (the writer, the readers, the
        checkpointer's): bounded by ``MAX_READERS + 2`` however many threads read."""
        with self._readers_lock:
            readers = sum(1 for conn in self._readers if conn is not None)
        if self._closed:
            return 0
        return 1 + readers + (1 if self._checkpointer.running else 0)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close every connection (a reader lent to another thread closes when it is given back).
        Idempotent."""
        with self._lock:
            if self._closed:
                return
            with self._readers_lock:
                self._closed = True
                idle, self._idle = self._idle, []
                lent = [c for c in self._readers if c is not None and c not in idle]
                self._readers = []
                self._readers_lock.notify_all()
            for conn in idle:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            if lent:
                log.warning("store closed while %d read(s) were running", len(lent))
            # stopped (its checkpoint in flight finished) before the writer, the last connection,
            # closes: closing checkpoints the whole WAL and removes it
            self._checkpointer.close()
            with contextlib.suppress(sqlite3.Error):
                self._writer.execute("PRAGMA optimize")
            self._writer.close()
            _open_stores.discard(self)
        self._local = threading.local()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One logical change: commits when the block ends, rolls back on any exception.

        Re-entrant on the same thread (an inner block joins the outer transaction). ``durable``
        (outermost block only): the commit is fsync'd before it returns (``synchronous = FULL``),
        so it survives a power cut too — the action journal needs that before it sends a request.
        """
        with self._lock:
            if self._closed:
                raise StoreError(tr("The local database is closed."), path=self.path)
            depth = getattr(self._local, "depth", 0)
            if depth:
                self._local.depth = depth + 1
                try:
                    yield self._writer
                finally:
                    self._local.depth = depth
                return
            if durable:
                with self.guard():
                    self._writer.execute("PRAGMA synchronous = FULL")
            try:
                with self.guard():
                    self._writer.execute("BEGIN IMMEDIATE")
                self._local.depth = 1
                try:
                    yield self._writer
                except BaseException:
                    self._local.depth = 0
                    with contextlib.suppress(sqlite3.Error):
                        self._writer.execute("ROLLBACK")
                    raise
                self._local.depth = 0
                try:
                    with self.guard():
                        self._writer.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        self._writer.execute("ROLLBACK")
                    raise
                self._checkpointer.committed()
            finally:
                if durable:
                    with contextlib.suppress(sqlite3.Error):
                        self._writer.execute("PRAGMA synchronous = NORMAL")

    def read(self, sql: str, params: Params = ()) -> list[Row]:
        """The rows of one read statement, on a reader connection (the writer inside this thread's
        transaction, so the read sees its changes); errors translated as by :meth:`guard`.

        For the repositories, and for modules reading tables of their own (the robots' outbox…).
        """
        with self.guard(), self._reader() as conn:
            return conn.execute(sql, params).fetchall()

    # ------------------------------------------------------------------ integrity & migrations

    def _check_integrity(self) -> None:
        with self.guard():
            rows = self._writer.execute("PRAGMA quick_check").fetchall()
        problems = [r[0] for r in rows if r[0] != "ok"]
        if problems:
            raise StoreDamaged(damaged_message(self.path), path=self.path, detail="; ".join(problems[:5]))

    @property
    def schema_version(self) -> int:
        return int(self.read("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        with self.guard():
            version = int(self._writer.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(
                tr(
                    "The local database {path} was written by a newer version of AfterSale Watch "
                    "(schema {found}, this version knows {known}). Update the app.",
                    path=str(self.path),
                    found=version,
                    known=SCHEMA_VERSION,
                ),
                reason="newer",
                path=self.path,
            )
        if version == SCHEMA_VERSION:
            return
        if version > 0:
            backup = self.backup(
                self.path.with_name(f"{self.path.name}.v{version}-{datetime.now():%Y%m%d-%H%M%S}.bak")
            )
            log.info("schema %s -> %s; backup written to %s", version, SCHEMA_VERSION, backup)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            script = MIGRATIONS[target - 1]
            try:
                with self.guard():
                    # the version is read again inside the write transaction: another process
                    # starting at the same moment may have migrated meanwhile
                    self._writer.execute("BEGIN IMMEDIATE")
                    current = int(self._writer.execute("PRAGMA user_version").fetchone()[0])
                    if current >= target:
                        self._writer.execute("COMMIT")
                        continue
                    # statement by statement: executescript would commit the transaction first
                    for statement in _statements(script):
                        self._writer.execute(statement)
                    self._writer.execute(f"PRAGMA user_version = {target}")
                    self._writer.execute("COMMIT")
            except BaseException:
                if self._writer.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._writer.execute("ROLLBACK")
                raise
            log.info("database %s migrated to schema %s", self.path, target)

    def backup(self, target: str | Path) -> Path:
        """A consistent copy of the database at ``target`` (SQLite's online backup API)."""
        target = Path(target)
        with self._lock, self.guard():
            dest = sqlite3.connect(target)
            try:
                self._writer.backup(dest)
            finally:
                dest.close()
        return target


def open_store(path: str | Path | None = None) -> Store:
    """Open (creating or migrating as needed) the store at ``path`` (default: the app's database).

    Raises :class:`StoreDamaged` for a damaged file (see :func:`rebuild_store`) and
    :class:`StoreUnavailable` when the environment prevents opening it.
    """
    from desktop.core import paths

    return Store(Path(path) if path is not None else paths.database_path())


def rebuild_store(path: str | Path | None = None) -> tuple[Store, Path | None]:
    """Move a damaged database aside (``<name>.damaged-<timestamp>``) and open a fresh one.

    Returns the new store and where the old file went (``None`` when there was none). The caller
    must have closed every store on ``path`` first. The next sync fills the fresh store again.
    """
    from desktop.core import paths

    db = Path(path) if path is not None else paths.database_path()
    moved: Path | None = None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if db.exists():
        moved = db.with_name(f"{db.name}.damaged-{stamp}")
        n = 1
        while moved.exists():
            moved = db.with_name(f"{db.name}.damaged-{stamp}-{n}")
            n += 1
        try:
            db.replace(moved)
            for suffix in ("-wal", "-shm"):
                side = db.with_name(db.name + suffix)
                if side.exists():
                    side.replace(moved.with_name(moved.name + suffix))
        except OSError as exc:
            raise StoreUnavailable(
                tr(
                    "The damaged database {path} cannot be moved aside: {problem}",
                    path=str(db),
                    problem=exc.strerror or str(exc),
                ),
                reason="io",
                path=db,
                detail=str(exc),
            ) from exc
        log.warning("damaged database moved aside to %s", moved)
    return Store(db), moved
