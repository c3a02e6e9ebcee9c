"""The main window's status bar: the demo note, how many requests are selected, the sync's busy
indicator and how fresh the data shown is ("Data as of 14:05 (3 min ago)"), plus the passing
messages the window and other areas show in it."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from desktop.ui.i18n import fill


class WindowStatusBar(QStatusBar):
    """The status bar's permanent widgets and the texts they show."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sync_busy = QProgressBar()
        self.sync_busy.setRange(0, 0)
        self.sync_busy.setMaximumWidth(120)
        self.sync_busy.setMaximumHeight(14)
        self.sync_busy.setVisible(False)
        self.freshness = QLabel()
        self.selection_label = QLabel()
        self.selection_label.setObjectName("selection-count")
        self.demo_label = QLabel()
        self.demo_label.setObjectName("demo-note")
        self.demo_label.setVisible(False)
        self.addPermanentWidget(self.demo_label)
        self.addPermanentWidget(self.selection_label)
        self.addPermanentWidget(self.sync_busy)
        self.addPermanentWidget(self.freshness)
        self.show_freshness(None, has_shop=False)

    def set_demo(self, demo: bool) -> None:
        """The demo says so, and that it starts afresh each time."""
        self.demo_label.setVisible(demo)
        self.demo_label.setText(self.tr("Demo: sample data, reset at every start") if demo else "")
        self.demo_label.setToolTip(
            self.tr(
                "The demo shows a made-up shop on a built-in test server. Its requests and your "
                "actions on them start afresh each time the demo starts; nothing reaches Kuaishou."
            )
            if demo
            else ""
        )

    def set_selected_count(self, count: int) -> None:
        """How many requests are selected (what Approve/Reject will act on)."""
        self.selection_label.setText(self.tr("%n selected", "", count) if count else "")

    def format_age(self, seconds: float) -> str:
        if seconds < 60:
            return self.tr("just now")
        if seconds < 3600:
            return fill(self.tr("%1 min ago"), int(seconds // 60))
        if seconds < 86400:
            return fill(self.tr("%1 h ago"), int(seconds // 3600))
        return fill(self.tr("%1 days ago"), int(seconds // 86400))

    def fresh_text(self, last_ms: int | None) -> str:
        """When the data shown was downloaded: "14:05 (3 min ago)", or "never"."""
        if last_ms is None:
            return self.tr("never")
        age = max(0.0, time.time() - last_ms / 1000)
        stamp = time.strftime("%H:%M", time.localtime(last_ms / 1000))
        return f"{stamp} ({self.format_age(age)})"

    def show_freshness(self, last_ms: int | None, *, has_shop: bool) -> None:
        if not has_shop:
            self.freshness.setText(self.tr("No shop signed in"))
        else:
            self.freshness.setText(fill(self.tr("Data as of %1"), self.fresh_text(last_ms)))

    def show_unreadable(self, unreadable: Sequence[tuple[int | None, str]]) -> None:
        """Requests whose answer the platform sent unreadably: named, to be opened in the backend
        (the rest of the sync went on without them)."""
        if not unreadable:
            return
        ids = [str(rid) for rid, _field in unreadable if rid is not None]
        shown = "、".join(ids[:5]) + ("…" if len(ids) > 5 else "")
        self.showMessage(
            fill(
                self.tr(
                    "%1 request(s) could not be read from the platform's answer: open them in the "
                    "seller backend (%2)."
                ),
                len(unreadable),
                shown or "—",
            )
        )
