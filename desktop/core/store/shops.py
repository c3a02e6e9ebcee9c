"""The ``shops`` table: each shop's non-secret profile and sync bookkeeping."""

from __future__ import annotations

from typing import TypedDict, Unpack

from desktop.core.store.records import SHOP_COLUMNS, Shop
from desktop.core.store.sql import Repository, Row, SqlValue, marks, now_ms


class ShopProfile(TypedDict, total=False):
    """The editable fields of a shop besides where it is (see :class:`Shop`)."""

    name: str
    display_name: str | None
    app_key: str
    sign_method: str
    auth_mode: str
    token_expires_at: int | None
    refresh_expires_at: int | None
    last_sync_at: int | None
    last_success_at: int | None
    first_sweep_done: bool
    sweep_begin_ms: int | None
    sweep_end_ms: int | None
    sweep_next_ms: int | None
    incremental_from_ms: int | None
    server_clock_offset_ms: int | None
    last_error: str | None
    last_error_at: int | None


class ShopFields(ShopProfile, total=False):
    """Every editable field of a shop (what :meth:`ShopRepository.update` takes)."""

    base_url: str
    seller_id: int | None


_SELECT = f"SELECT {', '.join(SHOP_COLUMNS)} FROM shops"
_EDITABLE = frozenset(SHOP_COLUMNS) - {"id", "created_at"}


def _shop(row: Row) -> Shop:
    values = dict(zip(SHOP_COLUMNS, row, strict=True))
    values["first_sweep_done"] = bool(values["first_sweep_done"])
    return Shop(**values)


def _check_fields(fields: dict[str, object]) -> None:
    unknown = set(fields) - _EDITABLE
    if unknown:
        raise ValueError(f"unknown shop fields: {', '.join(sorted(unknown))}")


def _bound(value: object) -> SqlValue:
    if value is None or isinstance(value, int | float | str | bytes):
        return value
    raise TypeError(f"a shop field holds a number, a text or nothing, not {type(value).__name__}")


class ShopRepository(Repository):
    """``store.shops``: the shops the app watches."""

    __slots__ = ()

    def add(self, *, base_url: str, seller_id: int | None = None, **fields: Unpack[ShopProfile]) -> Shop:
        """A new shop row (non-secret profile fields only); see :class:`Shop` for the fields."""
        _check_fields(dict(fields))
        values: dict[str, object] = {
            "base_url": base_url,
            "seller_id": seller_id,
            "created_at": now_ms(),
            **fields,
        }
        with self._store.transaction() as conn:
            cur = conn.execute(
                f"INSERT INTO shops ({', '.join(values)}) VALUES ({marks(len(values))})",
                [_bound(v) for v in values.values()],
            )
            shop_id = cur.lastrowid
            assert shop_id is not None  # an INSERT's rowid
            shop = self.get(shop_id)  # (read on the writer: this transaction's row)
        assert shop is not None
        return shop

    def update(self, shop_id: int, **fields: Unpack[ShopFields]) -> None:
        """Change some fields of a shop; :class:`KeyError` when there is no such shop."""
        _check_fields(dict(fields))
        if not fields:
            return
        with self._store.transaction() as conn:
            cur = conn.execute(
                f"UPDATE shops SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                (*(_bound(v) for v in fields.values()), shop_id),
            )
            if cur.rowcount != 1:
                raise KeyError(f"no shop with id {shop_id}")

    def get(self, shop_id: int) -> Shop | None:
        rows = self._store.read(f"{_SELECT} WHERE id = ?", (shop_id,))
        return _shop(rows[0]) if rows else None

    def find(self, base_url: str, seller_id: int) -> Shop | None:
        """The shop of this seller at this platform address, if stored."""
        rows = self._store.read(f"{_SELECT} WHERE base_url = ? AND seller_id = ?", (base_url, seller_id))
        return _shop(rows[0]) if rows else None

    def all(self) -> list[Shop]:
        """Every shop, in the order they were added."""
        return [_shop(r) for r in self._store.read(f"{_SELECT} ORDER BY id")]

    def delete(self, shop_id: int) -> None:
        """Forget a shop and everything stored of it (its secrets live elsewhere)."""
        with self._store.transaction() as conn:
            # observations/comments/raw cascade from refunds, refunds and the rest from shops
            conn.execute("DELETE FROM shops WHERE id = ?", (shop_id,))
