"""Shops: the signed-in accounts — profiles in the store, secrets in the keychain wrapper.

:class:`ShopManager` is Qt-free and does I/O (SQLite, keychain): call it through
:func:`desktop.ui.workers.run_in_background`. :class:`ShopsDialog` lists the shops and lets the user
switch, rename, sign out (forget the secrets; the cached data stays) or remove one (secrets and data),
and add another (the sign-in dialog).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

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

from desktop.core import secrets as secret_keys
from desktop.core.kuaishou.models import SellerInfo
from desktop.core.secrets import SecretStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignInResult:
    """What a successful sign-in produced (secrets inside ``credentials``; never logged)."""

    seller: SellerInfo
    credentials: Any  # desktop.core.kuaishou.client.Credentials
    base_url: str
    auth_mode: str  # "oauth" | "token"
    token_expires_at_ms: int | None = None
    refresh_expires_at_ms: int | None = None

    def __repr__(self) -> str:
        return f"SignInResult(seller={self.seller.name!r}, base_url={self.base_url!r}, mode={self.auth_mode})"


def expiry_ms(seconds: int | None, now_ms: int | None = None) -> int | None:
    """``expires_in`` seconds from now as epoch ms (``None`` stays ``None``)."""
    if not seconds:
        return None
    return (now_ms if now_ms is not None else int(time.time() * 1000)) + int(seconds) * 1000


class ShopManager:
    """Shop profiles (store) + their secrets (keychain). Blocking: call off the UI thread."""

    def __init__(self, store: Any, secrets: SecretStore) -> None:
        self.store = store
        self.secrets = secrets

    @staticmethod
    def account(shop_id: int) -> str:
        return str(int(shop_id))

    def shops(self) -> list[Any]:
        return self.store.shops()

    def save_sign_in(self, result: SignInResult) -> Any:
        """Create or update the shop of ``result`` and store its secrets; returns the ``Shop``."""
        seller = result.seller
        if seller.seller_id is None:
            raise ValueError("the gateway did not say which shop this is (no sellerId in the seller info)")
        creds = result.credentials
        fields = dict(
            name=seller.name or "",
            app_key=creds.app_key,
            sign_method=creds.sign_method,
            auth_mode=result.auth_mode,
            token_expires_at=result.token_expires_at_ms,
            refresh_expires_at=result.refresh_expires_at_ms,
        )
        shop = self.store.find_shop(result.base_url, seller.seller_id)
        if shop is None:
            shop = self.store.add_shop(base_url=result.base_url, seller_id=seller.seller_id, **fields)
        else:
            self.store.update_shop(shop.id, **fields)
            shop = self.store.shop(shop.id)
        self.secrets.delete_account(self.account(shop.id))  # nothing stale from an older sign-in
        self.secrets.update(
            self.account(shop.id),
            {
                secret_keys.SIGN_SECRET: creds.sign_secret,
                secret_keys.ACCESS_TOKEN: creds.access_token,
                secret_keys.APP_SECRET: creds.app_secret,
                secret_keys.REFRESH_TOKEN: creds.refresh_token,
            },
        )
        log.info("signed in to shop %s (%s mode)", shop.id, result.auth_mode)
        return shop

    def credentials(self, shop_id: int) -> Any | None:
        """The shop's client credentials, or ``None`` when its secrets are gone (sign in again)."""
        from desktop.core.kuaishou.client import Credentials

        shop = self.store.shop(shop_id)
        if shop is None:
            return None
        account = self.account(shop_id)
        access_token = self.secrets.get(account, secret_keys.ACCESS_TOKEN)
        sign_secret = self.secrets.get(account, secret_keys.SIGN_SECRET)
        if not access_token or not sign_secret:
            return None
        return Credentials(
            app_key=shop.app_key,
            sign_secret=sign_secret,
            access_token=access_token,
            sign_method=shop.sign_method,
            app_secret=self.secrets.get(account, secret_keys.APP_SECRET),
            refresh_token=self.secrets.get(account, secret_keys.REFRESH_TOKEN),
        )

    def save_refreshed_tokens(self, shop_id: int, token: Any) -> None:
        """Persist a refreshed token pair at once (the old refresh token dies within minutes)."""
        self.secrets.update(
            self.account(shop_id),
            {
                secret_keys.ACCESS_TOKEN: token.access_token,
                secret_keys.REFRESH_TOKEN: token.refresh_token,
            },
        )
        if getattr(token, "expires_in", None):
            self.store.update_shop(shop_id, token_expires_at=expiry_ms(token.expires_in))

    def rename(self, shop_id: int, name: str) -> None:
        name = name.strip()
        self.store.update_shop(shop_id, display_name=name or None)

    def sign_out(self, shop_id: int) -> None:
        """Forget the shop's secrets; its cached requests stay until it is removed."""
        self.secrets.delete_account(self.account(shop_id))
        log.info("signed out of shop %s", shop_id)

    def remove(self, shop_id: int) -> None:
        """Forget the shop's secrets and everything stored of it."""
        self.sign_out(shop_id)
        self.store.delete_shop(shop_id)
        log.info("removed shop %s", shop_id)

    def signed_in(self, shop_id: int) -> bool:
        account = self.account(shop_id)
        return bool(self.secrets.get(account, secret_keys.ACCESS_TOKEN))


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
        for button in (self.switch_button, self.rename_button, self.sign_out_button,
                       self.remove_button, self.add_button):
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

    def set_shops(self, shops: list[Any], active_id: int | None, signed_in: dict[int, bool]) -> None:
        current = self.selected_shop_id()
        self.list.clear()
        for shop in shops:
            text = shop.label
            notes = []
            if shop.id == active_id:
                notes.append(self.tr("active"))
            if not signed_in.get(shop.id, False):
                notes.append(self.tr("signed out"))
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
        name, ok = QInputDialog.getText(self, self.tr("Rename shop"), self.tr("Name shown in the app:"),
                                        text=current)
        if ok and name.strip():
            self.rename_requested.emit(shop_id, name.strip())

    def _sign_out(self) -> None:
        shop_id = self.selected_shop_id()
        if shop_id is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Sign out"),
            self.tr("Sign out of this shop? Its keys and tokens are forgotten on this computer; the "
                    "requests already downloaded stay visible until you remove the shop."),
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
            self.tr("Remove this shop? Its keys, tokens and every downloaded request are deleted from "
                    "this computer. Nothing changes in the Kuaishou seller backend."),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_requested.emit(shop_id)
