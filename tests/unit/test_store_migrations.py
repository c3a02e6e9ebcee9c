"""Opening the store: migrations (empty file, older schema, newer schema), backups, damaged files."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.core import i18n
from desktop.core.store import SCHEMA_VERSION, StoreDamaged, StoreUnavailable, open_store, rebuild_store
from desktop.core.store.errors import SQLITE_READONLY, translate

# The schema as version 1 shipped it (kept verbatim: the migration from it must keep working).
V1_DDL = """
CREATE TABLE shops (
    id INTEGER PRIMARY KEY, seller_id INTEGER, name TEXT NOT NULL DEFAULT '', display_name TEXT,
    app_key TEXT NOT NULL DEFAULT '',
    sign_method TEXT NOT NULL DEFAULT 'HMAC_SHA256' CHECK (sign_method IN ('HMAC_SHA256', 'MD5')),
    base_url TEXT NOT NULL,
    auth_mode TEXT NOT NULL DEFAULT 'token' CHECK (auth_mode IN ('oauth', 'token')),
    token_expires_at INTEGER, last_sync_at INTEGER, first_sweep_done INTEGER NOT NULL DEFAULT 0,
    server_clock_offset_ms INTEGER, last_error TEXT, created_at INTEGER NOT NULL,
    UNIQUE (base_url, seller_id)
);
CREATE TABLE refunds (
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE, refund_id INTEGER NOT NULL,
    order_id INTEGER, handling_way INTEGER, negotiate_status INTEGER, status INTEGER,
    refund_type INTEGER, refund_fee INTEGER, refund_reason, refund_reason_desc TEXT,
    refund_desc TEXT, sku_id INTEGER, sku_nick TEXT, item_id INTEGER, seller_id INTEGER,
    submit_time INTEGER, create_time INTEGER, update_time INTEGER, negotiate_update_time INTEGER,
    end_time INTEGER, receipt_status INTEGER, expire_time INTEGER, urge_times INTEGER,
    first_seen_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, raw TEXT,
    PRIMARY KEY (shop_id, refund_id)
);
CREATE TABLE observations (
    id INTEGER PRIMARY KEY, shop_id INTEGER NOT NULL, refund_id INTEGER NOT NULL,
    status INTEGER, negotiate_status INTEGER, expire_time INTEGER, update_time INTEGER,
    seen_at INTEGER NOT NULL,
    FOREIGN KEY (shop_id, refund_id) REFERENCES refunds(shop_id, refund_id) ON DELETE CASCADE
);
CREATE INDEX observations_by_refund ON observations(shop_id, refund_id, seen_at);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
PRAGMA user_version = 1;
"""


@pytest.fixture
def v1_file(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(V1_DDL)
    conn.execute(
        "INSERT INTO shops (id, seller_id, name, base_url, created_at, last_sync_at) "
        "VALUES (1, 42, '老店', 'https://openapi.kwaixiaodian.com', 1, 1000)"
    )
    conn.execute(
        "INSERT INTO refunds (shop_id, refund_id, status, negotiate_status, handling_way, end_time, "
        "first_seen_at, last_seen_at, raw) VALUES (1, 7, 60, 2, 10, 5000, 1, 2, '{\"refundId\": 7}')"
    )
    conn.execute(
        "INSERT INTO refunds (shop_id, refund_id, status, negotiate_status, handling_way, "
        "first_seen_at, last_seen_at, raw) VALUES (1, 8, 10, 1, 1, 1, 2, '{\"refundId\": 8}')"
    )
    conn.execute(
        "INSERT INTO observations (shop_id, refund_id, status, seen_at) VALUES (1, 7, 10, 1), (1, 7, 60, 2)"
    )
    conn.execute("INSERT INTO settings VALUES ('poll_minutes', '5')")
    conn.commit()
    conn.close()
    return path


def test_an_empty_file_gets_the_current_schema(tmp_path):
    path = tmp_path / "empty.sqlite3"
    path.touch()
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.shops.all() == []
    assert not list(tmp_path.glob("*.bak")), "nothing to back up from an empty file"


def test_the_default_location_is_the_data_dir(app_home):
    with open_store() as store:
        assert store.path.is_relative_to(app_home)
        assert store.path.exists()


def test_an_older_schema_is_migrated_with_its_data_after_a_backup(v1_file):
    with open_store(v1_file) as store:
        assert store.schema_version == SCHEMA_VERSION
        shop = store.shops.get(1)
        assert (shop.name, shop.seller_id, shop.last_sync_at, shop.first_sweep_done) == (
            "老店",
            42,
            1000,
            False,
        )
        assert store.refunds.raw(1, 7) == ({"refundId": 7}, None)
        closed, waiting = store.refunds.get(1, 7), store.refunds.get(1, 8)
        assert closed.closed_at == 5000 and closed.outcome is None  # to be classified by the next sync
        assert waiting.closed_at is None
        assert [o.status for o in store.history.observations(1, 7)] == [10, 60]
        assert [r.refund_id for r in store.classification.unclassified(1)] == [7]
        assert store.settings.get("poll_minutes") == 5
        # the new tables work
        entry = store.journal.plan(1, 8, "approve_return", {"address_id": 3})
        assert store.journal.open_entries(1)[0].id == entry

    backups = list(v1_file.parent.glob("old.sqlite3.v1-*.bak"))
    assert len(backups) == 1
    conn = sqlite3.connect(backups[0])
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT raw FROM refunds WHERE refund_id = 7").fetchone()[0] == '{"refundId": 7}'
    finally:
        conn.close()
    # opening again does not migrate (nor back up) a second time
    open_store(v1_file).close()
    assert len(list(v1_file.parent.glob("*.bak"))) == 1


def test_a_failing_migration_leaves_the_old_schema_untouched(v1_file, monkeypatch):
    from desktop.core.store import database

    monkeypatch.setattr(database, "MIGRATIONS", (database.MIGRATIONS[0], database.MIGRATIONS[1] + "\nBOGUS;"))
    with pytest.raises(sqlite3.OperationalError):
        database.Store(v1_file)
    conn = sqlite3.connect(v1_file)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT raw FROM refunds WHERE refund_id = 7").fetchone()[0]
    finally:
        conn.close()
    monkeypatch.undo()
    with open_store(v1_file) as store:  # the real migration still works afterwards
        assert store.schema_version == SCHEMA_VERSION


def test_a_file_from_a_newer_version_is_refused_clearly(tmp_path):
    path = tmp_path / "newer.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreUnavailable) as info:
        open_store(path)
    assert info.value.reason == "newer"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_damaged_file_gives_a_clear_message_and_can_be_rebuilt(tmp_path, lang):
    path = tmp_path / "store.sqlite3"
    with open_store(path) as store:
        store.shops.add(base_url="http://x", seller_id=1)
    path.write_bytes(b"this is not a database, it was overwritten by something else" * 100)
    i18n.set_language(lang)
    try:
        with pytest.raises(StoreDamaged) as info:
            open_store(path)
    finally:
        i18n.set_language("zh_CN")
    message = info.value.message
    assert str(path) in message
    assert (
        ("damaged" in message and "rebuild" in message)
        if lang == "en"
        else ("损坏" in message and "重建" in message)
    )

    store, moved = rebuild_store(path)
    with store:
        assert store.shops.all() == [] and store.schema_version == SCHEMA_VERSION
    assert moved is not None and moved.name.startswith("store.sqlite3.damaged-")
    assert moved.read_bytes().startswith(b"this is not a database")


def test_a_damaged_page_inside_a_valid_file_is_detected(tmp_path):
    path = tmp_path / "store.sqlite3"
    with open_store(path) as store:
        shop = store.shops.add(base_url="http://x", seller_id=1)
        with store.transaction() as conn:
            conn.executemany(
                "INSERT INTO settings VALUES (?, ?)", [(f"k{i}", '"' + "v" * 500 + '"') for i in range(200)]
            )
        assert shop.id == 1
    assert not path.with_name(path.name + "-wal").exists()  # closing checkpointed everything
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, min(len(data), 6 * page)):  # overwrite a few pages after the header
        data[offset] = 0xA5
    path.write_bytes(bytes(data))
    with pytest.raises(StoreDamaged):
        store = open_store(path)
        store.settings.get("k1")


def test_environmental_sqlite_errors_are_told_apart_from_bugs():
    readonly = sqlite3.OperationalError("attempt to write a readonly database")
    readonly.sqlite_errorcode = SQLITE_READONLY
    err = translate(readonly, None)
    assert isinstance(err, StoreUnavailable) and err.reason == "readonly"
    assert isinstance(translate(sqlite3.OperationalError("disk I/O error"), None), StoreUnavailable)
    assert isinstance(translate(sqlite3.DatabaseError("file is not a database"), None), StoreDamaged)
    assert translate(sqlite3.OperationalError("no such table: refundz"), None) is None
    assert translate(sqlite3.IntegrityError("UNIQUE constraint failed"), None) is None


def test_schema_3_auto_approvals_become_steps_counted_once(tmp_path):
    from desktop.core.store.schema import MIGRATIONS

    path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(path)
    for version, script in enumerate(MIGRATIONS[:3], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
    conn.execute("INSERT INTO shops (id, seller_id, base_url, created_at) VALUES (1, 42, 'https://x', 1)")
    rows = [  # (refund_id, status, handling_way, outcome, certainty, decided_by, overdue_at, closed_at)
        (1, 60, 10, "auto_approved_overdue", "certain", "observed", 5_000, 6_000),
        (2, 60, 1, "auto_approved_overdue", None, "heuristic_times", None, 7_000),  # no deadline kept
        (3, 60, 10, "handled_in_time", None, "observed", None, 8_000),
    ]
    conn.executemany(
        "INSERT INTO refunds (shop_id, refund_id, status, handling_way, outcome, certainty, decided_by, "
        "overdue_at, deadline_at, closed_at, classified_at, first_seen_at, last_seen_at) "
        "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 9000, 1, 2)",
        [
            (rid, st, hw, out, cert, by, over, over, closed)
            for rid, st, hw, out, cert, by, over, closed in rows
        ],
    )
    conn.commit()
    conn.close()
    with open_store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        steps = store.classification.auto_approvals(1)
        assert [(s.refund_id, s.at, s.handling_way, s.certainty, s.decided_by) for s in steps] == [
            (1, 5_000, 10, "certain", "observed"),
            (2, 7_000, 1, "likely", "heuristic_times"),  # counted at its close, as before
        ]
        assert store.classification.unclassified(1) == []  # classified before: nothing to redo
