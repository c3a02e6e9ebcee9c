"""The guard in the whole demo app: the seller opens Settings → 售后兜底 from the menu, sees the
backtest change live as the policy is edited, enables it and presses OK; the guard then agrees the
demo requests inside the policy that are due, says so in one notification, marks them in the
action log, and sets its timer for the next guarded deadline."""

from __future__ import annotations

import argparse
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QTabWidget

from desktop import app as app_module
from desktop.core.actions.audit import audit_rows
from desktop.core.guard import holds, load_policy

TIMEOUT_MS = 30_000
APPROVE = "open.seller.order.refund.approve"


def _args(**kw) -> argparse.Namespace:
    defaults = {"demo": True, "no_error_dialogs": True, "lang": None, "data_dir": None, "command": None}
    defaults.update(kw)
    return argparse.Namespace(**defaults)


@pytest.fixture
def shell(qtbot, memory_keyring, app_home):
    shell = app_module.build(_args())
    assert shell is not None
    qtbot.waitUntil(lambda: shell.window is not None or shell.failed is not None, timeout=TIMEOUT_MS)
    assert shell.failed is None, shell.failed
    yield shell
    shell.shutdown()
    QApplication.processEvents()


@pytest.mark.slow
def test_enabling_the_guard_from_the_settings_acts_and_tells(qtbot, shell):
    window = shell.window
    sandbox = shell.backend.sandbox
    store = window.services.store
    qtbot.waitUntil(lambda: window.shop is not None and window.client is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window._last_fresh_ms is not None and not window.syncing, timeout=TIMEOUT_MS)
    shop = window.shop
    assert load_policy(store, shop.id) is None  # off until the seller enables it
    seen: dict[str, str] = {}
    shown: list = []
    shell.watch.notifier.shown.connect(shown.append)
    reports: list = []
    window.guard.ran.connect(reports.append)

    # the seller holds the soonest refund-only request from the guard, from the queue
    queue = window.queue_widget
    qtbot.waitUntil(lambda: queue.merchant_view.model.rowCount() > 0, timeout=TIMEOUT_MS)
    held = min(
        (r for r in store.refunds.waiting(shop.id) if r.handling_way == 10 and r.expire_time),
        key=lambda r: r.expire_time,
    ).refund_id
    queue.select_refunds([held])
    window.guard_holds.hold_action.trigger()
    qtbot.waitUntil(
        lambda: "1 个申请已设为暂不兜底" in window.statusBar().currentMessage(), timeout=TIMEOUT_MS
    )
    assert held in holds(store, shop.id)

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            fill(dialog)
        except BaseException as exc:  # never leave the modal dialog open: report the failure
            seen["error"] = repr(exc)
            dialog.reject()

    def fill(dialog) -> None:
        tabs = dialog.findChild(QTabWidget)
        index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "售后兜底")
        tabs.setCurrentIndex(index)
        page = tabs.widget(index)
        assert any("2023-05-09" in lb.text() for lb in page.findChildren(type(page.backtest)))  # why
        assert any(lb.text() == f"{shop.label} 的售后兜底" for lb in page.findChildren(type(page.backtest)))
        qtbot.waitUntil(lambda: "过去 90 天" in page.backtest.text(), timeout=TIMEOUT_MS)
        seen["refund_only"] = page.backtest.text()
        assert "所处阶段未纳入兜底" in seen["refund_only"]
        page.stages["review_return"].click()
        qtbot.waitUntil(lambda: page.backtest.text() != seen["refund_only"], timeout=TIMEOUT_MS)
        seen["with_returns"] = page.backtest.text()
        page.enabled.click()
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, drive)
    window.menus.settings_action.trigger()
    assert "error" not in seen, seen.get("error")
    assert seen.get("with_returns"), "the settings dialog was not driven"

    qtbot.waitUntil(lambda: (p := load_policy(store, shop.id)) is not None and p.enabled, timeout=TIMEOUT_MS)
    policy = load_policy(store, shop.id)
    assert policy.stages == ("review_refund_only", "review_return")
    # the guard ran at once: the due requests inside the policy were agreed, one call each
    qtbot.waitUntil(lambda: any(r.origin for r in audit_rows(store, shop.id)), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.guard._busy, timeout=TIMEOUT_MS)
    guarded = [r for r in audit_rows(store, shop.id) if r.origin]
    assert guarded and all(r.state == "done" and "售后兜底" in r.action_text for r in guarded)
    ids = [
        e["params"]["refundId"]
        for e in sandbox.call_log
        if e["method"].startswith("open.seller.order.refund.") and "approve" in e["method"]
    ]
    assert sorted(ids) == sorted(r.refund_id for r in guarded)  # none twice
    # one notification says what was done (the tray, or the in-app banner without one)
    qtbot.waitUntil(lambda: any(d.kind == "guard_result" for ds in shown for d in ds), timeout=TIMEOUT_MS)
    (result,) = [d for ds in shown for d in ds if d.kind == "guard_result"]
    assert result.text().startswith(f"售后兜底已在截止前同意 {len(guarded)} 个售后申请")
    assert {i.refund_id for i in result.items} == {r.refund_id for r in guarded}
    assert window.guard.next_wake_in_ms is not None  # the timer waits for the next guarded deadline
    # the forecast gains its second line: the level with the guard as configured
    from PySide6.QtWidgets import QLabel

    from desktop.ui.queue.risk_panel import RiskPanel

    panel = window.findChild(RiskPanel)
    qtbot.waitUntil(
        lambda: sum("启用兜底后：级别" in lb.text() for lb in panel.forecast_box.findChildren(QLabel)) == 3,
        timeout=TIMEOUT_MS,
    )
    # the held request was left alone, and reported as held
    assert held not in ids
    assert any(c.refund_id == held and c.outcome == "held" for r in reports for c in r.considered)


@pytest.mark.slow
def test_the_pre_notice_opens_its_requests_where_the_seller_can_hold_them(qtbot, shell):
    import datetime as dt

    from desktop.core.guard import GuardPolicy, save_policy, upcoming

    window = shell.window
    sandbox = shell.backend.sandbox
    store = window.services.store
    qtbot.waitUntil(lambda: window.shop is not None and window.client is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window._last_fresh_ms is not None and not window.syncing, timeout=TIMEOUT_MS)
    shop = window.shop
    # the deadline alerts are paused, so the banner shows the guard's notice alone
    shell.watch.prefs.set_paused_until(dt.datetime.now().astimezone() + dt.timedelta(hours=2))
    save_policy(store, shop.id, GuardPolicy(enabled=True))
    # the soonest refund-only request due in more than an hour: announced 15 minutes before the
    # guard would act, i.e. once less than 60 minutes are left
    target = min(
        (
            r
            for r in store.refunds.waiting(shop.id)
            if r.handling_way == 10
            and r.expire_time
            and r.expire_time - sandbox.now_ms() > 61 * 60_000
            and (r.refund_fee or 0) <= 20_000
        ),
        key=lambda r: r.expire_time,
    )
    shown: list = []
    shell.watch.notifier.shown.connect(shown.append)
    # time passes on the platform's clock until the pre-notice is due; the guard's timer fires
    sandbox.advance((target.expire_time - sandbox.now_ms()) / 1000 - (60 * 60 - 20))
    window.guard.wake()

    def pre_notices():
        return [d for ds in shown for d in ds if d.kind == "guard_pre_notice"]

    qtbot.waitUntil(lambda: bool(pre_notices()), timeout=TIMEOUT_MS)
    (notice,) = pre_notices()
    assert target.refund_id in [i.refund_id for i in notice.items]
    assert notice.text().startswith("15 分钟后将自动同意")
    banner = shell.watch.notifier.banner
    assert not banner.isHidden() and "以免逾期" in banner.text.text()
    qtbot.mouseClick(banner.show_button, Qt.MouseButton.LeftButton)
    selected = [r.refund_id for r in window.queue_widget.selected_rows()]
    assert selected == [i.refund_id for i in notice.items]
    window.guard_holds.hold_action.trigger()  # held from there: the guard will leave it alone
    qtbot.waitUntil(lambda: target.refund_id in holds(store, shop.id), timeout=TIMEOUT_MS)
    # no longer among the requests the guard is about to agree
    now = int(time.time() * 1000)
    assert target.refund_id not in [
        c.refund_id
        for c in upcoming(store, shop.id, shell.backend.rules, load_policy(store, shop.id), now_ms=now)
    ]
