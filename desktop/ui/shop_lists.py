"""Where the main window lists the shops: the toolbar's shop list, the Shop ▸ Switch to menu and the
shops dialog (Shop ▸ Manage shops…). Each marks the active shop and the shops the background could
not bring up to date (e.g. "sign in again"); choosing a shop in any of them asks for a switch.

:class:`ShopLists` only shows and asks: reading the shops, switching, renaming, signing out and
removing are the main window's (in the background)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QMenu, QStyle, QWidget

from desktop.ui.i18n import fill
from desktop.ui.shops import ShopsDialog

if TYPE_CHECKING:
    from desktop.core.store import Shop


class ShopLists(QObject):
    """The shop list, the Switch-to menu and the shops dialog, filled from one list of shops.

    ``switch_requested(shop id)``: the user chose a shop (list, menu or dialog). The dialog's other
    requests (rename, sign out, remove, add) are forwarded as they are.
    """

    switch_requested = Signal(int)
    add_requested = Signal()
    rename_requested = Signal(int, str)
    sign_out_requested = Signal(int)
    remove_requested = Signal(int)

    def __init__(self, combo: QComboBox, menu: QMenu, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.combo = combo
        self.menu = menu
        self.shops: list[Shop] = []
        self.signed_in: dict[int, bool] = {}  # shop id -> has its tokens
        self.notes: dict[int, str] = {}  # shop id -> why it is not up to date (other shops)
        self.active_id: int | None = None
        # the shops dialog while it is open
        self.dialog: ShopsDialog | None = None
        combo.activated.connect(self._combo_activated)

    def set_shops(self, shops: Sequence[Shop], signed_in: Mapping[int, bool]) -> None:
        self.shops = list(shops)
        self.signed_in = dict(signed_in)
        self.refill()

    def set_notes(self, notes: Mapping[int, str]) -> None:
        self.notes = dict(notes)
        self.refill()

    def set_active(self, shop_id: int | None) -> None:
        self.active_id = shop_id
        self.refill()

    def refill(self) -> None:
        """Fill the list and the menu again, and the dialog when it is open."""
        warning = self.window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.combo.blockSignals(True)
        self.combo.clear()
        self.menu.clear()
        for shop in self.shops:
            note = self.notes.get(shop.id)
            self.combo.addItem(shop.label, shop.id)
            if note:
                index = self.combo.count() - 1
                self.combo.setItemIcon(index, warning)
                self.combo.setItemData(index, f"{shop.label}: {note}", Qt.ItemDataRole.ToolTipRole)
            action = self.menu.addAction(fill(self.tr("%1 (%2)"), shop.label, note) if note else shop.label)
            action.setCheckable(True)
            action.setChecked(shop.id == self.active_id)
            action.triggered.connect(lambda _c=False, sid=shop.id: self.switch_requested.emit(sid))
            if shop.id == self.active_id:
                self.combo.setCurrentIndex(self.combo.count() - 1)
        self.combo.blockSignals(False)
        self.menu.setEnabled(bool(self.shops))
        if self.dialog is not None:
            self.dialog.set_shops(self.shops, self.active_id, self.signed_in, self.notes)

    def _combo_activated(self, index: int) -> None:
        shop_id = self.combo.itemData(index)
        if shop_id is not None and shop_id != self.active_id:
            self.switch_requested.emit(int(shop_id))

    def open_dialog(self, secret_store_note: str) -> ShopsDialog:
        """Show the shops dialog (one, brought forward when already open)."""
        if self.dialog is None:
            dialog = ShopsDialog(self.window)
            dialog.switch_requested.connect(self.switch_requested)
            dialog.add_requested.connect(self.add_requested)
            dialog.rename_requested.connect(self.rename_requested)
            dialog.sign_out_requested.connect(self.sign_out_requested)
            dialog.remove_requested.connect(self.remove_requested)
            dialog.finished.connect(self._dialog_closed)
            dialog.set_secret_store_note(secret_store_note)
            self.dialog = dialog
        self.dialog.set_shops(self.shops, self.active_id, self.signed_in, self.notes)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
