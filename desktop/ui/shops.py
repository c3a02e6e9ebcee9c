"""The shops dialog: list the signed-in shops; switch, rename, sign out (forget the secrets; the cached
data stays), remove (secrets and data), add another (the sign-in dialog).

The work itself is :class:`desktop.core.profiles.ShopManager` (Qt-free, blocking), which the main
window calls through :func:`desktop.ui.workers.run_in_background`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from desktop.core.store import Shop


class ShopsDialog(QDialog):
    """Manage the shops. Emits what the user asked for; the main window does the (background) work."""

    switch_requested = Signal(int)
    rename_requested = Signal(int, str)
    sign_out_requested = Signal(int)
    remove_requested = Signal(int)
    add_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Shops"))
        self.setMinimumSize(460, 320)
        self.list = QListWidget()
        self.list.itemDoubleClicked.connect(lambda _item: self._switch())
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.switch_button = QPushButton(self.tr("Switch to"))
        self.rename_button = QPushButton(self.tr("Rename…"))
        self.sign_out_button = QPushButton(self.tr("Sign out"))
        self.remove_button = QPushButton(self.tr("Remove…"))
        self.add_button = QPushButton(self.tr("Add shop…"))
        self.switch_button.clicked.connect(self._switch)
        self.rename_button.clicked.connect(self._rename)
        self.sign_out_button.clicked.connect(self._sign_out)
        self.remove_button.clicked.connect(self._remove)
        self.add_button.clicked.connect(self.add_requested)
        side = QVBoxLayout()
        for button in (
            self.switch_button,
            self.rename_button,
            self.sign_out_button,
            self.remove_button,
            self.add_button,
        ):
            side.addWidget(button)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(side)
        self.secrets_label = QLabel()
        self.secrets_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.secrets_label)
        layout.addWidget(buttons)
        self._update_buttons()

    def set_shops(
        self,
        shops: Sequence[Shop],
        active_id: int | None,
        signed_in: Mapping[int, bool],
        problems: Mapping[int, str] | None = None,
    ) -> None:
        """List ``shops``; ``problems`` maps a shop to why the background could not bring it up to
        date (e.g. "sign in again")."""
        current = self.selected_shop_id()
        self.list.clear()
        for shop in shops:
            text = shop.label
            notes = []
            if shop.id == active_id:
                notes.append(self.tr("active"))
            if not signed_in.get(shop.id, False):
                notes.append(self.tr("signed out"))
            elif problems and shop.id in problems:
                notes.append(problems[shop.id])
            if notes:
                text += f"  ({', '.join(notes)})"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, shop.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, shop.label)
            self.list.addItem(item)
            if shop.id == (current if current is not None else active_id):
                self.list.setCurrentItem(item)
        self._update_buttons()

    def set_secret_store_note(self, text: str) -> None:
        self.secrets_label.setText(text)

    def selected_shop_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _update_buttons(self) -> None:
        has = self.selected_shop_id() is not None
        for button in (self.switch_button, self.rename_button, self.sign_out_button, self.remove_button):
            button.setEnabled(has)

    def _switch(self) -> None:
        shop_id = self.selected_shop_id()
        if shop_id is not None:
            self.switch_requested.emit(shop_id)

    def _rename(self) -> None:
        shop_id = self.selected_shop_id()
        if shop_id is None:
            return
        current = str(self.list.currentItem().data(Qt.ItemDataRole.UserRole + 1))
        name, ok = QInputDialog.getText(
            self, self.tr("Rename shop"), self.tr("Name shown in the app:"), text=current
        )
        if ok and name.strip():
            self.rename_requested.emit(shop_id, name.strip())

    def _sign_out(self) -> None:
        shop_id = self.selected_shop_id()
        if shop_id is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Sign out"),
            self.tr(
                "Sign out of this shop? Its keys and tokens are forgotten on this computer; the "
                "requests already downloaded stay visible until you remove the shop."
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.sign_out_requested.emit(shop_id)

    def _remove(self) -> None:
        shop_id = self.selected_shop_id()
        if shop_id is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Remove shop"),
            self.tr(
                "Remove this shop? Its keys, tokens and every downloaded request are deleted from "
                "this computer. Nothing changes in the Kuaishou seller backend."
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_requested.emit(shop_id)
