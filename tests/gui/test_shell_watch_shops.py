"""Every signed-in shop is watched, not only the one the window shows: the whole app with two shops,
each on its own sandbox gateway (real HTTP on loopback). The other shop is synced in the background,
its expiring requests are alerted and counted in the tray, a click on its alert switches the window
to it, and its failures are marked quietly without disturbing the active shop."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt

from desktop import app as app_module
from desktop.core.kuaishou.client import Credentials
from desktop.core.kuaishou.models import SellerInfo
from desktop.core.profiles import ShopManager, SignInResult
from desktop.core.secrets import SecretStore
from desktop.sandbox import Sandbox
from desktop.ui import alert_settings
from desktop.ui.settings import Settings
from desktop.ui.shop_watch import FAILED, SIGN_IN, SyncGate
from desktop.ui.shops import ShopsDialog
from tests.gui.test_shell_demo import START_TIMEOUT_MS, _args, shell_factory  # noqa: F401

MINUTE_MS = 60_000
ACTIVE_SOON = 2_300_000_000_000_001  # the active shop: 90 min left (critical, below every alert)
ACTIVE_LATER = 2_300_000_000_000_002  # the active shop: 48 h left
OTHER_SOON = 2_400_000_000_000_001  # the other shop: 20 min left (alerted)


@pytest.fixture
def gateways():
    """Two shops' gateways: (the active shop's, the other shop's)."""
    active, other = Sandbox(seed=11, demo_data=False), Sandbox(seed=12, demo_data=False)
    active.add_refund(refundId=ACTIVE_SOON, expireTime=active.now_ms() + 90 * MINUTE_MS)
    active.add_refund(refundId=ACTIVE_LATER, expireTime=active.now_ms() + 48 * 60 * MINUTE_MS)
    other.add_refund(refundId=OTHER_SOON, expireTime=other.now_ms() + 20 * MINUTE_MS)
    for gateway in (active, other):
        gateway.start()
    try:
        yield active, other
    finally:
        for gateway in (active, other):
            gateway.stop()


def _sign_in(manager: ShopManager, gateway: Sandbox, name: str):
    c = gateway.credentials
    return manager.save_sign_in(
        SignInResult(
            seller=SellerInfo(name=name, seller_id=c.seller_id),
            credentials=Credentials(
                app_key=c.app_key,
                sign_secret=c.sign_secret,
                access_token=c.access_token,
                sign_method=c.sign_method,
            ),
            base_url=gateway.base_url,
            auth_mode="token",
        )
    )


@pytest.fixture
def two_shops(store, memory_keyring, gateways):
    """Both shops signed in (the app's keychain service), the first one remembered as active, and
    alerts only in the last 30 minutes (so the active shop's 90-minute request is critical in the
    tray without being alerted)."""
    manager = ShopManager(store, SecretStore(service=app_module.secret_service_name()))
    active = _sign_in(manager, gateways[0], "晨光小铺")
    other = _sign_in(manager, gateways[1], "山河优选")
    settings = Settings()
    settings.set_active_shop(active.id)
    settings.qs.setValue(alert_settings.THRESHOLDS, "30m")
    settings.sync()
    return active, other


def _start(qtbot, shell_factory, active):
    shell = shell_factory(_args(lang="en"))
    window = shell.window
    qtbot.waitUntil(
        lambda: window.shop is not None and window.shop.id == active.id and window.client is not None,
        timeout=START_TIMEOUT_MS,
    )
    return shell, window


def _list_calls(gateway: Sandbox) -> int:
    return sum(1 for c in gateway.call_log if c["method"] == "open.seller.order.refund.pcursor.list")


def _switch_text(window, shop) -> str:
    return next(a.text() for a in window.menus.switch_menu.actions() if a.text().startswith(shop.label))


def test_the_other_shop_is_synced_in_the_background_alerted_counted_and_a_click_opens_it(
    qtbot,
    shell_factory,
    gateways,
    two_shops,
):
    active, other = two_shops
    shell, window = _start(qtbot, shell_factory, active)
    watch = shell.watch
    banner = watch.notifier.banner
    # the other shop's request, 20 minutes from its deadline, is alerted while the window shows the
    # active shop: it was synced in the background, with its own client, over its own gateway
    qtbot.waitUntil(lambda: (other.id, OTHER_SOON) in banner._keys, timeout=START_TIMEOUT_MS)
    assert banner._keys == [(other.id, OTHER_SOON)]
    assert window.shop.id == active.id and _list_calls(gateways[1]) > 0
    assert watch.shops.watched_shop_ids() == {active.id, other.id}
    assert watch.shops.notes() == {}
    # the tray counts the critical requests of both shops: 90 min here, 20 min there
    qtbot.waitUntil(lambda: watch.tray.critical_count == 2, timeout=START_TIMEOUT_MS)
    assert watch.tray.state == "critical"

    # a click on the alert switches the window to the other shop and selects the request there
    qtbot.waitUntil(lambda: not window.syncing, timeout=START_TIMEOUT_MS)
    banner.show_button.click()
    queue = window.queue_widget
    qtbot.waitUntil(
        lambda: window.shop.id == other.id and bool(queue.selected_rows()), timeout=START_TIMEOUT_MS
    )
    assert [(r.shop_id, r.refund_id) for r in queue.selected_rows()] == [(other.id, OTHER_SOON)]
    assert window.windowTitle().startswith(other.label)
    # the shop left behind is now the one watched in the background; both still count
    qtbot.waitUntil(lambda: not window.syncing, timeout=START_TIMEOUT_MS)
    assert watch.shops.watched_shop_ids() == {active.id, other.id}
    assert sorted(i.shop_id for i in watch.shops.alert_items()) == sorted([active.id, active.id, other.id])


def test_a_failing_other_shop_is_marked_sign_in_again_and_the_active_shop_syncs_on(
    qtbot,
    shell_factory,
    gateways,
    two_shops,
):
    active, other = two_shops
    shell, window = _start(qtbot, shell_factory, active)
    watcher = shell.watch.shops
    qtbot.waitUntil(
        lambda: (
            other.id in watcher.watched_shop_ids() and watcher.running_shop_id is None and not window.syncing
        ),
        timeout=START_TIMEOUT_MS,
    )
    # the other shop's authorisation is withdrawn; the seller asks for a sync from the tray
    gateways[1].revoke_access_token()
    synced = []
    window.sync_finished.connect(lambda result: synced.append(result.shop_id))
    with qtbot.waitSignal(
        watcher.synced, timeout=START_TIMEOUT_MS, check_params_cb=lambda shop_id: shop_id == other.id
    ):
        shell.watch.tray.sync_requested.emit()
    qtbot.waitUntil(lambda: synced == [active.id], timeout=START_TIMEOUT_MS)  # the active shop synced on
    status = watcher.status(other.id)
    assert status is not None and status.state == SIGN_IN
    # marked where the shops are listed — quietly: no banner, no dialog, the active shop stays
    assert _switch_text(window, other) == f"{other.label} (sign in again)"
    assert _switch_text(window, active) == active.label
    label = next(
        w
        for w in window.statusBar().findChildren(type(window.status_bar.freshness))
        if "other shop" in w.text()
    )
    assert label.isVisible() and "1 other shop" in label.text() and other.label in label.toolTip()
    assert window.banner.isHidden() and window.shop.id == active.id
    # what was downloaded of it still counts: its request is still in the tray's critical count
    assert (other.id, OTHER_SOON) in {(i.shop_id, i.refund_id) for i in watcher.alert_items()}
    assert shell.watch.tray.critical_count == 2


def test_a_broken_other_shop_is_marked_and_backs_off(
    qtbot,
    shell_factory,
    gateways,
    two_shops,
):
    active, other = two_shops
    # the other shop's gateway answers its refund list with an HTML error page, every time
    gateways[1].inject_fault("open.seller.order.refund.pcursor.list", "html", times=None)
    shell, window = _start(qtbot, shell_factory, active)
    watcher = shell.watch.shops
    qtbot.waitUntil(lambda: watcher.status(other.id) is not None, timeout=START_TIMEOUT_MS)
    assert watcher.status(other.id).state == FAILED and watcher.status(other.id).failures == 1
    assert _switch_text(window, other) == f"{other.label} (sync failed)"
    # the active shop is synced and shown as usual
    queue = window.queue_widget
    qtbot.waitUntil(
        lambda: queue.merchant_view.model.rowCount() == 2 and not window.syncing, timeout=START_TIMEOUT_MS
    )
    assert window.banner.isHidden()
    # the next automatic round leaves it alone for a while (backoff); the seller's "sync now" does not
    watcher.sync_others()
    assert watcher.running_shop_id is None
    with qtbot.waitSignal(watcher.synced, timeout=START_TIMEOUT_MS):
        watcher.sync_others(force=True)
    assert watcher.status(other.id).failures == 2


def test_the_sync_gate_never_runs_one_shop_twice_at_once():
    gate = SyncGate()
    inside: dict[int, int] = {1: 0, 2: 0}
    most: dict[int, int] = {1: 0, 2: 0}
    both_shops_at_once = threading.Event()
    lock = threading.Lock()

    class Syncer:
        def __init__(self, shop_id):
            self.shop_id = shop_id

        def run(self, progress=None, cancelled=None):
            with lock:
                inside[self.shop_id] += 1
                most[self.shop_id] = max(most[self.shop_id], inside[self.shop_id])
                if inside[1] and inside[2]:
                    both_shops_at_once.set()
            time.sleep(0.02)
            with lock:
                inside[self.shop_id] -= 1
            return self.shop_id

    threads = [threading.Thread(target=gate.guard(sid, Syncer(sid)).run) for sid in (1, 1, 1, 2, 2, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == {1: 1, 2: 1}  # one run of a shop at a time…
    assert both_shops_at_once.is_set()  # …while different shops do not wait for each other


class _Shop:
    def __init__(self, shop_id: int) -> None:
        self.id, self.label, self.server_clock_offset_ms = shop_id, f"shop {shop_id}", 0


class _FakeSyncer:
    """Records how many runs overlap; fails for the shops in ``failing``; ``hold`` keeps a run going
    until it is cancelled."""

    def __init__(self, shop_id, log, failing=(), hold=None):
        self.shop_id, self.log, self.failing, self.hold = shop_id, log, failing, hold

    def run(self, progress=None, cancelled=None):
        log = self.log
        with log["lock"]:
            log["inside"] += 1
            log["most"] = max(log["most"], log["inside"])
            log["started"].append(self.shop_id)
        try:
            if self.hold is not None and self.shop_id == self.hold:
                while not cancelled():
                    time.sleep(0.005)
                return type("R", (), {"cancelled": True, "auto_approved": []})()
            time.sleep(0.02)
            if self.shop_id in self.failing:
                raise ConnectionError(f"gateway of shop {self.shop_id} unreachable")
            return type("R", (), {"cancelled": False, "auto_approved": []})()
        finally:
            with log["lock"]:
                log["inside"] -= 1


def _watcher(qtbot, shop_ids, **syncer_kw):
    from types import SimpleNamespace

    from desktop.core.polling import PollPolicy
    from desktop.ui.shop_watch import ShopWatcher

    shops = {sid: _Shop(sid) for sid in shop_ids}
    log = {"lock": threading.Lock(), "inside": 0, "most": 0, "started": []}
    gate = SyncGate()
    client = SimpleNamespace(close=lambda: None)
    services = SimpleNamespace(
        store=SimpleNamespace(shops=SimpleNamespace(get=shops.get)),
        rules=None,
        load_rows=lambda store, rules, shop: [],
        shops=SimpleNamespace(credentials=lambda sid: object()),
        make_client=lambda shop, credentials: client,
        make_syncer=lambda c, store, rules, sid: gate.guard(sid, _FakeSyncer(sid, log, **syncer_kw)),
    )
    watcher = ShopWatcher(services, poll_policy_fn=PollPolicy)
    return watcher, list(shops.values()), log


def test_other_shops_run_one_after_another_and_one_failure_stops_none_of_the_others(qtbot):
    watcher, shops, log = _watcher(qtbot, (1, 2, 3, 4), failing=(2,))
    ended = []
    watcher.synced.connect(ended.append)
    watcher.set_shops(shops, {1: True, 2: True, 3: True, 4: True})
    watcher.set_active_shop(shops[0])  # the window shows shop 1: the others are synced at once
    qtbot.waitUntil(lambda: len(ended) == 3, timeout=5000)
    assert log["started"] == [2, 3, 4] and log["most"] == 1
    assert watcher.status(2).state == FAILED and "unreachable" in watcher.status(2).detail
    assert watcher.status(3) is None and watcher.status(4) is None
    assert set(watcher.notes()) == {2}
    watcher.stop()


def test_a_shop_that_becomes_active_is_left_to_the_window(qtbot):
    watcher, shops, log = _watcher(qtbot, (1, 2), hold=2)
    watcher.set_shops(shops, {1: True, 2: True})
    watcher.set_active_shop(shops[0])
    qtbot.waitUntil(lambda: log["started"] == [2], timeout=5000)
    # the window switches to shop 2 while it is synced here: that run is cancelled, and the window's
    # own sync of shop 2 (through the same gate) could only start after it
    with qtbot.waitSignal(watcher.synced, timeout=5000):
        watcher.set_active_shop(shops[1])
    assert watcher.running_shop_id is None and watcher.status(2) is None
    watcher.sync_others()  # the next round: shop 1 now, never the shop the window shows
    qtbot.waitUntil(lambda: log["started"] == [2, 1], timeout=5000)
    watcher.stop()


PLACEHOLDER_NAME = "双11%2折"  # a real shop name with a Qt placeholder in it


@pytest.fixture
def placeholder_shops(store, memory_keyring, gateways):
    """Like ``two_shops``, the other shop named with a placeholder (%2) in its name."""
    manager = ShopManager(store, SecretStore(service=app_module.secret_service_name()))
    active = _sign_in(manager, gateways[0], "晨光小铺")
    other = _sign_in(manager, gateways[1], PLACEHOLDER_NAME)
    settings = Settings()
    settings.set_active_shop(active.id)
    settings.sync()
    return active, other


@pytest.mark.parametrize(
    ("lang", "menu_text", "status_tip", "note", "failed"),
    [
        ("en", "双11%2折 (sync failed)", "双11%2折: sync failed (", "sync failed", "Sync failed: "),
        ("zh_CN", "双11%2折（同步失败）", "双11%2折：同步失败（", "同步失败", "同步失败："),
    ],
)
def test_a_shop_name_with_a_placeholder_is_shown_intact_wherever_it_is_marked(
    qtbot, shell_factory, gateways, placeholder_shops, lang, menu_text, status_tip, note, failed
):
    active, other = placeholder_shops
    assert other.label == PLACEHOLDER_NAME
    gateways[1].inject_fault("open.seller.order.refund.pcursor.list", "html", times=None)
    shell = shell_factory(_args(lang=lang))
    window = shell.window
    qtbot.waitUntil(
        lambda: window.shop is not None and window.shop.id == active.id and window.client is not None,
        timeout=START_TIMEOUT_MS,
    )
    watcher = shell.watch.shops
    qtbot.waitUntil(lambda: watcher.status(other.id) is not None, timeout=START_TIMEOUT_MS)
    # the Shop ▸ Switch to menu and the toolbar's shop list
    assert menu_text in [a.text() for a in window.menus.switch_menu.actions()]
    combo = window.menus.shop_combo
    index = combo.findData(other.id)
    assert combo.itemText(index) == PLACEHOLDER_NAME
    assert combo.itemData(index, Qt.ItemDataRole.ToolTipRole) == f"{PLACEHOLDER_NAME}: {note}"
    # the status bar's "other shops" note names it in its tooltip
    label = next(
        w
        for w in window.statusBar().findChildren(type(window.status_bar.freshness))
        if PLACEHOLDER_NAME in w.toolTip()
    )
    assert label.isVisible() and label.toolTip().startswith(status_tip)
    # the shops dialog (Shop ▸ Manage shops…)
    window.menus.shops_action.trigger()
    dialog = window.findChild(ShopsDialog)
    qtbot.waitUntil(lambda: dialog is not None and dialog.list.count() == 2, timeout=START_TIMEOUT_MS)
    assert f"{PLACEHOLDER_NAME}  ({note})" in [dialog.list.item(i).text() for i in range(2)]
    dialog.reject()
    # switching to it from the menu: the title and the list show the name as it is
    qtbot.waitUntil(lambda: not window.syncing, timeout=START_TIMEOUT_MS)
    next(a for a in window.menus.switch_menu.actions() if a.text().startswith(PLACEHOLDER_NAME)).trigger()
    qtbot.waitUntil(lambda: window.shop is not None and window.shop.id == other.id, timeout=START_TIMEOUT_MS)
    assert window.windowTitle().startswith(f"{PLACEHOLDER_NAME} — ")
    assert combo.currentText() == PLACEHOLDER_NAME
    # its sync fails in the window now: the banner says so
    qtbot.waitUntil(lambda: window.banner.isVisibleTo(window), timeout=START_TIMEOUT_MS)
    assert window.banner.label.text().startswith(failed)
    qtbot.waitUntil(lambda: not window.syncing, timeout=START_TIMEOUT_MS)
