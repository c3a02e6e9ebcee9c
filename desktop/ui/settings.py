"""The app's settings: ``QSettings`` in INI format in :func:`desktop.core.paths.config_dir`.

Only non-secret preferences live here (language, window state, the active shop id; the alerts' and
the polling's in :class:`desktop.ui.alert_settings.AlertPrefs`, in the same file); secrets go to
:mod:`desktop.core.secrets`, shop profiles to the store. Keys are the constants below; :class:`Settings`
gives typed access so nobody reads a raw string with a typo.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core import paths
from desktop.core.i18n import DEFAULT_LANGUAGE, LANGUAGES

FILE_NAME = "settings.ini"

LANGUAGE = "ui/language"
WINDOW_GEOMETRY = "window/geometry"
WINDOW_STATE = "window/state"
ACTIVE_SHOP = "shops/active"


def settings_path() -> str:
    return str(paths.config_dir() / FILE_NAME)


def qsettings() -> QSettings:
    """A ``QSettings`` on the app's INI file (cheap to create; Qt caches and syncs it)."""
    return QSettings(settings_path(), QSettings.Format.IniFormat)


class Settings:
    """Typed access to the keys the shell owns; other areas add their own accessors here."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.qs = store if store is not None else qsettings()

    # -- language -----------------------------------------------------------------------------
    def language(self) -> str:
        value = str(self.qs.value(LANGUAGE, DEFAULT_LANGUAGE))
        return value if value in LANGUAGES else DEFAULT_LANGUAGE

    def set_language(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGUAGES)}")
        self.qs.setValue(LANGUAGE, lang)

    # -- shops ----------------------------------------------------------------------------------
    def active_shop(self) -> int | None:
        value = self.qs.value(ACTIVE_SHOP)
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def set_active_shop(self, shop_id: int | None) -> None:
        if shop_id is None:
            self.qs.remove(ACTIVE_SHOP)
        else:
            self.qs.setValue(ACTIVE_SHOP, str(int(shop_id)))

    # -- window ---------------------------------------------------------------------------------
    def bytes_value(self, key: str) -> QByteArray | None:
        value = self.qs.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_bytes_value(self, key: str, value: QByteArray) -> None:
        self.qs.setValue(key, value)

    def sync(self) -> None:
        self.qs.sync()


class SettingsPage(Protocol):
    """A page other areas add to the settings dialog (e.g. the alerts page)."""

    def validate(self) -> str | None: ...  # a message when the page cannot be saved
    def save(self) -> bool: ...


class SettingsDialog(QDialog):
    """The settings: the shell's "General" page (language) and the pages other areas add."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(480)
        self.language = QComboBox()
        for lang, label in (("zh_CN", "简体中文"), ("en", "English")):
            self.language.addItem(label, lang)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language())))
        note = QLabel(self.tr("The language changes the next time the app starts."))
        note.setWordWrap(True)
        general = QWidget()
        form = QFormLayout(general)
        form.addRow(self.tr("Language:"), self.language)
        form.addRow(note)
        self.tabs = QTabWidget()
        self.tabs.addTab(general, self.tr("General"))
        self.pages: list[SettingsPage] = []
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def add_page(self, page: QWidget, title: str) -> None:
        """Add a page with ``validate() -> str | None`` and ``save() -> bool``."""
        self.tabs.addTab(page, title)
        self.pages.append(page)  # type: ignore[arg-type]

    def accept(self) -> None:
        for index, page in enumerate(self.pages, start=1):
            problem = page.validate()
            if problem:
                self.tabs.setCurrentIndex(index)
                QMessageBox.warning(self, self.tr("Settings"), problem)
                return
        for page in self.pages:
            if not page.save():
                return
        self.settings.set_language(str(self.language.currentData()))
        self.settings.sync()
        super().accept()
