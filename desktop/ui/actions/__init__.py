"""Approve and reject from the window: the queue's selection (menu, context menu, shortcuts), the
detail pane's single request, the action log, and the report of an interrupted run at start.

Wiring (the composition root or the main window)::

    from desktop.ui.actions import install_actions
    actions = install_actions(window, queue, detail=detail)   # the QueueWidget, the DetailPane
    # a button of the detail pane may call actions.approve_rows([row]) / actions.reject_rows([row])

``install_actions`` adds "Approve…" (Ctrl+Shift+A), "Reject…" (Ctrl+Shift+R) and "Action log…"
(Ctrl+Shift+L) to the window's Requests menu (after "Sync now"), its toolbar and the queue tables'
context menu; "Approve this request" / "Reject this request" to the detail pane's context menu (the
request it shows); enables them while requests are selected and the shop is signed in; syncs the
shop after each run; and, whenever a shop becomes active, settles in the background what an
interrupted run left open in the journal, showing the results if there are any.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QWidget

from desktop.core.actions import ActionEngine, BatchReport, ItemResult
from desktop.ui.actions.audit_view import AuditLogDialog
from desktop.ui.actions.flow import BulkActionFlow, Request
from desktop.ui.actions.preview import PreviewDialog
from desktop.ui.actions.progress import ProgressDialog
from desktop.ui.actions.reasons import RejectReasonDialog
from desktop.ui.i18n import fill
from desktop.ui.queue.selection import ListedRequest, RequestPane, RequestQueue
from desktop.ui.workers import run_in_background

if TYPE_CHECKING:
    from desktop.core.store import Store

__all__ = [
    "ActionsUi",
    "AuditLogDialog",
    "BulkActionFlow",
    "PreviewDialog",
    "ProgressDialog",
    "RejectReasonDialog",
    "install_actions",
]


class _Services(Protocol):
    @property
    def store(self) -> Store: ...


def _window_store(window: QMainWindow) -> Store:
    """The store of the window's services (the main window carries them as ``services``)."""
    services: _Services = getattr(window, "services")  # noqa: B009 - not a QMainWindow attribute
    return services.store


def window_engine(window: QMainWindow) -> Callable[[], ActionEngine | None]:
    """The engine of the window's active shop (``None`` when signed out)."""

    def make() -> ActionEngine | None:
        shop, client = getattr(window, "shop", None), getattr(window, "client", None)
        if shop is None or client is None:
            return None
        return ActionEngine(client, _window_store(window), shop_id=shop.id)

    return make


class ActionsUi(QObject):
    """The actions' menu entries, shortcuts and dialogs for one main window."""

    def __init__(
        self,
        window: QMainWindow,
        queue: RequestQueue,
        engine_factory: Callable[[], ActionEngine | None],
        detail: RequestPane | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.queue = queue
        self.detail = detail
        self._factory = engine_factory
        self.flow = BulkActionFlow(window, engine_factory)
        self.flow.busyChanged.connect(lambda _busy: self._update_enabled())
        self.flow.runFinished.connect(self._after_run)
        self.reconcile_dialog: ProgressDialog | None = None
        self.log_dialog: AuditLogDialog | None = None

        self.approve_action = QAction(self.tr("Approve…"), window)
        self.approve_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.approve_action.setToolTip(self.tr("Agree the selected requests (Ctrl+Shift+A)"))
        self.approve_action.triggered.connect(lambda: self.approve_rows(self._selection()))
        self.reject_action = QAction(self.tr("Reject…"), window)
        self.reject_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.reject_action.setToolTip(self.tr("Reject the selected requests with one reason (Ctrl+Shift+R)"))
        self.reject_action.triggered.connect(lambda: self.reject_rows(self._selection()))
        self.log_action = QAction(self.tr("Action log…"), window)
        self.log_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.log_action.triggered.connect(self.show_log)
        for action in (self.approve_action, self.reject_action, self.log_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addActions([self.approve_action, self.reject_action, self.log_action])
        # the one request the detail pane shows
        self.approve_one_action = QAction(self.tr("Approve this request…"), window)
        self.approve_one_action.triggered.connect(lambda: self.approve_rows(self._shown()))
        self.reject_one_action = QAction(self.tr("Reject this request…"), window)
        self.reject_one_action.triggered.connect(lambda: self.reject_rows(self._shown()))
        if isinstance(detail, QWidget):
            detail.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            detail.addActions([self.approve_one_action, self.reject_one_action])

        self._add_to_menu()
        self._add_to_toolbar()
        self._add_to_context_menus()
        for signal_name in ("selectedRowsChanged", "currentRequestChanged"):
            signal = getattr(queue, signal_name, None)
            if signal is not None:
                signal.connect(lambda *_: self._update_enabled())
        shop_changed = getattr(window, "shop_changed", None)
        if shop_changed is not None:
            # the window sets its client right after announcing the shop: look once it has
            shop_changed.connect(lambda _shop: QTimer.singleShot(0, self._shop_activated))
        self._update_enabled()

    # ------------------------------------------------------------------------------ public
    def approve_rows(self, rows: Sequence[Request]) -> None:
        """Approve these requests (queue rows, refunds or ids) through preview and progress."""
        self.flow.approve(list(rows))

    def reject_rows(self, rows: Sequence[Request]) -> None:
        self.flow.reject(list(rows))

    def show_log(self) -> None:
        shop = getattr(self.window, "shop", None)
        if self.log_dialog is None:
            self.log_dialog = AuditLogDialog(
                _window_store(self.window), shop.id if shop is not None else None, self.window
            )
        self.log_dialog.show()
        self.log_dialog.raise_()
        self.log_dialog.refresh()

    def reconcile_now(self) -> None:
        """Settle the active shop's open journal entries in the background; show what they became."""
        engine = self._factory()
        if engine is None:
            return

        def shown(results: list[ItemResult]) -> None:
            if not results:
                return
            dialog = ProgressDialog(engine, None, self.window)
            dialog.show_results(results, self.tr("Results of an interrupted run"))
            dialog.retry_requested.connect(self.approve_or_reject_again)
            dialog.act_again_requested.connect(lambda ids: self._release_then_select(engine, ids))
            self.reconcile_dialog = dialog
            dialog.open()

        run_in_background(engine.reconcile, shown, self._reconcile_failed)

    def _release_then_select(self, engine: ActionEngine, refund_ids: list[int]) -> None:
        """The seller checked the undecided requests: not applied. Release them (journal write,
        background), then select them so the seller picks the action again."""
        run_in_background(
            lambda: engine.release_uncertain(refund_ids),
            lambda _results: self.approve_or_reject_again(refund_ids),
            self._reconcile_failed,
        )

    def approve_or_reject_again(self, refund_ids: list[int]) -> None:
        """ "Retry the failed" of an interrupted run: select them so the user picks the action."""
        select = getattr(self.queue, "select_refunds", None)
        if callable(select):
            select(refund_ids)

    # ------------------------------------------------------------------------------ internals
    def _selection(self) -> list[ListedRequest]:
        rows = list(self.queue.selected_rows())
        shop = getattr(self.window, "shop", None)
        if shop is not None:  # actions go to the active shop's requests only
            rows = [r for r in rows if getattr(r, "shop_id", shop.id) == shop.id]
        return rows

    def _shown(self) -> list[ListedRequest]:
        row = self.detail.row if self.detail is not None else None
        return [row] if row is not None else []

    def _update_enabled(self) -> None:
        ready = getattr(self.window, "client", None) is not None and not self.flow.busy
        self.approve_action.setEnabled(ready and bool(self._selection()))
        self.reject_action.setEnabled(ready and bool(self._selection()))
        self.approve_one_action.setEnabled(ready and bool(self._shown()))
        self.reject_one_action.setEnabled(ready and bool(self._shown()))

    def _after_run(self, _report: BatchReport) -> None:
        sync = getattr(self.window, "sync_now", None)
        if callable(sync):
            sync()

    def _shop_activated(self) -> None:
        self._update_enabled()
        self.reconcile_now()

    def _reconcile_failed(self, exc: BaseException) -> None:
        status = self.window.statusBar() if hasattr(self.window, "statusBar") else None
        if status is not None:
            status.showMessage(fill(self.tr("Checking an interrupted run failed: %1"), exc))

    def _add_to_menu(self) -> None:
        sync = getattr(self.window, "sync_action", None)
        for top in self.window.menuBar().actions():
            menu = top.menu()
            if isinstance(menu, QMenu) and sync is not None and sync in menu.actions():
                menu.addSeparator()
                menu.addActions([self.approve_action, self.reject_action, self.log_action])
                return
        menu = self.window.menuBar().addMenu(self.tr("&Actions"))
        menu.addActions([self.approve_action, self.reject_action, self.log_action])

    def _add_to_toolbar(self) -> None:
        toolbar = self.window.findChild(QToolBar)
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addActions([self.approve_action, self.reject_action])

    def _add_to_context_menus(self) -> None:
        tables: list[QWidget] = []
        for view in (getattr(self.queue, "merchant_view", None), getattr(self.queue, "others_view", None)):
            table = getattr(view, "table", None)
            if isinstance(table, QWidget):
                tables.append(table)
        if not tables and isinstance(self.queue, QWidget):
            tables.append(self.queue)
        for table in tables:
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            table.addActions([self.approve_action, self.reject_action])


def install_actions(
    window: QMainWindow,
    queue: RequestQueue,
    *,
    detail: RequestPane | None = None,
    engine_factory: Callable[[], ActionEngine | None] | None = None,
) -> ActionsUi:
    """Add approve/reject/action-log to ``window`` for the requests selected in ``queue`` (and the
    one ``detail`` shows, when given)."""
    return ActionsUi(window, queue, engine_factory or window_engine(window), detail)
