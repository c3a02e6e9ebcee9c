"""What the store's repositories share: row types, the repository base and the SQL helpers.

A repository (:class:`Repository`) owns the statements of one family of tables and reaches the
database only through its :class:`~desktop.core.store.database.Store`: writes in
:meth:`Store.transaction` (a change spanning repositories joins the same transaction), reads
through :meth:`Store.read`, errors translated by :meth:`Store.guard`.

:func:`insert_rows` is the multi-row insert the speed-driven writes use (see its docstring).
"""

from __future__ import annotations

import functools
import itertools
import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

if TYPE_CHECKING:
    from desktop.core.store.database import Store

#: a value SQLite stores and hands back
SqlValue: TypeAlias = int | float | str | bytes | None
#: a row as read: SQLite's values are typed per value, not per column, so a row's items are whatever
#: the column holds (each repository turns its rows into the typed records of
#: :mod:`desktop.core.store.records`)
Row: TypeAlias = tuple[Any, ...]
#: the parameters of one statement
Params: TypeAlias = Sequence[SqlValue]

_T = TypeVar("_T")

#: the most rows one multi-row statement takes (further capped by the connection's variable limit)
MAX_ROWS_PER_STATEMENT = 256

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode

# sqlite3 binds a parameter that is not exactly int/float/str/bytearray through its adaptation
# protocol: for None a registry miss and two attribute lookups per NULL, a third of the cost of a
# wide refund row. A registered adapter is found by the first lookup; this one (a C call) returns
# the None it gets, which is then bound as NULL exactly as before.
_NONE: dict[None, None] = {}
sqlite3.register_adapter(type(None), _NONE.get)


class Repository:
    """The statements of one family of tables, run through the store that owns the connections.

    Repositories hold no connection and no state of their own: a closed store closes them too (each
    call then raises the store's :class:`~desktop.core.store.errors.StoreError`).
    """

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        self._store = store


def now_ms() -> int:
    return int(time.time() * 1000)


def to_json(value: object) -> str:
    """Compact JSON (UTF-8 text as is; anything unknown as its ``str``)."""
    return _encode(value)


def chunks(seq: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    """``seq`` in slices of at most ``size`` (an ``IN (…)`` list stays under SQLite's limits)."""
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def marks(count: int) -> str:
    """``?, ?, …``: the placeholders of an ``IN`` list of ``count`` values."""
    return ", ".join("?" * count)


@functools.lru_cache(maxsize=64)
def values_sql(head: str, width: int, count: int, tail: str) -> str:
    """``head VALUES (?, …), … tail``: ``count`` rows of ``width`` placeholders."""
    # plain "?": SQLite numbers each one after the largest number used before it in the text (the
    # head's ?1…), and parses them in linear time (explicit ?NNN are looked up one by one)
    row = "(" + ", ".join("?" * width) + ")"
    return f"{head} VALUES {', '.join([row] * count)} {tail}"


def insert_rows(
    conn: sqlite3.Connection,
    head: str,
    rows: Sequence[Sequence[SqlValue]],
    tail: str = "",
    constants: Sequence[SqlValue] = (),
) -> int | None:
    """``head VALUES (…), (…), … tail`` over ``rows`` (all of one width) in few statements;
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
    most = max(1, min(MAX_ROWS_PER_STATEMENT, limit))
    start, total, last = 0, len(rows), None
    while start < total:
        count = min(most, 1 << ((total - start).bit_length() - 1))
        chunk = rows[start : start + count]
        last = conn.execute(
            values_sql(head, width, count, tail), [*constants, *itertools.chain.from_iterable(chunk)]
        ).lastrowid
        start += count
    return last
