"""Warnings before auto-approval, on the Qt side, with a controllable clock."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.core.alerts import HOUR_MS, MINUTE_MS, AlertItem, AlertPolicy, QuietHours
from desktop.core.polling import PollPolicy
from desktop.ui.alerts import AlertBanner, AlertCenter, Notifier, Poller
from desktop.ui.tray import CRITICAL, TrayController, pause_until

T0 = dt.datetime(2026, 11, 26, 12, 0).astimezone().timestamp()


class Clock:
    def __init__(self, t=T0):
        self.t = t

    def __call__(self):
        return self.t

    def advance(self, seconds):
        self.t += seconds


def _seed(store, *refund_ids):
    """A shop with these refunds in the store (alerts are remembered per stored refund)."""
    from desktop.core.kuaishou.models import Refund

    shop = store.shops.find("http://127.0.0.1:1", 1) or store.shops.add(
        base_url="http://127.0.0.1:1", seller_id=1, name="店"
    )
    store.refunds.upsert(
        shop.id,
        [Refund(refund_id=r, status=10, negotiate_status=1, handling_way=10) for r in refund_ids],
        seen_at=int(T0 * 1000),
    )
    return shop.id


def _center(qtbot, store, clock, items, policy=None, banner=None):
    banner = banner or AlertBanner()
    qtbot.addWidget(banner)
    notifier = Notifier(None, banner)
    center = AlertCenter(
        store, notifier, items_fn=lambda: items, policy_fn=lambda: policy or AlertPolicy(), clock=clock
    )
    shown = []
    notifier.shown.connect(shown.extend)
    return center, notifier, banner, shown


def _evaluate(qtbot, center):
    with qtbot.waitSignal(center.evaluated, timeout=5000) as blocker:
        center.evaluate()
    return blocker.args[0]


def test_each_threshold_fires_once_also_across_a_restart(qtbot, store):
    clock = Clock()
    shop = _seed(store, 11)
    items = [AlertItem(shop, 11, int(T0 * 1000) + 3 * HOUR_MS, 1990)]
    center, _, _, shown = _center(qtbot, store, clock, items)
    _evaluate(qtbot, center)
    assert [d.threshold_ms for d in shown] == [6 * HOUR_MS]
    _evaluate(qtbot, center)
    assert len(shown) == 1  # not twice
    # a restart: a new center over the same store
    center2, _, _, shown2 = _center(qtbot, store, clock, items)
    _evaluate(qtbot, center2)
    assert shown2 == []
    clock.advance(1.5 * 3600)  # 1.5 h left: the 2 h tier
    _evaluate(qtbot, center2)
    assert [d.threshold_ms for d in shown2] == [2 * HOUR_MS]


def test_digest_and_click_selects_those_requests(qtbot, store):
    clock = Clock()
    _seed(store, 1, 2)
    now_ms = int(T0 * 1000)
    items = [AlertItem(1, 1, now_ms + 30 * MINUTE_MS, 100), AlertItem(1, 2, now_ms + 90 * MINUTE_MS, 200)]
    center, notifier, banner, shown = _center(qtbot, store, clock, items)
    _evaluate(qtbot, center)
    # the 30 min one and the 90 min one are in different tiers, yet ONE notification
    assert len(shown) == 1
    assert shown[0].tiers == (30 * MINUTE_MS, 2 * HOUR_MS)
    assert not banner.isHidden()
    assert "2 request(s) near their deadline" in banner.text.text() or "2 个售后单" in banner.text.text()
    with qtbot.waitSignal(notifier.clicked) as clicked:
        banner.show_button.click()
    assert clicked.args[0] == [(1, 1), (1, 2)]  # every request of the notification


def test_pause_and_quiet_hours_hold_back_alerts(qtbot, store):
    clock = Clock()
    _seed(store, 5, 6)
    items = [AlertItem(1, 5, int(T0 * 1000) + HOUR_MS, 100)]
    paused = AlertPolicy(paused_until_ms=int(T0 * 1000) + 10 * MINUTE_MS)
    center, _, _, shown = _center(qtbot, store, clock, items, paused)
    plan = _evaluate(qtbot, center)
    assert shown == [] and plan.held_back == "paused"
    clock.advance(11 * 60)
    _evaluate(qtbot, center)
    assert len(shown) == 1

    now = dt.datetime.fromtimestamp(T0).astimezone()
    quiet = QuietHours((now - dt.timedelta(hours=1)).time(), (now + dt.timedelta(hours=2)).time())
    center_q, _, _, shown_q = _center(
        qtbot, store, clock, [AlertItem(1, 6, int(clock() * 1000) + HOUR_MS)], AlertPolicy(quiet=quiet)
    )
    assert _evaluate(qtbot, center_q).held_back == "quiet"
    assert shown_q == []


def test_auto_approved_alert_after_sync(qtbot, store):
    clock = Clock()
    _seed(store, 77)
    banner = AlertBanner()
    qtbot.addWidget(banner)
    notifier = Notifier(None, banner)
    center = AlertCenter(store, notifier, items_fn=list, policy_fn=AlertPolicy, clock=clock)
    shown = []
    notifier.shown.connect(shown.extend)
    auto = [AlertItem(1, 77, int(T0 * 1000) - HOUR_MS, 2590)]
    for _ in range(2):  # the same request reported by two syncs: alerted once
        with qtbot.waitSignal(center.evaluated, timeout=5000):
            center.auto_approved(auto)
    assert [d.kind for d in shown] == ["auto_approved"]


def test_without_a_tray_the_in_app_banner_shows_the_alert(qtbot, store):
    _seed(store, 9)
    tray = TrayController(available=False)
    assert tray.icon is None
    banner = AlertBanner()
    qtbot.addWidget(banner)
    notifier = Notifier(tray.icon, banner)
    center = AlertCenter(
        store,
        notifier,
        items_fn=lambda: [AlertItem(1, 9, int(T0 * 1000) + HOUR_MS, 5)],
        policy_fn=AlertPolicy,
        clock=Clock(),
    )
    with qtbot.waitSignal(center.evaluated, timeout=5000) as blocker:
        center.evaluate()
    _plan, summary = blocker.args
    assert not banner.isHidden()
    assert "2" in banner.text.text()
    assert summary == ("critical", 1)


def test_poller_speeds_up_near_a_deadline_and_backs_off_on_failure(qtbot):
    clock = Clock()
    poller = Poller(lambda: PollPolicy(interval_s=300, near_interval_s=60), clock=clock)
    due = []
    poller.sync_due.connect(lambda: due.append(clock()))
    poller.start()
    assert len(due) == 1 and poller.timer.isActive()  # the next one is already scheduled
    poller.set_nearest_deadline(int(clock() * 1000) + 10 * HOUR_MS)
    poller.finished(True)
    assert poller.timer.interval() == 300_000
    poller.set_nearest_deadline(int(clock() * 1000) + HOUR_MS)  # rows loaded: a deadline is near
    assert poller.timer.interval() == 60_000  # rescheduled sooner at once
    poller.finished(True)
    assert poller.timer.interval() == 60_000
    poller.set_nearest_deadline(None)
    intervals = []
    for _ in range(3):
        poller.request_sync()
        poller.finished(False)
        intervals.append(poller.timer.interval())
    assert intervals == [300_000, 600_000, 1_200_000]
    poller.request_sync()
    poller.finished(True)
    assert poller.timer.interval() == 300_000 and poller.failures == 0
    poller.stop()


def test_poller_syncs_at_once_after_sleep(qtbot):
    clock = Clock()
    poller = Poller(PollPolicy, clock=clock, heartbeat_ms=15_000)
    due = []
    poller.sync_due.connect(lambda: due.append(1))
    poller.start(sync_now=False)
    clock.advance(20)
    poller._beat()
    assert due == []
    clock.advance(3 * 3600)  # the laptop slept
    poller._beat()
    assert due == [1]
    poller.stop()


def test_pause_choices():
    now = dt.datetime(2026, 11, 26, 23, 10).astimezone()
    assert pause_until("hour", now) == now + dt.timedelta(hours=1)
    assert pause_until("tomorrow", now).replace(tzinfo=None) == dt.datetime(2026, 11, 27, 8, 0)
    with pytest.raises(ValueError):
        pause_until("forever", now)


@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_tray_state_and_menu_when_a_tray_exists(qtbot):
    tray = TrayController(available=True)
    try:
        tray.set_state(CRITICAL, 3)
        assert "3" in tray.icon.toolTip()
        with qtbot.waitSignal(tray.pause_requested) as paused:
            tray.pause_hour_action.trigger()
        assert paused.args[0] is not None
        with qtbot.waitSignal(tray.sync_requested):
            tray.sync_action.trigger()
    finally:
        tray.close()
