"""Timers that run only while a window is on screen (shown, not minimised, not hidden in the tray):
a countdown or a "3 min ago" nobody sees costs wake-ups for nothing. When the window shows again,
each timer restarts and its view catches up at once."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class VisibleTimers(QObject):
    """The timers of one window; the window calls :meth:`update` when it is shown, hidden, minimised
    or restored. ``on_screen()`` says whether it is on screen now."""

    def __init__(self, on_screen: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_screen = on_screen
        self._timers: list[tuple[QTimer, Callable[[], None] | None]] = []

    def add(self, timer: QTimer, catch_up: Callable[[], None] | None = None) -> None:
        """Run ``timer`` only while on screen; on showing again, ``catch_up()`` (else the timer's
        own ``timeout``) brings the view up to date at once. A deleted timer is forgotten."""
        self._timers.append((timer, catch_up))
        timer.destroyed.connect(lambda _obj=None, t=timer: self._forget(t))
        self._apply(timer, catch_up)

    def _forget(self, timer: QTimer) -> None:
        self._timers = [(t, c) for t, c in self._timers if t is not timer]

    def _apply(self, timer: QTimer, catch_up: Callable[[], None] | None) -> None:
        if not self._on_screen():
            timer.stop()
        elif not timer.isActive():
            timer.start()
            (catch_up or timer.timeout.emit)()

    def update(self) -> None:
        for timer, catch_up in list(self._timers):
            self._apply(timer, catch_up)
