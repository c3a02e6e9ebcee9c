"""Diagnostics a seller can report: the negotiation-history role values the platform sent.

The platform sends a history entry's ``role`` as a number and documents none of the values. The app
recognises an auto-approval by the entry's title and timing first, so nothing depends on them; this
view lists the values seen in the cached histories — how often, on how many requests, sample titles,
and whether the rules file (``classify.system_roles``) names the value as the system — so a seller
can report them and the rules file can name the system's value. The list is read in the background.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.i18n import fill
from desktop.ui.queue.labels import format_local_time
from desktop.ui.workers import Task, run_in_background

if TYPE_CHECKING:
    from desktop.core.domain.rules import Rules
    from desktop.core.store import RoleSeen, Store


class RolesDialog(QDialog):
    """The role values seen in the negotiation histories of ``shop_id`` (``None``: every shop)."""

    def __init__(
        self, store: Store, rules: Rules | None, shop_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._rules = rules
        self._shop_id = shop_id
        self._task: Task | None = None
        self.setWindowTitle(self.tr("Negotiation roles"))
        self.setMinimumSize(620, 360)
        self.note = QLabel(
            self.tr(
                "The platform sends who wrote each negotiation entry as a number and does not say what "
                "the numbers mean. Auto-approvals are recognised by the entries' titles and times, not by "
                "these numbers. If you report them, the rules file can name the system's number "
                "(classify.system_roles)."
            )
        )
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Role value"),
                self.tr("Entries"),
                self.tr("Requests"),
                self.tr("Last seen"),
                self.tr("Example entries"),
            ]
        )
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.status = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button: QPushButton = self.buttons.addButton(
            self.tr("Copy for a report"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_report)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._rows: list[RoleSeen] = []
        self.load()

    def load(self) -> None:
        """Read the role values in the background (the store is disk I/O)."""
        self.status.setText(self.tr("Loading…"))
        store, shop_id = self._store, self._shop_id
        self._task = run_in_background(lambda: store.history.role_values(shop_id), self._show, self._failed)

    def done(self, result: int) -> None:
        if self._task is not None:
            self._task.cancel()  # a late answer must not reach a closed dialog
        super().done(result)

    def _named(self, role: object) -> bool:
        """Whether the rules file names this role value as the system (casefolded, as it keeps them)."""
        names = self._rules.classify.system_roles.value if self._rules is not None else ()
        return str(role).strip().casefold() in names

    def _show(self, rows: list[RoleSeen]) -> None:
        self._task = None
        self._rows = list(rows)
        self.table.setRowCount(len(self._rows))
        for i, seen in enumerate(self._rows):
            value = "—" if seen.role is None else str(seen.role)
            if self._named(seen.role):
                value = fill(self.tr("%1 (named as the system in the rules file)"), value)
            cells = [
                value,
                str(seen.entries),
                str(seen.requests),
                format_local_time(seen.last_at, with_year=True) if seen.last_at else "—",
                " · ".join(seen.titles),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (1, 2):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.status.setText(
            fill(self.tr("%1 role value(s) in the negotiation histories fetched so far."), len(self._rows))
            if self._rows
            else self.tr(
                "No negotiation history has been fetched yet: the app fetches it for recently "
                "closed requests after the first download."
            )
        )
        self.copy_button.setEnabled(bool(self._rows))

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.status.setText(fill(self.tr("The list could not be read: %1"), exc))

    def report_text(self) -> str:
        """The values as plain lines, for a report (role, entries, requests, example titles)."""
        return "\n".join(
            f"role={seen.role!s}\tentries={seen.entries}\trequests={seen.requests}\t"
            + " | ".join(seen.titles)
            for seen in self._rows
        )

    def copy_report(self) -> None:
        QApplication.clipboard().setText(self.report_text())
        self.status.setText(self.tr("Copied. Paste it into your report."))
