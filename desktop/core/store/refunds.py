"""The ``refunds`` and ``refund_raw`` tables: each request as last seen, and its raw JSON.

:meth:`RefundRepository.upsert` is what a sync runs for every page of requests, and the store's
hottest path (``tests/benchmarks/bench_store.py``). In one transaction it writes the refunds, the
observations of their changes (the ``observations`` table of :mod:`desktop.core.store.history`),
their raw JSON and the auto-approved steps of the closed ones decided on insert (the
``auto_approvals`` table of :mod:`desktop.core.store.classification`). Its SQL is shaped for speed,
and documented where it is built:

- new refunds go in multi-row ``INSERT … SELECT … FROM (VALUES …)`` statements binding only what
  differs per refund (:func:`~desktop.core.store.sql.insert_rows`);
- their first observations are copied from the rows just inserted, over the batch's *rowid range*;
- list items' raw JSON is cut out of the response bodies by SQLite (``json_each``), never decoded
  and encoded again in Python.

Classification (how a request ended) lives in :mod:`desktop.core.store.classification`.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from desktop.core.store.records import REFUND_COLUMNS, Decision, StoredRefund, UpsertStats
from desktop.core.store.sql import Repository, Row, SqlValue, chunks, insert_rows, marks, to_json

if TYPE_CHECKING:
    from desktop.core.kuaishou.models import Refund

#: status values after which a refund is finished (succeeded / failed-or-closed)
CLOSED_STATUSES = frozenset({60, 70})
#: the SELECT of whole refund rows (:func:`stored_refund` makes a row its record)
REFUND_SELECT = f"SELECT {', '.join(REFUND_COLUMNS)} FROM refunds"

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


#: one auto-approved step of a stored refund (its handling_way read from the refund): what
#: classification writes (:mod:`desktop.core.store.classification`), step by step
INSERT_STEP_SQL = (
    "INSERT INTO auto_approvals (shop_id, refund_id, at, stage, deadline_at, decided_at, handling_way, "
    "certainty, decided_by, recorded_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, handling_way, ?7, ?8, ?9 "
    "FROM refunds WHERE shop_id = ?1 AND refund_id = ?2 "
    "ON CONFLICT (shop_id, refund_id, at) DO UPDATE SET stage = excluded.stage, "
    "deadline_at = excluded.deadline_at, decided_at = excluded.decided_at, certainty = excluded.certainty, "
    "decided_by = excluded.decided_by, recorded_at = excluded.recorded_at"
)
#: INSERT_STEP_SQL for refunds inserted in the same transaction, their handling_way given, in
#: multi-row statements
_STEP_INSERT_HEAD = (
    "INSERT INTO auto_approvals (shop_id, refund_id, at, stage, deadline_at, decided_at, handling_way, "
    "certainty, decided_by, recorded_at)"
)
_STEP_INSERT_TAIL = INSERT_STEP_SQL[INSERT_STEP_SQL.index("ON CONFLICT") :]

_NO_DECISION = (None,) * len(_CLASSIFICATION)
_NO_FRESH_DECISION = (None,) * (len(_CLASSIFICATION) - 1)  # classified_at follows from the outcome
_RRF = REFUND_COLUMNS.index("require_return_freight")
_RRF_API = _API_COLUMNS.index("require_return_freight")
_TURN = REFUND_COLUMNS.index("merchant_turn")
_api_values = operator.attrgetter(*_API_COLUMNS)
_observed_values = operator.attrgetter(*_OBSERVED)
# the raw JSON of API records: decoded from JSON, so acyclic — no cycle bookkeeping per object
_encode_raw = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=str, check_circular=False
).encode


def _default_merchant_turn() -> Callable[[Refund], bool]:
    from desktop.core.domain.deadlines import waits_on_merchant

    return waits_on_merchant


def stored_refund(row: Row) -> StoredRefund:
    """The record of a row read with :data:`REFUND_SELECT`."""
    values = list(row)
    if values[_RRF] is not None:
        values[_RRF] = bool(values[_RRF])
    values[_TURN] = bool(values[_TURN])
    return StoredRefund(*values)


class RefundRepository(Repository):
    """``store.refunds``: the requests of every shop as last seen, and their raw JSON."""

    __slots__ = ()

    def upsert(
        self,
        shop_id: int,
        refunds: Iterable[Refund],
        *,
        seen_at: int,
        source: str = "list",
        merchant_turn: Callable[[Refund], bool] | None = None,
        decide_new: Callable[[Refund, int], Decision | None] | None = None,
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
        steps: list[tuple[SqlValue, ...]] = []
        with self._store.transaction() as conn:
            existing: dict[int, Row] = {}
            for ids in chunks(list(batch), 500):
                for row in conn.execute(
                    f"SELECT refund_id, {', '.join(_OBSERVED)}, closed_at FROM refunds "
                    f"WHERE shop_id = ? AND refund_id IN ({marks(len(ids))})",
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
                            # (the refund's handling_way as inserted, which INSERT_STEP_SQL reads)
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
            with self._store.guard():
                # new refunds: no conflict is possible (looked up above in this transaction)
                last_rowid = insert_rows(conn, _INSERT_NEW_HEAD, fresh, ")", (shop_id, seen_at, detail_at))
                if last_rowid is not None and last_rowid < _ROWID_SAFE:
                    conn.execute(_OBSERVE_INSERTED_SQL, (shop_id, last_rowid - len(fresh) + 1))
                elif fresh:
                    conn.execute(_OBSERVE_NEW_SQL, (shop_id, to_json([row[0] for row in fresh])))
                if known:
                    conn.executemany(_UPSERT_SQL, known)
                if raw_pages is None:
                    head, tail = _raw_upsert("list_json" if source == "list" else "detail_json")
                    insert_rows(conn, head, raws, tail)
                else:
                    kept = sum(
                        conn.execute(_RAW_FROM_PAGE_SQL, (shop_id, _json_text(body), path)).rowcount
                        for body, path in raw_pages
                    )
                    if kept < len(batch):  # (more when an item is on two pages: the last one wins)
                        raise ValueError(f"the pages hold {kept} items for {len(batch)} refunds")
                insert_rows(conn, _OBSERVE_HEAD, observations)
                # the steps of refunds just inserted, in multi-row statements (executemany hands
                # the GIL over once per row)
                insert_rows(conn, _STEP_INSERT_HEAD, steps, _STEP_INSERT_TAIL)
        return UpsertStats(new, changed, unchanged, tuple(closed))

    def get(self, shop_id: int, refund_id: int) -> StoredRefund | None:
        rows = self._store.read(f"{REFUND_SELECT} WHERE shop_id = ? AND refund_id = ?", (shop_id, refund_id))
        return stored_refund(rows[0]) if rows else None

    def all(
        self, shop_id: int | None = None, *, merchant_turn: bool | None = None, open_only: bool = False
    ) -> list[StoredRefund]:
        """Stored refunds (of one shop or all), filtered; waiting ones soonest ``expireTime`` first."""
        where: list[str] = []
        params: list[SqlValue] = []
        if shop_id is not None:
            where.append("shop_id = ?")
            params.append(shop_id)
        if merchant_turn is not None:
            where.append("merchant_turn = ?")
            params.append(int(merchant_turn))
        if open_only:
            where.append("closed_at IS NULL")
        sql = REFUND_SELECT + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += " ORDER BY expire_time IS NULL, expire_time, refund_id"
        return [stored_refund(r) for r in self._store.read(sql, params)]

    def waiting(self, shop_id: int | None = None) -> list[StoredRefund]:
        """Requests waiting on the merchant, soonest platform deadline first (no deadline last)."""
        return self.all(shop_id, merchant_turn=True)

    def nearest_deadline(self, shop_id: int) -> int | None:
        """The soonest platform deadline (``expireTime``) of the requests waiting on the merchant."""
        rows = self._store.read(
            "SELECT MIN(expire_time) FROM refunds WHERE shop_id = ? AND merchant_turn = 1 "
            "AND expire_time IS NOT NULL",
            (shop_id,),
        )
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    def count(self, shop_id: int | None = None) -> int:
        if shop_id is None:
            return int(self._store.read("SELECT count(*) FROM refunds")[0][0])
        return int(self._store.read("SELECT count(*) FROM refunds WHERE shop_id = ?", (shop_id,))[0][0])

    def raw(self, shop_id: int, refund_id: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The raw JSON of the last list item and of the last detail (``None`` when never seen)."""
        rows = self._store.read(
            "SELECT list_json, detail_json FROM refund_raw WHERE shop_id = ? AND refund_id = ?",
            (shop_id, refund_id),
        )
        if not rows:
            return None, None
        list_json, detail_json = rows[0]
        return (
            json.loads(list_json) if list_json else None,
            json.loads(detail_json) if detail_json else None,
        )

    def mark_gone(self, shop_id: int, refund_id: int, *, at: int) -> None:
        """The platform no longer knows this refund (not found / not this shop's): it leaves the
        merchant's queue, closed at ``at`` with an unknown outcome (``decided_by`` "not_found")."""
        with self._store.transaction() as conn:
            conn.execute(
                "UPDATE refunds SET merchant_turn = 0, closed_at = COALESCE(closed_at, ?), "
                "outcome = 'unknown', decided_by = 'not_found', certainty = NULL, classified_at = ? "
                "WHERE shop_id = ? AND refund_id = ?",
                (at, at, shop_id, refund_id),
            )
