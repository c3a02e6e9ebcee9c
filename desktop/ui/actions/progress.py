"""The progress of a bulk action: one row per request with its result as it arrives, cancel, and
"retry the failed" at the end, and "act again" for requests left undecided (no clear answer, the
refund unchanged: the platform may still carry them out, so only the seller, after checking the
seller backend, decides to act on them again). The engine runs on the thread pool
(:func:`desktop.ui.workers.run_in_background`); results come back by queued signals, so the UI thread
only updates one table row per result."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.actions import ActionKind, BatchReport, ItemResult, Outcome, Plan
from desktop.ui.actions.texts import kind_name, outcome_name
from desktop.ui.i18n import fill
from desktop.ui.workers import run_in_background

if TYPE_CHECKING:
    from desktop.core.actions import ActionEngine

COL_REFUND, COL_ACTION, COL_RESULT, COL_MESSAGE = range(4)
_COLORS = {
    Outcome.DONE: Qt.GlobalColor.darkGreen,
    Outcome.FAILED: Qt.GlobalColor.darkRed,
    Outcome.CHANGED: Qt.GlobalColor.darkYellow,
    Outcome.NOT_APPLIED: Qt.GlobalColor.darkRed,
    Outcome.UNKNOWN: Qt.GlobalColor.darkYellow,
    Outcome.CANCELLED: Qt.GlobalColor.gray,
    Outcome.SKIPPED: Qt.GlobalColor.gray,
}


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One request in the progress table: its action (``None`` for a request not sent) and result
    (``None`` while it waits)."""

    refund_id: int
    kind: ActionKind | None
    outcome: Outcome | None
    message: str


class ResultsModel(QAbstractTableModel):
    """One row per request: refund id, action, result, message. Rows are keyed by refund id, so a
    later result for the same request (an uncertain send, judged) replaces the earlier one."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ResultRow] = []
        self._index: dict[int, int] = {}

    def reset(self, rows: Sequence[ResultRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._index = {r.refund_id: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def add(self, refund_id: int, kind: ActionKind | None, outcome: Outcome | None, message: str) -> None:
        if refund_id in self._index:
            self.set_result(refund_id, kind, outcome, message)
            return
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(ResultRow(refund_id, kind, outcome, message))
        self._index[refund_id] = row
        self.endInsertRows()

    def set_result(
        self, refund_id: int, kind: ActionKind | None, outcome: Outcome | None, message: str
    ) -> None:
        row = self._index.get(refund_id)
        if row is None:
            self.add(refund_id, kind, outcome, message)
            return
        self._rows[row] = ResultRow(refund_id, kind or self._rows[row].kind, outcome, message)
        self.dataChanged.emit(self.index(row, 0), self.index(row, 3))

    def outcome_of(self, refund_id: int) -> Outcome | None:
        row = self._index.get(refund_id)
        return None if row is None else self._rows[row].outcome

    def message_of(self, refund_id: int) -> str:
        row = self._index.get(refund_id)
        return "" if row is None else self._rows[row].message

    def counts(self) -> dict[Outcome | None, int]:
        out: dict[Outcome | None, int] = {}
        for r in self._rows:
            out[r.outcome] = out.get(r.outcome, 0) + 1
        return out

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 4

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return [self.tr("Refund"), self.tr("Action"), self.tr("Result"), self.tr("Details")][section]

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | Qt.GlobalColor | None:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return [str(r.refund_id), kind_name(r.kind), outcome_name(r.outcome), r.message][col]
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_RESULT and r.outcome is not None:
            return _COLORS.get(r.outcome)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_MESSAGE:
            return r.message
        return None


class ProgressDialog(QDialog):
    """Runs ``engine.execute(plan)`` in the background and shows each request's result.

    ``retry_requested(list[int])``: the user asked to try the failed requests again (the caller
    prepares them afresh and shows a new preview). ``run_finished(BatchReport)`` when done.
    """

    retry_requested = Signal(list)
    #: the seller checked the undecided requests in the seller backend: not applied, act again
    act_again_requested = Signal(list)
    run_finished = Signal(object)

    def __init__(self, engine: ActionEngine, plan: Plan | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Processing requests"))
        self.setMinimumSize(640, 420)
        self._engine = engine
        self._plan = plan
        self._cancel = threading.Event()
        self._running = False
        self.report: BatchReport | None = None
        self._retryable: list[int] = []
        self._undecided: list[int] = []

        self.summary = QLabel()
        self.bar = QProgressBar()
        self.model = ResultsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(COL_MESSAGE, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(COL_REFUND, 150)
        self.table.setWordWrap(False)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button = QPushButton(self.tr("Retry the failed"))
        self.retry_button.setEnabled(False)
        self.retry_button.clicked.connect(self._retry)
        self.act_again_button = QPushButton(self.tr("Act again on the undecided…"))
        self.act_again_button.setVisible(False)
        self.act_again_button.clicked.connect(self._act_again)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.cancel_button, self.retry_button, self.act_again_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        if plan is not None:
            rows = [ResultRow(s.refund_id, None, Outcome.SKIPPED, s.reason) for s in plan.skipped]
            rows += [ResultRow(a.refund_id, a.kind, None, "") for a in plan.actions]
            self.model.reset(rows)
            self.bar.setRange(0, len(plan.actions))
        self._update_summary()

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        """Send the plan in the background."""
        if self._plan is None or self._running:
            return
        self._running = True
        self.cancel_button.setEnabled(True)
        self.close_button.setEnabled(False)
        self.retry_button.setEnabled(False)
        engine, plan, cancel = self._engine, self._plan, self._cancel
        run_in_background(
            lambda progress: engine.execute(plan, cancelled=cancel, progress=progress),
            self._finished,
            self._failed,
            on_progress=self._progress,
        )
        self._update_summary()

    def show_results(self, results: Sequence[ItemResult], title: str) -> None:
        """Show results that are already known (an interrupted run reconciled at start)."""
        self.setWindowTitle(title)
        for r in results:
            self.model.add(r.refund_id, r.kind, r.outcome, r.message)
        self.bar.setRange(0, max(1, len(results)))
        self.bar.setValue(len(results))
        self._retryable = [r.refund_id for r in results if r.outcome.retryable]
        self._undecided = [r.refund_id for r in results if r.outcome is Outcome.UNKNOWN]
        self._done_buttons()
        self._update_summary()

    def cancel(self) -> None:
        """Stop before the next send (what was sent stays sent; the rest is reported not sent)."""
        if self._running:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText(self.tr("Cancelling…"))

    # ------------------------------------------------------------------------------ internals
    def _progress(self, result: ItemResult, finished: int, total: int) -> None:
        self.model.set_result(result.refund_id, result.kind, result.outcome, result.message)
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(finished)
        self._update_summary()

    def _finished(self, report: BatchReport) -> None:
        self._running = False
        self.report = report
        for r in report.results:
            self.model.set_result(r.refund_id, r.kind, r.outcome, r.message)
        self.bar.setValue(self.bar.maximum())
        # the title no longer says "processing" once nothing is
        self.setWindowTitle(
            self.tr("Processing stopped") if report.stopped else self.tr("Requests processed")
        )
        self._retryable = report.retryable_ids
        self._undecided = [r.refund_id for r in report.results if r.outcome is Outcome.UNKNOWN]
        if report.stopped:
            self.summary.setText(fill(self.tr("Stopped: %1"), report.stopped))
        self._done_buttons()
        if not report.stopped:
            self._update_summary()
        self.run_finished.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        self.setWindowTitle(self.tr("Processing stopped"))
        self.summary.setText(fill(self.tr("The run could not start: %1"), exc))
        self._done_buttons()

    def _done_buttons(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText(self.tr("Cancel"))
        self.close_button.setEnabled(True)
        self.retry_button.setEnabled(bool(self._retryable))
        self.retry_button.setText(
            fill(self.tr("Retry the failed (%1)"), len(self._retryable))
            if self._retryable
            else self.tr("Retry the failed")
        )
        self.act_again_button.setVisible(bool(self._undecided))
        self.act_again_button.setText(fill(self.tr("Act again on the undecided (%1)…"), len(self._undecided)))

    def _retry(self) -> None:
        ids = list(self._retryable)
        if ids:
            self.retry_requested.emit(ids)
            self.accept()

    def _act_again(self) -> None:
        """Ask the seller to confirm, at the boundary, that they checked the seller backend."""
        ids = list(self._undecided)
        if not ids:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Act again on undecided requests?"),
            fill(
                self.tr(
                    "%1 request(s) got no clear answer and still look unchanged. The "
                    "platform may still carry the first request out: acting again "
                    "could do it twice.\n\nOpen each one in the Kuaishou seller "
                    "backend first. Act again only on those that were not applied "
                    "there."
                ),
                len(ids),
            ),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDetailedText("\n".join(f"{rid}: {self.model.message_of(rid)}" for rid in ids))
        act = box.addButton(self.tr("Checked: not applied, act again"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is act:
            self.act_again_requested.emit(ids)
            self.accept()

    def _update_summary(self) -> None:
        counts = self.model.counts()
        parts = [fill(self.tr("%1 done"), counts.get(Outcome.DONE, 0))]
        failed = sum(counts.get(o, 0) for o in (Outcome.FAILED, Outcome.CHANGED, Outcome.NOT_APPLIED))
        if failed:
            parts.append(fill(self.tr("%1 failed"), failed))
        for outcome in (Outcome.UNKNOWN, Outcome.CANCELLED, Outcome.SKIPPED):
            if counts.get(outcome):
                parts.append(f"{outcome_name(outcome)} {counts[outcome]}")
        if self._running and counts.get(None):
            parts.append(fill(self.tr("%1 to go"), counts[None]))
        self.summary.setText(" · ".join(parts))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._running:
            self.cancel()  # closing while sending means: stop before the next one
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:  # Escape
        if self._running:
            self.cancel()
            return
        super().reject()
