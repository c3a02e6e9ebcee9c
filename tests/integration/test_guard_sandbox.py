"""The guard against the sandbox over real HTTP with a simulated clock.

The app's local clock runs 50 minutes behind the gateway (more than the 45-minute lead time), so a
guard that ignored the measured server-clock offset would act after the deadlines. The run is driven
the way the app drives it: a sync every 30 simulated minutes (a long poll interval) plus a wake-up at
each time :func:`next_wakeups` asks for (each guarded request's pre-notice and act time); each wake-up
syncs, sends the pre-notice and runs the guard.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from desktop.core.actions import ActionEngine
from desktop.core.guard import (
    Guard,
    GuardPolicy,
    next_wakeups,
    pre_notice,
    save_policy,
    set_hold,
    usage_today,
)
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import open_store
from desktop.core.sync import Syncer
from desktop.sandbox import Sandbox

APPROVE = "open.seller.order.refund.approve"
ACTIONS = {
    APPROVE,
    "open.seller.order.refund.returngoods.approve",
    "open.seller.order.refund.confirm.receipt",
    "open.refund.reject",
}
SKEW_S = 50 * 60  # the local clock is this far behind the gateway's
# 09:00 Beijing time: the whole simulated run stays within one day (one set of daily caps)
START = datetime(2026, 11, 26, 9, 0, tzinfo=timezone(timedelta(hours=8))).timestamp()
MIN = 60_000
POLL_MS = 30 * MIN


@pytest.fixture
def world(app_home):
    t0 = time.time()
    with Sandbox(demo_data=False, buyer_ships_after_s=None, clock=lambda: START + (time.time() - t0)) as sb:
        c = sb.credentials
        creds = Credentials(
            app_key=c.app_key,
            sign_secret=c.sign_secret,
            access_token=c.access_token,
            sign_method=c.sign_method,
        )
        local = lambda: sb.now_ms() / 1000 - SKEW_S  # noqa: E731 - the app's (skewed) clock
        store = open_store()
        client = KuaishouClient(creds, base_url=sb.base_url, qps=1000, clock=local)
        try:
            yield sb, store, client, local
        finally:
            client.close()
            store.close()


def _deadline(sb, minutes: float) -> int:
    return sb.now_ms() + int(minutes * MIN)


def test_guard_agrees_every_request_inside_the_policy_before_its_deadline(world):
    sb, store, client, local = world
    rules = load_default_rules()
    shop = store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id, name="山河优选")
    # inside the policy: refund-only, at most ¥200, not held, within the daily cap of 3
    inside = [
        sb.add_refund(handlingWay=10, refundFee=fee, expireTime=_deadline(sb, m))["refundId"]
        for fee, m in ((5_000, 70), (19_900, 130), (4_000, 200))
    ]
    other_stage = sb.add_refund(handlingWay=1, status=11, refundFee=3_000, expireTime=_deadline(sb, 100))[
        "refundId"
    ]
    too_big = sb.add_refund(handlingWay=10, refundFee=20_001, expireTime=_deadline(sb, 110))["refundId"]
    held = sb.add_refund(handlingWay=10, refundFee=1_000, expireTime=_deadline(sb, 150))["refundId"]
    past_cap = sb.add_refund(handlingWay=10, refundFee=1_500, expireTime=_deadline(sb, 240))["refundId"]
    deadlines = {rid: sb.refunds[rid]["expireTime"] for rid in sb.refunds}
    outside = {other_stage: "stage", too_big: "amount", held: "held", past_cap: "cap"}

    policy = GuardPolicy(
        enabled=True,
        stages=("review_refund_only",),
        lead_minutes=45,
        max_fee_fen=20_000,
        daily_count=3,
        daily_fen=200_000,
    )
    save_policy(store, shop.id, policy)
    set_hold(store, shop.id, [held])
    syncer = Syncer(client, store, rules, shop_id=shop.id, clock=local)
    guard = Guard(
        ActionEngine(client, store, shop_id=shop.id, qps=200, settle_s=0, clock=local), rules, clock=local
    )

    notices = []  # (local ms, refund ids)
    reported: dict[int, set[str]] = {}
    now = int(local() * 1000)
    next_sync = now
    end = now + 5 * 60 * MIN
    while now < end:
        syncer.run()
        notice = pre_notice(store, shop.id, rules, policy, now_ms=now)
        if notice is not None:
            notices.append((now, set(notice.refund_ids)))
            assert "¥" in notice.text
        report = guard.run(policy)
        for c in report.considered:
            reported.setdefault(c.refund_id, set()).add(c.code or c.outcome)
        if now >= next_sync:
            next_sync = now + POLL_MS
        wakeups = [t for t in next_wakeups(store, shop.id, rules, policy, now_ms=now) if t > now]
        wake = min([next_sync, end, *wakeups])
        sb.advance((wake - now) / 1000)
        now = int(local() * 1000)

    approvals = [e for e in sb.call_log if e["method"] in ACTIONS and e["result"] == 1]
    assert Counter(e["params"]["refundId"] for e in approvals) == Counter(inside)  # once each
    for e in approvals:
        assert e["method"] == APPROVE
        rid = e["params"]["refundId"]
        assert e["at_ms"] < deadlines[rid]  # before the deadline, on the gateway's clock
        assert deadlines[rid] - e["at_ms"] <= 45 * MIN + 60_000  # only in the last minutes
        assert not any("超时" in c["title"] for c in sb.comments(rid))  # never auto-approved
    for rid, code in outside.items():
        assert not [e for e in sb.call_log if e["method"] in ACTIONS and e["params"].get("refundId") == rid]
        assert code in reported[rid]  # reported with the reason
        assert any("超时" in c["title"] for c in sb.comments(rid))  # the platform auto-approved it
    # one pre-notice per guarded request, 15 minutes before the guard acted on it
    for rid in inside:
        sent = [t for t, ids in notices if rid in ids]
        assert len(sent) == 1
        act_local = deadlines[rid] - SKEW_S * 1000 - 45 * MIN
        assert act_local - sent[0] == pytest.approx(15 * MIN, abs=90_000)
    assert past_cap not in set().union(*(ids for _t, ids in notices))
    used = usage_today(store, shop.id, now_ms=now, server_offset_ms=SKEW_S * 1000)
    assert used.count == 3
    # every guard action is in the journal marked as the guard's with the policy that allowed it
    entries = [e for e in store.journal.entries(shop.id) if e.state == "done"]
    assert {e.refund_id for e in entries} == set(inside)
    assert all(
        e.params["origin"]["by"] == "guard" and e.params["origin"]["policy"] == policy.to_json()
        for e in entries
    )


def test_guard_never_acts_on_stale_data(world):
    sb, store, client, local = world
    rules = load_default_rules()
    shop = store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id, name="山河优选")
    rid = sb.add_refund(handlingWay=10, refundFee=2_000, expireTime=_deadline(sb, 30))["refundId"]
    Syncer(client, store, rules, shop_id=shop.id, clock=local).run()
    sb.advance(6 * 60)  # the last successful read is now 6 minutes old (> 5)
    policy = GuardPolicy(enabled=True)
    report = Guard(
        ActionEngine(client, store, shop_id=shop.id, qps=200, settle_s=0, clock=local), rules, clock=local
    ).run(policy)
    assert [(c.refund_id, c.outcome, c.code) for c in report.considered] == [(rid, "skipped", "stale")]
    assert not [e for e in sb.call_log if e["method"] in ACTIONS]


def test_guard_reports_a_refund_that_moved_on_and_never_resends(world):
    sb, store, client, local = world
    rules = load_default_rules()
    shop = store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id, name="山河优选")
    rid = sb.add_refund(handlingWay=10, refundFee=2_000, expireTime=_deadline(sb, 30))["refundId"]
    Syncer(client, store, rules, shop_id=shop.id, clock=local).run()
    # the buyer cancelled after the last sync: the fresh re-read sees it
    sb.update_refund(rid, status=70, negotiateStatus=0, endTime=sb.now_ms())
    guard = Guard(
        ActionEngine(client, store, shop_id=shop.id, qps=200, settle_s=0, clock=local), rules, clock=local
    )
    report = guard.run(GuardPolicy(enabled=True))
    assert [(c.refund_id, c.outcome) for c in report.considered] == [(rid, "changed")]
    assert not [e for e in sb.call_log if e["method"] in ACTIONS]


def test_guard_never_acts_on_an_unreadable_refund(world):
    sb, store, client, local = world
    rules = load_default_rules()
    shop = store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id, name="山河优选")
    rid = sb.add_refund(handlingWay=10, refundFee=2_000, expireTime=_deadline(sb, 30))["refundId"]
    Syncer(client, store, rules, shop_id=shop.id, clock=local).run()
    sb.inject_fault("open.seller.order.refund.detail", "result", result=22, error_msg="系统繁忙", times=None)
    guard = Guard(
        ActionEngine(client, store, shop_id=shop.id, qps=200, settle_s=0, clock=local), rules, clock=local
    )
    report = guard.run(GuardPolicy(enabled=True))
    ((got_id, outcome, code),) = [(c.refund_id, c.outcome, c.code) for c in report.considered]
    assert (got_id, outcome, code) == (rid, "skipped", "unreadable")
    assert not [e for e in sb.call_log if e["method"] in ACTIONS]


def test_a_refund_moved_on_answer_is_read_again_and_sent_once_more_only_while_valid(world):
    sb, store, client, local = world
    rules = load_default_rules()
    shop = store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id, name="山河优选")
    rid = sb.add_refund(handlingWay=10, refundFee=2_000, expireTime=_deadline(sb, 30))["refundId"]
    Syncer(client, store, rules, shop_id=shop.id, clock=local).run()
    sb.inject_fault(
        "open.seller.order.refund.approve",
        "result",
        times=2,
        result=300014,
        error_msg="退款单状态已更新，请刷新重试",
    )
    guard = Guard(
        ActionEngine(client, store, shop_id=shop.id, qps=200, settle_s=0, clock=local), rules, clock=local
    )
    # "moved on": read again; the same approval is still valid, so it is sent once more — and
    # when that is refused too, never a third time in the run
    report = guard.run(GuardPolicy(enabled=True))
    ((c,),) = [report.considered]
    assert (c.refund_id, c.outcome) == (rid, "changed") and c.reason
    assert [e["result"] for e in sb.call_log if e["method"] in ACTIONS] == [300014, 300014]
    # the next run reads it again and agrees it (it is still due): the first send that lands
    report = guard.run(GuardPolicy(enabled=True))
    assert [x.outcome for x in report.considered] == ["approved"]
    assert [e["result"] for e in sb.call_log if e["method"] in ACTIONS] == [300014, 300014, 1]
