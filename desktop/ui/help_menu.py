"""The main window's Help menu: the user guide, the negotiation roles seen (a diagnostics view a
seller can report) and the About box with the version and the data and log folders."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from desktop import APP_DISPLAY_NAME, __version__
from desktop.core import paths
from desktop.ui.i18n import fill
from desktop.ui.icons import app_pixmap

if TYPE_CHECKING:
    from desktop.ui.diagnostics import RolesDialog
    from desktop.ui.guide import GuideDialog
    from desktop.ui.main_window import MainWindow


class HelpDialogs(QObject):
    """Opens the Help menu's windows over ``window`` (one guide at a time, brought forward)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.guide: GuideDialog | None = None  # the user guide while it is open
        self.roles_dialog: RolesDialog | None = None  # the roles view last opened

    def show_guide(self) -> None:
        """Help → User guide (one window, brought forward when already open)."""
        from desktop.ui.guide import GuideDialog

        if self.guide is None:
            self.guide = GuideDialog(self.window)
            self.guide.finished.connect(self._guide_closed)
        self.guide.show()
        self.guide.raise_()

    def _guide_closed(self) -> None:
        if self.guide is not None:
            self.guide.deleteLater()
            self.guide = None

    def show_roles(self) -> None:
        """The negotiation-history role values seen, for the active shop."""
        from desktop.ui.diagnostics import RolesDialog

        window = self.window
        dialog = RolesDialog(
            window.services.store,
            window.services.rules,
            window.shop.id if window.shop is not None else None,
            window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.roles_dialog = dialog
        dialog.open()

    def about(self) -> None:
        box = QMessageBox(self.window)
        box.setWindowTitle(self.tr("About AfterSale Watch"))
        box.setIconPixmap(app_pixmap(64, self.window.devicePixelRatioF()))
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
