"""Phone alerts through group robots, on the Qt side: the relay and the "Phone alerts" settings page.

* :class:`RobotRelay` owns the app's :class:`~desktop.core.robots.service.RobotAlerts` (one HTTP
  session) and runs one robot evaluation in the background after each alert evaluation of the tray
  (never two at once; a request made meanwhile runs right after). The robots use the pop-ups' warning
  times, copied into the store so the headless watcher uses the same ones.
* :class:`RobotSettingsPage` lists the channels (name, type, the robot address masked, signed or not,
  on/off, the last send), adds / edits / removes them (:class:`ChannelDialog`), sends a test message
  per channel, shows the selected channel's send log and edits the robots' own quiet hours. Every
  keychain, store and network call runs in the background; the URL and the secret are never shown
  in full again once saved.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.robots.channels import (
    Channel,
    ChannelBook,
    ChannelError,
    mask_url,
)
from desktop.core.robots.planning import PolicySettings
from desktop.ui.i18n import fill
from desktop.ui.robot_channel import ChannelDialog as ChannelDialog
from desktop.ui.robot_channel import kind_labels
from desktop.ui.workers import run_in_background

if TYPE_CHECKING:
    from desktop.core.domain.rules import Rules
    from desktop.core.guard import GuardNotice
    from desktop.core.robots.channels import ResolvedChannel
    from desktop.core.robots.dispatch import SendRecord
    from desktop.core.robots.planning import Evaluation
    from desktop.core.robots.service import RobotAlerts
    from desktop.core.robots.transport import SendResult
    from desktop.core.secrets import SecretStore
    from desktop.core.store import Store

log = logging.getLogger(__name__)

_R = TypeVar("_R")


def _outcome_labels() -> dict[str, str]:
    return {
        "ok": QCoreApplication.translate("RobotSettingsPage", "Sent"),
        "rate_limited": QCoreApplication.translate("RobotSettingsPage", "Too fast (rate limit)"),
        "transient": QCoreApplication.translate("RobotSettingsPage", "Failed: tried again later"),
        "rejected": QCoreApplication.translate("RobotSettingsPage", "Refused"),
    }


def _local_time(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000).astimezone().strftime("%m-%d %H:%M:%S")


class RobotRelay(QObject):
    """The app's robots: one background evaluation at a time, after each evaluation of the tray."""

    evaluated = Signal(object)  # desktop.core.robots.planning.Evaluation
    failed = Signal(str)

    def __init__(
        self,
        store: Store,
        rules: Rules | None,
        secrets_fn: Callable[[], SecretStore | None],
        thresholds_fn: Callable[[], tuple[int, ...]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.rules = rules
        self.secrets_fn = secrets_fn
        self.thresholds_fn = thresholds_fn
        self._robots: RobotAlerts | None = (
            None  # made on first use, off the UI thread (it imports the HTTP stack)
        )
        self._robots_lock = threading.Lock()
        self._busy = False
        self._again = False
        self._stopped = False

    @property
    def robots(self) -> RobotAlerts:
        """The :class:`~desktop.core.robots.service.RobotAlerts` (one HTTP session, closed by :meth:`close`)."""
        with self._robots_lock:
            if self._robots is None:
                from desktop.core.robots.service import RobotAlerts

                self._robots = RobotAlerts(self.store, self.rules, self.channels)
            return self._robots

    def book(self) -> ChannelBook | None:
        secrets = self.secrets_fn()
        return ChannelBook(self.store, secrets) if secrets is not None else None

    def channels(self) -> list[ResolvedChannel]:
        """The enabled channels with their credentials (keychain: background only)."""
        book = self.book()
        return book.resolved() if book is not None else []

    def evaluate(self) -> None:
        if self._stopped:
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        thresholds = tuple(self.thresholds_fn())
        relay, store = self, self.store

        def work() -> Evaluation:
            robots = relay.robots
            settings = PolicySettings.load(store)
            if settings.thresholds_min != thresholds:  # the watcher uses the same warning times
                settings = replace(settings, thresholds_min=thresholds)
                settings.save(store)
            return robots.evaluate()

        run_in_background(work, self._done, self._failed)

    def guard_notice(self, notice: GuardNotice) -> None:
        """A channel for the guard's notice bus (any thread): the notice goes to every robot in the
        background, once per channel, with the channel's next digest."""
        if self._stopped:
            return
        relay = self
        run_in_background(
            lambda: relay.robots.guard_channel()(notice),
            None,
            lambda exc: log.error("a guard notice could not be sent to the robots: %s", exc),
        )

    def _done(self, evaluation: Evaluation) -> None:
        self._busy = False
        self.evaluated.emit(evaluation)
        self._next()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        log.error("robot alerts could not be evaluated: %s", exc)
        self.failed.emit(str(exc))
        self._next()

    def _next(self) -> None:
        if self._again and not self._stopped:
            self._again = False
            self.evaluate()

    def stop(self) -> None:
        """No new evaluations (the one running finishes)."""
        self._stopped = True

    def close(self) -> None:
        """Close the HTTP session (after the background work has finished)."""
        self._stopped = True
        with self._robots_lock:
            if self._robots is not None:
                self._robots.close()
                self._robots = None


class RobotSettingsPage(QWidget):
    """The "Phone alerts" page of the settings dialog (see the module doc)."""

    COLUMNS = 5  # name, type, address, signed, last send

    def __init__(self, relay: RobotRelay, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.relay = relay
        self.store = relay.store
        self._channels: list[Channel] = []
        self._masked: dict[str, str] = {}
        self._last: dict[str, SendRecord | None] = {}
        self._loading = False
        intro = QLabel(
            self.tr(
                "Alerts also reach your phone through a robot in a WeCom, DingTalk or Feishu group: "
                "one summary per check, at the same warning times as the pop-ups. The robot's "
                "address and secret are kept in the system keychain."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Type"), self.tr("Address"), self.tr("Signed"), self.tr("Last send")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel(self.tr("No robot yet: add one to get alerts on your phone."))
        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.test_button = QPushButton(self.tr("Send a test message"))
        self.enabled = QCheckBox(self.tr("On"))
        self.enabled.setToolTip(self.tr("Send alerts to this channel"))
        row = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button, self.test_button, self.enabled):
            row.addWidget(button)
        row.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log = QTableWidget(0, 3)
        self.log.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Outcome"), self.tr("Details")])
        self.log.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log.verticalHeader().hide()
        self.log.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.log.horizontalHeader().setStretchLastSection(True)
        self.log.setWordWrap(True)
        log_box = QGroupBox(self.tr("Sends of the selected channel"))
        QVBoxLayout(log_box).addWidget(self.log)

        self.quiet_on = QCheckBox(self.tr("Quiet hours for robots"))
        self.quiet_start = QTimeEdit()
        self.quiet_end = QTimeEdit()
        for edit in (self.quiet_start, self.quiet_end):
            edit.setDisplayFormat("HH:mm")
        self.night_ring = QSpinBox()
        self.night_ring.setRange(0, 240)
        self._policy: PolicySettings | None = None  # read in the background; saved only once read
        self._show_policy(PolicySettings())
        for w in (self.quiet_on, self.quiet_start, self.quiet_end, self.night_ring):
            w.setEnabled(False)
        self.night_ring.setSuffix(self.tr(" min"))
        quiet_row = QHBoxLayout()
        quiet_row.addWidget(self.quiet_on)
        quiet_row.addWidget(self.quiet_start)
        quiet_row.addWidget(QLabel("–"))
        quiet_row.addWidget(self.quiet_end)
        quiet_row.addStretch(1)
        ring_row = QHBoxLayout()
        ring_row.addWidget(QLabel(self.tr("During them only requests with less than")))
        ring_row.addWidget(self.night_ring)
        ring_row.addWidget(QLabel(self.tr("left ring the phone; the rest is sent when they end.")))
        ring_row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.empty)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(log_box, 2)
        layout.addLayout(quiet_row)
        layout.addLayout(ring_row)

        self.add_button.clicked.connect(self.add_channel)
        self.edit_button.clicked.connect(self.edit_channel)
        self.remove_button.clicked.connect(self.remove_channel)
        self.test_button.clicked.connect(self.send_test)
        self.enabled.toggled.connect(self._enabled_toggled)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()
        self.reload()
        store = self.store
        run_in_background(lambda: PolicySettings.load(store), self._policy_loaded, self._failed)

    def _show_policy(self, settings: PolicySettings) -> None:
        self.quiet_on.setChecked(settings.quiet_enabled)
        self.quiet_start.setTime(QTime.fromString(settings.quiet_start, "HH:mm"))
        self.quiet_end.setTime(QTime.fromString(settings.quiet_end, "HH:mm"))
        self.night_ring.setValue(settings.night_ring_min)

    def _policy_loaded(self, settings: PolicySettings) -> None:
        self._policy = settings
        self._show_policy(settings)
        for w in (self.quiet_on, self.quiet_start, self.quiet_end, self.night_ring):
            w.setEnabled(True)

    # ------------------------------------------------------------------ loading
    def selected(self) -> Channel | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0].row()
        return self._channels[index] if 0 <= index < len(self._channels) else None

    def reload(self, select: str | None = None) -> None:
        relay = self.relay
        current = self.selected()
        keep = select or (current.id if current is not None else None)

        def work() -> tuple[list[Channel], dict[str, str], dict[str, SendRecord | None]]:
            book = relay.book()
            if book is None:
                return [], {}, {}
            channels = book.channels()
            masked = {}
            for c in channels:
                creds = book.credentials(c.id)
                masked[c.id] = mask_url(creds[0]) if creds else ""
            last: dict[str, SendRecord | None] = {}
            for c in channels:
                sends = relay.robots.dispatcher.sends(c.id, 1)
                last[c.id] = sends[0] if sends else None
            return channels, masked, last

        self._loading = True
        run_in_background(work, lambda result: self._loaded(result, keep), self._failed)

    def _loaded(
        self, result: tuple[list[Channel], dict[str, str], dict[str, SendRecord | None]], keep: str | None
    ) -> None:
        self._loading = False
        self._channels, self._masked, self._last = result
        labels, outcomes = kind_labels(), _outcome_labels()
        self.table.setRowCount(len(self._channels))
        for n, c in enumerate(self._channels):
            last = self._last.get(c.id)
            missing = not self._masked.get(c.id)
            cells = [
                c.name or labels[c.kind],
                labels[c.kind],
                self.tr("Not in the keychain: edit to enter it again") if missing else self._masked[c.id],
                self.tr("Yes") if c.signed else self.tr("No"),
                (self.tr("Off") + " · " if not c.enabled else "")
                + (
                    f"{_local_time(last.at)} {outcomes.get(last.outcome, last.outcome)}"
                    if last
                    else self.tr("Never")
                ),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if last is not None and col == 4 and last.error:
                    item.setToolTip(last.error)
                self.table.setItem(n, col, item)
        self.empty.setVisible(not self._channels)
        if keep is not None:
            for n, c in enumerate(self._channels):
                if c.id == keep:
                    self.table.selectRow(n)
        self._selection_changed()

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        log.error("robot settings: %s", exc)
        self.status.setText(fill(self.tr("Could not read or save the robot channels: %1"), exc))

    def _selection_changed(self) -> None:
        channel = self.selected()
        for button in (self.edit_button, self.remove_button, self.test_button):
            button.setEnabled(channel is not None)
        self.enabled.setEnabled(channel is not None)
        self.enabled.blockSignals(True)
        self.enabled.setChecked(bool(channel and channel.enabled))
        self.enabled.blockSignals(False)
        self._load_log(channel)

    def _load_log(self, channel: Channel | None) -> None:
        if channel is None:
            self.log.setRowCount(0)
            return
        relay = self.relay
        run_in_background(lambda: relay.robots.dispatcher.sends(channel.id, 50), self._show_log, self._failed)

    def _show_log(self, records: list[SendRecord]) -> None:
        outcomes = _outcome_labels()
        self.log.setRowCount(len(records))
        for n, r in enumerate(records):
            what = self.tr("Test message") if r.test else fill(self.tr("%1 alert(s)"), r.notices)
            detail = what + (f" — {r.error}" if r.error else "")
            for col, text in enumerate((_local_time(r.at), outcomes.get(r.outcome, r.outcome), detail)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.log.setItem(n, col, item)

    # ------------------------------------------------------------------ actions
    def _change(self, fn: Callable[[ChannelBook], _R], done_text: str, select: str | None = None) -> None:
        relay = self.relay

        def work() -> _R:
            book = relay.book()
            if book is None:
                raise ChannelError(self.tr("The keychain is not ready yet; try again in a moment."))
            return fn(book)

        def done(result: _R) -> None:
            self.status.setText(done_text)
            self.reload(select=result.id if isinstance(result, Channel) else select)

        run_in_background(work, done, self._failed)

    def add_channel(self) -> None:
        dialog = ChannelDialog(parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        v = dialog.values()
        self._change(
            lambda book: book.add(v.kind, v.name, v.url or "", v.secret),
            self.tr("Channel added. Send a test message to check it."),
        )

    def edit_channel(self) -> None:
        channel = self.selected()
        if channel is None:
            return
        dialog = ChannelDialog(channel, self._masked.get(channel.id, ""), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        v = dialog.values()
        self._change(
            lambda book: book.update(channel.id, name=v.name, url=v.url, secret=v.secret),
            self.tr("Channel saved."),
        )

    def remove_channel(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        channel = self.selected()
        if channel is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Remove channel"),
            fill(
                self.tr("Remove “%1”? Its address and secret are deleted from the keychain."),
                channel.name or kind_labels()[channel.kind],
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        relay = self.relay

        def remove(book: ChannelBook) -> None:
            book.remove(channel.id)
            relay.robots.dispatcher.forget_channel(channel.id)

        self._change(remove, self.tr("Channel removed."))

    def _enabled_toggled(self, on: bool) -> None:
        channel = self.selected()
        if channel is None:
            return
        self._change(
            lambda book: book.update(channel.id, enabled=on),
            self.tr("Alerts to this channel are on.") if on else self.tr("Alerts to this channel are off."),
        )

    def send_test(self) -> None:
        channel = self.selected()
        if channel is None:
            return
        relay = self.relay
        self.test_button.setEnabled(False)
        self.status.setText(self.tr("Sending a test message…"))

        def work() -> SendResult:
            book = relay.book()
            creds = book.credentials(channel.id) if book is not None else None
            if creds is None:
                raise ChannelError(
                    self.tr("The address of this channel is not in the keychain: edit it and enter it again.")
                )
            from desktop.core.robots.channels import ResolvedChannel

            return relay.robots.dispatcher.send_test(ResolvedChannel(channel, creds[0], creds[1]))

        def done(result: SendResult) -> None:
            self.test_button.setEnabled(self.selected() is not None)
            if result.ok:
                self.status.setText(self.tr("Test message sent: check the group on your phone."))
            else:
                self.status.setText(fill(self.tr("The test message was not sent: %1"), result.message))
            self.reload()

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(self.selected() is not None)
            self._failed(exc)

        run_in_background(work, done, failed)

    # ------------------------------------------------------------------ the settings dialog
    def validate(self) -> str | None:
        return None

    def save(self) -> bool:
        if self._policy is None:  # not read yet: nothing was changed here
            return True
        store = self.store
        quiet_on = self.quiet_on.isChecked()
        start, end = self.quiet_start.time().toString("HH:mm"), self.quiet_end.time().toString("HH:mm")
        ring = self.night_ring.value()

        def work() -> None:
            current = PolicySettings.load(store)
            replace(
                current, quiet_enabled=quiet_on, quiet_start=start, quiet_end=end, night_ring_min=ring
            ).save(store)

        run_in_background(work, None, lambda exc: log.error("robot quiet hours not saved: %s", exc))
        return True
