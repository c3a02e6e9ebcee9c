"""The ``actions`` table: the action journal (and the audit log the seller reads).

An action is written ``planned`` before its request is sent and moved on as its answer comes; the
writes are durable (synced to disk before they return), so a crash never leaves an action sent but
unrecorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from desktop.core.store.records import JOURNAL_OPEN_STATES, JOURNAL_STATES, JournalEntry
from desktop.core.store.sql import Repository, Row, SqlValue, chunks, marks, now_ms, to_json

# keys that must never appear in the journal's parameters
_SECRET_PARAM_WORDS = ("token", "secret", "sign", "password")
_SELECT = (
    "SELECT id, shop_id, refund_id, kind, params, state, batch, result, error, created_at, "
    "updated_at FROM actions"
)


def _check_params(params: Mapping[str, object]) -> None:
    for key in params:
        low = str(key).lower()
        if any(word in low for word in _SECRET_PARAM_WORDS):
            raise ValueError(f"journal parameters must not carry secrets (key {key!r})")


def _entry(row: Row) -> JournalEntry:
    entry_id, shop_id, refund_id, kind, params, state, batch, result, error, created_at, updated_at = row
    return JournalEntry(
        entry_id,
        shop_id,
        refund_id,
        kind,
        json.loads(params) if params else {},
        state,
        batch,
        json.loads(result) if result else None,
        error,
        created_at,
        updated_at,
    )


class JournalRepository(Repository):
    """``store.journal``: every action the app sent or meant to send, and what became of it."""

    __slots__ = ()

    def plan(
        self,
        shop_id: int,
        refund_id: int,
        kind: str,
        params: Mapping[str, Any] | None = None,
        *,
        batch: str | None = None,
    ) -> int:
        """Write an intended action (state ``planned``) before it is sent; returns its id.
        ``params`` (JSON; never a secret: a key naming one is refused) say what is sent."""
        params = dict(params or {})
        _check_params(params)
        now = now_ms()
        with self._store.transaction(durable=True) as conn:
            cur = conn.execute(
                "INSERT INTO actions (shop_id, refund_id, kind, params, state, batch, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, 'planned', ?, ?, ?)",
                (shop_id, refund_id, kind, to_json(params), batch, now, now),
            )
            entry_id = cur.lastrowid
            assert entry_id is not None  # an INSERT's rowid
            return entry_id

    def mark(self, entry_id: int, state: str, *, result: object = None, error: str | None = None) -> None:
        """Move a journal entry to ``state`` (sent / done / failed / unknown), with its result
        (JSON; ``None`` keeps the one stored)."""
        if state not in JOURNAL_STATES:
            raise ValueError(f"journal state must be one of {', '.join(JOURNAL_STATES)}, not {state!r}")
        with self._store.transaction(durable=True) as conn:
            cur = conn.execute(
                "UPDATE actions SET state = ?, result = COALESCE(?, result), error = ?, updated_at = ? "
                "WHERE id = ?",
                (state, None if result is None else to_json(result), error, now_ms(), entry_id),
            )
            if cur.rowcount != 1:
                raise KeyError(f"no journal entry {entry_id}")

    def open_entries(self, shop_id: int | None = None) -> list[JournalEntry]:
        """Entries not finished (planned, sent, unknown): to reconcile after a crash. Oldest first."""
        sql = f"{_SELECT} WHERE state IN ({marks(len(JOURNAL_OPEN_STATES))})"
        params: list[SqlValue] = list(JOURNAL_OPEN_STATES)
        if shop_id is not None:
            sql += " AND shop_id = ?"
            params.append(shop_id)
        return [_entry(r) for r in self._store.read(sql + " ORDER BY id", params)]

    def entries(
        self, shop_id: int | None = None, *, refund_id: int | None = None, since: int | None = None
    ) -> list[JournalEntry]:
        """The journal (the audit log), oldest first, optionally for one refund or since a time."""
        where: list[str] = []
        params: list[SqlValue] = []
        for clause, value in (
            ("shop_id = ?", shop_id),
            ("refund_id = ?", refund_id),
            ("created_at >= ?", since),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "")
        return [_entry(r) for r in self._store.read(sql + " ORDER BY id", params)]

    def action_times(self, shop_id: int, refund_ids: Iterable[int]) -> dict[int, list[int]]:
        """When the app sent an action (sent, done or unknown; local clock) per refund, oldest first."""
        found: dict[int, list[int]] = {}
        for chunk in chunks(list(refund_ids), 500):
            rows = self._store.read(
                f"SELECT refund_id, created_at FROM actions WHERE shop_id = ? AND state IN "
                f"('sent', 'done', 'unknown') AND refund_id IN ({marks(len(chunk))}) "
                f"ORDER BY created_at",
                (shop_id, *chunk),
            )
            for refund_id, at in rows:
                found.setdefault(refund_id, []).append(at)
        return found
