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

Timers run only while the window is shown: the freshness text and the timers registered with
:meth:`MainWindow.tick_while_visible` (the queue's countdowns) stop while it is hidden in the tray or
minimised, and catch up at once when it shows again.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_DISPLAY_NAME, __version__
from desktop.core import paths
from desktop.ui import settings as keys
from desktop.ui.i18n import fill
from desktop.ui.icons import app_pixmap
from desktop.ui.session import SessionController, ShopSession
from desktop.ui.settings import Settings
from desktop.ui.shops import ShopsDialog
from desktop.ui.workers import run_in_background

if TYPE_CHECKING:
    from desktop.core.profiles import ShopManager

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1280, 720)  # fits a 1366×768 laptop screen with the task bar
MINIMUM_SIZE = QSize(900, 560)
FRESHNESS_REFRESH_MS = 30_000


@dataclass
class Services:
    """What the window works with; every call on these blocks, so the window calls them in workers."""

    # None for a moment at start-up, while the keychain is found (the shell sets it, then reloads)
    shops: ShopManager | None
    store: Any  # desktop.core.store.Store
    rules: Any  # desktop.core.domain.rules.Rules
    # (shop, credentials) -> API client
    make_client: Callable[[Any, Any], Any]
    # (client, store, rules, shop_id) -> Syncer
    make_syncer: Callable[[Any, Any, Any, int], Any]
    # (store, rules, shop) -> the rows the queue widget shows (built in the background)
    load_rows: Callable[[Any, Any, Any], Any] | None = None
    # (store, row, rules) -> the full detail of a row (built in the background)
    load_detail: Callable[[Any, Any, Any], Any] | None = None
    # (store, rules, shop id) -> the shop's risk answer (desktop.core.risk_answer.risk_answer)
    estimate_risk: Callable[[Any, Any, int], Any] | None = None


class Banner(QFrame):
    """A one-line warning across the top of the queue (sync failed, signed out…)."""

    action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setStyleSheet(
            "#banner { background: #FFF4E5; border: 1px solid #F0B46C; border-radius: 4px; }"
            "#banner QLabel { color: #5F3B00; }"
        )
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(20, 20))
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # it shows the platform's error texts
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton()
        self.button.clicked.connect(self.action_clicked)
        close = QPushButton("✕")
        close.setFlat(True)
        close.setFixedWidth(28)
        close.setToolTip(self.tr("Hide"))
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        row.addWidget(close)
        self.hide()

    def show_message(self, text: str, button_text: str | None = None) -> None:
        self.label.setText(text)
        self.button.setVisible(bool(button_text))
        self.button.setText(button_text or "")
        self.show()


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
        self.shop: Any | None = None
        self.roles_dialog: Any | None = None  # the negotiation-roles view when open
        self.needs_sign_in = False
        # makes shops active; the active shop's session owns its client and background work
        self.sessions = SessionController(services, parent=self)
        self.sessions.activated.connect(self._session_activated)
        self.sessions.activation_failed.connect(self.background_failed)
        # (timer, catch-up) that run only while the window is shown
        self._visible_timers: list[tuple[QTimer, Callable[[], None] | None]] = []
        self._last_fresh_ms: int | None = None
        self._rows_shop_id: int | None = None  # whose rows the queue shows
        self._shops: list[Any] = []
        self._shop_notes: dict[int, str] = {}  # shop id -> why it is not up to date (other shops)
        self._signed_in: dict[int, bool] = {}  # shop id -> has its tokens (for the shop lists)
        self._shops_dialog: ShopsDialog | None = None
        # (path, on_done(count), on_error(exc)) -> starts the export of what the queue shows
        self.exporter: Callable[[str, Callable[[int], None], Callable[[BaseException], None]], Any] | None = (
            None
        )
        # () -> (page widget, tab title): pages other areas add to the settings dialog
        self.settings_pages: list[Callable[[], tuple[QWidget, str]]] = []
        self.actions_ui: Any = None  # approve / reject (desktop.ui.actions), installed by the shell
        self.setWindowTitle(APP_DISPLAY_NAME)
        self.setMinimumSize(MINIMUM_SIZE)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self._build_actions()
        self._build_central()
        self._build_docks()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
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

    # ------------------------------------------------------------------------------ building
    def _build_actions(self) -> None:
        style = self.style()
        self.sync_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), self.tr("Sync now"), self
        )
        self.sync_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.sync_action.setToolTip(self.tr("Fetch the latest after-sale requests now (F5)"))
        self.sync_action.triggered.connect(self.sync_now)
        self.export_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), self.tr("Export CSV…"), self
        )
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setToolTip(self.tr("Save the requests shown to a CSV file that Excel opens"))
        # triggered(checked) must not reach export_csv's path: the menu, the toolbar and Ctrl+E all
        # ask for the file name
        self.export_action.triggered.connect(lambda _checked=False: self.export_csv())
        self.shops_action = QAction(self.tr("Manage shops…"), self)
        self.shops_action.triggered.connect(self.manage_shops)
        self.shops_action.setEnabled(self.services.shops is not None)  # see set_shop_manager
        self.add_shop_action = QAction(self.tr("Add shop…"), self)
        self.add_shop_action.triggered.connect(self._add_shop)
        self.sign_in_again_action = QAction(self.tr("Sign in again…"), self)
        self.sign_in_again_action.triggered.connect(self.sign_in_requested)
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.setShortcut(
            QKeySequence("Ctrl+Q")
        )  # every platform (Windows binds no standard Quit key)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.quit)
        self.settings_action = QAction(self.tr("Settings…"), self)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        self.guide_action = QAction(self.tr("User guide"), self)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.guide_action.triggered.connect(self.show_guide)
        self.roles_action = QAction(self.tr("Negotiation roles…"), self)
        self.roles_action.setStatusTip(
            self.tr("The role values the platform sent in negotiation histories, to report them")
        )
        self.roles_action.triggered.connect(self.show_roles)
        self.about_action = QAction(self.tr("About AfterSale Watch"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.about)
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for lang, label in (("zh_CN", "简体中文"), ("en", "English")):
            action = QAction(label, self, checkable=True)
            action.setChecked(lang == self.settings.language())
            action.triggered.connect(lambda _checked=False, lang=lang: self.choose_language(lang))
            self.language_group.addAction(action)
            self.language_actions[lang] = action

    def _build_central(self) -> None:
        self.banner = Banner()
        self.banner.action_clicked.connect(self._banner_action)
        self._banner_kind: str | None = None
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

    def _build_menus(self) -> None:
        bar = self.menuBar()
        shop_menu = bar.addMenu(self.tr("&Shop"))
        self.switch_menu = shop_menu.addMenu(self.tr("Switch to"))
        shop_menu.addAction(self.shops_action)
        shop_menu.addAction(self.add_shop_action)
        shop_menu.addAction(self.sign_in_again_action)
        shop_menu.addSeparator()
        shop_menu.addAction(self.quit_action)
        requests_menu = bar.addMenu(self.tr("&Requests"))
        requests_menu.addAction(self.sync_action)
        requests_menu.addAction(self.export_action)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.detail_dock.toggleViewAction())
        view_menu.addAction(self.risk_dock.toggleViewAction())
        settings_menu = bar.addMenu(self.tr("S&ettings"))
        settings_menu.addAction(self.settings_action)
        language_menu = settings_menu.addMenu(self.tr("Language"))
        for action in self.language_actions.values():
            language_menu.addAction(action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.guide_action)
        help_menu.addAction(self.roles_action)
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(self.tr("Main toolbar"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addWidget(QLabel(self.tr("Shop:") + " "))
        self.shop_combo = QComboBox()
        self.shop_combo.setMinimumContentsLength(14)
        self.shop_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.shop_combo.activated.connect(self._shop_combo_activated)
        toolbar.addWidget(self.shop_combo)
        toolbar.addSeparator()
        toolbar.addAction(self.sync_action)
        toolbar.addAction(self.export_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.addToolBar(toolbar)

    def _build_status_bar(self) -> None:
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
        self.statusBar().addPermanentWidget(self.demo_label)
        self.statusBar().addPermanentWidget(self.selection_label)
        self.statusBar().addPermanentWidget(self.sync_busy)
        self.statusBar().addPermanentWidget(self.freshness)
        self._update_freshness()

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

    def _request_shown(self, row: Any) -> None:
        """A request was selected: its details come to the front (the risk panel is one tab away)."""
        if row is not None and self.detail_dock.isVisible() and self.tabifiedDockWidgets(self.detail_dock):
            self.detail_dock.raise_()

    def _selection_changed(self, rows: list) -> None:
        """The status bar says how many requests are selected (what Approve/Reject will act on)."""
        count = len(rows)
        self.selection_label.setText(self.tr("%n selected", "", count) if count else "")

    def set_demo(self, demo: bool) -> None:
        """The demo: say so in the status bar and the title, and that it starts afresh each time."""
        self.demo = demo
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
        self._visible_timers.append((timer, catch_up))
        timer.destroyed.connect(lambda _obj=None, t=timer: self._forget_timer(t))
        self._apply_visibility(timer, catch_up)

    def _forget_timer(self, timer: QTimer) -> None:
        self._visible_timers = [(t, c) for t, c in self._visible_timers if t is not timer]

    @property
    def on_screen(self) -> bool:
        """Shown and not minimised: what the timers of :meth:`tick_while_visible` wait for."""
        return self.isVisible() and not self.isMinimized()

    def _apply_visibility(self, timer: QTimer, catch_up: Callable[[], None] | None) -> None:
        if not self.on_screen:
            timer.stop()
        elif not timer.isActive():
            timer.start()
            (catch_up or timer.timeout.emit)()

    def _visibility_changed(self) -> None:
        for timer, catch_up in list(self._visible_timers):
            self._apply_visibility(timer, catch_up)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._visibility_changed()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._visibility_changed()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._visibility_changed()

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

        def read() -> tuple[list[Any], dict[int, bool]]:
            rows = shops.shops()
            return rows, {s.id: shops.signed_in(s.id) for s in rows}

        def done(result: tuple[list[Any], dict[int, bool]]) -> None:
            rows, signed_in = result
            self._shops = rows
            self._signed_in = signed_in
            self._fill_shop_lists()
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
            else:
                self._fill_shop_lists()
            self._refresh_shops_dialog()

        run_in_background(read, done, self.background_failed)

    def set_shop_notes(self, notes: dict[int, str]) -> None:
        """Mark shops (other than the active one) that could not be brought up to date, e.g. "sign
        in again": in the shop list, the Switch-to menu and the shops dialog."""
        self._shop_notes = dict(notes)
        self._fill_shop_lists()
        self._refresh_shops_dialog()

    def _refresh_shops_dialog(self) -> None:
        if self._shops_dialog is not None:
            self._shops_dialog.set_shops(
                self._shops, self.shop.id if self.shop else None, self._signed_in, self._shop_notes
            )

    def _fill_shop_lists(self) -> None:
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.shop_combo.blockSignals(True)
        self.shop_combo.clear()
        self.switch_menu.clear()
        for shop in self._shops:
            note = self._shop_notes.get(shop.id)
            self.shop_combo.addItem(shop.label, shop.id)
            if note:
                index = self.shop_combo.count() - 1
                self.shop_combo.setItemIcon(index, warning)
                self.shop_combo.setItemData(index, f"{shop.label}: {note}", Qt.ItemDataRole.ToolTipRole)
            action = self.switch_menu.addAction(
                fill(self.tr("%1 (%2)"), shop.label, note) if note else shop.label
            )
            action.setCheckable(True)
            action.setChecked(self.shop is not None and shop.id == self.shop.id)
            action.triggered.connect(lambda _c=False, sid=shop.id: self.activate_shop(sid))
            if self.shop is not None and shop.id == self.shop.id:
                self.shop_combo.setCurrentIndex(self.shop_combo.count() - 1)
        self.shop_combo.blockSignals(False)
        self.switch_menu.setEnabled(bool(self._shops))

    def _shop_combo_activated(self, index: int) -> None:
        shop_id = self.shop_combo.itemData(index)
        if shop_id is not None and (self.shop is None or shop_id != self.shop.id):
            self.activate_shop(int(shop_id))

    def activate_shop(self, shop_id: int) -> None:
        """Make ``shop_id`` the shop the window shows and syncs (credentials read in the background;
        the latest choice wins, whatever order the reads finish in)."""
        self.sessions.activate(shop_id)

    @property
    def session(self) -> ShopSession | None:
        """The active shop's session (``None`` before a shop is shown)."""
        return self.sessions.session

    @property
    def client(self) -> Any | None:
        """The active shop's API client (``None`` when signed out); the session owns it."""
        session = self.sessions.session
        return session.client if session is not None else None

    def set_shop_manager(self, shops: ShopManager) -> None:
        """The keychain is known (an instant after start): the shops can be read and managed."""
        self.sessions.set_shop_manager(shops)
        self.shops_action.setEnabled(True)

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
            self.banner.show_message(
                fill(
                    self.tr(
                        "You are signed out of %1: the list below is what was downloaded last. "
                        "Sign in again to keep it up to date."
                    ),
                    shop.label,
                ),
                self.tr("Sign in…"),
            )
            self._banner_kind = "signin"
        else:
            self.needs_sign_in = False
            if self._banner_kind == "signin":
                self.banner.hide()
            self.sync_now()

    def _set_shop(self, shop: Any | None) -> None:
        self.shop = shop
        self._last_fresh_ms = getattr(shop, "last_success_at", None) if shop is not None else None
        self._fill_shop_lists()
        self._set_title()
        self.sync_action.setEnabled(shop is not None)
        self._update_freshness()
        self.shop_changed.emit(shop)

    def _set_title(self) -> None:
        title = APP_DISPLAY_NAME if self.shop is None else f"{self.shop.label} — {APP_DISPLAY_NAME}"
        if self.demo:
            title = fill(self.tr("%1 (demo)"), title)
        self.setWindowTitle(title)

    def show_signed_out(self) -> None:
        """No shop yet: the banner offers the sign-in."""
        self._banner_kind = "signin"
        self.banner.show_message(
            self.tr("No shop is signed in. Sign in to watch your after-sale requests."), self.tr("Sign in…")
        )

    def manage_shops(self) -> None:
        if self.services.shops is None:
            return  # the keychain is still being found (an instant after start); the shops follow
        if self._shops_dialog is None:
            dialog = ShopsDialog(self)
            dialog.switch_requested.connect(self.activate_shop)
            dialog.add_requested.connect(self.sign_in_requested)
            dialog.rename_requested.connect(self._rename_shop)
            dialog.sign_out_requested.connect(self._sign_out_shop)
            dialog.remove_requested.connect(self._remove_shop)
            dialog.finished.connect(self._shops_dialog_closed)
            store = self.services.shops.secrets
            dialog.set_secret_store_note(
                fill(self.tr("Keys and tokens are kept in: %1"), store.backend_name)
                if store.persistent
                else (store.problem or "")
            )
            self._shops_dialog = dialog
        self._refresh_shops_dialog()
        self._shops_dialog.show()
        self._shops_dialog.raise_()

    def _shops_dialog_closed(self) -> None:
        if self._shops_dialog is not None:
            self._shops_dialog.deleteLater()
            self._shops_dialog = None

    def _rename_shop(self, shop_id: int, name: str) -> None:
        run_in_background(
            lambda: self.services.shops.rename(shop_id, name),
            lambda _r: self._after_shop_change(shop_id),
            self.background_failed,
        )

    def _sign_out_shop(self, shop_id: int) -> None:
        if self.shop is not None and self.shop.id == shop_id:
            self.sessions.suspend()  # its sync stops now; the shop is shown again, signed out
        run_in_background(
            lambda: self.services.shops.sign_out(shop_id),
            lambda _r: self._after_shop_change(shop_id),
            self.background_failed,
        )

    def _remove_shop(self, shop_id: int) -> None:
        if self.shop is not None and self.shop.id == shop_id:
            self.sessions.deactivate()  # its sync, loads and client end here
            self._sync_ended()
            self.shop = None
            self.settings.set_active_shop(None)
        run_in_background(
            lambda: self.services.shops.remove(shop_id),
            lambda _r: self.reload_shops(),
            self.background_failed,
        )

    def _after_shop_change(self, shop_id: int) -> None:
        active = self.shop.id if self.shop is not None else None
        self.reload_shops(then_activate=active if active is not None else None)

    def shop_signed_in(self, shop: Any) -> None:
        """The sign-in dialog stored ``shop``: show it."""
        self.reload_shops(then_activate=shop.id)

    # ------------------------------------------------------------------------------ rows
    def load_rows(self) -> None:
        """Build the active shop's rows from the store in the background and show them."""
        if self.session is not None:
            self.session.load_rows()

    def load_detail(self, row: Any) -> None:
        """Read the full detail of ``row`` (a request of the active shop) in the background
        (``detail_loaded``); choosing another row first supersedes it."""
        if self.session is not None and row is not None:
            self.session.load_detail(row)

    def _show_rows(self, shop: Any, rows: Any) -> None:
        setter = getattr(self.queue_widget, "set_rows", None)
        if setter is not None:
            setter(rows)
        self._rows_shop_id = shop.id
        self.rows_loaded.emit(rows)
        if self.session is not None and self.session.shop.id == shop.id:
            self.session.estimate_risk()

    def show_cached(self, shop: Any, rows: Any) -> None:
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
        self.sync_busy.setVisible(True)
        self.sync_action.setEnabled(False)
        self.statusBar().showMessage(self.tr("Syncing…"))
        if first:
            self.first_sweep.setRange(0, 0)
            self.first_sweep.setVisible(True)

    def _sync_progressed(self, done_count: int, total: int) -> None:
        if self.first_sweep.isVisible():
            self.first_sweep.setRange(0, total)
            self.first_sweep.setValue(done_count)

    def _sync_succeeded(self, result: Any) -> None:
        self._last_fresh_ms = int(time.time() * 1000)
        if self._banner_kind == "sync":
            self.banner.hide()
            self._banner_kind = None
        self.statusBar().showMessage(self.tr("Sync complete."), 5000)
        self._show_unreadable(getattr(result, "unreadable", None) or ())
        self._update_freshness()
        self.sync_finished.emit(result)

    def _sync_failed(self, exc: BaseException) -> None:
        self.show_sync_failure(exc)
        self.sync_failed.emit(exc)

    def _sync_ended(self) -> None:
        self.sync_busy.setVisible(False)
        self.first_sweep.setVisible(False)
        self.sync_action.setEnabled(self.shop is not None)
        self.statusBar().clearMessage()

    def _shop_updated(self, shop: Any) -> None:
        if self.shop is not None and self.shop.id == shop.id:
            self.shop = shop

    def show_sync_failure(self, exc: BaseException) -> None:
        """The banner: what failed, and that the list shown is the cached one."""
        from desktop.core.kuaishou import errors as api_errors

        if getattr(exc, "needs_reauth", False):
            reason = fill(self.tr("the shop's authorisation is no longer accepted (%1)"), exc)
            button = self.tr("Sign in…")
            self._banner_kind = "signin"
        elif isinstance(exc, api_errors.TransportError):
            reason = fill(self.tr("the Kuaishou gateway cannot be reached (%1)"), exc)
            button = self.tr("Retry")
            self._banner_kind = "sync"
        else:
            reason = str(exc) or type(exc).__name__
            button = self.tr("Retry")
            self._banner_kind = "sync"
        when = self._fresh_text()
        self.banner.show_message(
            fill(
                self.tr("Sync failed: %1. The list shows the requests downloaded %2; the app keeps trying."),
                reason,
                when,
            ),
            button,
        )

    def _banner_action(self) -> None:
        if self._banner_kind == "signin":
            self.sign_in_requested.emit()
        else:
            self.sync_now()

    def _format_age(self, seconds: float) -> str:
        if seconds < 60:
            return self.tr("just now")
        if seconds < 3600:
            return fill(self.tr("%1 min ago"), int(seconds // 60))
        if seconds < 86400:
            return fill(self.tr("%1 h ago"), int(seconds // 3600))
        return fill(self.tr("%1 days ago"), int(seconds // 86400))

    def _fresh_text(self) -> str:
        if self._last_fresh_ms is None:
            return self.tr("never")
        age = max(0.0, time.time() - self._last_fresh_ms / 1000)
        stamp = time.strftime("%H:%M", time.localtime(self._last_fresh_ms / 1000))
        return f"{stamp} ({self._format_age(age)})"

    def _update_freshness(self) -> None:
        last_synced = getattr(self.queue_widget, "set_last_synced", None)
        if last_synced is not None:
            last_synced(self._last_fresh_ms if self.shop is not None else None)
        if self.shop is None:
            self.freshness.setText(self.tr("No shop signed in"))
        else:
            self.freshness.setText(fill(self.tr("Data as of %1"), self._fresh_text()))

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
            self._language_checked(self.settings.language())
        dialog.deleteLater()

    def choose_language(self, lang: str) -> None:
        if lang == self.settings.language():
            return
        self.settings.set_language(lang)
        self._language_checked(lang)
        QMessageBox.information(
            self, self.tr("Language"), self.tr("The new language is used from the next start of the app.")
        )

    def _language_checked(self, lang: str) -> None:
        if lang in self.language_actions:
            self.language_actions[lang].setChecked(True)

    def _show_unreadable(self, unreadable: Sequence[tuple[int | None, str]]) -> None:
        """Requests whose answer the platform sent unreadably: named, to be opened in the backend
        (the rest of the sync went on without them)."""
        if not unreadable:
            return
        ids = [str(rid) for rid, _field in unreadable if rid is not None]
        shown = "、".join(ids[:5]) + ("…" if len(ids) > 5 else "")
        self.statusBar().showMessage(
            fill(
                self.tr(
                    "%1 request(s) could not be read from the platform's answer: open them in the "
                    "seller backend (%2)."
                ),
                len(unreadable),
                shown or "—",
            )
        )

    def show_roles(self) -> None:
        """The negotiation-history role values seen (a diagnostics view a seller can report)."""
        from desktop.ui.diagnostics import RolesDialog

        dialog = RolesDialog(
            self.services.store, self.services.rules, self.shop.id if self.shop is not None else None, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.roles_dialog = dialog  # the dialog currently shown (tests look at it)
        dialog.open()

    def about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("About AfterSale Watch"))
        box.setIconPixmap(app_pixmap(64, self.devicePixelRatioF()))
        box.setText(f"<b>{APP_DISPLAY_NAME}</b><br>" + fill(self.tr("Version %1"), __version__))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setInformativeText(
            html.escape(
                self.tr(
                    "Watches your Kuaishou shop's after-sale requests and warns you before the "
                    "platform approves one automatically."
                )
            )
            + "<br><br>"
            + html.escape(self.tr("Data folder:"))
            + f" <code>{html.escape(str(paths.data_dir()))}</code>"
            + "<br>"
            + html.escape(self.tr("Log folder:"))
            + f" <code>{html.escape(str(paths.log_dir()))}</code>"
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()

    def show_guide(self) -> None:
        """Help → User guide (one window, brought forward when already open)."""
        from desktop.ui.guide import GuideDialog

        if self._guide is None:
            self._guide = GuideDialog(self)
            self._guide.finished.connect(self._guide_closed)
        self._guide.show()
        self._guide.raise_()

    _guide = None

    def _guide_closed(self) -> None:
        if self._guide is not None:
            self._guide.deleteLater()
            self._guide = None

    def background_failed(self, exc: BaseException) -> None:
        """A background read failed (store unavailable…): say so in the banner; the app keeps going."""
        log.error("background task failed", exc_info=exc)
        self._banner_kind = "sync"
        self.banner.show_message(fill(self.tr("Something could not be read: %1"), exc), self.tr("Retry"))
