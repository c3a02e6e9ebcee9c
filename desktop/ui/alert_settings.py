"""Preferences for warnings and background polling, and the settings page that edits them.

Stored with ``QSettings`` (through :class:`desktop.ui.settings.Settings`'s ``QSettings``): the alert
thresholds (default: the rules file's ``warnings.alert_hours``), quiet hours (off by default), a
pause, the poll interval and start at login (off by default; the OS entry itself is written by
:mod:`desktop.core.autostart`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from PySide6.QtCore import QCoreApplication, QSettings, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from desktop.core import autostart
from desktop.core.alerts import AlertPolicy, QuietHours
from desktop.core.polling import PollPolicy
from desktop.ui.i18n import fill

log = logging.getLogger(__name__)

THRESHOLDS = "alerts/thresholds_min"
QUIET_ON = "alerts/quiet_enabled"
QUIET_START = "alerts/quiet_start"
QUIET_END = "alerts/quiet_end"
PAUSED_UNTIL = "alerts/paused_until_ms"
POLL_INTERVAL_S = "sync/interval_s"  # the one sync interval (older versions wrote it with other limits)
CLOSE_TO_TRAY_TOLD = "tray/close_told"

DEFAULT_QUIET = ("22:00", "08:00")
DEFAULT_POLL_S = 300
MIN_POLL_S, MAX_POLL_S = 60, 120 * 60  # the page's 1 to 120 minutes


#: units a warning time may be written in, in minutes (English and Chinese, as a seller types them)
_UNITS = {
    "": 1,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "分": 1,
    "分钟": 1,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "时": 60,
    "小时": 60,
    "个小时": 60,
    "d": 1440,
    "day": 1440,
    "days": 1440,
    "天": 1440,
    "日": 1440,
}
_PART = re.compile(r"^(\d+(?:\.\d+)?)\s*([^\d\s.]*)$")


def _whole(raw: object) -> int:
    """A whole number kept by QSettings (an int, or its text in the ini file); ValueError otherwise."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError(f"not a whole number: {raw!r}")
    return int(raw)


def parse_thresholds(text: str) -> tuple[int, ...]:
    """``"24h, 6h, 2h, 30m"``, ``"1天，6小时，30分钟"`` (or minutes as bare numbers) → minutes,
    loosest first. Parts are separated by commas (either width), 、 or semicolons.

    Raises ValueError with a message (in the interface's language) naming the bad part.
    """
    minutes: list[int] = []
    for part in (p.strip().lower() for p in re.split(r"[,，、;；]", text)):
        if not part:
            continue
        match = _PART.match(part)
        unit = _UNITS.get(match.group(2)) if match else None
        if match is None or unit is None:
            raise ValueError(
                fill(
                    QCoreApplication.translate(
                        "AlertSettingsPage", "“%1” is not a time span: write e.g. 1 day, 6 h, 30 min"
                    ),
                    part,
                )
            )
        value = float(match.group(1)) * unit
        if not 1 <= value <= 7 * 24 * 60:
            raise ValueError(
                fill(
                    QCoreApplication.translate(
                        "AlertSettingsPage", "“%1” must be between 1 minute and 7 days"
                    ),
                    part,
                )
            )
        minutes.append(round(value))
    if not minutes:
        raise ValueError(QCoreApplication.translate("AlertSettingsPage", "give at least one warning time"))
    return tuple(sorted(set(minutes), reverse=True))


def format_thresholds(minutes: tuple[int, ...]) -> str:
    """The stored form (``24h, 30m``): the same in every language."""
    return ", ".join(f"{m // 60}h" if m % 60 == 0 else f"{m}m" for m in minutes)


def display_thresholds(minutes: tuple[int, ...]) -> str:
    """The warning times as the field shows them, in the interface's language."""
    out = []
    for m in minutes:
        if m % 1440 == 0:
            out.append(fill(QCoreApplication.translate("AlertSettingsPage", "%1 d"), m // 1440))
        elif m % 60 == 0:
            out.append(fill(QCoreApplication.translate("AlertSettingsPage", "%1 h"), m // 60))
        else:
            out.append(fill(QCoreApplication.translate("AlertSettingsPage", "%1 min"), m))
    return QCoreApplication.translate("AlertSettingsPage", ", ").join(out)


class AlertPrefs:
    """Typed access to the alert keys of the app's ``QSettings``."""

    def __init__(self, qs: QSettings, default_thresholds_hours: tuple[float, ...] = (24, 6, 2, 0.5)):
        self.qs = qs
        self.default_minutes = tuple(round(h * 60) for h in default_thresholds_hours)

    def thresholds_min(self) -> tuple[int, ...]:
        raw = self.qs.value(THRESHOLDS)
        if raw:
            try:
                return parse_thresholds(str(raw) if not isinstance(raw, list) else ",".join(raw))
            except ValueError as exc:
                log.warning("ignoring bad alert thresholds in settings: %s", exc)
        return self.default_minutes

    def quiet(self) -> QuietHours | None:
        if str(self.qs.value(QUIET_ON, "false")).lower() != "true":
            return None
        try:
            start = dt.time.fromisoformat(str(self.qs.value(QUIET_START, DEFAULT_QUIET[0])))
            end = dt.time.fromisoformat(str(self.qs.value(QUIET_END, DEFAULT_QUIET[1])))
        except ValueError:
            start, end = (dt.time.fromisoformat(t) for t in DEFAULT_QUIET)
        return QuietHours(start, end) if start != end else None

    def paused_until_ms(self) -> int | None:
        try:
            value = _whole(self.qs.value(PAUSED_UNTIL, 0) or 0)
        except (TypeError, ValueError):
            return None
        return value or None

    def set_paused_until(self, until: dt.datetime | None) -> None:
        self.qs.setValue(PAUSED_UNTIL, int(until.timestamp() * 1000) if until else 0)

    def poll_interval_s(self) -> int:
        try:
            return min(MAX_POLL_S, max(MIN_POLL_S, _whole(self.qs.value(POLL_INTERVAL_S, DEFAULT_POLL_S))))
        except (TypeError, ValueError):
            return DEFAULT_POLL_S

    def policy(self) -> AlertPolicy:
        return AlertPolicy(
            thresholds_ms=tuple(m * 60_000 for m in self.thresholds_min()),
            quiet=self.quiet(),
            paused_until_ms=self.paused_until_ms(),
        )

    def poll_policy(self) -> PollPolicy:
        interval = self.poll_interval_s()
        return PollPolicy(
            interval_s=interval, near_interval_s=min(60, interval), max_backoff_s=max(1800, interval)
        )

    def close_to_tray_told(self) -> bool:
        return str(self.qs.value(CLOSE_TO_TRAY_TOLD, "false")).lower() == "true"

    def set_close_to_tray_told(self) -> None:
        self.qs.setValue(CLOSE_TO_TRAY_TOLD, "true")


class AlertSettingsPage(QWidget):
    """The "Alerts" page of the settings dialog: warning times, quiet hours, polling, start at login."""

    def __init__(self, prefs: AlertPrefs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefs = prefs
        self.thresholds = QLineEdit(display_thresholds(prefs.thresholds_min()))
        self.thresholds.setToolTip(self.tr("Separated by commas, e.g. 1 d, 6 h, 2 h, 30 min"))
        self.quiet_on = QCheckBox(self.tr("No pop-ups during quiet hours"))
        quiet = prefs.quiet()
        self.quiet_on.setChecked(quiet is not None)
        start, end = (quiet.start, quiet.end) if quiet else (dt.time.fromisoformat(t) for t in DEFAULT_QUIET)
        self.quiet_start = QTimeEdit(QTime(start.hour, start.minute))
        self.quiet_end = QTimeEdit(QTime(end.hour, end.minute))
        for edit in (self.quiet_start, self.quiet_end):
            edit.setDisplayFormat("HH:mm")
        quiet_row = QHBoxLayout()
        quiet_row.addWidget(self.quiet_start)
        quiet_row.addWidget(QLabel("–"))
        quiet_row.addWidget(self.quiet_end)
        quiet_row.addStretch(1)
        self.quiet_note = QLabel(
            self.tr(
                "Before quiet hours begin you get one summary of every request that would expire during them."
            )
        )
        self.quiet_note.setWordWrap(True)
        self.poll = QSpinBox()
        self.poll.setRange(1, 120)
        self.poll.setSuffix(self.tr(" min"))
        self.poll.setValue(max(1, prefs.poll_interval_s() // 60))
        self.poll.setToolTip(self.tr("Checks every minute while a request has less than 2 hours left"))
        self.autostart = QCheckBox(self.tr("Start AfterSale Watch when I log in"))
        try:
            self.autostart.setChecked(autostart.is_enabled())
        except OSError as exc:
            self.autostart.setEnabled(False)
            self.autostart.setToolTip(str(exc))
        form = QFormLayout(self)
        form.addRow(self.tr("Warn before a deadline at:"), self.thresholds)
        form.addRow(self.quiet_on)
        form.addRow(self.tr("Quiet hours:"), quiet_row)
        form.addRow(self.quiet_note)
        form.addRow(self.tr("Check for new requests every:"), self.poll)
        form.addRow(self.autostart)

    def validate(self) -> str | None:
        """A message for the user when the page cannot be saved, else ``None``."""
        try:
            parse_thresholds(self.thresholds.text())
        except ValueError as exc:
            return fill(self.tr("Warning times: %1"), exc)
        return None

    def save(self) -> bool:
        problem = self.validate()
        if problem:
            QMessageBox.warning(self, self.tr("Settings"), problem)
            return False
        qs = self.prefs.qs
        qs.setValue(THRESHOLDS, format_thresholds(parse_thresholds(self.thresholds.text())))
        qs.setValue(QUIET_ON, "true" if self.quiet_on.isChecked() else "false")
        qs.setValue(QUIET_START, self.quiet_start.time().toString("HH:mm"))
        qs.setValue(QUIET_END, self.quiet_end.time().toString("HH:mm"))
        qs.setValue(POLL_INTERVAL_S, self.poll.value() * 60)
        if self.autostart.isEnabled():
            try:
                if autostart.is_enabled() != self.autostart.isChecked():
                    autostart.set_enabled(self.autostart.isChecked())
            except OSError as exc:
                QMessageBox.warning(self, self.tr("Settings"), str(exc))
                return False
        return True
