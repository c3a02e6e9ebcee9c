"""Warnings before auto-approval, on the Qt side: the notifier chain, the alert center and the poller.

* :class:`Notifier` shows a :class:`~desktop.core.alerts.Digest` as a tray message when a system
  tray exists, else in the in-app :class:`AlertBanner`; a click on either emits ``clicked`` with the
  (shop, refund) keys of that digest, so the window can select those rows.
* :class:`AlertCenter` plans alerts with the pure planner (:func:`desktop.core.alerts.plan_alerts`)
  every ``interval_ms`` and after each sync. The planning and the store writes run in the background;
  each (request, threshold) is written to the store's ``notifications`` table *before* it is shown,
  and only the keys the store had not seen are shown — so a threshold fires once, also across restarts
  or two evaluations racing.
* :class:`Poller` decides when the next background sync is due (:mod:`desktop.core.polling`): the
  configured interval, faster near a deadline, backing off on failures, never two syncs at once, and a
  sync at once after the computer slept.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSystemTrayIcon, QWidget

from desktop.core.alerts import (
    HOUR_MS,
    AlertItem,
    AlertPlan,
    AlertPolicy,
    plan_alerts,
    summarize,
)
from desktop.core.polling import PollPolicy, next_delay_s, slept_through
from desktop.ui.workers import run_in_background

if TYPE_CHECKING:
    from desktop.core.store import Store

log = logging.getLogger(__name__)

Key = tuple[int, int]  # (shop_id, refund_id)


class ShownItem(Protocol):
    """A request a notification is about."""

    @property
    def shop_id(self) -> int: ...
    @property
    def refund_id(self) -> int: ...


class ShownDigest(Protocol):
    """What the notifier shows of a notification: the alerts' own :class:`~desktop.core.alerts.Digest`,
    or another area's notice in its shape (the guard's)."""

    @property
    def kind(self) -> str: ...
    @property
    def items(self) -> Sequence[ShownItem]: ...
    @property
    def critical(self) -> bool: ...
    def title(self) -> str: ...
    def text(self) -> str: ...


class AlertBanner(QFrame):
    """The in-app place for alerts when there is no system tray (or the window is in front)."""

    show_requested = Signal(list)  # list[Key]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#alertBanner { background: #fff4e5; border: 1px solid #f0a04b; border-radius: 4px; }"
        )
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_button = QPushButton(self.tr("Show these requests"))
        self.close_button = QPushButton(self.tr("Dismiss"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        icon = QLabel("⚠")
        icon.setAccessibleName(self.tr("Warning"))
        layout.addWidget(icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.show_button)
        layout.addWidget(self.close_button)
        self._keys: list[Key] = []
        self.show_button.clicked.connect(lambda: self.show_requested.emit(list(self._keys)))
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def show_digests(self, digests: Sequence[ShownDigest]) -> None:
        self._keys = keys_of(digests)
        self.text.setText(
            "<br>".join(f"<b>{html.escape(d.title())}</b> — {html.escape(d.text())}" for d in digests)
        )
        self.show()


class Notifier(QObject):
    """Tray message when a tray exists, else the in-app banner (a fallback chain)."""

    clicked = Signal(list)  # list[Key]
    shown = Signal(object)  # tuple[Digest, ...]

    def __init__(
        self, tray: QSystemTrayIcon | None, banner: AlertBanner | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.tray = tray
        self.banner = banner
        self._last: list[Key] = []
        if tray is not None:
            tray.messageClicked.connect(lambda: self.clicked.emit(list(self._last)))
        if banner is not None:
            banner.show_requested.connect(self.clicked)

    def notify(self, digests: Sequence[ShownDigest]) -> None:
        """Show what one evaluation found as ONE notification (a new one replaces the last)."""
        digests = tuple(digests)
        self._last = keys_of(digests)
        tray = self.tray
        if tray is not None and tray.isVisible() and QSystemTrayIcon.supportsMessages():
            critical = any(d.critical for d in digests)
            icon = QSystemTrayIcon.MessageIcon.Critical if critical else QSystemTrayIcon.MessageIcon.Warning
            tray.showMessage(digests[0].title(), "\n".join(d.text() for d in digests), icon, 15_000)
        elif self.banner is not None:
            self.banner.show_digests(digests)
        log.info("alert shown: %s", ", ".join(f"{d.kind} ({len(d.items)})" for d in digests))
        self.shown.emit(digests)


def keys_of(digests: Sequence[ShownDigest]) -> list[Key]:
    """The (shop, refund) keys of the digests' requests, each once, in order."""
    return list(dict.fromkeys((i.shop_id, i.refund_id) for d in digests for i in d.items))


class AlertCenter(QObject):
    """Plans and shows alerts; the store remembers what was shown.

    ``items_fn()`` returns the pending requests (:class:`AlertItem`, deadlines on the local clock). It
    is called in the background, so it must only read data that is replaced, never mutated, by the
    UI thread (the window's current rows). ``policy_fn()`` gives the current policy (UI thread).
    :meth:`auto_approved` reports requests a sync found auto-approved after their deadline.
    ``evaluated`` carries the plan and the tray's (state, critical count).
    """

    evaluated = Signal(object, object)  # AlertPlan, (state, critical_count)
    failed = Signal(str)

    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        *,
        items_fn: Callable[[], Sequence[AlertItem]],
        policy_fn: Callable[[], AlertPolicy],
        critical_ms: int = 2 * HOUR_MS,
        warn_ms: int = 24 * HOUR_MS,
        clock: Callable[[], float] = time.time,
        interval_ms: int = 30_000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.notifier = notifier
        self.items_fn = items_fn
        self.policy_fn = policy_fn
        self.critical_ms = critical_ms
        self.warn_ms = warn_ms
        self.clock = clock
        self._busy = False
        self._again = False
        self._auto: list[AlertItem] = []
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.evaluate)

    def start(self) -> None:
        self.timer.start()
        self.evaluate()

    def stop(self) -> None:
        self.timer.stop()

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock()).astimezone()

    def auto_approved(self, items: Sequence[AlertItem]) -> None:
        """Alert (once each) that these requests were auto-approved after their deadline."""
        self._auto.extend(items)
        self.evaluate()

    def evaluate(self) -> None:
        """Plan now (in the background); a request made while one runs is done right after it."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        policy = self.policy_fn()
        now = self.now()
        auto, self._auto = self._auto, []
        store, items_fn = self.store, self.items_fn
        critical_ms, warn_ms = self.critical_ms, self.warn_ms

        def work() -> tuple[AlertPlan, tuple[str, int]]:
            items = list(items_fn())
            at = int(now.timestamp() * 1000)
            summary = summarize(items, at, critical_ms=critical_ms, warn_ms=warn_ms)
            shops = {i.shop_id for i in items} | {i.shop_id for i in auto}
            alerted = {(s, r, k) for s in shops for (r, k) in store.notifications.sent(s)}
            plan = plan_alerts(items, alerted, now, policy, auto_approved=auto)
            # written before shown; only what this evaluation was first to write is shown
            fresh = {key for key in plan.remember if store.notifications.mark(*key, at=at)}
            digests = tuple(kept for d in plan.digests if (kept := d.keep(fresh)) is not None)
            return AlertPlan(digests, plan.remember, plan.held_back, plan.held_items), summary

        def failed(exc: BaseException) -> None:
            self._auto[:0] = auto  # not lost: tried again at the next evaluation
            self._failed(exc)

        run_in_background(work, self._shown, failed)

    def _shown(self, result: tuple[AlertPlan, tuple[str, int]]) -> None:
        plan, summary = result
        self._busy = False
        if plan.digests:
            self.notifier.notify(plan.digests)
        self.evaluated.emit(plan, summary)
        if self._again:
            self._again = False
            self.evaluate()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        log.error("could not evaluate alerts: %s", exc)
        self.failed.emit(str(exc))
        if self._again:
            self._again = False
            self.evaluate()


class Poller(QObject):
    """Asks for a sync when one is due (``sync_due``); the window reports each sync's end with
    :meth:`finished`. Whether a sync may start (never two at once) is the window's call: a
    ``sync_due`` while one runs is simply refused there, and the next one is already scheduled."""

    sync_due = Signal()
    woke = Signal()  # the computer slept through a poll: a sync still in flight from before is stale

    def __init__(
        self,
        policy_fn: Callable[[], PollPolicy],
        *,
        clock: Callable[[], float] = time.time,
        heartbeat_ms: int = 15_000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.policy_fn = policy_fn
        self.clock = clock
        self.failures = 0
        self.nearest_deadline_ms: int | None = None
        self.expected_delay_s = 0.0
        self._scheduled_at = clock()
        self._last_beat = clock()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._due)
        self.heartbeat = QTimer(self)
        self.heartbeat.setInterval(heartbeat_ms)
        self.heartbeat.timeout.connect(self._beat)

    def start(self, *, sync_now: bool = True) -> None:
        self._last_beat = self.clock()
        self.heartbeat.start()
        if sync_now:
            self._due()
        else:
            self._schedule()

    def stop(self) -> None:
        self.timer.stop()
        self.heartbeat.stop()

    def request_sync(self) -> None:
        """ "Sync now" from the tray."""
        self._due()

    def finished(self, ok: bool) -> None:
        """A sync has ended: back to the normal pace after a success, slower after failures."""
        self.failures = 0 if ok else self.failures + 1
        self._schedule()

    def set_nearest_deadline(self, deadline_ms: int | None) -> None:
        """The soonest deadline waiting on the merchant (local clock); polls sooner if it is near."""
        self.nearest_deadline_ms = deadline_ms
        if self.timer.isActive() and self.next_delay_s() < self.timer.remainingTime() / 1000:
            self._schedule()

    def next_delay_s(self) -> int:
        return next_delay_s(
            self.policy_fn(),
            now_ms=int(self.clock() * 1000),
            nearest_deadline_ms=self.nearest_deadline_ms,
            consecutive_failures=self.failures,
        )

    def _schedule(self) -> None:
        delay = self.next_delay_s()
        self.expected_delay_s = delay
        self._scheduled_at = self.clock()
        self.timer.start(delay * 1000)

    def _due(self) -> None:
        self._schedule()  # the next one, should this sync never report back
        self.sync_due.emit()

    def _beat(self) -> None:
        now = self.clock()
        gap = now - self._last_beat
        self._last_beat = now
        beat_s = self.heartbeat.interval() / 1000
        if slept_through(self.policy_fn(), expected_delay_s=beat_s, elapsed_wall_s=gap):
            log.info("woke after %.0f s asleep: syncing now", gap)
            self.woke.emit()
            self._due()
        elif now - self._scheduled_at >= self.expected_delay_s + beat_s:
            self._due()  # the timer was starved or the clock jumped: do not wait longer than due
