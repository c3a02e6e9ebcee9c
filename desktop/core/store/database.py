"""The SQLite store: connections, transactions, integrity check, migrations, and the queries.

Threading: one *writer* connection guarded by a lock — every change goes through
:meth:`Store.transaction` (``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception), one
transaction per logical change. Reads borrow a connection from a small fixed set of readers
(``MAX_READERS``; WAL lets them run while a write is in progress) for the one statement and give it
back: no connection belongs to a thread, so a thread pool retiring and starting threads never opens
one more (each pool thread used to keep its own until the store closed: a file handle leaked per
retired thread). A read made inside a transaction on the same thread uses the writer, so it sees
the transaction's own changes. :meth:`Store.close` closes them all.

Errors: environmental failures (locked, disk full, read-only, I/O) become
:class:`~desktop.core.store.errors.StoreUnavailable`, a damaged file
:class:`~desktop.core.store.errors.StoreDamaged`; anything else is a bug and propagates unchanged.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import logging
import operator
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.core.i18n import tr
from desktop.core.store import errors as store_errors
from desktop.core.store.errors import (
    LOW_SPACE_BYTES,
    StoreDamaged,
    StoreError,
    StoreUnavailable,
    damaged_message,
    translate,
)
from desktop.core.store.records import (
    JOURNAL_OPEN_STATES,
    JOURNAL_STATES,
    REFUND_COLUMNS,
    SHOP_COLUMNS,
    AutoStep,
    Decision,
    JournalEntry,
    Observation,
    RoleSeen,
    ScoreSnapshot,
    Shop,
    StoredAutoStep,
    StoredRefund,
    UpsertStats,
)
from desktop.core.store.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 10.0
#: the most reader connections a store opens (reads beyond that many at once wait for one to be given
#: back): the UI's background reads, the alert check, a sync's own reads and the shops watched in
#: the background rarely overlap by more than this
MAX_READERS = 4
#: The WAL is checkpointed into the database once it holds this many pages (SQLite's default is
#: 1000). Each checkpoint copies the WAL and syncs the disk twice: a first sweep writes about one
#: WAL page per refund (each window's rows land all over the indexes), so at the default it would
#: checkpoint every ten windows or so; fewer, larger checkpoints copy a page rewritten by many
#: windows once. Durability is unchanged (synchronous=NORMAL: commits are atomic; the last ones may
#: be lost on a power cut either way; the journal's durable commits sync).
WAL_CHECKPOINT_PAGES = 8192
#: Checkpoints run on a checkpointer thread with its own connection (see :class:`_Checkpointer`),
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
#: status values after which a refund is finished (succeeded / failed-or-closed)
CLOSED_STATUSES = frozenset({60, 70})
# keys that must never appear in the journal's parameters
_SECRET_PARAM_WORDS = ("token", "secret", "sign", "password")

# the refund columns written from an API record (attribute name == column name)
_API_COLUMNS = (
    "order_id",
    "handling_way",
    "negotiate_status",
    "status",
    "refund_type",
    "refund_fee",
    "refund_reason",
    "refund_reason_desc",
    "refund_desc",
    "sku_id",
    "sku_nick",
    "item_id",
    "rel_item_id",
    "rel_sku_id",
    "seller_id",
    "submit_time",
    "create_time",
    "update_time",
    "negotiate_update_time",
    "end_time",
    "receipt_status",
    "logistics_id",
    "expire_time",
    "urge_times",
    "require_return_freight",
    "special_refund_type",
    "buyer_modify_deadline",
    "time_limit_negotiate_change",
)
# only the detail carries these: a list item must not erase what a detail told us
_DETAIL_ONLY = frozenset({"special_refund_type", "buyer_modify_deadline", "time_limit_negotiate_change"})
# a change of any of these is an observation
_OBSERVED = ("status", "negotiate_status", "handling_way", "expire_time", "update_time")

_CLASSIFICATION = (
    "outcome",
    "certainty",
    "decided_by",
    "overdue_at",
    "deadline_at",
    "decided_at",
    "first_action_at",
    "classified_at",
)
_INSERTED = (
    "shop_id",
    "refund_id",
    *_API_COLUMNS,
    "merchant_turn",
    "first_seen_at",
    "last_seen_at",
    "closed_at",
    "last_pending_seen_at",
    "last_pending_expire_time",
    "detail_fetched_at",
    *_CLASSIFICATION,
)
_CHANGED = len(_INSERTED) + 1  # the last parameter: did the observed state change?
_UPSERT_SQL = (
    f"INSERT INTO refunds ({', '.join(_INSERTED)}) "
    f"VALUES ({', '.join(f'?{i + 1}' for i in range(len(_INSERTED)))}) "
    "ON CONFLICT (shop_id, refund_id) DO UPDATE SET "
    + ", ".join(
        f"{c} = COALESCE(excluded.{c}, refunds.{c})" if c in _DETAIL_ONLY else f"{c} = excluded.{c}"
        for c in _API_COLUMNS
    )
    + ", merchant_turn = excluded.merchant_turn, last_seen_at = excluded.last_seen_at, "
    "closed_at = excluded.closed_at, "
    "last_pending_seen_at = COALESCE(excluded.last_pending_seen_at, refunds.last_pending_seen_at), "
    "last_pending_expire_time = CASE WHEN excluded.last_pending_seen_at IS NULL "
    "  THEN refunds.last_pending_expire_time ELSE excluded.last_pending_expire_time END, "
    "detail_fetched_at = COALESCE(excluded.detail_fetched_at, refunds.detail_fetched_at), "
    # a change reopens the question of how it ended: the sync classifies it again
     + ", ".join(f"{c} = CASE WHEN ?{_CHANGED} THEN NULL ELSE refunds.{c} END" for c in _CLASSIFICATION)
)

# A refund seen for the first time (the caller checked in the same transaction that it is not
# stored). Each row binds only what differs between refunds — refund_id, the API columns,
# merchant_turn, closed_at and a decision made on insert (_FRESH_WIDTH values); the values common
# to the batch (?1 shop_id, ?2 seen_at, ?3 detail_fetched_at) are bound once per statement and
# the bookkeeping that follows from them is computed here. Binding is most of the Python work of
# a first sweep.
_FRESH_WIDTH = 1 + len(_API_COLUMNS) + 2 + len(_CLASSIFICATION) - 1
_FRESH_CONSTANTS = 3
_TURN_COL = f"column{len(_API_COLUMNS) + 2}"
_OUTCOME_COL = f"column{len(_API_COLUMNS) + 4}"
_INSERT_NEW_HEAD = (
    f"INSERT INTO refunds ({', '.join(_INSERTED)}) SELECT ?1, "
    + ", ".join(f"column{i + 1}" for i in range(1 + len(_API_COLUMNS)))
    + f", {_TURN_COL}, ?2, ?2, column{len(_API_COLUMNS) + 3}, CASE WHEN {_TURN_COL} THEN ?2 END, "
    f"CASE WHEN {_TURN_COL} THEN column{_API_COLUMNS.index('expire_time') + 2} END, ?3, "
    + ", ".join(f"column{len(_API_COLUMNS) + 4 + i}" for i in range(len(_CLASSIFICATION) - 1))
    + f", CASE WHEN {_OUTCOME_COL} IS NOT NULL THEN ?2 END FROM ("
)
#: the first observation of refunds just inserted is their inserted state (the ids: a JSON array)
_OBSERVE_NEW_SQL = (
    "INSERT INTO observations (shop_id, refund_id, status, negotiate_status, handling_way, expire_time, "
    "update_time, seen_at) SELECT shop_id, refund_id, status, negotiate_status, handling_way, expire_time, "
    "update_time, first_seen_at FROM refunds WHERE shop_id = ?1 AND refund_id IN (SELECT value FROM json_each(?2))"
)
#: the same, for the refunds inserted from the row ``?2`` on (the batch's rowids, ``?2`` to the last
#: one inserted): a range of the table read in order, instead of a key lookup per refund. SQLite
#: gives a new row the largest rowid + 1 (only past 2**63 - 1 does it pick others: see
#: _ROWID_SAFE), so the batch's rows have consecutive rowids, and the write lock held since the
#: lookup of the existing rows means no other row was inserted after them.
_OBSERVE_INSERTED_SQL = (
    "INSERT INTO observations (shop_id, refund_id, status, negotiate_status, handling_way, expire_time, "
    "update_time, seen_at) SELECT shop_id, refund_id, status, negotiate_status, handling_way, expire_time, "
    "update_time, first_seen_at FROM refunds WHERE rowid >= ?2 AND +shop_id = ?1"
)
_ROWID_SAFE = 2**62
_OBSERVE_HEAD = (
    "INSERT INTO observations (shop_id, refund_id, status, negotiate_status, handling_way, expire_time, "
    "update_time, seen_at)"
)


def _raw_upsert(column: str) -> tuple[str, str]:
    """(head, tail) of the multi-row upsert of one raw JSON column."""
    return (
        f"INSERT INTO refund_raw (shop_id, refund_id, {column})",
        f"ON CONFLICT (shop_id, refund_id) DO UPDATE SET {column} = excluded.{column}",
    )


#: the raw JSON of list items taken from the response bodies they came from (SQLite splits the
#: array in C: nothing is decoded or encoded again in Python). ``WHERE true`` keeps SQLite from
#: reading ``ON CONFLICT`` as a join constraint of the SELECT.
_RAW_FROM_PAGE_SQL = (
    "INSERT INTO refund_raw (shop_id, refund_id, list_json) "
    "SELECT ?1, CAST(json_extract(value, '$.refundId') AS INTEGER), value FROM json_each(CAST(?2 AS TEXT), ?3) WHERE true "
    "ON CONFLICT (shop_id, refund_id) DO UPDATE SET list_json = excluded.list_json"
)
_UTF8_BOM = b"\xef\xbb\xbf"


def _json_text(body: bytes | str) -> str | bytes:
    """A JSON document for SQLite's JSON functions: a UTF-8 body is bound as is (SQLite reads it as
    text through a CAST in the statement); one with a byte-order mark is decoded first."""
    if isinstance(body, bytes) and body.startswith(_UTF8_BOM):
        return body.decode("utf-8-sig")
    return body


#: the most rows one multi-row statement takes (further capped by the connection's variable limit)
_MAX_ROWS_PER_STATEMENT = 256


@functools.lru_cache(maxsize=64)
def _values_sql(head: str, width: int, count: int, tail: str) -> str:
    # plain "?": SQLite numbers each one after the largest number used before it in the text (the
    # head's ?1…), and parses them in linear time (explicit ?NNN are looked up one by one)
    row = "(" + ", ".join("?" * width) + ")"
    return f"{head} VALUES {', '.join([row] * count)} {tail}"


def _insert_rows(
    conn: sqlite3.Connection, head: str, rows: Sequence[tuple], tail: str = "", constants: Sequence[Any] = ()
) -> int | None:
    """``head VALUES (…), (…), … tail`` over ``rows`` (tuples of one width) in few statements;
    ``constants`` are bound first, as ``?1``… (the rows' parameters are numbered after them).

    Why not ``executemany``: it runs one statement per row and the sqlite3 module releases and
    re-takes the GIL around every one of them; while the sync's listing thread runs Python, each
    re-take is a hand-off between the threads. One statement of many rows hands off once, and
    values common to the batch can be bound once (``constants``). Row counts are powers of two (at
    most 9 distinct statements per table), so the prepared statements are reused from the
    connection's cache instead of being parsed for every batch. Returns the rowid of the last row
    inserted (``None`` without rows).
    """
    if not rows:
        return None
    width = len(rows[0])
    limit = (conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - len(constants)) // width
    most = max(1, min(_MAX_ROWS_PER_STATEMENT, limit))
    start, total, last = 0, len(rows), None
    while start < total:
        count = min(most, 1 << ((total - start).bit_length() - 1))
        chunk = rows[start : start + count]
        last = conn.execute(
            _values_sql(head, width, count, tail), [*constants, *itertools.chain.from_iterable(chunk)]
        ).lastrowid
        start += count
    return last


_INSERT_STEP_SQL = (
    "INSERT INTO auto_approvals (shop_id, refund_id, at, stage, deadline_at, decided_at, handling_way, "
    "certainty, decided_by, recorded_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, handling_way, ?7, ?8, ?9 "
    "FROM refunds WHERE shop_id = ?1 AND refund_id = ?2 "
    "ON CONFLICT (shop_id, refund_id, at) DO UPDATE SET stage = excluded.stage, "
    "deadline_at = excluded.deadline_at, decided_at = excluded.decided_at, certainty = excluded.certainty, "
    "decided_by = excluded.decided_by, recorded_at = excluded.recorded_at"
)
#: _INSERT_STEP_SQL for refunds inserted in the same transaction, their handling_way given
_STEP_INSERT_HEAD = (
    "INSERT INTO auto_approvals (shop_id, refund_id, at, stage, deadline_at, decided_at, handling_way, "
    "certainty, decided_by, recorded_at)"
)
_STEP_INSERT_TAIL = _INSERT_STEP_SQL[_INSERT_STEP_SQL.index("ON CONFLICT") :]
_STEP_COLUMNS = (
    "shop_id",
    "refund_id",
    "at",
    "stage",
    "deadline_at",
    "decided_at",
    "handling_way",
    "certainty",
    "decided_by",
    "recorded_at",
)
#: refunds to classify: closed ones and those ever seen waiting on the merchant, not classified since
#: their last change (written as in the partial index refunds_unclassified, schema V4)
_UNCLASSIFIED_WHERE = "classified_at IS NULL AND (closed_at IS NOT NULL OR last_pending_seen_at IS NOT NULL)"


def _step_rows(shop_id: int, refund_id: int, steps: Iterable[AutoStep], at: int) -> list[tuple]:
    return [
        (shop_id, refund_id, s.at, s.stage, s.deadline_at, s.decided_at, s.certainty, s.decided_by, at)
        for s in steps
    ]


_NO_DECISION = (None,) * len(_CLASSIFICATION)
_NO_FRESH_DECISION = (None,) * (len(_CLASSIFICATION) - 1)  # classified_at follows from the outcome
_RRF = REFUND_COLUMNS.index("require_return_freight")
_RRF_API = _API_COLUMNS.index("require_return_freight")
_api_values = operator.attrgetter(*_API_COLUMNS)
_observed_values = operator.attrgetter(*_OBSERVED)
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
# the raw JSON of API records: decoded from JSON, so acyclic — no cycle bookkeeping per object
_encode_raw = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=str, check_circular=False
).encode
# sqlite3 binds a parameter that is not exactly int/float/str/bytearray through its adaptation
# protocol: for None a registry miss and two attribute lookups per NULL, a third of the cost of a
# wide refund row. A registered adapter is found by the first lookup; this one (a C call) returns
# the None it gets, which is then bound as NULL exactly as before.
sqlite3.register_adapter(type(None), {}.get)
_TURN = REFUND_COLUMNS.index("merchant_turn")


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


def _now_ms() -> int:
    return int(time.time() * 1000)


def _json(value: Any) -> str:
    return _encode(value)


def _chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def _default_merchant_turn() -> Callable[[Any], bool]:
    from desktop.core.domain.deadlines import waits_on_merchant

    return waits_on_merchant


#: the stores open now (the tests' leak check looks here: a store left open is a leak)
_open_stores: weakref.WeakSet[Store] = weakref.WeakSet()


def open_stores() -> list[Store]:
    """The stores opened and not closed yet."""
    return list(_open_stores)


class Store:
    """The local database. Open it with :func:`open_store`; close it with :meth:`close`."""

    def __init__(self, path: str | Path, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []  # every reader opened (idle or lent)
        self._idle: list[sqlite3.Connection] = []  # the readers not lent right now
        self._readers_lock = threading.Condition(threading.Lock())
        self._closed = False
        self._writer = self._connect()
        try:
            # no checkpoints in the committing thread: _Checkpointer runs them (started on demand)
            self._writer.execute("PRAGMA wal_autocheckpoint = 0")
            self._writer.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
            self._checkpointer = _Checkpointer(self)
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
                return conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
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
    def _guard(self) -> Iterator[None]:
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
                if self._idle:
                    conn = self._idle.pop()
                    break
                if len(self._readers) < MAX_READERS:
                    conn = None
                    self._readers.append(None)  # type: ignore[arg-type] # reserved while connecting
                    break
                self._readers_lock.wait()
        if conn is None:
            try:
                conn = self._connect()
                conn.execute("PRAGMA query_only = ON")
            except BaseException:
                with self._readers_lock:
                    self._readers.remove(None)  # type: ignore[arg-type]
                    self._readers_lock.notify()
                raise
            with self._readers_lock:
                self._readers[self._readers.index(None)] = conn  # type: ignore[arg-type]
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
                with self._guard():
                    self._writer.execute("PRAGMA synchronous = FULL")
            try:
                with self._guard():
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
                    with self._guard():
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

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._guard(), self._reader() as conn:
            return conn.execute(sql, params).fetchall()

    # ------------------------------------------------------------------ integrity & migrations

    def _check_integrity(self) -> None:
        with self._guard():
            rows = self._writer.execute("PRAGMA quick_check").fetchall()
        problems = [r[0] for r in rows if r[0] != "ok"]
        if problems:
            raise StoreDamaged(damaged_message(self.path), path=self.path, detail="; ".join(problems[:5]))

    @property
    def schema_version(self) -> int:
        return int(self._read("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        with self._guard():
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
                with self._guard():
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
        with self._lock, self._guard():
            dest = sqlite3.connect(target)
            try:
                self._writer.backup(dest)
            finally:
                dest.close()
        return target

    # ------------------------------------------------------------------ settings

    def get_setting(self, key: str, default: Any = None) -> Any:
        rows = self._read("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set_setting(self, key: str, value: Any) -> None:
        """Store a small JSON-serialisable value (``None`` deletes the key). Never a secret."""
        with self.transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, _json(value)),
                )

    # ------------------------------------------------------------------ shops

    _SHOP_SELECT = f"SELECT {', '.join(SHOP_COLUMNS)} FROM shops"
    _SHOP_EDITABLE = frozenset(SHOP_COLUMNS) - {"id", "created_at"}

    @staticmethod
    def _shop(row: tuple) -> Shop:
        values = dict(zip(SHOP_COLUMNS, row, strict=False))
        values["first_sweep_done"] = bool(values["first_sweep_done"])
        return Shop(**values)

    def add_shop(self, *, base_url: str, seller_id: int | None = None, **fields: Any) -> Shop:
        """A new shop row (non-secret profile fields only); see :class:`Shop` for the fields."""
        unknown = set(fields) - self._SHOP_EDITABLE
        if unknown:
            raise ValueError(f"unknown shop fields: {', '.join(sorted(unknown))}")
        values = {"base_url": base_url, "seller_id": seller_id, "created_at": _now_ms(), **fields}
        with self.transaction() as conn:
            cur = conn.execute(
                f"INSERT INTO shops ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                tuple(values.values()),
            )
            shop_id = int(cur.lastrowid)
        shop = self.shop(shop_id)
        assert shop is not None
        return shop

    def update_shop(self, shop_id: int, **fields: Any) -> None:
        unknown = set(fields) - self._SHOP_EDITABLE
        if unknown:
            raise ValueError(f"unknown shop fields: {', '.join(sorted(unknown))}")
        if not fields:
            return
        with self.transaction() as conn:
            cur = conn.execute(
                f"UPDATE shops SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                (*fields.values(), shop_id),
            )
            if cur.rowcount != 1:
                raise KeyError(f"no shop with id {shop_id}")

    def shop(self, shop_id: int) -> Shop | None:
        rows = self._read(f"{self._SHOP_SELECT} WHERE id = ?", (shop_id,))
        return self._shop(rows[0]) if rows else None

    def find_shop(self, base_url: str, seller_id: int) -> Shop | None:
        rows = self._read(f"{self._SHOP_SELECT} WHERE base_url = ? AND seller_id = ?", (base_url, seller_id))
        return self._shop(rows[0]) if rows else None

    def shops(self) -> list[Shop]:
        return [self._shop(r) for r in self._read(f"{self._SHOP_SELECT} ORDER BY id")]

    def delete_shop(self, shop_id: int) -> None:
        """Forget a shop and everything stored of it (its secrets live elsewhere)."""
        with self.transaction() as conn:
            # observations/comments/raw cascade from refunds, refunds and the rest from shops
            conn.execute("DELETE FROM shops WHERE id = ?", (shop_id,))

    # ------------------------------------------------------------------ refunds

    _REFUND_SELECT = f"SELECT {', '.join(REFUND_COLUMNS)} FROM refunds"

    @staticmethod
    def _refund(row: tuple) -> StoredRefund:
        values = list(row)
        if values[_RRF] is not None:
            values[_RRF] = bool(values[_RRF])
        values[_TURN] = bool(values[_TURN])
        return StoredRefund(*values)

    def upsert_refunds(
        self,
        shop_id: int,
        refunds: Iterable[Any],
        *,
        seen_at: int,
        source: str = "list",
        merchant_turn: Callable[[Any], bool] | None = None,
        decide_new: Callable[[Any, int], Decision | None] | None = None,
        raw_pages: Sequence[tuple[bytes | str, str]] | None = None,
    ) -> UpsertStats:
        """Insert or update refunds (``Refund`` records) and record an observation for each change.

        Idempotent: the same records twice change nothing the second time (only ``last_seen_at``).
        ``source`` is ``"list"`` or ``"detail"`` (which raw JSON to keep). ``merchant_turn`` decides
        whether a refund waits on the merchant (default: the domain rule). ``decide_new(record,
        seen_at)`` may classify a refund seen for the first time (a closed one from a first sweep)
        so that its outcome is written with it; any other change clears the outcome for a new
        decision. ``raw_pages``: the list responses the records were parsed from, in order, as
        ``(body, JSON path of the items array)`` — each item is kept as its refund's raw JSON
        instead of encoding ``record.raw`` again (list records only; every record must be among the
        items). Joins the caller's transaction, or makes its own.
        """
        if source not in ("list", "detail"):
            raise ValueError(f"source must be 'list' or 'detail', not {source!r}")
        if raw_pages is not None and source != "list":
            raise ValueError("raw_pages hold list items: source must be 'list'")
        turn = merchant_turn or _default_merchant_turn()
        batch = {r.refund_id: r for r in refunds}  # the last record of an id wins
        if not batch:
            return UpsertStats()
        new = changed = unchanged = 0
        closed: list[int] = []
        steps: list[tuple] = []
        with self.transaction() as conn:
            existing: dict[int, tuple] = {}
            for ids in _chunks(list(batch), 500):
                for row in conn.execute(
                    f"SELECT refund_id, {', '.join(_OBSERVED)}, closed_at FROM refunds "
                    f"WHERE shop_id = ? AND refund_id IN ({', '.join('?' * len(ids))})",
                    (shop_id, *ids),
                ):
                    existing[row[0]] = row[1:]
            fresh, known, observations, raws = [], [], [], []
            detail_at = seen_at if source == "detail" else None
            for refund_id, r in batch.items():
                values = _api_values(r)
                before = existing.get(refund_id)
                if before is None:
                    new += 1
                    is_change = True  # its observation is written from the inserted row below
                else:
                    key = _observed_values(r)
                    is_change = before[:-1] != key
                    if is_change:
                        changed += 1
                        observations.append((shop_id, refund_id, *key, seen_at))
                    else:
                        unchanged += 1
                waiting = bool(turn(r))
                if r.status in CLOSED_STATUSES:
                    if before is not None and before[-1] is not None:
                        closed_at = before[-1]
                    else:
                        closed_at = r.end_time or r.negotiate_update_time or r.update_time or seen_at
                        if before is not None:
                            closed.append(refund_id)
                else:
                    closed_at = None
                if values[_RRF_API] is not None:
                    values = (*values[:_RRF_API], int(values[_RRF_API]), *values[_RRF_API + 1 :])
                if before is None:
                    decision = decide_new(r, seen_at) if decide_new is not None else None
                    if decision is None:
                        fresh.append((refund_id, *values, int(waiting), closed_at, *_NO_FRESH_DECISION))
                    else:
                        fresh.append(
                            (
                                refund_id,
                                *values,
                                int(waiting),
                                closed_at,
                                decision.outcome,
                                decision.certainty,
                                decision.decided_by,
                                decision.overdue_at,
                                decision.deadline_at,
                                decision.decided_at,
                                decision.first_action_at,
                            )
                        )
                        if decision.outcome == "auto_approved_overdue":
                            # (the refund's handling_way as inserted, which _INSERT_STEP_SQL reads)
                            steps += [
                                (
                                    shop_id,
                                    refund_id,
                                    st.at,
                                    st.stage,
                                    st.deadline_at,
                                    st.decided_at,
                                    r.handling_way,
                                    st.certainty,
                                    st.decided_by,
                                    seen_at,
                                )
                                for st in decision.auto_steps()
                            ]
                else:
                    known.append(
                        (
                            shop_id,
                            refund_id,
                            *values,
                            int(waiting),
                            seen_at,
                            seen_at,
                            closed_at,
                            seen_at if waiting else None,
                            r.expire_time if waiting else None,
                            detail_at,
                            *_NO_DECISION,
                            int(is_change),
                        )
                    )
                if raw_pages is None:
                    raws.append((shop_id, refund_id, _encode_raw(r.raw)))
            with self._guard():
                # new refunds: no conflict is possible (looked up above in this transaction)
                last_rowid = _insert_rows(conn, _INSERT_NEW_HEAD, fresh, ")", (shop_id, seen_at, detail_at))
                if last_rowid is not None and last_rowid < _ROWID_SAFE:
                    conn.execute(_OBSERVE_INSERTED_SQL, (shop_id, last_rowid - len(fresh) + 1))
                elif fresh:
                    conn.execute(_OBSERVE_NEW_SQL, (shop_id, _encode([row[0] for row in fresh])))
                if known:
                    conn.executemany(_UPSERT_SQL, known)
                if raw_pages is None:
                    head, tail = _raw_upsert("list_json" if source == "list" else "detail_json")
                    _insert_rows(conn, head, raws, tail)
                else:
                    kept = sum(
                        conn.execute(_RAW_FROM_PAGE_SQL, (shop_id, _json_text(body), path)).rowcount
                        for body, path in raw_pages
                    )
                    if kept < len(batch):  # (more when an item is on two pages: the last one wins)
                        raise ValueError(f"the pages hold {kept} items for {len(batch)} refunds")
                _insert_rows(conn, _OBSERVE_HEAD, observations)
                # the steps of refunds just inserted, in multi-row statements (executemany hands
                # the GIL over once per row)
                _insert_rows(conn, _STEP_INSERT_HEAD, steps, _STEP_INSERT_TAIL)
        return UpsertStats(new, changed, unchanged, tuple(closed))

    @staticmethod
    def _insert_observations(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
        conn.executemany(
            "INSERT INTO observations (shop_id, refund_id, status, negotiate_status, handling_way, "
            "expire_time, update_time, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def add_observations(self, rows: Iterable[tuple]) -> None:
        """Bulk-insert observations ``(shop_id, refund_id, status, negotiate_status, handling_way,
        expire_time, update_time, seen_at)`` for refunds already stored (imports, fixtures)."""
        with self.transaction() as conn, self._guard():
            self._insert_observations(conn, rows)

    def refund(self, shop_id: int, refund_id: int) -> StoredRefund | None:
        rows = self._read(f"{self._REFUND_SELECT} WHERE shop_id = ? AND refund_id = ?", (shop_id, refund_id))
        return self._refund(rows[0]) if rows else None

    def refunds(
        self, shop_id: int | None = None, *, merchant_turn: bool | None = None, open_only: bool = False
    ) -> list[StoredRefund]:
        """Stored refunds (of one shop or all), filtered; waiting ones soonest ``expireTime`` first."""
        where, params = [], []
        if shop_id is not None:
            where.append("shop_id = ?")
            params.append(shop_id)
        if merchant_turn is not None:
            where.append("merchant_turn = ?")
            params.append(int(merchant_turn))
        if open_only:
            where.append("closed_at IS NULL")
        sql = self._REFUND_SELECT + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += " ORDER BY expire_time IS NULL, expire_time, refund_id"
        return [self._refund(r) for r in self._read(sql, params)]

    def waiting_refunds(self, shop_id: int | None = None) -> list[StoredRefund]:
        """Requests waiting on the merchant, soonest platform deadline first (no deadline last)."""
        return self.refunds(shop_id, merchant_turn=True)

    def refund_count(self, shop_id: int | None = None) -> int:
        if shop_id is None:
            return int(self._read("SELECT count(*) FROM refunds")[0][0])
        return int(self._read("SELECT count(*) FROM refunds WHERE shop_id = ?", (shop_id,))[0][0])

    def refund_raw(self, shop_id: int, refund_id: int) -> tuple[dict | None, dict | None]:
        """The raw JSON of the last list item and of the last detail (``None`` when never seen)."""
        rows = self._read(
            "SELECT list_json, detail_json FROM refund_raw WHERE shop_id = ? AND refund_id = ?",
            (shop_id, refund_id),
        )
        if not rows:
            return None, None
        return tuple(json.loads(v) if v else None for v in rows[0])  # type: ignore[return-value]

    def mark_gone(self, shop_id: int, refund_id: int, *, at: int) -> None:
        """The platform no longer knows this refund (not found / not this shop's): it leaves the
        merchant's queue, closed at ``at`` with an unknown outcome (``decided_by`` "not_found")."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE refunds SET merchant_turn = 0, closed_at = COALESCE(closed_at, ?), "
                "outcome = 'unknown', decided_by = 'not_found', certainty = NULL, classified_at = ? "
                "WHERE shop_id = ? AND refund_id = ?",
                (at, at, shop_id, refund_id),
            )

    def unclassified(self, shop_id: int, *, limit: int | None = None) -> list[StoredRefund]:
        """Refunds to classify: closed ones whose outcome is not decided yet, and open ones the app
        saw waiting on the merchant (a step of theirs may have been auto-approved since), not
        classified since their last change."""
        sql = f"{self._REFUND_SELECT} WHERE shop_id = ? AND {_UNCLASSIFIED_WHERE}"
        params: list[Any] = [shop_id]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [self._refund(r) for r in self._read(sql, params)]

    def set_classifications(self, shop_id: int, decisions: Iterable[Decision], *, at: int) -> int:
        """Store how requests ended (or stand, still open) and replace their auto-approved steps
        (:meth:`Decision.auto_steps`) — a step is one row whatever classified it, however often;
        returns how many decisions were written."""
        decisions = list(decisions)
        rows = [
            (
                d.outcome,
                d.certainty,
                d.decided_by,
                d.overdue_at,
                d.deadline_at,
                d.decided_at,
                d.first_action_at,
                at,
                shop_id,
                d.refund_id,
            )
            for d in decisions
        ]
        steps = [row for d in decisions for row in _step_rows(shop_id, d.refund_id, d.auto_steps(), at)]
        with self.transaction() as conn, self._guard():
            conn.executemany(
                "UPDATE refunds SET outcome = ?, certainty = ?, decided_by = ?, overdue_at = ?, "
                "deadline_at = ?, decided_at = ?, first_action_at = ?, classified_at = ? "
                "WHERE shop_id = ? AND refund_id = ?",
                rows,
            )
            conn.executemany(
                "DELETE FROM auto_approvals WHERE shop_id = ? AND refund_id = ?",
                [(shop_id, d.refund_id) for d in decisions],
            )
            conn.executemany(_INSERT_STEP_SQL, steps)
        return len(rows)

    def auto_approvals(
        self,
        shop_id: int,
        *,
        refund_id: int | None = None,
        since: int | None = None,
        until: int | None = None,
    ) -> list[StoredAutoStep]:
        """The auto-approved merchant steps of a shop (optionally of one refund, or with ``since`` <
        ``at`` ≤ ``until``), in the order they count."""
        where, params = ["shop_id = ?"], [shop_id]
        for clause, value in (("refund_id = ?", refund_id), ("at > ?", since), ("at <= ?", until)):
            if value is not None:
                where.append(clause)
                params.append(value)
        rows = self._read(
            f"SELECT {', '.join(_STEP_COLUMNS)} FROM auto_approvals WHERE {' AND '.join(where)} "
            "ORDER BY at, refund_id",
            params,
        )
        return [StoredAutoStep(*r) for r in rows]

    def needing_history(
        self, shop_id: int, *, rules: Sequence[str], closed_since: int, limit: int
    ) -> list[StoredRefund]:
        """Closed refunds decided by one of ``rules`` whose negotiation history was never fetched,
        closed at or after ``closed_since``; the most recent first."""
        marks = ", ".join("?" * len(rules))
        rows = self._read(
            f"{self._REFUND_SELECT} WHERE shop_id = ? AND closed_at >= ? AND decided_by IN ({marks}) "
            "AND comments_fetched_at IS NULL ORDER BY closed_at DESC LIMIT ?",
            (shop_id, closed_since, *rules, limit),
        )
        return [self._refund(r) for r in rows]

    def history_to_fetch(self, shop_id: int, *, rules: Sequence[str], closed_since: int) -> int:
        """How many refunds :meth:`needing_history` would return without a limit."""
        marks = ", ".join("?" * len(rules))
        return int(
            self._read(
                f"SELECT COUNT(*) FROM refunds WHERE shop_id = ? AND closed_at >= ? AND decided_by IN ({marks}) "
                "AND comments_fetched_at IS NULL",
                (shop_id, closed_since, *rules),
            )[0][0]
        )

    # ------------------------------------------------------------------ observations

    def observations(self, shop_id: int, refund_id: int) -> list[Observation]:
        rows = self._read(
            "SELECT id, shop_id, refund_id, status, negotiate_status, handling_way, expire_time, "
            "update_time, seen_at FROM observations WHERE shop_id = ? AND refund_id = ? "
            "ORDER BY seen_at, id",
            (shop_id, refund_id),
        )
        return [Observation(*r) for r in rows]

    def observations_for(self, shop_id: int, refund_ids: Iterable[int]) -> dict[int, list[Observation]]:
        """The observations of several refunds at once (oldest first per refund)."""
        found: dict[int, list[Observation]] = {}
        for chunk in _chunks(list(refund_ids), 500):
            rows = self._read(
                "SELECT id, shop_id, refund_id, status, negotiate_status, handling_way, expire_time, "
                "update_time, seen_at FROM observations WHERE shop_id = ? AND refund_id IN "
                f"({', '.join('?' * len(chunk))}) ORDER BY refund_id, seen_at, id",
                (shop_id, *chunk),
            )
            for row in rows:
                found.setdefault(row[2], []).append(Observation(*row))
        return found

    def observation_count(self, shop_id: int | None = None) -> int:
        if shop_id is None:
            return int(self._read("SELECT count(*) FROM observations")[0][0])
        return int(self._read("SELECT count(*) FROM observations WHERE shop_id = ?", (shop_id,))[0][0])

    # ------------------------------------------------------------------ negotiation comments

    def save_comments(self, shop_id: int, refund_id: int, comments: Sequence[Any], *, at: int) -> None:
        """Replace the cached negotiation history (``NegotiationComment`` records) of a refund."""
        with self.transaction() as conn, self._guard():
            conn.execute("DELETE FROM comments WHERE shop_id = ? AND refund_id = ?", (shop_id, refund_id))
            conn.executemany(
                "INSERT INTO comments (shop_id, refund_id, seq, title, role, create_time, "
                "staff_account_id, staff_account_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        shop_id,
                        refund_id,
                        i,
                        c.title,
                        c.role,
                        c.create_time,
                        c.staff_account_id,
                        c.staff_account_name,
                    )
                    for i, c in enumerate(comments)
                ],
            )
            conn.execute(
                "UPDATE refunds SET comments_fetched_at = ? WHERE shop_id = ? AND refund_id = ?",
                (at, shop_id, refund_id),
            )

    def comments(self, shop_id: int, refund_id: int) -> list[dict[str, Any]]:
        """The cached negotiation history, oldest first (dicts with the record's attribute names)."""
        rows = self._read(
            "SELECT title, role, create_time, staff_account_id, staff_account_name FROM comments "
            "WHERE shop_id = ? AND refund_id = ? ORDER BY seq",
            (shop_id, refund_id),
        )
        keys = ("title", "role", "create_time", "staff_account_id", "staff_account_name")
        return [dict(zip(keys, r, strict=False)) for r in rows]

    def role_values(self, shop_id: int | None = None) -> list[RoleSeen]:
        """Every negotiation-history ``role`` value in the cached histories (of one shop or all):
        how often it was seen, on how many requests, the latest time and the commonest titles.
        The platform does not document the values; this is what a seller can report."""
        where, params = ("WHERE shop_id = ?", (shop_id,)) if shop_id is not None else ("", ())
        out = {
            role: RoleSeen(role, entries, requests, last, [])
            for role, entries, requests, last in self._read(
                f"SELECT role, count(*), count(DISTINCT shop_id || ':' || refund_id), max(create_time) "
                f"FROM comments {where} GROUP BY role",
                params,
            )
        }
        for role, title, _count in self._read(
            f"SELECT role, title, count(*) AS n FROM comments {where} GROUP BY role, title "
            f"ORDER BY n DESC, title",
            params,
        ):
            seen = out.get(role)
            if seen is not None and title and len(seen.titles) < 3:
                seen.titles.append(title)
        return sorted(out.values(), key=lambda s: (-s.entries, str(s.role)))

    def comments_for(self, shop_id: int, refund_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        """The cached histories of several refunds; a refund whose history was fetched and found
        empty maps to ``[]``, one never fetched is absent."""
        keys = ("title", "role", "create_time", "staff_account_id", "staff_account_name")
        found: dict[int, list[dict[str, Any]]] = {}
        for chunk in _chunks(list(refund_ids), 500):
            marks = ", ".join("?" * len(chunk))
            for (refund_id,) in self._read(
                f"SELECT refund_id FROM refunds WHERE shop_id = ? AND comments_fetched_at IS NOT NULL "
                f"AND refund_id IN ({marks})",
                (shop_id, *chunk),
            ):
                found[refund_id] = []
            for refund_id, *values in self._read(
                f"SELECT refund_id, {', '.join(keys)} FROM comments WHERE shop_id = ? AND refund_id IN "
                f"({marks}) ORDER BY refund_id, seq",
                (shop_id, *chunk),
            ):
                found.setdefault(refund_id, []).append(dict(zip(keys, values, strict=False)))
        return found

    # ------------------------------------------------------------------ shop score

    def add_score(self, shop_id: int, score: Any, *, at: int) -> None:
        """Keep a snapshot of the platform's shop score (a ``ShopScore`` record)."""
        dims = [[d.dim_name, d.dim_score_str] for d in (score.dimensions or ())]
        summary = score.summary
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO shop_scores (shop_id, fetched_at, has_data, show_name, score_str, "
                "dimensions) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    shop_id,
                    at,
                    None if score.has_data is None else int(score.has_data),
                    summary.show_name if summary else None,
                    summary.score_str if summary else None,
                    _json(dims),
                ),
            )

    def latest_score(self, shop_id: int) -> ScoreSnapshot | None:
        rows = self._read(
            "SELECT shop_id, fetched_at, has_data, show_name, score_str, dimensions FROM shop_scores "
            "WHERE shop_id = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (shop_id,),
        )
        if not rows:
            return None
        sid, at, has_data, show_name, score_str, dims = rows[0]
        return ScoreSnapshot(
            sid,
            at,
            None if has_data is None else bool(has_data),
            show_name,
            score_str,
            tuple((d[0], d[1]) for d in json.loads(dims)),
        )

    # ------------------------------------------------------------------ action journal

    @staticmethod
    def _check_params(params: dict[str, Any]) -> None:
        for key in params:
            low = str(key).lower()
            if any(word in low for word in _SECRET_PARAM_WORDS):
                raise ValueError(f"journal parameters must not carry secrets (key {key!r})")

    def journal_plan(
        self,
        shop_id: int,
        refund_id: int,
        kind: str,
        params: dict[str, Any] | None = None,
        *,
        batch: str | None = None,
    ) -> int:
        """Write an intended action (state ``planned``) before it is sent; returns its id."""
        params = dict(params or {})
        self._check_params(params)
        now = _now_ms()
        with self.transaction(durable=True) as conn:
            cur = conn.execute(
                "INSERT INTO actions (shop_id, refund_id, kind, params, state, batch, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, 'planned', ?, ?, ?)",
                (shop_id, refund_id, kind, _json(params), batch, now, now),
            )
            return int(cur.lastrowid)

    def journal_mark(
        self, entry_id: int, state: str, *, result: Any = None, error: str | None = None
    ) -> None:
        """Move a journal entry to ``state`` (sent / done / failed / unknown), with its result."""
        if state not in JOURNAL_STATES:
            raise ValueError(f"journal state must be one of {', '.join(JOURNAL_STATES)}, not {state!r}")
        with self.transaction(durable=True) as conn:
            cur = conn.execute(
                "UPDATE actions SET state = ?, result = COALESCE(?, result), error = ?, updated_at = ? "
                "WHERE id = ?",
                (state, None if result is None else _json(result), error, _now_ms(), entry_id),
            )
            if cur.rowcount != 1:
                raise KeyError(f"no journal entry {entry_id}")

    _JOURNAL_SELECT = (
        "SELECT id, shop_id, refund_id, kind, params, state, batch, result, error, created_at, "
        "updated_at FROM actions"
    )

    @staticmethod
    def _entry(row: tuple) -> JournalEntry:
        values = list(row)
        values[4] = json.loads(values[4]) if values[4] else {}
        values[7] = json.loads(values[7]) if values[7] else None
        return JournalEntry(*values)

    def journal_open_entries(self, shop_id: int | None = None) -> list[JournalEntry]:
        """Entries not finished (planned, sent, unknown): to reconcile after a crash. Oldest first."""
        marks = ", ".join("?" * len(JOURNAL_OPEN_STATES))
        sql = f"{self._JOURNAL_SELECT} WHERE state IN ({marks})"
        params: list[Any] = list(JOURNAL_OPEN_STATES)
        if shop_id is not None:
            sql += " AND shop_id = ?"
            params.append(shop_id)
        return [self._entry(r) for r in self._read(sql + " ORDER BY id", params)]

    def journal_entries(
        self, shop_id: int | None = None, *, refund_id: int | None = None, since: int | None = None
    ) -> list[JournalEntry]:
        """The journal (the audit log), oldest first, optionally for one refund or since a time."""
        where, params = [], []
        for clause, value in (
            ("shop_id = ?", shop_id),
            ("refund_id = ?", refund_id),
            ("created_at >= ?", since),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = self._JOURNAL_SELECT + (f" WHERE {' AND '.join(where)}" if where else "")
        return [self._entry(r) for r in self._read(sql + " ORDER BY id", params)]

    def action_times(self, shop_id: int, refund_ids: Iterable[int]) -> dict[int, list[int]]:
        """When the app sent an action (sent, done or unknown; local clock) per refund, oldest first."""
        found: dict[int, list[int]] = {}
        for chunk in _chunks(list(refund_ids), 500):
            rows = self._read(
                f"SELECT refund_id, created_at FROM actions WHERE shop_id = ? AND state IN "
                f"('sent', 'done', 'unknown') AND refund_id IN ({', '.join('?' * len(chunk))}) "
                f"ORDER BY created_at",
                (shop_id, *chunk),
            )
            for refund_id, at in rows:
                found.setdefault(refund_id, []).append(at)
        return found

    # ------------------------------------------------------------------ notifications

    def mark_notified(self, shop_id: int, refund_id: int, threshold: str, *, at: int) -> bool:
        """Remember that (refund, threshold) was notified; ``False`` if it already was."""
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO notifications (shop_id, refund_id, threshold, sent_at) "
                "VALUES (?, ?, ?, ?)",
                (shop_id, refund_id, threshold, at),
            )
            return cur.rowcount == 1

    def was_notified(self, shop_id: int, refund_id: int, threshold: str) -> bool:
        return bool(
            self._read(
                "SELECT 1 FROM notifications WHERE shop_id = ? AND refund_id = ? AND threshold = ?",
                (shop_id, refund_id, threshold),
            )
        )

    def notified(self, shop_id: int) -> set[tuple[int, str]]:
        """Every (refund_id, threshold) already notified for the shop."""
        rows = self._read("SELECT refund_id, threshold FROM notifications WHERE shop_id = ?", (shop_id,))
        return {(r[0], r[1]) for r in rows}


class _Checkpointer:
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

    def __init__(self, store: Store) -> None:
        self._store = store
        self._wal = store.path.with_name(store.path.name + "-wal")
        page_size = int(store._writer.execute("PRAGMA page_size").fetchone()[0])
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
                self._store._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
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
                self._store._writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            return
        self._next = size + self._threshold
        if self._thread is None and not self._stop:
            self._conn = self._store._connect()
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
                log.warning("WAL checkpoint of %s failed: %s", self._store.path, exc)

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
