"""The warnings of the running app, wired together: the tray, the notifier chain, the alert center,
the poller, the watcher of the shops the window does not show, the phone robots and the guard.

Built once by the composition root (``desktop/app.py``) when the main window exists; :meth:`Watch.stop`
releases it at quit.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from desktop.core.queue_rows import UrgencyScale
from desktop.ui.alert_settings import AlertPrefs
from desktop.ui.alerts import AlertBanner, AlertCenter, Notifier, Poller
from desktop.ui.robots import RobotRelay
from desktop.ui.shop_watch import ShopsStatusLabel, ShopWatcher, auto_approved_items
from desktop.ui.tray import TrayController
from desktop.ui.workers import run_in_background

if TYPE_CHECKING:
    from desktop.core.queue_rows import QueueRow
    from desktop.core.secrets import SecretStore
    from desktop.core.store import Shop
    from desktop.core.sync import SyncResult
    from desktop.ui.guard import GuardController
    from desktop.ui.main_window import MainWindow
    from desktop.ui.queue.view import QueueWidget
    from desktop.ui.services import Services


@dataclass
class Watch:
    """Issue the warnings: the tray, the notifier chain, the alert center, the poller and the
    watcher of the shops the window does not show, wired to the window. The app lives in the tray
    when one exists; else the window stays and alerts show in the in-app banner.

    The alerts cover every signed-in shop: the active shop's rows come from the window, the others'
    from the :class:`~desktop.ui.shop_watch.ShopWatcher`, which syncs them in the background when
    the poller says a sync is due. A click on an alert of another shop switches the window to that
    shop and selects the requests once its rows are shown."""

    tray: TrayController
    notifier: Notifier
    center: AlertCenter
    poller: Poller
    prefs: AlertPrefs
    shops: ShopWatcher
    robots: RobotRelay | None = None  # the same alerts to the robot channels
    guard: GuardController | None = None

    @classmethod
    def compose(
        cls,
        app: QApplication,
        qs: QSettings,
        window: MainWindow,
        queue: QueueWidget,
        services: Services,
        *,
        secrets: Callable[[], SecretStore | None],
        quit_app: Callable[[], None],
    ) -> Watch:
        """Build the warnings for ``window`` and wire them to it; ``secrets()`` is the keychain once
        known (the robots' secrets), ``quit_app()`` quits for real (the tray's Quit)."""
        rules, store = services.rules, services.store
        prefs = AlertPrefs(qs, tuple(rules.warnings.alert_hours.value))
        tray = TrayController(app)
        banner = AlertBanner()
        window.add_banner(banner)
        notifier = Notifier(tray.icon, banner, parent=window)
        scale = UrgencyScale.from_rules(rules)
        shops = ShopWatcher(services, poll_policy_fn=prefs.poll_policy, parent=window)
        center = AlertCenter(
            store,
            notifier,
            items_fn=shops.alert_items,  # every watched shop's rows (read in the background)
            policy_fn=prefs.policy,
            critical_ms=scale.critical_s * 1000,
            warn_ms=scale.warn_s * 1000,
            parent=window,
        )
        poller = Poller(prefs.poll_policy, parent=window)
        robots = RobotRelay(store, rules, secrets, prefs.thresholds_min, parent=window)
        watch = cls(tray, notifier, center, poller, prefs, shops, robots)
        # the guard (售后兜底): runs after each sync of the active shop and on its own deadline timer;
        # its notices go out through the same notifier (phone channels attach to guard.bus)
        from desktop.ui.actions import window_engine
        from desktop.ui.guard import GuardController

        guard = watch.guard = window.guard = GuardController(
            window, rules, window_engine(window), parent=window
        )
        guard.attach_notifier(notifier)
        guard.bus.attach(robots.guard_notice)  # and to the phone robots (in the background)
        status = ShopsStatusLabel(shops)
        window.statusBar().addPermanentWidget(status)
        # (shop id, refund ids) to select once that shop's rows are shown (an alert's click)
        wanted: dict[str, tuple[int, list[int]] | None] = {"select": None}

        def rows_changed() -> None:
            poller.set_nearest_deadline(shops.nearest_deadline_ms())
            center.evaluate()

        def rows_loaded(rows: Sequence[QueueRow]) -> None:
            shop = window.shop
            if shop is not None:
                shops.show_active_rows(shop, rows)
            pending, wanted["select"] = wanted["select"], None
            if pending is not None and shop is not None and pending[0] == shop.id:
                queue.select_refunds(pending[1])

        def shop_changed(shop: Shop | None) -> None:
            pending = wanted["select"]
            if pending is not None and (shop is None or shop.id != pending[0]):
                wanted["select"] = None  # the user went elsewhere meanwhile
            shops.set_active_shop(shop)

        def sync_finished(result: SyncResult) -> None:
            poller.finished(True)
            shop = window.shop
            if shop is None or not result.auto_approved:
                return
            ids, shop_id = list(result.auto_approved), shop.id
            run_in_background(
                lambda: auto_approved_items(store, shop_id, ids),
                center.auto_approved,
                window.background_failed,
            )

        def open_on(keys: Sequence[tuple[int, int]]) -> None:
            """Show the alerted requests: the active shop's when it has some, else switch to the
            (first) other shop of the alert and select them once its rows are shown."""
            window.bring_forward()
            by_shop: dict[int, list[int]] = {}
            for sid, rid in keys:
                by_shop.setdefault(sid, []).append(rid)
            shop = window.shop
            if shop is not None and shop.id in by_shop:
                queue.select_refunds(by_shop[shop.id])
            elif by_shop:
                other, ids = next(iter(by_shop.items()))
                wanted["select"] = (other, ids)
                window.activate_shop(other)

        def pause(until: dt.datetime | None) -> None:
            prefs.set_paused_until(until)
            tray.show_paused(until)
            center.evaluate()

        def hidden() -> None:
            if prefs.close_to_tray_told() or tray.icon is None:
                return
            prefs.set_close_to_tray_told()
            tray.icon.showMessage(
                QCoreApplication.translate("Watch", "AfterSale Watch is still running"),
                QCoreApplication.translate(
                    "Watch",
                    "It keeps watching your deadlines from here. Choose Quit in this menu to stop it.",
                ),
            )

        poller.woke.connect(window.sessions.suspend)  # a sync from before the sleep starts again
        poller.sync_due.connect(window.sync_now)
        poller.sync_due.connect(shops.sync_others)
        window.sync_finished.connect(sync_finished)
        window.sync_finished.connect(guard.after_sync)
        # a failing sync still runs it: it will not act on stale data, and says so before a deadline
        window.sync_failed.connect(lambda _exc: guard.after_sync())
        window.sync_failed.connect(lambda _exc: poller.finished(False))
        window.rows_loaded.connect(rows_loaded)
        window.shop_changed.connect(shop_changed)
        window.shops_loaded.connect(shops.set_shops)
        shops.rows_changed.connect(rows_changed)
        shops.auto_approved.connect(center.auto_approved)
        shops.status_changed.connect(lambda: window.set_shop_notes(shops.notes()))
        status.open_requested.connect(window.manage_shops)
        center.evaluated.connect(lambda _plan, summary: tray.set_state(*summary))
        center.evaluated.connect(lambda _plan, _summary: robots.evaluate())  # phone alerts, same pace
        notifier.clicked.connect(open_on)
        tray.open_requested.connect(window.bring_forward)
        tray.sync_requested.connect(lambda: shops.sync_others(force=True))  # the user asked: no backoff
        tray.sync_requested.connect(poller.request_sync)
        tray.quit_requested.connect(quit_app)
        tray.pause_requested.connect(pause)
        window.quit_requested.connect(quit_app)
        if tray.available:
            app.setQuitOnLastWindowClosed(False)
            window.hide_to_tray = True
            window.hidden_to_tray.connect(hidden)
        else:
            window.confirm_close = True  # closing is quitting: the warnings stop
        paused = prefs.paused_until_ms()
        if paused and paused > time.time() * 1000:
            tray.show_paused(dt.datetime.fromtimestamp(paused / 1000).astimezone())
        center.start()
        poller.start(sync_now=False)  # the window syncs when its shop becomes active
        return watch

    def stop(self) -> None:
        if self.guard is not None:
            self.guard.stop()
        self.center.stop()
        self.poller.stop()
        self.shops.stop()
        if self.robots is not None:
            self.robots.stop()
        self.tray.close()
