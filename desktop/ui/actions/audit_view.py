"""The action log: every action the app sent or meant to send (the store's journal), newest first,
in the seller's words (what was asked, the result, the platform's message; whole refund ids), with an
export to CSV (UTF-8 with BOM, ids as text). Reading and writing run in the background."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import paths
from desktop.core.actions.audit import AuditRow, audit_rows, csv_header, display_record, export_csv
from desktop.ui.i18n import fill
from desktop.ui.workers import run_in_background

if TYPE_CHECKING:
    from desktop.core.store import Store

DETAILS_COLUMN = 5
MESSAGE_COLUMN = 7


class AuditModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._header: list[str] = csv_header()
        self._cells: list[list[str]] = []
        self.rows: list[AuditRow] = []

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self._header = csv_header()
        self._cells = [display_record(r) for r in rows]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._header)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._header[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cells[index.row()][index.column()]
        return None


class AuditLogDialog(QDialog):
    """Shows the audit log of ``store`` (one shop, or all with ``shop_id=None``)."""

    def __init__(self, store: Store, shop_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Action log"))
        self.resize(960, 520)
        self._store = store
        self._shop_id = shop_id
        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.status = QLabel()
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.clicked.connect(self.choose_export)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for b in (self.refresh_button, self.export_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def refresh(self) -> None:
        store, shop_id = self._store, self._shop_id
        self.status.setText(self.tr("Loading…"))
        run_in_background(lambda: audit_rows(store, shop_id), self._loaded, self._failed)

    def _loaded(self, rows: list[AuditRow]) -> None:
        self.model.set_rows(rows)
        # every column but the free texts fits its contents: a refund id is never cut
        for col in range(self.model.columnCount()):
            if col not in (DETAILS_COLUMN, MESSAGE_COLUMN):
                self.table.resizeColumnToContents(col)
        self.table.setColumnWidth(DETAILS_COLUMN, max(self.table.columnWidth(DETAILS_COLUMN), 260))
        self.status.setText(fill(self.tr("%1 action(s)"), len(rows)))
        self.export_button.setEnabled(bool(rows))

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(fill(self.tr("Failed: %1"), exc))

    def choose_export(self) -> None:
        default = str(paths.export_dir() / self.tr("aftersale-watch-actions.csv"))
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export the action log"), default, self.tr("CSV files (*.csv)")
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        rows = list(self.model.rows)
        self.export_button.setEnabled(False)
        self.status.setText(self.tr("Exporting…"))

        def done(count: int) -> None:
            self.export_button.setEnabled(True)
            self.status.setText(fill(self.tr("%1 action(s) exported to %2"), count, path))

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            self.status.setText(fill(self.tr("Export failed: %1"), exc))

        run_in_background(lambda: export_csv(rows, path), done, failed)
