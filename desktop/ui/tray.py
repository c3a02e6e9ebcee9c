"""The tray icon: the app's state at a glance and its menu (open, sync now, pause alerts, quit).

The icon is the app icon with a coloured corner badge: none when all is fine, amber when something is
within the warning tier, red with the count of critical requests when something is critical or
overdue. The tooltip says the same in words (state is never told by colour alone).
Without a system tray (:attr:`TrayController.available` is ``False``) nothing is created and the
window stays open; alerts then go to the in-app banner.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.core.alerts import CRITICAL, OK, WARN
from desktop.ui.i18n import fill
from desktop.ui.icons import app_icon

_BADGE = {WARN: QColor("#f0a000"), CRITICAL: QColor("#d93025")}
PAUSE_HOURS = 1
TOMORROW_AT = dt.time(8, 0)


def pause_until(choice: str, now: dt.datetime) -> dt.datetime:
    """When a pause chosen now ends: ``"hour"`` → in one hour; ``"tomorrow"`` → tomorrow 08:00."""
    if choice == "hour":
        return now + dt.timedelta(hours=PAUSE_HOURS)
    if choice == "tomorrow":
        return dt.datetime.combine(now.date() + dt.timedelta(days=1), TOMORROW_AT, tzinfo=now.tzinfo)
    raise ValueError(f"unknown pause choice {choice!r}")


def badge_icon(state: str, count: int, size: int = 64) -> QIcon:
    """The app icon with the state's badge (and the count when > 0)."""
    base = app_icon().pixmap(size, size)
    if state == OK:
        return QIcon(base)
    pixmap = QPixmap(base)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    d = size * 0.55
    rect = QRectF(size - d, size - d, d, d)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_BADGE[state])
    painter.drawEllipse(rect)
    if count > 0:
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(d * (0.6 if count < 10 else 0.45)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count) if count < 100 else "99+")
    painter.end()
    return QIcon(pixmap)


class TrayController(QObject):
    open_requested = Signal()
    sync_requested = Signal()
    quit_requested = Signal()
    pause_requested = Signal(object)  # datetime | None (None = resume)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        available: bool | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self.clock = clock
        self.state = OK
        self.critical_count = 0
        self.icon: QSystemTrayIcon | None = None
        if not self.available:
            return
        self.icon = QSystemTrayIcon(badge_icon(OK, 0), self)
        menu = QMenu()
        self.menu = menu
        self.open_action = QAction(self.tr("Open AfterSale Watch"), menu)
        self.sync_action = QAction(self.tr("Sync now"), menu)
        self.pause_hour_action = QAction(self.tr("Pause alerts for 1 hour"), menu)
        self.pause_tomorrow_action = QAction(self.tr("Pause alerts until tomorrow 08:00"), menu)
        self.resume_action = QAction(self.tr("Resume alerts"), menu)
        self.quit_action = QAction(self.tr("Quit"), menu)
        for action in (self.open_action, self.sync_action):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.pause_hour_action, self.pause_tomorrow_action, self.resume_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        self.resume_action.setVisible(False)
        self.open_action.triggered.connect(self.open_requested)
        self.sync_action.triggered.connect(self.sync_requested)
        self.quit_action.triggered.connect(self.quit_requested)
        self.pause_hour_action.triggered.connect(lambda: self._pause("hour"))
        self.pause_tomorrow_action.triggered.connect(lambda: self._pause("tomorrow"))
        self.resume_action.triggered.connect(lambda: self.pause_requested.emit(None))
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._activated)
        self.set_state(OK, 0)
        self.icon.show()

    def close(self) -> None:
        """Hide the icon and delete its menu (a menu has no parent widget to do it). Idempotent."""
        if self.icon is not None:
            self.icon.hide()
            self.icon.setContextMenu(None)  # type: ignore[arg-type]  # Qt takes nullptr; the stubs do not say so
            self.menu.deleteLater()
            self.icon.deleteLater()
            self.icon = None

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock()).astimezone()

    def _pause(self, choice: str) -> None:
        self.pause_requested.emit(pause_until(choice, self._now()))

    def show_paused(self, until: dt.datetime | None) -> None:
        if self.icon is None:
            return
        self.resume_action.setVisible(until is not None)
        self.resume_action.setText(
            fill(self.tr("Resume alerts (paused until %1)"), until.strftime("%H:%M"))
            if until
            else self.tr("Resume alerts")
        )

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()

    def set_state(self, state: str, critical_count: int) -> None:
        self.state, self.critical_count = state, critical_count
        if self.icon is None:
            return
        self.icon.setIcon(badge_icon(state, critical_count if state == CRITICAL else 0))
        if state == CRITICAL:
            tip = self.tr("%n request(s) critical or overdue", "", critical_count)
        elif state == WARN:
            tip = self.tr("Requests within the warning time")
        else:
            tip = self.tr("All requests have time left")
        self.icon.setToolTip(f"{self.tr('AfterSale Watch')} — {tip}")
