"""What the user can choose in the main window, and where: its actions (with their shortcuts), the
menu bar (Shop, Requests, View, Settings, Help), and the toolbar with the shop list.

:class:`WindowMenus` builds and places them; the window connects them to what they do. Other areas
add their own entries later (the approve/reject actions go into the Requests menu and the toolbar).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QSizePolicy, QStyle, QToolBar, QWidget

# the interface languages offered, each in its own language
LANGUAGE_CHOICES = (("zh_CN", "简体中文"), ("en", "English"))


class WindowMenus(QObject):
    """The window's actions, menus and toolbar. ``language_chosen(lang)``: a language was picked in
    Settings ▸ Language."""

    language_chosen = Signal(str)

    def __init__(self, window: QMainWindow, *, language: str, view_toggles: Iterable[QAction]) -> None:
        super().__init__(window)
        self._build_actions(window, language)
        self._build_menus(window, view_toggles)
        self._build_toolbar(window)

    def _build_actions(self, window: QMainWindow, language: str) -> None:
        style = window.style()
        self.sync_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), self.tr("Sync now"), window
        )
        self.sync_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.sync_action.setToolTip(self.tr("Fetch the latest after-sale requests now (F5)"))
        self.export_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), self.tr("Export CSV…"), window
        )
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setToolTip(self.tr("Save the requests shown to a CSV file that Excel opens"))
        self.shops_action = QAction(self.tr("Manage shops…"), window)
        self.add_shop_action = QAction(self.tr("Add shop…"), window)
        self.sign_in_again_action = QAction(self.tr("Sign in again…"), window)
        self.quit_action = QAction(self.tr("Quit"), window)
        # every platform (Windows binds no standard Quit key)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.settings_action = QAction(self.tr("Settings…"), window)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.guide_action = QAction(self.tr("User guide"), window)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.roles_action = QAction(self.tr("Negotiation roles…"), window)
        self.roles_action.setStatusTip(
            self.tr("The role values the platform sent in negotiation histories, to report them")
        )
        self.about_action = QAction(self.tr("About AfterSale Watch"), window)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.language_group = QActionGroup(window)
        self.language_actions: dict[str, QAction] = {}
        for lang, label in LANGUAGE_CHOICES:
            action = QAction(label, window, checkable=True)
            action.setChecked(lang == language)
            action.triggered.connect(lambda _checked=False, lang=lang: self.language_chosen.emit(lang))
            self.language_group.addAction(action)
            self.language_actions[lang] = action

    def _build_menus(self, window: QMainWindow, view_toggles: Iterable[QAction]) -> None:
        bar = window.menuBar()
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
        for toggle in view_toggles:
            view_menu.addAction(toggle)
        settings_menu = bar.addMenu(self.tr("S&ettings"))
        settings_menu.addAction(self.settings_action)
        language_menu = settings_menu.addMenu(self.tr("Language"))
        for action in self.language_actions.values():
            language_menu.addAction(action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.guide_action)
        help_menu.addAction(self.roles_action)
        help_menu.addAction(self.about_action)

    def _build_toolbar(self, window: QMainWindow) -> None:
        toolbar = QToolBar(self.tr("Main toolbar"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addWidget(QLabel(self.tr("Shop:") + " "))
        self.shop_combo = QComboBox()
        self.shop_combo.setMinimumContentsLength(14)
        self.shop_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        toolbar.addWidget(self.shop_combo)
        toolbar.addSeparator()
        toolbar.addAction(self.sync_action)
        toolbar.addAction(self.export_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        window.addToolBar(toolbar)

    def check_language(self, lang: str) -> None:
        """Show ``lang`` as the chosen one (after the settings dialog saved it)."""
        if lang in self.language_actions:
            self.language_actions[lang].setChecked(True)
