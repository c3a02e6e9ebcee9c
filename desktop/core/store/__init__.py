"""The local store: an SQLite cache of what the app saw of each shop (Qt-free).

    from desktop.core.store import open_store
    store = open_store()                      # paths.database_path(); integrity check + migrations
    with store.transaction() as conn: ...     # one logical change
    store.waiting_refunds(shop_id)            # requests waiting on the merchant

The schema and what each table holds: :mod:`desktop.core.store.schema`. Threading and error
handling: :mod:`desktop.core.store.database`. Nothing secret is ever stored here.
"""

from desktop.core.store.database import CLOSED_STATUSES, Store, open_store, rebuild_store
from desktop.core.store.errors import StoreDamaged, StoreError, StoreUnavailable
from desktop.core.store.records import (
    JOURNAL_OPEN_STATES,
    JOURNAL_STATES,
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
from desktop.core.store.schema import SCHEMA_VERSION

__all__ = [
    "CLOSED_STATUSES",
    "JOURNAL_OPEN_STATES",
    "JOURNAL_STATES",
    "SCHEMA_VERSION",
    "AutoStep",
    "Decision",
    "JournalEntry",
    "Observation",
    "RoleSeen",
    "ScoreSnapshot",
    "Shop",
    "Store",
    "StoreDamaged",
    "StoreError",
    "StoreUnavailable",
    "StoredAutoStep",
    "StoredRefund",
    "UpsertStats",
    "open_store",
    "rebuild_store",
]
