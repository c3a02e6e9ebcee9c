import datetime as dt

import pytest

from desktop.core import i18n
from desktop.core.alerts import (
    HOUR_MS,
    MINUTE_MS,
    AlertItem,
    AlertPolicy,
    QuietHours,
    plan_alerts,
    threshold_key,
)

TZ = dt.timezone(dt.timedelta(hours=8))
NOON = dt.datetime(2026, 11, 26, 12, 0, tzinfo=TZ)


def ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def item(refund_id, left_ms, *, now=NOON, fee=1000, shop=1):
    return AlertItem(shop, refund_id, ms(now) + left_ms, fee)


class Memory:
    """Plays the store's notifications table: remembers what the planner asked to remember."""

    def __init__(self):
        self.keys = set()
        self.shown = []

    def run(self, pending, now, policy=AlertPolicy(), **kw):
        plan = plan_alerts(pending, self.keys, now, policy, **kw)
        self.keys.update(plan.remember)
        self.shown.extend(plan.digests)
        return plan


def test_each_threshold_fires_once_as_the_deadline_approaches():
    mem = Memory()
    deadline = NOON + dt.timedelta(hours=30)
    req = AlertItem(1, 7, ms(deadline), 1990)
    fired = []
    t = NOON
    while t < deadline + dt.timedelta(hours=1):
        for d in mem.run([req], t).digests:
            fired.append(d.threshold_ms)
        t += dt.timedelta(minutes=5)
    assert fired == [24 * HOUR_MS, 6 * HOUR_MS, 2 * HOUR_MS, 30 * MINUTE_MS]


def test_first_seen_late_only_the_tightest_tier_fires_and_looser_never_later():
    mem = Memory()
    plan = mem.run([item(1, 90 * MINUTE_MS)], NOON)
    assert [d.threshold_ms for d in plan.digests] == [2 * HOUR_MS]
    assert {k for (_, _, k) in plan.remember} == {
        threshold_key(t) for t in (24 * HOUR_MS, 6 * HOUR_MS, 2 * HOUR_MS)
    }
    # nothing more until the 30-minute tier
    assert mem.run([item(1, 90 * MINUTE_MS)], NOON + dt.timedelta(minutes=30)).digests == ()
    later = NOON + dt.timedelta(minutes=61)
    assert [d.threshold_ms for d in mem.run([item(1, 90 * MINUTE_MS)], later).digests] == [30 * MINUTE_MS]


def test_remembered_alerts_survive_a_restart():
    first = Memory()
    first.run([item(1, HOUR_MS)], NOON)
    restarted = Memory()
    restarted.keys = set(first.keys)  # what the store kept
    assert restarted.run([item(1, HOUR_MS)], NOON + dt.timedelta(seconds=1)).digests == ()


def test_several_due_at_once_make_one_digest_with_count_and_money():
    i18n.set_language("en")
    try:
        plan = Memory().run(
            [
                item(1, HOUR_MS, fee=1000),
                item(2, 50 * MINUTE_MS, fee=23000),
                item(3, 100 * MINUTE_MS, fee=99000),
            ],
            NOON,
        )
        assert len(plan.digests) == 1
        d = plan.digests[0]
        assert [i.refund_id for i in d.items] == [2, 1, 3]  # soonest first
        assert d.total_fee == 123000
        assert d.text() == "3 request(s) expire within 2 h, ¥1,230.00"
    finally:
        i18n.set_language("zh_CN")


def test_several_tiers_at_once_are_one_digest_that_counts_each_tier():
    i18n.set_language("en")
    try:
        plan = Memory().run(
            [item(1, 20 * MINUTE_MS, fee=100), item(2, 5 * HOUR_MS, fee=200), item(3, 20 * HOUR_MS, fee=300)],
            NOON,
        )
        assert len(plan.digests) == 1
        d = plan.digests[0]
        assert d.threshold_ms == 30 * MINUTE_MS and d.critical
        assert (
            d.text()
            == "3 request(s) near their deadline, ¥6.00: 1 within 30 min, 1 within 6 h, 1 within 24 h"
        )
    finally:
        i18n.set_language("zh_CN")


def test_overdue_and_far_requests_do_not_alert():
    assert Memory().run([item(1, -MINUTE_MS), item(2, 25 * HOUR_MS)], NOON).digests == ()


def test_pause_holds_back_and_nothing_is_lost_after_it():
    mem = Memory()
    policy = AlertPolicy(paused_until_ms=ms(NOON + dt.timedelta(hours=1)))
    plan = mem.run([item(1, 3 * HOUR_MS)], NOON, policy)
    assert plan.digests == () and plan.remember == () and plan.held_back == "paused"
    after = mem.run([item(1, 3 * HOUR_MS)], NOON + dt.timedelta(hours=1, minutes=5), policy)
    assert [d.threshold_ms for d in after.digests] == [2 * HOUR_MS]


QUIET = QuietHours(dt.time(22, 0), dt.time(8, 0))


def test_quiet_hours_span_midnight():
    assert QUIET.contains(dt.datetime(2026, 11, 26, 23, 0, tzinfo=TZ))
    assert QUIET.contains(dt.datetime(2026, 11, 27, 7, 59, tzinfo=TZ))
    assert not QUIET.contains(dt.datetime(2026, 11, 27, 8, 0, tzinfo=TZ))
    assert not QUIET.contains(NOON)


def test_no_popups_inside_quiet_hours():
    mem = Memory()
    night = dt.datetime(2026, 11, 26, 23, 30, tzinfo=TZ)
    plan = mem.run([item(1, HOUR_MS, now=night)], night, AlertPolicy(quiet=QUIET))
    assert plan.digests == () and plan.held_back == "quiet"


def test_pre_quiet_digest_lists_every_deadline_inside_the_quiet_hours_once():
    mem = Memory()
    policy = AlertPolicy(quiet=QUIET)
    t = dt.datetime(2026, 11, 26, 21, 40, tzinfo=TZ)  # 20 min before 22:00
    pending = [
        AlertItem(1, 1, ms(dt.datetime(2026, 11, 27, 3, 0, tzinfo=TZ)), 500),  # inside
        AlertItem(1, 2, ms(dt.datetime(2026, 11, 27, 7, 30, tzinfo=TZ)), 700),  # inside
        AlertItem(1, 3, ms(dt.datetime(2026, 11, 27, 9, 0, tzinfo=TZ)), 900),  # after
    ]
    plan = mem.run(pending, t, policy)
    pre = [d for d in plan.digests if d.kind == "pre_quiet"]
    assert len(pre) == 1 and [i.refund_id for i in pre[0].items] == [1, 2]
    assert pre[0].total_fee == 1200
    assert not [
        d for d in mem.run(pending, t + dt.timedelta(minutes=5), policy).digests if d.kind == "pre_quiet"
    ]


def test_pre_quiet_digest_not_sent_too_early():
    plan = Memory().run(
        [AlertItem(1, 1, ms(dt.datetime(2026, 11, 27, 3, 0, tzinfo=TZ)))],
        dt.datetime(2026, 11, 26, 20, 0, tzinfo=TZ),
        AlertPolicy(quiet=QUIET),
    )
    assert not [d for d in plan.digests if d.kind == "pre_quiet"]


def test_auto_approved_alert_once():
    mem = Memory()
    auto = [AlertItem(1, 9, ms(NOON) - HOUR_MS, 2590)]
    assert [d.kind for d in mem.run([], NOON, auto_approved=auto).digests] == ["auto_approved"]
    assert mem.run([], NOON, auto_approved=auto).digests == ()


def test_bad_thresholds_refused():
    with pytest.raises(ValueError):
        AlertPolicy(thresholds_ms=(0,))


def test_items_from_rows_keep_the_merchants_and_move_deadlines_to_the_local_clock():
    from types import SimpleNamespace as Row

    from desktop.core.alerts import items_from_rows

    rows = [
        Row(
            shop_id=1, refund_id=1, expire_at_ms=10_000, refund_fee=500, product="茶", waits_on_merchant=True
        ),
        Row(shop_id=1, refund_id=2, expire_at_ms=10_000, refund_fee=500, product="", waits_on_merchant=False),
        Row(shop_id=1, refund_id=3, expire_at_ms=None, refund_fee=None, product="", waits_on_merchant=True),
    ]
    items = items_from_rows(rows, server_offset_ms=2_000)  # the platform's clock is 2 s ahead
    assert items == [AlertItem(1, 1, 8_000, 500, "茶")]


def test_tray_summary():
    from desktop.core.alerts import CRITICAL, OK, WARN, summarize

    kw = {"critical_ms": 2 * HOUR_MS, "warn_ms": 24 * HOUR_MS}
    assert summarize([], 0, **kw) == (OK, 0)
    assert summarize([AlertItem(1, 1, 30 * HOUR_MS)], 0, **kw) == (OK, 0)
    assert summarize([AlertItem(1, 1, 20 * HOUR_MS)], 0, **kw) == (WARN, 0)
    assert summarize(
        [AlertItem(1, 1, -5), AlertItem(1, 2, HOUR_MS), AlertItem(1, 3, 5 * HOUR_MS)], 0, **kw
    ) == (CRITICAL, 2)
