"""The store's repositories: one transaction across them, the store's errors, the core's reads."""

from __future__ import annotations

import json
import threading

import pytest

from desktop.core.i18n import tr
from desktop.core.kuaishou.models import NegotiationComment, Refund, ShopScore, parse
from desktop.core.store import Decision, Store, StoreError, open_store

T0 = 1_764_000_000_000
HOUR = 3_600_000


def refund(refund_id: int, **fields: object) -> Refund:
    data = {
        "refundId": refund_id,
        "handlingWay": 10,
        "negotiateStatus": 1,
        "status": 10,
        "refundFee": 1990,
        "submitTime": T0,
        "createTime": T0,
        "updateTime": T0,
        "expireTime": T0 + 48 * HOUR,
    }
    data.update(fields)
    return parse(Refund, data)


def waiting(r: Refund) -> bool:
    return r.negotiate_status == 1


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "store.sqlite3")
    yield s
    s.close()


@pytest.fixture
def shop(store):
    return store.shops.add(base_url="http://127.0.0.1:1", seller_id=42, name="小店", app_key="ks1")


def _change_every_family(store: Store, shop_id: int) -> None:
    """One write through each repository (the journal's is a durable one)."""
    store.settings.set("k", {"a": 1})
    store.shops.update(shop_id, display_name="改名")
    store.refunds.upsert(shop_id, [refund(1), refund(2)], seen_at=T0, merchant_turn=waiting)
    store.classification.save(
        shop_id, [Decision(1, "auto_approved_overdue", "heuristic_times", "likely", overdue_at=T0)], at=T0
    )
    store.history.save_comments(shop_id, 1, [NegotiationComment("买家发起", 1, T0)], at=T0)
    store.scores.add(shop_id, ShopScore(has_data=True), at=T0)
    store.journal.plan(shop_id, 1, "approve", {"refund_fee": 1990})
    store.notifications.mark(shop_id, 1, "2h", at=T0)


def _what_is_stored(store: Store, shop_id: int) -> dict[str, object]:
    shop = store.shops.get(shop_id)
    assert shop is not None
    return {
        "setting": store.settings.get("k"),
        "name": shop.display_name,
        "refunds": store.refunds.count(shop_id),
        "observations": store.history.observation_count(shop_id),
        "raw": store.refunds.raw(shop_id, 1)[0] is not None,
        "steps": len(store.classification.auto_approvals(shop_id)),
        "comments": len(store.history.comments(shop_id, 1)),
        "score": store.scores.latest(shop_id) is not None,
        "journal": len(store.journal.entries(shop_id)),
        "notified": store.notifications.sent(shop_id),
    }


NOTHING = {
    "setting": None,
    "name": None,
    "refunds": 0,
    "observations": 0,
    "raw": False,
    "steps": 0,
    "comments": 0,
    "score": False,
    "journal": 0,
    "notified": set(),
}
EVERYTHING = {
    "setting": {"a": 1},
    "name": "改名",
    "refunds": 2,
    "observations": 2,
    "raw": True,
    "steps": 1,
    "comments": 1,
    "score": True,
    "journal": 1,
    "notified": {(1, "2h")},
}


def test_a_change_spanning_every_repository_rolls_back_as_one(store, shop):
    with pytest.raises(RuntimeError, match="half-way"), store.transaction():
        _change_every_family(store, shop.id)
        assert _what_is_stored(store, shop.id) == EVERYTHING  # read inside: the change so far
        raise RuntimeError("half-way")
    assert _what_is_stored(store, shop.id) == NOTHING


def test_a_change_spanning_every_repository_is_seen_whole_or_not_at_all(store, shop):
    seen_meanwhile: list[dict[str, object]] = []
    with store.transaction():
        _change_every_family(store, shop.id)
        # another thread reads on a reader connection: none of the uncommitted change
        reader = threading.Thread(target=lambda: seen_meanwhile.append(_what_is_stored(store, shop.id)))
        reader.start()
        reader.join()
    assert seen_meanwhile == [NOTHING]
    assert _what_is_stored(store, shop.id) == EVERYTHING


def test_an_upsert_failing_half_way_writes_none_of_its_tables(store, shop):
    """The upsert writes refunds, observations, raw JSON and auto-approved steps: one transaction."""

    def decide(r: Refund, seen_at: int) -> Decision | None:
        return Decision(r.refund_id, "auto_approved_overdue", "heuristic_times", "likely", overdue_at=T0)

    body = json.dumps({"data": {"items": [{"refundId": 3, "status": 60}]}}).encode()
    closed = [refund(3, status=60, negotiateStatus=2, endTime=T0), refund(4, status=60, endTime=T0)]
    with pytest.raises(ValueError, match="the pages hold 1 items for 2 refunds"):
        store.refunds.upsert(
            shop.id, closed, seen_at=T0, decide_new=decide, raw_pages=[(body, "$.data.items")]
        )
    assert store.refunds.count(shop.id) == 0
    assert store.history.observation_count(shop.id) == 0
    assert store.refunds.raw(shop.id, 3) == (None, None)
    assert store.classification.auto_approvals(shop.id) == []

    # the same batch with both items on its page is stored whole
    body = json.dumps({"data": {"items": [{"refundId": 3}, {"refundId": 4}]}}).encode()
    store.refunds.upsert(shop.id, closed, seen_at=T0, decide_new=decide, raw_pages=[(body, "$.data.items")])
    assert store.refunds.count(shop.id) == 2 and store.history.observation_count(shop.id) == 2
    assert len(store.classification.auto_approvals(shop.id)) == 2


REPOSITORY_CALLS = {
    "settings.get": lambda s: s.settings.get("k"),
    "settings.set": lambda s: s.settings.set("k", 1),
    "shops.all": lambda s: s.shops.all(),
    "shops.add": lambda s: s.shops.add(base_url="http://x", seller_id=1),
    "shops.update": lambda s: s.shops.update(1, name="店"),
    "refunds.waiting": lambda s: s.refunds.waiting(1),
    "refunds.upsert": lambda s: s.refunds.upsert(1, [refund(1)], seen_at=T0, merchant_turn=waiting),
    "classification.unclassified": lambda s: s.classification.unclassified(1),
    "classification.save": lambda s: s.classification.save(1, [Decision(1, "unknown", "x")], at=T0),
    "history.observations": lambda s: s.history.observations(1, 1),
    "history.save_comments": lambda s: s.history.save_comments(1, 1, [], at=T0),
    "scores.latest": lambda s: s.scores.latest(1),
    "scores.add": lambda s: s.scores.add(1, ShopScore(), at=T0),
    "journal.open_entries": lambda s: s.journal.open_entries(),
    "journal.plan": lambda s: s.journal.plan(1, 1, "approve"),
    "notifications.sent": lambda s: s.notifications.sent(1),
    "notifications.mark": lambda s: s.notifications.mark(1, 1, "2h", at=T0),
    "read": lambda s: s.read("SELECT 1"),
}


@pytest.mark.parametrize("call", REPOSITORY_CALLS.values(), ids=REPOSITORY_CALLS.keys())
def test_a_repository_of_a_closed_store_says_the_database_is_closed(tmp_path, call):
    store = open_store(tmp_path / "store.sqlite3")
    store.shops.add(base_url="http://x", seller_id=1)
    store.close()
    with pytest.raises(StoreError) as info:
        call(store)
    assert str(info.value) == tr("The local database is closed.")


def test_the_core_read_sees_this_threads_transaction_and_translates_errors(store, shop):
    with store.transaction() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('mine', '1')")
        assert store.read("SELECT value FROM settings WHERE key = ?", ("mine",)) == [("1",)]
        other: list[object] = []
        t = threading.Thread(target=lambda: other.append(store.read("SELECT count(*) FROM settings")))
        t.start()
        t.join()
        assert other == [[(0,)]]
    assert store.settings.get("mine") == 1


def test_shop_updates_check_their_fields_and_the_shop(store, shop):
    store.shops.update(shop.id, name="新名", first_sweep_done=True, last_error=None)
    updated = store.shops.get(shop.id)
    assert updated is not None and (updated.name, updated.first_sweep_done) == ("新名", True)
    with pytest.raises(ValueError, match="unknown shop fields: token"):
        store.shops.update(shop.id, token="x")
    with pytest.raises(TypeError, match="not list"):
        store.shops.update(shop.id, name=["a"])
    with pytest.raises(KeyError, match="no shop with id 999"):
        store.shops.update(999, name="x")
    assert store.shops.get(shop.id) == updated  # nothing half-written
