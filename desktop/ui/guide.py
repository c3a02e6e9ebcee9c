"""Help → User guide: a short in-app guide for a seller's first day — what the colours mean, what
the app does on its own, what the risk level is and is not, where the data and logs are, how to
connect a shop. Every text is translatable; the folders are the ones this run really uses."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core import paths
from desktop.core.labels import urgency_names


def folders() -> dict[str, str]:
    """The folders the seller may look for: data (database), logs, settings, exports."""
    return {
        "data": str(paths.data_dir()),
        "logs": str(paths.log_dir()),
        "config": str(paths.config_dir()),
        "exports": str(paths.export_dir()),
    }


class GuideDialog(QDialog):
    """The user guide (one scrolling page) with buttons that open the data and log folders."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("User guide"))
        self.resize(640, 600)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(False)
        self.browser.setHtml(self.guide_html())
        self.open_data = QPushButton(self.tr("Open the data folder"))
        self.open_data.clicked.connect(lambda: self._open(paths.data_dir()))
        self.open_logs = QPushButton(self.tr("Open the log folder"))
        self.open_logs.clicked.connect(lambda: self._open(paths.log_dir()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.open_data)
        row.addWidget(self.open_logs)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addLayout(row)

    @staticmethod
    def _open(folder: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def guide_html(self) -> str:
        e = html.escape
        names = urgency_names()
        where = folders()
        tiers = "".join(
            f"<li><b>{e(names[key])}</b> — {e(text)}</li>"
            for key, text in (
                ("overdue", self.tr("the deadline has passed: the platform may already have acted")),
                ("critical", self.tr("act now: only a few hours are left")),
                ("urgent", self.tr("act today")),
                ("warn", self.tr("plan it: less than a day is left")),
                ("info", self.tr("not urgent yet")),
            )
            if key in names
        )
        colours = self.tr(
            "Each request in the list is coloured and marked by how much time is left before the "
            "platform acts on its own (usually: agrees the refund). The legend above the list gives "
            "the exact bounds; the symbol says the same as the colour."
        )
        on_its_own = [
            self.tr(
                "It downloads the shop's after-sale requests every few minutes, more often when a "
                "deadline is near, and keeps them on this computer."
            ),
            self.tr(
                "It warns you before each deadline: in the system tray, or in the window when there "
                "is no tray. The warning times are in Settings → Alerts."
            ),
            self.tr(
                "It approves or rejects a request only when you choose Approve or Reject and confirm "
                "the preview — or, once you switch the guard on, when it agrees a request in the "
                "last minutes before its deadline (see below). Every action sent is in Requests → "
                "Action log."
            ),
            self.tr(
                "While the window is closed to the tray it keeps watching; after Quit, no warning comes."
            ),
        ]
        risk = [
            self.tr(
                "The risk panel estimates, from the requests this app has seen, how many the "
                "platform agreed on its own because the shop did not answer in time, and compares "
                "that with the thresholds of the platform's rules. It tells you which requests to "
                "handle first to stay below them."
            ),
            self.tr(
                "It is not the platform's own score, not a notice of a sanction, and it only knows "
                "the requests downloaded since the shop was connected."
            ),
        ]
        guard = [
            self.tr(
                "When a request waiting on you reaches its deadline, the platform agrees it in your "
                "place: the buyer gets the refund (or returns the goods) all the same, and the shop "
                "collects an overdue auto-approval, which the notice of 2023-05-09 punishes. Agreed "
                "by the shop a little before the deadline, the money and the goods go exactly the "
                "same way, but the request was handled in time."
            ),
            self.tr(
                "The guard does that for you, if you switch it on in Settings → Guard (it is off by "
                "default): 45 minutes before the deadline, only for the stages you tick (refund-only "
                "requests at first), up to ¥200 per request and 20 requests or ¥2,000 a day (all "
                "adjustable). You keep the whole time before that to look, reject or negotiate."
            ),
            self.tr(
                "15 minutes before it acts you get one notification; its button shows the requests, "
                "where you can still approve, reject or choose Hold from the guard (Ctrl+Shift+H). "
                "Afterwards one notification says what was done, and the action log marks the "
                "guard's actions. The settings page shows what the guard would have done over the "
                "last 90 days."
            ),
        ]
        places = [
            (self.tr("Data (the database of requests):"), where["data"]),
            (self.tr("Logs (send them when you report a problem):"), where["logs"]),
            (self.tr("Settings:"), where["config"]),
            (self.tr("Exports are offered in:"), where["exports"]),
        ]
        keys_note = self.tr(
            "App keys and tokens are kept only in the system keychain, never in these folders."
        )
        connect = [
            self.tr("Choose Shop → Add shop…."),
            self.tr(
                "Enter the key, the secret and the sign secret of your app on the Kuaishou open platform."
            ),
            self.tr(
                "Authorise the app in the browser page that opens; the window shows the shop's "
                "requests after the first download."
            ),
        ]
        sections = [
            (self.tr("What the colours mean"), f"<p>{e(colours)}</p><ul>{tiers}</ul>"),
            (
                self.tr("What the app does on its own"),
                "<ul>" + "".join(f"<li>{e(t)}</li>" for t in on_its_own) + "</ul>",
            ),
            (self.tr("What the risk level is, and what it is not"), "".join(f"<p>{e(t)}</p>" for t in risk)),
            (
                self.tr("The guard: agreeing just before the deadline"),
                "".join(f"<p>{e(t)}</p>" for t in guard),
            ),
            (
                self.tr("Where the data and the logs are"),
                "<ul>"
                + "".join(f"<li>{e(t)} <code>{e(path)}</code></li>" for t, path in places)
                + f"<li>{e(keys_note)}</li></ul>",
            ),
            (
                self.tr("How to connect a shop"),
                "<ol>" + "".join(f"<li>{e(t)}</li>" for t in connect) + "</ol>",
            ),
        ]
        return "".join(f"<h3>{e(title)}</h3>{body}" for title, body in sections)
