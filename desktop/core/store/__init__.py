"""The local store: an SQLite cache of what the app saw of each shop (Qt-free).

    from desktop.core.store import open_store
    store = open_store()                      # paths.database_path(); integrity check + migrations
    store.refunds.waiting(shop_id)            # requests waiting on the merchant
    store.shops.update(shop_id, name="…")     # each family of tables has its repository
    with store.transaction() as conn: ...     # one logical change (repositories' writes join it)

:class:`Store` owns the connections and exposes one repository per family of tables:
``settings``, ``shops``, ``refunds`` (+ raw JSON), ``classification`` (+ auto-approved steps),
``history`` (observations, negotiation comments), ``scores``, ``journal`` (the action journal),
``notifications``. Threading, transactions and error handling: :mod:`desktop.core.store.database`;
the schema and what each table holds: :mod:`desktop.core.store.schema`. Nothing secret is ever
stored here.
"""

from desktop.core.store.classification import ClassificationRepository
from desktop.core.store.database import Store, open_store, rebuild_store
from desktop.core.store.errors import StoreDamaged, StoreError, StoreUnavailable
from desktop.core.store.history import HistoryRepository, ObservationRow, StoredComment
from desktop.core.store.journal import JournalRepository
from desktop.core.store.notifications import NotificationRepository
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
from desktop.core.store.refunds import CLOSED_STATUSES, RefundRepository
from desktop.core.store.schema import SCHEMA_VERSION
from desktop.core.store.scores import ScoreRepository
from desktop.core.store.settings import SettingsRepository
from desktop.core.store.shops import ShopFields, ShopProfile, ShopRepository
from desktop.core.store.sql import Row

__all__ = [
    "CLOSED_STATUSES",
    "JOURNAL_OPEN_STATES",
    "JOURNAL_STATES",
    "SCHEMA_VERSION",
    "AutoStep",
    "ClassificationRepository",
    "Decision",
    "HistoryRepository",
    "JournalEntry",
    "JournalRepository",
    "NotificationRepository",
    "Observation",
    "ObservationRow",
    "RefundRepository",
    "RoleSeen",
    "Row",
    "ScoreRepository",
    "ScoreSnapshot",
    "SettingsRepository",
    "Shop",
    "ShopFields",
    "ShopProfile",
    "ShopRepository",
    "Store",
    "StoreDamaged",
    "StoreError",
    "StoreUnavailable",
    "StoredAutoStep",
    "StoredComment",
    "StoredRefund",
    "UpsertStats",
    "open_store",
    "rebuild_store",
]
