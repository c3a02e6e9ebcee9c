"""The main window: menus and toolbar, the queue in the middle, the detail pane and the risk panel in
docks, the sync state in the status bar and a banner when something failed.

The window does no I/O itself, and owns no background work of the shop it shows: its
:class:`~desktop.ui.session.SessionController` makes a shop active and the active
:class:`~desktop.ui.session.ShopSession` syncs it and loads its rows, details and risk (latest request
wins; switching, signing out and quitting cancel what is in flight). The window is a view of the
session's signals. Shop management (rename, sign out, remove) runs through
:func:`desktop.ui.workers.run_in_background`. What it needs comes in through :class:`Services`
(built by the composition root, ``desktop/app.py``); the queue, detail and risk widgets come from
:mod:`desktop.ui.queue`.

The window is composed of parts with one role each: :class:`~desktop.ui.window_menus.WindowMenus`
(the actions, menus and toolbar), :class:`~desktop.ui.shop_lists.ShopLists` (the shop list, the
Switch-to menu and the shops dialog), :class:`~desktop.ui.status_bar.WindowStatusBar` and the
:class:`~desktop.ui.banner.Banner`.

Timers run only while the window is shown: the freshness text and the timers registered with
:meth:`MainWindow.tick_while_visible` (the queue's countdowns) stop while it is hidden in the tray or
minimised, and catch up at once when it shows again.

Why this module is still over 600 lines: what is left is the window's own role — which shop it shows
(reading the shop list, activating, signing out, removing) and the view of that shop's session (sync,
rows, details, risk), which share the window's state (the active shop, its sign-in, its freshness).
Split further, that state would be read and written from several modules.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_DISPLAY_NAME
from desktop.core import paths
from desktop.ui import settings as keys
from desktop.ui.banner import ShopBanner
from desktop.ui.help_menu import HelpDialogs
from desktop.ui.i18n import fill
from desktop.ui.services import Services
from desktop.ui.session import SessionController, ShopSession
from desktop.ui.settings import Settings
from desktop.ui.shop_lists import ShopLists
from desktop.ui.status_bar import WindowStatusBar
from desktop.ui.visible_timers import VisibleTimers
from desktop.ui.window_menus import WindowMenus
from desktop.ui.workers import run_in_background

if TYPE_CHECKING:
    from desktop.core.kuaishou.client import KuaishouClient
    from desktop.core.profiles import ShopManager
    from desktop.core.queue_rows import QueueRow
    from desktop.core.store import Shop
    from desktop.core.sync import SyncResult
    from desktop.ui.actions import ActionsUi
    from desktop.ui.guard import GuardController, HoldActions

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1280, 720)  # fits a 1366×768 laptop screen with the task bar
MINIMUM_SIZE = QSize(900, 560)
FRESHNESS_REFRESH_MS = 30_000

# (path, on_done(count), on_error(exc)): starts the export of what the queue shows
Exporter = Callable[[str, Callable[[int], None], Callable[[BaseException], None]], object]


class MainWindow(QMainWindow):
    """The app's window. ``sign_in_requested`` asks the shell for the sign-in dialog."""

    sign_in_requested = Signal()
    quit_requested = Signal()  # Quit chosen while the app lives in the tray
    hidden_to_tray = Signal()  # the window was closed and the app keeps running in the tray
    shop_changed = Signal(object)  # the active Shop (or None)
    sync_finished = Signal(object)  # the SyncResult
    sync_failed = Signal(object)  # the exception
    rows_loaded = Signal(object)  # the QueueRow list of the active shop
    detail_loaded = Signal(object, object)  # a row of the active shop, its RefundDetail
    risk_estimated = Signal(object)  # the active shop's risk answer
    shops_loaded = Signal(object, object)  # the shops read (list of Shop), {shop id: signed in}
    exported = Signal(str)  # the path of a finished CSV export

    def __init__(self, services: Services, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.settings = settings
        self.shop: Shop | None = None
        self.needs_sign_in = False
        # makes shops active; the active shop's session owns its client and background work
        self.sessions = SessionController(services, parent=self)
        self.sessions.activated.connect(self._session_activated)
        self.sessions.activation_failed.connect(self.background_failed)
        # timers that run only while the window is shown
        self.visible_timers = VisibleTimers(lambda: self.on_screen, parent=self)
        self._last_fresh_ms: int | None = None
        self._rows_shop_id: int | None = None  # whose rows the queue shows
        self.exporter: Exporter | None = None
        # () -> (page widget, tab title): pages other areas add to the settings dialog
        self.settings_pages: list[Callable[[], tuple[QWidget, str]]] = []
        # installed by the composition root: approve / reject (desktop.ui.actions), the guard
        # (desktop.ui.guard) and its "hold from the guard" actions
        self.actions_ui: ActionsUi | None = None
        self.guard: GuardController | None = None
        self.guard_holds: HoldActions | None = None
        self.setWindowTitle(APP_DISPLAY_NAME)
        self.setMinimumSize(MINIMUM_SIZE)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self._build_central()
        self._build_docks()
        self.menus = WindowMenus(
            self,
            language=settings.language(),
            view_toggles=(self.detail_dock.toggleViewAction(), self.risk_dock.toggleViewAction()),
        )
        self.help = HelpDialogs(self)
        self._connect_menus()
        self.shop_lists = ShopLists(self.menus.shop_combo, self.menus.switch_menu, self)
        self.shop_lists.switch_requested.connect(self.activate_shop)
        self.shop_lists.add_requested.connect(self.sign_in_requested)
        self.shop_lists.rename_requested.connect(self._rename_shop)
        self.shop_lists.sign_out_requested.connect(self._sign_out_shop)
        self.shop_lists.remove_requested.connect(self._remove_shop)
        self.status_bar = WindowStatusBar()
        self.setStatusBar(self.status_bar)
        self._update_freshness()
        #: closing the window hides it and the app keeps watching from the tray (set by the shell
        #: when a system tray exists)
        self.hide_to_tray = False
        #: closing the window (not Quit) asks first, since it stops the warnings (set by the shell
        #: when there is no tray)
        self.confirm_close = False
        #: the demo: a sample shop on the embedded sandbox, reset at every start
        self.demo = False
        self.freshness_timer = QTimer(self)
        self.freshness_timer.setInterval(FRESHNESS_REFRESH_MS)
        self.freshness_timer.timeout.connect(self._update_freshness)
        self.tick_while_visible(self.freshness_timer, self._update_freshness)
        self._restore_state()

    @property
    def sync_action(self) -> QAction:
        """Requests ▸ Sync now (F5): other areas place their entries after it (menu and toolbar)."""
        return self.menus.sync_action

    # ------------------------------------------------------------------------------ building
    def _connect_menus(self) -> None:
        menus = self.menus
        menus.sync_action.triggered.connect(self.sync_now)
        # triggered(checked) must not reach export_csv's path: the menu, the toolbar and Ctrl+E all
        # ask for the file name
        menus.export_action.triggered.connect(lambda _checked=False: self.export_csv())
        menus.shops_action.triggered.connect(self.manage_shops)
        menus.shops_action.setEnabled(self.services.shops is not None)  # see set_shop_manager
        menus.add_shop_action.triggered.connect(self._add_shop)
        menus.sign_in_again_action.triggered.connect(self.sign_in_requested)
        menus.quit_action.triggered.connect(self.quit)
        menus.settings_action.triggered.connect(self.open_settings)
        menus.guide_action.triggered.connect(self.help.show_guide)
        menus.roles_action.triggered.connect(self.help.show_roles)
        menus.about_action.triggered.connect(self.help.about)
        menus.language_chosen.connect(self.choose_language)

    def _build_central(self) -> None:
        self.banner = ShopBanner()
        self.banner.sign_in_requested.connect(self.sign_in_requested)
        self.banner.retry_requested.connect(self.sync_now)
        self.first_sweep = QProgressBar()
        self.first_sweep.setVisible(False)
        self.first_sweep.setFormat(self.tr("First download of the after-sale requests… %p%"))
        self.queue_area = QWidget()
        self.queue_layout = QVBoxLayout(self.queue_area)
        self.queue_layout.setContentsMargins(0, 0, 0, 0)
        self.queue_widget: QWidget = self._placeholder(self.tr("The pending requests appear here."))
        self.queue_layout.addWidget(self.queue_widget)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.first_sweep)
        layout.addWidget(self.queue_area, 1)
        self._central_layout = layout
        self.setCentralWidget(central)

    def add_banner(self, widget: QWidget) -> None:
        """Another banner across the top of the queue (the in-app alerts), below the sync banner."""
        self._central_layout.insertWidget(1, widget)

    def _placeholder(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setStyleSheet("color: palette(mid);")
        return label

    def _build_docks(self) -> None:
        """The right column: the risk panel and the detail pane as two tabs, each with the column's
        full height (stacked, neither was readable on a laptop screen); the queue keeps the full
        height of the window. Selecting a request brings its details to the front."""
        features = (
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.risk_dock = QDockWidget(self.tr("Sanction risk"), self)
        self.risk_dock.setObjectName("risk_dock")
        self.risk_dock.setWidget(self._placeholder(self.tr("The shop's risk estimate appears here.")))
        self.risk_dock.setFeatures(features)
        self.detail_dock = QDockWidget(self.tr("Request details"), self)
        self.detail_dock.setObjectName("detail_dock")
        self.detail_dock.setWidget(self._placeholder(self.tr("Select a request to see its details.")))
        self.detail_dock.setFeatures(features)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.risk_dock)
        self.tabifyDockWidget(self.risk_dock, self.detail_dock)
        self.risk_dock.raise_()
        self.resizeDocks([self.risk_dock], [380], Qt.Orientation.Horizontal)

    # ------------------------------------------------------------------------------ composition
    def set_queue_widget(self, widget: QWidget) -> None:
        """Put the queue view (from :mod:`desktop.ui.queue`) in the middle."""
        self.queue_layout.replaceWidget(self.queue_widget, widget)
        self.queue_widget.deleteLater()
        self.queue_widget = widget
        selected = getattr(widget, "selectedRowsChanged", None)
        if selected is not None:
            selected.connect(self._selection_changed)
        current = getattr(widget, "currentRequestChanged", None)
        if current is not None:
            current.connect(self._request_shown)

    def _request_shown(self, row: QueueRow | None) -> None:
        """A request was selected: its details come to the front (the risk panel is one tab away)."""
        if row is not None and self.detail_dock.isVisible() and self.tabifiedDockWidgets(self.detail_dock):
            self.detail_dock.raise_()

    def _selection_changed(self, rows: Sequence[QueueRow]) -> None:
        """The status bar says how many requests are selected (what Approve/Reject will act on)."""
        self.status_bar.set_selected_count(len(rows))

    def set_demo(self, demo: bool) -> None:
        """The demo: say so in the status bar and the title, and that it starts afresh each time."""
        self.demo = demo
        self.status_bar.set_demo(demo)
        self._set_title()

    def _add_shop(self) -> None:
        if self.demo:
            QMessageBox.information(
                self,
                self.tr("Add shop"),
                self.tr(
                    "The demo has one sample shop only. To connect your own shop, start AfterSale "
                    "Watch without the demo and choose Shop → Add shop…."
                ),
            )
            return
        self.sign_in_requested.emit()

    def set_detail_widget(self, widget: QWidget) -> None:
        self.detail_dock.setWidget(widget)

    def set_risk_widget(self, widget: QWidget) -> None:
        """The risk panel, scrollable: it must not squeeze the detail pane below it."""
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setWidget(widget)
        self.risk_widget = widget
        self.risk_dock.setWidget(scroller)

    # ------------------------------------------------------------------------------ timers
    def tick_while_visible(self, timer: QTimer, catch_up: Callable[[], None] | None = None) -> None:
        """Run ``timer`` only while the window is shown (not hidden in the tray, not minimised); when
        it shows again, ``catch_up()`` (else the timer's own ``timeout``) brings the view up to date
        at once."""
        self.visible_timers.add(timer, catch_up)

    @property
    def on_screen(self) -> bool:
        """Shown and not minimised: what the timers of :meth:`tick_while_visible` wait for."""
        return self.isVisible() and not self.isMinimized()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.visible_timers.update()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.visible_timers.update()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self.visible_timers.update()

    # ------------------------------------------------------------------------------ state
    def _restore_state(self) -> None:
        geometry = self.settings.bytes_value(keys.WINDOW_GEOMETRY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(DEFAULT_SIZE)
        state = self.settings.bytes_value(keys.WINDOW_STATE)
        if state is not None:
            self.restoreState(state)

    def save_state(self) -> None:
        self.settings.set_bytes_value(keys.WINDOW_GEOMETRY, self.saveGeometry())
        self.settings.set_bytes_value(keys.WINDOW_STATE, self.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.confirm_close and not self.hide_to_tray and self.shop is not None and self.isVisible():
            answer = QMessageBox.question(
                self,
                self.tr("Quit AfterSale Watch?"),
                self.tr(
                    "Closing the window quits AfterSale Watch: no more warnings come until you "
                    "start it again (this system has no tray to keep it running in)."
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.save_state()
        if self.hide_to_tray:
            event.ignore()
            self.hide()
            self.hidden_to_tray.emit()
            return
        self.sessions.stop()
        super().closeEvent(event)

    def quit(self) -> None:
        """Quit (menu or shortcut): the whole app when it lives in the tray, else this window."""
        if self.hide_to_tray:
            self.quit_requested.emit()
        else:
            self.confirm_close = False  # Quit says it already
            self.close()

    def bring_forward(self) -> None:
        """A second launch asked for the window: show it on top."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    # ------------------------------------------------------------------------------ shops
    def reload_shops(self, then_activate: int | None = None) -> None:
        """Read the shops (background) and make ``then_activate`` (or the remembered one) active."""
        shops = self.services.shops
        if shops is None:
            return  # the keychain is still being found: the shell reloads once it is known

        def read() -> tuple[list[Shop], dict[int, bool]]:
            rows = shops.shops()
            return rows, {s.id: shops.signed_in(s.id) for s in rows}

        def done(result: tuple[list[Shop], dict[int, bool]]) -> None:
            rows, signed_in = result
            self.shop_lists.set_shops(rows, signed_in)
            self.shops_loaded.emit(rows, signed_in)
            wanted = then_activate if then_activate is not None else self.settings.active_shop()
            target = next((s for s in rows if s.id == wanted), rows[0] if rows else None)
            if target is None:
                self._set_shop(None)
                self.show_signed_out()
                self.sign_in_requested.emit()
            elif (
                self.shop is None
                or target.id != self.shop.id
                or then_activate is not None
                or (self.client is None and not self.needs_sign_in)
            ):
                self.activate_shop(target.id)

        run_in_background(read, done, self.background_failed)

    def set_shop_notes(self, notes: dict[int, str]) -> None:
        """Mark shops (other than the active one) that could not be brought up to date, e.g. "sign
        in again": in the shop list, the Switch-to menu and the shops dialog."""
        self.shop_lists.set_notes(notes)

    def activate_shop(self, shop_id: int) -> None:
        """Make ``shop_id`` the shop the window shows and syncs (credentials read in the background;
        the latest choice wins, whatever order the reads finish in)."""
        self.sessions.activate(shop_id)

    @property
    def session(self) -> ShopSession | None:
        """The active shop's session (``None`` before a shop is shown)."""
        return self.sessions.session

    @property
    def client(self) -> KuaishouClient | None:
        """The active shop's API client (``None`` when signed out); the session owns it."""
        session = self.sessions.session
        return session.client if session is not None else None

    def set_shop_manager(self, shops: ShopManager) -> None:
        """The keychain is known (an instant after start): the shops can be read and managed."""
        self.sessions.set_shop_manager(shops)
        self.menus.shops_action.setEnabled(True)

    def _session_activated(self, session: ShopSession) -> None:
        """A new session: the window shows its shop and follows its signals (the previous session
        is closed: nothing of it reaches the window any more)."""
        session.rows_loaded.connect(lambda rows, s=session: self._show_rows(s.shop, rows))
        session.sync_started.connect(self._sync_started)
        session.sync_progressed.connect(self._sync_progressed)
        session.sync_ended.connect(self._sync_ended)
        session.sync_finished.connect(self._sync_succeeded)
        session.sync_failed.connect(self._sync_failed)
        session.shop_updated.connect(self._shop_updated)
        session.detail_loaded.connect(self.detail_loaded)
        session.risk_estimated.connect(self.risk_estimated)
        session.read_failed.connect(self.background_failed)
        self._sync_ended()  # a previous shop's sync state is not this one's
        shop, client = session.shop, session.client
        self._set_shop(shop)
        if session.provisional:
            return  # shown from the cache at start; the credentials follow (set_shop_manager)
        self.settings.set_active_shop(shop.id)
        if self._rows_shop_id != shop.id:
            self.load_rows()
        if client is None:
            self.needs_sign_in = True
            self.banner.show_signed_out(shop.label)
        else:
            self.needs_sign_in = False
            self.banner.signed_in()
            self.sync_now()

    def _set_shop(self, shop: Shop | None) -> None:
        self.shop = shop
        self._last_fresh_ms = shop.last_success_at if shop is not None else None
        self.shop_lists.set_active(shop.id if shop is not None else None)
        self._set_title()
        self.menus.sync_action.setEnabled(shop is not None)
        self._update_freshness()
        self.shop_changed.emit(shop)

    def _set_title(self) -> None:
        title = APP_DISPLAY_NAME if self.shop is None else f"{self.shop.label} — {APP_DISPLAY_NAME}"
        if self.demo:
            title = fill(self.tr("%1 (demo)"), title)
        self.setWindowTitle(title)

    def show_signed_out(self) -> None:
        """No shop yet: the banner offers the sign-in."""
        self.banner.show_no_shop()

    def manage_shops(self) -> None:
        """Shop ▸ Manage shops…: the shops dialog."""
        if self.services.shops is None:
            return  # the keychain is still being found (an instant after start); the shops follow
        store = self.services.shops.secrets
        self.shop_lists.open_dialog(
            fill(self.tr("Keys and tokens are kept in: %1"), store.backend_name)
            if store.persistent
            else (store.problem or "")
        )

    def _manager(self) -> ShopManager:
        """The shop manager: the shops dialog asks for changes only once the keychain is known."""
        shops = self.services.shops
        if shops is None:
            raise RuntimeError("the shops cannot be changed before the keychain is known")
        return shops

    def _rename_shop(self, shop_id: int, name: str) -> None:
        shops = self._manager()
        run_in_background(
            lambda: shops.rename(shop_id, name), self._reload_keeping_active, self.background_failed
        )

    def _sign_out_shop(self, shop_id: int) -> None:
        shops = self._manager()
        if self.shop is not None and self.shop.id == shop_id:
            self.sessions.suspend()  # its sync stops now; the shop is shown again, signed out
        run_in_background(
            lambda: shops.sign_out(shop_id), self._reload_keeping_active, self.background_failed
        )

    def _remove_shop(self, shop_id: int) -> None:
        shops = self._manager()
        if self.shop is not None and self.shop.id == shop_id:
            self.sessions.deactivate()  # its sync, loads and client end here
            self._sync_ended()
            self.shop = None
            self.shop_lists.set_active(None)
            self.settings.set_active_shop(None)
        run_in_background(
            lambda: shops.remove(shop_id), lambda _r: self.reload_shops(), self.background_failed
        )

    def _reload_keeping_active(self, _result: object = None) -> None:
        self.reload_shops(then_activate=self.shop.id if self.shop is not None else None)

    def shop_signed_in(self, shop: Shop) -> None:
        """The sign-in dialog stored ``shop``: show it."""
        self.reload_shops(then_activate=shop.id)

    # ------------------------------------------------------------------------------ rows
    def load_rows(self) -> None:
        """Build the active shop's rows from the store in the background and show them."""
        if self.session is not None:
            self.session.load_rows()

    def load_detail(self, row: QueueRow | None) -> None:
        """Read the full detail of ``row`` (a request of the active shop) in the background
        (``detail_loaded``); choosing another row first supersedes it."""
        if self.session is not None and row is not None:
            self.session.load_detail(row)

    def _show_rows(self, shop: Shop, rows: Sequence[QueueRow]) -> None:
        setter = getattr(self.queue_widget, "set_rows", None)
        if setter is not None:
            setter(rows)
        self._rows_shop_id = shop.id
        self.rows_loaded.emit(rows)
        if self.session is not None and self.session.shop.id == shop.id:
            self.session.estimate_risk()

    def show_cached(self, shop: Shop, rows: Sequence[QueueRow]) -> None:
        """At start: the remembered shop and its cached rows, read before the window was built (its
        credentials and the sync follow when the shops are loaded)."""
        self.sessions.show_cached(shop)
        self._show_rows(shop, rows)

    # ------------------------------------------------------------------------------ sync
    @property
    def syncing(self) -> bool:
        return self.session is not None and self.session.syncing

    def sync_now(self) -> bool:
        """Start a sync of the active shop in the background; ``False`` when none could start (no
        shop signed in, or one is already running)."""
        session = self.session
        return session is not None and session.sync()

    def _sync_started(self, first: bool) -> None:
        self.status_bar.sync_busy.setVisible(True)
        self.menus.sync_action.setEnabled(False)
        self.statusBar().showMessage(self.tr("Syncing…"))
        if first:
            self.first_sweep.setRange(0, 0)
            self.first_sweep.setVisible(True)

    def _sync_progressed(self, done_count: int, total: int) -> None:
        if self.first_sweep.isVisible():
            self.first_sweep.setRange(0, total)
            self.first_sweep.setValue(done_count)

    def _sync_succeeded(self, result: SyncResult) -> None:
        self._last_fresh_ms = int(time.time() * 1000)
        self.banner.synced()
        self.statusBar().showMessage(self.tr("Sync complete."), 5000)
        self.status_bar.show_unreadable(getattr(result, "unreadable", None) or ())
        self._update_freshness()
        self.sync_finished.emit(result)

    def _sync_failed(self, exc: BaseException) -> None:
        self.show_sync_failure(exc)
        self.sync_failed.emit(exc)

    def _sync_ended(self) -> None:
        self.status_bar.sync_busy.setVisible(False)
        self.first_sweep.setVisible(False)
        self.menus.sync_action.setEnabled(self.shop is not None)
        self.statusBar().clearMessage()

    def _shop_updated(self, shop: Shop) -> None:
        if self.shop is not None and self.shop.id == shop.id:
            self.shop = shop

    def show_sync_failure(self, exc: BaseException) -> None:
        """The banner: what failed, and that the list shown is the cached one."""
        self.banner.show_sync_failure(exc, self.status_bar.fresh_text(self._last_fresh_ms))

    def _update_freshness(self) -> None:
        last_synced = getattr(self.queue_widget, "set_last_synced", None)
        if last_synced is not None:
            last_synced(self._last_fresh_ms if self.shop is not None else None)
        self.status_bar.show_freshness(self._last_fresh_ms, has_shop=self.shop is not None)

    # ------------------------------------------------------------------------------ actions
    def export_csv(self, path: str | None = None) -> None:
        """Save what the queue shows (its order and filters) to a CSV file, in the background."""
        if self.exporter is None:
            QMessageBox.information(self, self.tr("Export"), self.tr("There is nothing to export yet."))
            return
        if path is None:
            stamp = time.strftime("%Y%m%d-%H%M")
            suggested = str(paths.export_dir() / fill(self.tr("after-sale-requests-%1.csv"), stamp))
            path, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Export CSV"), suggested, self.tr("CSV files (*.csv)")
            )
            if not path:
                return

        def done(count: int) -> None:
            self.statusBar().showMessage(fill(self.tr("Exported %1 requests to %2"), count, path), 10_000)
            self.exported.emit(path)

        def failed(exc: BaseException) -> None:
            log.warning("export failed: %s", exc)
            QMessageBox.warning(
                self, self.tr("Export"), fill(self.tr("The file could not be written: %1"), exc)
            )

        self.exporter(path, done, failed)

    def open_settings(self) -> None:
        from desktop.ui.settings import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        for make_page in self.settings_pages:
            page, title = make_page()
            dialog.add_page(page, title)
        if dialog.exec():
            self.menus.check_language(self.settings.language())
        dialog.deleteLater()

    def choose_language(self, lang: str) -> None:
        if lang == self.settings.language():
            return
        self.settings.set_language(lang)
        self.menus.check_language(lang)
        QMessageBox.information(
            self, self.tr("Language"), self.tr("The new language is used from the next start of the app.")
        )

    def background_failed(self, exc: BaseException) -> None:
        """A background read failed (store unavailable…): say so in the banner; the app keeps going."""
        log.error("background task failed", exc_info=exc)
        self.banner.show_read_failure(exc)
