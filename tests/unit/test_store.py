"""The store: refunds and observations, journal, notifications, settings, transactions, threads."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from desktop.core.kuaishou.models import (
    NegotiationComment,
    Refund,
    ScoreDimension,
    ScoreSummary,
    ShopScore,
    parse,
)
from desktop.core.store import AutoStep, Decision, Store, StoreUnavailable, open_store

T0 = 1_764_000_000_000  # 2025-11-24, epoch ms
HOUR = 3_600_000


def waiting(r) -> bool:
    return r.negotiate_status == 1


def refund(refund_id: int = 2100000012345678, **fields) -> Refund:
    data = {
        "refundId": refund_id,
        "oid": 9100000000000001,
        "handlingWay": 10,
        "negotiateStatus": 1,
        "status": 10,
        "refundFee": 1990,
        "refundReasonDesc": "不想要了",
        "skuNick": "加绒卫衣 黑色 XL",
        "submitTime": T0,
        "createTime": T0,
        "updateTime": T0,
        "expireTime": T0 + 48 * HOUR,
        "urgeTimes": 0,
    }
    data.update(fields)
    return parse(Refund, data)


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "store.sqlite3")
    yield s
    s.close()


@pytest.fixture
def shop(store):
    return store.shops.add(base_url="http://127.0.0.1:1", seller_id=42, name="小店", app_key="ks1")


def test_a_fresh_store_uses_wal_and_foreign_keys(store):
    assert store.schema_version >= 2
    with store.transaction() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_upsert_is_idempotent_and_records_an_observation_per_change(store, shop):
    stats = store.refunds.upsert(shop.id, [refund()], seen_at=T0, merchant_turn=waiting)
    assert (stats.new, stats.changed, stats.unchanged) == (1, 0, 0)
    stats = store.refunds.upsert(shop.id, [refund()], seen_at=T0 + 1000, merchant_turn=waiting)
    assert (stats.new, stats.changed, stats.unchanged) == (0, 0, 1)
    assert len(store.history.observations(shop.id, 2100000012345678)) == 1
    stored = store.refunds.get(shop.id, 2100000012345678)
    assert stored.last_seen_at == T0 + 1000 and stored.first_seen_at == T0
    assert stored.merchant_turn is True and stored.last_pending_expire_time == T0 + 48 * HOUR

    # the deadline moves (platform extension): a new observation
    store.refunds.upsert(
        shop.id,
        [refund(expireTime=T0 + 72 * HOUR, updateTime=T0 + HOUR)],
        seen_at=T0 + 2 * HOUR,
        merchant_turn=waiting,
    )
    obs = store.history.observations(shop.id, 2100000012345678)
    assert [o.expire_time for o in obs] == [T0 + 48 * HOUR, T0 + 72 * HOUR]
    assert [o.seen_at for o in obs] == [T0, T0 + 2 * HOUR]


def test_a_refund_that_closes_is_reported_and_keeps_when_it_was_last_seen_waiting(store, shop):
    store.refunds.upsert(shop.id, [refund()], seen_at=T0, merchant_turn=waiting)
    closed = refund(status=60, negotiateStatus=2, updateTime=T0 + 50 * HOUR, endTime=T0 + 49 * HOUR)
    stats = store.refunds.upsert(shop.id, [closed], seen_at=T0 + 51 * HOUR, merchant_turn=waiting)
    assert stats.closed == (2100000012345678,)
    stored = store.refunds.get(shop.id, 2100000012345678)
    assert stored.closed_at == T0 + 49 * HOUR
    assert stored.merchant_turn is False
    assert stored.last_pending_seen_at == T0 and stored.last_pending_expire_time == T0 + 48 * HOUR
    assert [r.refund_id for r in store.classification.unclassified(shop.id)] == [2100000012345678]
    assert store.refunds.waiting(shop.id) == []

    store.classification.save(
        shop.id,
        [
            Decision(
                2100000012345678,
                "auto_approved_overdue",
                "observed",
                "certain",
                deadline_at=T0 + 48 * HOUR,
                overdue_at=T0 + 48 * HOUR,
                decided_at=T0 + 49 * HOUR,
            )
        ],
        at=T0 + 52 * HOUR,
    )
    assert store.classification.unclassified(shop.id) == []
    # seeing it again unchanged keeps the classification; a change clears it for a new decision
    store.refunds.upsert(shop.id, [closed], seen_at=T0 + 53 * HOUR, merchant_turn=waiting)
    assert store.refunds.get(shop.id, 2100000012345678).outcome == "auto_approved_overdue"
    store.refunds.upsert(
        shop.id,
        [refund(status=70, negotiateStatus=2, updateTime=T0 + 60 * HOUR)],
        seen_at=T0 + 61 * HOUR,
        merchant_turn=waiting,
    )
    again = store.refunds.get(shop.id, 2100000012345678)
    assert again.outcome is None and again.decided_at is None and again.closed_at == T0 + 49 * HOUR


def test_detail_fields_survive_a_later_list_item_and_both_raw_jsons_are_kept(store, shop):
    detail = refund(specialRefundType=1, validNegotiateBuyerModifyTimeStamp=T0 + 5, pictures=["a.jpg"])
    store.refunds.upsert(shop.id, [detail], seen_at=T0, source="detail", merchant_turn=waiting)
    store.refunds.upsert(shop.id, [refund(urgeTimes=2)], seen_at=T0 + 1, merchant_turn=waiting)
    stored = store.refunds.get(shop.id, 2100000012345678)
    assert stored.special_refund_type == 1 and stored.buyer_modify_deadline == T0 + 5
    assert stored.urge_times == 2 and stored.detail_fetched_at == T0
    list_json, detail_json = store.refunds.raw(shop.id, 2100000012345678)
    assert list_json["urgeTimes"] == 2 and detail_json["pictures"] == ["a.jpg"]
    assert "pictures" not in list_json


def test_waiting_refunds_come_soonest_deadline_first_without_deadline_last(store, shop):
    store.refunds.upsert(
        shop.id,
        [
            refund(1, expireTime=T0 + 5 * HOUR),
            refund(2, expireTime=None),
            refund(3, expireTime=T0 + HOUR),
            refund(4, negotiateStatus=2, status=30),
        ],
        seen_at=T0,
        merchant_turn=waiting,
    )
    assert [r.refund_id for r in store.refunds.waiting(shop.id)] == [3, 1, 2]
    assert store.refunds.count(shop.id) == 4
    assert store.refunds.nearest_deadline(shop.id) == T0 + HOUR
    assert store.refunds.nearest_deadline(shop.id + 1) is None


def test_the_nearest_deadline_is_of_the_requests_waiting_on_the_merchant(store, shop):
    store.refunds.upsert(
        shop.id,
        [refund(1, expireTime=T0 + HOUR, negotiateStatus=2, status=30), refund(2, expireTime=None)],
        seen_at=T0,
        merchant_turn=waiting,
    )
    assert store.refunds.nearest_deadline(shop.id) is None  # the one with a deadline is not waiting


def test_a_failed_transaction_leaves_nothing_behind(store, shop):
    with pytest.raises(RuntimeError), store.transaction():
        store.refunds.upsert(shop.id, [refund()], seen_at=T0, merchant_turn=waiting)
        store.settings.set("inside", 1)
        raise RuntimeError("half-way")
    assert store.refunds.count(shop.id) == 0 and store.history.observation_count() == 0
    assert store.settings.get("inside") is None


def test_sql_mistakes_are_bugs_not_environmental_errors(store):
    with pytest.raises(sqlite3.OperationalError, match="no such column"), store.transaction() as conn:
        conn.execute("SELECT no_such_column FROM refunds")
    with pytest.raises(ValueError, match="unknown shop fields: access_token"):
        store.shops.add(base_url="http://x", access_token="tok")


def test_journal_plan_mark_and_open_entries(store, shop):
    first = store.journal.plan(shop.id, 1, "approve_refund", {"refund_amount": 1990}, batch="b1")
    second = store.journal.plan(shop.id, 2, "reject", {"reason_code": 3})
    store.journal.mark(first, "sent")
    store.journal.mark(second, "sent")
    store.journal.mark(second, "done", result={"ok": True})
    open_entries = store.journal.open_entries(shop.id)
    assert [(e.id, e.state, e.params, e.batch) for e in open_entries] == [
        (first, "sent", {"refund_amount": 1990}, "b1")
    ]
    done = store.journal.entries(shop.id, refund_id=2)[0]
    assert done.state == "done" and done.result == {"ok": True} and done.updated_at >= done.created_at
    assert set(store.journal.action_times(shop.id, [1, 2, 3])) == {1, 2}
    store.journal.mark(first, "failed", error="300014 refund changed")
    assert store.journal.open_entries() == []
    with pytest.raises(ValueError, match="state must be one of"):
        store.journal.mark(first, "finished")
    with pytest.raises(KeyError):
        store.journal.mark(999, "done")


def test_the_journal_refuses_secret_parameters(store, shop):
    with pytest.raises(ValueError, match="access_token"):
        store.journal.plan(shop.id, 1, "approve_refund", {"access_token": "x"})
    assert store.journal.entries() == []


def test_each_notification_is_remembered_once_across_reopen(tmp_path):
    path = tmp_path / "n.sqlite3"
    with open_store(path) as store:
        shop = store.shops.add(base_url="http://x", seller_id=1)
        assert store.notifications.mark(shop.id, 7, "2h", at=T0) is True
        assert store.notifications.mark(shop.id, 7, "2h", at=T0 + 1) is False
        assert store.notifications.mark(shop.id, 7, "30m", at=T0 + 2) is True
    with open_store(path) as store:
        assert store.notifications.was_sent(shop.id, 7, "2h") and not store.notifications.was_sent(
            shop.id, 8, "2h"
        )
        assert store.notifications.sent(shop.id) == {(7, "2h"), (7, "30m")}


def test_settings_comments_and_score_snapshots(store, shop):
    store.settings.set("poll_minutes", 5)
    store.settings.set("tiers", [24, 6, 2])
    assert store.settings.get("poll_minutes") == 5 and store.settings.get("tiers") == [24, 6, 2]
    store.settings.set("poll_minutes", None)
    assert store.settings.get("poll_minutes", "default") == "default"

    store.refunds.upsert(shop.id, [refund()], seen_at=T0, merchant_turn=waiting)
    history = [
        NegotiationComment(title="买家发起仅退款", role=1, create_time=T0),
        NegotiationComment(title="系统自动同意退款", role=3, create_time=T0 + 48 * HOUR),
    ]
    store.history.save_comments(shop.id, 2100000012345678, history, at=T0 + 49 * HOUR)
    assert [c["title"] for c in store.history.comments(shop.id, 2100000012345678)] == [
        "买家发起仅退款",
        "系统自动同意退款",
    ]
    assert store.refunds.get(shop.id, 2100000012345678).comments_fetched_at == T0 + 49 * HOUR

    store.scores.add(
        shop.id,
        ShopScore(True, ScoreSummary("店铺体验分", "4.62"), (ScoreDimension("售后服务", "4.50"),)),
        at=T0,
    )
    store.scores.add(shop.id, ShopScore(True, ScoreSummary("店铺体验分", "4.70"), ()), at=T0 + HOUR)
    latest = store.scores.latest(shop.id)
    assert latest.score_str == "4.70" and latest.fetched_at == T0 + HOUR and latest.dimensions == ()


def test_deleting_a_shop_deletes_everything_of_it(store, shop):
    store.refunds.upsert(shop.id, [refund()], seen_at=T0, merchant_turn=waiting)
    store.journal.plan(shop.id, 2100000012345678, "approve_refund", {})
    store.notifications.mark(shop.id, 2100000012345678, "2h", at=T0)
    store.shops.delete(shop.id)
    with store.transaction() as conn:
        for table in ("refunds", "refund_raw", "observations", "actions", "notifications"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_writes_from_many_threads_are_serialised_and_readers_see_commits(store, shop):
    errors: list[BaseException] = []

    def writer(base: int) -> None:
        try:
            for i in range(20):
                store.refunds.upsert(shop.id, [refund(base + i)], seen_at=T0, merchant_turn=waiting)
                store.refunds.count(shop.id)  # a read on this thread's own connection
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n * 1000,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.refunds.count(shop.id) == 80 and store.history.observation_count(shop.id) == 80


def test_a_database_locked_by_another_program_is_an_environmental_error(tmp_path):
    path = tmp_path / "locked.sqlite3"
    open_store(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable) as info:
            Store(path, busy_timeout_s=0.05).settings.set("x", 1)
        assert info.value.reason == "locked"
        assert "another program" in info.value.message or "其他程序" in info.value.message
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_full_disk_is_an_environmental_error(store, shop):
    with store.transaction() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreUnavailable) as info:
        store.refunds.upsert(
            shop.id,
            [refund(i, refundDesc="很长的描述" * 200) for i in range(200)],
            seen_at=T0,
            merchant_turn=waiting,
        )
    assert info.value.reason == "full"
    assert store.refunds.count(shop.id) == 0  # the failed transaction left nothing half-written


def test_batch_readers_for_the_classifier(store, shop):
    store.refunds.upsert(shop.id, [refund(1), refund(2), refund(3)], seen_at=T0, merchant_turn=waiting)
    store.refunds.upsert(
        shop.id,
        [refund(1, status=60, negotiateStatus=2, updateTime=T0 + HOUR)],
        seen_at=T0 + HOUR,
        merchant_turn=waiting,
    )
    history = store.history.observations_for(shop.id, [1, 2, 99])
    assert [o.status for o in history[1]] == [10, 60] and len(history[2]) == 1 and 99 not in history

    store.history.save_comments(shop.id, 2, [], at=T0)  # fetched, and empty
    store.history.save_comments(
        shop.id, 3, [NegotiationComment(title="系统自动同意退款", role=3, create_time=T0)], at=T0
    )
    comments = store.history.comments_for(shop.id, [1, 2, 3])
    assert 1 not in comments and comments[2] == [] and comments[3][0]["role"] == 3

    done = store.journal.plan(shop.id, 3, "approve_refund", {})
    failed = store.journal.plan(shop.id, 3, "reject", {})
    store.journal.mark(done, "done")
    store.journal.mark(failed, "failed")  # a refused send is not an action on the refund
    times = store.journal.action_times(shop.id, [1, 3])
    assert list(times) == [3] and len(times[3]) == 1


def test_decisions_made_on_insert_are_written_with_the_row(store, shop):
    def decide(r, seen_at):
        return Decision(r.refund_id, "handled_in_time", "heuristic_times", decided_at=r.end_time)

    closed = refund(5, status=60, negotiateStatus=2, endTime=T0 + HOUR, updateTime=T0 + HOUR)
    store.refunds.upsert(shop.id, [closed, refund(6)], seen_at=T0, merchant_turn=waiting, decide_new=decide)
    stored = store.refunds.get(shop.id, 5)
    assert (stored.outcome, stored.decided_by, stored.decided_at) == (
        "handled_in_time",
        "heuristic_times",
        T0 + HOUR,
    )
    assert store.classification.unclassified(shop.id) == []
    # only first sightings are decided on insert: a later change leaves the decision to the sync
    store.refunds.upsert(
        shop.id,
        [refund(6, status=70, negotiateStatus=0, updateTime=T0 + 2 * HOUR)],
        seen_at=T0 + 2 * HOUR,
        merchant_turn=waiting,
        decide_new=decide,
    )
    assert store.refunds.get(shop.id, 6).outcome is None
    recent = store.classification.needing_history(
        shop.id, rules=["heuristic_times"], closed_since=T0, limit=10
    )
    assert [r.refund_id for r in recent] == [5]


def test_auto_approved_steps_are_replaced_not_added_so_each_counts_once(store, shop):
    rid = 2100000012345678
    store.refunds.upsert(shop.id, [refund()], seen_at=T0, merchant_turn=waiting)
    assert [r.refund_id for r in store.classification.unclassified(shop.id)] == [
        rid
    ]  # seen waiting: to classify
    store.classification.save(shop.id, [Decision(rid, "pending", "status")], at=T0)
    assert (
        store.classification.unclassified(shop.id) == []
        and store.classification.auto_approvals(shop.id) == []
    )

    review = AutoStep(T0 + 48 * HOUR, "certain", "observed", "review_return", T0 + 48 * HOUR, T0 + 48 * HOUR)
    open_decision = Decision(
        rid,
        "auto_approved_overdue",
        "observed",
        "certain",
        deadline_at=review.at,
        overdue_at=review.at,
        decided_at=review.at,
        steps=(review,),
    )
    store.refunds.upsert(
        shop.id,
        [refund(status=30, negotiateStatus=2, updateTime=T0 + 48 * HOUR)],
        seen_at=T0 + 49 * HOUR,
        merchant_turn=waiting,
    )
    assert [r.refund_id for r in store.classification.unclassified(shop.id)] == [
        rid
    ]  # left the merchant's turn
    store.classification.save(shop.id, [open_decision], at=T0 + 49 * HOUR)
    store.classification.save(shop.id, [open_decision], at=T0 + 50 * HOUR)  # again: still one row
    (step,) = store.classification.auto_approvals(shop.id)
    assert (step.refund_id, step.at, step.stage, step.handling_way, step.certainty) == (
        rid,
        review.at,
        "review_return",
        10,
        "certain",
    )

    receipt = AutoStep(
        T0 + 200 * HOUR, "certain", "observed", "confirm_receipt", T0 + 200 * HOUR, T0 + 200 * HOUR
    )
    closed = Decision(
        rid,
        "auto_approved_overdue",
        "observed",
        "certain",
        deadline_at=review.at,
        overdue_at=review.at,
        decided_at=review.at,
        steps=(review, receipt),
    )
    store.classification.save(shop.id, [closed], at=T0 + 201 * HOUR)
    assert [s.at for s in store.classification.auto_approvals(shop.id)] == [review.at, receipt.at]
    assert [s.at for s in store.classification.auto_approvals(shop.id, since=review.at)] == [receipt.at]
    # a later decision that finds no auto-approval takes the steps away
    store.classification.save(
        shop.id, [Decision(rid, "handled_in_time", "history_system")], at=T0 + 202 * HOUR
    )
    assert store.classification.auto_approvals(shop.id) == []


def test_an_auto_approved_decision_without_explicit_steps_stores_its_own(store, shop):
    store.refunds.upsert(
        shop.id,
        [refund(status=60, negotiateStatus=2, endTime=T0 + 50 * HOUR)],
        seen_at=T0 + 51 * HOUR,
        merchant_turn=waiting,
        decide_new=lambda r, seen: Decision(
            r.refund_id,
            "auto_approved_overdue",
            "heuristic_times",
            "likely",
            deadline_at=T0 + 48 * HOUR,
            overdue_at=T0 + 48 * HOUR,
        ),
    )
    (step,) = store.classification.auto_approvals(shop.id)
    assert (step.at, step.certainty, step.decided_by, step.stage) == (
        T0 + 48 * HOUR,
        "likely",
        "heuristic_times",
        None,
    )


def test_a_large_batch_of_new_refunds_is_stored_whole_with_one_observation_each(store, shop):
    # more rows than one multi-row statement takes, and a count that is not a power of two
    batch = [
        refund(
            i,
            status=60 if i % 3 else 10,
            negotiateStatus=2 if i % 3 else 1,
            updateTime=T0 + i,
            refundDesc=None if i % 2 else f"描述 {i}",
        )
        for i in range(1, 702)
    ]
    store.refunds.upsert(shop.id, batch[:100], seen_at=T0, merchant_turn=waiting)
    stats = store.refunds.upsert(
        shop.id,
        [refund(5, status=70, updateTime=T0 + HOUR), *batch[100:]],
        seen_at=T0 + HOUR,
        merchant_turn=waiting,
    )
    assert (stats.new, stats.changed, stats.unchanged, stats.closed) == (601, 1, 0, ())
    assert store.refunds.count(shop.id) == 701 and store.history.observation_count(shop.id) == 702
    for r in (batch[0], batch[255], batch[256], batch[700]):
        stored = store.refunds.get(shop.id, r.refund_id)
        assert (stored.status, stored.update_time, stored.refund_desc) == (
            r.status,
            r.update_time,
            r.refund_desc,
        )
        assert stored.merchant_turn is waiting(r) and stored.first_seen_at == (
            T0 if r.refund_id <= 100 else T0 + HOUR
        )
        (obs,) = store.history.observations(shop.id, r.refund_id)
        assert (obs.status, obs.negotiate_status, obs.handling_way, obs.expire_time, obs.update_time) == (
            r.status,
            r.negotiate_status,
            r.handling_way,
            r.expire_time,
            r.update_time,
        )
        assert obs.seen_at == stored.first_seen_at
        assert store.refunds.raw(shop.id, r.refund_id)[0] == r.raw
    assert [o.status for o in store.history.observations(shop.id, 5)] == [60, 70]


def test_the_raw_json_of_list_items_is_taken_from_the_pages_they_came_from(store, shop):
    def page(*items):
        envelope = {"result": 1, "data": {"pcursor": "nomore", "refundOrderInfoList": list(items)}}
        return json.dumps(envelope, ensure_ascii=False).encode(), "$.data.refundOrderInfoList"

    first = {
        "refundId": 11,
        "status": 10,
        "negotiateStatus": 1,
        "skuNick": "加绒卫衣",
        "brandNewField": [1, 2],
    }
    again = {**first, "urgeTimes": 1}
    other = {"refundId": "12", "status": 60, "refundFee": 1990}
    pages = [page(first, other), page(again)]
    records = [
        parse(Refund, item) for body, _ in pages for item in json.loads(body)["data"]["refundOrderInfoList"]
    ]
    store.refunds.upsert(shop.id, records, seen_at=T0, merchant_turn=waiting, raw_pages=pages)
    assert store.refunds.raw(shop.id, 11) == (again, None)  # on two pages: the last one, as the row
    assert store.refunds.get(shop.id, 11).urge_times == 1
    assert store.refunds.raw(shop.id, 12) == (other, None)

    with pytest.raises(ValueError, match="items"):
        store.refunds.upsert(shop.id, [refund(13)], seen_at=T0, merchant_turn=waiting, raw_pages=[page()])
    assert store.refunds.get(shop.id, 13) is None  # nothing half-written


def test_role_values_seen_in_the_histories(store):
    from desktop.core.kuaishou.models import NegotiationComment, Refund

    shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=77)
    store.refunds.upsert(shop.id, [Refund(refund_id=5), Refund(refund_id=6)], seen_at=1)
    store.history.save_comments(
        shop.id,
        5,
        [
            NegotiationComment("买家发起退款申请", 1, 1_700_000_000_000),
            NegotiationComment("商家超时未处理，系统自动同意", 3, 1_700_000_100_000),
            NegotiationComment("退款成功", 3, 1_700_000_200_000),
        ],
        at=1,
    )
    store.history.save_comments(
        shop.id, 6, [NegotiationComment("商家超时未处理，系统自动同意", 3, 1_700_000_300_000)], at=1
    )
    seen = {r.role: r for r in store.history.role_values(shop.id)}
    assert set(seen) == {1, 3}
    assert (seen[3].entries, seen[3].requests, seen[3].last_at) == (3, 2, 1_700_000_300_000)
    assert seen[3].titles[0] == "商家超时未处理，系统自动同意"
    assert (seen[1].entries, seen[1].requests) == (1, 1)
    assert store.history.role_values(shop.id + 1) == []


def _open_files() -> int:
    import os

    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def test_reads_from_ever_new_threads_reuse_a_few_connections(store, shop):
    """A thread pool retires idle threads and starts new ones: reads from 200 short-lived threads
    (8 at a time) must not open a connection (a file handle) per thread."""
    import desktop.core.store.database as database

    store.refunds.upsert(shop.id, [refund(1)], seen_at=T0, merchant_turn=waiting)
    store.refunds.count(shop.id)
    before = _open_files()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(5):
                assert store.refunds.count(shop.id) == 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    for _round in range(25):
        threads = [threading.Thread(target=read) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert store.connection_count() <= 1 + database.MAX_READERS
    if before:
        assert _open_files() - before <= 2 * database.MAX_READERS  # each connection: the db and its WAL


def test_close_closes_every_reader_and_reads_after_close_are_refused(tmp_path):
    from desktop.core.store import StoreError
    from desktop.core.store.database import open_stores

    before = _open_files()
    st = open_store(tmp_path / "s.sqlite3")
    assert st in open_stores()
    barrier = threading.Barrier(4)

    def read() -> None:
        barrier.wait()
        st.settings.get("x")

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert st.connection_count() >= 2
    st.close()
    assert st.connection_count() == 0 and st not in open_stores()
    if before:
        assert _open_files() == before
    with pytest.raises(StoreError):
        st.settings.get("x")


def test_a_read_waits_for_a_reader_when_all_are_lent(store):
    import desktop.core.store.database as database

    release = threading.Event()
    lent = threading.Semaphore(0)

    def hold() -> None:
        with store._reader():
            lent.release()
            release.wait(5)

    holders = [threading.Thread(target=hold) for _ in range(database.MAX_READERS)]
    for t in holders:
        t.start()
    for _ in holders:
        assert lent.acquire(timeout=5)
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(store.settings.get("k", "default")))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and got == []  # no fifth connection: it waits
    release.set()
    waiter.join(5)
    for t in holders:
        t.join()
    assert got == ["default"] and store.connection_count() <= 1 + database.MAX_READERS
