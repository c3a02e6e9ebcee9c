"""One bulk action from selection to results: (reject: pick a reason) → read the requests afresh →
preview → progress → optionally "retry the failed", which goes through a fresh preview again.

Nothing here blocks the UI thread: reading, planning and sending run on the thread pool."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QProgressDialog, QWidget

from desktop.core.actions import ActionEngine, ActionsCancelled, Approve, Intent, Plan
from desktop.ui.actions.preview import PreviewDialog
from desktop.ui.actions.progress import ProgressDialog
from desktop.ui.actions.reasons import RejectReasonDialog
from desktop.ui.i18n import fill
from desktop.ui.queue.selection import ListedRequest
from desktop.ui.workers import run_in_background

#: what an action is asked for: requests as the seller saw them (read afresh, flagged when they
#: changed since), or their ids
Request = ListedRequest | int


class BulkActionFlow(QObject):
    """Runs bulk approvals/rejections for the widget ``parent``.

    ``engine_factory()`` returns the :class:`ActionEngine` of the active shop, or ``None`` when the
    shop is signed out. ``busyChanged(bool)`` while a flow is under way (one at a time);
    ``runFinished(BatchReport)`` after each run (e.g. to sync the shop).
    """

    busyChanged = Signal(bool)
    runFinished = Signal(object)

    def __init__(self, parent: QWidget, engine_factory: Callable[[], ActionEngine | None]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._factory = engine_factory
        self._busy = False
        self._engine: ActionEngine | None = None
        #: the dialog currently shown (tests look at it)
        self.dialog: QDialog | None = None

    @property
    def busy(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)

    # ------------------------------------------------------------------------------ entry points
    def approve(self, refunds: Sequence[Request]) -> None:
        """Approve the requests (queue rows, refunds or ids)."""
        engine = self._begin(refunds)
        if engine is not None:
            self._prepare(engine, list(refunds), Approve())

    def reject(self, refunds: Sequence[Request]) -> None:
        """Reject the requests with one reason the user picks."""
        engine = self._begin(refunds)
        if engine is None:
            return
        ids = [r if isinstance(r, int) else r.refund_id for r in refunds]
        dialog = RejectReasonDialog(engine, ids, self._parent)
        self.dialog = dialog

        def chosen(result: int) -> None:
            intent = dialog.intent()
            dialog.deleteLater()
            if result != QDialog.DialogCode.Accepted or intent is None or dialog.summary is None:
                self._end()
                return
            self._prepare(engine, list(refunds), intent, reasons=dialog.summary.per_refund)

        dialog.finished.connect(chosen)
        dialog.open()
        dialog.start()

    # ------------------------------------------------------------------------------ steps
    def _begin(self, refunds: Sequence[Request]) -> ActionEngine | None:
        if self._busy or not refunds:
            return None
        engine = self._factory()
        if engine is None:
            QMessageBox.information(
                self._parent,
                self.tr("Sign in first"),
                self.tr("The shop is signed out: sign in again to act on its requests."),
            )
            return None
        self._engine = engine
        self._set_busy(True)
        return engine

    def _end(self) -> None:
        self.dialog = None
        self._set_busy(False)

    def _prepare(
        self,
        engine: ActionEngine,
        refunds: Sequence[Request],
        intent: Intent,
        reasons: Mapping[int, Sequence[object]] | None = None,
        *,
        release_uncertain: bool = False,
    ) -> None:
        cancel = threading.Event()
        busy = QProgressDialog(
            fill(self.tr("Reading %1 request(s)…"), len(refunds)),
            self.tr("Cancel"),
            0,
            len(refunds),
            self._parent,
        )
        busy.setWindowTitle(self.tr("Preparing"))
        busy.setWindowModality(Qt.WindowModality.WindowModal)
        busy.setMinimumDuration(300)
        busy.canceled.connect(cancel.set)
        self.dialog = busy

        def work(progress: Callable[..., None]) -> Plan:
            return engine.prepare(
                refunds,
                intent,
                reasons=reasons,
                cancelled=cancel,
                progress=progress,
                release_uncertain=release_uncertain,
            )

        def done(plan: Plan) -> None:
            busy.reset()
            busy.deleteLater()
            self._preview(engine, plan)

        def failed(exc: BaseException) -> None:
            busy.reset()
            busy.deleteLater()
            if not isinstance(exc, ActionsCancelled):
                QMessageBox.warning(self._parent, self.tr("Cannot prepare the action"), str(exc))
            self._end()

        run_in_background(
            work, done, failed, on_progress=lambda n, total: busy.setValue(n) if not cancel.is_set() else None
        )

    def _preview(self, engine: ActionEngine, plan: Plan) -> None:
        dialog = PreviewDialog(plan, self._parent)
        self.dialog = dialog

        def decided(result: int) -> None:
            accepted = dialog.plan()
            dialog.deleteLater()
            if result == QDialog.DialogCode.Accepted and accepted.actions:
                self._run(engine, accepted)
            else:
                self._end()

        dialog.finished.connect(decided)
        dialog.open()

    def _run(self, engine: ActionEngine, plan: Plan) -> None:
        dialog = ProgressDialog(engine, plan, self._parent)
        self.dialog = dialog
        retry: list[int] = []
        again: list[int] = []
        dialog.retry_requested.connect(retry.extend)
        dialog.act_again_requested.connect(again.extend)
        dialog.run_finished.connect(self.runFinished)

        def closed(_result: int) -> None:
            dialog.deleteLater()
            if retry:
                self._prepare(engine, retry, plan.intent)
            elif again:  # the seller checked the seller backend: released, read, previewed again
                self._prepare(engine, again, plan.intent, release_uncertain=True)
            else:
                self._end()

        dialog.finished.connect(closed)
        dialog.open()
        dialog.start()
