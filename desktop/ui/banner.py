"""The banner across the top of the main window's queue: one line saying what went wrong (a sync
failed, the shop is signed out…) with the button that helps (Retry, Sign in…).

:class:`Banner` is the widget; :class:`ShopBanner` knows what the window has to say about the active
shop and what its button then does."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

from desktop.ui.i18n import fill


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


class ShopBanner(Banner):
    """The main window's banner: the active shop's sync failed, it is signed out, no shop is signed
    in, or something could not be read. Its button asks for what helps: ``sign_in_requested`` or
    ``retry_requested``. A success hides what it replaces (a sync failure after a good sync, a
    signed-out note once signed in)."""

    sign_in_requested = Signal()
    retry_requested = Signal()

    SIGN_IN, RETRY = "signin", "sync"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind: str | None = None  # what the button does: SIGN_IN or RETRY
        self.action_clicked.connect(self._clicked)

    def _clicked(self) -> None:
        if self.kind == self.SIGN_IN:
            self.sign_in_requested.emit()
        else:
            self.retry_requested.emit()

    def _show(self, kind: str, text: str, button_text: str) -> None:
        self.kind = kind
        self.show_message(text, button_text)

    def show_sync_failure(self, exc: BaseException, downloaded_when: str) -> None:
        """What failed, and that the list shown is the one downloaded ``downloaded_when``."""
        from desktop.core.kuaishou import errors as api_errors

        if getattr(exc, "needs_reauth", False):
            reason = fill(self.tr("the shop's authorisation is no longer accepted (%1)"), exc)
            kind, button = self.SIGN_IN, self.tr("Sign in…")
        elif isinstance(exc, api_errors.TransportError):
            reason = fill(self.tr("the Kuaishou gateway cannot be reached (%1)"), exc)
            kind, button = self.RETRY, self.tr("Retry")
        else:
            reason = str(exc) or type(exc).__name__
            kind, button = self.RETRY, self.tr("Retry")
        self._show(
            kind,
            fill(
                self.tr("Sync failed: %1. The list shows the requests downloaded %2; the app keeps trying."),
                reason,
                downloaded_when,
            ),
            button,
        )

    def show_signed_out(self, shop_label: str) -> None:
        self._show(
            self.SIGN_IN,
            fill(
                self.tr(
                    "You are signed out of %1: the list below is what was downloaded last. "
                    "Sign in again to keep it up to date."
                ),
                shop_label,
            ),
            self.tr("Sign in…"),
        )

    def show_no_shop(self) -> None:
        self._show(
            self.SIGN_IN,
            self.tr("No shop is signed in. Sign in to watch your after-sale requests."),
            self.tr("Sign in…"),
        )

    def show_read_failure(self, exc: BaseException) -> None:
        self._show(self.RETRY, fill(self.tr("Something could not be read: %1"), exc), self.tr("Retry"))

    def synced(self) -> None:
        """A sync succeeded: a sync failure shown is over."""
        if self.kind == self.RETRY:
            self.hide()
            self.kind = None

    def signed_in(self) -> None:
        """The shop is signed in: a sign-in request shown is over."""
        if self.kind == self.SIGN_IN:
            self.hide()
