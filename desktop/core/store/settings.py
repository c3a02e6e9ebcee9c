"""The ``settings`` table: small JSON values of the app by key (never a secret)."""

from __future__ import annotations

import json
from typing import Any

from desktop.core.store.sql import Repository, to_json


class SettingsRepository(Repository):
    """``store.settings``: the app's settings kept with its data (per-shop choices and such)."""

    __slots__ = ()

    def get(self, key: str, default: Any = None) -> Any:
        """The value stored under ``key`` as JSON decodes it (``Any``, as from ``json.loads``: the
        module owning a key checks the shape it reads back), else ``default``."""
        rows = self._store.read("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set(self, key: str, value: object) -> None:
        """Store a small JSON-serialisable value (``None`` deletes the key). Never a secret."""
        with self._store.transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, to_json(value)),
                )
